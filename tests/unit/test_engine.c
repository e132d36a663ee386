/*
 * Unit tests of the engine on synthetic signals: onset timing against the
 * lookahead, hold bridging, fade shapes, relative depth, breaths, centre
 * channel detection, a stereo pair in opposite polarity, determinism,
 * s16 dialogue, allocation only at creation.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dialogueduck.h"
#include "dialogueduck_internal.h"

#define SR 48000
#define MAXCH 8

#define NOISE_SEED 12345
#include "test_noise.h"
#include "test_voice.h"

/* A voiced vowel-like sound (test_voice.h) at half its sum's scale. */
static double voiced(double t, double f0)
{
    return glide_voice(t, f0, 20) / 2.0;
}

typedef struct Phrase {
    double start, end; /* s */
    double level;      /* linear amplitude of the voice */
    double hiss;       /* s of unvoiced consonant before the voiced part */
} Phrase;

/* Dialogue: room tone plus phrases plus breaths (unvoiced bursts). */
static void make_dialogue(float *d, int n, const Phrase *ph, int nb_ph,
                          const double *breaths, int nb_breaths)
{
    for (int i = 0; i < n; i++) {
        double t = (double)i / SR, x = 0.0005 * noise();
        for (int p = 0; p < nb_ph; p++) {
            double s = ph[p].start, e = ph[p].end;
            if (t >= s && t < s + ph[p].hiss)
                x += ph[p].level * 0.3 * noise();
            else if (t >= s + ph[p].hiss && t < e)
                /* syllables: 4 Hz amplitude modulation, never silent */
                x += ph[p].level * voiced(t, 140.0) *
                     (0.6 + 0.4 * sin(2.0 * M_PI * 4.0 * (t - s)));
        }
        for (int b = 0; b < nb_breaths; b++) {
            double u = (t - breaths[b]) / 0.35;
            if (u >= 0.0 && u < 1.0)
                x += 0.08 * sin(M_PI * u) * noise();
        }
        d[i] = (float)x;
    }
}

static void fill(float *m, int n, float v)
{
    for (int i = 0; i < n; i++)
        m[i] = v;
}

/* Run the engine over whole buffers in blocks; out[c] gets n samples. */
static int run_engine(const DDParams *p, float **music, int mch,
                      float **dlg, int dch, int center, int n, int block,
                      float **out)
{
    DDEngine *e;
    int pos = 0, written = 0, ret;
    const float *mv[MAXCH], *dv[MAXCH];
    float *ov[MAXCH];

    if ((ret = dd_engine_create(&e, p, SR, mch, dch, center, NULL)) < 0)
        return ret;
    while (pos < n) {
        int k = n - pos < block ? n - pos : block;
        for (int c = 0; c < mch; c++) {
            mv[c] = music[c] + pos;
            ov[c] = out[c] + written;
        }
        for (int c = 0; c < dch; c++)
            dv[c] = dlg[c] + pos;
        ret = dd_engine_process(e, mv, dv, k, ov);
        if (ret < 0)
            break;
        written += ret;
        pos += k;
    }
    if (ret >= 0) {
        for (int c = 0; c < mch; c++)
            ov[c] = out[c] + written;
        ret = dd_engine_flush(e, ov);
        written += ret;
    }
    dd_engine_free(&e);
    return ret < 0 ? ret : written;
}

static double db_at(const float *out, const float *in, int i)
{
    return 20.0 * log10(fabs(out[i] / in[i]));
}

static void test_params(void)
{
    DDParams p;

    dd_params_default(&p);
    CHECK(dd_params_check(&p) == DD_OK, "defaults valid");
    p.depth = 3.0;
    CHECK(dd_params_check(&p) == DD_ERROR_INVAL, "positive depth rejected");
    dd_params_default(&p);
    p.attack = NAN;
    CHECK(dd_params_check(&p) == DD_ERROR_INVAL, "NaN attack rejected");
    dd_params_default(&p);
    p.lookahead = DD_LOOKAHEAD_MAX + 0.1;
    CHECK(dd_params_check(&p) == DD_ERROR_INVAL, "lookahead over range");
}

