/*
 * Unit tests of the prediction of the limiter's loss of loudness
 * (limitloss.h) against the limiter itself: a programme with loud
 * transients over a bed, recorded as the analysis records it (the
 * meter's levels and parts, the predictor's peaks, fed in different
 * chunks), then for gains from no limiting to about 10 dB of reduction,
 * the predicted loudness against the limiter's output measured by the
 * meter, within the write pass's tolerance (0.1 LU); the gain solved for
 * a target lands there; the segment parts add up to what the meter
 * gates; rates whose 100 ms is not whole predict nothing.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>

#include "check.h"
#include "limiter.h"
#include "limitloss.h"
#include "loudness.h"

#define SR 48000
#define CH 2
#define SECONDS 30
#define N (SR * SECONDS)
#define CEIL -1.0

static uint32_t rng = 2024;

static double frand(void) /* uniform in [-1, 1) */
{
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) / 8388608.0 - 1;
}

/*
 * A bed of filtered noise around -20 dBFS, and every 60 to 400 ms a
 * transient: a decaying chord of a low and a high partial, peaking
 * between -12 and 0 dBFS, different in each channel.
 */
static void programme(float *x[CH])
{
    double lp[CH] = { 0 };
    int next = 0;

    for (int c = 0; c < CH; c++)
        memset(x[c], 0, N * sizeof(float));
    for (int i = 0; i < N; i++)
        for (int c = 0; c < CH; c++) {
            lp[c] += 0.3 * (frand() - lp[c]);
            x[c][i] = (float)(0.25 * lp[c]);
        }
    while (next < N) {
        double amp = pow(10, (-12 + 12 * (frand() + 1) / 2) / 20);
        double f1 = 60 + 100 * (frand() + 1), f2 = 2000 + 3000 * (frand() + 1);
        int len = SR / 4;
        for (int c = 0; c < CH; c++) {
            double ph = M_PI * frand();
            for (int j = 0; j < len && next + j < N; j++) {
                double t = (double)j / SR, env = exp(-t * 25);
                x[c][next + j] += (float)(amp * env *
                    (0.6 * sin(2 * M_PI * f1 * t + ph) +
                     0.4 * sin(2 * M_PI * f2 * t + c)));
            }
        }
        next += SR * 6 / 100 + (int)((frand() + 1) / 2 * SR * 34 / 100);
    }
}

/* The programme recorded in chunks of varying size. */
static int record(float *x[CH], LoudnessLevels **levels, LimitLoss **loss,
                  double *lufs)
{
    LoudnessMeter *m;
    const float *p[CH];
    int ret;

    if ((ret = loudness_meter_create(&m, SR, NULL, CH, LOUDNESS_RECORD)) < 0 ||
        (ret = limitloss_create(loss, SR, CH)) < 0)
        return ret;
    for (int i = 0, n; i < N; i += n) {
        n = 1 + (int)((frand() + 1) * 1500);
        if (n > N - i)
            n = N - i;
        for (int c = 0; c < CH; c++)
            p[c] = x[c] + i;
        if ((ret = loudness_meter_add(m, p, n, 0)) < 0)
            break;
    }
    for (int i = 0, n; ret >= 0 && i < N; i += n) {
        n = 1 + (int)((frand() + 1) * 700);
        if (n > N - i)
            n = N - i;
        for (int c = 0; c < CH; c++)
            p[c] = x[c] + i;
        ret = limitloss_add(*loss, p, n);
    }
    if (ret >= 0 &&
        (ret = loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, lufs)) >= 0)
        ret = loudness_meter_take_levels(m, levels);
    loudness_meter_free(&m);
    return ret;
}

/* The loudness the limiter delivers after gain_db. */
static double limited(float *x[CH], float *y[CH], double gain_db)
{
    float g = (float)pow(10, gain_db / 20);
    TruePeakLimiter *l;
    LoudnessMeter *m;
    double lufs = NAN;
    int n;

    for (int c = 0; c < CH; c++)
        for (int i = 0; i < N; i++)
            y[c][i] = x[c][i] * g;
    if (limiter_create(&l, SR, CH, CEIL, LIMITER_LOOKAHEAD_DEFAULT,
                       LIMITER_RELEASE_DEFAULT) < 0)
        return NAN;
    n = limiter_process(l, (const float *const *)y, y, N);
    {
        float *tail[CH] = { y[0] + n, y[1] + n };
        n += limiter_flush(l, tail);
    }
    limiter_free(&l);
    if (n == N && loudness_meter_create(&m, SR, NULL, CH, 0) >= 0) {
        if (loudness_meter_add(m, (const float *const *)y, N, 0) >= 0)
            loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &lufs);
        loudness_meter_free(&m);
    }
    return lufs;
}

