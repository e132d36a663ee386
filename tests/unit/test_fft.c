/*
 * Unit tests of the engine's FFT (core/dialogueduck_fft.c): every size
 * from 8 to 4096, radix-4 only and with the radix-2 stage,
 * against a direct DFT in double precision; the order table a
 * permutation; inverse(forward(z)) = n z; the same input twice gives the
 * same bits; and sizes that are not powers of two refused.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dialogueduck.h"
#include "dialogueduck_internal.h"

static unsigned rng_state = 11;

static float noise(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((double)(rng_state >> 8) / (1 << 24) - 0.5);
}

/* Largest error of the forward transform (re, im) of z (interleaved)
 * against the direct DFT, relative to the largest bin. */
static double forward_error(const DDFFT *f, const float *z, const float *re,
                            const float *im, int n)
{
    const int *pos = dd_fft_order(f);
    double err = 0.0, top = 0.0;

    for (int k = 0; k < n; k++) {
        double sr = 0.0, si = 0.0;
        for (int t = 0; t < n; t++) {
            double a = -2.0 * M_PI * (double)((long)k * t % n) / n;
            sr += z[2 * t] * cos(a) - z[2 * t + 1] * sin(a);
            si += z[2 * t] * sin(a) + z[2 * t + 1] * cos(a);
        }
        err = fmax(err, hypot(re[pos[k]] - sr, im[pos[k]] - si));
        top = fmax(top, hypot(sr, si));
    }
    return err / top;
}

static void test_size(int n)
{
    DDFFT *f;
    float *z = malloc(2 * n * sizeof(*z)), *y = malloc(4 * n * sizeof(*y));
    int *seen = calloc(n, sizeof(*seen)), perm = 1;
    double back = 0.0, err;

    if (!z || !y || !seen || dd_fft_create(&f, n, NULL) < 0) {
        CHECK(0, "n %d: setup failed", n);
        return;
    }
    for (int i = 0; i < 2 * n; i++)
        z[i] = noise();
    for (int r = 0; r < 2; r++) {
        for (int i = 0; i < n; i++) {
            y[2 * r * n + i] = z[2 * i];
            y[(2 * r + 1) * n + i] = z[2 * i + 1];
        }
        dd_fft_forward(f, y + 2 * r * n, y + (2 * r + 1) * n);
    }
    CHECK(!memcmp(y, y + 2 * n, 2 * n * sizeof(*y)),
          "n %d: not deterministic", n);
    for (int k = 0; k < n; k++) {
        int p = dd_fft_order(f)[k];
        perm &= p >= 0 && p < n && !seen[p];
        if (p >= 0 && p < n)
            seen[p] = 1;
    }
    CHECK(perm, "n %d: the order is not a permutation", n);
    err = forward_error(f, z, y, y + n, n);
    CHECK(err < 1e-5, "n %d: forward error %g", n, err);
    dd_fft_inverse(f, y, y + n);
    for (int i = 0; i < n; i++)
        back = fmax(back, fmax(fabs(y[i] / n - z[2 * i]),
                               fabs(y[n + i] / n - z[2 * i + 1])));
    CHECK(back < 1e-5, "n %d: inverse(forward) off by %g", n, back);
    dd_fft_free(&f, NULL);
    CHECK(f == NULL, "n %d: free leaves the pointer", n);
    free(z);
    free(y);
    free(seen);
}

int main(void)
{
    DDFFT *f = (DDFFT *)&f;

    for (int n = 8; n <= 4096; n *= 2)
        test_size(n);
    CHECK(dd_fft_create(&f, 1000, NULL) == DD_ERROR_INVAL && !f,
          "n 1000 accepted");
    f = (DDFFT *)&f;
    CHECK(dd_fft_create(&f, 4, NULL) == DD_ERROR_INVAL && !f, "n 4 accepted");
    return check_summary();
}
