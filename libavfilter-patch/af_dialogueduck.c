/*
 * Copyright (c) 2026 dialogueduck developers
 *
 * This file is part of FFmpeg.
 *
 * FFmpeg is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * FFmpeg is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with FFmpeg; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
 */

/**
 * @file
 * Automatic ducking of music under dialogue.
 *
 * First input: the music, which is ducked. Second input: the dialogue,
 * which drives the ducking. The engine (dialogueduck*.c) detects speech,
 * plans fades that end at the first syllable (lookahead), renders the
 * gain and decides where dialogue channels land; this file places both
 * inputs on the music's timeline (gaps become silence), decides when the
 * output ends, ramps the timeline and handles options and commands.
 */

#include <math.h>

#include "libavutil/audio_fifo.h"
#include "libavutil/channel_layout.h"
#include "libavutil/common.h"
#include "libavutil/fifo.h"
#include "libavutil/mem.h"
#include "libavutil/opt.h"
#include "libavutil/samplefmt.h"

#include "af_dialogueduckdsp.h"
#include "audio.h"
#include "avfilter.h"
#include "dialogueduck.h"
#include "filters.h"
#include "formats.h"

/* Initial room of the FIFOs beyond the lookahead: one frame of a usual
 * size (they grow when a frame is larger). */
#define FIFO_SLACK 4096
/* Longest block of silence made at once to fill a gap or to go on after
 * an input has ended, so that memory does not follow the gap's length. */
#define FILL_BLOCK 4096

enum Duration {
    DURATION_LONGEST,
    DURATION_SHORTEST,
    DURATION_FIRST,
};

/* A change of the timeline state, at a music input sample position. */
typedef struct TimelineChange {
    int64_t start;
    int disabled;
} TimelineChange;

typedef struct DialogueDuckContext {
    const AVClass *class;

    double depth;
    double below;
    double lookahead;
    double attack;
    double release;
    double hold;
    double threshold;
    int spectral;
    double band_low;
    double band_high;
    double unmask;
    int mix;
    int duration;
    double tolerance;

    DDEngine *engine;
    int64_t lookahead_samples;
    /* Links that carry interleaved s16 (PCM in and out without a
     * conversion filter); the engine works on float planes, converted
     * in and out as libswresample would. */
    int music_s16, dialogue_s16, out_s16;
    int feed_s16;            /* the engine takes the s16 dialogue as it is */
    int pcm16;               /* all three links s16, broadband, no timeline:
                                the engine takes the s16 music as it is
                                and gives the s16 output, the dialogue
                                mixed in (dd_engine_create_pcm16()) */
    AVFrame *music_conv;     /* s16 in and out: the music being ducked */
    AVFrame *dialogue_conv;  /* s16 dialogue converted for the engine
                                (adaptive mode: the carver reads planes) */
    float *mix_map;          /* dialogue channel x music channel gains */

    /* Both inputs are placed on one timeline, in samples from the first
     * music timestamp (origin, in samples at the output rate). */
    int64_t first_pts;
    int64_t origin;
    int64_t tolerance_samples;

    AVFrame *music;          /* consumed, waiting for its dialogue */
    int64_t music_pos;       /* where it starts on the timeline */
    int music_eof;           /* the music's status once it has ended */
    int64_t music_eof_pts;

    AVAudioFifo *dialogue;   /* dialogue from in_samples on */
    AVFrame *dialogue_block; /* the block read from it, and later from
                                dialogue_delay to be mixed, kept for the
                                next (getting a buffer each time clears it) */
    AVFrame *dialogue_next;  /* consumed, after a gap */
    int64_t dialogue_next_pos;
    int dialogue_eof;

    /* Dialogue fed to the engine but not mixed yet, in the link's
     * format: it is delayed like the music so that both leave the filter
     * in step. */
    AVAudioFifo *dialogue_delay;
    /* Unducked music for the spans where enable= is off; only kept when
     * a timeline expression is set. */
    AVAudioFifo *music_delay;
    AVFifo *timeline;        /* pending TimelineChange entries */
    int in_disabled;         /* last state recorded at the input */
    int out_disabled;        /* state at the output position */
    double bypass;           /* 0: ducked, 1: unducked; ramps between */

    int64_t in_samples;
    int64_t out_samples;
} DialogueDuckContext;

#define OFFSET(x) offsetof(DialogueDuckContext, x)
#define A AV_OPT_FLAG_AUDIO_PARAM | AV_OPT_FLAG_FILTERING_PARAM
#define AR A | AV_OPT_FLAG_RUNTIME_PARAM

