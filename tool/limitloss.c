/*
 * The limiter's loss of loudness, predicted (see limitloss.h).
 *
 * The loudness meter records each 100 ms segment's K-weighted energy and
 * its share in each of LOUDNESS_LEVEL_PARTS parts (loudness_levels_parts());
 * here each part gets its true peak, read by the limiter's detector
 * around each channel's largest sample: the crest between samples is
 * next to the largest one on programme material, and reading every
 * sample would cost what the limiter's own pass does.
 *
 * The simulation follows the limiter (limiter.c) part by part: a part
 * whose peak times the gain crosses the threshold needs the gain
 * threshold / peak; the limiter holds it around the peak (lookahead,
 * moving minimum, the peaks that follow the first), taken as HOLD of the
 * part, then releases towards 1 + LIMITER_RELEASE_OVERSHOOT with the
 * limiter's time constant. Each segment's energy is scaled by its
 * parts' shares times the mean square of that gain, and the gated
 * loudness read from the segments.
 *
 * Measured against the limiter on music peaking at 0 dBFS (targets -14
 * to -8 LUFS, up to 12 dB of reduction), K-weighted parts and a hold of
 * half a part put the prediction within 0.1 LU; unweighted energies or
 * no hold under-read the loss by a sixth, a whole part held over-read it.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>

#include "limiter.h"
#include "limitloss.h"
#include "peak.h"

#define BLOCKS LOUDNESS_LEVEL_PARTS               /* per 100 ms segment */
#define MAX_BLOCKS ((size_t)2 * 3600 * 10 * BLOCKS) /* two hours */
/* peaks kept as 8-bit codes: quarters of a dB over -60 dBFS (0: under) */
#define PEAK_FLOOR_DB -60.0
#define PEAK_STEP_DB 0.25
#define MAX_RAISE_DB 30.0       /* the most a prediction raises the gain */
#define GAIN_STEPS 20           /* bisection: 30 dB / 2^20, 0.00003 dB */
#define HOLD 0.5

struct LimitLoss {
    TruePeakMeter *tp;          /* its detector reads the peaks */
    int channels;
    int rate;
    int seg;                    /* samples per 100 ms segment */
    int len[BLOCKS];            /* samples of each block of a segment */
    int k;                      /* block of the segment being filled */
    float **buf;                /* per channel: TRUEPEAK_REACH samples
                                   before the block, the block, and
                                   TRUEPEAK_REACH after it */
    int fill;                   /* samples in buf */
    int cap;
    uint8_t *peak;              /* per block, coded (peak_code()) */
    size_t nb, nb_cap;
    int dropped;                /* longer than MAX_BLOCKS */
};

int limitloss_create(LimitLoss **out, int sample_rate, int channels)
{
    LimitLoss *l;
    int ret;

    *out = NULL;
    if (sample_rate < 1000 || channels < 1 || channels > 64)
        return AVERROR(EINVAL);
    if (sample_rate % 10)
        return AVERROR(ENOSYS);
    if (!(l = calloc(1, sizeof(*l))))
        return AVERROR(ENOMEM);
    l->channels = channels;
    l->rate = sample_rate;
    l->seg = sample_rate / 10;
    for (int k = 0; k < BLOCKS; k++)
        l->len[k] = l->seg * (k + 1) / BLOCKS - l->seg * k / BLOCKS;
    l->cap = 2 * TRUEPEAK_REACH + l->len[BLOCKS - 1] + 1;
    /* the stream starts after silence, as the limiter's detector has it */
    l->fill = TRUEPEAK_REACH;
    if ((ret = truepeak_meter_create(&l->tp, channels)) < 0 ||
        !(l->buf = calloc(channels, sizeof(*l->buf)))) {
        limitloss_free(&l);
        return ret < 0 ? ret : AVERROR(ENOMEM);
    }
    for (int c = 0; c < channels; c++)
        if (!(l->buf[c] = calloc(l->cap, sizeof(float)))) {
            limitloss_free(&l);
            return AVERROR(ENOMEM);
        }
    *out = l;
    return 0;
}

void limitloss_free(LimitLoss **pl)
{
    LimitLoss *l = *pl;

    if (!l)
        return;
    truepeak_meter_free(&l->tp);
    for (int c = 0; l->buf && c < l->channels; c++)
        free(l->buf[c]);
    free(l->buf);
    free(l->peak);
    free(l);
    *pl = NULL;
}

static uint8_t peak_code(double peak)
{
    double c = peak > 0 ? (20 * log10(peak) - PEAK_FLOOR_DB) / PEAK_STEP_DB : 0;

    return c <= 0 ? 0 : c >= UINT8_MAX ? UINT8_MAX : (uint8_t)lrint(c);
}

static int push_block(LimitLoss *l, double peak)
{
    if (l->nb == l->nb_cap) {
        size_t cap = l->nb_cap ? 2 * l->nb_cap : 4096;
        uint8_t *p;
        if (cap > MAX_BLOCKS)
            cap = MAX_BLOCKS;
        if (l->nb == cap) {
            l->dropped = 1;
            return 0;
        }
        if (!(p = realloc(l->peak, cap * sizeof(*p))))
            return AVERROR(ENOMEM);
        l->peak = p;
        l->nb_cap = cap;
    }
    l->peak[l->nb++] = peak_code(peak);
    return 0;
}

