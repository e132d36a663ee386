/*
 * dialogueduck engine: the FFT of adaptive carving
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
 * its own FFT. It is a complex one: the carver packs two real signals in
 * each transform (the dialogue and the music for the band energies, two
 * music channels for the carving), which costs what two real transforms
 * of the same size cost without their split steps.
 *
 * Radix 4 (a first radix-2 stage when the size is not a power of 4), every
 * twiddle computed at creation and laid out in the order the stages read
 * them. The forward transform is decimation in frequency and leaves the
 * spectrum in digit-reversed order; the inverse is its exact adjoint,
 * decimation in time, and takes that order back: a caller that only
 * scales bins (dd_fft_order() says where bin k is) never pays for a
 * permutation. Real and imaginary parts are separate arrays and the
 * butterflies of a stage go four at a time through separate restrict
 * pointers, so that a C compiler turns them into vector instructions
 * (at -O2 too) without any intrinsics. Single precision: the frames are
 * float, and the result only scales them. Same operations in the same
 * order on every call: bit-identical output.
 */

#include <math.h>

#include "dialogueduck_internal.h"

#define MAX_STAGES 15          /* n up to 2^30 */
#define W 4                    /* butterflies per group */

struct DDFFT {
    int n;
    int radix2;                 /* 1: n is not a power of 4 */
    int stages;                 /* radix-4 stages with twiddles (len >= 16) */
    int len[MAX_STAGES];        /* block length of each */
    int off[MAX_STAGES];        /* its twiddles in tw */
    float *tw;                  /* radix 2: per W values of j, re of w^j
                                   (W), im (W); radix 4: re, im of w^j,
                                   then w^2j, w^3j */
    int *pos;                   /* pos[k]: where bin k is after forward */
};

/* Powers of 4 have their bit at an even position. */
static int power_of_4(int n)
{
    return (n & 0x55555555) != 0;
}

/* Where bin k ends up: each stage of block length L puts the bins with
 * k mod r = s (r its radix) in sub-block s of length L / r. */
static int bin_position(int n, int k)
{
    int p = 0;

    for (int len = n; len > 1;) {
        int r = power_of_4(len) ? 4 : 2;
        p += (k % r) * (len / r);
        k /= r;
        len /= r;
    }
    return p;
}

static void make_tables(DDFFT *f)
{
    int at = 0, len = f->n;

    f->radix2 = !power_of_4(f->n);
    if (f->radix2) {
        for (int j = 0; j < len / 2; j += W, at += 2 * W)
            for (int u = 0; u < W; u++) {
                f->tw[at + u] = (float)cos(-2.0 * DD_PI * (j + u) / len);
                f->tw[at + W + u] = (float)sin(-2.0 * DD_PI * (j + u) / len);
            }
        len /= 2;
    }
    for (; len >= 16; len /= 4) {
        int q = len / 4;
        f->len[f->stages] = len;
        f->off[f->stages++] = at;
        for (int j = 0; j < q; j += W, at += 6 * W)
            for (int m = 1; m <= 3; m++)
                for (int u = 0; u < W; u++) {
                    double a = -2.0 * DD_PI * m * (j + u) / len;
                    f->tw[at + (2 * m - 2) * W + u] = (float)cos(a);
                    f->tw[at + (2 * m - 1) * W + u] = (float)sin(a);
                }
    }
    for (int k = 0; k < f->n; k++)
        f->pos[k] = bin_position(f->n, k);
}

int dd_fft_create(DDFFT **out, int n, const DDAllocator *al)
{
    DDFFT *f;

    *out = NULL;
    if (n < 8 || (n & (n - 1)) || n > (1 << (2 * MAX_STAGES)))
        return DD_ERROR_INVAL;
    if (!(f = dd_alloc(al, sizeof(*f))))
        return DD_ERROR_NOMEM;
    f->n = n;
    f->tw = dd_alloc_array(al, 2 * (size_t)n, sizeof(*f->tw));
    f->pos = dd_alloc_array(al, n, sizeof(*f->pos));
    if (!f->tw || !f->pos) {
        dd_fft_free(&f, al);
        return DD_ERROR_NOMEM;
    }
    make_tables(f);
    *out = f;
    return DD_OK;
}

void dd_fft_free(DDFFT **pf, const DDAllocator *al)
{
    DDFFT *f = *pf;

    if (!f)
        return;
    dd_free(al, f->tw);
    dd_free(al, f->pos);
    dd_free(al, f);
    *pf = NULL;
}

const int *dd_fft_order(const DDFFT *f)
{
    return f->pos;
}

/* W radix-4 butterflies on (r0, i0) .. (r3, i3) at each u. Forward: the
 * 4-point DFT, outputs 1..3 twiddled by w (W re, W im of each);
 * inverse, its adjoint: untwiddle by the conjugates, then the inverse
 * 4-point DFT (unscaled). */
