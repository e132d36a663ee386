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
 * plans fades that end at the first syllable (lookahead) and renders the
 * gain; this file only moves frames, timestamps and options.
 */

#include <math.h>

#include "libavutil/audio_fifo.h"
#include "libavutil/channel_layout.h"
#include "libavutil/fifo.h"
#include "libavutil/mem.h"
#include "libavutil/opt.h"
#include "audio.h"
#include "avfilter.h"
#include "dialogueduck.h"
#include "filters.h"
#include "formats.h"

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
    int mix;

    DDEngine *engine;
    int64_t lookahead_samples;
    float *mix_map;          /* dialogue channel x music channel gains */

    AVFrame *music;          /* consumed, waiting for its dialogue */
    int dialogue_eof;

    /* Dialogue fed to the engine but not mixed yet: it is delayed like
     * the music so that both leave the filter in step. */
    AVAudioFifo *dialogue_delay;
    /* Unducked music for the spans where enable= is off; only kept when
     * a timeline expression is set. */
    AVAudioFifo *music_delay;
    AVFifo *timeline;        /* pending TimelineChange entries */
    int in_disabled;         /* last state recorded at the input */
    int out_disabled;        /* state at the output position */

    int64_t first_pts;
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
    { "spectral",  "duck only the speech band of the music", OFFSET(spectral),
      AV_OPT_TYPE_BOOL, { .i64 = 0 }, 0, 1, A },
    { "mix",       "output dialogue + ducked music (1) or the ducked music only (0)", OFFSET(mix),
      AV_OPT_TYPE_BOOL, { .i64 = 1 }, 0, 1, A },
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
}

static av_cold int init(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;
    DDParams p;

    get_params(s, &p);
    if (dd_params_check(&p) != DD_OK) {
        av_log(ctx, AV_LOG_ERROR, "Invalid parameters.\n");
        return AVERROR(EINVAL);
    }
    s->first_pts = AV_NOPTS_VALUE;
    return 0;
}

static int query_formats(const AVFilterContext *ctx,
                         AVFilterFormatsConfig **cfg_in,
                         AVFilterFormatsConfig **cfg_out)
{
    static const enum AVSampleFormat sample_fmts[] = {
        AV_SAMPLE_FMT_FLTP,
        AV_SAMPLE_FMT_NONE
    };
    int ret;

    /* The music and the output share their layout through the generic
     * code; the dialogue may have any layout. The sample rate is common
     * to all three by default. */
    ret = ff_channel_layouts_ref(ff_all_channel_counts(),
                                 &cfg_in[1]->channel_layouts);
    if (ret < 0)
        return ret;

    return ff_set_sample_formats_from_list2(ctx, cfg_in, cfg_out, sample_fmts);
}

static int is_left(enum AVChannel ch)
{
    return ch == AV_CHAN_SIDE_LEFT || ch == AV_CHAN_BACK_LEFT ||
           ch == AV_CHAN_FRONT_LEFT_OF_CENTER || ch == AV_CHAN_WIDE_LEFT;
}

static int is_right(enum AVChannel ch)
{
    return ch == AV_CHAN_SIDE_RIGHT || ch == AV_CHAN_BACK_RIGHT ||
           ch == AV_CHAN_FRONT_RIGHT_OF_CENTER || ch == AV_CHAN_WIDE_RIGHT;
}

/*
 * Where each dialogue channel goes in the music layout: mono dialogue to
 * the front centre, or to the front pair at -3 dB; channels the music
 * also has to themselves; a centre the music lacks to the front pair;
 * surrounds the music lacks to their front side; everything to a mono
 * music as an average. The LFE of a dialogue stem is dropped.
 */