static const AVOption dialogueduck_options[] = {
    { "depth",     "set the music gain under dialogue in dB", OFFSET(depth),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_DEPTH_DEFAULT }, DD_DEPTH_MIN, DD_DEPTH_MAX, AR },
    { "below",     "keep the music this many LU under the dialogue (0: fixed depth)", OFFSET(below),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_BELOW_DEFAULT }, DD_BELOW_MIN, DD_BELOW_MAX, AR },
    { "lookahead", "set the lookahead in seconds", OFFSET(lookahead),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_LOOKAHEAD_DEFAULT }, DD_LOOKAHEAD_MIN, DD_LOOKAHEAD_MAX, A },
    { "attack",    "set the fade-down duration in seconds", OFFSET(attack),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_ATTACK_DEFAULT }, DD_ATTACK_MIN, DD_ATTACK_MAX, AR },
    { "release",   "set the fade-up duration in seconds", OFFSET(release),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_RELEASE_DEFAULT }, DD_RELEASE_MIN, DD_RELEASE_MAX, AR },
    { "hold",      "set how long the music stays down after a line, in seconds", OFFSET(hold),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_HOLD_DEFAULT }, DD_HOLD_MIN, DD_HOLD_MAX, AR },
    { "threshold", "set the speech gate in dBFS", OFFSET(threshold),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_THRESHOLD_DEFAULT }, DD_THRESHOLD_MIN, DD_THRESHOLD_MAX, AR },
    { "spectral",  "set which part of the music's spectrum is ducked", OFFSET(spectral),
      AV_OPT_TYPE_INT, { .i64 = DD_SPECTRAL_OFF }, DD_SPECTRAL_OFF, DD_SPECTRAL_ADAPTIVE, A, .unit = "spectral" },
        { "off",      "all of it (broadband)",                    0, AV_OPT_TYPE_CONST, { .i64 = DD_SPECTRAL_OFF      }, 0, 0, A, .unit = "spectral" },
        { "band",     "the speech band (band_low to band_high)",  0, AV_OPT_TYPE_CONST, { .i64 = DD_SPECTRAL_BAND     }, 0, 0, A, .unit = "spectral" },
        { "adaptive", "each band only as far as it masks the dialogue", 0, AV_OPT_TYPE_CONST, { .i64 = DD_SPECTRAL_ADAPTIVE }, 0, 0, A, .unit = "spectral" },
    { "band_low",  "set the lower edge of the spectral speech band in Hz", OFFSET(band_low),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_BAND_LOW_DEFAULT }, DD_BAND_LOW_MIN, DD_BAND_LOW_MAX, A },
    { "band_high", "set the upper edge of the spectral speech band in Hz", OFFSET(band_high),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_BAND_HIGH_DEFAULT }, DD_BAND_HIGH_MIN, DD_BAND_HIGH_MAX, A },
    { "unmask",    "set the dialogue-to-music ratio adaptive mode carves to, in dB", OFFSET(unmask),
      AV_OPT_TYPE_DOUBLE, { .dbl = DD_UNMASK_DEFAULT }, DD_UNMASK_MIN, DD_UNMASK_MAX, AR },
    { "mix",       "output dialogue + ducked music (1) or the ducked music only (0)", OFFSET(mix),
      AV_OPT_TYPE_BOOL, { .i64 = 1 }, 0, 1, A },
    { "duration",  "set how the output length is decided", OFFSET(duration),
      AV_OPT_TYPE_INT, { .i64 = DURATION_LONGEST }, DURATION_LONGEST, DURATION_FIRST, A, .unit = "duration" },
        { "longest",  "until both inputs end",      0, AV_OPT_TYPE_CONST, { .i64 = DURATION_LONGEST  }, 0, 0, A, .unit = "duration" },
        { "shortest", "until either input ends",    0, AV_OPT_TYPE_CONST, { .i64 = DURATION_SHORTEST }, 0, 0, A, .unit = "duration" },
        { "first",    "until the music ends",       0, AV_OPT_TYPE_CONST, { .i64 = DURATION_FIRST    }, 0, 0, A, .unit = "duration" },
    { "tolerance", "set the longest timestamp gap, in seconds, taken as continuous", OFFSET(tolerance),
      AV_OPT_TYPE_DOUBLE, { .dbl = 0.01 }, 0.0001, 10, A },
    { NULL }
};

AVFILTER_DEFINE_CLASS(dialogueduck);

static int engine_error(int err)
{
    switch (err) {
    case DD_ERROR_NOMEM: return AVERROR(ENOMEM);
    case DD_ERROR_INVAL: return AVERROR(EINVAL);
    default:             return AVERROR_BUG;
    }
}

static void *engine_alloc(void *opaque, size_t size)
{
    return av_mallocz(size);
}

static void engine_free_memory(void *opaque, void *ptr)
{
    av_free(ptr);
}

static void get_params(const DialogueDuckContext *s, DDParams *p)
{
    dd_params_default(p);
    p->depth     = s->depth;
    p->below     = s->below;
    p->lookahead = s->lookahead;
    p->attack    = s->attack;
    p->release   = s->release;
    p->hold      = s->hold;
    p->threshold = s->threshold;
    p->spectral  = s->spectral;
    p->band_low  = s->band_low;
    p->band_high = s->band_high;
    p->unmask    = s->unmask;
}

static void put_params(DialogueDuckContext *s, const DDParams *p)
{
    s->depth     = p->depth;
    s->below     = p->below;
    s->attack    = p->attack;
    s->release   = p->release;
    s->hold      = p->hold;
    s->threshold = p->threshold;
    s->unmask    = p->unmask;
}

static av_cold int init(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;

    /* every option is range-checked by AVOption; the band's edges must
     * also be an octave apart at least */
    if (s->band_high < 2.0 * s->band_low) {
        av_log(ctx, AV_LOG_ERROR, "band_high (%g) must be at least twice band_low (%g).\n",
               s->band_high, s->band_low);
        return AVERROR(EINVAL);
    }
    s->first_pts = AV_NOPTS_VALUE;
    return 0;
}

