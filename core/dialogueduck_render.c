/*
 * dialogueduck engine: the renderer, from keyframes to ducked music
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
 * The gain is interpolated linearly in dB between keyframes, per sample,
 * and held before the first and after the last keyframe. It depends only
 * on the sample index and the keyframes, never on how the stream was cut
 * into blocks, so every caller gets bit-identical results.
 *
 * Spectral mode ducks only the speech band of the music: the band (a
 * zero-phase FIR, see dialogueduck_band.c) is scaled by (gain - 1) and
 * added back, so bass and air stay and a gain of exactly 1 leaves the
 * music untouched. The band is computed ahead of the sample it renders: the
 * engine has those samples in its lookahead delay; a DDRenderer holds its
 * output back by the band's latency instead.
 *
 * Adaptive mode renders the same way from the carver (see
 * dialogueduck_carve.c), which also takes the dialogue.
 *
 * Broadband music also comes as interleaved s16 (the engine keeps it so
 * in its delay line when the filter's links carry s16) and goes out as
 * s16, with the dialogue mixed in or not: the samples are those of the
 * float path on x / 32768 (and the filter's mix of the dialogue),
 * converted to s16 as libswresample converts float, so a stem goes
 * through without float planes ever being made. Every step of the float
 * path scaled by 32768 is exact (products and sums of s16 samples and
 * gains are 0 or far above the smallest normal float), so it is computed
 * on the integers' scale and converted once.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define RENDER_KF_CAP 1024
#define DB_TO_LOG     0.11512925464970228420 /* ln(10) / 20 */

#define HIST_CHUNK    1024 /* samples a spectral renderer takes in at a time */

/* The segment around t: *a at or before t (NULL: none), *b after t. */
static void find_segment(const DDKeyframe *prev, const DDKeyframe *kf, int nb,
                         int64_t t, const DDKeyframe **a, const DDKeyframe **b)
{
    int i = 0;

    while (i < nb && kf[i].t <= t)
        i++;
    *a = i > 0 ? &kf[i - 1] : prev;
    *b = i < nb ? &kf[i] : NULL;
}

static double segment_db(const DDKeyframe *a, const DDKeyframe *b, int64_t t)
{
    if (!a)
        return b ? b->gain_db : 0.0;
    if (!b || a->gain_db == b->gain_db || b->t == a->t)
        return a->gain_db;
    return a->gain_db + (b->gain_db - a->gain_db) *
           (double)(t - a->t) / (double)(b->t - a->t);
}

double dd_envelope_db(const DDKeyframe *prev, const DDKeyframe *kf, int nb,
                      int64_t t)
{
    const DDKeyframe *a, *b;

    find_segment(prev, kf, nb, t, &a, &b);
    return segment_db(a, b, t);
}

/* Where a run of gains goes: float planes in and out (band beside in in
 * spectral mode), or interleaved s16 in (in16) to s16 (out16), the
 * dialogue mixed in when mix is set. */
typedef struct Pcm {
    const float *const *in;
    const float *const *band;
    float **out;
    const int16_t *in16;
    int16_t *out16;
    const DDMixS16 *mix;
    const DDDSP *dsp;           /* s16: the steady loops */
    int channels;
} Pcm;

/* A float on the s16 scale to s16 as libswresample converts it: rounded
 * to nearest, clipped. Clipped as an integer after rounding: the same s16
 * as clamping the float first (a value that rounds past the range was
 * past its end), and about a fifth faster per sample, since GCC made the
 * float clamp a compare and a branch. v is finite (music times a gain
 * plus dialogue), and far inside the range of long. */
static inline int16_t to_s16(float v)
{
    long r = lrintf(v);

    return r < -32768 ? -32768 : r > 32767 ? 32767 : (int16_t)r;
}

static void scale_s16_c(int16_t *dst, const int16_t *src, float g,
                        ptrdiff_t len)
{
    for (ptrdiff_t i = 0; i < len; i++)
        dst[i] = to_s16(src[i] * g);
}

static void scale_add_s16_c(int16_t *dst, const int16_t *src,
                            const int16_t *add, float g, ptrdiff_t len)
{
    for (ptrdiff_t i = 0; i < len; i++)
        dst[i] = to_s16(src[i] * g + add[i]);
}

