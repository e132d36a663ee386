/*
 * Unit tests of the program's level helpers on the two things that make
 * their cost or their readings depend on the material:
 *
 * - true peak on the EBU Tech 3341 true-peak signals (sines at fs/4,
 *   fs/6 and fs/8 whose samples miss the crest, synthesized from the
 *   spec's definitions rather than read from its files): the limiter's
 *   detector, as a meter and inside the loudness meter, must read what
 *   the waveform's crest is and what libebur128 reads, within 0.05 dB;
 * - digital silence: after full scale followed by exact zeros, no value
 *   of the limiter's, the true-peak meter's or the loudness meter's state
 *   is subnormal (fpclassify), so nothing runs at the slow subnormal speed
 *   whatever the stem holds. Checked on the state, not by timing.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>

#include "check.h"
#include "limiter.h"
#include "loudness.h"
#include "ebur128_ref.h"

#define SR 48000
#define CH 2
#define FADE (SR / 50)

static double db(double x)
{
    return 20 * log10(x);
}

static float **planes(int n)
{
    float **p = malloc(CH * sizeof(*p));
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

static double ebur128_tp(float **pl, int n)
{
    return ebur128_tp_ref(pl, CH, SR, n);
}

/*
 * One Tech 3341 style case: a sine of the given period (samples) and crest
 * amplitude, its phase chosen so that no sample lands on a crest; the
 * meter must read the crest. Both channels carry it, 1 s long.
 */
static void check_tp_case(const char *name, double period, double phase,
                          double crest_db)
{
    const int n = SR;
    double amp = pow(10, crest_db / 20), sp = 0, got, lib, in_meter;
    float **x = planes(n);
    TruePeakMeter *tp;
    LoudnessMeter *lm;

    for (int i = 0; i < n; i++) {
        /* 20 ms raised-cosine fades: an abrupt start or end would add its
         * own overshoot to the steady crest */
        int e = i < n - 1 - i ? i : n - 1 - i;
        double fade = e < FADE ? 0.5 - 0.5 * cos(M_PI * e / FADE) : 1;
        x[0][i] = x[1][i] =
            (float)(fade * amp * sin(2 * M_PI * i / period + phase));
        sp = fmax(sp, fabs(x[0][i]));
    }
    CHECK(db(amp) - db(sp) > 0.5, "%s: setup: samples hit the crest", name);

    truepeak_meter_create(&tp, CH);
    truepeak_meter_add(tp, (const float *const *)x, n);
    got = truepeak_meter_peak(tp);
    truepeak_meter_free(&tp);

    loudness_meter_create(&lm, SR, NULL, CH, LOUDNESS_TRUE_PEAK);
    loudness_meter_add(lm, (const float *const *)x, n, 0);
    in_meter = loudness_meter_true_peak(lm);
    CHECK(fabs(loudness_meter_sample_peak(lm) - (float)sp) == 0,
          "%s: sample peak %.9f, want %.9f", name,
          loudness_meter_sample_peak(lm), sp);
    loudness_meter_free(&lm);

    lib = ebur128_tp(x, n);
    printf("%s: meter %.3f, libebur128 %.3f, crest %.3f, sample peak %.3f\n",
           name, db(got), db(lib), crest_db, db(sp));
    CHECK(fabs(db(got) - crest_db) < 0.05, "%s: meter %.3f dBTP, crest %.3f",
          name, db(got), crest_db);
    CHECK(fabs(db(got) - db(lib)) < 0.05, "%s: meter %.3f, libebur128 %.3f",
          name, db(got), db(lib));
    CHECK(in_meter == got, "%s: loudness meter reads %.4f, true-peak meter %.4f",
          name, db(in_meter), db(got));
    free_pl(x);
}

