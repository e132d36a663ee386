/*
 * dialogueduck engine: the renderer, from keyframes to ducked music
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
 * The gain is interpolated linearly in dB between keyframes, per sample,
 * and held before the first and after the last keyframe. It depends only
 * on the sample index and the keyframes, never on how the stream was cut
 * into blocks, so every caller gets bit-identical results.
 *
 * Spectral mode ducks only the speech band of the music: the band
 * (200 Hz - 5 kHz, second-order slopes) is scaled by (gain - 1) and added
 * back, so bass and air stay and a gain of exactly 1 leaves the music
 * untouched.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define RENDER_KF_CAP 1024
#define DB_TO_LOG     0.11512925464970228420 /* ln(10) / 20 */

struct DDBandSplit {
    int channels;
    DDBiquad *hp, *lp;
};

int dd_band_split_create(DDBandSplit **out, int sample_rate, int channels,
                         const DDAllocator *al)
{
    DDBandSplit *b = dd_alloc(al, sizeof(*b));

    *out = NULL;
    if (!b)
        return DD_ERROR_NOMEM;
    b->channels = channels;
    b->hp = dd_alloc_array(al, channels, sizeof(*b->hp));
    b->lp = dd_alloc_array(al, channels, sizeof(*b->lp));
    if (!b->hp || !b->lp) {
        dd_band_split_free(&b, al);
        return DD_ERROR_NOMEM;
    }
    for (int c = 0; c < channels; c++) {
        dd_biquad_highpass(&b->hp[c], 200.0, 0.7071, sample_rate);
        dd_biquad_lowpass(&b->lp[c], 5000.0, 0.7071, sample_rate);
    }
    *out = b;
    return DD_OK;
}

void dd_band_split_free(DDBandSplit **b, const DDAllocator *al)
{
    if (!*b)
        return;
    dd_free(al, (*b)->hp);
    dd_free(al, (*b)->lp);
    dd_free(al, *b);
    *b = NULL;
}

/* The segment around t: *a at or before t (NULL: none), *b after t. */
static void find_segment(const DDKeyframe *prev, const DDKeyframe *kf, int nb,
                         int64_t t, const DDKeyframe **a, const DDKeyframe **b)
{
    int i = 0;

    while (i < nb && kf[i].t <= t)
        i++;
    *a = i > 0 ? &kf[i - 1] : prev;
    *b = i < nb ? &kf[i] : NULL;
}

static double segment_db(const DDKeyframe *a, const DDKeyframe *b, int64_t t)
{
    if (!a)
        return b ? b->gain_db : 0.0;
    if (!b || a->gain_db == b->gain_db || b->t == a->t)
        return a->gain_db;
    return a->gain_db + (b->gain_db - a->gain_db) *
           (double)(t - a->t) / (double)(b->t - a->t);
}

double dd_envelope_db(const DDKeyframe *prev, const DDKeyframe *kf, int nb,
                      int64_t t)
{
    const DDKeyframe *a, *b;

    find_segment(prev, kf, nb, t, &a, &b);
    return segment_db(a, b, t);
}

static void apply_gain(const float *const *in, float **out, int channels,
                       int offset, int n, float g, DDBandSplit *band)
{
    for (int c = 0; c < channels; c++) {
        const float *src = in[c] + offset;
        float *dst = out[c] + offset;
        if (band) {
            DDBiquad *hp = &band->hp[c], *lp = &band->lp[c];
            float k = g - 1.0f;
            for (int i = 0; i < n; i++) {
                double mid = dd_biquad_run(lp, dd_biquad_run(hp, src[i]));
                dst[i] = src[i] + k * (float)mid;
            }
        } else if (g != 1.0f || src != dst) {
            for (int i = 0; i < n; i++)
                dst[i] = src[i] * g;
        }
    }
}

void dd_apply_envelope(const DDKeyframe *prev, const DDKeyframe *kf, int nb,
                       int64_t t0, const float *const *in, float **out,
                       int channels, int nb_samples, DDBandSplit *band)
{
    int done = 0;
    double lin;

    while (done < nb_samples) {
        int64_t t = t0 + done;
        const DDKeyframe *a, *b;
        int n = nb_samples - done;

        find_segment(prev, kf, nb, t, &a, &b);
        if (b && b->t - t < n)
            n = (int)(b->t - t);
        if (!a || !b || a->gain_db == b->gain_db) {
            /* flat: one gain for the whole run */
            lin = exp(segment_db(a, b, t) * DB_TO_LOG);
            apply_gain(in, out, channels, done, n, (float)lin, band);
        } else {
            /* a fade: the gain of every sample */
            for (int i = 0; i < n; i++) {
                lin = exp(segment_db(a, b, t + i) * DB_TO_LOG);
                apply_gain(in, out, channels, done + i, 1, (float)lin, band);
            }
        }
        done += n;
    }
}

/* ---- DDRenderer ------------------------------------------------------ */

