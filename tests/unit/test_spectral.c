/*
 * Unit tests of spectral ducking: the band's response measured with noise
 * (inside the band the gain, outside it 0 dB, monotonic in between), gain
 * 1 bit-transparent, the engine and the renderer bit-identical whatever
 * the block sizes, the band filter's delay hidden in the lookahead, no
 * subnormal number after exact zeros, and the band parameters' checks.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dialogueduck.h"

#define SR   48000
#define SEG  8192           /* Welch segment: 5.9 Hz per bin */

static unsigned rng_state = 2024;

static float noise(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((double)(rng_state >> 8) / (1 << 24) - 0.5);
}

/* Run a renderer over x in blocks of `block`, flush; y gets n samples. */
static int render(const DDParams *p, const DDKeyframe *kf, size_t nb_kf,
                  const float *x, float *y, int n, int block)
{
    DDRenderer *r;
    int got = 0, ret;

    if ((ret = dd_renderer_create_params(&r, p, SR, 1, NULL)) < 0)
        return ret;
    dd_renderer_set_keyframes(r, kf, nb_kf);
    for (int pos = 0; pos < n; pos += block) {
        const float *in[1] = { x + pos };
        float *out[1] = { y + got };
        ret = dd_renderer_process(r, in, out, n - pos < block ? n - pos : block);
        if (ret < 0)
            break;
        got += ret;
    }
    if (ret >= 0) {
        float *out[1] = { y + got };
        ret = dd_renderer_flush(r, out);
        got += ret > 0 ? ret : 0;
    }
    dd_renderer_free(&r);
    return ret < 0 ? ret : got;
}

/*
 * Transfer function |Sxy / Sxx| in dB at frequency f, Hann-windowed
 * segments with half overlap: exact for a linear filter up to leakage.
 */
static double response_db(const float *x, const float *y, int n, double f)
{
    double sxy_re = 0, sxy_im = 0, sxx = 0;

    for (int s = 0; s + SEG <= n; s += SEG / 2) {
        double xr = 0, xi = 0, yr = 0, yi = 0;
        for (int k = 0; k < SEG; k++) {
            double w = 0.5 - 0.5 * cos(2 * M_PI * k / SEG);
            double ph = 2 * M_PI * f * k / SR, c = cos(ph), sn = sin(ph);
            xr += w * x[s + k] * c;
            xi -= w * x[s + k] * sn;
            yr += w * y[s + k] * c;
            yi -= w * y[s + k] * sn;
        }
        sxy_re += yr * xr + yi * xi;   /* Y * conj(X) */
        sxy_im += yi * xr - yr * xi;
        sxx += xr * xr + xi * xi;
    }
    return 10 * log10((sxy_re * sxy_re + sxy_im * sxy_im) / (sxx * sxx));
}

/* The band's response at depth, with edges low-high: +-1 dB of depth in
 * the band, +-0.2 dB of 0 beyond the stop edges, monotonic between. */
static void test_response(double depth, double low, double high)
{
    const int n = 6 * SEG;
    float *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y));
    DDKeyframe kf = { 0, depth };
    DDParams p;
    double worst_in = 0, worst_out = 0, prev = 1e9, rise = 0;
    double f_stop_lo = low / 3, f_stop_hi = high * 40 / 17;
    int got;

    dd_params_default(&p);
    p.spectral = 1;
    p.band_low = low;
    p.band_high = high;
    for (int i = 0; i < n; i++)
        x[i] = noise();
    got = render(&p, &kf, 1, x, y, n, 1000);
    CHECK(got == n, "rendered %d of %d", got, n);
    for (double f = 20; f < 0.5 * SR - 100; f *= 1.05) {
        double db = response_db(x, y, n, f);
        if (f >= low && f <= high)
            worst_in = fmax(worst_in, fabs(db - depth));
        if (f <= f_stop_lo || f >= f_stop_hi)
            worst_out = fmax(worst_out, fabs(db));
        /* between the plateaus (their ripple is the two checks above):
         * falling into the band, rising out of it */
        if (fabs(db) > 0.2 && fabs(db - depth) > 1.0 && f < low)
            rise = fmax(rise, db - prev);
        if (fabs(db) > 0.2 && fabs(db - depth) > 1.0 && f > high)
            rise = fmax(rise, prev - db);
        prev = db;
    }
    CHECK(worst_in <= 1.0, "depth %g, band %g-%g Hz: %.2f dB off the depth "
          "inside the band", depth, low, high, worst_in);
    CHECK(worst_out <= 0.2, "depth %g, band %g-%g Hz: %.2f dB off 0 dB "
          "outside the band", depth, low, high, worst_out);
    CHECK(rise <= 0.01, "depth %g, band %g-%g Hz: transition not monotonic "
          "(%.3f dB the wrong way)", depth, low, high, rise);
    free(x);
    free(y);
}

