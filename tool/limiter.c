/*
 * Lookahead true-peak limiter.
 *
 * Detection: each segment between two input samples is interpolated at
 * 1/4, 2/4 and 3/4 with a polyphase FIR (a Kaiser-windowed sinc, 32 taps
 * per phase: shorter filters under-read content above 20 kHz by
 * 0.5 dB and more), which is what BS.1770 true-peak meters do. The FIR is only
 * evaluated where it can matter: its output is bounded by the window's
 * sample peak times the filter's L1 norm, so a window whose samples are all
 * under ceiling / bound cannot cross the ceiling. Where it is evaluated,
 * it is for a run of segments at once, eight side by side in vector
 * lanes (segment_peaks()), each with the same operations in the same
 * order as one at a time: the same bits.
 *
 * Gain: each sample k needs gain q[k] <= ceiling / peak of the segments
 * around it. The applied gain g[k] is the moving average of e over
 * [k + TAPS/2, k + TAPS/2 + L) (L: the lookahead), where e is the moving
 * minimum of q over L + TAPS samples, released exponentially. Every term
 * of that average is at most q[j] for every j within TAPS/2 of k, so the
 * gain never exceeds the requirement, the gain ramps down smoothly over L
 * samples before a peak, and it is flat across the interpolation filter's
 * reach around an isolated peak: a gain still moving there would itself
 * create intersample peaks. Where no q in reach is below 1 the gain is
 * exactly 1 and samples are copied.
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
#include "peak.h"

#define TAPS 32                 /* per phase; a multiple of 8 */
#define PHASES 4                /* 4x oversampling */
#define KAISER_BETA 6.0
#define FAST_BLOCK 256          /* samples checked at once for the idle path */
#define LANES 8                 /* segments interpolated at once */

/* Eight floats: two SSE registers, one AVX register. */
typedef float Floats8 __attribute__((vector_size(LANES * sizeof(float))));
typedef int32_t Ints8 __attribute__((vector_size(LANES * sizeof(int32_t))));

_Static_assert(TRUEPEAK_REACH == TAPS / 2, "the reach is half the filter");


struct TruePeakLimiter {
    int channels;
    int lookahead;              /* L, samples */
    int min_window;             /* L + TAPS */
    int latency;                /* TAPS + L - 1 */
    double thr;                 /* ceiling minus headroom, linear */
    double hot_thr;             /* thr / overshoot bound */
    double release_coef;
    float coef[PHASES - 1][TAPS];

    int64_t pos;                /* input samples pushed (incl. flush) */
    int64_t nb_input;           /* real input samples */
    int64_t last_hot;           /* last sample whose |x| exceeded hot_thr */

    float **fir;                /* per channel, 2 * TAPS, mirrored */
    int fir_pos;
    float **win;                /* per channel, TAPS - 1 + FAST_BLOCK */
    float *pk;                  /* FAST_BLOCK segment peaks */
    float **delay;              /* per channel, latency + 1 */
    float *tmp;                 /* latency + FAST_BLOCK, for delay_copy() */
    int delay_len;
    int delay_pos;              /* slot of the next input sample; it holds
                                   the oldest one, the next to output */

    double prev_r;              /* requirement of the previous segment */

    /* moving minimum of q over L samples: a monotonic deque of the
     * samples with q < 1 (empty means 1) */
    int64_t *minq_idx;
    double *minq_val;
    int minq_head, minq_count, minq_cap;

    /* moving average of e over L samples */
    double *e_ring;
    int e_pos;
    double e_prev;
    double e_sum;
    int e_below;                /* values < 1 in e_ring */

    LimiterStats stats;
    double min_gain;
};

static double bessel_i0(double x)
{
    double sum = 1, term = 1;
    for (int k = 1; k < 50; k++) {
        term *= (x / (2 * k)) * (x / (2 * k));
        sum += term;
        if (term < 1e-12 * sum)
            break;
    }
    return sum;
}

