/*
 * dialogueduck engine: the analyzer, detector and planner together
 *
 * This file is part of dialogueduck.
 *
 * dialogueduck is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * dialogueduck is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with dialogueduck; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
 */

/*
 * The analyzer runs the detector on the dialogue (the centre channel, or
 * the mean of all channels; a stereo pair whose channels run in opposite
 * polarity, their difference), turns its events into planner calls with the
 * depth of each region, and keeps the rendering frontier: with an engine
 * delay of D samples, after h hops nothing before h * hop - D can change.
 *
 * Relative depth (below > 0) compares K-weighted energies: the dialogue's
 * over the hops found to be speech so far, the music's over the last 3 s.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define WALKBACK_HOPS 40     /* how far an onset may walk back (400 ms) */
#define MUSIC_HOPS    300    /* music loudness window (3 s) */
#define ACT_HOPS      1024   /* activity kept for readers (power of 2) */
#define DLG_HOPS      256    /* dialogue hop energies kept (power of 2):
                                as far back as the detector keeps hops
                                to walk back over */
#define ACT_LAG       (WALKBACK_HOPS + 30) /* hops until activity is final */
#define SILENCE       1e-10
#define MONO_BLOCK    256    /* detection signal samples made at a time */
#define POL_HOPS      8      /* hops a stereo pair's polarity reading
                                sums (80 ms) ... */
#define POL_STRIDE    4      /* ... every 4th sample of them */
#define POL_DECAY     0.95   /* weight of the windows before (1.6 s) */
#define POL_INVERT    -0.5   /* correlation under which the pair is read
                                on its difference; over 0, on its mean */

/* A stereo dialogue's polarity: sums of its channels' products and
 * powers, of the windows before (decayed) and of this one. */
typedef struct Polarity {
    double lr, ll, rr;
    double wlr, wll, wrr;
    int pos, window;           /* samples into the window, in it */
    int inverted;              /* 1: the detection signal is l - r */
} Polarity;

struct DDAnalyzer {
    DDAllocator al_copy;
    const DDAllocator *al;
    DDParams p;
    int sample_rate, hop;
    int dlg_channels, center, music_channels;
    int64_t delay;
    int finished;

    DDDetector *det;
    DDPlanner *plan;

    /* relative depth */
    int relative;
    DDBiquad dlg_k[2];
    DDBiquad *music_k;          /* 2 per music channel */
    double dlg_hop_acc, dlg_hop[DLG_HOPS];
    double dlg_sum;
    int64_t dlg_count;
    double music_hop_acc, music_ring[MUSIC_HOPS], music_sum;
    int music_pos, music_in_hop;
    int64_t music_hops;

    uint8_t act[ACT_HOPS];
    Polarity pol;               /* a stereo pair's (2 channels, no centre) */
    float mono[MONO_BLOCK];
    float mono_inv;             /* 1 / channels averaged when exact, else 0 */
    DDDSP dsp_c;                /* the C loops, unless an engine's ... */
    const DDDSP *dsp;           /* ... table (dd_analyzer_set_dsp()) */
};

/* How long the detector may hold a line's start back: as long as the
 * planner still gets its whole fade-down, pre-roll and attack, when the
 * start comes (the rendering frontier, a hop after the held hop, is the
 * lookahead behind it). */
static void set_hold(DDAnalyzer *a)
{
    int64_t left = a->delay - llrint(DD_PREROLL_S * a->sample_rate) -
                   llrint(a->p.attack * a->sample_rate);

    dd_detector_set_hold(a->det, left > 0 ? (int)(left / a->hop) - 1 : 0);
}