#include "voice_scene.h"

/* The engine over whole buffers in blocks; returns samples written. */
static int run_engine(const DDParams *p, const float *m, const float *d,
                      float *out, int n, int block)
{
    DDEngine *e;
    int got = 0, ret = 0;

    if (dd_engine_create(&e, p, SR, 1, 1, -1, NULL) < 0)
        return -1;
    for (int pos = 0; pos < n && ret >= 0; pos += block) {
        const float *mv[1] = { m + pos }, *dv[1] = { d + pos };
        float *ov[1] = { out + got };
        ret = dd_engine_process(e, mv, dv, n - pos < block ? n - pos : block,
                                ov);
        got += ret > 0 ? ret : 0;
    }
    if (ret >= 0) {
        float *ov[1] = { out + got };
        ret = dd_engine_flush(e, ov);
        got += ret > 0 ? ret : 0;
    }
    dd_engine_free(&e);
    return ret < 0 ? ret : got;
}

/* Keyframes of the two-pass analysis of d. */
static size_t analyze(const DDParams *p, const float *d, int n, DDKeyframe *kf,
                      size_t cap)
{
    DDAnalyzer *a;
    const float *dv[1] = { d };
    int got;

    if (dd_analyzer_create(&a, p, SR, 1, -1, 0, NULL) < 0)
        return 0;
    dd_analyzer_feed_dialogue(a, dv, n);
    dd_analyzer_finish(a);
    got = dd_analyzer_read_keyframes(a, kf, (int)cap);
    dd_analyzer_free(&a);
    return got > 0 ? (size_t)got : 0;
}

static size_t count_diff(const float *a, const float *b, int n)
{
    size_t diff = 0;
    for (int i = 0; i < n; i++)
        diff += memcmp(&a[i], &b[i], sizeof(float)) != 0;
    return diff;
}

/*
 * One pass (engine, three block sizes) against two passes (analyzer, then
 * a renderer in two block sizes): every sample identical, the line ducked,
 * the music between lines untouched to the bit.
 */
static void test_identical(double lookahead)
{
    const int n = 5 * SR;
    float *d = malloc(n * sizeof(*d)), *m = malloc(n * sizeof(*m));
    float *ref = malloc(n * sizeof(*ref)), *o = malloc(n * sizeof(*o));
    const int blocks[] = { 1, 997, 4096 };
    DDKeyframe kf[64];
    DDParams p;
    size_t nkf;
    double in_band, bass;
    int got;

    dd_params_default(&p);
    p.spectral = 1;
    p.lookahead = lookahead;
    make_scene(d, m, n);
    nkf = analyze(&p, d, n, kf, 64);
    CHECK(nkf >= 4, "lookahead %g: %zu keyframes", lookahead, nkf);
    got = render(&p, kf, nkf, m, ref, n, 4096);
    CHECK(got == n, "renderer wrote %d of %d", got, n);
    for (int i = 0; i < 3; i++) {
        got = run_engine(&p, m, d, o, n, blocks[i]);
        CHECK(got == n, "engine wrote %d of %d", got, n);
        CHECK(got == n && !count_diff(o, ref, n), "lookahead %g, blocks of "
              "%d: %zu samples differ from the renderer", lookahead, blocks[i],
              count_diff(o, ref, n));
    }
    got = render(&p, kf, nkf, m, o, n, 333);
    CHECK(got == n && !count_diff(o, ref, n), "renderer blocks of 333: %zu "
          "samples differ", count_diff(o, ref, n));
    /* inside the line 1 kHz at the depth and 50 Hz kept, bit-exact far
     * from it */
    in_band = response_db(m + (int)(1.2 * SR), ref + (int)(1.2 * SR), 2 * SEG,
                          1000.0);
    bass = response_db(m + (int)(1.2 * SR), ref + (int)(1.2 * SR), 2 * SEG,
                       50.0);
    CHECK(fabs(in_band - p.depth) < 1.0 && fabs(bass) < 0.2, "in the line: "
          "%.2f dB at 1 kHz, %.2f dB at 50 Hz", in_band, bass);
    CHECK(!count_diff(ref, m, SR / 2), "music before the first line changed");
    free(d);
    free(m);
    free(ref);
    free(o);
}