/*
 * Phase p (1..3) interpolates at m + p/4 from x[m - TAPS/2 + 1 + j],
 * j = 0..TAPS-1. Each phase is normalized to unity gain at DC.
 */
static void design_filter(float coef[PHASES - 1][TAPS])
{
    for (int p = 1; p < PHASES; p++) {
        double h[TAPS], sum = 0;
        for (int j = 0; j < TAPS; j++) {
            double d = TAPS / 2 - 1 - j + (double)p / PHASES;
            double r = d / (TAPS / 2);
            double w = bessel_i0(KAISER_BETA * sqrt(1 - r * r)) /
                       bessel_i0(KAISER_BETA);
            h[j] = (d == 0 ? 1 : sin(M_PI * d) / (M_PI * d)) * w;
            sum += h[j];
        }
        for (int j = 0; j < TAPS; j++)
            coef[p - 1][j] = (float)(h[j] / sum);
    }
}

double limiter_overshoot_bound(void)
{
    float coef[PHASES - 1][TAPS];
    double bound = 1;

    design_filter(coef);
    for (int p = 0; p < PHASES - 1; p++) {
        double l1 = 0;
        for (int j = 0; j < TAPS; j++)
            l1 += fabs(coef[p][j]);
        /* float rounding in the FIR sum: stay on the safe side */
        l1 *= 1 + 1e-5;
        if (l1 > bound)
            bound = l1;
    }
    return bound;
}

int limiter_needed(double sample_peak, double gain_db, double ceiling_dbtp)
{
    double thr = pow(10, (ceiling_dbtp - LIMITER_HEADROOM_DB) / 20);
    return sample_peak * pow(10, gain_db / 20) * limiter_overshoot_bound() > thr;
}

static float **alloc_planes(int channels, int len)
{
    float **p = calloc(channels, sizeof(*p));
    if (!p)
        return NULL;
    for (int c = 0; c < channels; c++) {
        p[c] = calloc(len, sizeof(**p));
        if (!p[c]) {
            while (c--)
                free(p[c]);
            free(p);
            return NULL;
        }
    }
    return p;
}

static void free_planes(float **p, int channels)
{
    if (!p)
        return;
    for (int c = 0; c < channels; c++)
        free(p[c]);
    free(p);
}

int limiter_create(TruePeakLimiter **out, int sample_rate, int channels,
                   double ceiling_dbtp, double lookahead, double release)
{
    TruePeakLimiter *l;
    int L;

    *out = NULL;
    if (sample_rate < 1000 || sample_rate > 768000 || channels < 1 ||
        channels > 64 || !(ceiling_dbtp <= 0 && ceiling_dbtp >= -60) ||
        !(lookahead >= 0.0001 && lookahead <= 0.1) ||
        !(release >= 0.001 && release <= 10))
        return AVERROR(EINVAL);
    L = (int)lrint(lookahead * sample_rate);
    if (L < 1)
        L = 1;

    l = calloc(1, sizeof(*l));
    if (!l)
        return AVERROR(ENOMEM);
    l->channels = channels;
    l->lookahead = L;
    l->min_window = L + TAPS;
    l->latency = TAPS + L - 1;
    l->thr = pow(10, (ceiling_dbtp - LIMITER_HEADROOM_DB) / 20);
    l->hot_thr = l->thr / limiter_overshoot_bound();
    l->release_coef = 1 - exp(-1.0 / (release * sample_rate));
    design_filter(l->coef);
    l->last_hot = INT64_MIN / 2;
    l->prev_r = 1;
    l->e_prev = 1;
    l->e_sum = L;
    l->min_gain = 1;
    l->delay_len = l->latency + 1;
    l->minq_cap = l->min_window + 1;

    l->fir = alloc_planes(channels, 2 * TAPS);
    l->win = alloc_planes(channels, TAPS - 1 + FAST_BLOCK);
    l->pk = malloc(FAST_BLOCK * sizeof(*l->pk));
    l->delay = alloc_planes(channels, l->delay_len);
    l->tmp = malloc((l->latency + FAST_BLOCK) * sizeof(*l->tmp));
    l->minq_idx = calloc(l->minq_cap, sizeof(*l->minq_idx));
    l->minq_val = calloc(l->minq_cap, sizeof(*l->minq_val));
    l->e_ring = malloc(L * sizeof(*l->e_ring));
    if (!l->fir || !l->win || !l->pk || !l->delay || !l->tmp ||
        !l->minq_idx || !l->minq_val || !l->e_ring) {
        limiter_free(&l);
        return AVERROR(ENOMEM);
    }
    for (int i = 0; i < L; i++)
        l->e_ring[i] = 1;
    *out = l;
    return 0;
}

