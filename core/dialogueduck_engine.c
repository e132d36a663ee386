/*
 * dialogueduck engine: one-pass streaming for the filter
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
 * Analyzer, music delay line and renderer in one pass. The music is
 * delayed by D = the lookahead. Once h hops are analyzed the planner never
 * changes a keyframe before h * hop - D, and the renderer never passes
 * (input position) - D, which lies before the next hop's frontier; so it
 * can follow the planner's queue, provisional release keyframes included
 * (see the planner), and the output equals a render of the final list.
 *
 * In spectral mode the music also goes through the band filter as it
 * arrives; the band comes out with the filter's latency into a second
 * ring, beside the music it belongs to. The delay is at least that
 * latency (dd_lookahead_samples()), so the band is there when rendered.
 * Adaptive mode does the same with the carver (dialogueduck_carve.c),
 * which takes the dialogue too: it reads it ahead of the music it carves.
 *
 * A pcm16 engine (broadband only) keeps interleaved s16 music in its delay
 * line as it comes, and renders it to s16 in one pass
 * (dd_apply_envelope_s16()): for 16-bit stems the float planes of the
 * music are never made, and a stretch at unity gain is a copy. With a
 * mix, the s16 dialogue waits beside the music in a delay line of its own
 * and is added in the same pass.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define CHUNK 1024 /* samples analyzed before the delayed music is rendered */

struct DDEngine {
    DDAllocator al_copy;
    const DDAllocator *al;
    int music_channels;
    int64_t delay;
    double band_low, band_high; /* fixed at creation: the band's delay depends on them */

    DDAnalyzer *an;
    DDBand *band;
    DDCarve *carve;             /* adaptive mode, instead of band */
    int side;                   /* 1 if band or carve: band_ring is used */
    float **band_ring;          /* spectral: the band, beside ring */
    float **band_tmp;           /* spectral: the band of one chunk */
    int64_t band_pos;           /* spectral: band positions written */
    DDKeyframe prev;            /* last keyframe behind the render position */
    int has_prev;

    float **ring;               /* delay line, ring_size samples per channel */
    int16_t *ring16;            /* pcm16: the delay line, interleaved s16 */
    int16_t *dring16;           /* pcm16 with a mix: the dialogue's */
    float *mix_map;             /* pcm16 with a mix: its gains */
    int *mix_src;               /* and DDMixS16's src and gain, or NULL */
    float *mix_gain;
    int mix_unit;
    DDDSP dsp;                  /* the 16-bit loops (dialogueduck_dsp.h) */
    float **music_tmp;          /* pcm16, relative depth: a chunk of the
                                   music as floats for the analyzer */
    int64_t ring_size;
    int64_t in_pos, out_pos;
    int dialogue_channels;
    const float **view;         /* per-channel pointers into the ring
                                   (and band_ring after them) */
    float **outv;
    const float **mview, **dview; /* input pointers at a chunk's offset */
    double last_gain_db;
};

/* The samples of one call: float planes, or interleaved s16 where the
 * s16 pointer is set (out16 for the output). */
typedef struct Io {
    const float *const *music;
    const int16_t *music16;
    const float *const *dialogue;
    const int16_t *dialogue16;
    float **out;
    int16_t *out16;
} Io;

static void free_planes(const DDAllocator *al, float **planes, int channels)
{
    if (planes)
        for (int c = 0; c < channels; c++)
            dd_free(al, planes[c]);
    dd_free(al, planes);
}

/* channels planes of n zeroed samples, or NULL. */
static float **alloc_planes(const DDAllocator *al, int channels, int64_t n)
{
    float **planes = dd_alloc_array(al, channels, sizeof(*planes));

    for (int c = 0; planes && c < channels; c++)
        if (!(planes[c] = dd_alloc_array(al, n, sizeof(float)))) {
            free_planes(al, planes, channels);
            return NULL;
        }
    return planes;
}

/* The band (spectral) or the carver (adaptive) the music goes through. */
static int create_side(DDEngine *e, const DDParams *p, int sample_rate,
                       int center)
{
    int ret = DD_OK;

    if (p->spectral == DD_SPECTRAL_BAND)
        ret = dd_band_create(&e->band, p->band_low, p->band_high,
                             sample_rate, e->music_channels, e->al);
    else if (p->spectral == DD_SPECTRAL_ADAPTIVE)
        ret = dd_carve_create(&e->carve, sample_rate, e->music_channels,
                              e->dialogue_channels, center, p, e->al);
    e->side = e->band || e->carve;
    return ret;
}