static int query_formats(const AVFilterContext *ctx,
                         AVFilterFormatsConfig **cfg_in,
                         AVFilterFormatsConfig **cfg_out)
{
    /* s16 spares PCM stems the conversion filters. Each link negotiates
     * its own format: a list shared by the three would let the first
     * link merged decide for all, reducing a float input to s16 before
     * the filter, or the output of s16 inputs to s16 before a float
     * sink. s16 to float is exact, so the result is the float path's. */
    static const enum AVSampleFormat sample_fmts[] = {
        AV_SAMPLE_FMT_FLTP,
        AV_SAMPLE_FMT_S16,
        AV_SAMPLE_FMT_NONE
    };
    AVFilterFormatsConfig *links[] = { cfg_in[0], cfg_in[1], cfg_out[0] };
    int ret;

    for (int i = 0; i < FF_ARRAY_ELEMS(links); i++) {
        ret = ff_formats_ref(ff_make_sample_format_list(sample_fmts),
                             &links[i]->formats);
        if (ret < 0)
            return ret;
    }

    /* The music and the output share their layout through the generic
     * code; the dialogue may have any layout. The sample rate is common
     * to all three by default. */
    return ff_channel_layouts_ref(ff_all_channel_counts(),
                                  &cfg_in[1]->channel_layouts);
}

/* Speaker positions of a layout for the engine's channel policy. */
static int *layout_positions(const AVChannelLayout *layout)
{
    int *pos = av_malloc_array(layout->nb_channels, sizeof(*pos));

    if (pos)
        for (int c = 0; c < layout->nb_channels; c++)
            pos[c] = av_channel_layout_channel_from_index(layout, c);
    return pos;
}

/* Which dialogue channel drives detection and where each one lands in
 * the output: the engine decides, as for the dialogueduck program. */
static int channel_policy(DialogueDuckContext *s, const AVChannelLayout *music,
                          const AVChannelLayout *dialogue, int *center)
{
    const int nm = music->nb_channels, nd = dialogue->nb_channels;
    int *mpos = layout_positions(music), *dpos = layout_positions(dialogue);
    int ret = AVERROR(ENOMEM);

    av_freep(&s->mix_map);
    if (mpos && dpos) {
        *center = dd_channel_detect(dpos, nd);
        if (s->mix)
            s->mix_map = av_calloc(nd * nm, sizeof(*s->mix_map));
        if (s->mix_map)
            dd_channel_placement(s->mix_map, mpos, nm, dpos, nd);
        ret = s->mix && !s->mix_map ? AVERROR(ENOMEM) : 0;
    }
    av_free(mpos);
    av_free(dpos);
    return ret;
}

static int alloc_fifos(AVFilterContext *ctx, int nm, int nd)
{
    DialogueDuckContext *s = ctx->priv;
    const int size = s->lookahead_samples + FIFO_SLACK;

    /* config_output may run again when the graph is reconfigured */
    av_audio_fifo_free(s->dialogue);
    av_audio_fifo_free(s->dialogue_delay);
    av_audio_fifo_free(s->music_delay);
    s->dialogue = s->dialogue_delay = s->music_delay = NULL;
    av_fifo_freep2(&s->timeline);

    s->dialogue = av_audio_fifo_alloc(ctx->inputs[1]->format, nd, FIFO_SLACK);
    if (!s->dialogue)
        return AVERROR(ENOMEM);
    if (s->mix && !s->pcm16) { /* a pcm16 engine delays it itself */
        s->dialogue_delay = av_audio_fifo_alloc(ctx->inputs[1]->format, nd, size);
        if (!s->dialogue_delay)
            return AVERROR(ENOMEM);
    }
    if (ctx->enable_str) {
        s->music_delay = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, nm, size);
        s->timeline = av_fifo_alloc2(16, sizeof(TimelineChange),
                                     AV_FIFO_FLAG_AUTO_GROW);
        if (!s->music_delay || !s->timeline)
            return AVERROR(ENOMEM);
    }
    return 0;
}

static int config_output(AVFilterLink *outlink)
{
    AVFilterContext *ctx = outlink->src;
    DialogueDuckContext *s = ctx->priv;
    AVFilterLink *music = ctx->inputs[0];
    AVFilterLink *dialogue = ctx->inputs[1];
    const DDAllocator alloc = { engine_alloc, engine_free_memory, NULL };
    int center, ret;
    DDParams p;

    outlink->time_base = music->time_base;
    ret = channel_policy(s, &music->ch_layout, &dialogue->ch_layout, &center);
    if (ret < 0)
        return ret;

    s->music_s16    = music->format    == AV_SAMPLE_FMT_S16;
    s->dialogue_s16 = dialogue->format == AV_SAMPLE_FMT_S16;
    s->out_s16      = outlink->format  == AV_SAMPLE_FMT_S16;
    s->feed_s16     = s->dialogue_s16 && s->spectral != DD_SPECTRAL_ADAPTIVE &&
                      dialogue->ch_layout.nb_channels <= DD_S16_CHANNELS_MAX;
    s->pcm16        = s->feed_s16 && s->music_s16 && s->out_s16 &&
                      s->spectral == DD_SPECTRAL_OFF && !ctx->enable_str;

    get_params(s, &p);
    dd_engine_free(&s->engine);
    if (s->pcm16)
        ret = dd_engine_create_pcm16(&s->engine, &p, outlink->sample_rate,
                                     music->ch_layout.nb_channels,
                                     dialogue->ch_layout.nb_channels, center,
                                     s->mix ? s->mix_map : NULL, &alloc);
    else
        ret = dd_engine_create(&s->engine, &p, outlink->sample_rate,
                               music->ch_layout.nb_channels,
                               dialogue->ch_layout.nb_channels, center, &alloc);
    if (ret < 0) {
        av_log(ctx, AV_LOG_ERROR, "Cannot create the engine: %s.\n",
               dd_strerror(ret));
        return engine_error(ret);
    }
    ff_dialogueduck_dsp_init(dd_engine_dsp(s->engine));
    s->lookahead_samples = dd_lookahead_samples(&p, outlink->sample_rate);
    s->tolerance_samples = llrint(s->tolerance * outlink->sample_rate);
    /* block buffers of an earlier configuration */
    av_frame_free(&s->dialogue_block);
    av_frame_free(&s->music_conv);
    av_frame_free(&s->dialogue_conv);

    return alloc_fifos(ctx, music->ch_layout.nb_channels,
                       dialogue->ch_layout.nb_channels);
}