void limiter_free(TruePeakLimiter **pl)
{
    TruePeakLimiter *l = *pl;

    if (!l)
        return;
    free_planes(l->fir, l->channels);
    free_planes(l->win, l->channels);
    free(l->pk);
    free_planes(l->delay, l->channels);
    free(l->tmp);
    free(l->minq_idx);
    free(l->minq_val);
    free(l->e_ring);
    free(l);
    *pl = NULL;
}

int limiter_latency(const TruePeakLimiter *l)
{
    return l->latency;
}

/*
 * Largest |interpolated value| at 1/4, 2/4, 3/4 between the two middle
 * samples of x[0..TAPS) (oldest first).
 */
static float interp_peak(const float coef[PHASES - 1][TAPS], const float *x)
{
    float peak = 0;

    for (int p = 0; p < PHASES - 1; p++) {
        /* eight partial sums in a fixed order: vectorizable, and the same
         * result on every run */
        float acc[8] = { 0 }, y = 0;
        for (int j = 0; j < TAPS; j += 8)
            for (int u = 0; u < 8; u++)
                acc[u] += coef[p][j + u] * x[j + u];
        for (int u = 0; u < 8; u++)
            y += acc[u];
        if (fabsf(y) > peak)
            peak = fabsf(y);
    }
    return peak;
}

/* *m = |*y| > *m ? |*y| : *m, lane by lane, as fabsf() and a comparison
 * do (pointers: a vector argument's ABI depends on the target) */
static void max_abs8(Floats8 *m, const Floats8 *y)
{
    Floats8 a = (Floats8)((Ints8)*y & 0x7fffffff);
    Ints8 gt = a > *m;

    *m = (Floats8)(((Ints8)a & gt) | ((Ints8)*m & ~gt));
}

/*
 * pk[j] = the largest |value| over all channels of the segment between
 * the two middle samples of the window win[c] + j (TAPS samples, oldest
 * first): its two ends and its three interpolated points,
 * j = from..from+n-1.
 * What interp_peak() and segment_peak() do one segment at a time, LANES
 * segments at once: each lane does interp_peak()'s operations in its
 * order (no fused multiply-add: -std=c11 keeps floating-point
 * contraction off), so the peaks are the same bits, and the compiler
 * needs no reordering to vectorize. Where AVX2 is there the eight
 * lanes are one register.
 */
