/*
 * Fuzz target: the ducking engine (core/) fed random parameters and PCM
 * through its public objects: the streaming DDEngine (float, and the
 * 16-bit one the filter uses on s16 links, with or without the dialogue
 * mixed in), the two-pass DDAnalyzer -> DDRenderer path, and a DDRenderer
 * driven by random keyframes. Allocations can be made to fail to walk the
 * error paths.
 *
 * Beyond "does not crash" (ASan/UBSan), it asserts the API contract:
 * output counts, ducked music never louder than the music fed in,
 * keyframe order and range, the 16-bit engine's samples equal to the
 * float engine's converted, and bit-identical results on a second run.
 *
 * This file is part of dialogueduck.
 *
 * dialogueduck is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogueduck.h"
#include "tests/unit/test_s16.h"
#include "tests/unit/test_voice.h"

#define MAX_CH       8
#define MAX_FRAMES   (1 << 16)   /* per run: keeps executions fast */
#define MAX_KF       (1 << 16)

/* Reads bytes off the input; zeros once it runs dry. */
typedef struct Reader {
    const uint8_t *p;
    size_t left;
} Reader;

static unsigned rd_u8(Reader *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

static unsigned rd_u16(Reader *r)
{
    unsigned v = rd_u8(r);
    return v | rd_u8(r) << 8;
}

/* A byte mapped onto [lo - 5 %, hi + 5 %] of a range: mostly valid values,
 * some just outside it to exercise the parameter checks. */
static double rd_param(Reader *r, double lo, double hi)
{
    unsigned b = rd_u8(r);
    double span = hi - lo;

    if (b == 0)
        return lo;
    if (b == 255)
        return hi;
    return lo - 0.05 * span + (b - 1) / 253.0 * 1.1 * span;
}

/* ---------------------------------------------------------------- */
/* Allocation hooks that fail the Nth allocation and count leaks.    */

typedef struct FaultAlloc {
    int count, fail_at, live;
} FaultAlloc;

/* The hooks of the current run, so checks can tell an injected failure. */
static FaultAlloc *current_fa;

static int alloc_failed(void)
{
    return current_fa && current_fa->fail_at &&
           current_fa->count >= current_fa->fail_at;
}

static void *fault_alloc(void *opaque, size_t size)
{
    FaultAlloc *f = opaque;

    if (++f->count == f->fail_at)
        return NULL;
    f->live++;
    return calloc(1, size);
}

static void fault_free(void *opaque, void *ptr)
{
    FaultAlloc *f = opaque;

    if (ptr)
        f->live--;
    free(ptr);
}

/* ---------------------------------------------------------------- */
/* The signal: segments of tone, voice or noise, so a few bytes       */
/* describe seconds of audio with speech-like bursts and pauses.      */

typedef struct Signal {
    int channels, frames;
    float *buf[MAX_CH];
} Signal;

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s;
}

/* A voice the detector takes for speech (so the engine ducks): five
 * harmonics of a gliding f0 (test_voice.h), syllables at 4 Hz. */
static double voice(double f0, double t)
{
    return 0.5 * glide_voice(t, f0, 5) * (0.6 + 0.4 * sin(2.0 * M_PI * 4.0 * t));
}

static void signal_make(Signal *s, Reader *r, int channels, int frames,
                        int sample_rate, int raw)
{
    uint32_t seed = 1;
    int pos = 0;

    s->channels = channels;
    s->frames = frames;
    for (int c = 0; c < channels; c++)
        s->buf[c] = calloc(frames ? frames : 1, sizeof(float));
    if (raw) {
        /* raw float bits: NaN, Inf, denormals, huge values */
        for (int i = 0; i < frames && r->left >= 4; i++)
            for (int c = 0; c < channels && r->left >= 4; c++) {
                uint32_t bits = rd_u16(r) | (uint32_t)rd_u16(r) << 16;
                memcpy(&s->buf[c][i], &bits, 4);
            }
        return;
    }
    while (pos < frames && r->left) {
        unsigned level = rd_u8(r), kind = rd_u8(r), len = rd_u8(r) + 1;
        double amp = level ? pow(10.0, -(255 - level) / 255.0 * 5.0) : 0.0;
        double freq = 80.0 + (kind & 0x7f) * 40.0;
        int n = (int)((int64_t)len * sample_rate / 100);

        if (n > frames - pos)
            n = frames - pos;
        for (int i = 0; i < n; i++) {
            double v, t = (double)(pos + i) / sample_rate;
            if (kind & 0x80)
                v = ((int32_t)lcg(&seed) >> 8) / 8388608.0;
            else if (kind & 0x40)
                v = voice(80.0 + (kind & 0x3f) * 8.0, t);
            else
                v = sin(2.0 * M_PI * freq * t);
            for (int c = 0; c < channels; c++)
                s->buf[c][pos + i] = (float)(amp * v * (c & 1 ? 0.7 : 1.0));
        }
        pos += n;
    }
}