/* The fade-down ends by the first syllable, starts attack before it, and
 * never steps faster than the fade allows. */
static void test_onset_and_fades(void)
{
    int n = SR * 8;
    float *m = malloc(n * sizeof(float)), *d = malloc(n * sizeof(float));
    float *o = malloc(n * sizeof(float));
    Phrase ph = { 3.0, 5.0, 0.1, 0.08 };
    DDParams p;
    int w, onset = (int)(3.0 * SR), lead, end_ok = 1, max_step_ok = 1;
    double max_step = 0.0, allowed;

    dd_params_default(&p);
    fill(m, n, 0.5f);
    make_dialogue(d, n, &ph, 1, NULL, 0);
    w = run_engine(&p, &m, 1, &d, 1, -1, n, 4096, &o);
    CHECK(w == n, "engine wrote %d of %d samples", w, n);

    /* at the first (unvoiced) syllable the music is at depth */
    CHECK(fabs(db_at(o, m, onset) - p.depth) < 0.01,
          "gain at onset %.2f dB, want %.1f", db_at(o, m, onset), p.depth);
    /* the fade starts no earlier than attack + pre-roll before the onset */
    lead = (int)((p.attack + DD_PREROLL_S) * SR);
    CHECK(fabs(db_at(o, m, onset - lead)) < 0.01,
          "music untouched before the fade: %.2f dB",
          db_at(o, m, onset - lead));
    /* the fade starts at most 30 ms earlier than needed */
    CHECK(db_at(o, m, onset - lead + SR / 50 + SR / 100) < -0.1,
          "fade under way 10 ms into the attack");

    allowed = -p.depth / (p.attack * SR) * 1.01; /* float rounding */
    for (int i = 1; i < n; i++) {
        double step = fabs(db_at(o, m, i) - db_at(o, m, i - 1));
        if (step > max_step)
            max_step = step;
    }
    max_step_ok = max_step <= allowed;
    CHECK(max_step_ok, "largest gain step %.5f dB/sample, fade allows %.5f",
          max_step, allowed);

    /* music comes back fully after the line: hold + release + margin */
    for (int i = (int)((5.0 + p.hold + p.release + 0.4) * SR); i < n; i++)
        if (o[i] != m[i])
            end_ok = 0;
    CHECK(end_ok, "music restored bit-exact after the release");
    /* still down through the hold after the last word */
    CHECK(fabs(db_at(o, m, (int)((5.0 + p.hold * 0.5) * SR)) - p.depth) < 0.01,
          "music held down after the line");
    free(m);
    free(d);
    free(o);
}

/* Short pauses are bridged; long ones let the music back up. */
static void test_hold(void)
{
    int n = SR * 14;
    float *m = malloc(n * sizeof(float)), *d = malloc(n * sizeof(float));
    float *o = malloc(n * sizeof(float));
    Phrase ph[] = {
        { 1.0, 3.0, 0.1, 0.0 }, { 3.4, 5.0, 0.1, 0.0 }, /* 0.4 s pause */
        { 9.0, 11.0, 0.1, 0.0 },                        /* 4 s later */
    };
    DDParams p;
    double worst_pause = -100.0;

    dd_params_default(&p);
    fill(m, n, 0.5f);
    make_dialogue(d, n, ph, 3, NULL, 0);
    run_engine(&p, &m, 1, &d, 1, -1, n, 1000, &o);
    for (int i = (int)(3.0 * SR); i < (int)(3.4 * SR); i++)
        if (db_at(o, m, i) > worst_pause)
            worst_pause = db_at(o, m, i);
    CHECK(worst_pause < p.depth + 0.01, "pause of 0.4 s bridged (max %.2f dB)",
          worst_pause);
    CHECK(fabs(db_at(o, m, (int)(7.5 * SR))) < 0.01,
          "music back between lines 4 s apart: %.2f dB",
          db_at(o, m, (int)(7.5 * SR)));
    CHECK(fabs(db_at(o, m, (int)(10.0 * SR)) - p.depth) < 0.01,
          "third line ducked");
    free(m);
    free(d);
    free(o);
}