__attribute__((target_clones("avx2", "default")))
static void segment_peaks(const float coef[PHASES - 1][TAPS],
                          float *const *win, int channels, int from, int n,
                          float *pk)
{
    for (int j = from; j < from + n; j++)
        pk[j] = 0;
    for (int c = 0; c < channels; c++) {
        const float *x = win[c];
        int j = from;

        for (; j + LANES <= from + n; j += LANES) {
            Floats8 m, v;

            memcpy(&m, pk + j, sizeof(m));
            memcpy(&v, x + j + TAPS / 2 - 1, sizeof(v));
            max_abs8(&m, &v);
            memcpy(&v, x + j + TAPS / 2, sizeof(v));
            max_abs8(&m, &v);
            for (int p = 0; p < PHASES - 1; p++) {
                Floats8 acc[8] = { 0 }, y = { 0 };
                /* unrolled, the accumulators stay in registers */
#pragma GCC unroll 4
                for (int k = 0; k < TAPS; k += 8)
#pragma GCC unroll 8
                    for (int u = 0; u < 8; u++) {
                        memcpy(&v, x + j + k + u, sizeof(v));
                        acc[u] += coef[p][k + u] * v;
                    }
#pragma GCC unroll 8
                for (int u = 0; u < 8; u++)
                    y += acc[u];
                max_abs8(&m, &y);
            }
            memcpy(pk + j, &m, sizeof(m));
        }
        for (; j < from + n; j++) {
            float m = pk[j], a = fabsf(x[j + TAPS / 2 - 1]),
                  b = fabsf(x[j + TAPS / 2]), y = interp_peak(coef, x + j);
            if (a > m)
                m = a;
            if (b > m)
                m = b;
            if (y > m)
                m = y;
            pk[j] = m;
        }
    }
}

/*
 * win[c] = the TAPS - 1 samples before the block (from the mirrored FIR
 * history fir, fir_pos its newest slot) and the block's n samples,
 * ch[c][(i + j) * stride]: the window that ends at the block's sample j
 * starts at win[c] + j.
 */
static void fill_windows(float *const *win, float *const *fir, int fir_pos,
                         int channels, const float *const *ch, int i,
                         ptrdiff_t stride, int n)
{
    for (int c = 0; c < channels; c++) {
        memcpy(win[c], fir[c] + fir_pos + 2, (TAPS - 1) * sizeof(float));
        for (int j = 0; j < n; j++)
            win[c][TAPS - 1 + j] = ch[c][(i + j) * stride];
    }
}

/*
 * The peaks of the segments of a block of n samples (windows from
 * fill_windows()) that can be read: those a sample over hot reaches,
 * i.e. with one in the TAPS samples up to the segment's window end,
 * worked out in steps of TAPS samples (hot_before: one of the TAPS
 * samples before the block is over hot). The others are left as they
 * are: a true peak that no sample near the ceiling reaches is never read.
 */
static void hot_segment_peaks(const float coef[PHASES - 1][TAPS],
                              float *const *win, int channels, int n,
                              double hot, int hot_before, float *pk)
{
    int prev = hot_before;

    for (int j = 0; j < n; j += TAPS) {
        int len = n - j < TAPS ? n - j : TAPS;
        int cur = peak_float(peak_bits((const float *const *)win,
                                       TAPS - 1 + j, len, channels)) > hot;
        if (cur || prev)
            segment_peaks(coef, win, channels, j, len, pk);
        prev = cur;
    }
}

/* Moving minimum of q over the min_window samples ending at sample m. */
static double minq_push(TruePeakLimiter *l, int64_t m, double q)
{
    int cap = l->minq_cap;

    while (l->minq_count && l->minq_idx[l->minq_head] <= m - l->min_window) {
        l->minq_head = (l->minq_head + 1) % cap;
        l->minq_count--;
    }
    if (q < 1) {
        while (l->minq_count) {
            int back = (l->minq_head + l->minq_count - 1) % cap;
            if (l->minq_val[back] < q)
                break;
            l->minq_count--;
        }
        int slot = (l->minq_head + l->minq_count) % cap;
        l->minq_idx[slot] = m;
        l->minq_val[slot] = q;
        l->minq_count++;
    }
    return l->minq_count ? l->minq_val[l->minq_head] : 1;
}

/*
 * One input sample in, x[c] for channel c; at most one output sample
 * out. pk: the peak of the segment the sample completes, from
 * segment_peaks() (read only where a sample near the ceiling reaches it).
 */