static void signal_free(Signal *s)
{
    for (int c = 0; c < s->channels; c++)
        free(s->buf[c]);
}

/* Finite and in a sane range: the spectral filters' state stays finite. */
static int tame(const Signal *s)
{
    for (int c = 0; c < s->channels; c++)
        for (int i = 0; i < s->frames; i++)
            if (!(fabsf(s->buf[c][i]) <= 1e6f))
                return 0;
    return 1;
}

static void views(const Signal *s, int offset, const float **v)
{
    for (int c = 0; c < s->channels; c++)
        v[c] = s->buf[c] + offset;
}

#define REQUIRE(cond) do {                                              \
        if (!(cond)) {                                                  \
            fprintf(stderr, "fuzz_engine: contract broken: %s (%s:%d)\n",\
                    #cond, __FILE__, __LINE__);                         \
            abort();                                                    \
        }                                                               \
    } while (0)

/* The whole configuration one input describes. */
typedef struct Config {
    int mode, sample_rate, music_ch, dlg_ch, center, block, fail_at;
    int mix;                        /* pcm16 mode: 0 none, 1 unit, 2 not */
    int raw, change_params, use_hooks;
    int music_tame;                 /* see tame() */
    DDParams p, p2;
    int frames;
} Config;

static const int rates[16] = {
    8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200,
    96000, 192000, 1000, 999, 44099, 768000, 0, -48000,
};

static void read_config(Config *c, Reader *r)
{
    unsigned flags;

    memset(c, 0, sizeof(*c));
    /* the fields not read below (the spectral band, unmask) at their
     * defaults: zeros are out of range, and every run would be refused */
    dd_params_default(&c->p);
    c->mode = rd_u8(r) % 4;
    c->sample_rate = rates[rd_u8(r) & 15];
    c->music_ch = rd_u8(r) % (MAX_CH + 1);      /* 0 must be refused */
    c->dlg_ch = rd_u8(r) % (MAX_CH + 1);
    c->center = (int)(rd_u8(r) % (MAX_CH + 2)) - 1;
    c->p.depth = rd_param(r, DD_DEPTH_MIN, DD_DEPTH_MAX);
    c->p.below = rd_u8(r) < 128 ? 0.0 : rd_param(r, DD_BELOW_MIN, DD_BELOW_MAX);
    c->p.lookahead = rd_param(r, DD_LOOKAHEAD_MIN, DD_LOOKAHEAD_MAX);
    c->p.attack = rd_param(r, DD_ATTACK_MIN, DD_ATTACK_MAX);
    c->p.release = rd_param(r, DD_RELEASE_MIN, DD_RELEASE_MAX);
    c->p.hold = rd_param(r, DD_HOLD_MIN, DD_HOLD_MAX);
    c->p.threshold = rd_param(r, DD_THRESHOLD_MIN, DD_THRESHOLD_MAX);
    flags = rd_u8(r);
    c->p.spectral = flags & 1;
    if ((flags & 0x1e) == 0x1e)
        c->p.spectral = DD_SPECTRAL_ADAPTIVE;   /* the renderers refuse it */
    c->raw = !!(flags & 0x20);
    c->change_params = !!(flags & 0x40);
    c->use_hooks = !!(flags & 0x80);
    c->block = rd_u16(r) % 8192 + 1;
    c->fail_at = c->use_hooks ? (int)(rd_u8(r) % 24) : 0;
    c->p2 = c->p;
    if (c->change_params) {
        c->p2.depth = rd_param(r, DD_DEPTH_MIN, DD_DEPTH_MAX);
        c->p2.hold = rd_param(r, DD_HOLD_MIN, DD_HOLD_MAX);
        c->p2.threshold = rd_param(r, DD_THRESHOLD_MIN, DD_THRESHOLD_MAX);
    }
    c->frames = (int)(rd_u16(r) * 8) % MAX_FRAMES;
    c->mix = c->mode == 3 ? (int)(rd_u8(r) % 3) : 0;
}

