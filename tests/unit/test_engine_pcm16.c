/*
 * Unit tests of the pcm16 engine (dd_engine_create_pcm16): interleaved s16
 * music and dialogue in, s16 or float planes out, equal sample for sample
 * to the float engine on the same samples divided by 32768 (its output
 * converted to s16 as libswresample converts float), ducked in place as
 * the filter does it, for fixed and relative depth, music layouts of one
 * to three channels and blocks that wrap the delay line anywhere.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dialogueduck.h"

#define SR 48000
#define MAXCH 3

static unsigned rng_state = 777;

static double noise(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (double)(rng_state >> 8) / (1 << 24) * 2.0 - 1.0;
}

static int16_t clip16(long v)
{
    return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}

/* libswresample's float to s16: x * 32768 rounded to nearest, clipped. */
static int16_t swr_s16(float v)
{
    return clip16(lrintf(v * 32768.0f));
}

/* Dialogue: room tone and two lines of a voice whose pitch moves, with a
 * syllabic rhythm, interleaved on nd channels at their own levels. */
static void make_dialogue(int16_t *d, int n, int nd)
{
    static const double line[][2] = { { 0.8, 2.4 }, { 3.1, 4.4 } };

    for (int i = 0; i < n; i++) {
        double t = (double)i / SR, x = 0.0005 * noise();

        for (int l = 0; l < 2; l++)
            if (t >= line[l][0] && t < line[l][1]) {
                double ph = 2.0 * M_PI * 140.0 * (t - 0.08 / (2.0 * M_PI * 3.0) *
                                                  cos(2.0 * M_PI * 3.0 * t));
                double v = 0.0;

                for (int k = 1; k <= 20; k++)
                    v += sin(k * ph) / k;
                x += 0.15 * v * (0.6 + 0.4 * sin(2.0 * M_PI * 4.0 * (t - line[l][0])));
            }
        for (int c = 0; c < nd; c++)
            d[(size_t)i * nd + c] = clip16(lrint(x * 32768.0 / (c + 1)));
    }
}

/* Music: a loud chord, full-scale samples of both signs every 1000th
 * sample (the ends of the range must survive the gain and the clip), and
 * exact zeros for a stretch. */
static void make_music(int16_t *m, int n, int nm)
{
    for (int i = 0; i < n; i++)
        for (int c = 0; c < nm; c++) {
            double t = (double)i / SR;
            long v = lrint(20000.0 * sin(2.0 * M_PI * (220.0 + 110.0 * c) * t) +
                           9000.0 * noise());

            if (i % 1000 == 0)
                v = c & 1 ? 32767 : -32768;
            if (i > 2 * SR && i < 2 * SR + 4800)
                v = 0;
            m[(size_t)i * nm + c] = clip16(v);
        }
}

/* The float engine on m / 32768 and the s16 dialogue: its float output. */
static int run_float(const DDParams *p, const int16_t *m, const int16_t *d,
                     int nm, int nd, int n, int block, float **out)
{
    float *mp[MAXCH];
    const float *mv[MAXCH];
    float *ov[MAXCH];
    DDEngine *e;
    int w = 0, ret = 0;

    if (dd_engine_create(&e, p, SR, nm, nd, -1, NULL) < 0)
        return -1;
    for (int c = 0; c < nm; c++) {
        mp[c] = malloc(n * sizeof(float));
        for (int i = 0; i < n; i++)
            mp[c][i] = m[(size_t)i * nm + c] / 32768.0f;
    }
    for (int pos = 0; pos < n && ret >= 0; pos += block) {
        int k = n - pos < block ? n - pos : block;

        for (int c = 0; c < nm; c++) {
            mv[c] = mp[c] + pos;
            ov[c] = out[c] + w;
        }
        ret = dd_engine_process_s16(e, mv, d + (size_t)pos * nd, k, ov);
        w += ret > 0 ? ret : 0;
    }
    for (int c = 0; c < nm; c++)
        ov[c] = out[c] + w;
    if (ret >= 0 && (ret = dd_engine_flush(e, ov)) >= 0)
        w += ret;
    dd_engine_free(&e);
    for (int c = 0; c < nm; c++)
        free(mp[c]);
    return ret < 0 ? ret : w;
}

/* The pcm16 engine, each block ducked in place in a copy of the music
 * (as the filter ducks the music frame), its output appended to out16; or,
 * with out16 NULL, to the float planes out. */
static int run_pcm16(const DDParams *p, const int16_t *m, const int16_t *d,
                     int nm, int nd, int n, int block, int16_t *out16,
                     float **out)
{
    int16_t *blk = malloc((size_t)block * nm * sizeof(*blk));
    float *ov[MAXCH];
    DDEngine *e;
    int w = 0, ret = 0;

    if (dd_engine_create_pcm16(&e, p, SR, nm, nd, -1, NULL) < 0) {
        free(blk);
        return -1;
    }
    for (int pos = 0; pos < n && ret >= 0; pos += block) {
        int k = n - pos < block ? n - pos : block;

        memcpy(blk, m + (size_t)pos * nm, (size_t)k * nm * sizeof(*blk));
        for (int c = 0; !out16 && c < nm; c++)
            ov[c] = out[c] + w;
        ret = dd_engine_process_pcm16(e, blk, d + (size_t)pos * nd, k,
                                      out16 ? blk : NULL, ov);
        if (ret > 0 && out16)
            memcpy(out16 + (size_t)w * nm, blk, (size_t)ret * nm * sizeof(*blk));
        w += ret > 0 ? ret : 0;
    }
    for (int c = 0; !out16 && c < nm; c++)
        ov[c] = out[c] + w;
    if (ret >= 0 &&
        (ret = dd_engine_flush_pcm16(e, out16 ? out16 + (size_t)w * nm : NULL,
                                     ov)) >= 0)
        w += ret;
    dd_engine_free(&e);
    free(blk);
    return ret < 0 ? ret : w;
}