/* The delay line: float planes, or interleaved s16 for a pcm16 engine
 * (with float room for a chunk of music when the analyzer measures it,
 * and the dialogue's delay line and gains when it is mixed in). */
static int alloc_ring(DDEngine *e, const DDParams *p, int pcm16,
                      const float *mix)
{
    const int mc = e->music_channels, nd = e->dialogue_channels;
    int kind;

    if (!pcm16)
        return (e->ring = alloc_planes(e->al, mc, e->ring_size)) ? DD_OK :
               DD_ERROR_NOMEM;
    e->ring16 = dd_alloc_array(e->al, (size_t)e->ring_size * mc,
                               sizeof(*e->ring16));
    if (!e->ring16 ||
        (p->below > 0 && !(e->music_tmp = alloc_planes(e->al, mc, CHUNK))))
        return DD_ERROR_NOMEM;
    if (!mix)
        return DD_OK;
    e->dring16 = dd_alloc_array(e->al, (size_t)e->ring_size * nd,
                                sizeof(*e->dring16));
    e->mix_map = dd_alloc_array(e->al, (size_t)nd * mc, sizeof(*e->mix_map));
    e->mix_src = dd_alloc_array(e->al, mc, sizeof(*e->mix_src));
    e->mix_gain = dd_alloc_array(e->al, mc, sizeof(*e->mix_gain));
    if (!e->dring16 || !e->mix_map || !e->mix_src || !e->mix_gain)
        return DD_ERROR_NOMEM;
    memcpy(e->mix_map, mix, (size_t)nd * mc * sizeof(*mix));
    kind = dd_mix_sources(mix, nd, mc, e->mix_src, e->mix_gain);
    e->mix_unit = kind == 2;
    if (!kind) {
        dd_free(e->al, e->mix_src);
        dd_free(e->al, e->mix_gain);
        e->mix_src = NULL;
        e->mix_gain = NULL;
    }
    return DD_OK;
}

static int create(DDEngine **out, const DDParams *p, int sample_rate,
                  int music_channels, int dialogue_channels, int center,
                  const DDAllocator *alloc, int pcm16, const float *mix)
{
    DDEngine *e;
    int ret;

    *out = NULL;
    if (music_channels < 1 || dd_params_check(p) < 0)
        return DD_ERROR_INVAL;
    e = dd_alloc(alloc, sizeof(*e));
    if (!e)
        return DD_ERROR_NOMEM;
    if (alloc) {
        e->al_copy = *alloc;
        e->al = &e->al_copy;
    }
    e->music_channels = music_channels;
    e->dialogue_channels = dialogue_channels;
    e->delay = dd_lookahead_samples(p, sample_rate);
    e->band_low = p->band_low;
    e->band_high = p->band_high;
    e->ring_size = e->delay + CHUNK;
    dd_dsp_init(&e->dsp);
    if ((ret = dd_analyzer_create(&e->an, p, sample_rate, dialogue_channels,
                                  center, p->below > 0 ? music_channels : 0,
                                  e->al)) < 0)
        goto fail;
    dd_analyzer_set_dsp(e->an, &e->dsp);
    if ((ret = create_side(e, p, sample_rate, center)) < 0)
        goto fail;
    ret = DD_ERROR_NOMEM;
    if (e->side && (!(e->band_ring = alloc_planes(e->al, music_channels,
                                                  e->ring_size)) ||
                    !(e->band_tmp = alloc_planes(e->al, music_channels,
                                                 CHUNK))))
        goto fail;
    if ((ret = alloc_ring(e, p, pcm16, mix)) < 0)
        goto fail;
    ret = DD_ERROR_NOMEM;
    e->view = dd_alloc_array(e->al, 2 * music_channels, sizeof(*e->view));
    e->outv = dd_alloc_array(e->al, music_channels, sizeof(*e->outv));
    e->mview = dd_alloc_array(e->al, music_channels, sizeof(*e->mview));
    e->dview = dd_alloc_array(e->al, dialogue_channels, sizeof(*e->dview));
    if (!e->view || !e->outv || !e->mview || !e->dview)
        goto fail;
    *out = e;
    return DD_OK;
fail:
    dd_engine_free(&e);
    return ret;
}