static int channels_ok(const Config *c)
{
    return c->music_ch >= 1 && c->dlg_ch >= 1;
}

static int rate_ok(int sr)
{
    return sr >= 1000 && sr <= 768000;
}

/* 1 if a create call made its object; 0 if it refused as it had to
 * (refuse: DD_ERROR_INVAL, or an injected allocation failure that may
 * come before the checks) or an injected failure stopped it. */
static int created(int ret, int refuse, const void *obj)
{
    if (refuse) {
        REQUIRE((ret == DD_ERROR_INVAL || (ret == DD_ERROR_NOMEM &&
                                           alloc_failed())) && !obj);
        return 0;
    }
    if (ret == DD_ERROR_NOMEM && alloc_failed()) {
        REQUIRE(!obj);
        return 0;
    }
    REQUIRE(ret == DD_OK && obj);
    return 1;
}

/* Every music sample out is the delayed input times a gain in [-60, 0] dB
 * (plain mode); spectral mode only bounds it loosely. */
static void check_ducked(const Config *c, const float *in, const float *out,
                         int n)
{
    for (int i = 0; i < n; i++) {
        if (!c->p.spectral) {
            if (!isfinite(in[i]))
                continue;
            REQUIRE(isfinite(out[i]));
            REQUIRE(fabsf(out[i]) <= fabsf(in[i]) * 1.0001f + 1e-30f);
        } else if (c->music_tame) {
            REQUIRE(isfinite(out[i]));
            REQUIRE(fabsf(out[i]) <= 4.0f * 1e6f);
        }
    }
}

/* Streaming engine. Returns a checksum of the output for the rerun check. */
static uint64_t run_engine(const Config *c, const Signal *music,
                           const Signal *dlg, const DDAllocator *al)
{
    DDEngine *e = NULL;
    float *out[MAX_CH] = { 0 };
    const float *mv[MAX_CH], *dv[MAX_CH];
    int64_t delay, written = 0;
    uint64_t sum = 1469598103934665603ull;
    int ret, cap, fin;

    ret = dd_engine_create(&e, &c->p, c->sample_rate, c->music_ch, c->dlg_ch,
                           c->center, al);
    if (!created(ret, dd_params_check(&c->p) < 0 || !channels_ok(c) ||
                 !rate_ok(c->sample_rate) || c->center >= c->dlg_ch, e))
        return 0;
    delay = dd_lookahead_samples(&c->p, c->sample_rate);
    REQUIRE(delay >= 0);
    cap = c->block > delay ? c->block : (int)delay;
    for (int ch = 0; ch < c->music_ch; ch++)
        out[ch] = calloc(cap + 1, sizeof(float));

    for (int pos = 0; pos < music->frames; pos += c->block) {
        int n = music->frames - pos < c->block ? music->frames - pos : c->block;
        float *o[MAX_CH];

        views(music, pos, mv);
        views(dlg, pos, dv);
        for (int ch = 0; ch < c->music_ch; ch++)
            o[ch] = out[ch];
        if (c->change_params && pos >= music->frames / 2 &&
            pos < music->frames / 2 + c->block) {
            ret = dd_engine_set_params(e, &c->p2);
            REQUIRE(ret == (dd_params_check(&c->p2) < 0 ? DD_ERROR_INVAL
                                                          : DD_OK));
        }
        ret = dd_engine_process(e, mv, dv, n, o);
        REQUIRE(ret >= 0 && ret <= n);
        REQUIRE(written + ret <= pos + n);
        for (int ch = 0; ch < c->music_ch; ch++) {
            /* output sample k is input sample k (the delay is sample exact) */
            check_ducked(c, music->buf[ch] + written, out[ch], ret);
            for (int i = 0; i < ret; i++) {
                uint32_t b;
                memcpy(&b, &out[ch][i], 4);
                sum = (sum ^ b) * 1099511628211ull;
            }
        }
        written += ret;
        {
            double g = dd_engine_gain_db(e);
            REQUIRE(ret == 0 || (g <= 1e-9 && g >= DD_DEPTH_MIN - 1e-9));
        }
    }
    fin = dd_engine_flush(e, out);
    REQUIRE(fin >= 0 && fin <= delay);
    for (int ch = 0; ch < c->music_ch; ch++)
        check_ducked(c, music->buf[ch] + written, out[ch], fin);
    written += fin;
    REQUIRE(written == music->frames);
    dd_engine_free(&e);
    REQUIRE(!e);
    for (int ch = 0; ch < c->music_ch; ch++)
        free(out[ch]);
    return sum;
}