static int push_sample(TruePeakLimiter *l, const float *x, float **out,
                       int o, const float *pk)
{
    const int C = l->channels;
    const int64_t n = l->pos++;
    int dpos = l->delay_pos;
    float amax = 0;
    double r = 1, q, w, e, old, g;
    int64_t m = n - TAPS / 2;   /* segment between m and m + 1 */
    int64_t k = n - l->latency; /* output sample */

    for (int c = 0; c < C; c++) {
        float a = fabsf(x[c]);
        l->delay[c][dpos] = x[c];
        if (a > amax)
            amax = a;
    }
    if (amax > l->stats.input_peak)
        l->stats.input_peak = amax;
    if (amax > l->hot_thr)
        l->last_hot = n;

    /* requirement of segment m, then of sample m (both its segments) */
    if (l->last_hot > n - TAPS) {
        double peak = *pk;
        if (peak > l->stats.input_peak)
            l->stats.input_peak = peak;
        if (peak > l->thr)
            r = l->thr / peak;
    }
    q = r < l->prev_r ? r : l->prev_r;
    l->prev_r = r;

    w = minq_push(l, m, q);
    e = l->e_prev + (1 + LIMITER_RELEASE_OVERSHOOT - l->e_prev) * l->release_coef;
    if (e > 1)
        e = 1;
    if (w < e)
        e = w;
    l->e_prev = e;

    old = l->e_ring[l->e_pos];
    l->e_ring[l->e_pos] = e;
    l->e_pos = l->e_pos + 1 == l->lookahead ? 0 : l->e_pos + 1;
    l->e_below += (e < 1) - (old < 1);
    if (l->e_below) {
        l->e_sum += e - old;
        g = l->e_sum / l->lookahead;
        if (g > 1)
            g = 1;
    } else {
        l->e_sum = l->lookahead; /* no drift once idle */
        g = 1;
    }

    /* the ring holds latency + 1 samples: sample k is the oldest */
    dpos = dpos + 1 == l->delay_len ? 0 : dpos + 1;
    l->delay_pos = dpos;
    if (k < 0 || k >= l->nb_input)
        return 0;
    if (g < 1) {
        for (int c = 0; c < C; c++)
            out[c][o] = (float)(l->delay[c][dpos] * g);
        l->stats.samples_limited++;
        if (g < l->min_gain)
            l->min_gain = g;
    } else {
        for (int c = 0; c < C; c++)
            out[c][o] = l->delay[c][dpos];
    }
    l->stats.samples++;
    return 1;
}

/*
 * Nothing pending: no requirement below 1 within reach, the release has
 * ended, the FIR window holds no sample near the ceiling, and the output
 * has started (the stream-start zeros are behind us).
 */
static int idle(const TruePeakLimiter *l)
{
    return !l->minq_count && !l->e_below && l->e_prev == 1 &&
           l->prev_r == 1 && l->last_hot <= l->pos - TAPS &&
           l->pos >= l->latency;
}

/* No sample of in[.][i, i + n) could take the output near the ceiling. */
static int quiet(TruePeakLimiter *l, const float *const *in, int i, int n)
{
    float peak = peak_float(peak_bits(in, i, n, l->channels));

    if (peak > l->stats.input_peak && peak <= l->hot_thr)
        l->stats.input_peak = peak;
    return peak <= l->hot_thr;
}

/*
 * n samples x through the delay line d (len slots, pos: the slot the next
 * sample goes to; the samples in flight are in the len - 1 slots after
 * it, oldest first) out to y, as push_sample() does at a gain of 1, with
 * copies instead of a step per sample: tmp (len - 1 + n floats) holds
 * the samples in flight and then x, so y may be x (in place). The line
 * is left as push_sample() leaves it, its stale slot (the last sample
 * out) included.
 */