int dd_engine_create(DDEngine **out, const DDParams *p, int sample_rate,
                     int music_channels, int dialogue_channels, int center,
                     const DDAllocator *alloc)
{
    return create(out, p, sample_rate, music_channels, dialogue_channels,
                  center, alloc, 0, NULL);
}

int dd_engine_create_pcm16(DDEngine **out, const DDParams *p,
                           int sample_rate, int music_channels,
                           int dialogue_channels, int center,
                           const float *mix, const DDAllocator *alloc)
{
    *out = NULL;
    /* the band and the carver read and render float planes */
    if (p->spectral != DD_SPECTRAL_OFF || dialogue_channels < 1 ||
        dialogue_channels > DD_S16_CHANNELS_MAX)
        return DD_ERROR_INVAL;
    return create(out, p, sample_rate, music_channels, dialogue_channels,
                  center, alloc, 1, mix);
}

DDDSP *dd_engine_dsp(DDEngine *e)
{
    return &e->dsp;
}

void dd_engine_free(DDEngine **pe)
{
    DDEngine *e = *pe;

    if (!e)
        return;
    dd_analyzer_free(&e->an);
    free_planes(e->al, e->band_ring, e->music_channels);
    free_planes(e->al, e->band_tmp, e->music_channels);
    dd_band_free(&e->band, e->al);
    dd_carve_free(&e->carve, e->al);
    free_planes(e->al, e->ring, e->music_channels);
    dd_free(e->al, e->ring16);
    dd_free(e->al, e->dring16);
    dd_free(e->al, e->mix_map);
    dd_free(e->al, e->mix_src);
    dd_free(e->al, e->mix_gain);
    free_planes(e->al, e->music_tmp, e->music_channels);
    dd_free(e->al, e->view);
    dd_free(e->al, e->outv);
    dd_free(e->al, e->mview);
    dd_free(e->al, e->dview);
    dd_free(e->al, e);
    *pe = NULL;
}

/* Point e->view at up to *n delayed samples from out_pos (fewer where the
 * ring wraps), and in spectral mode e->view + channels at their band; a
 * pcm16 engine renders from its s16 delay line at the same place. */
static void music_view(DDEngine *e, int *n)
{
    int64_t at = e->out_pos % e->ring_size;

    if (*n > e->ring_size - at)
        *n = (int)(e->ring_size - at);
    for (int c = 0; e->ring && c < e->music_channels; c++) {
        e->view[c] = e->ring[c] + at;
        if (e->side)
            e->view[e->music_channels + c] = e->band_ring[c] + at;
    }
}

static int side_latency(const DDEngine *e)
{
    return e->carve ? dd_carve_latency(e->carve) : dd_band_latency(e->band);
}

/* Spectral: push n samples of music (and dialogue for the carver; NULL:
 * silence after the end) through the band or the carver and store what
 * comes out beside the music it belongs to. */
static void push_band(DDEngine *e, const float *const *music,
                      const float *const *dialogue, int n)
{
    int64_t from = e->band_pos - side_latency(e);
    int skip = from < 0 ? (int)(-from < n ? -from : n) : 0, at, first;

    if (e->carve)
        dd_carve_push(e->carve, music, dialogue, n, NULL, e->band_tmp);
    else
        dd_band_push(e->band, music, n, NULL, e->band_tmp);
    e->band_pos += n;
    if (skip == n)
        return;             /* all before position 0 */
    at = (int)((from + skip) % e->ring_size);
    first = e->ring_size - at < n - skip ? (int)(e->ring_size - at) : n - skip;
    for (int c = 0; c < e->music_channels; c++) {
        memcpy(e->band_ring[c] + at, e->band_tmp[c] + skip,
               first * sizeof(float));
        memcpy(e->band_ring[c], e->band_tmp[c] + skip + first,
               (n - skip - first) * sizeof(float));
    }
}

/* Apply the envelope to n delayed samples from out_pos (e->view, or the
 * s16 delay lines) into the output at offset. */