/* Crossfades channel c of out towards orig by the bypass weight, which
 * moves from w by step per sample to target; returns the last weight. */
static double blend(float *out, const float *orig, int n, double w,
                    double step, double target)
{
    for (int i = 0; i < n; i++) {
        w = target > w ? FFMIN(w + step, target) : FFMAX(w - step, target);
        out[i] += (float)w * (orig[i] - out[i]);
    }
    return w;
}

/* n float planar samples in a layout, whatever format the links carry. */
static AVFrame *float_frame(const AVChannelLayout *layout, int n)
{
    AVFrame *frame = av_frame_alloc();

    if (!frame)
        return NULL;
    frame->format     = AV_SAMPLE_FMT_FLTP;
    frame->nb_samples = n;
    if (av_channel_layout_copy(&frame->ch_layout, layout) < 0 ||
        av_frame_get_buffer(frame, 0) < 0)
        av_frame_free(&frame);
    return frame;
}

/* *frame, replaced by a larger float frame if it holds fewer than n
 * samples: a block buffer reused from block to block. */
static AVFrame *float_buffer(AVFrame **frame, const AVChannelLayout *layout, int n)
{
    if (!*frame || (*frame)->nb_samples < n) {
        av_frame_free(frame);
        *frame = float_frame(layout, n);
    }
    return *frame;
}

/* A float sample to s16, as libswresample converts it, so that the
 * output is the one of the float path and a conversion. */
static inline int16_t to_s16(float v)
{
    return av_clip_int16(lrintf(v * (1 << 15)));
}

/* One float plane to channel c of interleaved s16 (dst at c, stride
 * channels). */
static void plane_to_s16(int16_t *dst, int channels, const float *src, int n)
{
    for (int i = 0; i < n; i++, dst += channels)
        *dst = to_s16(src[i]);
}

/* Interleaved s16 to float planes, as libswresample converts them. */
static void s16_to_planes(float **dst, const int16_t *src, int channels, int n)
{
    if (channels == 2) { /* the usual stem: both planes in one pass */
        float *l = dst[0], *r = dst[1];

        for (int i = 0; i < n; i++) {
            l[i] = src[2 * i]     * (1.0f / (1 << 15));
            r[i] = src[2 * i + 1] * (1.0f / (1 << 15));
        }
        return;
    }
    for (int c = 0; c < channels; c++) {
        const int16_t *p = src + c;
        float *d = dst[c];

        for (int i = 0; i < n; i++, p += channels)
            d[i] = *p * (1.0f / (1 << 15));
    }
}

/* Float planes to interleaved s16. */
static void planes_to_s16(int16_t *dst, float *const *src, int channels, int n)
{
    if (channels == 2) {
        const float *l = src[0], *r = src[1];

        for (int i = 0; i < n; i++) {
            dst[2 * i]     = to_s16(l[i]);
            dst[2 * i + 1] = to_s16(r[i]);
        }
        return;
    }
    for (int c = 0; c < channels; c++)
        plane_to_s16(dst + c, channels, src[c], n);
}

/* Put back the unducked music where the timeline disables the filter,
 * ramping over release (off) and attack (on) instead of jumping. */
static int apply_timeline(AVFilterContext *ctx, float **out, int n)
{
    DialogueDuckContext *s = ctx->priv;
    const int nm = ctx->outputs[0]->ch_layout.nb_channels;
    const int rate = ctx->outputs[0]->sample_rate;
    const int64_t end = s->out_samples + n;
    int64_t pos = s->out_samples;
    TimelineChange change;
    AVFrame *orig;

    orig = float_frame(&ctx->outputs[0]->ch_layout, n);
    if (!orig)
        return AVERROR(ENOMEM);
    av_audio_fifo_read(s->music_delay, (void **)orig->extended_data, n);

    while (pos < end) {
        const double target = s->out_disabled;
        const double step = 1.0 / ((target ? s->release : s->attack) * rate);
        const int off = pos - s->out_samples;
        int64_t next = end;
        double w = s->bypass;

        if (av_fifo_peek(s->timeline, &change, 1, 0) >= 0 && change.start < end)
            next = FFMAX(change.start, pos);
        for (int c = 0; c < nm; c++)
            w = blend(out[c] + off,
                      (const float *)orig->extended_data[c] + off,
                      next - pos, s->bypass, step, target);
        s->bypass = w;
        pos = next;
        if (next < end) {
            av_fifo_read(s->timeline, &change, 1);
            s->out_disabled = change.disabled;
        }
    }

    av_frame_free(&orig);
    return 0;
}

/* A dialogue buffer of at least n samples, reused from block to block. */
static AVFrame *dialogue_buffer(AVFilterContext *ctx, int n)
{
    DialogueDuckContext *s = ctx->priv;

    if (!s->dialogue_block || s->dialogue_block->nb_samples < n) {
        av_frame_free(&s->dialogue_block);
        s->dialogue_block = ff_get_audio_buffer(ctx->inputs[1], n);
    }
    return s->dialogue_block;
}

/* The float block of dialogue the engine is fed when it cannot take s16:
 * the link's own block unless the link carries s16. */
static AVFrame *dialogue_float_buffer(AVFilterContext *ctx, int n)
{
    DialogueDuckContext *s = ctx->priv;

    if (!s->dialogue_s16)
        return dialogue_buffer(ctx, n);
    return float_buffer(&s->dialogue_conv, &ctx->inputs[1]->ch_layout, n);
}