static void delay_copy(float *d, int len, int pos, const float *x, float *y,
                       int n, float *tmp)
{
    const int D = len - 1;
    int s = pos + 1 == len ? 0 : pos + 1, first = len - s < D ? len - s : D;

    memcpy(tmp, d + s, first * sizeof(*tmp));
    memcpy(tmp + first, d, (D - first) * sizeof(*tmp));
    memcpy(tmp + D, x, n * sizeof(*tmp));
    memcpy(y, tmp, n * sizeof(*y));
    /* from the slot after the last written: tmp[n - 1 .. n + D) */
    s = (int)((pos + (int64_t)n) % len);
    memcpy(d + s, tmp + n - 1, (len - s) * sizeof(*d));
    memcpy(d, tmp + n - 1 + (len - s), s * sizeof(*d));
}

/*
 * What push_sample() does for n idle, quiet samples, without the
 * per-sample bookkeeping: every gain is exactly 1, so the samples go
 * through the delay line unchanged. Returns the samples written.
 */
static int pass_block(TruePeakLimiter *l, const float *const *in, int i,
                      float **out, int o, int n)
{
    /* the FIR history needs the last TAPS samples, taken before the
     * output is written: in place (in == out) it overwrites them */
    for (int j = n > TAPS ? n - TAPS : 0; j < n; j++) {
        l->fir_pos = l->fir_pos + 1 == TAPS ? 0 : l->fir_pos + 1;
        for (int c = 0; c < l->channels; c++)
            l->fir[c][l->fir_pos] = l->fir[c][l->fir_pos + TAPS] = in[c][i + j];
    }
    for (int c = 0; c < l->channels; c++)
        delay_copy(l->delay[c], l->delay_len, l->delay_pos, in[c] + i,
                   out[c] + o, n, l->tmp);
    l->delay_pos = (int)((l->delay_pos + (int64_t)n) % l->delay_len);
    l->e_pos = (int)((l->e_pos + (int64_t)n) % l->lookahead);
    l->pos += n;
    l->stats.samples += n;
    return n;
}

/* The FIR history after the n samples of the windows win (fill_windows()). */
static void fir_from_windows(float *const *fir, int *fir_pos,
                             float *const *win, int channels, int n)
{
    const float *src;

    for (int c = 0; c < channels; c++) {
        src = win[c] + n - 1; /* the last TAPS samples, oldest first */
        memcpy(fir[c], src, TAPS * sizeof(float));
        memcpy(fir[c] + TAPS, src, TAPS * sizeof(float));
    }
    *fir_pos = TAPS - 1;
}

/* n samples of in[.][i..] through push_sample(), the segment peaks it
 * may read worked out at once. */
static int limit_block(TruePeakLimiter *l, const float *const *in, int i,
                       float **out, int o, int n)
{
    const int C = l->channels;
    float x[64];
    int written = 0;

    fill_windows(l->win, l->fir, l->fir_pos, C, in, i, 1, n);
    hot_segment_peaks(l->coef, l->win, C, n, l->hot_thr,
                      l->last_hot > l->pos - TAPS, l->pk);
    for (int j = 0; j < n; j++) {
        for (int c = 0; c < C; c++)
            x[c] = in[c][i + j];
        written += push_sample(l, x, out, o + written, l->pk + j);
    }
    fir_from_windows(l->fir, &l->fir_pos, l->win, C, n);
    return written;
}

int limiter_process(TruePeakLimiter *l, const float *const *in, float **out,
                    int nb_samples)
{
    int o = 0;

    if (nb_samples < 0)
        return AVERROR(EINVAL);
    l->nb_input += nb_samples;
    for (int i = 0; i < nb_samples; ) {
        int n = nb_samples - i < FAST_BLOCK ? nb_samples - i : FAST_BLOCK;
        if (idle(l) && quiet(l, in, i, n)) {
            o += pass_block(l, in, i, out, o, n);
        } else {
            o += limit_block(l, in, i, out, o, n);
        }
        i += n;
    }
    return o;
}

