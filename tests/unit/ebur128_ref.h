/*
 * The reference true peak for the limiter and true-peak tests: libebur128's
 * (EBUR128_MODE_TRUE_PEAK), the largest over the channels of planar float
 * audio.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_TEST_EBUR128_REF_H
#define DD_TEST_EBUR128_REF_H

#include <stdlib.h>

#include <ebur128.h>

static double ebur128_tp_ref(float **pl, int channels, int rate, int n)
{
    ebur128_state *st = ebur128_init(channels, rate, EBUR128_MODE_TRUE_PEAK);
    float *il = malloc(sizeof(float) * n * channels);
    double peak = 0;

    for (int i = 0; i < n; i++)
        for (int c = 0; c < channels; c++)
            il[i * channels + c] = pl[c][i];
    ebur128_add_frames_float(st, il, n);
    for (int c = 0; c < channels; c++) {
        double p;
        ebur128_true_peak(st, c, &p);
        if (p > peak)
            peak = p;
    }
    ebur128_destroy(&st);
    free(il);
    return peak;
}

#endif /* DD_TEST_EBUR128_REF_H */