/* Adds gain g times channel d of a dialogue block (in the format of the
 * link: s16 is converted as s16_to_planes() does) to dst. */
static void add_dialogue(float *dst, const AVFrame *dlg, int s16, int d,
                         float g, int n)
{
    if (s16) {
        const int nd = dlg->ch_layout.nb_channels;
        const int16_t *src = (const int16_t *)dlg->data[0] + d;

        for (int i = 0; i < n; i++)
            dst[i] += g * (src[i * nd] * (1.0f / (1 << 15)));
    } else {
        const float *src = (const float *)dlg->extended_data[d];

        for (int i = 0; i < n; i++)
            dst[i] += g * src[i];
    }
}

/* add_dialogue() and plane_to_s16() in one pass: the plane is read once
 * and never written. */
static void add_dialogue_to_s16(int16_t *dst, int channels, const float *plane,
                                const AVFrame *dlg, int s16, int d, float g,
                                int n)
{
    if (s16) {
        const int nd = dlg->ch_layout.nb_channels;
        const int16_t *src = (const int16_t *)dlg->data[0] + d;

        for (int i = 0; i < n; i++, dst += channels)
            *dst = to_s16(plane[i] + g * (src[i * nd] * (1.0f / (1 << 15))));
    } else {
        const float *src = (const float *)dlg->extended_data[d];

        for (int i = 0; i < n; i++, dst += channels)
            *dst = to_s16(plane[i] + g * src[i]);
    }
}

/* Mixes the delayed dialogue into the ducked planes (each music channel
 * gets its dialogue channels in their order), and converts them into out
 * when the output is s16, the last dialogue channel of each music channel
 * in the same pass as the conversion. */
static int mix_dialogue(AVFilterContext *ctx, AVFrame *out, float **planes, int n)
{
    DialogueDuckContext *s = ctx->priv;
    const int nm = ctx->outputs[0]->ch_layout.nb_channels;
    const int nd = ctx->inputs[1]->ch_layout.nb_channels;
    AVFrame *dlg = dialogue_buffer(ctx, n);

    if (!dlg)
        return AVERROR(ENOMEM);
    av_audio_fifo_read(s->dialogue_delay, (void **)dlg->extended_data, n);

    for (int m = 0; m < nm; m++) {
        int last = -1;

        for (int d = 0; d < nd; d++) {
            const float g = s->mix_map[d * nm + m];

            if (g == 0.0f)
                continue;
            if (last >= 0)
                add_dialogue(planes[m], dlg, s->dialogue_s16, last,
                             s->mix_map[last * nm + m], n);
            last = d;
        }
        if (last >= 0 && s->out_s16)
            add_dialogue_to_s16((int16_t *)out->data[0] + m, nm, planes[m],
                                dlg, s->dialogue_s16, last,
                                s->mix_map[last * nm + m], n);
        else if (last >= 0)
            add_dialogue(planes[m], dlg, s->dialogue_s16, last,
                         s->mix_map[last * nm + m], n);
        else if (s->out_s16)
            plane_to_s16((int16_t *)out->data[0] + m, nm, planes[m], n);
    }
    return 0;
}

static int64_t output_pts(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];

    return s->first_pts + av_rescale_q(s->out_samples,
                                       (AVRational){ 1, outlink->sample_rate },
                                       outlink->time_base);
}

/* Sends n ducked samples of the float planes (out's own when the output
 * is float, converted into out when it is s16; NULL: a pcm16 engine wrote
 * them into out, the dialogue mixed in), or frees out when n is 0. */
static int output_block(AVFilterContext *ctx, AVFrame *out, float **planes,
                        int n)
{
    DialogueDuckContext *s = ctx->priv;
    double gain = dd_engine_gain_db(s->engine);
    int active = dd_engine_active(s->engine);
    char buf[32];
    int ret;

    if (n <= 0) {
        av_frame_free(&out);
        return 0;
    }
    out->nb_samples = n;

    if (s->music_delay) {
        ret = apply_timeline(ctx, planes, n);
        if (ret < 0)
            goto fail;
        gain  *= 1.0 - s->bypass;
        active = active && s->bypass < 1.0;
    }

    if (s->mix && planes) {
        ret = mix_dialogue(ctx, out, planes, n);
        if (ret < 0)
            goto fail;
    } else if (s->out_s16 && planes) {
        planes_to_s16((int16_t *)out->data[0], planes,
                      out->ch_layout.nb_channels, n);
    }

    snprintf(buf, sizeof(buf), "%.2f", gain + 0.0);
    av_dict_set(&out->metadata, "lavfi.dialogueduck.gain", buf, 0);
    av_dict_set(&out->metadata, "lavfi.dialogueduck.active",
                active ? "1" : "0", 0);

    out->pts = output_pts(ctx);
    s->out_samples += n;
    return ff_filter_frame(ctx->outputs[0], out);

fail:
    av_frame_free(&out);
    return ret;
}

/* n samples of silence in the format of a link. */
static AVFrame *silence(AVFilterLink *link, int n)
{
    AVFrame *frame = ff_get_audio_buffer(link, n);

    if (frame)
        av_samples_set_silence(frame->extended_data, 0, n,
                               frame->ch_layout.nb_channels, frame->format);
    return frame;
}

/* The music frame *in as the output frame: writable, without the
 * properties that belonged to its input position (*in is taken). */
