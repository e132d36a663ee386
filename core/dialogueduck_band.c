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
 * Spectral ducking renders x + (g - 1) * band(x). That lowers the band by
 * g and leaves the rest alone only if band(x) is in phase with x: a
 * minimum-phase band-pass (biquads) cancels at its centre and boosts
 * elsewhere. So the band is zero-phase: linear-phase FIRs, and the music
 * they are subtracted from is delayed by the same `latency` (the engine
 * hides it in the lookahead delay).
 *
 * band = lowpass(band_high) - lowpass(band_low), Kaiser-windowed sincs
 * with monotonic transitions: from band_low / 3 to band_low, and from
 * band_high to band_high * 40 / 17 (3.4 kHz -> 8 kHz). The high one is
 * short and runs at the full rate. The low one needs a 200 Hz wide
 * transition, hundreds of taps at 48 kHz, so it runs decimated by M (the
 * band below band_low is all it keeps): an anti-alias FIR picks every M-th
 * sample, the sharp FIR filters at the low rate, and the same anti-alias
 * FIR interpolates back. About 45 multiply-adds per sample instead of 700;
 * aliases and images stay 50 dB down.
 *
 * Each output depends only on the input samples and their index, never on
 * how the stream was cut into blocks. FIRs have no recursive state: exact
 * zeros in give exact zeros out, never a subnormal number.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define STOP_DB   50.0          /* Kaiser design attenuation */
#define LOW_STOP  (1.0 / 3.0)   /* stop band below band_low * LOW_STOP */
#define HIGH_STOP (40.0 / 17.0) /* stop band above band_high * HIGH_STOP */

typedef struct Fir {
    int half;   /* 2 * half + 1 symmetric taps */
    float *h;
} Fir;

typedef struct Design {
    int decim;                   /* M */
    double hi_fc, hi_width;      /* full rate, fractions of the rate; */
    double aa_fc, aa_width;      /* hi_width 0: no high edge */
    double lo_fc, lo_width;      /* low rate */
    int hi_half, aa_half, lo_half, latency;
} Design;

struct DDBand {
    Design d;
    Fir hi, aa, lo;
    float *poly;                 /* interpolation taps (aa times M) by phase */
    int poly_len, *poly_qmax;    /* taps per phase, newest low sample used */
    int channels, xs, ls;        /* ring sizes, full and low rate */
    float **x, **dec, **low;     /* mirrored rings: each sample at i, i + size;
                                    low[j] is the low band at j - lo_half */
    /* where the stream is, kept as ring slots (no division per sample) */
    int64_t n;                   /* samples pushed */
    int xslot;                   /* slot of the next input sample */
    int until_dec;               /* samples until the next decimation */
    int dslot;                   /* slot of the next low-rate sample */
    int phase, lslot;            /* output m: m mod M, slot of m / M + lo_half */
};

/* Kaiser half length for a transition width (fraction of the rate). */
static int kaiser_half(double width)
{
    if (width <= 0.0)
        return 0;
    return (int)ceil((STOP_DB - 8.0) / (2.285 * 2.0 * DD_PI * width) / 2.0);
}

static void design(Design *d, double low, double high, int sample_rate)
{
    double nyq = 0.5 * sample_rate, stop = high * HIGH_STOP, lrate;

    d->decim = (int)(sample_rate / (8.0 * low));
    d->decim = d->decim > 1 ? d->decim : 1;
    lrate = (double)sample_rate / d->decim;
    d->hi_fc = 0.5;
    d->hi_width = 0.0;
    if (high < 0.9 * nyq) {
        stop = stop < nyq ? stop : nyq;
        d->hi_fc = (high + stop) / 2.0 / sample_rate;
        d->hi_width = (stop - high) / sample_rate;
    }
    d->aa_fc = 0.5 / d->decim;
    d->aa_width = d->decim > 1 ? (lrate - 2.0 * low) / sample_rate : 0.0;
    d->lo_fc = low * (1.0 + LOW_STOP) / 2.0 / lrate;
    d->lo_width = low * (1.0 - LOW_STOP) / lrate;
    d->hi_half = kaiser_half(d->hi_width);
    d->aa_half = kaiser_half(d->aa_width);
    d->lo_half = kaiser_half(d->lo_width);
    d->latency = 2 * d->aa_half + d->decim * (d->lo_half + 1);
    if (d->latency < d->hi_half)
        d->latency = d->hi_half;
}