static void check_keyframes(const DDKeyframe *kf, int n, int64_t *last_t)
{
    for (int i = 0; i < n; i++) {
        REQUIRE(kf[i].t >= *last_t);
        REQUIRE(isfinite(kf[i].gain_db));
        REQUIRE(kf[i].gain_db <= 1e-9 && kf[i].gain_db >= DD_DEPTH_MIN - 1e-9);
        *last_t = kf[i].t;
    }
}

/* Two passes: analyzer -> keyframe list -> renderer. */
static uint64_t run_two_pass(const Config *c, const Signal *music,
                             const Signal *dlg, const DDAllocator *al)
{
    DDAnalyzer *a = NULL;
    DDRenderer *r = NULL;
    DDKeyframe *kf = malloc(MAX_KF * sizeof(*kf));
    DDRegion reg[64];
    uint8_t act[256];
    const float *mv[MAX_CH], *dv[MAX_CH];
    float *out[MAX_CH] = { 0 };
    int nb_kf = 0, ret, got, written, music_fed = c->p.below > 0 ? c->music_ch : 0;
    int64_t last_t = INT64_MIN, last_region_end = INT64_MIN;
    int64_t committed = INT64_MIN;
    uint64_t sum = 1469598103934665603ull;

    ret = dd_analyzer_create(&a, &c->p, c->sample_rate, c->dlg_ch, c->center,
                             music_fed, al);
    if (!created(ret, dd_params_check(&c->p) < 0 || c->dlg_ch < 1 ||
                 !rate_ok(c->sample_rate) || c->center >= c->dlg_ch, a)) {
        free(kf);
        return 0;
    }

    for (int pos = 0; pos <= dlg->frames; pos += c->block) {
        int n = dlg->frames - pos < c->block ? dlg->frames - pos : c->block;
        int got;

        if (pos == dlg->frames) {
            REQUIRE(dd_analyzer_finish(a) == DD_OK);
        } else {
            if (music_fed) {
                views(music, pos, mv);
                REQUIRE(dd_analyzer_feed_music(a, mv, n) == DD_OK);
            }
            views(dlg, pos, dv);
            REQUIRE(dd_analyzer_feed_dialogue(a, dv, n) == DD_OK);
        }
        while ((got = dd_analyzer_read_keyframes(a, kf + nb_kf,
                                                 MAX_KF - nb_kf > 256 ? 256 :
                                                 MAX_KF - nb_kf)) > 0) {
            REQUIRE(got <= 256);
            check_keyframes(kf + nb_kf, got, &last_t);
            /* every keyframe before the committed point was readable
             * at the previous read: none may turn up late */
            REQUIRE(kf[nb_kf].t >= committed);
            nb_kf += got;
            if (nb_kf == MAX_KF)
                break;
        }
        committed = dd_analyzer_committed(a);
        while ((got = dd_analyzer_read_regions(a, reg, 64)) > 0) {
            REQUIRE(got <= 64);
            for (int i = 0; i < got; i++) {
                REQUIRE(reg[i].start <= reg[i].end);
                REQUIRE(reg[i].start >= last_region_end);
                REQUIRE(reg[i].depth <= 1e-9 &&
                        reg[i].depth >= DD_DEPTH_MIN - 1e-9);
                last_region_end = reg[i].end;
            }
        }
        got = dd_analyzer_read_activity(a, pos / (c->sample_rate / 100 + 1),
                                        act, 256);
        REQUIRE(got <= 256);
        for (int i = 0; i < got; i++)
            REQUIRE(act[i] <= 1);
        if (pos == dlg->frames)
            break;
    }
    dd_analyzer_free(&a);
    REQUIRE(!a);

    ret = dd_renderer_create(&r, c->sample_rate, c->music_ch, c->p.spectral, al);
    got = written = 0;
    /* adaptive mode carves under the dialogue: no renderer without it */
    if (!created(ret, c->music_ch < 1 ||
                 c->p.spectral == DD_SPECTRAL_ADAPTIVE, r)) {
        free(kf);
        return 0;
    }
    REQUIRE(dd_renderer_set_keyframes(r, kf, nb_kf) == DD_OK);
    for (int ch = 0; ch < c->music_ch; ch++)
        out[ch] = calloc(c->block, sizeof(float));
    for (int pos = 0; pos < music->frames; pos += c->block) {
        int n = music->frames - pos < c->block ? music->frames - pos : c->block;
        double g = dd_renderer_gain_db(r, pos);

        REQUIRE(g <= 1e-9 && g >= DD_DEPTH_MIN - 1e-9);
        views(music, pos, mv);
        /* spectral mode: the output lags by the band's latency */
        got = dd_renderer_process(r, mv, out, n);
        REQUIRE(got >= 0 && got <= n && got + dd_renderer_latency(r) >= n);
        for (int ch = 0; ch < c->music_ch; ch++) {
            check_ducked(c, music->buf[ch] + written, out[ch], got);
            for (int i = 0; i < got; i++) {
                uint32_t b;
                memcpy(&b, &out[ch][i], 4);
                sum = (sum ^ b) * 1099511628211ull;
            }
        }
        written += got;
    }
    /* a second keyframe source is refused once a list is set */
    if (nb_kf)
        REQUIRE(dd_renderer_add_keyframe(r, &kf[0]) == DD_ERROR_STATE);
    dd_renderer_free(&r);
    REQUIRE(!r);
    for (int ch = 0; ch < c->music_ch; ch++)
        free(out[ch]);
    free(kf);
    return sum;
}

