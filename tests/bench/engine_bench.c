/*
 * Throughput of the parts on PCM already in memory: the ducking engine
 * (DDEngine, the path the FFmpeg filter takes: broadband, the fixed band
 * and adaptive carving), the loudness meter with and
 * without true peak and on its worker thread, and the true-peak limiter.
 * Decoding is left out on purpose: it is what the floor measures.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: engine_bench DIALOGUE.f32 MUSIC.f32 [engine]
 *   raw float32 little-endian, stereo interleaved, 48 kHz, same length;
 *   "engine": time the engine only (one row per dialogue kind in make bench).
 * Prints "name seconds" lines: best of three runs, in CPU time of this
 * thread (the machine is shared: wall time would measure the neighbours),
 * except the *_wall_s values (engine_wall_s for comparisons with wall
 * times; meter_thread_wall_s, the caller's wall time with the meter on
 * its worker thread).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ebur128.h>

#include "dialogueduck.h"
#include "limiter.h"
#include "loudness.h"

#define RATE  48000
#define CH    2
#define BLOCK 1024
#define RUNS  3

static float *plane[2][CH];   /* [0] dialogue, [1] music */
static float *mix[CH];        /* dialogue + ducked music */
static float *work[CH];
static long frames;

static int use_wall;
static int spectral;          /* DDParams.spectral of run_engine() */