void dd_dsp_init(DDDSP *dsp)
{
    dsp->scale_s16     = scale_s16_c;
    dsp->scale_add_s16 = scale_add_s16_c;
    dsp->mono_s16x2    = dd_mono_s16x2_c;
}

/* The DSP routines on the whole blocks of a run, C on the rest. */
static void scale_s16(const DDDSP *dsp, int16_t *dst,
                      const int16_t *src, float g, size_t len)
{
    size_t body = len - len % DD_DSP_BLOCK;

    if (body)
        dsp->scale_s16(dst, src, g, body);
    scale_s16_c(dst + body, src + body, g, len - body);
}

static void scale_add_s16(const DDDSP *dsp, int16_t *dst,
                          const int16_t *src, const int16_t *add, float g,
                          size_t len)
{
    size_t body = len - len % DD_DSP_BLOCK;

    if (body)
        dsp->scale_add_s16(dst, src, add, g, body);
    scale_add_s16_c(dst + body, src + body, add + body, g, len - body);
}

/* Music channel m of the s16 frame at sample i: acc (the ducked music
 * times 32768) plus the dialogue as the filter mixes it (each channel's
 * gain times its sample over 32768, added in channel order), converted as
 * libswresample converts float to s16: rounded to nearest, clipped. */
static inline int16_t mix_s16(const DDMixS16 *mix, int channels, int i, int m,
                              float acc)
{
    const int16_t *d = mix->dlg + (size_t)i * mix->nd;

    for (int k = 0; k < mix->nd; k++) {
        float w = mix->map[k * channels + m];

        if (w != 0.0f)
            acc += w * d[k];
    }
    return to_s16(acc);
}

int dd_mix_sources(const float *map, int nd, int channels, int *src,
                   float *gain)
{
    for (int m = 0; m < channels; m++) {
        src[m] = 0;
        gain[m] = 0.0f;
        for (int k = 0; k < nd; k++) {
            if (map[k * channels + m] == 0.0f)
                continue;
            if (gain[m] != 0.0f)
                return 0;
            src[m] = k;
            gain[m] = map[k * channels + m];
        }
    }
    for (int m = 0; m < channels; m++)
        if (gain[m] != 1.0f)
            return 1;
    return 2;
}

/* v clipped to s16, one test for the usual case of a v in range */
static inline int16_t clip_s16(int v)
{
    if ((v + 0x8000U) & ~0xFFFFU)
        return v < 0 ? INT16_MIN : INT16_MAX;
    return (int16_t)v;
}

/* Four s16 lanes of a and b added with saturation, as clip_s16() does
 * lane by lane: the low 15 bits of each lane are added without a carry
 * out of the lane and the sign bit is put back by XOR; a lane overflows
 * where a and b have one sign and the sum the other, and then takes
 * 0x7FFF, or 0x8000 if a is negative. Memory order in, memory order out,
 * so the lanes are the same on any byte order. */
static inline uint64_t add_sat_s16x4(uint64_t a, uint64_t b)
{
    const uint64_t sign = 0x8000800080008000ULL;
    uint64_t s = ((a & ~sign) + (b & ~sign)) ^ ((a ^ b) & sign);
    uint64_t over = ~(a ^ b) & (a ^ s) & sign, lanes, sat;

    if (!over) /* the usual word: one test instead of the blend */
        return s;
    lanes = (over >> 15) * 0xFFFF;
    sat = ~sign + ((a & sign) >> 15);
    return (s & ~lanes) | (sat & lanes);
}

/* 1 if music channel m gets dialogue channel m and only it: the music and
 * the dialogue are then added sample by sample. */
static int mix_is_identity(const DDMixS16 *mix, int channels)
{
    if (mix->nd != channels)
        return 0;
    for (int m = 0; m < channels; m++)
        if (mix->src[m] != m)
            return 0;
    return 1;
}

/* n samples of x and d summed with saturation into y, four at a time in a
 * 64-bit word: the filter's build does not vectorize, and this is the
 * common case (stereo dialogue into stereo music at unity gain). */
static void add_sat_s16(const int16_t *x, const int16_t *d, int16_t *y,
                        size_t n)
{
    size_t i = 0;

    for (; i + 4 <= n; i += 4) {
        uint64_t a, b;

        memcpy(&a, x + i, sizeof(a));
        memcpy(&b, d + i, sizeof(b));
        a = add_sat_s16x4(a, b);
        memcpy(y + i, &a, sizeof(a));
    }
    for (; i < n; i++)
        y[i] = clip_s16(x[i] + d[i]);
}

