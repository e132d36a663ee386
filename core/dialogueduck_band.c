/*
 * dialogueduck engine: the speech band of spectral ducking
 *
 * This file is part of dialogueduck.
 *
 * dialogueduck is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * dialogueduck is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with dialogueduck; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
 */

/*
 * Spectral ducking renders x + (g - 1) * band(x). That only lowers the band
 * by g and leaves the rest alone if band(x) is in phase with x: a minimum
 * phase band-pass (biquads) cancels at its centre and boosts elsewhere.
 * So the band is a zero-phase FIR, centred on the sample it filters: it
 * reads `half` samples on each side, which the caller provides from the
 * lookahead delay (the engine) or by lagging its output (the renderer).
 *
 * The kernel is the difference of two Kaiser-windowed sinc low-passes (at
 * band_high and band_low) sharing one centre, so its response is real,
 * about 1 inside the band and 0 outside, with monotonic transitions: from
 * band_low / 3 to band_low, and from band_high to band_high * 40 / 17
 * (3.4 kHz -> 8 kHz). The length follows from the narrower transition.
 * There is no recursive state: exact zeros in give exact zeros out.
 */

#include <math.h>

#include "dialogueduck_internal.h"

#define STOP_DB   50.0          /* Kaiser design attenuation */
#define LOW_STOP  (1.0 / 3.0)   /* stop band below band_low * LOW_STOP */
#define HIGH_STOP (40.0 / 17.0) /* stop band above band_high * HIGH_STOP */

/* Transition edges of the high side; 0: the band reaches Nyquist. */
static double high_stop(double high, int sample_rate)
{
    double nyq = 0.5 * sample_rate, stop = high * HIGH_STOP;

    if (high >= 0.9 * nyq)
        return 0.0;
    return stop < nyq ? stop : nyq;
}

int dd_band_half_length(double low, double high, int sample_rate)
{
    double width = low * (1.0 - LOW_STOP), stop = high_stop(high, sample_rate);
    double n;

    if (stop > 0.0 && stop - high < width)
        width = stop - high;
    n = (STOP_DB - 8.0) / (2.285 * 2.0 * DD_PI * width / sample_rate);
    return (int)ceil(n / 2.0);
}

/* Zeroth-order modified Bessel function, by its power series. */
static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0;

    for (int k = 1; k < 50 && term > 1e-12 * sum; k++) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
    }
    return sum;
}

/* Ideal low-pass impulse response at cutoff fc (fraction of the rate). */
static double sinc_lp(double fc, int k)
{
    return k ? sin(2.0 * DD_PI * fc * k) / (DD_PI * k) : 2.0 * fc;
}

int dd_band_create(DDBand **out, double low, double high, int sample_rate,
                   const DDAllocator *al)
{
    DDBand *b = dd_alloc(al, sizeof(*b));
    double beta = 0.1102 * (STOP_DB - 8.7), stop = high_stop(high, sample_rate);
    double fl = low * (1.0 + LOW_STOP) / 2.0 / sample_rate;
    double fh = (high + stop) / 2.0 / sample_rate;
    int half;

    *out = NULL;
    if (!b)
        return DD_ERROR_NOMEM;
    b->half = half = dd_band_half_length(low, high, sample_rate);
    if (!(b->h = dd_alloc_array(al, 2 * half + 1, sizeof(*b->h)))) {
        dd_free(al, b);
        return DD_ERROR_NOMEM;
    }
    for (int k = 0; k <= half; k++) {
        double r = (double)k / half;
        double w = bessel_i0(beta * sqrt(1.0 - r * r)) / bessel_i0(beta);
        double hi = stop > 0.0 ? sinc_lp(fh, k) : (k == 0);
        b->h[half + k] = b->h[half - k] = (float)(w * (hi - sinc_lp(fl, k)));
    }
    *out = b;
    return DD_OK;
}

void dd_band_free(DDBand **b, const DDAllocator *al)
{
    if (!*b)
        return;
    dd_free(al, (*b)->h);
    dd_free(al, *b);
    *b = NULL;
}

/* Eight running sums in a fixed order: the compiler may vectorize them
 * without changing the result, so every build of one source agrees with
 * itself whatever the block sizes. */
float dd_band_run(const DDBand *b, const float *x)
{
    const float *h = b->h, *s = x - b->half;
    int n = 2 * b->half + 1, k = 0;
    float acc[8] = { 0 }, sum;

    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++)
            acc[j] += h[k + j] * s[k + j];
    sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) +
          ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; k < n; k++)
        sum += h[k] * s[k];
    return sum;
}