/* Gain 1 everywhere: the output is the input, bit for bit. */
static void test_transparent(void)
{
    const int n = SR;
    float *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y));
    DDKeyframe kf[2] = { { 0, 0.0 }, { n, 0.0 } };
    DDParams p;
    int got;

    dd_params_default(&p);
    p.spectral = 1;
    for (int i = 0; i < n; i++)
        x[i] = noise();
    got = render(&p, kf, 2, x, y, n, 4800);
    CHECK(got == n && !count_diff(x, y, n), "gain 1: %zu samples changed",
          count_diff(x, y, n));
    free(x);
    free(y);
}

/* The band's delay: inside the lookahead, or the engine's whole delay
 * when the lookahead is shorter. */
static void test_latency(void)
{
    DDParams p;
    DDRenderer *r;
    int half;

    dd_params_default(&p);
    p.spectral = 1;
    dd_renderer_create_params(&r, &p, SR, 2, NULL);
    half = r ? dd_renderer_latency(r) : -1;
    dd_renderer_free(&r);
    p.spectral = 0;
    CHECK(half > 0 && half < SR / 50, "band latency %d", half);
    CHECK(dd_lookahead_samples(&p, SR) == llrint(DD_LOOKAHEAD_DEFAULT * SR),
          "broadband: the lookahead");
    p.spectral = 1;
    CHECK(dd_lookahead_samples(&p, SR) == llrint(DD_LOOKAHEAD_DEFAULT * SR),
          "spectral: the band hides in the default lookahead");
    p.lookahead = 0.0;
    CHECK(dd_lookahead_samples(&p, SR) == half, "spectral without "
          "lookahead: the band's latency, %lld", (long long)
          dd_lookahead_samples(&p, SR));
    p.spectral = 0;
    dd_renderer_create_params(&r, &p, SR, 2, NULL);
    CHECK(r && dd_renderer_latency(r) == 0, "broadband renderer latency");
    dd_renderer_free(&r);
}

/* Full scale, then exact zeros: nothing subnormal, exact zeros out. */
static void test_no_subnormal(void)
{
    const int n = 4 * SR;
    float *d = malloc(n * sizeof(*d)), *m = malloc(n * sizeof(*m));
    float *o = malloc(n * sizeof(*o));
    DDParams p;
    int got, sub = 0, nonzero = 0;

    dd_params_default(&p);
    p.spectral = 1;
    make_scene(d, m, n);
    for (int k = 0; k < n; k++)
        if (k >= 2 * SR)
            m[k] = d[k] = 0.0f;
        else
            m[k] = k & 1 ? 1.0f : -1.0f;
    got = run_engine(&p, m, d, o, n, 1024);
    CHECK(got == n, "engine wrote %d of %d", got, n);
    for (int k = 0; k < got; k++) {
        sub += fpclassify(o[k]) == FP_SUBNORMAL;
        nonzero += k >= 2 * SR + SR / 50 && o[k] != 0.0f;
    }
    CHECK(!sub, "%d subnormal output samples", sub);
    CHECK(!nonzero, "%d non-zero samples after the music stopped", nonzero);
    free(d);
    free(m);
    free(o);
}

static void test_params(void)
{
    DDParams p, q;
    DDEngine *e;

    dd_params_default(&p);
    CHECK(p.band_low == 300 && p.band_high == 3400, "band defaults");
    q = p;
    q.band_low = 99;
    CHECK(dd_params_check(&q) == DD_ERROR_INVAL, "band_low below range");
    q = p;
    q.band_high = 20001;
    CHECK(dd_params_check(&q) == DD_ERROR_INVAL, "band_high above range");
    q = p;
    q.band_low = 800;
    q.band_high = 1500;
    CHECK(dd_params_check(&q) == DD_ERROR_INVAL, "band narrower than an octave");
    q = p;
    q.band_low = NAN;
    CHECK(dd_params_check(&q) == DD_ERROR_INVAL, "band_low NaN");
    p.spectral = 1;
    CHECK(dd_engine_create(&e, &p, SR, 2, 1, -1, NULL) == DD_OK, "engine");
    q = p;
    q.band_high = 5000;
    CHECK(e && dd_engine_set_params(e, &q) == DD_ERROR_INVAL,
          "band_high cannot change mid-stream");
    q = p;
    q.depth = -20;
    CHECK(e && dd_engine_set_params(e, &q) == DD_OK, "depth can");
    dd_engine_free(&e);
}

int main(void)
{
    test_response(-15.0, 300, 3400);
    test_response(-30.0, 300, 3400);
    test_response(-15.0, 500, 2000);
    test_response(-6.0, 150, 8000);
    test_transparent();
    test_identical(0.5);
    test_identical(0.0);
    test_latency();
    test_no_subnormal();
    test_params();
    return check_summary();
}