/* Renderer fed random keyframes one by one, the filter's way. */
static uint64_t run_renderer(const Config *c, Reader *rd, const Signal *music,
                             const DDAllocator *al)
{
    DDRenderer *r = NULL;
    DDKeyframe *kf = malloc(MAX_KF * sizeof(*kf));
    float *out[MAX_CH] = { 0 };
    const float *mv[MAX_CH] = { 0 };
    int nb = 0, next = 0, ret, got;
    int64_t t = 0, last_ok = INT64_MIN;
    uint64_t sum = 1469598103934665603ull;

    /* keyframes: time steps and gains from the remaining bytes */
    while (nb < MAX_KF && rd->left >= 3) {
        unsigned step = rd_u16(rd), g = rd_u8(rd);
        t += step & 0x8000 ? -(int64_t)(step & 0xff) : step;
        kf[nb].t = t;
        kf[nb].gain_db = g == 255 ? NAN : g == 254 ? INFINITY
                       : -(double)(g % 70) + (g & 1 ? 6.0 : 0.0);
        nb++;
    }
    ret = dd_renderer_create(&r, c->sample_rate, c->music_ch, c->p.spectral, al);
    if (!created(ret, c->sample_rate <= 0 || c->music_ch < 1 ||
                 c->p.spectral > 1 ||
                 (c->p.spectral && !rate_ok(c->sample_rate)), r)) {
        free(kf);
        return 0;
    }
    for (int ch = 0; ch < c->music_ch; ch++)
        out[ch] = calloc(c->block, sizeof(float));
    for (int pos = 0; pos < music->frames; pos += c->block) {
        int n = music->frames - pos < c->block ? music->frames - pos : c->block;

        /* add keyframes up to and including the first at or after the
         * block's end, as the API asks; refusals must be the right ones */
        while (next < nb) {
            ret = dd_renderer_add_keyframe(r, &kf[next]);
            if (!isfinite(kf[next].gain_db)) {
                REQUIRE(ret == DD_ERROR_INVAL);
            } else if (kf[next].t < (pos > dd_renderer_latency(r) ?
                                     pos - dd_renderer_latency(r) : 0)) {
                /* already rendered, or before the first sample */
                REQUIRE(ret == DD_ERROR_ORDER);
            } else if (ret == DD_ERROR_ORDER) {
                REQUIRE(kf[next].t < last_ok);
            } else if (ret == DD_ERROR_STATE) {
                break;                          /* window full: render on */
            } else {
                REQUIRE(ret == DD_OK);
                last_ok = kf[next].t;
            }
            next++;
            if (kf[next - 1].t >= pos + n && ret == DD_OK)
                break;
        }
        views(music, pos, mv);
        got = dd_renderer_process(r, mv, out, n);
        REQUIRE(got >= 0 && got <= n);
        for (int ch = 0; ch < c->music_ch; ch++)
            for (int i = 0; i < got; i++) {
                uint32_t b;
                /* gains up to +6 dB: finite for tame music (a NaN fed
                 * to the spectral filters stays in their state) */
                if (c->music_tame ||
                    (!c->p.spectral && fabsf(music->buf[ch][pos + i]) < 1e30f))
                    REQUIRE(isfinite(out[ch][i]));
                memcpy(&b, &out[ch][i], 4);
                sum = (sum ^ b) * 1099511628211ull;
            }
    }
    REQUIRE(dd_renderer_process(r, mv, out, -1) == DD_ERROR_INVAL);
    dd_renderer_free(&r);
    for (int ch = 0; ch < c->music_ch; ch++)
        free(out[ch]);
    free(kf);
    return sum;
}