int dd_analyzer_create(DDAnalyzer **out, const DDParams *p, int sample_rate,
                       int dialogue_channels, int center, int music_channels,
                       const DDAllocator *alloc)
{
    DDAnalyzer *a;
    int ret;

    *out = NULL;
    if (dd_params_check(p) < 0 || sample_rate < 1000 || sample_rate > 768000 ||
        dialogue_channels < 1 || center >= dialogue_channels ||
        music_channels < 0)
        return DD_ERROR_INVAL;
    a = dd_alloc(alloc, sizeof(*a));
    if (!a)
        return DD_ERROR_NOMEM;
    if (alloc) {
        a->al_copy = *alloc;
        a->al = &a->al_copy;
    }
    a->p = *p;
    a->sample_rate = sample_rate;
    a->hop = dd_hop_size(sample_rate);
    a->pol.window = POL_HOPS * a->hop;
    a->dlg_channels = dialogue_channels;
    a->center = center;
    if (!(dialogue_channels & (dialogue_channels - 1)))
        a->mono_inv = 1.0f / dialogue_channels;
    a->music_channels = music_channels;
    dd_dsp_init(&a->dsp_c);
    a->dsp = &a->dsp_c;
    a->delay = dd_lookahead_samples(p, sample_rate);
    a->relative = music_channels > 0;
    if ((ret = dd_detector_create(&a->det, sample_rate, p->threshold,
                                  WALKBACK_HOPS, a->al)) < 0 ||
        (ret = dd_planner_create(&a->plan, p, sample_rate, a->al)) < 0)
        goto fail;
    set_hold(a);
    if (a->relative) {
        a->music_k = dd_alloc_array(a->al, 2 * music_channels,
                                    sizeof(*a->music_k));
        if (!a->music_k) {
            ret = DD_ERROR_NOMEM;
            goto fail;
        }
        for (int c = 0; c < music_channels; c++) {
            dd_biquad_kweight_shelf(&a->music_k[2 * c], sample_rate);
            dd_biquad_kweight_highpass(&a->music_k[2 * c + 1], sample_rate);
        }
        dd_biquad_kweight_shelf(&a->dlg_k[0], sample_rate);
        dd_biquad_kweight_highpass(&a->dlg_k[1], sample_rate);
    }
    *out = a;
    return DD_OK;
fail:
    dd_analyzer_free(&a);
    return ret;
}

void dd_analyzer_free(DDAnalyzer **pa)
{
    DDAnalyzer *a = *pa;

    if (!a)
        return;
    dd_detector_free(&a->det, a->al);
    dd_planner_free(&a->plan, a->al);
    dd_free(a->al, a->music_k);
    dd_free(a->al, a);
    *pa = NULL;
}

int dd_analyzer_set_params(DDAnalyzer *a, const DDParams *p)
{
    if (dd_params_check(p) < 0 || p->lookahead != a->p.lookahead ||
        p->spectral != a->p.spectral)
        return DD_ERROR_INVAL;
    a->p = *p;
    dd_detector_set_threshold(a->det, p->threshold);
    set_hold(a);
    dd_planner_set_params(a->plan, p);
    return DD_OK;
}

int dd_analyzer_feed_music(DDAnalyzer *a, const float *const *music,
                           int nb_samples)
{
    if (a->finished || nb_samples < 0)
        return DD_ERROR_STATE;
    if (!a->relative)
        return DD_OK;
    for (int i = 0; i < nb_samples; i++) {
        for (int c = 0; c < a->music_channels; c++) {
            double y = dd_biquad_run(&a->music_k[2 * c + 1],
                       dd_biquad_run(&a->music_k[2 * c], music[c][i]));
            a->music_hop_acc += y * y;
        }
        if (++a->music_in_hop < a->hop)
            continue;
        a->music_in_hop = 0;
        /* a music hop is complete: slide the 3 s window */
        a->music_sum -= a->music_ring[a->music_pos];
        a->music_ring[a->music_pos] = a->music_hop_acc / a->hop;
        a->music_sum += a->music_ring[a->music_pos];
        a->music_pos = (a->music_pos + 1) % MUSIC_HOPS;
        a->music_hop_acc = 0.0;
        a->music_hops++;
        for (int c = 0; c < 2 * a->music_channels; c++)
            dd_biquad_flush(&a->music_k[c]);
    }
    return DD_OK;
}

/* The gain for a region confirmed now, on the 0.1 dB grid. */
static double region_depth(const DDAnalyzer *a)
{
    double g, dlg_db, music_db;
    int64_t n = a->music_hops < MUSIC_HOPS ? a->music_hops : MUSIC_HOPS;

    if (!a->relative || a->p.below <= 0.0 || !a->dlg_count || !n)
        return dd_round_db(a->p.depth);
    dlg_db = 10.0 * log10(a->dlg_sum / a->dlg_count + SILENCE);
    music_db = 10.0 * log10(fmax(a->music_sum, 0.0) / n + SILENCE);
    g = dlg_db - a->p.below - music_db;
    g = fmin(0.0, fmax(a->p.depth, g));
    return dd_round_db(g);
}

static void mark_activity(DDAnalyzer *a, int64_t from, int64_t to, int v)
{
    if (to - from > ACT_HOPS)
        from = to - ACT_HOPS;
    for (int64_t h = from; h < to; h++)
        a->act[h & (ACT_HOPS - 1)] = v;
}