static void build_mix_map(float *map, const AVChannelLayout *music,
                          const AVChannelLayout *dialogue)
{
    const int nm = music->nb_channels, nd = dialogue->nb_channels;
    const int fc = av_channel_layout_index_from_channel(music, AV_CHAN_FRONT_CENTER);
    int fl = av_channel_layout_index_from_channel(music, AV_CHAN_FRONT_LEFT);
    int fr = av_channel_layout_index_from_channel(music, AV_CHAN_FRONT_RIGHT);

    if (fl < 0 || fr < 0) {
        fl = 0;
        fr = nm > 1 ? 1 : 0;
    }

    if (nm == 1) {
        for (int d = 0; d < nd; d++)
            map[d] = 1.0f / nd;
        return;
    }

    if (nd == 1) {
        if (fc >= 0) {
            map[fc] = 1.0f;
        } else {
            map[fl] = M_SQRT1_2;
            map[fr] = M_SQRT1_2;
        }
        return;
    }

    for (int d = 0; d < nd; d++) {
        enum AVChannel ch = av_channel_layout_channel_from_index(dialogue, d);
        int idx = ch >= 0 ? av_channel_layout_index_from_channel(music, ch) : -1;
        float *row = map + d * nm;

        if (ch == AV_CHAN_LOW_FREQUENCY)
            continue;
        if (idx >= 0) {
            row[idx] = 1.0f;
        } else if (ch == AV_CHAN_FRONT_CENTER) {
            row[fl] = M_SQRT1_2;
            row[fr] = M_SQRT1_2;
        } else if (is_left(ch)) {
            row[fl] = M_SQRT1_2;
        } else if (is_right(ch)) {
            row[fr] = M_SQRT1_2;
        } else if (d < nm) {
            row[d] = 1.0f;
        }
    }
}

static int config_output(AVFilterLink *outlink)
{
    AVFilterContext *ctx = outlink->src;
    DialogueDuckContext *s = ctx->priv;
    AVFilterLink *music = ctx->inputs[0];
    AVFilterLink *dialogue = ctx->inputs[1];
    const int nm = music->ch_layout.nb_channels;
    const int nd = dialogue->ch_layout.nb_channels;
    const DDAllocator alloc = { engine_alloc, engine_free_memory, NULL };
    int center = -1;
    DDParams p;
    int ret;

    outlink->time_base = music->time_base;

    /* For 5.1 and 7.1 dialogue stems, speech lives in the centre. */
    if (nd >= 3)
        center = av_channel_layout_index_from_channel(&dialogue->ch_layout,
                                                      AV_CHAN_FRONT_CENTER);
    if (center < 0)
        center = -1;

    get_params(s, &p);
    dd_engine_free(&s->engine);
    ret = dd_engine_create(&s->engine, &p, outlink->sample_rate, nm, nd,
                           center, &alloc);
    if (ret < 0) {
        av_log(ctx, AV_LOG_ERROR, "Cannot create the engine: %s.\n",
               dd_strerror(ret));
        return engine_error(ret);
    }
    s->lookahead_samples = dd_lookahead_samples(&p, outlink->sample_rate);

    /* config_output may run again when the graph is reconfigured */
    av_freep(&s->mix_map);
    av_audio_fifo_free(s->dialogue_delay);
    av_audio_fifo_free(s->music_delay);
    s->dialogue_delay = s->music_delay = NULL;
    av_fifo_freep2(&s->timeline);

    if (s->mix) {
        s->mix_map = av_calloc(nd * nm, sizeof(*s->mix_map));
        if (!s->mix_map)
            return AVERROR(ENOMEM);
        build_mix_map(s->mix_map, &music->ch_layout, &dialogue->ch_layout);
        s->dialogue_delay = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, nd,
                                                s->lookahead_samples + 1024);
        if (!s->dialogue_delay)
            return AVERROR(ENOMEM);
    }

    if (ctx->enable_str) {
        s->music_delay = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, nm,
                                             s->lookahead_samples + 1024);
        s->timeline = av_fifo_alloc2(16, sizeof(TimelineChange),
                                     AV_FIFO_FLAG_AUTO_GROW);
        if (!s->music_delay || !s->timeline)
            return AVERROR(ENOMEM);
    }

    return 0;
}