/* ---------------------------------------------------------------- */
/* The 16-bit engine against the float one.                          */

/* A signal as interleaved s16 (NaN as 0), and back as float planes. */
static int16_t *signal_s16(const Signal *s, Signal *back)
{
    int16_t *x = calloc((size_t)(s->frames ? s->frames : 1) * s->channels,
                        sizeof(*x));

    back->channels = s->channels;
    back->frames = s->frames;
    for (int c = 0; c < s->channels; c++) {
        back->buf[c] = calloc(s->frames ? s->frames : 1, sizeof(float));
        for (int i = 0; i < s->frames; i++) {
            float v = s->buf[c][i];

            x[(size_t)i * s->channels + c] = v == v ? swr_s16(v) : 0;
            back->buf[c][i] = x[(size_t)i * s->channels + c] / 32768.0f;
        }
    }
    return x;
}

/* Each music channel gets one dialogue channel, at 1 (kind 1, the sum of
 * integers at unity gain) or at a gain under 1 (kind 2). */
static void make_mix(float *mix, int kind, int nm, int nd)
{
    for (int d = 0; d < nd; d++)
        for (int m = 0; m < nm; m++)
            mix[d * nm + m] = d == m % nd ? (kind == 1 ? 1.0f : 0.70710678f)
                                          : 0.0f;
}

/* The float engine on the same samples, each output sample converted to
 * s16 after the dialogue is added as the 16-bit engine adds it. */
static int reference_s16(const Config *c, const Signal *music,
                         const int16_t *d16, const float *mix, int16_t *ref)
{
    const int nm = c->music_ch, nd = c->dlg_ch;
    DDEngine *e = NULL;
    float *out[MAX_CH], *o[MAX_CH];
    const float *mv[MAX_CH];
    int w = 0, ret = 0;

    if (dd_engine_create(&e, &c->p, c->sample_rate, nm, nd, c->center,
                         NULL) < 0)
        return -1;
    for (int ch = 0; ch < nm; ch++)
        out[ch] = calloc(music->frames + 1, sizeof(float));
    for (int pos = 0; pos < music->frames && ret >= 0; pos += c->block) {
        int n = music->frames - pos < c->block ? music->frames - pos : c->block;

        views(music, pos, mv);
        for (int ch = 0; ch < nm; ch++)
            o[ch] = out[ch] + w;
        ret = dd_engine_process_s16(e, mv, d16 + (size_t)pos * nd, n, o);
        w += ret > 0 ? ret : 0;
    }
    for (int ch = 0; ch < nm; ch++)
        o[ch] = out[ch] + w;
    if (ret >= 0 && (ret = dd_engine_flush(e, o)) >= 0)
        w += ret;
    dd_engine_free(&e);
    for (int i = 0; i < w; i++)
        for (int m = 0; m < nm; m++) {
            float acc = out[m][i] * 32768.0f;

            for (int k = 0; mix && k < nd; k++)
                if (mix[k * nm + m] != 0.0f)
                    acc += mix[k * nm + m] * d16[(size_t)i * nd + k];
            ref[(size_t)i * nm + m] = swr_s16(acc / 32768.0f);
        }
    for (int ch = 0; ch < nm; ch++)
        free(out[ch]);
    return ret < 0 ? ret : w;
}

/* The 16-bit engine: counts, refusals, ducking that never raises a
 * sample, and the float engine's samples. */