static void render_run(DDEngine *e, const DDKeyframe *kf, int nb,
                       const Io *io, int offset, int n)
{
    const DDKeyframe *prev = e->has_prev ? &e->prev : NULL;
    const int mc = e->music_channels;
    const int64_t at = e->out_pos % e->ring_size;

    if (e->ring16) {
        const DDMixS16 mix = { e->dring16 ? e->dring16 + at * e->dialogue_channels : NULL,
                               e->mix_map, e->dialogue_channels, e->mix_src,
                               e->mix_gain, e->mix_unit };

        dd_apply_envelope_s16(prev, kf, nb, e->out_pos, e->ring16 + at * mc,
                              io->out16 + (size_t)offset * mc, mc, n,
                              e->dring16 ? &mix : NULL, &e->dsp);
        return;
    }
    for (int c = 0; c < mc; c++)
        e->outv[c] = io->out[c] + offset;
    dd_apply_envelope(prev, kf, nb, e->out_pos, e->view, e->outv, mc, n,
                      e->side ? e->view + mc : NULL);
}

/* Render delayed music from out_pos up to end into the output at offset. */
static void render(DDEngine *e, int64_t end, const Io *io, int offset)
{
    DDPlanner *pl = dd_analyzer_planner(e->an);
    DDRegion regions[16];

    while (e->out_pos < end) {
        int64_t left = end - e->out_pos;
        int n = left < e->ring_size ? (int)left : (int)e->ring_size;
        int nb, nb_final, drop = 0;
        const DDKeyframe *kf = dd_planner_keyframes(pl, &nb, &nb_final);

        music_view(e, &n);
        render_run(e, kf, nb, io, offset, n);
        e->out_pos += n;
        offset += n;
        e->last_gain_db = dd_envelope_db(e->has_prev ? &e->prev : NULL, kf,
                                         nb, e->out_pos - 1);

        /* forget final keyframes the render position has passed */
        while (drop < nb_final && kf[drop].t <= e->out_pos)
            drop++;
        if (drop) {
            e->prev = kf[drop - 1];
            e->has_prev = 1;
            dd_planner_pop_keyframes(pl, drop);
        }
    }
    /* regions are for analyzer readers; the engine has none */
    while (dd_planner_read_regions(pl, regions, 16) > 0)
        ;
}

/* n interleaved s16 samples to float planes (x / 32768, exact). */
static void s16_to_planes(float **dst, const int16_t *src, int channels,
                          int n)
{
    for (int c = 0; c < channels; c++)
        for (int i = 0; i < n; i++)
            dst[c][i] = src[i * channels + c] * (1.0f / 32768.0f);
}

/* Feed the analyzer a chunk: the music (e->mview; for a pcm16 engine it
 * reads floats only to measure the music's loudness), and the dialogue
 * as float planes or as interleaved s16. */
static int feed_chunk(DDEngine *e, const Io *io, int offset, int n)
{
    const int mc = e->music_channels;
    int ret;

    if (e->music_tmp) {
        s16_to_planes(e->music_tmp, io->music16 + (size_t)offset * mc, mc, n);
        for (int c = 0; c < mc; c++)
            e->mview[c] = e->music_tmp[c];
    }
    if (!e->ring16 || e->music_tmp)
        if ((ret = dd_analyzer_feed_music(e->an, e->mview, n)) < 0)
            return ret;
    for (int c = 0; io->dialogue && c < e->dialogue_channels; c++)
        e->dview[c] = io->dialogue[c] + offset;
    return io->dialogue ? dd_analyzer_feed_dialogue(e->an, e->dview, n) :
           dd_analyzer_feed_dialogue_s16(e->an, io->dialogue16 +
                                         (size_t)offset * e->dialogue_channels,
                                         n);
}

/* n interleaved frames of ch channels into an s16 delay line at frame at:
 * first of them there, the rest from its start. */
static void store_s16(int16_t *ring, const int16_t *src, int ch, int64_t at,
                      int first, int n)
{
    memcpy(ring + at * ch, src, (size_t)first * ch * sizeof(*src));
    memcpy(ring, src + (size_t)first * ch, (size_t)(n - first) * ch * sizeof(*src));
}

