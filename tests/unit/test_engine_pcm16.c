/*
 * Unit tests of the pcm16 engine (dd_engine_create_pcm16): interleaved s16
 * music and dialogue in, s16 out, equal sample for sample to the float
 * engine on the same samples divided by 32768, its output converted to s16
 * as libswresample converts float, and with a mix to the float engine's
 * output plus the dialogue mixed as the filter mixes it; ducked in place
 * as the filter does it, for fixed and relative depth, one to three music
 * channels, one or two dialogue channels, and blocks that wrap the delay
 * line anywhere.
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

#define NOISE_SEED 777
#include "test_noise.h"
#include "test_voice.h"
#include "test_s16.h"

/* Dialogue: room tone and two lines of a voice whose pitch moves, with a
 * syllabic rhythm, interleaved on nd channels at their own levels. */
static void make_dialogue(int16_t *d, int n, int nd)
{
    static const double line[][2] = { { 0.8, 2.4 }, { 3.1, 4.4 } };

    for (int i = 0; i < n; i++) {
        double t = (double)i / SR, x = 0.0005 * noise();

        for (int l = 0; l < 2; l++)
            if (t >= line[l][0] && t < line[l][1])
                x += 0.15 * glide_voice(t, 140.0, 20) *
                     (0.6 + 0.4 * sin(2.0 * M_PI * 4.0 * (t - line[l][0])));
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

/* The pcm16 engine (mix: NULL or its gains), each block ducked in place
 * in a copy of the music (as the filter ducks the music frame), its
 * output appended to out. */
static int run_pcm16(const DDParams *p, const int16_t *m, const int16_t *d,
                     int nm, int nd, int n, int block, const float *mix,
                     int16_t *out)
{
    int16_t *blk = malloc((size_t)block * nm * sizeof(*blk));
    DDEngine *e;
    int w = 0, ret = 0;

    if (dd_engine_create_pcm16(&e, p, SR, nm, nd, -1, mix, NULL) < 0) {
        free(blk);
        return -1;
    }
    for (int pos = 0; pos < n && ret >= 0; pos += block) {
        int k = n - pos < block ? n - pos : block;

        memcpy(blk, m + (size_t)pos * nm, (size_t)k * nm * sizeof(*blk));
        ret = dd_engine_process_pcm16(e, blk, d + (size_t)pos * nd, k, blk);
        if (ret > 0)
            memcpy(out + (size_t)w * nm, blk, (size_t)ret * nm * sizeof(*blk));
        w += ret > 0 ? ret : 0;
    }
    if (ret >= 0 && (ret = dd_engine_flush_pcm16(e, out + (size_t)w * nm)) >= 0)
        w += ret;
    dd_engine_free(&e);
    free(blk);
    return ret < 0 ? ret : w;
}

/* The filter's mix=1 on float planes: each music channel gets its
 * dialogue channels (x / 32768 times their gain) added in order. */
static void mix_float(float **ref, const int16_t *d, const float *mix, int nm,
                      int nd, int n)
{
    for (int c = 0; c < nm; c++)
        for (int k = 0; k < nd; k++)
            if (mix[k * nm + c] != 0.0f)
                for (int i = 0; i < n; i++)
                    ref[c][i] += mix[k * nm + c] *
                                 (d[(size_t)i * nd + k] * (1.0f / 32768));
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

/* Ducked samples in the output, and samples left as they were: equal
 * outputs prove little unless the music was ducked and left alone. */
static void count_kinds(const int16_t *m, const int16_t *o, int nm, int n,
                        int *ducked, int *unity)
{
    *ducked = *unity = 0;
    for (int i = 0; i < n; i++) {
        int16_t x = m[(size_t)i * nm], y = o[(size_t)i * nm];

        *ducked += abs(x) > 8000 && abs(y) * 4 < abs(x);
        *unity += x != 0 && y == x;
    }
}

static void test_equal(const DDParams *p, const char *what, int nm, int nd,
                       const float *mix, int block)
{
    const int n = SR * 5;
    int16_t *m = malloc((size_t)n * nm * sizeof(*m));
    int16_t *d = malloc((size_t)n * nd * sizeof(*d));
    int16_t *o16 = malloc((size_t)n * nm * sizeof(*o16));
    float *ref[MAXCH];
    int w1, w2, ducked, unity;
    long bad;

    make_music(m, n, nm);
    make_dialogue(d, n, nd);
    for (int c = 0; c < nm; c++)
        ref[c] = malloc(n * sizeof(float));
    w1 = run_float(p, m, d, nm, nd, n, block, ref);
    w2 = run_pcm16(p, m, d, nm, nd, n, block, mix, o16);
    CHECK(w1 == n && w2 == n, "%s, %d/%d channels, blocks of %d: %d and %d "
          "samples of %d", what, nm, nd, block, w1, w2, n);
    if (w1 == n && w2 == n) {
        if (mix)
            mix_float(ref, d, mix, nm, nd, n);
        bad = s16_mismatches(o16, ref, nm, n);
        CHECK(!bad, "%s, %d/%d channels, blocks of %d: %ld s16 samples differ "
              "from the float engine's", what, nm, nd, block, bad);
        count_kinds(m, o16, nm, n, &ducked, &unity);
        /* with the dialogue mixed in, the music is left as it was only
         * where the dialogue is exactly 0: none here (room tone) */
        CHECK(ducked > SR / 2 && (mix || unity > SR / 4),
              "%s, %d/%d channels: %d ducked and %d untouched samples",
              what, nm, nd, ducked, unity);
    }
    for (int c = 0; c < nm; c++)
        free(ref[c]);
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
    CHECK(dd_engine_create_pcm16(&e, &p, SR, 2, 1, -1, NULL, NULL) ==
          DD_ERROR_INVAL && !e, "the band takes no pcm16 engine");
    p.spectral = DD_SPECTRAL_ADAPTIVE;
    CHECK(dd_engine_create_pcm16(&e, &p, SR, 2, 1, -1, NULL, NULL) ==
          DD_ERROR_INVAL && !e, "the carver takes no pcm16 engine");
    dd_params_default(&p);
    memset(buf, 0, sizeof(buf));
    if (dd_engine_create_pcm16(&e, &p, SR, 2, 1, -1, NULL, NULL) == DD_OK) {
        CHECK(dd_engine_process(e, mv, mv, 64, ov) == DD_ERROR_STATE,
              "a pcm16 engine takes no float music");
        CHECK(dd_engine_process_s16(e, mv, d, 64, ov) == DD_ERROR_STATE,
              "a pcm16 engine takes no float music with s16 dialogue");
        CHECK(dd_engine_flush(e, ov) == DD_ERROR_STATE,
              "a pcm16 engine has no float flush");
        dd_engine_free(&e);
    }
    if (dd_engine_create(&e, &p, SR, 2, 1, -1, NULL) == DD_OK) {
        CHECK(dd_engine_process_pcm16(e, m, d, 64, m) == DD_ERROR_STATE,
              "a float engine takes no s16 music");
        CHECK(dd_engine_flush_pcm16(e, m) == DD_ERROR_STATE,
              "a float engine has no pcm16 flush");
        dd_engine_free(&e);
    }
}

int main(void)
{
    /* mix[d * nm + m], as dd_channel_placement() makes them and more:
     * stereo in stereo and mono in both at 1 (at unity music gain the
     * sum of integers), mono as a phantom centre, three music channels
     * of which the last gets none or one at 1; two dialogue channels
     * each in its own and less in the other (two adds, in order) */
    static const float stereo[] = { 1.0f, 0.0f, 0.0f, 1.0f };
    static const float mono2[] = { 1.0f, 1.0f };
    static const float phantom[] = { 0.70710678f, 0.70710678f };
    static const float two3[] = { 0.7071f, 0.0f, 0.0f, 0.0f, 0.7071f, 0.0f };
    static const float unit3[] = { 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f };
    static const float two2[] = { 0.7071f, 0.3333f, 0.4142f, 0.9f };
    DDParams p;

    dd_params_default(&p);
    p.lookahead = 0.5;
    test_equal(&p, "fixed depth", 2, 1, NULL, 1024);
    test_equal(&p, "fixed depth", 1, 2, NULL, 777);
    test_equal(&p, "fixed depth", 3, 2, NULL, 4096);
    test_equal(&p, "mixed", 2, 2, stereo, 1024);
    test_equal(&p, "mixed", 2, 2, stereo, 333);
    test_equal(&p, "mixed", 2, 1, mono2, 1000);
    test_equal(&p, "mixed", 2, 1, phantom, 512);
    test_equal(&p, "mixed", 3, 2, two3, 4800);
    test_equal(&p, "mixed", 3, 2, unit3, 2000);
    test_equal(&p, "mixed", 2, 2, two2, 333);
    p.depth = -60.0; /* the smallest gain: x * g still far from subnormal */
    test_equal(&p, "depth -60", 2, 2, NULL, 1000);
    test_equal(&p, "depth -60, mixed", 2, 2, two2, 1000);
    dd_params_default(&p);
    p.below = 10.0;
    test_equal(&p, "relative depth", 2, 1, NULL, 999);
    test_equal(&p, "relative depth, mixed", 2, 1, mono2, 999);
    test_refusals();
    return check_summary();
}