static AVFrame *output_buffer(AVFilterContext *ctx, AVFrame **in)
{
    AVFrame *out;

    if (ff_inlink_make_frame_writable(ctx->inputs[0], in) < 0)
        return NULL;
    out = *in;
    *in = NULL;
    av_dict_free(&out->metadata);
    av_frame_side_data_free(&out->side_data, &out->nb_side_data);
    out->duration = 0;
    return out;
}

/* process_block() for a pcm16 engine: the s16 music frame *in is ducked
 * in place (and becomes the output) with the s16 dialogue block dlg. */
static int duck_pcm16(AVFilterContext *ctx, AVFrame **in, AVFrame *dlg, int n)
{
    DialogueDuckContext *s = ctx->priv;
    AVFrame *out = output_buffer(ctx, in);
    int ret;

    if (!out)
        return AVERROR(ENOMEM);
    ret = dd_engine_process_pcm16(s->engine, (const int16_t *)out->data[0],
                                  (const int16_t *)dlg->data[0], n,
                                  (int16_t *)out->data[0]);
    if (ret < 0) {
        av_frame_free(&out);
        return engine_error(ret);
    }
    s->in_samples += n;
    return output_block(ctx, out, NULL, ret);
}

/* Ducks n samples of *music (silence when music is NULL; the frame is
 * taken) with the queued dialogue, silence where the dialogue has run
 * out. The music is ducked in place where it is float; the output is
 * the music frame itself where the music and the output formats agree. */
static int process_block(AVFilterContext *ctx, AVFrame **music, int n)
{
    DialogueDuckContext *s = ctx->priv;
    AVFrame *dlg = dialogue_buffer(ctx, n);
    AVFrame *dlgf = s->feed_s16 ? dlg : dialogue_float_buffer(ctx, n);
    AVFrame *in, *out = NULL, *work;
    int ret = AVERROR(ENOMEM), got;

    if (music) {
        in = *music;
        *music = NULL;
    } else {
        in = silence(ctx->inputs[0], n);
    }
    if (!dlg || !dlgf || !in)
        goto end;
    got = av_audio_fifo_read(s->dialogue, (void **)dlg->extended_data, n);
    if (got < n)
        av_samples_set_silence(dlg->extended_data, FFMAX(got, 0), n - FFMAX(got, 0),
                               dlg->ch_layout.nb_channels, dlg->format);
    if (s->dialogue_s16 && !s->feed_s16)
        s16_to_planes((float **)dlgf->extended_data, (const int16_t *)dlg->data[0],
                      dlg->ch_layout.nb_channels, n);
    if (s->pcm16) {
        ret = duck_pcm16(ctx, &in, dlg, n);
        goto end;
    }

    if (s->music_s16 == s->out_s16)
        out = output_buffer(ctx, &in);
    else if (s->music_s16 || ff_inlink_make_frame_writable(ctx->inputs[0], &in) >= 0)
        out = ff_get_audio_buffer(ctx->outputs[0], n);
    if (!out)
        goto end;
    /* the float music, ducked in place */
    if (!s->music_s16)
        work = in ? in : out;
    else if (!s->out_s16)
        work = out;
    else
        work = float_buffer(&s->music_conv, &ctx->inputs[0]->ch_layout, n);
    if (!work)
        goto end;
    if (s->music_s16)
        s16_to_planes((float **)work->extended_data,
                      (const int16_t *)(in ? in : out)->data[0],
                      work->ch_layout.nb_channels, n);

    /* before the music is ducked */
    if ((s->dialogue_delay &&
         av_audio_fifo_write(s->dialogue_delay, (void **)dlg->extended_data, n) < n) ||
        (s->music_delay &&
         av_audio_fifo_write(s->music_delay, (void **)work->extended_data, n) < n))
        goto end;

    if (s->feed_s16)
        ret = dd_engine_process_s16(s->engine, (const float *const *)work->extended_data,
                                    (const int16_t *)dlg->data[0], n,
                                    (float **)work->extended_data);
    else
        ret = dd_engine_process(s->engine, (const float *const *)work->extended_data,
                                (const float *const *)dlgf->extended_data, n,
                                (float **)work->extended_data);
    if (ret < 0) {
        ret = engine_error(ret);
        goto end;
    }
    s->in_samples += n;

    ret = output_block(ctx, out, (float **)work->extended_data, ret);
    out = NULL;

end:
    av_frame_free(&out);
    av_frame_free(&in);
    return ret;
}

/* Drops the first skip samples of *frame (all of it, leaving NULL, if
 * it is that short). */
static int drop_start(AVFilterLink *link, AVFrame **frame, int64_t skip)
{
    AVFrame *in = *frame, *out = NULL;

    if (skip < in->nb_samples) {
        out = ff_get_audio_buffer(link, in->nb_samples - skip);
        if (!out)
            return AVERROR(ENOMEM);
        av_samples_copy(out->extended_data, in->extended_data, 0, skip,
                        out->nb_samples, in->ch_layout.nb_channels, in->format);
    }
    av_frame_free(frame);
    *frame = out;
    return 0;
}

/* Where a frame starts on the timeline, in samples. */
static int64_t frame_position(AVFilterContext *ctx, AVFilterLink *link,
                              const AVFrame *frame, int64_t expected)
{
    DialogueDuckContext *s = ctx->priv;

    if (frame->pts == AV_NOPTS_VALUE)
        return expected;
    return av_rescale_q(frame->pts, link->time_base,
                        (AVRational){ 1, link->sample_rate }) - s->origin;
}

/* The timeline starts at the first music timestamp, or at the first
 * dialogue timestamp if there is no music at all. */