/* Analyze a chunk and append its music to the delay line. */
static int push_chunk(DDEngine *e, const Io *io, int offset, int n)
{
    const int mc = e->music_channels;
    int64_t at = e->in_pos % e->ring_size;
    int first = (int)(e->ring_size - at < n ? e->ring_size - at : n);
    int ret;

    for (int c = 0; io->music && c < mc; c++)
        e->mview[c] = io->music[c] + offset;
    if ((ret = feed_chunk(e, io, offset, n)) < 0)
        return ret;
    if (e->ring16)
        store_s16(e->ring16, io->music16 + (size_t)offset * mc, mc, at,
                  first, n);
    if (e->dring16)
        store_s16(e->dring16, io->dialogue16 +
                  (size_t)offset * e->dialogue_channels,
                  e->dialogue_channels, at, first, n);
    for (int c = 0; e->ring && c < mc; c++) {
        memcpy(e->ring[c] + at, e->mview[c], first * sizeof(float));
        memcpy(e->ring[c], e->mview[c] + first, (n - first) * sizeof(float));
    }
    if (e->side)
        push_band(e, e->mview, e->dview, n);
    e->in_pos += n;
    return DD_OK;
}

static int process(DDEngine *e, const Io *io, int nb_samples)
{
    int written = 0;

    if (nb_samples < 0)
        return DD_ERROR_INVAL;
    for (int offset = 0; offset < nb_samples; offset += CHUNK) {
        int n = nb_samples - offset < CHUNK ? nb_samples - offset : CHUNK;
        int64_t end, start = e->out_pos;
        int ret = push_chunk(e, io, offset, n);

        if (ret < 0)
            return ret;
        /* everything rendered lies before the next hop's frontier */
        end = e->in_pos - e->delay;
        if (end > e->out_pos) {
            render(e, end, io, written);
            written += (int)(e->out_pos - start);
        }
    }
    return written;
}

int dd_engine_process(DDEngine *e, const float *const *music,
                      const float *const *dialogue, int nb_samples,
                      float **out)
{
    const Io io = { .music = music, .dialogue = dialogue, .out = out };

    if (e->ring16)
        return DD_ERROR_STATE;
    return process(e, &io, nb_samples);
}

int dd_engine_process_s16(DDEngine *e, const float *const *music,
                          const int16_t *dialogue, int nb_samples,
                          float **out)
{
    const Io io = { .music = music, .dialogue16 = dialogue, .out = out };

    if (e->ring16)
        return DD_ERROR_STATE;
    /* the carver takes the dialogue's planes */
    if (e->carve || e->dialogue_channels > DD_S16_CHANNELS_MAX)
        return DD_ERROR_INVAL;
    return process(e, &io, nb_samples);
}

int dd_engine_process_pcm16(DDEngine *e, const int16_t *music,
                            const int16_t *dialogue, int nb_samples,
                            int16_t *out)
{
    const Io io = { .music16 = music, .dialogue16 = dialogue, .out16 = out };

    if (!e->ring16)
        return DD_ERROR_STATE;
    return process(e, &io, nb_samples);
}

/* The end of the input: the delayed samples left. */
static int flush(DDEngine *e, const Io *io)
{
    int64_t start = e->out_pos;
    int ret = dd_analyzer_finish(e->an);

    if (ret < 0)
        return ret;
    /* the band of the last samples: the music is silent after its end */
    while (e->side && e->band_pos < e->in_pos + side_latency(e)) {
        int64_t left = e->in_pos + side_latency(e) - e->band_pos;
        push_band(e, NULL, NULL, left < CHUNK ? (int)left : CHUNK);
    }
    render(e, e->in_pos, io, 0);
    return (int)(e->out_pos - start);
}

int dd_engine_flush(DDEngine *e, float **out)
{
    const Io io = { .out = out };

    if (e->ring16)
        return DD_ERROR_STATE;
    return flush(e, &io);
}

int dd_engine_flush_pcm16(DDEngine *e, int16_t *out)
{
    const Io io = { .out16 = out };

    if (!e->ring16)
        return DD_ERROR_STATE;
    return flush(e, &io);
}

double dd_engine_gain_db(const DDEngine *e)
{
    return e->last_gain_db;
}

int dd_engine_active(const DDEngine *e)
{
    return e->last_gain_db < 0.0;
}

int dd_engine_set_params(DDEngine *e, const DDParams *p)
{
    int ret;

    if (p->band_low != e->band_low || p->band_high != e->band_high)
        return DD_ERROR_INVAL;
    if ((ret = dd_analyzer_set_params(e->an, p)) < 0)
        return ret;
    if (e->carve)
        dd_carve_set(e->carve, p);
    return DD_OK;
}