static inline void group(float *restrict r0, float *restrict i0,
                         float *restrict r1, float *restrict i1,
                         float *restrict r2, float *restrict i2,
                         float *restrict r3, float *restrict i3,
                         const float *restrict w, int inverse)
{
    if (!inverse) {
        for (int u = 0; u < W; u++) {
            float t0r = r0[u] + r2[u], t0i = i0[u] + i2[u];
            float t1r = r0[u] - r2[u], t1i = i0[u] - i2[u];
            float t2r = r1[u] + r3[u], t2i = i1[u] + i3[u];
            float t3r = i1[u] - i3[u], t3i = r3[u] - r1[u]; /* -i (a1 - a3) */
            float y1r = t1r + t3r, y1i = t1i + t3i;
            float y2r = t0r - t2r, y2i = t0i - t2i;
            float y3r = t1r - t3r, y3i = t1i - t3i;
            r0[u] = t0r + t2r;
            i0[u] = t0i + t2i;
            r1[u] = y1r * w[u] - y1i * w[W + u];
            i1[u] = y1r * w[W + u] + y1i * w[u];
            r2[u] = y2r * w[2 * W + u] - y2i * w[3 * W + u];
            i2[u] = y2r * w[3 * W + u] + y2i * w[2 * W + u];
            r3[u] = y3r * w[4 * W + u] - y3i * w[5 * W + u];
            i3[u] = y3r * w[5 * W + u] + y3i * w[4 * W + u];
        }
        return;
    }
    for (int u = 0; u < W; u++) {
        float b1r = r1[u] * w[u] + i1[u] * w[W + u];
        float b1i = i1[u] * w[u] - r1[u] * w[W + u];
        float b2r = r2[u] * w[2 * W + u] + i2[u] * w[3 * W + u];
        float b2i = i2[u] * w[2 * W + u] - r2[u] * w[3 * W + u];
        float b3r = r3[u] * w[4 * W + u] + i3[u] * w[5 * W + u];
        float b3i = i3[u] * w[4 * W + u] - r3[u] * w[5 * W + u];
        float t0r = r0[u] + b2r, t0i = i0[u] + b2i;
        float t1r = r0[u] - b2r, t1i = i0[u] - b2i;
        float t2r = b1r + b3r, t2i = b1i + b3i;
        float t3r = b3i - b1i, t3i = b1r - b3r;          /* i (b1 - b3) */
        r0[u] = t0r + t2r;
        i0[u] = t0i + t2i;
        r1[u] = t1r + t3r;
        i1[u] = t1i + t3i;
        r2[u] = t0r - t2r;
        i2[u] = t0i - t2i;
        r3[u] = t1r - t3r;
        i3[u] = t1i - t3i;
    }
}

/* One stage (len >= 16) over every block: the butterflies of the points
 * q apart, w = exp(-2 pi i / len) to the power j s; inverse: the
 * adjoint. */
static void stage(float *re, float *im, int n, int len, const float *tw,
                  int inverse)
{
    int q = len / 4;

    for (int b = 0; b < n; b += len)
        for (int j = 0; j < q; j += W) {
            float *r = re + b + j, *i = im + b + j;
            if (inverse)    /* a constant in each group: no branch inside */
                group(r, i, r + q, i + q, r + 2 * q, i + 2 * q,
                      r + 3 * q, i + 3 * q, tw + 6 * j, 1);
            else
                group(r, i, r + q, i + q, r + 2 * q, i + 2 * q,
                      r + 3 * q, i + 3 * q, tw + 6 * j, 0);
        }
}

/* The stage of len 4 (twiddles all 1): 4-point DFTs of neighbours;
 * sign -1 forward, +1 inverse. */
static void stage4(float *re, float *im, int n, float sign)
{
    for (int b = 0; b < n; b += 4) {
        float *r = re + b, *i = im + b;
        float t0r = r[0] + r[2], t0i = i[0] + i[2];
        float t1r = r[0] - r[2], t1i = i[0] - i[2];
        float t2r = r[1] + r[3], t2i = i[1] + i[3];
        float t3r = -sign * (i[1] - i[3]), t3i = sign * (r[1] - r[3]);
        r[0] = t0r + t2r;
        i[0] = t0i + t2i;
        r[1] = t1r + t3r;
        i[1] = t1i + t3i;
        r[2] = t0r - t2r;
        i[2] = t0i - t2i;
        r[3] = t1r - t3r;
        i[3] = t1i - t3i;
    }
}

/* W radix-2 butterflies of (r0, i0) and (r1, i1): the sum, and the
 * difference twiddled by w (W re, W im); inverse: the adjoint. */
static inline void radix2_group(float *restrict r0, float *restrict i0,
                                float *restrict r1, float *restrict i1,
                                const float *restrict w, int inverse)
{
    for (int u = 0; u < W; u++) {
        float wr = w[u], wi = inverse ? -w[W + u] : w[W + u];
        float ar = r0[u], ai = i0[u], br = r1[u], bi = i1[u];
        if (inverse) {
            float tr = br * wr - bi * wi;
            bi = br * wi + bi * wr;
            br = tr;
            r1[u] = ar - br;
            i1[u] = ai - bi;
        } else {
            float dr = ar - br, di = ai - bi;
            r1[u] = dr * wr - di * wi;
            i1[u] = dr * wi + di * wr;
        }
        r0[u] = ar + br;
        i0[u] = ai + bi;
    }
}

/* The radix-2 stage of len n (n not a power of 4): first forward, last
 * inverse. */
static void stage2(const DDFFT *f, float *re, float *im, int inverse)
{
    int h = f->n / 2;

    for (int j = 0; j < h; j += W)
        if (inverse)        /* a constant in each group: no branch inside */
            radix2_group(re + j, im + j, re + h + j, im + h + j,
                         f->tw + 2 * j, 1);
        else
            radix2_group(re + j, im + j, re + h + j, im + h + j,
                         f->tw + 2 * j, 0);
}

void dd_fft_forward(const DDFFT *f, float *re, float *im)
{
    if (f->radix2)
        stage2(f, re, im, 0);
    for (int s = 0; s < f->stages; s++)
        stage(re, im, f->n, f->len[s], f->tw + f->off[s], 0);
    stage4(re, im, f->n, -1.0f);
}

void dd_fft_inverse(const DDFFT *f, float *re, float *im)
{
    stage4(re, im, f->n, 1.0f);
    for (int s = f->stages - 1; s >= 0; s--)
        stage(re, im, f->n, f->len[s], f->tw + f->off[s], 1);
    if (f->radix2)
        stage2(f, re, im, 1);
}