/* mix_one_s16() at unity music gain with every dialogue gain 1, the
 * channels mapped otherwise than each to its own: x + d is
 * exact in float, so it is the integers' sum, clipped. */
static void mix_sum_s16(const Pcm *p, int offset, int n)
{
    const DDMixS16 *mix = p->mix;
    const int ch = p->channels, nd = mix->nd;
    const int16_t *x = p->in16 + (size_t)offset * ch;
    const int16_t *d = mix->dlg + (size_t)offset * nd;
    int16_t *y = p->out16 + (size_t)offset * ch;

    if (ch == 2) {
        const int k0 = mix->src[0], k1 = mix->src[1];

        for (int i = 0; i < n; i++, x += 2, d += nd, y += 2) {
            y[0] = clip_s16(x[0] + d[k0]);
            y[1] = clip_s16(x[1] + d[k1]);
        }
        return;
    }
    for (int i = 0; i < n; i++, x += ch, d += nd, y += ch)
        for (int m = 0; m < ch; m++)
            y[m] = clip_s16(x[m] + d[mix->src[m]]);
}

/* apply_mix_s16() where each music channel gets one dialogue channel at
 * most: adding 0 * d to a music channel that gets none changes nothing
 * (lrintf() takes -0 and +0 alike), so every channel takes the same path;
 * a stereo frame in one step. */
static void mix_one_s16(const Pcm *p, int offset, int n, float g,
                        const float *gains)
{
    const DDMixS16 *mix = p->mix;
    const int ch = p->channels, nd = mix->nd;
    const int16_t *x = p->in16 + (size_t)offset * ch;
    const int16_t *d = mix->dlg + (size_t)offset * nd;
    int16_t *y = p->out16 + (size_t)offset * ch;

    if (!gains && mix->unit && mix_is_identity(mix, ch)) {
        /* the usual stereo mix at one gain: 1 * d is d, so a flat loop */
        if (g == 1.0f)
            add_sat_s16(x, d, y, (size_t)n * ch);
        else
            scale_add_s16(p->dsp, y, x, d, g, (size_t)n * ch);
        return;
    }
    if (!gains && g == 1.0f && mix->unit) {
        mix_sum_s16(p, offset, n);
        return;
    }
    if (ch == 2) {
        const int k0 = mix->src[0], k1 = mix->src[1];
        const float w0 = mix->gain[0], w1 = mix->gain[1];

        for (int i = 0; i < n; i++, x += 2, d += nd, y += 2) {
            float gi = gains ? gains[i] : g;

            y[0] = to_s16(x[0] * gi + w0 * d[k0]);
            y[1] = to_s16(x[1] * gi + w1 * d[k1]);
        }
        return;
    }
    for (int i = 0; i < n; i++, x += ch, d += nd, y += ch) {
        float gi = gains ? gains[i] : g;

        for (int m = 0; m < ch; m++)
            y[m] = to_s16(x[m] * gi + mix->gain[m] * d[mix->src[m]]);
    }
}

/* n s16 frames from offset with the dialogue mixed in, at the gain g or,
 * where gains is set, gains[i]: x * 1 is x, so no case for unity gain. */
static void apply_mix_s16(const Pcm *p, int offset, int n, float g,
                          const float *gains)
{
    const int ch = p->channels;
    const int16_t *src = p->in16 + (size_t)offset * ch;
    int16_t *dst = p->out16 + (size_t)offset * ch;

    if (p->mix->src) {
        mix_one_s16(p, offset, n, g, gains);
        return;
    }
    for (int i = 0; i < n; i++) {
        float gi = gains ? gains[i] : g;

        for (int m = 0; m < ch; m++)
            dst[i * ch + m] = mix_s16(p->mix, ch, offset + i, m,
                                      src[i * ch + m] * gi);
    }
}

/* One gain g for n interleaved s16 samples from offset: (x / 32768) * g
 * times 32768 is x * g; a gain of exactly 1 copies them (as the float path
 * does), one under 1 keeps lrintf() in range. */