/* Breaths and noise bursts over room tone do not duck the music. */
static void test_breaths(void)
{
    int n = SR * 8;
    float *m = malloc(n * sizeof(float)), *d = malloc(n * sizeof(float));
    float *o = malloc(n * sizeof(float));
    double breaths[] = { 1.0, 2.5, 4.0, 6.0 };
    DDParams p;
    double lowest = 0.0;

    dd_params_default(&p);
    fill(m, n, 0.5f);
    make_dialogue(d, n, NULL, 0, breaths, 4);
    run_engine(&p, &m, 1, &d, 1, -1, n, 4096, &o);
    for (int i = 0; i < n; i++)
        if (db_at(o, m, i) < lowest)
            lowest = db_at(o, m, i);
    CHECK(lowest > -0.01, "breaths pulled the music to %.2f dB", lowest);
    free(m);
    free(d);
    free(o);
}

/* Relative depth: the ducked music sits `below` LU under the dialogue. */
static void test_relative_depth(void)
{
    int n = SR * 10, start = (int)(4.0 * SR), end = (int)(7.0 * SR);
    float *m = malloc(n * sizeof(float)), *d = malloc(n * sizeof(float));
    float *o = malloc(n * sizeof(float));
    Phrase ph = { 2.0, 8.0, 0.1, 0.0 };
    DDParams p;
    double em = 0.0, ed = 0.0, eo = 0.0, got, want;

    dd_params_default(&p);
    p.below = 6.0;
    p.depth = -40.0;
    for (int i = 0; i < n; i++)
        m[i] = (float)(0.3 * sin(2.0 * M_PI * 1000.0 * i / SR));
    /* a 1 kHz tone is K-weighted like the voice's harmonics near 1 kHz;
     * compare plain energies of the tone-like dialogue and music. */
    make_dialogue(d, n, &ph, 1, NULL, 0);
    run_engine(&p, &m, 1, &d, 1, -1, n, 4096, &o);
    for (int i = start; i < end; i++) {
        em += (double)m[i] * m[i];
        eo += (double)o[i] * o[i];
        ed += (double)d[i] * d[i];
    }
    got = 10.0 * log10(eo / em);
    want = 10.0 * log10(ed / em) - p.below;
    /* K-weighting lifts the voice's upper harmonics a little: 2 dB */
    CHECK(fabs(got - want) < 2.0, "relative depth %.2f dB, want %.2f +-2",
          got, want);
    CHECK(got > p.depth + 1.0, "relative depth not clamped to depth");
    free(m);
    free(d);
    free(o);
}

/* 5.1 dialogue: detect from the centre; 7.1 music ducked on every channel. */
static void test_centre_channel(void)
{
    int n = SR * 6, dch = 6, mch = 8;
    float *m[MAXCH], *d[MAXCH], *o[MAXCH];
    Phrase ph = { 2.0, 4.0, 0.1, 0.0 };
    DDParams p;
    int ok = 1;

    dd_params_default(&p);
    for (int c = 0; c < mch; c++) {
        m[c] = malloc(n * sizeof(float));
        o[c] = malloc(n * sizeof(float));
        fill(m[c], n, 0.25f);
    }
    for (int c = 0; c < dch; c++) {
        d[c] = calloc(n, sizeof(float));
        if (c == 2)
            make_dialogue(d[c], n, &ph, 1, NULL, 0);
    }
    run_engine(&p, m, mch, d, dch, 2, n, 2048, o);
    for (int c = 0; c < mch; c++)
        if (fabs(db_at(o[c], m[c], 3 * SR) - p.depth) > 0.01)
            ok = 0;
    CHECK(ok, "all 8 music channels ducked from the 5.1 centre");
    for (int c = 0; c < mch; c++) {
        free(m[c]);
        free(o[c]);
    }
    for (int c = 0; c < dch; c++)
        free(d[c]);
}

/* The duck regions of n samples of dialogue (dch float planes, or
 * interleaved s16 when d16 is set), fed in blocks of `block`. */