struct DDRenderer {
    const DDAllocator *al;
    DDAllocator al_copy;
    int channels;
    int64_t pos;                 /* next sample to render */
    DDKeyframe prev;             /* the last keyframe dropped from kf */
    int has_prev;
    DDKeyframe kf[RENDER_KF_CAP];
    int nb_kf;
    const DDKeyframe *ext;       /* caller-owned list, or NULL */
    size_t nb_ext, ext_pos;
    DDBandSplit *band;
};

int dd_renderer_create(DDRenderer **out, int sample_rate, int channels,
                       int spectral, const DDAllocator *alloc)
{
    DDRenderer *r;
    int ret;

    *out = NULL;
    if (sample_rate <= 0 || channels <= 0 || (spectral != 0 && spectral != 1))
        return DD_ERROR_INVAL;
    r = dd_alloc(alloc, sizeof(*r));
    if (!r)
        return DD_ERROR_NOMEM;
    if (alloc) {
        r->al_copy = *alloc;
        r->al = &r->al_copy;
    }
    r->channels = channels;
    if (spectral &&
        (ret = dd_band_split_create(&r->band, sample_rate, channels, r->al)) < 0) {
        dd_free(r->al, r);
        return ret;
    }
    *out = r;
    return DD_OK;
}

void dd_renderer_free(DDRenderer **r)
{
    const DDAllocator *al;

    if (!*r)
        return;
    al = (*r)->al;
    dd_band_split_free(&(*r)->band, al);
    dd_free(al, *r);
    *r = NULL;
}

int dd_renderer_add_keyframe(DDRenderer *r, const DDKeyframe *kf)
{
    const DDKeyframe *last = r->nb_kf ? &r->kf[r->nb_kf - 1]
                                      : r->has_prev ? &r->prev : NULL;

    if (r->ext)
        return DD_ERROR_STATE;
    if (!isfinite(kf->gain_db))
        return DD_ERROR_INVAL;
    if ((last && kf->t < last->t) || kf->t < r->pos)
        return DD_ERROR_ORDER;
    if (r->nb_kf >= RENDER_KF_CAP)
        return DD_ERROR_STATE;
    r->kf[r->nb_kf++] = *kf;
    return DD_OK;
}

int dd_renderer_set_keyframes(DDRenderer *r, const DDKeyframe *kf, size_t nb)
{
    for (size_t i = 0; i < nb; i++)
        if (!isfinite(kf[i].gain_db))
            return DD_ERROR_INVAL;
        else if (i && kf[i].t < kf[i - 1].t)
            return DD_ERROR_ORDER;
    if (r->nb_kf || r->has_prev || r->pos)
        return DD_ERROR_STATE;
    r->ext = kf;
    r->nb_ext = nb;
    r->ext_pos = 0;
    return DD_OK;
}

/* Keyframes looked at ahead of the render position: more than any block
 * can span. */
static int window_size(size_t n)
{
    return n < RENDER_KF_CAP ? (int)n : RENDER_KF_CAP;
}

/* The keyframes that matter from r->pos on, and the one before. */
static const DDKeyframe *window(DDRenderer *r, const DDKeyframe **prev,
                                int *nb)
{
    if (r->ext) {
        while (r->ext_pos + 1 < r->nb_ext && r->ext[r->ext_pos + 1].t <= r->pos)
            r->ext_pos++;
        if (r->ext_pos < r->nb_ext && r->ext[r->ext_pos].t <= r->pos) {
            *prev = &r->ext[r->ext_pos];
            *nb = window_size(r->nb_ext - r->ext_pos - 1);
            return r->ext + r->ext_pos + 1;
        }
        *prev = NULL;
        *nb = window_size(r->nb_ext);
        return r->ext;
    }
    {
        int drop = 0;
        while (drop < r->nb_kf && r->kf[drop].t <= r->pos)
            drop++;
        if (drop) {
            r->prev = r->kf[drop - 1];
            r->has_prev = 1;
            memmove(r->kf, r->kf + drop, (r->nb_kf - drop) * sizeof(*r->kf));
            r->nb_kf -= drop;
        }
    }
    *prev = r->has_prev ? &r->prev : NULL;
    *nb = r->nb_kf;
    return r->kf;
}

double dd_renderer_gain_db(const DDRenderer *r, int64_t t)
{
    if (r->ext)
        return dd_envelope_db(NULL, r->ext, (int)r->nb_ext, t);
    return dd_envelope_db(r->has_prev ? &r->prev : NULL, r->kf, r->nb_kf, t);
}

int dd_renderer_process(DDRenderer *r, const float *const *in, float **out,
                        int nb_samples)
{
    const DDKeyframe *prev, *kf;
    int nb;

    if (nb_samples < 0)
        return DD_ERROR_INVAL;
    kf = window(r, &prev, &nb);
    dd_apply_envelope(prev, kf, nb, r->pos, in, out, r->channels, nb_samples,
                      r->band);
    r->pos += nb_samples;
    return DD_OK;
}
