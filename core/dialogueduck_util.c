/*
 * dialogueduck engine: parameters, allocation, errors, filters
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

#include <math.h>
#include <stdlib.h>

#include "dialogueduck_internal.h"

void dd_params_default(DDParams *p)
{
    p->depth     = DD_DEPTH_DEFAULT;
    p->below     = DD_BELOW_DEFAULT;
    p->lookahead = DD_LOOKAHEAD_DEFAULT;
    p->attack    = DD_ATTACK_DEFAULT;
    p->release   = DD_RELEASE_DEFAULT;
    p->hold      = DD_HOLD_DEFAULT;
    p->threshold = DD_THRESHOLD_DEFAULT;
    p->spectral  = 0;
    p->band_low  = DD_BAND_LOW_DEFAULT;
    p->band_high = DD_BAND_HIGH_DEFAULT;
    p->unmask    = DD_UNMASK_DEFAULT;
}

static int in_range(double v, double lo, double hi)
{
    return v >= lo && v <= hi; /* false for NaN */
}

int dd_params_check(const DDParams *p)
{
    if (!in_range(p->depth,     DD_DEPTH_MIN,     DD_DEPTH_MAX)     ||
        !in_range(p->below,     DD_BELOW_MIN,     DD_BELOW_MAX)     ||
        !in_range(p->lookahead, DD_LOOKAHEAD_MIN, DD_LOOKAHEAD_MAX) ||
        !in_range(p->attack,    DD_ATTACK_MIN,    DD_ATTACK_MAX)    ||
        !in_range(p->release,   DD_RELEASE_MIN,   DD_RELEASE_MAX)   ||
        !in_range(p->hold,      DD_HOLD_MIN,      DD_HOLD_MAX)      ||
        !in_range(p->threshold, DD_THRESHOLD_MIN, DD_THRESHOLD_MAX) ||
        !in_range(p->band_low,  DD_BAND_LOW_MIN,  DD_BAND_LOW_MAX)  ||
        !in_range(p->band_high, DD_BAND_HIGH_MIN, DD_BAND_HIGH_MAX) ||
        !in_range(p->unmask,    DD_UNMASK_MIN,    DD_UNMASK_MAX)    ||
        p->band_high < 2.0 * p->band_low ||
        p->spectral < DD_SPECTRAL_OFF || p->spectral > DD_SPECTRAL_ADAPTIVE)
        return DD_ERROR_INVAL;
    return DD_OK;
}

const char *dd_strerror(int err)
{
    switch (err) {
    case DD_OK:          return "success";
    case DD_ERROR_NOMEM: return "out of memory";
    case DD_ERROR_INVAL: return "parameter out of range";
    case DD_ERROR_ORDER: return "keyframes out of time order";
    case DD_ERROR_STATE: return "call not allowed in this state";
    default:             return "unknown error";
    }
}

int64_t dd_lookahead_samples(const DDParams *p, int sample_rate)
{
    int64_t la = llrint(p->lookahead * sample_rate), band;

    if (p->spectral == DD_SPECTRAL_OFF)
        return la;
    band = p->spectral == DD_SPECTRAL_ADAPTIVE ?
           dd_carve_latency_for(sample_rate) :
           dd_band_latency_for(p->band_low, p->band_high, sample_rate);
    return la > band ? la : band;
}

int dd_hop_size(int sample_rate)
{
    int hop = sample_rate / DD_HOPS_PER_SECOND;
    return hop > 0 ? hop : 1;
}

double dd_round_db(double db)
{
    return nearbyint(db * 10.0) / 10.0;
}

void *dd_alloc(const DDAllocator *al, size_t size)
{
    if (al && al->alloc)
        return al->alloc(al->opaque, size);
    return calloc(1, size);
}

void *dd_alloc_array(const DDAllocator *al, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    return dd_alloc(al, nmemb * size);
}

void dd_free(const DDAllocator *al, void *ptr)
{
    if (!ptr)
        return;
    if (al && al->free)
        al->free(al->opaque, ptr);
    else
        free(ptr);
}

/* RBJ cookbook filters; fc is clamped below Nyquist so that any sample
 * rate gives a stable filter. */
static double clamp_fc(double fc, int sample_rate)
{
    return fmin(fc, 0.45 * sample_rate);
}

/* The part the RBJ low- and high-pass share: the feedback coefficients.
 * Returns a0 for normalizing the feed-forward ones; *c gets cos(w). */
static double rbj_setup(DDBiquad *f, double fc, double q, int sample_rate,
                        double *c)
{
    double w = 2.0 * DD_PI * clamp_fc(fc, sample_rate) / sample_rate;
    double alpha = sin(w) / (2.0 * q), a0 = 1.0 + alpha;

    *c = cos(w);
    f->a1 = -2.0 * *c / a0;
    f->a2 = (1.0 - alpha) / a0;
    f->z1 = f->z2 = 0.0;
    return a0;
}

void dd_biquad_lowpass(DDBiquad *f, double fc, double q, int sample_rate)
{
    double c, a0 = rbj_setup(f, fc, q, sample_rate, &c);

    f->b0 = (1.0 - c) / 2.0 / a0;
    f->b1 = (1.0 - c) / a0;
    f->b2 = f->b0;
}

void dd_biquad_highpass(DDBiquad *f, double fc, double q, int sample_rate)
{
    double c, a0 = rbj_setup(f, fc, q, sample_rate, &c);

    f->b0 = (1.0 + c) / 2.0 / a0;
    f->b1 = -(1.0 + c) / a0;
    f->b2 = f->b0;
}

/* BS.1770 K-weighting for any rate: the 48 kHz coefficients of the
 * recommendation re-derived through the bilinear transform, as libebur128
 * does. */
void dd_biquad_kweight_shelf(DDBiquad *f, int sample_rate)
{
    double f0 = 1681.974450955533, g = 3.999843853973347;
    double q = 0.7071752369554196;
    double k = tan(DD_PI * f0 / sample_rate);
    double vh = pow(10.0, g / 20.0), vb = pow(vh, 0.4996667741545416);
    double a0 = 1.0 + k / q + k * k;

    f->b0 = (vh + vb * k / q + k * k) / a0;
    f->b1 = 2.0 * (k * k - vh) / a0;
    f->b2 = (vh - vb * k / q + k * k) / a0;
    f->a1 = 2.0 * (k * k - 1.0) / a0;
    f->a2 = (1.0 - k / q + k * k) / a0;
    f->z1 = f->z2 = 0.0;
}

void dd_biquad_kweight_highpass(DDBiquad *f, int sample_rate)
{
    double f0 = 38.13547087602444, q = 0.5003270373238773;
    double k = tan(DD_PI * f0 / sample_rate);
    double a0 = 1.0 + k / q + k * k;

    f->b0 = 1.0;
    f->b1 = -2.0;
    f->b2 = 1.0;
    f->a1 = 2.0 * (k * k - 1.0) / a0;
    f->a2 = (1.0 - k / q + k * k) / a0;
    f->z1 = f->z2 = 0.0;
}
