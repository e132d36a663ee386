/*
 * dialogueduck engine: a small real FFT for adaptive carving
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
 * Adaptive carving (dialogueduck_carve.c) needs the spectrum of short
 * frames of music and dialogue; the core depends on libm only, so it has
 * its own FFT. An N-point real transform is one N/2-point complex
 * radix-2 transform plus a split step, with every twiddle and the
 * bit-reversal table computed at creation. Single precision: the frames
 * are float, and the result only scales them. Same operations in the same
 * order on every call: bit-identical output.
 */

#include <math.h>

#include "dialogueduck_internal.h"

struct DDFFT {
    int n, h;                   /* real size N, complex size N / 2 */
    int *rev;                   /* bit reversal of h */
    float *cs, *sn;             /* complex twiddles, h / 2 of each */
    float *rc, *rs;             /* split twiddles, h of each */
};

int dd_fft_create(DDFFT **out, int n, const DDAllocator *al)
{
    DDFFT *f;
    int bits = 0;

    *out = NULL;
    if (n < 4 || (n & (n - 1)))
        return DD_ERROR_INVAL;
    if (!(f = dd_alloc(al, sizeof(*f))))
        return DD_ERROR_NOMEM;
    f->n = n;
    f->h = n / 2;
    f->rev = dd_alloc_array(al, f->h, sizeof(*f->rev));
    f->cs = dd_alloc_array(al, f->h, sizeof(*f->cs));
    f->sn = dd_alloc_array(al, f->h, sizeof(*f->sn));
    f->rc = dd_alloc_array(al, f->h, sizeof(*f->rc));
    f->rs = dd_alloc_array(al, f->h, sizeof(*f->rs));
    if (!f->rev || !f->cs || !f->sn || !f->rc || !f->rs) {
        dd_fft_free(&f, al);
        return DD_ERROR_NOMEM;
    }
    while ((1 << bits) < f->h)
        bits++;
    for (int i = 0; i < f->h; i++) {
        int r = 0;
        for (int b = 0; b < bits; b++)
            r |= ((i >> b) & 1) << (bits - 1 - b);
        f->rev[i] = r;
        f->cs[i] = (float)cos(-2.0 * DD_PI * i / f->h);
        f->sn[i] = (float)sin(-2.0 * DD_PI * i / f->h);
        f->rc[i] = (float)cos(-2.0 * DD_PI * i / n);
        f->rs[i] = (float)sin(-2.0 * DD_PI * i / n);
    }
    *out = f;
    return DD_OK;
}

void dd_fft_free(DDFFT **pf, const DDAllocator *al)
{
    DDFFT *f = *pf;

    if (!f)
        return;
    dd_free(al, f->rev);
    dd_free(al, f->cs);
    dd_free(al, f->sn);
    dd_free(al, f->rc);
    dd_free(al, f->rs);
    dd_free(al, f);
    *pf = NULL;
}

/* In-place complex FFT of h points, interleaved re/im; sign -1 forward
 * (twiddles as stored), +1 inverse (conjugated), unscaled. */
static void complex_fft(const DDFFT *f, float *z, float sign)
{
    int h = f->h;

    for (int i = 0; i < h; i++) {
        int j = f->rev[i];
        if (i < j) {
            float tr = z[2 * i], ti = z[2 * i + 1];
            z[2 * i] = z[2 * j];
            z[2 * i + 1] = z[2 * j + 1];
            z[2 * j] = tr;
            z[2 * j + 1] = ti;
        }
    }
    /* a twiddle at a time, over every block of the stage (the butterflies
     * of a stage are independent: any order gives the same result) */
    for (int len = 2, step = h / 2; len <= h; len <<= 1, step >>= 1)
        for (int k = 0; k < len / 2; k++) {
            float c = f->cs[k * step], s = -sign * f->sn[k * step];
            for (int i = k; i < h; i += len) {
                float *u = z + 2 * i, *v = z + 2 * (i + len / 2);
                float vr = v[0] * c - v[1] * s, vi = v[0] * s + v[1] * c;
                v[0] = u[0] - vr;
                v[1] = u[1] - vi;
                u[0] += vr;
                u[1] += vi;
            }
        }
}

/*
 * Forward: x holds N real samples; on return x[0] = X[0], x[1] = X[N/2]
 * (both real), and x[2k], x[2k + 1] = re, im of X[k] for 0 < k < N/2.
 */
void dd_fft_forward(const DDFFT *f, float *x)
{
    int h = f->h;

    complex_fft(f, x, -1.0f);
    {
        float r0 = x[0], i0 = x[1];
        x[0] = r0 + i0;
        x[1] = r0 - i0;
    }
    for (int k = 1; k <= h / 2; k++) {
        int j = h - k;
        float ar = x[2 * k], ai = x[2 * k + 1], br = x[2 * j], bi = x[2 * j + 1];
        float er = 0.5f * (ar + br), ei = 0.5f * (ai - bi);
        float or_ = 0.5f * (ai + bi), oi = -0.5f * (ar - br);
        float c = f->rc[k], s = f->rs[k];
        float tr = or_ * c - oi * s, ti = or_ * s + oi * c;
        x[2 * k] = er + tr;
        x[2 * k + 1] = ei + ti;
        x[2 * j] = er - tr;
        x[2 * j + 1] = -(ei - ti);
    }
}

/* Inverse of dd_fft_forward(), scaled by N / 2: x back to N samples. */
void dd_fft_inverse(const DDFFT *f, float *x)
{
    int h = f->h;

    {
        float a = x[0], b = x[1];
        x[0] = 0.5f * (a + b);
        x[1] = 0.5f * (a - b);
    }
    for (int k = 1; k <= h / 2; k++) {
        int j = h - k;
        float ar = x[2 * k], ai = x[2 * k + 1], br = x[2 * j], bi = -x[2 * j + 1];
        float er = 0.5f * (ar + br), ei = 0.5f * (ai + bi);
        float dr = 0.5f * (ar - br), di = 0.5f * (ai - bi);
        float c = f->rc[k], s = -f->rs[k];
        float or_ = dr * c - di * s, oi = dr * s + di * c;
        /* z[k] = E + i O, z[h - k] = conj(E - i O) */
        x[2 * k] = er - oi;
        x[2 * k + 1] = ei + or_;
        x[2 * j] = er + oi;
        x[2 * j + 1] = -(ei - or_);
    }
    complex_fft(f, x, 1.0f);
}