/* Samples of out16 that differ from the float output converted. */
static long s16_mismatches(const int16_t *out16, float **ref, int nm, int n)
{
    long bad = 0;

    for (int i = 0; i < n; i++)
        for (int c = 0; c < nm; c++)
            bad += out16[(size_t)i * nm + c] != swr_s16(ref[c][i]);
    return bad;
}

static void test_equal(const DDParams *p, const char *what, int nm, int nd,
                       int block)
{
    const int n = SR * 5;
    int16_t *m = malloc((size_t)n * nm * sizeof(*m));
    int16_t *d = malloc((size_t)n * nd * sizeof(*d));
    int16_t *o16 = malloc((size_t)n * nm * sizeof(*o16));
    float *ref[MAXCH], *of[MAXCH];
    int w1, w2, w3, same = 1, ducked = 0, unity = 0;
    long bad;

    make_music(m, n, nm);
    make_dialogue(d, n, nd);
    for (int c = 0; c < nm; c++) {
        ref[c] = malloc(n * sizeof(float));
        of[c] = malloc(n * sizeof(float));
    }
    w1 = run_float(p, m, d, nm, nd, n, block, ref);
    w2 = run_pcm16(p, m, d, nm, nd, n, block, o16, NULL);
    w3 = run_pcm16(p, m, d, nm, nd, n, block, NULL, of);
    CHECK(w1 == n && w2 == n && w3 == n, "%s, %d/%d channels, blocks of %d: "
          "%d, %d and %d samples of %d", what, nm, nd, block, w1, w2, w3, n);
    if (w1 != n || w2 != n || w3 != n)
        goto end;
    bad = s16_mismatches(o16, ref, nm, n);
    for (int c = 0; c < nm; c++)
        same &= !memcmp(ref[c], of[c], n * sizeof(float));
    CHECK(!bad, "%s, %d/%d channels, blocks of %d: %ld s16 samples differ "
          "from the float engine's", what, nm, nd, block, bad);
    CHECK(same, "%s, %d/%d channels, blocks of %d: the float planes differ",
          what, nm, nd, block);
    /* equal outputs prove little unless the music was ducked, faded and
     * left alone: count samples of each kind (the chord is loud) */
    for (int i = 0; i < n; i++) {
        int16_t x = m[(size_t)i * nm], y = o16[(size_t)i * nm];

        ducked += abs(x) > 8000 && abs(y) * 4 < abs(x);
        unity += x != 0 && y == x;
    }
    CHECK(ducked > SR / 2 && unity > SR / 2,
          "%s, %d/%d channels: %d ducked and %d untouched samples",
          what, nm, nd, ducked, unity);
end:
    for (int c = 0; c < nm; c++) {
        free(ref[c]);
        free(of[c]);
    }
    free(m);
    free(d);
    free(o16);
}

/* What a pcm16 engine refuses, and what a float engine refuses of it. */
static void test_refusals(void)
{
    int16_t m[2 * 64] = { 0 }, d[64] = { 0 };
    float buf[2][64], *ov[2] = { buf[0], buf[1] };
    const float *mv[2] = { buf[0], buf[1] };
    DDParams p;
    DDEngine *e;

    dd_params_default(&p);
    p.spectral = DD_SPECTRAL_BAND;
    CHECK(dd_engine_create_pcm16(&e, &p, SR, 2, 1, -1, NULL) == DD_ERROR_INVAL &&
          !e, "the band takes no pcm16 engine");
    p.spectral = DD_SPECTRAL_ADAPTIVE;
    CHECK(dd_engine_create_pcm16(&e, &p, SR, 2, 1, -1, NULL) == DD_ERROR_INVAL &&
          !e, "the carver takes no pcm16 engine");
    dd_params_default(&p);
    memset(buf, 0, sizeof(buf));
    if (dd_engine_create_pcm16(&e, &p, SR, 2, 1, -1, NULL) == DD_OK) {
        CHECK(dd_engine_process(e, mv, mv, 64, ov) == DD_ERROR_STATE,
              "a pcm16 engine takes no float music");
        CHECK(dd_engine_process_s16(e, mv, d, 64, ov) == DD_ERROR_STATE,
              "a pcm16 engine takes no float music with s16 dialogue");
        CHECK(dd_engine_flush(e, ov) == DD_ERROR_STATE,
              "a pcm16 engine has no float flush");
        dd_engine_free(&e);
    }
    if (dd_engine_create(&e, &p, SR, 2, 1, -1, NULL) == DD_OK) {
        CHECK(dd_engine_process_pcm16(e, m, d, 64, m, NULL) == DD_ERROR_STATE,
              "a float engine takes no s16 music");
        CHECK(dd_engine_flush_pcm16(e, m, NULL) == DD_ERROR_STATE,
              "a float engine has no pcm16 flush");
        dd_engine_free(&e);
    }
}

int main(void)
{
    DDParams p;

    dd_params_default(&p);
    p.lookahead = 0.5;
    test_equal(&p, "fixed depth", 2, 1, 1024);
    test_equal(&p, "fixed depth", 1, 2, 777);
    test_equal(&p, "fixed depth", 3, 2, 4096);
    p.depth = -60.0; /* the smallest gain: x * g still far from subnormal */
    test_equal(&p, "depth -60", 2, 2, 1000);
    dd_params_default(&p);
    p.below = 10.0;
    test_equal(&p, "relative depth", 2, 1, 999);
    test_refusals();
    return check_summary();
}