static int read_regions(float **d, const int16_t *d16, int dch, int n,
                        int block, DDRegion *r, int max)
{
    DDParams p;
    DDAnalyzer *a;
    const float *dv[MAXCH];
    int nb;

    dd_params_default(&p);
    if (dd_analyzer_create(&a, &p, SR, dch, -1, 0, NULL) < 0)
        return -1;
    for (int pos = 0; pos < n; pos += block) {
        int k = n - pos < block ? n - pos : block;

        for (int c = 0; c < dch; c++)
            dv[c] = d[c] + pos;
        if (d16)
            dd_analyzer_feed_dialogue_s16(a, d16 + (size_t)pos * dch, k);
        else
            dd_analyzer_feed_dialogue(a, dv, k);
    }
    dd_analyzer_finish(a);
    nb = dd_analyzer_read_regions(a, r, max);
    dd_analyzer_free(&a);
    return nb;
}

/* A stereo dialogue whose channels run in opposite polarity (a
 * microphone wired the wrong way round): their mean is silence, and no
 * line was found. Read on their difference, its regions are those of
 * its left channel alone (two lines, 2-4 s and 5.5-7 s), as float planes
 * in blocks of 1000 and as s16 in blocks of 333 alike. */
static void test_antiphase_pair(void)
{
    static const Phrase ph[] = { { 2.0, 4.0, 0.1, 0.0 },
                                 { 5.5, 7.0, 0.1, 0.0 } };
    int n = SR * 9, nb1, nb2, nb16, same = 1;
    float *d[2] = { malloc(n * sizeof(float)), malloc(n * sizeof(float)) };
    int16_t *d16 = malloc((size_t)n * 2 * sizeof(*d16));
    DDRegion r1[8], r2[8], r16[8];

    make_dialogue(d[0], n, ph, 2, NULL, 0);
    for (int i = 0; i < n; i++) {
        d[0][i] = roundf(d[0][i] * 32768.0f) / 32768.0f;
        d[1][i] = -d[0][i];
        d16[2 * i] = (int16_t)(d[0][i] * 32768.0f);
        d16[2 * i + 1] = (int16_t)(d[1][i] * 32768.0f);
    }
    nb1 = read_regions(d, NULL, 1, n, 1000, r1, 8);
    nb2 = read_regions(d, NULL, 2, n, 1000, r2, 8);
    nb16 = read_regions(d, d16, 2, n, 333, r16, 8);
    for (int i = 0; i < nb1 && i < nb2 && i < nb16; i++)
        same &= r1[i].start == r2[i].start && r1[i].end == r2[i].end &&
                r2[i].start == r16[i].start && r2[i].end == r16[i].end;
    CHECK(nb1 == 2, "%d regions in the left channel's two lines", nb1);
    CHECK(nb2 == nb1 && nb16 == nb1 && same, "a stereo pair in opposite "
          "polarity: %d regions as planes, %d as s16, %d in its left "
          "channel (%s)", nb2, nb16, nb1, same ? "same" : "other");
    free(d[0]);
    free(d[1]);
    free(d16);
}

