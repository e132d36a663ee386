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
 * The period is rarely a whole number of band-rate samples (60 Hz at
 * 16 kHz: 266.67); the delayed sample is interpolated between its two
 * neighbours. The interpolation's error leaves a harmonic of 60 Hz at
 * 16 kHz 65 dB down at 180 Hz, 35 dB at 1 kHz, 24 dB at 2 kHz and 12 dB
 * at 4 kHz: a buzz's energy is mostly in its low harmonics. Both combs
 * read one ring, and digital silence into a ring of zeros costs a scan.
 */

#include "dialogueduck_internal.h"

int dd_mains_init(DDMainsComb *c, int rate)
{
    static const double hz[DD_MAINS_N] = { 50.0, 60.0 };

    for (int k = 0; k < DD_MAINS_N; k++) {
        double period = rate / hz[k];

        if (!(period >= 1.0) || period + 2.0 > DD_MAINS_RING)
            return DD_ERROR_INVAL;
        c->whole[k] = (int)period;
        c->frac[k] = period - c->whole[k];
    }
    return DD_OK;
}

void dd_mains_run(DDMainsComb *c, const double *y, int n)
{
    const unsigned mask = DD_MAINS_RING - 1;
    const int w0 = c->whole[0], w1 = c->whole[1];
    const double f0 = c->frac[0], f1 = c->frac[1];
    uint64_t pos = c->pos;
    double acc0 = c->acc[0], acc1 = c->acc[1];
    int tail = 0;

    /* digital silence into a ring of zeros: zeros out (acc + 0.0 is
     * acc), the ring as it is; only where the block ends is counted */
    while (tail < n && y[n - 1 - tail] == 0.0)
        tail++;
    if (tail == n && c->zeros >= DD_MAINS_RING) {
        c->pos = pos + n;
        return;
    }
    for (int i = 0; i < n; i++, pos++) {
        const double *r = c->ring;
        double p0 = (1.0 - f0) * r[(pos - w0) & mask] +
                    f0 * r[(pos - w0 - 1) & mask];
        double p1 = (1.0 - f1) * r[(pos - w1) & mask] +
                    f1 * r[(pos - w1 - 1) & mask];

        c->ring[pos & mask] = y[i];
        acc0 += (y[i] - p0) * (y[i] - p0);
        acc1 += (y[i] - p1) * (y[i] - p1);
    }
    c->pos = pos;
    c->acc[0] = acc0;
    c->acc[1] = acc1;
    tail = tail == n ? c->zeros + n : tail;
    c->zeros = tail < DD_MAINS_RING ? tail : DD_MAINS_RING;
}

int dd_mains_primed(const DDMainsComb *c, int k, int n)
{
    return c->pos >= (uint64_t)n + c->whole[k] + 1;
}