static void test_tech3341_true_peak(void)
{
    /* cases 15-18: -6 dBTP at fs/4, fs/6, fs/8 with the samples off the
     * crest; case 19: fs/4 at 45 degrees, samples at 0 dBFS, +3 dBTP */
    check_tp_case("fs/4 -6 dBTP", 4, M_PI / 4, -6.0);
    check_tp_case("fs/6 -6 dBTP", 6, 0, -6.0);
    check_tp_case("fs/8 -6 dBTP", 8, M_PI / 8, -6.0);
    check_tp_case("fs/4 +3 dBTP", 4, M_PI / 4, 20 * log10(sqrt(2)));
}

/* Full scale noise-like chords for a second, then exact zeros for two. */
static float **loud_then_silent(int *len)
{
    const int loud = SR, n = 3 * SR;
    float **x = planes(n);

    for (int i = 0; i < loud; i++) {
        double t = (double)i / SR;
        x[0][i] = (float)(0.5 * sin(2 * M_PI * 997 * t) +
                          0.5 * sin(2 * M_PI * 11025 * t));
        x[1][i] = (float)(0.5 * sin(2 * M_PI * 60 * t) +
                          0.5 * sin(2 * M_PI * 19000 * t + 1));
    }
    *len = n;
    return x;
}

static void test_no_subnormal_state(void)
{
    int n, o = 0;
    float **x = loud_then_silent(&n), **y = planes(n);
    TruePeakLimiter *l;
    TruePeakMeter *tp;
    LoudnessMeter *lm;
    LimiterStats st;

    /* a ceiling the chords cross, so the gain moves and releases */
    limiter_create(&l, SR, CH, -6, LIMITER_LOOKAHEAD_DEFAULT,
                   LIMITER_RELEASE_DEFAULT);
    for (int i = 0; i < n; i += 1024) {
        const float *in[CH] = { x[0] + i, x[1] + i };
        float *out[CH] = { y[0] + o, y[1] + o };
        o += limiter_process(l, in, out, n - i < 1024 ? n - i : 1024);
    }
    o += limiter_flush(l, (float *[CH]){ y[0] + o, y[1] + o });
    limiter_get_stats(l, &st);
    CHECK(o == n, "limiter wrote %d of %d", o, n);
    CHECK(st.samples_limited > 0, "setup: the limiter never acted");
    CHECK(limiter_subnormal_state(l) == 0, "limiter: %d subnormal values",
          limiter_subnormal_state(l));
    CHECK(limiter_count_subnormal_f(y[0], n) + limiter_count_subnormal_f(y[1], n) == 0,
          "limiter output has subnormal samples");
    CHECK(y[0][n - 1] == 0 && y[1][n - 1] == 0, "silence not exact at the end");
    limiter_free(&l);

    truepeak_meter_create(&tp, CH);
    truepeak_meter_add(tp, (const float *const *)x, n);
    CHECK(truepeak_meter_subnormal_state(tp) == 0,
          "true-peak meter: %d subnormal values",
          truepeak_meter_subnormal_state(tp));
    truepeak_meter_free(&tp);

    loudness_meter_create(&lm, SR, NULL, CH, LOUDNESS_TRUE_PEAK |
                          LOUDNESS_DIALOGUE | LOUDNESS_HISTORY);
    loudness_meter_add(lm, (const float *const *)x, n / 2, 1);
    loudness_meter_add(lm, (const float *[CH]){ x[0] + n / 2, x[1] + n / 2 },
                       n - n / 2, 0);
    CHECK(loudness_meter_subnormal_state(lm) == 0,
          "loudness meter: %d subnormal values",
          loudness_meter_subnormal_state(lm));
    loudness_meter_free(&lm);

    /* the check itself sees a subnormal */
    {
        float s[2] = { 0, 1e-40f };
        double d[2] = { 1e-310, 1 };
        CHECK(limiter_count_subnormal_f(s, 2) == 1 &&
              limiter_count_subnormal_d(d, 2) == 1, "fpclassify count");
    }
    free_pl(x);
    free_pl(y);
}

int main(void)
{
    test_tech3341_true_peak();
    test_no_subnormal_state();
    return check_summary();
}