/* Same input, any block size, streaming or two-pass: the same output. */
static void test_determinism(void)
{
    int n = SR * 12;
    float *m[2], *d = malloc(n * sizeof(float)), *o1[2], *o2[2], *o3[2];
    Phrase ph[] = { { 1.0, 2.5, 0.1, 0.05 }, { 3.7, 6.0, 0.05, 0.0 },
                    { 7.2, 9.0, 0.2, 0.1 } };
    DDParams p;
    DDAnalyzer *a;
    DDRenderer *r;
    DDKeyframe kf[256];
    int nkf = 0, same = 1;
    double maxdiff = 0.0;

    dd_params_default(&p);
    p.spectral = 0;
    for (int c = 0; c < 2; c++) {
        m[c] = malloc(n * sizeof(float));
        o1[c] = malloc(n * sizeof(float));
        o2[c] = malloc(n * sizeof(float));
        o3[c] = malloc(n * sizeof(float));
        for (int i = 0; i < n; i++)
            m[c][i] = (float)(0.2 * noise());
    }
    make_dialogue(d, n, ph, 3, NULL, 0);
    run_engine(&p, m, 2, &d, 1, -1, n, 4096, o1);
    run_engine(&p, m, 2, &d, 1, -1, n, 333, o2);
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < n; i++)
            if (o1[c][i] != o2[c][i]) {
                if (same && getenv("DD_DEBUG"))
                    fprintf(stderr, "first difference at %d: %g %g (in %g)\n",
                            i, o1[c][i], o2[c][i], m[c][i]);
                same = 0;
            }
    CHECK(same, "block size changes nothing");

    /* two-pass: analyze everything, render from the final keyframe list */
    dd_analyzer_create(&a, &p, SR, 1, -1, 0, NULL);
    for (int pos = 0; pos < n; pos += 4800) {
        const float *dv[1] = { d + pos };
        int k = n - pos < 4800 ? n - pos : 4800;
        dd_analyzer_feed_dialogue(a, dv, k);
        nkf += dd_analyzer_read_keyframes(a, kf + nkf, 256 - nkf);
    }
    dd_analyzer_finish(a);
    nkf += dd_analyzer_read_keyframes(a, kf + nkf, 256 - nkf);
    dd_analyzer_free(&a);
    if (getenv("DD_DEBUG"))
        for (int i = 0; i < nkf; i++)
            fprintf(stderr, "kf %lld %.2f\n", (long long)kf[i].t, kf[i].gain_db);
    CHECK(nkf > 0 && nkf <= 4 * 3, "%d keyframes for 3 lines (at most 12)", nkf);
    dd_renderer_create(&r, SR, 2, 0, NULL);
    dd_renderer_set_keyframes(r, kf, nkf);
    dd_renderer_process(r, (const float *const *)m, o3, n);
    dd_renderer_free(&r);
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < n; i++)
            if (fabs(o3[c][i] - o1[c][i]) > maxdiff)
                maxdiff = fabs(o3[c][i] - o1[c][i]);
    CHECK(maxdiff < 3e-5, "two-pass render differs by %g (under -90 dBFS)",
          maxdiff);
    for (int c = 0; c < 2; c++) {
        free(m[c]);
        free(o1[c]);
        free(o2[c]);
        free(o3[c]);
    }
    free(d);
}

/* Allocation happens only at creation: memory is flat in duration. */
/* The engine in place, as the FFmpeg filter runs it: each block of music
 * is ducked in its own buffer (out == music); the output equals that of
 * separate buffers, in every mode. */
static int run_in_place(const DDParams *p, float **music, float **dlg, int n,
                        int block, float **out)
{
    DDEngine *e;
    float *buf[2], *ov[2];
    const float *dv[1];
    int pos = 0, written = 0, ret = 0;

    if (dd_engine_create(&e, p, SR, 2, 1, -1, NULL) < 0)
        return -1;
    for (int c = 0; c < 2; c++)
        buf[c] = malloc(block * sizeof(float));
    for (; pos < n && ret >= 0; pos += block) {
        int k = n - pos < block ? n - pos : block;
        for (int c = 0; c < 2; c++)
            memcpy(buf[c], music[c] + pos, k * sizeof(float));
        dv[0] = dlg[0] + pos;
        ret = dd_engine_process(e, (const float *const *)buf, dv, k, buf);
        for (int c = 0; ret > 0 && c < 2; c++)
            memcpy(out[c] + written, buf[c], ret * sizeof(float));
        written += ret > 0 ? ret : 0;
    }
    for (int c = 0; c < 2; c++)
        ov[c] = out[c] + written;
    if (ret >= 0)
        written += dd_engine_flush(e, ov);
    dd_engine_free(&e);
    for (int c = 0; c < 2; c++)
        free(buf[c]);
    return ret < 0 ? -1 : written;
}

