/*
 * Unit tests of the true-peak limiter: the ceiling holds as measured by
 * two independent meters (libebur128's true peak and a 4x long-sinc
 * interpolation here), quiet signals pass bit exact, the output is aligned
 * with the input, the latency is what is reported, chunking does not
 * change the result; the true-peak meter built on the limiter's detector
 * reads what the reference reads. True peak is what BS.1770 defines: the peak of the
 * signal interpolated at 4x; the reference here interpolates with a long
 * (128-tap) sinc, much closer to ideal than the limiter's own detector.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>

#include "check.h"
#include "limiter.h"
#include "ebur128_ref.h"

#define SR 48000
#define CH 2
#define CEIL -1.0

static uint32_t rng = 12345;

static double frand(void) /* uniform in [-1, 1) */
{
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) / 8388608.0 - 1;
}

/* Independent true peak: 4x oversampling, 128-tap Hann-windowed sinc. */
static double true_peak_ref(const float *x, int n)
{
    const int half = 64, os = 4;
    double peak = 0;

    for (int i = 0; i < n; i++) {
        if (fabs(x[i]) > peak)
            peak = fabs(x[i]);
        for (int p = 1; p < os; p++) {
            double t = i + (double)p / os, y = 0;
            for (int j = i - half + 1; j <= i + half; j++) {
                double d = t - j, w, s;
                if (j < 0 || j >= n)
                    continue;
                w = 0.5 + 0.5 * cos(M_PI * d / half);
                s = sin(M_PI * d) / (M_PI * d);
                y += x[j] * s * w;
            }
            if (fabs(y) > peak)
                peak = fabs(y);
        }
    }
    return peak;
}

/* Noise low-passed at 21.6 kHz (0.9 Nyquist): as much air as real masters
 * carry, the hardest realistic case for a true-peak detector. */
static void band_limited_noise(float *x, int n, double amp)
{
    const int half = 32;
    const double fc = 0.9;
    float *w = malloc(sizeof(float) * (n + 2 * half));

    for (int i = 0; i < n + 2 * half; i++)
        w[i] = frand();
    for (int i = 0; i < n; i++) {
        double y = 0;
        for (int k = -half + 1; k < half; k++) {
            double h = k ? sin(M_PI * fc * k) / (M_PI * k) : fc;
            y += h * (0.5 + 0.5 * cos(M_PI * k / half)) * w[i + half + k];
        }
        x[i] = amp * y;
    }
    free(w);
}

static double ebur128_tp(float **pl, int n)
{
    return ebur128_tp_ref(pl, CH, SR, n);
}

static double db(double x)
{
    return 20 * log10(x);
}

/* Run the limiter over in (n samples) in chunks of chunk; returns it. */
static int run(float **in, float **out, int n, int chunk, LimiterStats *st,
               int *first_ret)
{
    TruePeakLimiter *l;
    int o = 0, latency, ret;
    float *op[CH];

    if (limiter_create(&l, SR, CH, CEIL, LIMITER_LOOKAHEAD_DEFAULT,
                       LIMITER_RELEASE_DEFAULT) < 0)
        return -1;
    latency = limiter_latency(l);
    for (int i = 0; i < n; i += chunk) {
        int nb = n - i < chunk ? n - i : chunk;
        const float *ip[CH];
        for (int c = 0; c < CH; c++) {
            ip[c] = in[c] + i;
            op[c] = out[c] + o;
        }
        ret = limiter_process(l, ip, op, nb);
        if (i == 0 && first_ret)
            *first_ret = ret;
        o += ret;
    }
    for (int c = 0; c < CH; c++)
        op[c] = out[c] + o;
    ret = limiter_flush(l, op);
    CHECK(ret <= latency, "flush wrote %d > latency %d", ret, latency);
    o += ret;
    if (st)
        limiter_get_stats(l, st);
    limiter_free(&l);
    return o;
}

static float **planes(int n)
{
    float **p = malloc(sizeof(*p) * CH);
    for (int c = 0; c < CH; c++)
        p[c] = calloc(n, sizeof(float));
    return p;
}

static void free_pl(float **p)
{
    for (int c = 0; c < CH; c++)
        free(p[c]);
    free(p);
}

