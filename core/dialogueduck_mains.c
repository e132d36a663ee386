/*
 * dialogueduck engine: mains hum and buzz combed out of the speech band
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
 * Hum and buzz from the mains (a ground loop, a dimmer, a fluorescent
 * ballast) repeat at its period, 20 ms at 50 Hz, 16.7 ms at 60 Hz, all
 * their harmonics with it. y(t) - y(t - period) takes every one of them
 * out and leaves any other sound: a voice, whose period is its own,
 * room tone, a whisper. Broadband sound comes out with twice its power
 * (the comb's gain averaged over frequency), so the energy read is half
 * the output's: what the speech band would read without the hum.
 *
 * A fan's or a camera's whine repeats too, at a period of its own. A
 * third comb looks for it where the band holds floor only: the floor's
 * power spectrum, averaged over such moments, gives its autocorrelation,
 * and the lag from 10 to 20 ms where that peaks is a whole number of the
 * whine's periods (and of its harmonics'); a comb at that lag takes it out
 * as the others take out the mains. Teeth 50-100 Hz apart treat a voice's
 * harmonics as the mains combs do. A floor of noise alone correlates far
 * less at such lags: under FIND_CORR no period is taken.
 *
 * The period is rarely a whole number of band-rate samples (60 Hz at
 * 16 kHz: 266.67); the delayed sample is interpolated between its two
 * neighbours. The interpolation's error leaves a harmonic of 60 Hz at
 * 16 kHz 65 dB down at 180 Hz, 35 dB at 1 kHz, 24 dB at 2 kHz and 12 dB
 * at 4 kHz: a buzz's energy is mostly in its low harmonics. Of the
 * multiples of a whine's period in the range, the one nearest a whole
 * number of samples is taken. All combs read one ring, and digital
 * silence into a ring of zeros costs a scan.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define FIND_MIN_HZ 50.0     /* the lags searched: 1 / 50 s ... */
#define FIND_MAX_HZ 100.0    /* ... down to 1 / 100 s */
#define FIND_CORR   0.5      /* correlation at the lag: half the floor repeats */
#define FIND_KEEP   0.05     /* a new lag must correlate this much more */
#define FIND_NEAR   0.98     /* multiples this close to the best are equal */
#define FIND_AVG    0.25     /* weight of each new floor spectrum */
#define HALF_POWER  0.70710678118654752440 /* sqrt(1/2): the comb doubles the power */

static void set_period(DDMainsComb *c, int k, double period)
{
    c->whole[k] = (int)period;
    c->frac[k] = period - c->whole[k];
}

int dd_mains_init(DDMainsComb *c, int rate, const DDAllocator *al)
{
    static const double hz[2] = { 50.0, 60.0 };

    /* the block read, the longest period and its neighbour fit the ring */
    if (!(rate / FIND_MIN_HZ + 2 + DD_MAINS_RING / 4 <= DD_MAINS_RING) ||
        !(rate / FIND_MAX_HZ >= 2.0))
        return DD_ERROR_INVAL;
    for (int k = 0; k < 2; k++)
        set_period(c, k, rate / hz[k]);
    c->whole[DD_MAINS_FOUND] = 0;
    c->lag_lo = (int)(rate / FIND_MAX_HZ);
    c->lag_hi = (int)(rate / FIND_MIN_HZ);
    c->rate = rate;
    c->pitch_lo = rate / DD_PITCH_MAX_HZ;
    c->pitch_hi = rate / DD_PITCH_MIN_HZ;
    return dd_fft_create(&c->fft, DD_MAINS_FFT, al);
}

void dd_mains_uninit(DDMainsComb *c, const DDAllocator *al)
{
    dd_fft_free(&c->fft, al);
}

/* n samples y, already in the ring, through comb k: the energy out into
 * c->acc[k], and with out, the output at the power broadband sound had. */
static inline void comb_block(DDMainsComb *c, int k, const double *y, int n,
                              double *out)
{
    const unsigned mask = DD_MAINS_RING - 1;
    const double *r = c->ring, f = c->frac[k];
    const int w = c->whole[k];
    double acc = c->acc[k];

    for (int i = 0; i < n; i++) {
        uint64_t p = c->pos + i;
        double e = y[i] - ((1.0 - f) * r[(p - w) & mask] +
                           f * r[(p - w - 1) & mask]);

        acc += e * e;
        if (out)
            out[i] = e * HALF_POWER;
    }
    c->acc[k] = acc;
}

void dd_mains_run(DDMainsComb *c, const double *y, int n, double *found)
{
    const unsigned mask = DD_MAINS_RING - 1;
    const uint64_t pos = c->pos;
    int tail = 0;

    /* digital silence into a ring of zeros: zeros out (acc + 0.0 is
     * acc), the ring as it is; only where the block ends is counted */
    while (tail < n && y[n - 1 - tail] == 0.0)
        tail++;
    if (tail == n && c->zeros >= DD_MAINS_RING) {
        memset(found, 0, n * sizeof(*found));
        c->pos = pos + n;
        return;
    }
    /* the block first: the oldest sample read, a period before it, is
     * not overwritten (init keeps periods under 3/4 of the ring) */
    for (int i = 0; i < n; i++)
        c->ring[(pos + i) & mask] = y[i];
    for (int k = 0; k < DD_MAINS_FOUND; k++)
        comb_block(c, k, y, n, NULL);
    if (c->whole[DD_MAINS_FOUND])
        comb_block(c, DD_MAINS_FOUND, y, n, found);
    else
        memcpy(found, y, n * sizeof(*found));
    c->pos = pos + n;
    tail = tail == n ? c->zeros + n : tail;
    c->zeros = tail < DD_MAINS_RING ? tail : DD_MAINS_RING;
}