static double now(void)
{
    struct timespec ts;
    clock_gettime(use_wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void load(const char *path, float **dst)
{
    FILE *f = fopen(path, "rb");
    float buf[BLOCK * CH];
    long n = 0;
    size_t got;

    if (!f) {
        fprintf(stderr, "engine_bench: cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f) / (sizeof(float) * CH);
    fseek(f, 0, SEEK_SET);
    if (!frames || len < frames)
        frames = len;
    for (int c = 0; c < CH; c++)
        if (!(dst[c] = malloc(sizeof(float) * len))) {
            fprintf(stderr, "engine_bench: out of memory\n");
            exit(1);
        }
    while ((got = fread(buf, sizeof(float) * CH, BLOCK, f)) > 0) {
        for (size_t i = 0; i < got; i++)
            for (int c = 0; c < CH; c++)
                dst[c][n + i] = buf[i * CH + c];
        n += got;
    }
    fclose(f);
}

/* Duck the music; with store, leave dialogue + ducked music in mix. */
static double run_engine(int store)
{
    DDParams p;
    DDEngine *e;
    float *out[CH];
    long o = 0;
    double t0;
    int64_t la;

    dd_params_default(&p);
    p.spectral = spectral;
    if (dd_engine_create(&e, &p, RATE, CH, CH, -1, NULL) < 0) {
        fprintf(stderr, "engine_bench: dd_engine_create failed\n");
        exit(1);
    }
    la = dd_lookahead_samples(&p, RATE);
    t0 = now();
    for (long pos = 0; pos < frames; pos += BLOCK) {
        int n = frames - pos < BLOCK ? (int)(frames - pos) : BLOCK;
        const float *m[CH], *d[CH];
        for (int c = 0; c < CH; c++) {
            m[c] = plane[1][c] + pos;
            d[c] = plane[0][c] + pos;
            out[c] = work[c] + o;
        }
        o += dd_engine_process(e, m, d, n, out);
    }
    for (int c = 0; c < CH; c++)
        out[c] = work[c] + o;
    o += dd_engine_flush(e, out);
    t0 = now() - t0;
    dd_engine_free(&e);
    if (o != frames || o < la)
        fprintf(stderr, "engine_bench: engine wrote %ld of %ld\n", o, frames);
    if (store)
        for (int c = 0; c < CH; c++)
            for (long i = 0; i < frames; i++)
                mix[c][i] = plane[0][c][i] + work[c][i];
    return t0;
}

static double run_meter(unsigned flags, double *lufs, double *peak)
{
    LoudnessMeter *m;
    double t0 = now();

    if (loudness_meter_create(&m, RATE, NULL, CH, flags) < 0) {
        fprintf(stderr, "engine_bench: loudness_meter_create failed\n");
        exit(1);
    }
    for (long pos = 0; pos < frames; pos += BLOCK) {
        int n = frames - pos < BLOCK ? (int)(frames - pos) : BLOCK;
        const float *x[CH] = { mix[0] + pos, mix[1] + pos };
        loudness_meter_add(m, x, n, 0);
    }
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, lufs);
    *peak = flags & LOUDNESS_TRUE_PEAK ? loudness_meter_true_peak(m)
                                       : loudness_meter_sample_peak(m);
    t0 = now() - t0;
    loudness_meter_free(&m);
    return t0;
}

/* libebur128's own true-peak mode, for comparison with LOUDNESS_TRUE_PEAK. */
static double run_ebur128_tp(double *peak)
{
    ebur128_state *st = ebur128_init(CH, RATE, EBUR128_MODE_I |
                                     EBUR128_MODE_TRUE_PEAK);
    float il[BLOCK * CH];
    double t0 = now(), l, p;

    for (long pos = 0; pos < frames; pos += BLOCK) {
        int n = frames - pos < BLOCK ? (int)(frames - pos) : BLOCK;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < CH; c++)
                il[i * CH + c] = mix[c][pos + i];
        ebur128_add_frames_float(st, il, n);
    }
    ebur128_loudness_global(st, &l);
    *peak = 0;
    for (int c = 0; c < CH; c++)
        if (ebur128_true_peak(st, c, &p) == EBUR128_SUCCESS && p > *peak)
            *peak = p;
    t0 = now() - t0;
    ebur128_destroy(&st);
    return t0;
}

/* Gain then limiter, in place on work; returns seconds. */
static double run_limiter(double gain, LimiterStats *st)
{
    TruePeakLimiter *l;
    float *out[CH];
    long o = 0;
    double t0;

    if (limiter_create(&l, RATE, CH, -1, LIMITER_LOOKAHEAD_DEFAULT,
                       LIMITER_RELEASE_DEFAULT) < 0) {
        fprintf(stderr, "engine_bench: limiter_create failed\n");
        exit(1);
    }
    for (int c = 0; c < CH; c++)
        for (long i = 0; i < frames; i++)
            work[c][i] = mix[c][i] * (float)gain;
    t0 = now();
    for (long pos = 0; pos < frames; pos += BLOCK) {
        int n = frames - pos < BLOCK ? (int)(frames - pos) : BLOCK;
        const float *x[CH] = { work[0] + pos, work[1] + pos };
        for (int c = 0; c < CH; c++)
            out[c] = work[c] + o;
        o += limiter_process(l, x, out, n);
    }
    for (int c = 0; c < CH; c++)
        out[c] = work[c] + o;
    o += limiter_flush(l, out);
    t0 = now() - t0;
    limiter_get_stats(l, st);
    limiter_free(&l);
    return t0;
}

#define BEST(var, expr) do {                                   \
        var = HUGE_VAL;                                        \
        for (int r_ = 0; r_ < RUNS; r_++) {                    \
            double t_ = (expr);                                \
            if (t_ < var)                                      \
                var = t_;                                      \
        }                                                      \
    } while (0)

int main(int argc, char **argv)
{
    double t, lufs, peak;
    LimiterStats st;

    if (argc != 3 && !(argc == 4 && !strcmp(argv[3], "engine"))) {
        fprintf(stderr, "usage: engine_bench DIALOGUE.f32 MUSIC.f32 [engine]\n");
        return 2;
    }
    load(argv[1], plane[0]);
    load(argv[2], plane[1]);
    for (int c = 0; c < CH; c++) {
        mix[c] = malloc(sizeof(float) * frames);
        work[c] = malloc(sizeof(float) * frames);
        if (!mix[c] || !work[c])
            return 1;
    }
    printf("audio_s %.3f\n", (double)frames / RATE);

    run_engine(1);
    BEST(t, run_engine(0));
    printf("engine_s %.4f\n", t);
    use_wall = 1;
    BEST(t, run_engine(0));
    printf("engine_wall_s %.4f\n", t);
    use_wall = 0;
    spectral = DD_SPECTRAL_BAND;
    BEST(t, run_engine(0));
    printf("engine_spectral_s %.4f\n", t);
    spectral = DD_SPECTRAL_ADAPTIVE;
    BEST(t, run_engine(0));
    printf("engine_adaptive_s %.4f\n", t);
    spectral = DD_SPECTRAL_OFF;
    if (argc == 4)
        return 0;

    BEST(t, run_meter(0, &lufs, &peak));
    printf("meter_s %.4f\n", t);
    printf("mix_lufs %.2f\n", lufs);
    printf("mix_sample_peak_dbfs %.2f\n", 20 * log10(peak));
    use_wall = 1;
    BEST(t, run_meter(LOUDNESS_THREAD, &lufs, &peak));
    printf("meter_thread_wall_s %.4f\n", t);
    use_wall = 0;
    BEST(t, run_meter(LOUDNESS_TRUE_PEAK, &lufs, &peak));
    printf("meter_tp_s %.4f\n", t);
    printf("mix_true_peak_dbtp %.2f\n", 20 * log10(peak));
    double p2;
    BEST(t, run_ebur128_tp(&p2));
    printf("ebur128_tp_s %.4f\n", t);
    printf("ebur128_true_peak_dbtp %.2f\n", 20 * log10(p2));

    /* normalized to -23 LUFS (EBU): the limiter mostly proves idle */
    double g23 = pow(10, (-23 - lufs) / 20), g14 = pow(10, (-14 - lufs) / 20);
    printf("limiter_needed_at_-23 %d\n",
           limiter_needed(peak, -23 - lufs, -1));
    BEST(t, run_limiter(g23, &st));
    printf("limiter_-23_s %.4f\n", t);
    printf("limiter_-23_limited_s %.3f\n", (double)st.samples_limited / RATE);
    /* normalized to -14 LUFS (streaming, loud): the limiter works */
    BEST(t, run_limiter(g14, &st));
    printf("limiter_-14_s %.4f\n", t);
    printf("limiter_-14_limited_s %.3f\n", (double)st.samples_limited / RATE);
    printf("limiter_-14_max_reduction_db %.2f\n", st.max_reduction_db);
    return 0;
}