/* Put back the unducked music where the timeline disables the filter. */
static int apply_timeline(AVFilterContext *ctx, AVFrame *out)
{
    DialogueDuckContext *s = ctx->priv;
    const int n = out->nb_samples;
    const int64_t end = s->out_samples + n;
    int64_t pos = s->out_samples;
    TimelineChange change;
    AVFrame *orig;

    orig = ff_get_audio_buffer(ctx->inputs[0], n);
    if (!orig)
        return AVERROR(ENOMEM);
    av_audio_fifo_read(s->music_delay, (void **)orig->extended_data, n);

    while (pos < end) {
        int64_t next = end;

        if (av_fifo_peek(s->timeline, &change, 1, 0) >= 0 && change.start < end)
            next = FFMAX(change.start, pos);
        if (s->out_disabled) {
            for (int c = 0; c < out->ch_layout.nb_channels; c++)
                memcpy((float *)out->extended_data[c] + (pos - s->out_samples),
                       (float *)orig->extended_data[c] + (pos - s->out_samples),
                       (next - pos) * sizeof(float));
        }
        pos = next;
        if (next < end) {
            av_fifo_read(s->timeline, &change, 1);
            s->out_disabled = change.disabled;
        }
    }

    av_frame_free(&orig);
    return 0;
}

static int mix_dialogue(AVFilterContext *ctx, AVFrame *out)
{
    DialogueDuckContext *s = ctx->priv;
    const int n = out->nb_samples;
    const int nm = out->ch_layout.nb_channels;
    const int nd = ctx->inputs[1]->ch_layout.nb_channels;
    AVFrame *dlg;

    dlg = ff_get_audio_buffer(ctx->inputs[1], n);
    if (!dlg)
        return AVERROR(ENOMEM);
    av_audio_fifo_read(s->dialogue_delay, (void **)dlg->extended_data, n);

    for (int d = 0; d < nd; d++) {
        const float *src = (const float *)dlg->extended_data[d];

        for (int m = 0; m < nm; m++) {
            const float g = s->mix_map[d * nm + m];
            float *dst = (float *)out->extended_data[m];

            if (g == 0.0f)
                continue;
            for (int i = 0; i < n; i++)
                dst[i] += g * src[i];
        }
    }

    av_frame_free(&dlg);
    return 0;
}

/* Sends n ducked samples from out (or frees it when n is 0). */
static int output_block(AVFilterContext *ctx, AVFrame *out, int n)
{
    DialogueDuckContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];
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
        ret = apply_timeline(ctx, out);
        if (ret < 0)
            goto fail;
        if (s->out_disabled) {
            gain   = 0.0;
            active = 0;
        }
    }

    if (s->mix) {
        ret = mix_dialogue(ctx, out);
        if (ret < 0)
            goto fail;
    }

    snprintf(buf, sizeof(buf), "%.2f", gain);
    av_dict_set(&out->metadata, "lavfi.dialogueduck.gain", buf, 0);
    av_dict_set(&out->metadata, "lavfi.dialogueduck.active",
                active ? "1" : "0", 0);

    out->pts = s->first_pts + av_rescale_q(s->out_samples,
                                           (AVRational){ 1, outlink->sample_rate },
                                           outlink->time_base);
    s->out_samples += n;
    return ff_filter_frame(outlink, out);

fail:
    av_frame_free(&out);
    return ret;
}

/* Ducks one music frame with the dialogue that goes with it (NULL or
 * short once the dialogue has ended: the rest is silence). */
static int process_music(AVFilterContext *ctx, AVFrame *music, AVFrame *dialogue)
{
    DialogueDuckContext *s = ctx->priv;
    AVFilterLink *outlink = ctx->outputs[0];
    const int n = music->nb_samples;
    AVFrame *dlg = dialogue, *out = NULL;
    int ret;

    if (!dlg || dlg->nb_samples < n) {
        dlg = ff_get_audio_buffer(ctx->inputs[1], n);
        if (!dlg) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
        av_samples_set_silence(dlg->extended_data, 0, n,
                               dlg->ch_layout.nb_channels, dlg->format);
        if (dialogue)
            av_samples_copy(dlg->extended_data, dialogue->extended_data, 0, 0,
                            dialogue->nb_samples, dlg->ch_layout.nb_channels,
                            dlg->format);
    }

    out = ff_get_audio_buffer(outlink, n);
    if (!out) {
        ret = AVERROR(ENOMEM);
        goto end;
    }

    ret = dd_engine_process(s->engine, (const float *const *)music->extended_data,
                            (const float *const *)dlg->extended_data, n,
                            (float **)out->extended_data);
    if (ret < 0) {
        ret = engine_error(ret);
        goto end;
    }

    if (s->dialogue_delay &&
        av_audio_fifo_write(s->dialogue_delay, (void **)dlg->extended_data, n) < n) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if (s->music_delay &&
        av_audio_fifo_write(s->music_delay, (void **)music->extended_data, n) < n) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    s->in_samples += n;

    ret = output_block(ctx, out, ret);
    out = NULL;

end:
    av_frame_free(&out);
    if (dlg != dialogue)
        av_frame_free(&dlg);
    av_frame_free(&dialogue);
    av_frame_free(&music);
    return ret;
}

