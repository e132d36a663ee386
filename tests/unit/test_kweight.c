/*
 * Unit tests of the meter's own K-weighting (tool/kweight.c) against
 * libebur128, the reference it replaces on the hot path: every 100 ms
 * segment's energy on noise at several rates and channel weights, the
 * integrated loudness of the EBU Tech 3341 cases 1 to 6 (within 0.01 LU
 * of libebur128 and 0.1 LU of the expected reading), and no subnormal
 * state after full scale turns into digital silence.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>

#include "check.h"
#include "kweight.h"
#include "loudness.h"

#define MAXC 6

/* Planar and interleaved copies of one block of audio. */
typedef struct Block {
    float *pl[MAXC];
    float *il;
    int channels, n;
} Block;

static void block_alloc(Block *b, int channels, int n)
{
    b->channels = channels;
    b->n = n;
    for (int c = 0; c < channels; c++)
        b->pl[c] = calloc(n, sizeof(float));
    b->il = calloc((size_t)n * channels, sizeof(float));
}

static void block_free(Block *b)
{
    for (int c = 0; c < b->channels; c++)
        free(b->pl[c]);
    free(b->il);
}

static void block_interleave(Block *b)
{
    for (int i = 0; i < b->n; i++)
        for (int c = 0; c < b->channels; c++)
            b->il[i * b->channels + c] = b->pl[c][i];
}

/* Every 100 ms segment of noise (levels -90 to -6 dBFS, channels at
 * different levels) read by kweight and by libebur128's 100 ms window. */
static void segments_match(int rate, int channels, const int *kind,
                           const double *weight)
{
    const int step = rate / 10;
    ebur128_state *st = ebur128_init(channels, rate, EBUR128_MODE_M);
    KWeight k;
    Block b;
    uint32_t rng = 11;
    double worst = 0;

    CHECK(kweight_init(&k, rate, channels, weight) == 0, "init %d Hz", rate);
    for (int c = 0; c < channels; c++)
        ebur128_set_channel(st, c, kind[c]);
    block_alloc(&b, channels, step);
    for (int s = 0; s < 100; s++) {
        double a = pow(10, (-90 + (s * 29 % 85)) / 20.0), ref, ours;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < step; i++) {
                rng = rng * 1664525u + 1013904223u;
                b.pl[c][i] = a * ((rng >> 8) / 8388608.0 - 1) / (c + 1);
            }
        block_interleave(&b);
        ebur128_add_frames_float(st, b.il, step);
        /* in two calls of odd lengths, as the meter feeds it */
        kweight_add(&k, (const float *const *)b.pl, 0, 333, 1);
        kweight_add(&k, (const float *const *)b.pl, 333, step - 333, 1);
        ours = kweight_segment(&k, step);
        ebur128_loudness_window(st, 100, &ref);
        ref = pow(10, (ref + 0.691) / 10);
        if (fabs(ours / ref - 1) > worst)
            worst = fabs(ours / ref - 1);
    }
    /* 1e-7 is 4e-7 dB; libebur128 runs both biquads as one fourth-order
     * section, which loses a few digits at high rates (1e-8 at 96 kHz) */
    CHECK(worst < 1e-7, "%d Hz, %d channels: segment energy off by %.3g",
          rate, channels, worst);
    block_free(&b);
    ebur128_destroy(&st);
}

static void test_segments(void)
{
    static const int stereo[] = { EBUR128_LEFT, EBUR128_RIGHT };
    static const int five[] = { EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER,
                                EBUR128_UNUSED, EBUR128_LEFT_SURROUND,
                                EBUR128_RIGHT_SURROUND };
    static const int mono[] = { EBUR128_DUAL_MONO };
    static const double w2[] = { 1, 1 }, w6[] = { 1, 1, 1, 0, 1.41, 1.41 };
    static const double w1[] = { 2 };

    segments_match(48000, 2, stereo, w2);
    segments_match(44100, 2, stereo, w2);
    segments_match(8000, 2, stereo, w2);
    segments_match(96000, 6, five, w6);
    segments_match(48000, 1, mono, w1);
}

/* One Tech 3341 step: seconds of a 1 kHz sine at db dBFS per channel. */
typedef struct Step {
    double seconds;
    double db[5];
} Step;