static int handle_event(DDAnalyzer *a, const DDDetectEvent *ev, int64_t hops)
{
    int ret = DD_OK;

    if (ev->onset) {
        if (a->relative) {
            /* the walked-back hops are speech too (those still kept: a
             * held start commits some time after its onset) */
            int64_t from = ev->onset_hop > hops - DLG_HOPS ? ev->onset_hop
                                                           : hops - DLG_HOPS;

            for (int64_t h = from; h < hops; h++) {
                a->dlg_sum += a->dlg_hop[h & (DLG_HOPS - 1)];
                a->dlg_count++;
            }
        }
        mark_activity(a, ev->onset_hop, hops, 1);
        ret = dd_planner_onset(a->plan, ev->onset_hop * a->hop,
                               region_depth(a));
    }
    if (ev->offset) {
        mark_activity(a, ev->end_hop, hops, 0);
        ret = dd_planner_offset(a->plan, ev->end_hop * a->hop);
    }
    return ret;
}

/* The usual stereo dialogue in one pass over the block: the operations of
 * the general case in its order ((0 + l) + r, times 1/2), so the same
 * bits (r times rs, 1 or -1 for a pair in opposite polarity: exact);
 * eight samples a step, which the compiler makes vector operations at
 * -O2. */
static void mono_pair(float *restrict x, const float *restrict l,
                      const float *restrict r, float rs, float inv, int n)
{
    int i;

    for (i = 0; i + 8 <= n; i += 8)
        for (int u = 0; u < 8; u++)
            x[i + u] = (0.0f + l[i + u] + rs * r[i + u]) * inv;
    for (; i < n; i++)
        x[i] = (0.0f + l[i] + rs * r[i]) * inv;
}

/* A stereo pair's samples l, r into the window's sums (every
 * POL_STRIDE-th sample of the stream, so that any way of cutting it into
 * blocks sums the same samples in the same order). */
static void polarity_add(Polarity *p, float l, float r)
{
    if (isfinite(l) && isfinite(r)) {
        p->wlr += (double)l * r;
        p->wll += (double)l * l;
        p->wrr += (double)r * r;
    }
}

/* At a window's end: the pair's correlation over the last windows. Under
 * POL_INVERT its channels run in opposite polarity (a microphone wired
 * the wrong way round, a pair exported anti-phase): their mean is
 * silence, and a line in it was never found. Over 0 (two microphones,
 * or one in both) the mean is read again. */
static void polarity_decide(Polarity *p)
{
    p->lr = p->lr * POL_DECAY + p->wlr;
    p->ll = p->ll * POL_DECAY + p->wll;
    p->rr = p->rr * POL_DECAY + p->wrr;
    p->wlr = p->wll = p->wrr = 0.0;
    p->pos = 0;
    if (p->ll > 0.0 && p->rr > 0.0) {
        double rho = p->lr / sqrt(p->ll * p->rr);

        if (rho < POL_INVERT)
            p->inverted = 1;
        else if (rho > 0.0)
            p->inverted = 0;
    }
}

/* The polarity reading over n samples of a stereo pair, as float planes
 * (l, r) or interleaved s16 (lr, when l is NULL). n does not cross the
 * window's end (feed_dialogue). */
static void polarity_read(Polarity *p, const float *l, const float *r,
                          const int16_t *lr, int n)
{
    const float scale = 1.0f / (1 << 15);

    for (int i = (POL_STRIDE - p->pos % POL_STRIDE) % POL_STRIDE; i < n;
         i += POL_STRIDE) {
        if (l)
            polarity_add(p, l[i], r[i]);
        else
            polarity_add(p, lr[2 * i] * scale, lr[2 * i + 1] * scale);
    }
    p->pos += n;
    if (p->pos == p->window)
        polarity_decide(p);
}

/* The detection signal: the centre channel or the mean of all channels
 * (of a stereo pair in opposite polarity, half their difference). The
 * sums are added in channel order from 0 (-0 + v is v), as one sample at
 * a time would. A power-of-two channel count multiplies by its
 * inverse, which is exact (and much cheaper than a division). Each step
 * is a loop of its own over the block (a stereo dialogue's are one:
 * mono_pair()), whose samples stay independent: nothing waits on the
 * sample before. Non-finite values become 0 (a NaN
 * must not poison the filters): x - x is 0 for a finite x and NaN
 * otherwise, so eight running sums tell whether any sample needs it. */
