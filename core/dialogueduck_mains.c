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
 * neighbours. At a harmonic f the interpolation's error leaves the
 * harmonic about 35 dB down at 1 kHz and 13 dB down at 4 kHz (16 kHz):
 * a buzz's energy is mostly in its low harmonics.
 */

#include "dialogueduck_internal.h"

int dd_mains_init(DDMainsComb *c, double period)
{
    if (!(period >= 1.0) || period + 2.0 > DD_MAINS_RING)
        return DD_ERROR_INVAL;
    c->whole = (int)period;
    c->frac = period - c->whole;
    return DD_OK;
}

void dd_mains_run(DDMainsComb *c, const double *y, int n)
{
    const unsigned mask = DD_MAINS_RING - 1;
    uint64_t pos = c->pos;
    double acc = c->acc;

    for (int i = 0; i < n; i++, pos++) {
        double past = (1.0 - c->frac) * c->ring[(pos - c->whole) & mask] +
                      c->frac * c->ring[(pos - c->whole - 1) & mask];
        double out = y[i] - past;

        c->ring[pos & mask] = y[i];
        acc += out * out;
    }
    c->pos = pos;
    c->acc = acc;
}

int dd_mains_primed(const DDMainsComb *c, int n)
{
    return c->pos >= (uint64_t)n + c->whole + 1;
}