int limiter_flush(TruePeakLimiter *l, float **out)
{
    static const float zeros[FAST_BLOCK];
    const float *in[64];
    int o = 0;

    /* zeros after the end let the detector and delay line run out: up
     * to the output sample nb_input - 1, latency samples behind */
    for (int c = 0; c < l->channels; c++)
        in[c] = zeros;
    while (l->stats.samples < l->nb_input) {
        int64_t left = l->nb_input + l->latency - l->pos;
        o += limit_block(l, in, 0, out, o,
                         left < FAST_BLOCK ? (int)left : FAST_BLOCK);
    }
    return o;
}

int limiter_count_subnormal_f(const float *x, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += fpclassify(x[i]) == FP_SUBNORMAL;
    return k;
}

int limiter_count_subnormal_d(const double *x, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += fpclassify(x[i]) == FP_SUBNORMAL;
    return k;
}

int limiter_subnormal_state(const TruePeakLimiter *l)
{
    double scalars[] = { l->prev_r, l->e_prev, l->e_sum, l->min_gain };
    int k = limiter_count_subnormal_d(scalars, 4);

    for (int c = 0; c < l->channels; c++)
        k += limiter_count_subnormal_f(l->fir[c], 2 * TAPS) +
             limiter_count_subnormal_f(l->delay[c], l->delay_len);
    /* the whole ring: slots outside the deque hold stale minima */
    return k + limiter_count_subnormal_d(l->e_ring, l->lookahead) +
           limiter_count_subnormal_d(l->minq_val, l->minq_cap);
}

void limiter_get_stats(const TruePeakLimiter *l, LimiterStats *st)
{
    *st = l->stats;
    st->max_reduction_db = l->min_gain < 1 ? -20 * log10(l->min_gain) : 0;
}

/* ---------------------------------------------------------------- */
/* True-peak meter                                                   */

struct TruePeakMeter {
    int channels;
    float coef[PHASES - 1][TAPS];
    double bound;
    float **fir;                /* per channel, 2 * TAPS, mirrored */
    int fir_pos;
    float **win;                /* per channel, TAPS - 1 + FAST_BLOCK */
    float *pk;                  /* FAST_BLOCK segment peaks */
    int64_t pos;
    int64_t last_hot;           /* last sample that could raise the peak */
    double peak;
    double hot_thr;             /* peak / bound */
};

int truepeak_meter_create(TruePeakMeter **out, int channels)
{
    TruePeakMeter *m;

    *out = NULL;
    if (channels < 1 || channels > 64)
        return AVERROR(EINVAL);
    m = calloc(1, sizeof(*m));
    if (!m)
        return AVERROR(ENOMEM);
    m->channels = channels;
    design_filter(m->coef);
    m->bound = limiter_overshoot_bound();
    m->last_hot = INT64_MIN / 2;
    m->fir = alloc_planes(channels, 2 * TAPS);
    m->win = alloc_planes(channels, TAPS - 1 + FAST_BLOCK);
    m->pk = malloc(FAST_BLOCK * sizeof(*m->pk));
    if (!m->fir || !m->win || !m->pk) {
        truepeak_meter_free(&m);
        return AVERROR(ENOMEM);
    }
    *out = m;
    return 0;
}

void truepeak_meter_free(TruePeakMeter **pm)
{
    if (!*pm)
        return;
    free_planes((*pm)->fir, (*pm)->channels);
    free_planes((*pm)->win, (*pm)->channels);
    free((*pm)->pk);
    free(*pm);
    *pm = NULL;
}

static void tp_raise(TruePeakMeter *m, double v)
{
    if (v > m->peak) {
        m->peak = v;
        m->hot_thr = v / m->bound;
    }
}