static void test_quiet_bit_exact(void)
{
    const int n = SR * 2;
    float **in = planes(n), **out = planes(n);
    LimiterStats st;
    int first, o, same = 1;

    /* music-like: sines plus noise, true peak well under -1 dBTP */
    for (int i = 0; i < n; i++) {
        in[0][i] = 0.3 * sin(2 * M_PI * 440 * i / SR) + 0.1 * frand();
        in[1][i] = 0.3 * sin(2 * M_PI * 660 * i / SR) + 0.1 * frand();
    }
    CHECK(db(true_peak_ref(in[0], n)) < CEIL - 3, "setup: quiet");
    o = run(in, out, n, 1000, &st, &first);
    CHECK(o == n, "wrote %d of %d", o, n);
    for (int c = 0; c < CH; c++)
        same &= !memcmp(in[c], out[c], sizeof(float) * n);
    CHECK(same, "quiet signal not bit exact");
    CHECK(st.samples_limited == 0, "%lld samples limited",
          (long long)st.samples_limited);
    CHECK(st.max_reduction_db == 0, "reduction %g", st.max_reduction_db);
    CHECK(st.samples == n, "stats samples %lld", (long long)st.samples);

    /* just under the ceiling, by sample peak, still untouched (the FIR
     * runs and must find no overshoot on a low-frequency sine) */
    for (int i = 0; i < n; i++)
        in[0][i] = in[1][i] = 0.85 * sin(2 * M_PI * 100 * i / SR);
    o = run(in, out, n, 4096, &st, NULL);
    same = 1;
    for (int c = 0; c < CH; c++)
        same &= !memcmp(in[c], out[c], sizeof(float) * n);
    CHECK(o == n && same && st.samples_limited == 0,
          "-1.4 dBFS 100 Hz sine changed (%lld limited)",
          (long long)st.samples_limited);
    free_pl(in);
    free_pl(out);
}

static void test_latency(void)
{
    TruePeakLimiter *l;
    const int n = 5000;
    float **in = planes(n), **out = planes(n);
    int lat, ret, lag = -1;

    limiter_create(&l, SR, CH, CEIL, 0.0015, 0.1);
    lat = limiter_latency(l);
    /* 1.5 ms lookahead at 48 kHz is 72 samples, plus the FIR length */
    CHECK(lat == 72 - 1 + 32, "latency %d", lat);
    in[0][1000] = in[1][1000] = 0.5;  /* an impulse under the ceiling */
    ret = limiter_process(l, (const float *const *)in, out, n);
    CHECK(ret == n - lat, "first call returned %d, want %d", ret, n - lat);
    /* the impulse comes out at the sample it went in */
    for (int i = 0; i < ret; i++)
        if (out[0][i] != 0)
            lag = i - 1000;
    CHECK(lag == 0, "impulse moved by %d samples", lag);
    ret = limiter_flush(l, out);
    CHECK(ret == lat, "flush returned %d", ret);
    limiter_free(&l);

    /* the delay inside is the reported latency: feeding one sample at a
     * time, the first output appears after exactly lat + 1 pushes */
    limiter_create(&l, SR, CH, CEIL, 0.0015, 0.1);
    int pushes = 0;
    for (;;) {
        const float *ip[CH] = { in[0] + pushes, in[1] + pushes };
        float *op[CH] = { out[0], out[1] };
        pushes++;
        if (limiter_process(l, ip, op, 1))
            break;
    }
    CHECK(pushes == lat + 1, "first output after %d pushes", pushes);
    limiter_free(&l);
    free_pl(in);
    free_pl(out);
}

static void check_ceiling(const char *what, float **in, int n)
{
    float **out = planes(n), **out2 = planes(n);
    LimiterStats st;
    int o, o2, same = 1;
    double tp_in = fmax(true_peak_ref(in[0], n), true_peak_ref(in[1], n));
    double tpref, tpe;

    o = run(in, out, n, 1024, &st, NULL);
    CHECK(o == n, "%s: wrote %d of %d", what, o, n);
    tpref = fmax(true_peak_ref(out[0], n), true_peak_ref(out[1], n));
    tpe = ebur128_tp(out, n);
    CHECK(db(tpref) <= CEIL + 0.1, "%s: reference true peak %.3f dBTP (in %.2f)",
          what, db(tpref), db(tp_in));
    CHECK(db(tpe) <= CEIL + 0.1, "%s: ebur128 true peak %.3f dBTP", what,
          db(tpe));
    /* limiting is not much deeper than needed */
    CHECK(db(tpref) > CEIL - 0.5, "%s: over-limited to %.3f dBTP", what,
          db(tpref));
    CHECK(st.samples_limited > 0 && st.samples_limited <= n,
          "%s: %lld samples limited", what, (long long)st.samples_limited);
    CHECK(fabs(st.max_reduction_db - (db(tp_in) - CEIL)) < 0.6,
          "%s: max reduction %.2f dB for %.2f dB over", what,
          st.max_reduction_db, db(tp_in) - CEIL);
    CHECK(fabs(db(st.input_peak) - db(tp_in)) < 0.3,
          "%s: detector peak %.2f vs %.2f dBTP", what, db(st.input_peak),
          db(tp_in));

    /* chunking does not change anything (the idle fast path checks
     * blocks of up to 256 samples, so this also compares it with the
     * sample-by-sample path at other boundaries) */
    o2 = run(in, out2, n, 37, NULL, NULL);
    for (int c = 0; c < CH; c++)
        same &= !memcmp(out[c], out2[c], sizeof(float) * n);
    CHECK(o2 == n && same, "%s: chunks of 37 differ", what);
    o2 = run(in, out2, n, 1, NULL, NULL);
    for (int c = 0; c < CH; c++)
        same &= !memcmp(out[c], out2[c], sizeof(float) * n);
    CHECK(o2 == n && same, "%s: chunks of 1 differ", what);
    free_pl(out);
    free_pl(out2);
}