int dd_band_latency_for(double low, double high, int sample_rate)
{
    Design d;

    design(&d, low, high, sample_rate);
    return d.latency;
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

/* Kaiser-windowed sinc low-pass at fc (fraction of the rate), times gain;
 * half 0 is a pass-through. */
static int fir_create(Fir *f, int half, double fc, double gain,
                      const DDAllocator *al)
{
    double beta = 0.1102 * (STOP_DB - 8.7);

    f->half = half;
    if (!(f->h = dd_alloc_array(al, 2 * half + 1, sizeof(*f->h))))
        return DD_ERROR_NOMEM;
    for (int k = 0; k <= half; k++) {
        double r = half ? (double)k / half : 0.0;
        double w = bessel_i0(beta * sqrt(1.0 - r * r)) / bessel_i0(beta);
        double s = k ? sin(2.0 * DD_PI * fc * k) / (DD_PI * k) : 2.0 * fc;
        if (fabs(s) < 1e-9)
            s = 0.0;    /* a zero of the sinc, not rounding noise */
        f->h[half + k] = f->h[half - k] = (float)(gain * (half ? w * s : 1.0));
    }
    return DD_OK;
}

/* The taps against x[0 .. 2 * half], eight running sums in a fixed order:
 * the compiler may vectorize them without changing the result. */
static float fir_run(const Fir *f, const float *x)
{
    int n = 2 * f->half + 1, k = 0;
    float acc[8] = { 0 }, sum;

    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++)
            acc[j] += f->h[k + j] * x[k + j];
    sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) +
          ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; k < n; k++)
        sum += f->h[k] * x[k];
    return sum;
}

/*
 * Interpolation by phase: output m = jm * M + phase sums low[j] * M * aa[m -
 * j * M] over the j with |m - j * M| <= aa_half, q = jm - j from qmax down
 * to qmin. poly holds those taps in order of j, zero-padded to poly_len.
 */
static int make_poly(DDBand *b, const DDAllocator *al)
{
    const Design *d = &b->d;
    int M = d->decim, ha = d->aa_half;

    b->poly_len = (2 * ha) / M + 2;
    b->poly = dd_alloc_array(al, (size_t)M * b->poly_len, sizeof(*b->poly));
    b->poly_qmax = dd_alloc_array(al, M, sizeof(*b->poly_qmax));
    if (!b->poly || !b->poly_qmax)
        return DD_ERROR_NOMEM;
    for (int ph = 0; ph < M; ph++) {
        int qmax = (ha - ph) >= 0 ? (ha - ph) / M : -1, i = 0;
        b->poly_qmax[ph] = qmax;
        for (int q = qmax; q * M + ph + ha >= 0; q--)
            b->poly[ph * b->poly_len + i++] = M * b->aa.h[q * M + ph + ha];
    }
    return DD_OK;
}

static float **alloc_rings(const DDAllocator *al, int channels, int size)
{
    float **r = dd_alloc_array(al, channels, sizeof(*r));

    for (int c = 0; r && c < channels; c++)
        if (!(r[c] = dd_alloc_array(al, 2 * (size_t)size, sizeof(float)))) {
            while (c--)
                dd_free(al, r[c]);
            dd_free(al, r);
            return NULL;
        }
    return r;
}

static void free_rings(const DDAllocator *al, float **r, int channels)
{
    if (r)
        for (int c = 0; c < channels; c++)
            dd_free(al, r[c]);
    dd_free(al, r);
}

int dd_band_create(DDBand **out, double low, double high, int sample_rate,
                   int channels, const DDAllocator *al)
{
    DDBand *b = dd_alloc(al, sizeof(*b));
    Design *d;

    *out = NULL;
    if (!b)
        return DD_ERROR_NOMEM;
    d = &b->d;
    design(d, low, high, sample_rate);
    b->channels = channels;
    b->xs = d->latency + d->hi_half + 1;
    b->ls = 2 * d->lo_half + (d->latency + d->aa_half) / d->decim + 8;
    b->until_dec = d->aa_half;
    b->lslot = d->lo_half;
    if (fir_create(&b->hi, d->hi_half, d->hi_fc, 1.0, al) < 0 ||
        fir_create(&b->aa, d->aa_half, d->aa_fc, 1.0, al) < 0 ||
        make_poly(b, al) < 0 ||
        fir_create(&b->lo, d->lo_half, d->lo_fc, 1.0, al) < 0 ||
        !(b->x = alloc_rings(al, channels, b->xs)) ||
        !(b->dec = alloc_rings(al, channels, b->ls)) ||
        !(b->low = alloc_rings(al, channels, b->ls))) {
        dd_band_free(&b, al);
        return DD_ERROR_NOMEM;
    }
    *out = b;
    return DD_OK;
}