void dd_analyzer_mono(const DDAnalyzer *a, const float *const *dialogue,
                      int offset, int n, float *restrict x)
{
    int center = a->center >= 0, nb = center ? 1 : a->dlg_channels, i;
    const float *s0 = dialogue[center ? a->center : 0] + offset;
    const float zero = center ? -0.0f : 0.0f, inv = a->mono_inv;
    float t[8] = { 0 };

    if (nb == 2 && inv > 0.0f) {
        mono_pair(x, s0, dialogue[1] + offset,
                  a->pol.inverted ? -1.0f : 1.0f, inv, n);
    } else {
        for (i = 0; i < n; i++)
            x[i] = zero + s0[i];
        for (int c = 1; c < nb; c++) {
            const float *s = dialogue[c] + offset;
            for (i = 0; i < n; i++)
                x[i] += s[i];
        }
        if (nb > 1 && inv > 0.0f)
            for (i = 0; i < n; i++)
                x[i] *= inv;
        else if (nb > 1)
            for (i = 0; i < n; i++)
                x[i] /= nb;
    }
    for (i = 0; i + 8 <= n; i += 8)
        for (int u = 0; u < 8; u++)
            t[u] += x[i + u] - x[i + u];
    for (; i < n; i++)
        t[0] += x[i] - x[i];
    for (int u = 1; u < 8; u++)
        t[0] += t[u];
    if (t[0] != 0.0f)
        for (i = 0; i < n; i++)
            x[i] = isfinite(x[i]) ? x[i] : 0.0f;
}

static void dialogue_loudness(DDAnalyzer *a, const float *x, int n)
{
    for (int i = 0; i < n; i++) {
        double y = dd_biquad_run(&a->dlg_k[1], dd_biquad_run(&a->dlg_k[0], x[i]));
        a->dlg_hop_acc += y * y;
    }
}

static int end_of_hop(DDAnalyzer *a, const DDDetectEvent *ev)
{
    int64_t hops = dd_detector_hops(a->det);
    int in_speech, ret;

    if (a->relative) {
        a->dlg_hop[(hops - 1) & (DLG_HOPS - 1)] = a->dlg_hop_acc / a->hop;
        a->dlg_hop_acc = 0.0;
        dd_biquad_flush(&a->dlg_k[0]);
        dd_biquad_flush(&a->dlg_k[1]);
    }
    dd_planner_set_frontier(a->plan, hops * a->hop - a->delay);
    if ((ret = handle_event(a, ev, hops)) < 0)
        return ret;
    in_speech = dd_detector_in_speech(a->det);
    a->act[(hops - 1) & (ACT_HOPS - 1)] = in_speech;
    if (in_speech && !ev->onset && a->relative) {
        a->dlg_sum += a->dlg_hop[(hops - 1) & (DLG_HOPS - 1)];
        a->dlg_count++;
    }
    return DD_OK;
}

void dd_mono_s16x2_c(float *dst, const int16_t *src, float scale,
                     ptrdiff_t len)
{
    for (ptrdiff_t i = 0; i < len; i++)
        dst[i] = (src[2 * i] + src[2 * i + 1]) * scale;
}

void dd_analyzer_set_dsp(DDAnalyzer *a, const DDDSP *dsp)
{
    a->dsp = dsp;
}

/* The detection signal from interleaved s16, equal to dd_analyzer_mono() on
 * the samples converted to float (x / 32768): a sum of up to
 * DD_S16_CHANNELS_MAX converted samples is exact in float (24-bit
 * mantissa), so the integers are summed first and scaled once (by a
 * power of two: exact); a channel count that is not a power of two
 * divides as dd_analyzer_mono() does. s16 samples are always finite. */
void dd_analyzer_mono_s16(const DDAnalyzer *a, const int16_t *dlg, int n,
                          float *x)
{
    const int nd = a->dlg_channels;
    const float scale = 1.0f / (1 << 15);

    if (a->center >= 0 || nd == 1) {
        dlg += a->center >= 0 ? a->center : 0;
        for (int i = 0; i < n; i++)
            x[i] = dlg[i * nd] * scale;
    } else if (nd == 2 && a->pol.inverted) {
        for (int i = 0; i < n; i++)
            x[i] = (dlg[2 * i] - dlg[2 * i + 1]) * (scale * a->mono_inv);
    } else if (nd == 2) { /* the usual stem */
        const float s = scale * a->mono_inv;
        int body = n - n % DD_DSP_BLOCK;

        if (body)
            a->dsp->mono_s16x2(x, dlg, s, body);
        dd_mono_s16x2_c(x + body, dlg + 2 * body, s, n - body);
    } else {
        for (int i = 0; i < n; i++, dlg += nd) {
            int sum = 0;

            for (int c = 0; c < nd; c++)
                sum += dlg[c];
            x[i] = a->mono_inv > 0.0f ? sum * scale * a->mono_inv
                                      : sum * scale / nd;
        }
    }
}