static void set_origin(AVFilterContext *ctx, AVFilterLink *link, int64_t pts)
{
    DialogueDuckContext *s = ctx->priv;

    if (s->first_pts != AV_NOPTS_VALUE)
        return;
    if (pts == AV_NOPTS_VALUE)
        pts = 0;
    s->first_pts = av_rescale_q(pts, link->time_base, ctx->outputs[0]->time_base);
    s->origin = av_rescale_q(s->first_pts, ctx->outputs[0]->time_base,
                             (AVRational){ 1, link->sample_rate });
}

/* Appends the next dialogue frame to the queue: after silence if its
 * timestamp leaves a gap, without what comes before the music's first
 * timestamp. */
static int queue_dialogue(AVFilterContext *ctx, int want)
{
    DialogueDuckContext *s = ctx->priv;
    const int64_t end = s->in_samples + av_audio_fifo_size(s->dialogue);
    const int64_t gap = s->dialogue_next_pos - end;
    int ret;

    if (gap > s->tolerance_samples) {
        AVFrame *fill = silence(ctx->inputs[1], FFMIN(gap, want));

        if (!fill)
            return AVERROR(ENOMEM);
        ret = av_audio_fifo_write(s->dialogue, (void **)fill->extended_data,
                                  fill->nb_samples);
        av_frame_free(&fill);
        return ret < 0 ? ret : 0;
    }
    if (s->dialogue_next_pos < 0) {
        ret = drop_start(ctx->inputs[1], &s->dialogue_next, -s->dialogue_next_pos);
        if (ret < 0 || !s->dialogue_next)
            return ret;
    }
    ret = av_audio_fifo_write(s->dialogue, (void **)s->dialogue_next->extended_data,
                              s->dialogue_next->nb_samples);
    av_frame_free(&s->dialogue_next);
    return ret < 0 ? ret : 0;
}

/* Makes n samples of dialogue ready from in_samples on. Returns 1 when
 * they are, or when the dialogue has ended (the rest is silence); 0 when
 * a dialogue frame was requested. */
static int fill_dialogue(AVFilterContext *ctx, int n)
{
    DialogueDuckContext *s = ctx->priv;
    AVFilterLink *link = ctx->inputs[1];
    int64_t pts;
    int ret, status;

    while (av_audio_fifo_size(s->dialogue) < n && !s->dialogue_eof) {
        const int64_t end = s->in_samples + av_audio_fifo_size(s->dialogue);

        if (!s->dialogue_next) {
            ret = ff_inlink_consume_frame(link, &s->dialogue_next);
            if (ret < 0)
                return ret;
            if (!ret) {
                if (ff_inlink_acknowledge_status(link, &status, &pts)) {
                    s->dialogue_eof = 1;
                    break;
                }
                ff_inlink_request_frame(link);
                return 0;
            }
            set_origin(ctx, link, s->dialogue_next->pts);
            s->dialogue_next_pos = frame_position(ctx, link, s->dialogue_next, end);
        }
        ret = queue_dialogue(ctx, n - av_audio_fifo_size(s->dialogue));
        if (ret < 0)
            return ret;
    }
    return 1;
}

static int flush(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];
    AVFrame *out, *outf;
    int ret;

    if (s->lookahead_samples <= 0 || s->first_pts == AV_NOPTS_VALUE)
        return 0;

    out = ff_get_audio_buffer(outlink, s->lookahead_samples);
    if (s->pcm16) {
        if (!out)
            return AVERROR(ENOMEM);
        ret = dd_engine_flush_pcm16(s->engine, (int16_t *)out->data[0]);
        if (ret < 0) {
            av_frame_free(&out);
            return engine_error(ret);
        }
        return output_block(ctx, out, NULL, ret);
    }
    outf = !s->out_s16 ? out :
           float_buffer(&s->music_conv, &outlink->ch_layout, s->lookahead_samples);
    if (!out || !outf) {
        av_frame_free(&out);
        return AVERROR(ENOMEM);
    }
    ret = dd_engine_flush(s->engine, (float **)outf->extended_data);
    if (ret < 0) {
        av_frame_free(&out);
        return engine_error(ret);
    }
    return output_block(ctx, out, (float **)outf->extended_data, ret);
}

/* Ends the output after the delayed audio, and both inputs with it. */
static int end_output(AVFilterContext *ctx, int status, int64_t pts)
{
    DialogueDuckContext *s = ctx->priv;
    int ret = flush(ctx);

    if (ret < 0)
        return ret;
    av_frame_free(&s->music);
    av_frame_free(&s->dialogue_next);
    ff_inlink_set_status(ctx->inputs[0], AVERROR_EOF);
    ff_inlink_set_status(ctx->inputs[1], AVERROR_EOF);
    if (s->first_pts != AV_NOPTS_VALUE)
        pts = output_pts(ctx);
    ff_outlink_set_status(ctx->outputs[0], status, pts);
    return 0;
}

/* Remembers the timeline state of a music frame for when it leaves; the
 * state at the very start applies at once. */
static int record_timeline(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;
    TimelineChange change = { s->in_samples, ctx->is_disabled };

    if (!s->timeline || change.disabled == s->in_disabled)
        return 0;
    s->in_disabled = change.disabled;
    if (!s->in_samples) {
        s->out_disabled = change.disabled;
        s->bypass = change.disabled;
        return 0;
    }
    return av_fifo_write(s->timeline, &change, 1);
}

/* Ducks the pending music frame, after silence if its timestamp leaves
 * a gap (overlaps and jitter are left alone, as in the program's input);
 * with duration=shortest, only up to where the dialogue ended. */