static void test_in_place(void)
{
    int n = SR * 6;
    float *m[2], *d = malloc(n * sizeof(float)), *o1[2], *o2[2];
    Phrase ph[] = { { 1.0, 2.5, 0.1, 0.05 }, { 3.2, 5.0, 0.05, 0.0 } };
    DDParams p;

    for (int c = 0; c < 2; c++) {
        m[c] = malloc(n * sizeof(float));
        o1[c] = malloc(n * sizeof(float));
        o2[c] = malloc(n * sizeof(float));
        for (int i = 0; i < n; i++)
            m[c][i] = (float)(0.2 * noise());
    }
    make_dialogue(d, n, ph, 2, NULL, 0);
    for (int mode = DD_SPECTRAL_OFF; mode <= DD_SPECTRAL_ADAPTIVE; mode++) {
        int w1, w2, same = 1;

        dd_params_default(&p);
        p.spectral = mode;
        w1 = run_engine(&p, m, 2, &d, 1, -1, n, 4096, o1);
        w2 = run_in_place(&p, m, &d, n, 1000, o2);
        for (int c = 0; c < 2 && w1 == n && w2 == n; c++)
            same &= !memcmp(o1[c], o2[c], n * sizeof(float));
        CHECK(w1 == n && w2 == n && same,
              "spectral=%d in place: %d and %d samples, %s", mode, w1, w2,
              same ? "same" : "different");
    }
    for (int c = 0; c < 2; c++) {
        free(m[c]);
        free(o1[c]);
        free(o2[c]);
    }
    free(d);
}

/* The detection signal made from s16 equals the one made from the same
 * samples as float planes, to the bit: random samples and full scale,
 * every way of making it (one channel, the centre, a mean by
 * multiplication and by division), up to DD_S16_CHANNELS_MAX channels. */
static void test_s16_mono(void)
{
    static const int layouts[][2] = { /* channels, centre */
        { 1, -1 }, { 2, -1 }, { 3, -1 }, { 4, -1 }, { 5, -1 }, { 6, 2 },
        { 6, -1 }, { 8, -1 }, { DD_S16_CHANNELS_MAX - 1, -1 },
        { DD_S16_CHANNELS_MAX, -1 },
    };
    const int n = 2000;
    int16_t *di = malloc((size_t)n * DD_S16_CHANNELS_MAX * sizeof(*di));
    float **dp = malloc(DD_S16_CHANNELS_MAX * sizeof(*dp));
    float *x1 = malloc(n * sizeof(float)), *x2 = malloc(n * sizeof(float));
    DDParams p;

    dd_params_default(&p);
    for (int c = 0; c < DD_S16_CHANNELS_MAX; c++)
        dp[c] = malloc(n * sizeof(float));
    for (int l = 0; l < (int)(sizeof(layouts) / sizeof(layouts[0])); l++) {
        const int nd = layouts[l][0], center = layouts[l][1];
        DDAnalyzer *a;
        int same;

        for (int i = 0; i < n; i++)
            for (int c = 0; c < nd; c++) {
                /* the first 100 samples at the ends of the range */
                int v = i < 50 ? -32768 : i < 100 ? 32767 :
                        (int)(noise() * 32768.0) >> (i % 16);
                di[(size_t)i * nd + c] = (int16_t)v;
                dp[c][i] = v / 32768.0f;
            }
        if (dd_analyzer_create(&a, &p, SR, nd, center, 0, NULL) < 0)
            break;
        dd_analyzer_mono(a, (const float *const *)dp, 0, n, x1);
        dd_analyzer_mono_s16(a, di, n, x2);
        same = !memcmp(x1, x2, n * sizeof(float));
        CHECK(same, "%d channels (centre %d): the s16 detection signal differs",
              nd, center);
        dd_analyzer_free(&a);
    }
    for (int c = 0; c < DD_S16_CHANNELS_MAX; c++)
        free(dp[c]);
    free(dp);
    free(di);
    free(x1);
    free(x2);
}

/* Interleaved s16 dialogue (dd_engine_process_s16) gives the output of
 * its float planes (x / 32768), for every way the detection signal is
 * made: one channel, the centre, the mean of a power of two of channels
 * (a multiplication) and of three (a division), full-scale samples
 * included. Adaptive mode, whose carver reads planes, refuses it. */