/* Sample j of channel c is ch[c][j * stride]. */
static void tp_add(TruePeakMeter *m, const float *const *ch, ptrdiff_t stride,
                   int nb)
{
    const int C = m->channels;

    for (int i = 0; i < nb; ) {
        int n = nb - i < FAST_BLOCK ? nb - i : FAST_BLOCK;
        /* interleaved (stride C), the frames are one run of n * C
         * samples from ch[0] */
        float amax = peak_float(stride == 1 ? peak_bits(ch, i, n, C) :
                                peak_bits(ch, i * stride, n * stride, 1));

        if (amax <= m->hot_thr && m->last_hot <= m->pos - TAPS) {
            /* nothing here can reach the peak so far: keep the history */
            for (int j = n > TAPS ? i + n - TAPS : i; j < i + n; j++) {
                m->fir_pos = m->fir_pos + 1 == TAPS ? 0 : m->fir_pos + 1;
                for (int c = 0; c < C; c++)
                    m->fir[c][m->fir_pos] = m->fir[c][m->fir_pos + TAPS] =
                        ch[c][j * stride];
            }
            m->pos += n;
            i += n;
            continue;
        }
        /* the segment peaks read below, those a sample near the peak
         * so far reaches, at once (hot_thr only rises: at the block's
         * start it finds them all; a segment's ends are samples, raised
         * anyway) */
        fill_windows(m->win, m->fir, m->fir_pos, C, ch, i, stride, n);
        hot_segment_peaks(m->coef, m->win, C, n, m->hot_thr,
                          m->last_hot > m->pos - TAPS, m->pk);
        for (int j = 0; j < n; j++) {
            int64_t k = m->pos++;
            float a = 0;
            for (int c = 0; c < C; c++)
                if (fabsf(m->win[c][TAPS - 1 + j]) > a)
                    a = fabsf(m->win[c][TAPS - 1 + j]);
            if (a > m->hot_thr)
                m->last_hot = k;
            tp_raise(m, a);
            if (m->last_hot > k - TAPS)
                tp_raise(m, m->pk[j]);
        }
        fir_from_windows(m->fir, &m->fir_pos, m->win, C, n);
        i += n;
    }
}

void truepeak_meter_add(TruePeakMeter *m, const float *const *planar, int nb)
{
    tp_add(m, planar, 1, nb);
}

void truepeak_meter_add_interleaved(TruePeakMeter *m, const float *x, int nb)
{
    const float *ch[64];

    for (int c = 0; c < m->channels; c++)
        ch[c] = x + c;
    tp_add(m, ch, m->channels, nb);
}

double truepeak_meter_around(const TruePeakMeter *m, const float *x)
{
    /* the segment before x[0] is the one between the middle samples of
     * x[-TAPS/2 .. TAPS/2), the one after, of x[-TAPS/2 + 1 ..] */
    double a = interp_peak(m->coef, x - TAPS / 2);
    double b = interp_peak(m->coef, x - TAPS / 2 + 1);
    double p = fabs(x[0]);

    return a > p ? (a > b ? a : b) : (b > p ? b : p);
}

int truepeak_meter_subnormal_state(const TruePeakMeter *m)
{
    double scalars[] = { m->peak, m->hot_thr };
    int k = limiter_count_subnormal_d(scalars, 2);

    for (int c = 0; c < m->channels; c++)
        k += limiter_count_subnormal_f(m->fir[c], 2 * TAPS);
    return k;
}

double truepeak_meter_peak(const TruePeakMeter *m)
{
    double peak = m->peak;
    float x[2 * TAPS];

    /* the last TAPS / 2 segments still wait for samples: the signal ends
     * in silence */
    for (int c = 0; c < m->channels; c++) {
        memcpy(x, m->fir[c] + m->fir_pos + 1, TAPS * sizeof(float));
        memset(x + TAPS, 0, TAPS * sizeof(float));
        for (int j = 1; j <= TAPS / 2; j++) {
            double y = interp_peak(m->coef, x + j);
            if (y > peak)
                peak = y;
        }
    }
    return peak;
}