/*
 * In place (in == out, as the program's render pass calls it) the output
 * is what it is into another buffer: where the idle path passed a block
 * through, the FIR history must hold the block's input, not the delayed
 * samples written over it. Loud bursts (limited) start on and off the
 * idle path's block boundaries after stretches of noise under the ceiling.
 */
static void test_in_place(void)
{
    const int n = 48000, chunk = 1024;
    const int starts[] = { 4096, 12288 + 100, 20480, 28672 + 37, 36864 };
    float **in = planes(n), **out = planes(n), **buf = planes(chunk);
    float *lp[CH];
    TruePeakLimiter *l;
    int o = 0, same = 1, differ = 0, ret;

    for (int c = 0; c < CH; c++)
        band_limited_noise(in[c], n, 0.25); /* about -9 dBFS peaks */
    for (int k = 0; k < 5; k++)
        for (int c = 0; c < CH; c++)
            for (int j = starts[k]; j < starts[k] + 1500; j++)
                in[c][j] *= 5; /* about +5 dBFS */
    if (run(in, out, n, chunk, NULL, NULL) != n ||
        limiter_create(&l, SR, CH, CEIL, LIMITER_LOOKAHEAD_DEFAULT,
                       LIMITER_RELEASE_DEFAULT) < 0) {
        CHECK(0, "in place: setup failed");
        return;
    }
    for (int i = 0; i < n; i += chunk) {
        int nb = n - i < chunk ? n - i : chunk;
        for (int c = 0; c < CH; c++)
            memcpy(buf[c], in[c] + i, nb * sizeof(float));
        ret = limiter_process(l, (const float *const *)buf, buf, nb);
        for (int c = 0; c < CH; c++) {
            same &= !memcmp(out[c] + o, buf[c], ret * sizeof(float));
            for (int j = 0; j < ret; j++)
                differ += out[c][o + j] != buf[c][j];
        }
        o += ret;
    }
    for (int c = 0; c < CH; c++)
        lp[c] = buf[c];
    ret = limiter_flush(l, lp);
    for (int c = 0; c < CH; c++)
        same &= !memcmp(out[c] + o, buf[c], ret * sizeof(float));
    limiter_free(&l);
    CHECK(o + ret == n && same, "in place: %d samples differ", differ);
    free_pl(in);
    free_pl(out);
    free_pl(buf);
}

static void test_ceiling(void)
{
    const int n = SR / 4;
    float **in = planes(n);

    /* fs/4 sine at 45 degrees: samples at 0 dBFS, true peak +3.01 dBTP
     * (a little more at the abrupt start and end) */
    for (int i = 0; i < n; i++)
        in[0][i] = in[1][i] = sqrt(2) * sin(M_PI / 2 * i + M_PI / 4);
    CHECK(fabs(db(true_peak_ref(in[0], n)) - 3.05) < 0.1,
          "setup: true peak %.3f", db(true_peak_ref(in[0], n)));
    check_ceiling("fs/4 sine +3 dBTP", in, n);

    /* quiet music with loud transients: bursts in one channel */
    band_limited_noise(in[0], n, 0.3);
    for (int i = 0; i < n; i++) {
        double env = (i / 2400) % 3 == 1 ? 1.4 : 0.2;
        in[0][i] = env * (0.7 * sin(2 * M_PI * 3000.0 * i / SR) + in[0][i]);
        in[1][i] = 0.2 * sin(2 * M_PI * 200.0 * i / SR);
    }
    check_ceiling("bursts", in, n);

    /* loud wide-band noise (many intersample peaks) */
    band_limited_noise(in[0], n, 1.0);
    band_limited_noise(in[1], n, 1.0);
    check_ceiling("noise", in, n);
    free_pl(in);
}