/* Detection (and dialogue loudness) on the n samples of a->mono. */
static int analyze_mono(DDAnalyzer *a, int n)
{
    for (int done = 0; done < n;) {
        DDDetectEvent ev;
        int k = dd_detector_process(a->det, a->mono + done, n - done, &ev);
        int ret;

        if (a->relative)
            dialogue_loudness(a, a->mono + done, k);
        done += k;
        if (ev.hop_done && (ret = end_of_hop(a, &ev)) < 0)
            return ret;
    }
    return DD_OK;
}

/* The dialogue as float planes, or as interleaved s16 (dialogue16) when
 * dialogue is NULL: each MONO_BLOCK made mono, then analyzed (a stereo
 * pair's blocks cut at its polarity windows' ends). */
static int feed_dialogue(DDAnalyzer *a, const float *const *dialogue,
                         const int16_t *dialogue16, int nb_samples)
{
    int pair;

    if (a->finished || nb_samples < 0)
        return DD_ERROR_STATE;
    if (!dialogue && a->dlg_channels > DD_S16_CHANNELS_MAX)
        return DD_ERROR_INVAL;
    pair = a->dlg_channels == 2 && a->center < 0;
    for (int offset = 0, n; offset < nb_samples; offset += n) {
        const int16_t *s16 = dialogue16 ? dialogue16 +
                             (size_t)offset * a->dlg_channels : NULL;
        int ret;

        n = nb_samples - offset < MONO_BLOCK ? nb_samples - offset
                                             : MONO_BLOCK;
        if (pair && n > a->pol.window - a->pol.pos)
            n = a->pol.window - a->pol.pos;
        if (dialogue)
            dd_analyzer_mono(a, dialogue, offset, n, a->mono);
        else
            dd_analyzer_mono_s16(a, s16, n, a->mono);
        if (pair)
            polarity_read(&a->pol, dialogue ? dialogue[0] + offset : NULL,
                          dialogue ? dialogue[1] + offset : NULL, s16, n);
        if ((ret = analyze_mono(a, n)) < 0)
            return ret;
    }
    return DD_OK;
}

int dd_analyzer_feed_dialogue(DDAnalyzer *a, const float *const *dialogue,
                              int nb_samples)
{
    return feed_dialogue(a, dialogue, NULL, nb_samples);
}

int dd_analyzer_feed_dialogue_s16(DDAnalyzer *a, const int16_t *dialogue,
                                  int nb_samples)
{
    return feed_dialogue(a, NULL, dialogue, nb_samples);
}

int dd_analyzer_finish(DDAnalyzer *a)
{
    DDDetectEvent ev;
    int ret;

    if (a->finished)
        return DD_OK;
    dd_detector_finish(a->det, &ev);
    if ((ret = handle_event(a, &ev, dd_detector_hops(a->det))) < 0)
        return ret;
    a->finished = 1;
    return dd_planner_finish(a->plan);
}

int64_t dd_analyzer_committed(const DDAnalyzer *a)
{
    if (a->finished)
        return INT64_MAX;
    return dd_detector_hops(a->det) * a->hop - a->delay;
}

int dd_analyzer_read_keyframes(DDAnalyzer *a, DDKeyframe *kf, int max)
{
    int nb, nb_final;
    const DDKeyframe *q = dd_planner_keyframes(a->plan, &nb, &nb_final);
    int n = nb_final < max ? nb_final : max;

    memcpy(kf, q, n * sizeof(*kf));
    dd_planner_pop_keyframes(a->plan, n);
    return n;
}

int dd_analyzer_read_regions(DDAnalyzer *a, DDRegion *r, int max)
{
    return dd_planner_read_regions(a->plan, r, max);
}

int dd_analyzer_read_activity(DDAnalyzer *a, int64_t first, uint8_t *act,
                              int n)
{
    int64_t hops = dd_detector_hops(a->det);
    int64_t end = a->finished ? hops : hops - ACT_LAG;
    int count = 0;

    if (first < hops - ACT_HOPS + ACT_LAG)
        return DD_ERROR_STATE; /* no longer buffered */
    for (int64_t h = first; h < end && count < n; h++)
        act[count++] = a->act[h & (ACT_HOPS - 1)];
    return count;
}

/* Internal access for the engine and the tests. */
DDPlanner *dd_analyzer_planner(DDAnalyzer *a)
{
    return a->plan;
}

const DDDetector *dd_analyzer_detector(const DDAnalyzer *a)
{
    return a->det;
}