static uint64_t run_pcm16(const Config *c, const Signal *music,
                          const Signal *dlg, const DDAllocator *al)
{
    const int nm = c->music_ch, nd = c->dlg_ch, frames = music->frames;
    float mix[MAX_CH * MAX_CH];
    Signal mf = { 0 }, df = { 0 };
    int16_t *m16, *d16, *out, *ref;
    DDEngine *e = NULL;
    int64_t written = 0;
    uint64_t sum = 1469598103934665603ull;
    int ret;

    if (c->mix && channels_ok(c))
        make_mix(mix, c->mix, nm, nd);
    ret = dd_engine_create_pcm16(&e, &c->p, c->sample_rate, nm, nd, c->center,
                                 c->mix ? mix : NULL, al);
    if (!created(ret, dd_params_check(&c->p) < 0 || !channels_ok(c) ||
                 c->p.spectral || !rate_ok(c->sample_rate) ||
                 c->center >= c->dlg_ch, e))
        return 0;
    m16 = signal_s16(music, &mf);
    d16 = signal_s16(dlg, &df);
    out = calloc((size_t)(frames + 1) * nm, sizeof(*out));
    ref = calloc((size_t)(frames + 1) * nm, sizeof(*ref));
    for (int pos = 0; pos < frames; pos += c->block) {
        int n = frames - pos < c->block ? frames - pos : c->block;

        ret = dd_engine_process_pcm16(e, m16 + (size_t)pos * nm,
                                      d16 + (size_t)pos * nd, n,
                                      out + written * nm);
        REQUIRE(ret >= 0 && ret <= n && written + ret <= pos + n);
        written += ret;
    }
    ret = dd_engine_flush_pcm16(e, out + written * nm);
    REQUIRE(ret >= 0 && ret <= dd_lookahead_samples(&c->p, c->sample_rate));
    written += ret;
    REQUIRE(written == frames);
    dd_engine_free(&e);
    for (int i = 0; !c->mix && i < frames * nm; i++)
        REQUIRE(abs(out[i]) <= abs(m16[i]));
    REQUIRE(reference_s16(c, &mf, d16, c->mix ? mix : NULL, ref) == frames);
    REQUIRE(!memcmp(out, ref, (size_t)frames * nm * sizeof(*out)));
    for (int i = 0; i < frames * nm; i++)
        sum = (sum ^ (uint16_t)out[i]) * 1099511628211ull;
    signal_free(&mf);
    signal_free(&df);
    free(m16);
    free(d16);
    free(out);
    free(ref);
    return sum;
}

static uint64_t run_once(const uint8_t *data, size_t size, int *leaks)
{
    Reader rd = { data, size };
    Config c;
    Signal music = { 0 }, dlg = { 0 };
    FaultAlloc fa = { 0 };
    DDAllocator hooks = { fault_alloc, fault_free, &fa };
    const DDAllocator *al;
    uint64_t sum = 0;
    int sr;

    read_config(&c, &rd);
    fa.fail_at = c.fail_at;
    current_fa = c.use_hooks ? &fa : NULL;
    al = c.use_hooks ? &hooks : NULL;
    sr = rate_ok(c.sample_rate) ? c.sample_rate : 48000;
    /* longer audio at low rates, same work per run */
    if ((int64_t)c.frames * (c.music_ch + c.dlg_ch + 1) > 2 * MAX_FRAMES)
        c.frames = 2 * MAX_FRAMES / (c.music_ch + c.dlg_ch + 1);
    signal_make(&dlg, &rd, c.dlg_ch, c.frames, sr, c.raw);
    signal_make(&music, &rd, c.music_ch, c.frames, sr, c.raw);
    c.music_tame = tame(&music);

    switch (c.mode) {
    case 0: sum = run_engine(&c, &music, &dlg, al); break;
    case 1: sum = run_two_pass(&c, &music, &dlg, al); break;
    case 2: sum = run_renderer(&c, &rd, &music, al); break;
    case 3: sum = run_pcm16(&c, &music, &dlg, al); break;
    }
    signal_free(&music);
    signal_free(&dlg);
    current_fa = NULL;
    *leaks = fa.live;
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int leaks1 = 0, leaks2 = 0;
    uint64_t a = run_once(data, size, &leaks1);
    uint64_t b = run_once(data, size, &leaks2);

    /* objects freed through the hooks must give back every allocation */
    REQUIRE(leaks1 == 0 && leaks2 == 0);
    /* deterministic: no clocks, randomness or uninitialised state */
    REQUIRE(a == b);
    return 0;
}