static int flush(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;
    AVFrame *out;
    int ret;

    if (s->lookahead_samples <= 0 || s->first_pts == AV_NOPTS_VALUE)
        return 0;

    out = ff_get_audio_buffer(ctx->outputs[0], s->lookahead_samples);
    if (!out)
        return AVERROR(ENOMEM);
    ret = dd_engine_flush(s->engine, (float **)out->extended_data);
    if (ret < 0) {
        av_frame_free(&out);
        return engine_error(ret);
    }
    return output_block(ctx, out, ret);
}

/* Remembers the timeline state of a music frame for when it leaves. */
static int record_timeline(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;
    TimelineChange change = { s->in_samples, ctx->is_disabled };

    if (!s->timeline || change.disabled == s->in_disabled)
        return 0;
    s->in_disabled = change.disabled;
    return av_fifo_write(s->timeline, &change, 1);
}

static int activate(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;
    AVFilterLink *music = ctx->inputs[0];
    AVFilterLink *dialogue = ctx->inputs[1];
    AVFilterLink *outlink = ctx->outputs[0];
    int64_t pts;
    int ret, status;

    FF_FILTER_FORWARD_STATUS_BACK_ALL(outlink, ctx);

    if (!s->music) {
        ret = ff_inlink_consume_frame(music, &s->music);
        if (ret < 0)
            return ret;
        if (ret > 0) {
            if (s->first_pts == AV_NOPTS_VALUE)
                s->first_pts = s->music->pts == AV_NOPTS_VALUE ? 0 : s->music->pts;
            ret = record_timeline(ctx);
            if (ret < 0)
                return ret;
        }
    }

    if (s->music) {
        AVFrame *dlg = NULL;
        AVFrame *in = s->music;

        if (!s->dialogue_eof) {
            ret = ff_inlink_consume_samples(dialogue, in->nb_samples,
                                            in->nb_samples, &dlg);
            if (ret < 0)
                return ret;
            if (!ret) {
                if (!ff_inlink_acknowledge_status(dialogue, &status, &pts)) {
                    ff_inlink_request_frame(dialogue);
                    return 0;
                }
                /* The dialogue has ended: the music goes on undimmed. */
                s->dialogue_eof = 1;
            }
        }

        s->music = NULL;
        ret = process_music(ctx, in, dlg);
        if (ret < 0)
            return ret;
        ff_filter_set_ready(ctx, 10);
        return 0;
    }

    if (ff_inlink_acknowledge_status(music, &status, &pts)) {
        /* The music has ended: so does the output, after the lookahead. */
        ret = flush(ctx);
        if (ret < 0)
            return ret;
        ff_inlink_set_status(dialogue, AVERROR_EOF);
        pts = s->first_pts == AV_NOPTS_VALUE ? pts :
              s->first_pts + av_rescale_q(s->out_samples,
                                          (AVRational){ 1, outlink->sample_rate },
                                          outlink->time_base);
        ff_outlink_set_status(outlink, status, pts);
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
    DDParams p;
    int ret;

    ret = ff_filter_process_command(ctx, cmd, args, res, res_len, flags);
    if (ret < 0 || !s->engine)
        return ret;

    get_params(s, &p);
    ret = dd_engine_set_params(s->engine, &p);
    return ret < 0 ? engine_error(ret) : 0;
}

static av_cold void uninit(AVFilterContext *ctx)
{
    DialogueDuckContext *s = ctx->priv;

    av_frame_free(&s->music);
    dd_engine_free(&s->engine);
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