static void apply_gain_s16(const Pcm *p, int offset, int n, float g)
{
    const int ch = p->channels;
    const int16_t *src = p->in16 + (size_t)offset * ch;
    int16_t *dst = p->out16 + (size_t)offset * ch;

    if (p->mix)
        apply_mix_s16(p, offset, n, g, NULL);
    else if (g == 1.0f)
        memmove(dst, src, (size_t)n * ch * sizeof(*dst));
    else
        scale_s16(p->dsp, dst, src, g, (size_t)n * ch);
}

static void apply_gain(const Pcm *p, int offset, int n, float g)
{
    if (p->in16) {
        apply_gain_s16(p, offset, n, g);
        return;
    }
    for (int c = 0; c < p->channels; c++) {
        const float *src = p->in[c] + offset;
        float *dst = p->out[c] + offset;
        if (g == 1.0f) {
            if (src != dst)
                memcpy(dst, src, n * sizeof(*dst));
        } else if (p->band) {
            float k = g - 1.0f;
            const float *mid = p->band[c] + offset;
            for (int i = 0; i < n; i++)
                dst[i] = src[i] + k * mid[i];
        } else {
            for (int i = 0; i < n; i++)
                dst[i] = src[i] * g;
        }
    }
}

/* A fade's gain is exp() of a line in dB, a geometric sequence: exp() is
 * taken at every FADE_RUN-th sample from the segment's start, and the
 * samples in between are reached by multiplying by the per-sample ratio,
 * in double. The gain of a sample depends on its index and the keyframes
 * only (a block that starts between two of those samples first steps up to
 * it), and is at most FADE_RUN - 1 products away from an exp(): a relative
 * error around 1e-14, far under a float's 6e-8, so the float gain is the
 * one exp() gives but for a rare last bit. */
#define FADE_RUN 256

/* The gain g[i] of each of n interleaved s16 samples from offset, as
 * apply_gain_s16() does with each of them. */
static void apply_gains_s16(const Pcm *p, int offset, int n, const float *g)
{
    const int ch = p->channels;
    const int16_t *src = p->in16 + (size_t)offset * ch;
    int16_t *dst = p->out16 + (size_t)offset * ch;

    if (p->mix) {
        apply_mix_s16(p, offset, n, 0.0f, g);
        return;
    }
    for (int i = 0; i < n; i++)
        for (int c = 0; c < ch; c++)
            dst[i * ch + c] = to_s16(src[i * ch + c] * g[i]);
}

/* The gain g[i] applied to n samples at offset, as apply_gain() does with
 * each of them (a gain of exactly 1 copies the sample). */
static void apply_gains(const Pcm *p, int offset, int n, const float *g)
{
    if (p->in16) {
        apply_gains_s16(p, offset, n, g);
        return;
    }
    for (int c = 0; c < p->channels; c++) {
        const float *src = p->in[c] + offset;
        const float *mid = p->band ? p->band[c] + offset : NULL;
        float *dst = p->out[c] + offset;

        if (mid)
            for (int i = 0; i < n; i++)
                dst[i] = g[i] == 1.0f ? src[i] : src[i] + (g[i] - 1.0f) * mid[i];
        else
            for (int i = 0; i < n; i++)
                dst[i] = g[i] == 1.0f ? src[i] : src[i] * g[i];
    }
}

/* n samples from t (at offset) on the fade from a to b. */
static void apply_fade(const DDKeyframe *a, const DDKeyframe *b, int64_t t,
                       const Pcm *p, int offset, int n)
{
    double ratio = exp((b->gain_db - a->gain_db) / (double)(b->t - a->t) *
                       DB_TO_LOG);
    float g[FADE_RUN];

    for (int done = 0; done < n;) {
        int64_t pos = t + done;
        int skip = (int)((pos - a->t) % FADE_RUN);
        int m = n - done < FADE_RUN - skip ? n - done : FADE_RUN - skip;
        double lin = exp(segment_db(a, b, pos - skip) * DB_TO_LOG);

        for (int i = 0; i < skip; i++)
            lin *= ratio;
        for (int i = 0; i < m; i++) {
            g[i] = (float)lin;
            lin *= ratio;
        }
        apply_gains(p, offset + done, m, g);
        done += m;
    }
}