static void test_s16_dialogue(void)
{
    static const int layouts[][2] = { /* channels, centre */
        { 1, -1 }, { 2, -1 }, { 3, -1 }, { 4, -1 }, { 6, 2 },
    };
    const int n = SR * 5, block = 1000;
    Phrase ph[] = { { 0.8, 2.4, 0.3, 0.05 }, { 3.0, 4.5, 0.05, 0.0 } };
    float *m[2], *o1[2], *o2[2], *d = malloc(n * sizeof(float)), *dp[MAXCH];
    int16_t *di = malloc((size_t)n * MAXCH * sizeof(*di));
    DDParams p;
    DDEngine *e;

    dd_params_default(&p);
    make_dialogue(d, n, ph, 2, NULL, 0);
    for (int c = 0; c < 2; c++) {
        m[c] = malloc(n * sizeof(float));
        o1[c] = malloc(n * sizeof(float));
        o2[c] = malloc(n * sizeof(float));
        fill(m[c], n, 0.25f);
    }
    for (int c = 0; c < MAXCH; c++)
        dp[c] = malloc(n * sizeof(float));
    for (int l = 0; l < (int)(sizeof(layouts) / sizeof(layouts[0])); l++) {
        const int nd = layouts[l][0], center = layouts[l][1];
        int w1, w2 = 0, pos, ret = 0, same = 1;

        for (int i = 0; i < n; i++)
            for (int c = 0; c < nd; c++) {
                /* each channel its own level; channel 1 clips (its sums
                 * reach the ends of the 16-bit range) */
                long v = lrint(d[i] * 32768.0 * (c == 1 ? 12.0 : 1.0 / (c + 1)));
                v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
                di[(size_t)i * nd + c] = (int16_t)v;
                dp[c][i] = v / 32768.0f;
            }
        w1 = run_engine(&p, m, 2, dp, nd, center, n, block, o1);
        if (dd_engine_create(&e, &p, SR, 2, nd, center, NULL) < 0)
            break;
        for (pos = 0; pos < n && ret >= 0; pos += block) {
            const float *mv[2] = { m[0] + pos, m[1] + pos };
            float *ov[2] = { o2[0] + w2, o2[1] + w2 };
            int k = n - pos < block ? n - pos : block;

            ret = dd_engine_process_s16(e, mv, di + (size_t)pos * nd, k, ov);
            w2 += ret > 0 ? ret : 0;
        }
        if (ret >= 0) {
            float *ov[2] = { o2[0] + w2, o2[1] + w2 };
            w2 += dd_engine_flush(e, ov);
        }
        dd_engine_free(&e);
        for (int c = 0; c < 2 && w1 == n && w2 == n; c++)
            same &= !memcmp(o1[c], o2[c], n * sizeof(float));
        CHECK(ret >= 0 && w1 == n && w2 == n && same,
              "%d dialogue channels (centre %d) as s16: %d and %d samples, %s",
              nd, center, w1, w2, same ? "same" : "different");
        /* equal outputs prove little unless the dialogue ducked them */
        CHECK(w1 == n && o1[0][(int)(1.5 * SR)] < 0.25f * 0.5f,
              "%d dialogue channels (centre %d): the music was not ducked",
              nd, center);
    }
    p.spectral = DD_SPECTRAL_ADAPTIVE;
    if (dd_engine_create(&e, &p, SR, 2, 1, -1, NULL) == DD_OK) {
        const float *mv[2] = { m[0], m[1] };

        CHECK(dd_engine_process_s16(e, mv, di, block, o2) == DD_ERROR_INVAL,
              "adaptive mode takes no s16 dialogue");
        dd_engine_free(&e);
    }
    for (int c = 0; c < 2; c++) {
        free(m[c]);
        free(o1[c]);
        free(o2[c]);
    }
    for (int c = 0; c < MAXCH; c++)
        free(dp[c]);
    free(d);
    free(di);
}

static size_t alloc_calls, alloc_bytes;

static void *count_alloc(void *opaque, size_t size)
{
    (void)opaque;
    alloc_calls++;
    alloc_bytes += size;
    return calloc(1, size);
}