static int duck_music(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;
    const int64_t gap = s->music_pos - s->in_samples;
    int n = s->music->nb_samples, ret;
    const AVFrame *music = s->music;

    if (!n) {
        av_frame_free(&s->music);
        return 1;
    }
    if (gap > s->tolerance_samples) {
        n = FFMIN(gap, FILL_BLOCK);
        music = NULL;
    }
    ret = fill_dialogue(ctx, n);
    if (ret <= 0)
        return ret;
    if (s->dialogue_eof && s->duration == DURATION_SHORTEST) {
        n = FFMIN(n, av_audio_fifo_size(s->dialogue));
        if (!n)
            return end_output(ctx, AVERROR_EOF, AV_NOPTS_VALUE);
    }
    ret = process_block(ctx, music ? &s->music : NULL, n);
    if (music) {
        s->music_pos = s->in_samples;
        av_frame_free(&s->music);
    }
    return ret < 0 ? ret : 1;
}

/* After the music: silence ducked under the rest of the dialogue with
 * duration=longest, else the end. */
static int music_ended(AVFilterContext *ctx, int status, int64_t pts)
{
    DialogueDuckContext *s = ctx->priv;
    int ret;

    if (s->duration == DURATION_LONGEST) {
        ret = fill_dialogue(ctx, FILL_BLOCK);
        if (ret <= 0)
            return ret;
        if (av_audio_fifo_size(s->dialogue) > 0) {
            ret = process_block(ctx, NULL, FFMIN(av_audio_fifo_size(s->dialogue),
                                                 FILL_BLOCK));
            return ret < 0 ? ret : 1;
        }
    }
    return end_output(ctx, status, pts);
}

static int activate(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;
    AVFilterLink *music = ctx->inputs[0];
    AVFilterLink *outlink = ctx->outputs[0];
    int ret;

    FF_FILTER_FORWARD_STATUS_BACK_ALL(outlink, ctx);

    if (!s->music && !s->music_eof) {
        ret = ff_inlink_consume_frame(music, &s->music);
        if (ret < 0)
            return ret;
        if (ret > 0) {
            set_origin(ctx, music, s->music->pts);
            s->music_pos = frame_position(ctx, music, s->music, s->in_samples);
            ret = record_timeline(ctx);
            if (ret < 0)
                return ret;
        } else {
            ff_inlink_acknowledge_status(music, &s->music_eof, &s->music_eof_pts);
        }
    }

    if (s->music || s->music_eof) {
        /* > 0: progress; 0: waiting for the dialogue, or the end */
        ret = s->music ? duck_music(ctx) :
              music_ended(ctx, s->music_eof, s->music_eof_pts);
        if (ret <= 0)
            return ret;
        ff_filter_set_ready(ctx, 10);
        return 0;
    }

    if (ff_outlink_frame_wanted(outlink)) {
        ff_inlink_request_frame(music);
        return 0;
    }

    return FFERROR_NOT_READY;
}

static int process_command(AVFilterContext *ctx, const char *cmd,
                           const char *args, char *res, int res_len, int flags)
{
    DialogueDuckContext *s = ctx->priv;
    const AVOption *o = av_opt_find(s, cmd, NULL, 0, 0);
    DDParams old, p;
    int ret;

    if (o && !(o->flags & AV_OPT_FLAG_RUNTIME_PARAM)) {
        av_log(ctx, AV_LOG_ERROR, "Option '%s' cannot change while the filter runs.\n", cmd);
        return AVERROR(ENOSYS);
    }
    get_params(s, &old);
    ret = ff_filter_process_command(ctx, cmd, args, res, res_len, flags);
    if (ret < 0 || !s->engine)
        return ret;

    get_params(s, &p);
    ret = dd_engine_set_params(s->engine, &p);
    if (ret < 0) {
        /* the engine kept the old values: so do the options */
        put_params(s, &old);
        av_log(ctx, AV_LOG_ERROR, "Cannot set '%s' to '%s': %s.\n",
               cmd, args, dd_strerror(ret));
        return engine_error(ret);
    }
    return 0;
}

static av_cold void uninit(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;

    av_frame_free(&s->music);
    av_frame_free(&s->dialogue_next);
    av_frame_free(&s->dialogue_block);
    av_frame_free(&s->music_conv);
    av_frame_free(&s->dialogue_conv);
    dd_engine_free(&s->engine);
    av_audio_fifo_free(s->dialogue);
    av_audio_fifo_free(s->dialogue_delay);
    av_audio_fifo_free(s->music_delay);
    av_fifo_freep2(&s->timeline);
    av_freep(&s->mix_map);
}

static const AVFilterPad dialogueduck_inputs[] = {
    {
        .name = "music",
        .type = AVMEDIA_TYPE_AUDIO,
    },
    {
        .name = "dialogue",
        .type = AVMEDIA_TYPE_AUDIO,
    },
};

static const AVFilterPad dialogueduck_outputs[] = {
    {
        .name         = "default",
        .type         = AVMEDIA_TYPE_AUDIO,
        .config_props = config_output,
    },
};

const FFFilter ff_af_dialogueduck = {
    .p.name          = "dialogueduck",
    .p.description   = NULL_IF_CONFIG_SMALL("Duck music under dialogue."),
    .p.priv_class    = &dialogueduck_class,
    .p.flags         = AVFILTER_FLAG_SUPPORT_TIMELINE_INTERNAL,
    .priv_size       = sizeof(DialogueDuckContext),
    .init            = init,
    .activate        = activate,
    .uninit          = uninit,
    FILTER_INPUTS(dialogueduck_inputs),
    FILTER_OUTPUTS(dialogueduck_outputs),
    FILTER_QUERY_FUNC2(query_formats),
    .process_command = process_command,
};