static void envelope(const DDKeyframe *prev, const DDKeyframe *kf, int nb,
                     int64_t t0, const Pcm *p, int nb_samples)
{
    int done = 0;
    double lin;

    while (done < nb_samples) {
        int64_t t = t0 + done;
        const DDKeyframe *a, *b;
        int n = nb_samples - done;

        find_segment(prev, kf, nb, t, &a, &b);
        if (b && b->t - t < n)
            n = (int)(b->t - t);
        if (!a || !b || a->gain_db == b->gain_db) {
            /* flat: one gain for the whole run */
            lin = exp(segment_db(a, b, t) * DB_TO_LOG);
            apply_gain(p, done, n, (float)lin);
        } else {
            /* a fade: the gain of every sample */
            apply_fade(a, b, t, p, done, n);
        }
        done += n;
    }
}

void dd_apply_envelope(const DDKeyframe *prev, const DDKeyframe *kf, int nb,
                       int64_t t0, const float *const *in, float **out,
                       int channels, int nb_samples,
                       const float *const *band)
{
    const Pcm p = { .in = in, .band = band, .out = out, .channels = channels };

    envelope(prev, kf, nb, t0, &p, nb_samples);
}

void dd_apply_envelope_s16(const DDKeyframe *prev, const DDKeyframe *kf,
                           int nb, int64_t t0, const int16_t *in,
                           int16_t *out, int channels, int nb_samples,
                           const DDMixS16 *mix, const DDDSP *dsp)
{
    const Pcm p = { .in16 = in, .out16 = out, .mix = mix, .dsp = dsp,
                    .channels = channels };

    envelope(prev, kf, nb, t0, &p, nb_samples);
}

/* ---- DDRenderer ------------------------------------------------------ */

struct DDRenderer {
    const DDAllocator *al;
    DDAllocator al_copy;
    int channels;
    int64_t pos;                 /* next sample to render (output) */
    DDKeyframe prev;             /* the last keyframe dropped from kf */
    int has_prev;
    DDKeyframe kf[RENDER_KF_CAP];
    int nb_kf;
    const DDKeyframe *ext;       /* caller-owned list, or NULL */
    size_t nb_ext, ext_pos;
    DDBand *band;                /* spectral mode, else NULL */
    DDCarve *carve;              /* adaptive mode, else NULL */
    int dialogue_channels;
    const float **dview;         /* dialogue input pointers */
    float **xd, **mid;           /* spectral: delayed music and its band */
    const float **view;          /* 2 * channels input pointers */
    float **outv;
    int skip;                    /* band outputs before position 0 left */
};

static float **alloc_planes(const DDAllocator *al, int channels, int n)
{
    float **p = dd_alloc_array(al, channels, sizeof(*p));

    for (int c = 0; p && c < channels; c++)
        if (!(p[c] = dd_alloc_array(al, n, sizeof(float)))) {
            while (c--)
                dd_free(al, p[c]);
            dd_free(al, p);
            return NULL;
        }
    return p;
}

static void free_planes(const DDAllocator *al, float **p, int channels)
{
    if (p)
        for (int c = 0; c < channels; c++)
            dd_free(al, p[c]);
    dd_free(al, p);
}

static int side_latency(const DDRenderer *r)
{
    return r->carve ? dd_carve_latency(r->carve) :
           r->band ? dd_band_latency(r->band) : 0;
}

/* The band (dlg 0) or the carver (dlg: dialogue channels) and the buffers
 * their delayed output goes through. */
static int create_side(DDRenderer *r, const DDParams *p, int sample_rate,
                       int dlg, int center)
{
    int ret = dlg ? dd_carve_create(&r->carve, sample_rate, r->channels, dlg,
                                    center, p, r->al) :
                    dd_band_create(&r->band, p->band_low, p->band_high,
                                   sample_rate, r->channels, r->al);

    if (ret < 0)
        return ret;
    r->dialogue_channels = dlg;
    r->xd = alloc_planes(r->al, r->channels, HIST_CHUNK);
    r->mid = alloc_planes(r->al, r->channels, HIST_CHUNK);
    r->view = dd_alloc_array(r->al, 2 * r->channels, sizeof(*r->view));
    r->outv = dd_alloc_array(r->al, r->channels, sizeof(*r->outv));
    r->dview = dd_alloc_array(r->al, dlg ? dlg : 1, sizeof(*r->dview));
    if (!r->xd || !r->mid || !r->view || !r->outv || !r->dview)
        return DD_ERROR_NOMEM;
    r->skip = side_latency(r);
    return DD_OK;
}