static void count_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static void test_memory_flat(void)
{
    DDAllocator al = { count_alloc, count_free, NULL };
    DDParams p;
    DDEngine *e;
    int block = 4800;
    float *m = malloc(block * sizeof(float)), *d = malloc(block * sizeof(float));
    float *o = malloc(block * sizeof(float));
    const float *mv[1] = { m }, *dv[1] = { d };
    float *ov[1] = { o };
    size_t calls_after_create;
    Phrase ph = { 0.02, 0.08, 0.1, 0.0 };

    dd_params_default(&p);
    p.below = 10.0;
    p.spectral = 1;
    dd_engine_create(&e, &p, SR, 1, 1, -1, &al);
    calls_after_create = alloc_calls;
    fill(m, block, 0.3f);
    /* ten minutes of alternating speech and silence */
    for (int i = 0; i < 600 * 10; i++) {
        if (i % 20 < 10)
            make_dialogue(d, block, &ph, 1, NULL, 0);
        else
            make_dialogue(d, block, NULL, 0, NULL, 0);
        dd_engine_process(e, mv, dv, block, ov);
    }
    CHECK(alloc_calls == calls_after_create,
          "%zu allocations while processing", alloc_calls - calls_after_create);
    CHECK(alloc_bytes < 4 << 20, "engine state %zu bytes", alloc_bytes);
    dd_engine_free(&e);
    free(m);
    free(d);
    free(o);
}

static void test_renderer_order(void)
{
    DDRenderer *r;
    DDKeyframe a = { 1000, -6.0 }, b = { 500, 0.0 };

    dd_renderer_create(&r, SR, 1, 0, NULL);
    CHECK(dd_renderer_add_keyframe(r, &a) == DD_OK, "first keyframe");
    CHECK(dd_renderer_add_keyframe(r, &b) == DD_ERROR_ORDER,
          "keyframe out of order rejected");
    CHECK(fabs(dd_renderer_gain_db(r, 2000) + 6.0) < 1e-9, "gain held");
    dd_renderer_free(&r);
}

/* Fades: the gain of every sample within 0.001 dB of the exact line in
 * dB, and the same whatever the blocks (a block starting between the
 * samples where the fade's exp() is taken), in place or not. */
static void test_renderer_fade(void)
{
    static const int blocks[] = { 1, 97, 255, 256, 257, 4096 };
    const DDKeyframe kf[] = { { 1000, 0.0 }, { 1000 + SR / 5, -18.0 },
                              { SR * 2, -18.0 }, { SR * 12, 0.0 },
                              { SR * 12 + 700, -3.0 } };
    int n = SR * 13, nkf = 5, same = 1;
    float *in = malloc(n * sizeof(float)), *ref = malloc(n * sizeof(float));
    float *o = malloc(n * sizeof(float));
    double worst = 0.0;
    DDRenderer *r;

    for (int i = 0; i < n; i++)
        in[i] = 1.0f;
    dd_renderer_create(&r, SR, 1, 0, NULL);
    dd_renderer_set_keyframes(r, kf, nkf);
    dd_renderer_process(r, (const float *const *)&in, &ref, n);
    dd_renderer_free(&r);
    for (int i = 0; i < n; i++) {
        double e = fabs(20.0 * log10(ref[i]) - dd_envelope_db(NULL, kf, nkf, i));
        if (e > worst)
            worst = e;
    }
    CHECK(worst < 0.001, "fade within %.2g dB of the line in dB", worst);
    for (int k = 0; k < (int)(sizeof(blocks) / sizeof(*blocks)); k++) {
        dd_renderer_create(&r, SR, 1, 0, NULL);
        for (int i = 0; i < nkf; i++)
            dd_renderer_add_keyframe(r, &kf[i]);
        memcpy(o, in, n * sizeof(float));
        for (int pos = 0; pos < n; pos += blocks[k]) {
            float *v = o + pos;
            int m = n - pos < blocks[k] ? n - pos : blocks[k];
            dd_renderer_process(r, (const float *const *)&v, &v, m);
        }
        dd_renderer_free(&r);
        if (memcmp(o, ref, n * sizeof(float)))
            same = 0;
    }
    CHECK(same, "fades the same in blocks of 1 to 4096 samples");
    free(in);
    free(ref);
    free(o);
}

int main(void)
{
    test_params();
    test_onset_and_fades();
    test_hold();
    test_breaths();
    test_relative_depth();
    test_centre_channel();
    test_antiphase_pair();
    test_determinism();
    test_in_place();
    test_s16_mono();
    test_s16_dialogue();
    test_memory_flat();
    test_renderer_order();
    test_renderer_fade();
    return check_summary();
}