static void test_linked_and_release(void)
{
    const int n = SR;
    float **in = planes(n), **out = planes(n);
    LimiterStats st;

    /* a loud click in the left channel at 0.5 s; right stays quiet */
    for (int i = 0; i < n; i++) {
        in[0][i] = 0.1 * sin(2 * M_PI * 1000.0 * i / SR);
        in[1][i] = 0.1 * sin(2 * M_PI * 500.0 * i / SR);
    }
    for (int i = n / 2; i < n / 2 + 48; i++)
        in[0][i] = 1.5 * sin(2 * M_PI * 1000.0 * i / SR);
    run(in, out, n, 512, &st, NULL);
    /* channels are linked: the right channel is reduced at the click */
    int k = n / 2 + 10;
    CHECK(in[1][k] != 0 && fabs(out[1][k] / in[1][k]) < 0.8,
          "right channel not reduced at the click (%g)", out[1][k] / in[1][k]);
    /* fades in before the peak, not a step: 1 ms before, partly reduced */
    k = n / 2 - 48;
    double g = out[1][k] / in[1][k];
    CHECK(g < 1 && g > 0.5, "gain 1 ms before the click %g", g);
    /* and recovers: back to bit exact well after the release */
    CHECK(!memcmp(out[1] + n - 4800, in[1] + n - 4800, 4800 * sizeof(float)),
          "not recovered 0.4 s after the click");
    free_pl(in);
    free_pl(out);
}

static void test_needed(void)
{
    double b = limiter_overshoot_bound();

    CHECK(b > 1 && b < 2.5, "bound %g", b);
    /* -10 dBFS sample peak, +0 dB gain: provably no limiting at -1 dBTP */
    CHECK(!limiter_needed(pow(10, -10 / 20.0), 0, -1), "quiet needs limiting");
    CHECK(limiter_needed(pow(10, -10 / 20.0), 9.5, -1), "loud not flagged");
    CHECK(limiter_needed(0.95, 0, -1), "-0.4 dBFS not flagged");
}

static double meter_peak(float **in, int n, int interleaved)
{
    TruePeakMeter *m;
    double peak;

    truepeak_meter_create(&m, CH);
    if (interleaved) {
        float *il = malloc(sizeof(float) * CH * n);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < CH; c++)
                il[i * CH + c] = in[c][i];
        for (int i = 0; i < n; i += 1000)
            truepeak_meter_add_interleaved(m, il + i * CH,
                                           n - i < 1000 ? n - i : 1000);
        free(il);
    } else {
        truepeak_meter_add(m, (const float *const *)in, n);
    }
    peak = truepeak_meter_peak(m);
    truepeak_meter_free(&m);
    return peak;
}

static void test_meter(void)
{
    const int n = SR / 4;
    float **in = planes(n);
    double ref, got;

    for (int i = 0; i < n; i++)
        in[0][i] = in[1][i] = sqrt(2) * sin(M_PI / 2 * i + M_PI / 4);
    ref = true_peak_ref(in[0], n);
    got = meter_peak(in, n, 0);
    CHECK(fabs(db(got) - db(ref)) < 0.02, "fs/4 sine: meter %.3f, ref %.3f",
          db(got), db(ref));

    /* wide-band noise, quiet in one channel: the meter skips most of it */
    band_limited_noise(in[0], n, 0.5);
    band_limited_noise(in[1], n, 0.05);
    ref = fmax(true_peak_ref(in[0], n), true_peak_ref(in[1], n));
    got = meter_peak(in, n, 0);
    CHECK(fabs(db(got) - db(ref)) < 0.05, "noise: meter %.3f, ref %.3f",
          db(got), db(ref));
    CHECK(meter_peak(in, n, 1) == got, "interleaved input reads differently");
    CHECK(fabs(db(ebur128_tp(in, n)) - db(ref)) < 0.5,
          "noise: libebur128 %.3f, ref %.3f", db(ebur128_tp(in, n)), db(ref));

    /* a peak between the last two samples is found (the signal is taken
     * to end in silence, as the reference does) */
    memset(in[0], 0, sizeof(float) * n);
    memset(in[1], 0, sizeof(float) * n);
    in[0][n - 2] = in[0][n - 1] = 0.5;
    in[1][n - 1] = -0.1;
    ref = true_peak_ref(in[0], n);
    got = meter_peak(in, n, 0);
    CHECK(ref > 0.55 && fabs(db(got) - db(ref)) < 0.02,
          "tail: meter %.3f, ref %.3f", db(got), db(ref));
    free_pl(in);
}

static void test_bad_args(void)
{
    TruePeakLimiter *l = (TruePeakLimiter *)1;

    CHECK(limiter_create(&l, SR, 0, -1, 0.0015, 0.1) < 0 && !l, "0 channels");
    CHECK(limiter_create(&l, SR, 2, 3, 0.0015, 0.1) < 0, "ceiling > 0");
    CHECK(limiter_create(&l, SR, 2, -1, NAN, 0.1) < 0, "NAN lookahead");
    limiter_free(&l); /* NULL is fine */
}

int main(void)
{
    test_quiet_bit_exact();
    test_latency();
    test_in_place();
    test_ceiling();
    test_linked_and_release();
    test_needed();
    test_meter();
    test_bad_args();
    return check_summary();
}