/* A renderer: dlg 0 for broadband or the band (p->spectral), else the
 * carver on that many dialogue channels. */
static int create(DDRenderer **out, const DDParams *p, int sample_rate,
                  int channels, int dlg, int center, const DDAllocator *alloc)
{
    DDRenderer *r;
    int ret;

    *out = NULL;
    if (sample_rate <= 0 || channels <= 0 || dd_params_check(p) < 0 ||
        (p->spectral == DD_SPECTRAL_ADAPTIVE) != (dlg > 0) ||
        (p->spectral && (sample_rate < 1000 || sample_rate > 768000)))
        return DD_ERROR_INVAL;     /* the band is designed for audio rates */
    r = dd_alloc(alloc, sizeof(*r));
    if (!r)
        return DD_ERROR_NOMEM;
    if (alloc) {
        r->al_copy = *alloc;
        r->al = &r->al_copy;
    }
    r->channels = channels;
    if (p->spectral && (ret = create_side(r, p, sample_rate, dlg,
                                          center)) < 0) {
        dd_renderer_free(&r);
        return ret;
    }
    *out = r;
    return DD_OK;
}

int dd_renderer_create_params(DDRenderer **out, const DDParams *p,
                              int sample_rate, int channels,
                              const DDAllocator *alloc)
{
    return create(out, p, sample_rate, channels, 0, -1, alloc);
}

int dd_renderer_create_adaptive(DDRenderer **out, const DDParams *p,
                                int sample_rate, int channels,
                                int dialogue_channels, int center,
                                const DDAllocator *alloc)
{
    if (dialogue_channels < 1) {
        *out = NULL;
        return DD_ERROR_INVAL;
    }
    return create(out, p, sample_rate, channels, dialogue_channels, center,
                  alloc);
}

int dd_renderer_create(DDRenderer **out, int sample_rate, int channels,
                       int spectral, const DDAllocator *alloc)
{
    DDParams p;

    dd_params_default(&p);
    p.spectral = spectral;
    return dd_renderer_create_params(out, &p, sample_rate, channels, alloc);
}

void dd_renderer_free(DDRenderer **pr)
{
    DDRenderer *r = *pr;

    if (!r)
        return;
    free_planes(r->al, r->xd, r->channels);
    free_planes(r->al, r->mid, r->channels);
    dd_free(r->al, r->view);
    dd_free(r->al, r->outv);
    dd_band_free(&r->band, r->al);
    dd_carve_free(&r->carve, r->al);
    dd_free(r->al, r->dview);
    dd_free(r->al, r);
    *pr = NULL;
}

int dd_renderer_latency(const DDRenderer *r)
{
    return side_latency(r);
}

int dd_renderer_add_keyframe(DDRenderer *r, const DDKeyframe *kf)
{
    const DDKeyframe *last = r->nb_kf ? &r->kf[r->nb_kf - 1]
                                      : r->has_prev ? &r->prev : NULL;

    if (r->ext)
        return DD_ERROR_STATE;
    if (!isfinite(kf->gain_db))
        return DD_ERROR_INVAL;
    if ((last && kf->t < last->t) || kf->t < r->pos)
        return DD_ERROR_ORDER;
    if (r->nb_kf >= RENDER_KF_CAP)
        return DD_ERROR_STATE;
    r->kf[r->nb_kf++] = *kf;
    return DD_OK;
}

int dd_renderer_set_keyframes(DDRenderer *r, const DDKeyframe *kf, size_t nb)
{
    for (size_t i = 0; i < nb; i++)
        if (!isfinite(kf[i].gain_db))
            return DD_ERROR_INVAL;
        else if (i && kf[i].t < kf[i - 1].t)
            return DD_ERROR_ORDER;
    if (r->nb_kf || r->has_prev || r->pos ||
        r->skip != side_latency(r))
        return DD_ERROR_STATE;
    r->ext = kf;
    r->nb_ext = nb;
    r->ext_pos = 0;
    return DD_OK;
}

/* Keyframes looked at ahead of the render position: more than any block
 * can span. */
static int window_size(size_t n)
{
    return n < RENDER_KF_CAP ? (int)n : RENDER_KF_CAP;
}