/* The case through our meter (odd block lengths) and libebur128. */
static void tech3341_case(const char *name, int channels, const Step *steps,
                          int nb)
{
    const int rate = 48000;
    AVChannelLayout five = AV_CHANNEL_LAYOUT_5POINT0_BACK;
    ebur128_state *st = ebur128_init(channels, rate, EBUR128_MODE_I);
    LoudnessMeter *m;
    double ours, ref;
    int64_t t = 0;

    loudness_meter_create(&m, rate, channels == 5 ? &five : NULL, channels, 0);
    if (channels == 5)
        for (int c = 0; c < 5; c++)
            ebur128_set_channel(st, c, c + 1); /* L R C Ls Rs */
    for (int s = 0; s < nb; s++) {
        int n = (int)(steps[s].seconds * rate);
        Block b;
        block_alloc(&b, channels, n);
        for (int c = 0; c < channels; c++) {
            double a = pow(10, steps[s].db[c] / 20);
            for (int i = 0; i < n; i++)
                b.pl[c][i] = a * sin(2 * M_PI * 1000.0 * (t + i) / rate);
        }
        block_interleave(&b);
        ebur128_add_frames_float(st, b.il, n);
        for (int i = 0; i < n; i += 1001) {
            const float *p[MAXC];
            for (int c = 0; c < channels; c++)
                p[c] = b.pl[c] + i;
            loudness_meter_add(m, p, n - i < 1001 ? n - i : 1001, 0);
        }
        t += n;
        block_free(&b);
    }
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &ours);
    ebur128_loudness_global(st, &ref);
    CHECK(fabs(ours - ref) < 0.01, "%s: %.4f LUFS, libebur128 %.4f", name,
          ours, ref);
    CHECK(fabs(ours + 23) < 0.1 || (!strcmp(name, "case 2") &&
                                    fabs(ours + 33) < 0.1),
          "%s: %.4f LUFS", name, ours);
    loudness_meter_free(&m);
    ebur128_destroy(&st);
}

static void test_tech3341(void)
{
    static const Step c1[] = { { 20, { -23, -23 } } };
    static const Step c2[] = { { 20, { -33, -33 } } };
    static const Step c3[] = { { 10, { -36, -36 } }, { 60, { -23, -23 } },
                               { 10, { -36, -36 } } };
    static const Step c4[] = { { 10, { -72, -72 } }, { 10, { -36, -36 } },
                               { 60, { -23, -23 } }, { 10, { -36, -36 } },
                               { 10, { -72, -72 } } };
    static const Step c5[] = { { 20, { -26, -26 } }, { 20.1, { -20, -20 } },
                               { 20, { -26, -26 } } };
    /* 5.0: L R C at -28 -28 -24, surrounds at -30 dBFS */
    static const Step c6[] = { { 20, { -28, -28, -24, -30, -30 } } };

    tech3341_case("case 1", 2, c1, 1);
    tech3341_case("case 2", 2, c2, 1);
    tech3341_case("case 3", 2, c3, 3);
    tech3341_case("case 4", 2, c4, 5);
    tech3341_case("case 5", 2, c5, 3);
    tech3341_case("case 6", 5, c6, 1);
}

/* Full scale, then a minute of exact zeros: the state flushes to zero
 * instead of decaying through subnormal numbers. */
static void test_silence(void)
{
    static const double w[] = { 1, 1 };
    const int rate = 48000;
    KWeight k;
    Block b;
    int sub = 0;

    kweight_init(&k, rate, 2, w);
    block_alloc(&b, 2, 4096);
    for (int i = 0; i < 4096; i++)
        b.pl[0][i] = b.pl[1][i] = i & 1 ? 1.0f : -1.0f;
    kweight_add(&k, (const float *const *)b.pl, 0, 4096, 1);
    memset(b.pl[0], 0, 4096 * sizeof(float));
    memset(b.pl[1], 0, 4096 * sizeof(float));
    for (int s = 0; s < 60 * rate / 4096; s++) {
        kweight_add(&k, (const float *const *)b.pl, 0, 4096, 1);
        sub += kweight_subnormal_state(&k);
    }
    CHECK(!sub, "%d subnormal values on the way to silence", sub);
    kweight_segment(&k, 4096);
    CHECK(k.state[0][4] == 0 && k.state[1][5] == 0,
          "state %g %g after a minute of zeros", k.state[0][4], k.state[1][5]);
    CHECK(kweight_init(&k, rate, 0, w) < 0 && kweight_init(&k, 0, 2, w) < 0,
          "bad rate or channel count accepted");
    block_free(&b);
}

int main(void)
{
    test_segments();
    test_tech3341();
    test_silence();
    return check_summary();
}