void dd_band_free(DDBand **pb, const DDAllocator *al)
{
    DDBand *b = *pb;

    if (!b)
        return;
    dd_free(al, b->hi.h);
    dd_free(al, b->aa.h);
    dd_free(al, b->poly);
    dd_free(al, b->poly_qmax);
    dd_free(al, b->lo.h);
    free_rings(al, b->x, b->channels);
    free_rings(al, b->dec, b->channels);
    free_rings(al, b->low, b->channels);
    dd_free(al, b);
    *pb = NULL;
}

int dd_band_latency(const DDBand *b)
{
    return b->d.latency;
}

static void ring_put(float *r, int size, int slot, float v)
{
    r[slot] = r[slot + size] = v;
}

/* The count samples of a mirrored ring up to the one at slot, contiguous. */
static const float *ring_tail(const float *r, int size, int slot, int count)
{
    return r + slot + size + 1 - count;
}

/* Low-rate work once the anti-alias window around j * M is in: decimate,
 * filter the low band (it lags lo_half low-rate samples behind). */
static void low_rate(DDBand *b, int c, int xslot)
{
    const Design *d = &b->d;

    ring_put(b->dec[c], b->ls, b->dslot,
             fir_run(&b->aa, ring_tail(b->x[c], b->xs, xslot,
                                       2 * d->aa_half + 1)));
    ring_put(b->low[c], b->ls, b->dslot,
             fir_run(&b->lo, ring_tail(b->dec[c], b->ls, b->dslot,
                                       2 * d->lo_half + 1)));
}

/* The low band at the output, interpolated from the low rate. */
static float low_at(const DDBand *b, int c)
{
    const float *h = b->poly + b->phase * b->poly_len;
    int s = b->lslot - b->poly_qmax[b->phase];
    const float *l = b->low[c] + (s < 0 ? s + b->ls : s);
    float sum = 0.0f;

    for (int i = 0; i < b->poly_len; i++)
        sum += h[i] * l[i];
    return sum;
}

/* One input sample on every channel: band and delayed input out at i. */
static void push_one(DDBand *b, const float *const *in, int i, float **xd,
                     float **band)
{
    const Design *d = &b->d;
    int64_t m = b->n - d->latency;
    int dec = b->until_dec == 0, xs = b->xs;
    int xm = b->xslot - d->latency < 0 ? b->xslot - d->latency + xs
                                       : b->xslot - d->latency;

    for (int c = 0; c < b->channels; c++) {
        ring_put(b->x[c], xs, b->xslot, in ? in[c][i] : 0.0f);
        if (dec)
            low_rate(b, c, b->xslot);
        band[c][i] = m < 0 ? 0.0f
                     : fir_run(&b->hi, ring_tail(b->x[c], xs, b->xslot,
                                                 d->latency + d->hi_half + 1))
                       - low_at(b, c);
        if (xd)
            xd[c][i] = m < 0 ? 0.0f : b->x[c][xm];
    }
    if (dec) {
        b->until_dec = d->decim;
        b->dslot = b->dslot + 1 < b->ls ? b->dslot + 1 : 0;
    }
    b->until_dec--;
    if (m >= 0 && ++b->phase == d->decim) {
        b->phase = 0;
        b->lslot = b->lslot + 1 < b->ls ? b->lslot + 1 : 0;
    }
    b->xslot = b->xslot + 1 < xs ? b->xslot + 1 : 0;
    b->n++;
}

/*
 * Push n samples per channel (in NULL: silence). For each, band[c][i] gets
 * the band at position (pushed before) + i - latency, and xd[c][i] (unless
 * xd is NULL) the input there; both 0 before position 0.
 */
void dd_band_push(DDBand *b, const float *const *in, int n, float **xd,
                  float **band)
{
    for (int i = 0; i < n; i++)
        push_one(b, in, i, xd, band);
}