int main(void)
{
    float *x[CH], *y[CH];
    LoudnessLevels *levels = NULL;
    LimitLoss *loss = NULL, *none = NULL;
    double lufs0 = NAN, from_levels, max_loss = 0;
    const uint8_t *parts;
    int ret;

    for (int c = 0; c < CH; c++)
        if (!(x[c] = malloc(N * sizeof(float))) ||
            !(y[c] = malloc(N * sizeof(float))))
            return 1;
    programme(x);
    ret = record(x, &levels, &loss, &lufs0);
    CHECK(ret >= 0 && levels && isfinite(lufs0), "recording failed: %d", ret);
    if (ret < 0 || !levels)
        return check_summary();

    /* the parts are the segments' energy cut in ten */
    parts = loudness_levels_parts(levels);
    CHECK(parts != NULL, "no parts recorded");
    CHECK(loudness_levels_count(levels) == N / (SR / 10), "%zu segments",
          loudness_levels_count(levels));
    ret = loudness_levels_integrated(levels, NULL, 0, 1.0, &from_levels);
    CHECK(ret == 0 && fabs(from_levels - lufs0) < 1e-9,
          "levels read %.6f LUFS, the meter %.6f", from_levels, lufs0);
    if (parts) {
        float *scale = malloc(loudness_levels_count(levels) * sizeof(*scale));
        double lufs;
        /* scaling by the parts' sum over the segment's energy is 1 when the
         * parts add up to it: the loudness must not move */
        for (size_t i = 0; scale && i < loudness_levels_count(levels); i++)
            scale[i] = 1;
        ret = loudness_levels_integrated(levels, scale,
                                         loudness_levels_count(levels), 2.0,
                                         &lufs);
        CHECK(ret == 0 && fabs(lufs - (lufs0 + 20 * log10(2.0))) < 1e-6,
              "gain 2: %.6f LUFS from %.6f", lufs, lufs0);
        free(scale);
    }

    /* from no limiting (the peaks reach -4 dB under the ceiling at the
     * first gain) to about 10 dB of reduction */
    for (double gain = -3; gain <= 9; gain += 2) {
        double pred, real = limited(x, y, gain);
        ret = limitloss_loudness(loss, levels, gain, CEIL, &pred);
        CHECK(ret == 0 && fabs(pred - real) <= 0.1,
              "gain %+.1f dB: predicted %.3f LUFS, the limiter delivers %.3f",
              gain, pred, real);
        printf("gain %+5.1f dB: linear %.3f, limited %.3f, predicted %.3f "
               "LUFS\n", gain, lufs0 + gain, real, pred);
        if (lufs0 + gain - real > max_loss)
            max_loss = lufs0 + gain - real;
    }
    /* the limiter took enough that ignoring it would miss */
    CHECK(max_loss > 1, "the limiter took at most %.2f LU", max_loss);

    /* a target the linear gain misses: the predicted gain lands */
    for (double target = lufs0 + 2; target <= lufs0 + 6; target += 2) {
        double gain = target - lufs0, real;
        ret = limitloss_gain(loss, levels, target, CEIL, &gain);
        real = limited(x, y, gain);
        CHECK(ret == 0 && fabs(real - target) <= 0.1,
              "target %.2f: gain %+.2f dB delivers %.3f LUFS", target, gain,
              real);
        CHECK(gain > target - lufs0, "target %.2f: gain %+.2f not raised",
              target, gain);
    }

    /* nothing is predicted where the blocks cannot tile 100 ms */
    CHECK(limitloss_create(&none, 44101, CH) == AVERROR(ENOSYS) && !none,
          "44101 Hz accepted");

    limitloss_free(&loss);
    loudness_levels_free(&levels);
    for (int c = 0; c < CH; c++) {
        free(x[c]);
        free(y[c]);
    }
    return check_summary();
}