/* The block at buf[TRUEPEAK_REACH ..] read, and the buffer moved on. */
static int take_block(LimitLoss *l)
{
    const int n = l->len[l->k];
    double peak = 0;

    for (int c = 0; c < l->channels; c++) {
        const float *x = l->buf[c] + TRUEPEAK_REACH;
        const uint32_t top = peak_bits(&x, 0, n, 1);
        int at = 0;
        uint32_t u;
        double p;
        /* the first sample at the block's peak (it is there) */
        for (;; at++) {
            memcpy(&u, x + at, sizeof(u));
            if ((u & 0x7fffffff) == top)
                break;
        }
        if ((p = truepeak_meter_around(l->tp, x + at)) > peak)
            peak = p;
    }
    for (int c = 0; c < l->channels; c++)
        memmove(l->buf[c], l->buf[c] + n, (l->fill - n) * sizeof(float));
    l->fill -= n;
    l->k = (l->k + 1) % BLOCKS;
    return push_block(l, peak);
}

int limitloss_add(LimitLoss *l, const float *const *x, int n)
{
    int done = 0, ret;

    while (done < n && !l->dropped) {
        int m = l->cap - l->fill;
        if (m > n - done)
            m = n - done;
        for (int c = 0; c < l->channels; c++)
            memcpy(l->buf[c] + l->fill, x[c] + done, m * sizeof(float));
        l->fill += m;
        done += m;
        while (l->fill >= l->len[l->k] + 2 * TRUEPEAK_REACH)
            if ((ret = take_block(l)) < 0)
                return ret;
    }
    return 0;
}

/*
 * The limiter's mean square gain over one block after entering it at *e;
 * over is how far (dB) the block's peak times the gain is over the
 * threshold.
 */
static double block_gain2(double *e, double over, const double *decay)
{
    double start = *e, end, hold = 0;

    if (over > 0) {
        double need = pow(10, -over / 20);
        if (need < start) {
            start = need;
            hold = HOLD;
        }
    }
    end = 1 + LIMITER_RELEASE_OVERSHOOT -
          (1 + LIMITER_RELEASE_OVERSHOOT - start) * decay[hold > 0];
    if (end > 1)
        end = 1;
    *e = end;
    /* held, then the mean square of a gain moving from start to end */
    return hold * start * start +
           (1 - hold) * (start * start + start * end + end * end) / 3;
}

int limitloss_loudness(const LimitLoss *l, const LoudnessLevels *ref,
                       double gain_db, double ceiling_dbtp, double *lufs)
{
    size_t nseg = loudness_levels_count(ref);
    const uint8_t *part = loudness_levels_parts(ref);
    double e = 1, decay[BLOCKS][2];
    /* a block's peak code over this is over the threshold */
    double thr = (ceiling_dbtp - LIMITER_HEADROOM_DB - gain_db -
                  PEAK_FLOOR_DB) / PEAK_STEP_DB;
    float *scale;
    int ret;

    *lufs = NAN;
    if (!part || l->dropped)
        return AVERROR(ENOSYS);
    if (nseg > l->nb / BLOCKS)
        nseg = l->nb / BLOCKS;
    if (!(scale = malloc((nseg ? nseg : 1) * sizeof(*scale))))
        return AVERROR(ENOMEM);
    for (int k = 0; k < BLOCKS; k++)
        for (int h = 0; h < 2; h++)
            decay[k][h] = exp(-l->len[k] * (1 - h * HOLD) /
                              (LIMITER_RELEASE_DEFAULT * l->rate));
    for (size_t i = 0; i < nseg; i++) {
        double num = 0, den = 0;
        for (int k = 0; k < BLOCKS; k++) {
            size_t b = i * BLOCKS + k;
            /* code 0: under the floor, never limited */
            double over = l->peak[b] ? (l->peak[b] - thr) * PEAK_STEP_DB : -1;
            num += part[b] * block_gain2(&e, over, decay[k]);
            den += part[b];
        }
        scale[i] = den > 0 ? (float)(num / den) : 1;
    }
    ret = loudness_levels_integrated(ref, scale, nseg, pow(10, gain_db / 20),
                                     lufs);
    free(scale);
    return ret;
}

int limitloss_gain(const LimitLoss *l, const LoudnessLevels *ref,
                   double target_lufs, double ceiling_dbtp, double *gain_db)
{
    double lo = *gain_db, hi = *gain_db + MAX_RAISE_DB, lufs;
    int ret;

    /*
     * Bisection: the loudness rises with the gain (the limiter only
     * takes back part of it), and the block model has kinks where a
     * block starts to be limited, which a secant can circle around.
     */
    if ((ret = limitloss_loudness(l, ref, hi, ceiling_dbtp, &lufs)) < 0)
        return ret;
    if (!(lufs >= target_lufs))
        return AVERROR(ERANGE);
    for (int i = 0; i < GAIN_STEPS; i++) {
        double mid = (lo + hi) / 2;
        if ((ret = limitloss_loudness(l, ref, mid, ceiling_dbtp, &lufs)) < 0)
            return ret;
        if (lufs < target_lufs)
            lo = mid;
        else
            hi = mid;
    }
    *gain_db = hi;
    return 0;
}