/* The keyframes that matter from r->pos on, and the one before. */
static const DDKeyframe *window(DDRenderer *r, const DDKeyframe **prev,
                                int *nb)
{
    if (r->ext) {
        while (r->ext_pos + 1 < r->nb_ext && r->ext[r->ext_pos + 1].t <= r->pos)
            r->ext_pos++;
        if (r->ext_pos < r->nb_ext && r->ext[r->ext_pos].t <= r->pos) {
            *prev = &r->ext[r->ext_pos];
            *nb = window_size(r->nb_ext - r->ext_pos - 1);
            return r->ext + r->ext_pos + 1;
        }
        *prev = NULL;
        *nb = window_size(r->nb_ext);
        return r->ext;
    }
    {
        int drop = 0;
        while (drop < r->nb_kf && r->kf[drop].t <= r->pos)
            drop++;
        if (drop) {
            r->prev = r->kf[drop - 1];
            r->has_prev = 1;
            memmove(r->kf, r->kf + drop, (r->nb_kf - drop) * sizeof(*r->kf));
            r->nb_kf -= drop;
        }
    }
    *prev = r->has_prev ? &r->prev : NULL;
    *nb = r->nb_kf;
    return r->kf;
}

double dd_renderer_gain_db(const DDRenderer *r, int64_t t)
{
    if (r->ext)
        return dd_envelope_db(NULL, r->ext, (int)r->nb_ext, t);
    return dd_envelope_db(r->has_prev ? &r->prev : NULL, r->kf, r->nb_kf, t);
}

/* Spectral: push nb_samples (in, dlg NULL: silence) through the band or
 * the carver, render what comes out from position 0 on. Returns the
 * count written. */
static int process_band(DDRenderer *r, const float *const *in,
                        const float *const *dlg, float **out, int nb_samples)
{
    int used = 0, written = 0;

    while (used < nb_samples) {
        int k = nb_samples - used < HIST_CHUNK ? nb_samples - used : HIST_CHUNK;
        int drop = k < r->skip ? k : r->skip, nb;
        const DDKeyframe *prev, *kf;

        for (int c = 0; in && c < r->channels; c++)
            r->view[c] = in[c] + used;
        for (int c = 0; dlg && c < r->dialogue_channels; c++)
            r->dview[c] = dlg[c] + used;
        if (r->carve)
            dd_carve_push(r->carve, in ? r->view : NULL, dlg ? r->dview : NULL,
                          k, r->xd, r->mid);
        else
            dd_band_push(r->band, in ? r->view : NULL, k, r->xd, r->mid);
        for (int c = 0; c < r->channels; c++) {
            r->view[c] = r->xd[c] + drop;
            r->view[r->channels + c] = r->mid[c] + drop;
            r->outv[c] = out[c] + written;
        }
        kf = window(r, &prev, &nb);
        dd_apply_envelope(prev, kf, nb, r->pos, r->view, r->outv, r->channels,
                          k - drop, r->view + r->channels);
        r->skip -= drop;
        r->pos += k - drop;
        written += k - drop;
        used += k;
    }
    return written;
}

int dd_renderer_process(DDRenderer *r, const float *const *in, float **out,
                        int nb_samples)
{
    const DDKeyframe *prev, *kf;
    int nb;

    if (nb_samples < 0)
        return DD_ERROR_INVAL;
    if (r->carve)
        return DD_ERROR_STATE;  /* it needs the dialogue */
    if (r->band)
        return process_band(r, in, NULL, out, nb_samples);
    kf = window(r, &prev, &nb);
    dd_apply_envelope(prev, kf, nb, r->pos, in, out, r->channels, nb_samples,
                      NULL);
    r->pos += nb_samples;
    return nb_samples;
}

int dd_renderer_process_dialogue(DDRenderer *r, const float *const *in,
                                 const float *const *dialogue, float **out,
                                 int nb_samples)
{
    if (!r->carve)
        return dd_renderer_process(r, in, out, nb_samples);
    if (nb_samples < 0)
        return DD_ERROR_INVAL;
    return process_band(r, in, dialogue, out, nb_samples);
}

int dd_renderer_flush(DDRenderer *r, float **out)
{
    if (!r->band && !r->carve)
        return 0;
    return process_band(r, NULL, NULL, out, side_latency(r));
}