int dd_mains_primed(const DDMainsComb *c, int k, int n)
{
    return c->whole[k] && c->pos >= (uint64_t)n + c->whole[k] + 1;
}

/* The floor's autocorrelation over lags, each as a share of the power
 * (lag 0), from the averaged power spectrum: into c->re. With lowpass:
 * of the floor as the voicing reads it, through a 4th-order Butterworth
 * at DD_VOICING_HZ. */
static void floor_correlation(DDMainsComb *c, int lowpass)
{
    const int *order = dd_fft_order(c->fft);
    double total = 0.0;

    for (int j = 0; j < DD_MAINS_FFT; j++) {
        int bin = j <= DD_MAINS_FFT / 2 ? j : DD_MAINS_FFT - j;
        double f = (double)bin * c->rate / DD_MAINS_FFT / DD_VOICING_HZ;
        double w = lowpass ? 1.0 / (1.0 + f * f * f * f * f * f * f * f) : 1.0;

        c->re[order[j]] = (float)(c->power[order[j]] * w);
        c->im[order[j]] = 0.0f;
        total += c->power[order[j]] * w;
    }
    for (int i = 0; i < DD_MAINS_FFT; i++)
        c->re[i] = (float)(c->re[i] / total);
    dd_fft_inverse(c->fft, c->re, c->im);
    /* a lag's sum has DD_MAINS_RING - lag products in it */
    for (int lag = c->lag_hi + 1; lag >= 1; lag--)
        c->re[lag] = c->re[lag] / c->re[0] * DD_MAINS_RING /
                     (DD_MAINS_RING - lag);
    c->re[0] = 1.0f;
}

/* The peak of the correlation at lag (a local maximum), refined between
 * its neighbours: its position into *at, its height returned. */
static double refine(const float *r, int lag, double *at)
{
    double a = r[lag - 1], b = r[lag], c = r[lag + 1];
    double x = dd_parabola(a, b, c);

    *at = lag + x;
    return b - 0.25 * (a - c) * x;
}

/* The floor's highest correlation in the voice's pitch range as the
 * voicing reads it: a whine there would read as a held tone. */
static double pitch_range_correlation(DDMainsComb *c)
{
    double pitch = 0.0;

    floor_correlation(c, 1);
    for (int lag = c->pitch_lo; lag <= c->pitch_hi; lag++)
        if (c->re[lag] > pitch)
            pitch = c->re[lag];
    return pitch;
}

int dd_mains_listen(DDMainsComb *c)
{
    const unsigned mask = DD_MAINS_RING - 1;
    const int k = DD_MAINS_FOUND;
    double best = 0.0, at = 0.0, now = -1.0, energy = 0.0;
    double period = c->whole[k] + c->frac[k], held;
    int keep;

    if (c->pos < DD_MAINS_RING)
        return 0;
    for (int i = 0; i < DD_MAINS_RING; i++) {
        double v = c->ring[(c->pos + i) & mask];
        c->re[i] = (float)v;
        c->im[i] = 0.0f;
        energy += v * v;
    }
    if (!(energy > 0.0))
        return 0;
    for (int i = DD_MAINS_RING; i < DD_MAINS_FFT; i++)
        c->re[i] = c->im[i] = 0.0f;
    dd_fft_forward(c->fft, c->re, c->im);
    for (int i = 0; i < DD_MAINS_FFT; i++) {
        double p = (double)c->re[i] * c->re[i] + (double)c->im[i] * c->im[i];
        c->power[i] = c->heard ? (1.0 - FIND_AVG) * c->power[i] +
                                 FIND_AVG * p : p;
    }
    c->heard++;
    floor_correlation(c, 0);

    for (int lag = c->lag_lo; lag <= c->lag_hi; lag++)
        if (c->re[lag] > best)
            best = c->re[lag];
    /* of the peaks as high as the best (multiples of one period), the
     * one nearest a whole number of samples */
    best *= FIND_NEAR;
    for (int lag = c->lag_lo; lag <= c->lag_hi; lag++) {
        double pos, height;

        if (c->re[lag] < c->re[lag - 1] || c->re[lag] < c->re[lag + 1] ||
            c->re[lag] < best)
            continue;
        height = refine(c->re, lag, &pos);
        if (now < 0.0 || fabs(pos - lrint(pos)) < fabs(at - lrint(at))) {
            at = pos;
            now = height;
        }
    }
    /* the period already combed, as the floor now correlates at it */
    held = c->whole[k] ? c->re[lrint(period)] : 0.0;
    keep = held >= FIND_CORR && now < held + FIND_KEEP;
    if (!keep && now < FIND_CORR) {
        if (!c->whole[k])
            return 0;
        c->whole[k] = c->pitched = 0;
        c->acc[k] = 0.0;
        return 1;
    }
    c->pitched = pitch_range_correlation(c) >= FIND_CORR;
    if (keep)
        return 0;
    set_period(c, k, at);
    c->acc[k] = 0.0;
    return 1;
}
