/*
 * The program's analysis and render passes.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/audio_fifo.h>
#include <libavutil/avstring.h>

#include "block_cut.h"
#include "keyframes_io.h"
#include "pipeline.h"
#include "plot_svg.h"

/* Channel counts above this are refused (pointer arrays live on the stack). */
#define MAX_CHANNELS 32

static int internal_error(char *err, size_t errlen, const char *what, int ret)
{
    snprintf(err, errlen, "%s failed: %s", what,
             ret <= 0 && ret >= DD_ERROR_STATE ? dd_strerror(ret) :
             av_err2str(ret));
    return EXIT_INTERNAL;
}

/* The widest layout among the stems of a role; the first wins ties. */
static int widest_stem(const Pipeline *p, enum StemRole role)
{
    int best = -1;
    for (int i = 0; i < p->nb_stems; i++)
        if (p->opt->stems[i].role == role &&
            (best < 0 || p->stems[i].layout.nb_channels >
                         p->stems[best].layout.nb_channels))
            best = i;
    return best;
}

/* The earliest start time (s) among the stems taken from one file. */
static double earliest_start(const Pipeline *p, const char *path)
{
    double t = HUGE_VAL;
    for (int i = 0; i < p->nb_stems; i++)
        if (!strcmp(p->opt->stems[i].path, path))
            t = FFMIN(t, input_start_seconds(&p->stems[i]));
    return t == HUGE_VAL ? 0 : t;
}

static int open_outputs(Pipeline *p, char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    const InputStem *src = &p->stems[p->source_stem];
    int replaced[CLI_MAX_STEMS], nb_replaced = 0, ret;

    if (o->output) {
        OutputConfig c = {
            .path = o->output,
            .sample_rate = p->work_rate,
            .layout = &p->out_layout,
            .codec = o->codec,
            .source_codec = src->codec_id,
            .bitrate = o->bitrate,
            .threads = o->threads,
            .nb_tracks = 1,
        };
        if (o->nb_inputs) {
            /* The audio stems taken from the first input are replaced by
             * the mix; its other streams are copied. */
            for (int i = 0; i < p->nb_stems; i++)
                if (o->stems[i].input_index == 0)
                    replaced[nb_replaced++] = p->stems[i].stream_index;
            c.remux_path = o->inputs[0];
            c.replaced = replaced;
            c.nb_replaced = nb_replaced;
            /* the mix starts where the first input's earliest stem does */
            if (p->opt->stems[p->source_stem].input_index == 0)
                c.start_time = earliest_start(p, o->inputs[0]);
        }
        if (o->keep_stems) {
            c.titles[c.nb_tracks++] = "Ducked music";
            if (p->has_effects)
                c.titles[c.nb_tracks++] = "Effects";
        }
        if ((ret = output_open(&p->out, &c, err, errlen)) < 0)
            return EXIT_OUTPUT;
        av_strlcpy(p->codec_name, output_codec_name(p->out),
                   sizeof(p->codec_name));
        av_strlcpy(p->format_name, output_format_name(p->out),
                   sizeof(p->format_name));
    }
    if (o->music_out) {
        const char *ext = strrchr(o->music_out, '.');
        int wav = ext && (!av_strcasecmp(ext, ".wav") ||
                          !av_strcasecmp(ext, ".w64"));
        OutputConfig c = {
            .path = o->music_out,
            .sample_rate = p->work_rate,
            .layout = &p->out_layout,
            /* float WAV keeps the renderer's output exactly */
            .codec = wav ? NULL : o->codec,
            .source_codec = AV_CODEC_ID_NONE,
            .float_pcm = 1,
            .bitrate = o->bitrate,
            .threads = o->threads,
            .nb_tracks = 1,
        };
        if ((ret = output_open(&p->music_out, &c, err, errlen)) < 0)
            return EXIT_OUTPUT;
        av_strlcpy(p->music_codec_name, output_codec_name(p->music_out),
                   sizeof(p->music_codec_name));
    }
    return EXIT_OK;
}

int pipeline_open(Pipeline *p, const CliOptions *opt, char *err, size_t errlen)
{
    int ret, max_ch = 0, music, dlg, widest, oc;
    double lead;
    double t0 = progress_now();

    memset(p, 0, sizeof(*p));
    p->opt = opt;
    p->lufs_program = p->lufs_dialogue = p->lufs_unducked = NAN;
    p->sample_peak = p->true_peak = p->measured_lufs = NAN;
    p->out_lufs_program = p->out_lufs_dialogue = NAN;
    p->out_true_peak = p->out_sample_peak = NAN;

    for (int i = 0; i < opt->nb_stems; i++) {
        const CliStem *s = &opt->stems[i];
        if (input_open(&p->stems[i], s->path, s->spec, s->arg, opt->threads,
                       err, errlen) < 0)
            return EXIT_INPUT;
        p->nb_stems++;
        if (p->stems[i].layout.nb_channels > MAX_CHANNELS) {
            snprintf(err, errlen, "%s: %d channels; at most %d are supported",
                     s->path, p->stems[i].layout.nb_channels, MAX_CHANNELS);
            return EXIT_INPUT;
        }
        if (opt->verbosity > 1)
            fprintf(stderr, "dialogueduck: %s %s: stream %d, %s, %d Hz, "
                    "%d channels\n", cli_role_name(s->role), s->arg,
                    p->stems[i].stream_index,
                    avcodec_get_name(p->stems[i].codec_id),
                    p->stems[i].sample_rate, p->stems[i].layout.nb_channels);
    }

    /* One working rate: the highest of the stems, so nothing is
     * band-limited on the way, up to 192 kHz (the loudness meter's limit,
     * and past anything audible). */
    for (int i = 0; i < p->nb_stems; i++) {
        p->work_rate = FFMIN(FFMAX(p->work_rate, p->stems[i].sample_rate),
                             INPUT_MAX_WORK_RATE);
        max_ch = FFMAX(max_ch, p->stems[i].layout.nb_channels);
        p->has_effects |= opt->stems[i].role == STEM_EFFECTS;
    }
    p->hop = FFMAX(1, p->work_rate / DD_HOPS_PER_SECOND); /* as the engine */

    /* The mix takes the music's layout, or a wider stem's. */
    music = widest_stem(p, STEM_MUSIC);
    widest = music;
    for (int i = 0; i < p->nb_stems; i++)
        if (p->stems[i].layout.nb_channels > p->stems[widest].layout.nb_channels)
            widest = i;
    dlg = widest_stem(p, STEM_DIALOGUE);
    if ((ret = av_channel_layout_copy(&p->out_layout, &p->stems[widest].layout)) < 0 ||
        (ret = av_channel_layout_copy(&p->dlg_layout, &p->stems[dlg].layout)) < 0)
        return internal_error(err, errlen, "layout", ret);
    p->center = mix_center_index(&p->dlg_layout);

    for (int i = 0; i < p->nb_stems; i++) {
        const AVChannelLayout *bus = opt->stems[i].role == STEM_DIALOGUE ?
                                     &p->dlg_layout : &p->out_layout;
        if ((ret = mix_matrix_init(&p->to_bus[i], &p->stems[i].layout, bus)) < 0)
            return internal_error(err, errlen, "channel mapping", ret);
    }
    if ((ret = mix_matrix_init(&p->dlg_to_out, &p->dlg_layout, &p->out_layout)) < 0)
        return internal_error(err, errlen, "channel mapping", ret);

    /* The output keeps the codec of the audio it replaces: the first
     * input's stems, else the dialogue. */
    p->source_stem = dlg;
    for (int i = 0; i < p->nb_stems; i++)
        if (opt->stems[i].input_index == 0) {
            p->source_stem = i;
            break;
        }
    oc = p->out_layout.nb_channels;
    if ((ret = audiobuf_alloc(&p->in, max_ch, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->dlg, p->dlg_layout.nb_channels, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->dout, oc, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->music, oc, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->fx, oc, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->mix, oc, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->tmp, oc, PIPELINE_BLOCK)) < 0)
        return internal_error(err, errlen, "allocation", ret);

    for (int i = 0; i < p->nb_stems; i++) {
        if (input_start(&p->stems[i], p->work_rate, err, errlen) < 0)
            return EXIT_INPUT;
        /* Streams of one file keep their offsets to each other: a stem
         * starting after the file's earliest stem starts with silence. */
        lead = input_start_seconds(&p->stems[i]) -
               earliest_start(p, opt->stems[i].path);
        if (lead > 0.0005 &&
            (ret = input_pad_start(&p->stems[i],
                                   llrint(lead * p->work_rate))) < 0)
            return internal_error(err, errlen, "padding", ret);
        /* decoding runs beside the mixing unless one thread is asked for */
        if ((ret = input_set_async(&p->stems[i], opt->threads != 1)) < 0)
            return internal_error(err, errlen, "decoder thread", ret);
    }

    /* Outputs are created before the long passes so that an unwritable
     * destination fails at once. */
    ret = open_outputs(p, err, errlen);
    p->t_open = progress_now() - t0;
    return ret;
}

/* Read the next block of every stem into the dialogue, music and effects
 * sums; shorter stems are padded with silence. Returns the block length,
 * 0 when every stem has ended. */
static int read_block(Pipeline *p, int dialogue_only, char *err, size_t errlen)
{
    int nmax = 0, want = block_cut_next(PIPELINE_BLOCK);
    audiobuf_zero(&p->dlg, 0, PIPELINE_BLOCK);
    audiobuf_zero(&p->music, 0, PIPELINE_BLOCK);
    audiobuf_zero(&p->fx, 0, PIPELINE_BLOCK);
    for (int i = 0; i < p->nb_stems; i++) {
        AudioBuf *bus;
        int n;
        if (dialogue_only && p->opt->stems[i].role != STEM_DIALOGUE)
            continue;
        n = input_read(&p->stems[i], p->in.data, want, err, errlen);
        if (n < 0)
            return n;
        switch (p->opt->stems[i].role) {
        case STEM_DIALOGUE: bus = &p->dlg;   break;
        case STEM_MUSIC:    bus = &p->music; break;
        default:            bus = &p->fx;    break;
        }
        mix_add(&p->to_bus[i], bus->data, (const float *const *)p->in.data, n);
        nmax = FFMAX(nmax, n);
    }
    return nmax;
}

static void dialogue_to_out(Pipeline *p, int n)
{
    audiobuf_zero(&p->dout, 0, n);
    mix_add(&p->dlg_to_out, p->dout.data, (const float *const *)p->dlg.data, n);
}

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    void *nb;
    size_t c = *cap ? *cap : 64;
    if (need <= *cap)
        return 0;
    while (c < need)
        c *= 2;
    if (!(nb = realloc(*buf, c * elem)))
        return AVERROR(ENOMEM);
    *buf = nb;
    *cap = c;
    return 0;
}

/* Move what the analyzer made final into our lists. */
static int collect(Pipeline *p, DDAnalyzer *a)
{
    int n, ret;
    for (;;) {
        DDKeyframe kf[64];
        if (!(n = dd_analyzer_read_keyframes(a, kf, 64)))
            break;
        if (n < 0)
            return n;
        if (p->applied_keyframes)
            continue;          /* the imported envelope rules */
        if ((ret = grow((void **)&p->kf, &p->kf_cap, p->nb_kf + n,
                        sizeof(*p->kf))) < 0)
            return ret;
        memcpy(p->kf + p->nb_kf, kf, n * sizeof(*kf));
        p->nb_kf += n;
    }
    for (;;) {
        DDRegion r[64];
        if (!(n = dd_analyzer_read_regions(a, r, 64)))
            break;
        if (n < 0)
            return n;
        if ((ret = grow((void **)&p->regions, &p->regions_cap,
                        p->nb_regions + n, sizeof(*p->regions))) < 0)
            return ret;
        memcpy(p->regions + p->nb_regions, r, n * sizeof(*r));
        p->nb_regions += n;
    }
    for (;;) {
        if ((ret = grow((void **)&p->activity, &p->activity_cap,
                        p->nb_activity + 256, 1)) < 0)
            return ret;
        n = dd_analyzer_read_activity(a, p->nb_activity,
                                      p->activity + p->nb_activity, 256);
        if (n <= 0)
            return n < 0 ? n : 0;
        p->nb_activity += n;
    }
}

/* Give the renderer every keyframe before `end`, and the next one so that
 * a fade in progress at `end` is interpolated towards it. */
static int feed_renderer(Pipeline *p, DDRenderer *r, size_t *next, int64_t end)
{
    int ret;
    while (*next < p->nb_kf) {
        const DDKeyframe *k = &p->kf[*next];
        if (*next > 0 && p->kf[*next - 1].t >= end)
            break;
        if ((ret = dd_renderer_add_keyframe(r, k)) < 0)
            return ret;
        (*next)++;
    }
    return 0;
}

/* Feed a meter, flagging the 10 ms hops the analyzer called dialogue. */
static int meter_add(Pipeline *p, LoudnessMeter *m, int split,
                     float *const *buf, int64_t start, int n)
{
    const float *ptr[MAX_CHANNELS];
    int channels = p->out_layout.nb_channels, k = 0, ret;

    if (!m || n <= 0)
        return 0;
    if (!split)
        return loudness_meter_add(m, (const float *const *)buf, n, 0);
    while (k < n) {
        int64_t h = (start + k) / p->hop;
        int flag = h < (int64_t)p->nb_activity ? p->activity[h] : 0;
        int end = k;
        /* extend over following hops with the same flag */
        for (;;) {
            int64_t hend = (h + 1) * p->hop - start;
            end = hend >= n ? n : (int)hend;
            h++;
            if (end >= n ||
                (h < (int64_t)p->nb_activity ? p->activity[h] : 0) != flag)
                break;
        }
        for (int c = 0; c < channels; c++)
            ptr[c] = buf[c] + k;
        if ((ret = loudness_meter_add(m, ptr, end - k, flag)) < 0)
            return ret;
        k = end;
    }
    return 0;
}

static void sum3(float **dst, float *const *a, float *const *b,
                 float *const *c, int channels, int n)
{
    for (int ch = 0; ch < channels; ch++)
        for (int k = 0; k < n; k++)
            dst[ch][k] = a[ch][k] + b[ch][k] + c[ch][k];
}

typedef struct Analysis {
    DDAnalyzer *a;
    DDRenderer *r;
    AVAudioFifo *delay;         /* dout | music | fx, waiting for commit */
    LoudnessMeter *meter;       /* the ducked mix */
    LoudnessMeter *plain;       /* the mix without ducking (--plot) */
    int split;                  /* meter has the dialogue gate */
    size_t next_kf;
    int64_t rendered;
} Analysis;

/* Render the delayed music up to `limit` and measure the mix. */
static int render_ready(Pipeline *p, Analysis *an, int64_t limit)
{
    int oc = p->out_layout.nb_channels, ret;
    void *planes[3 * MAX_CHANNELS];

    for (int c = 0; c < oc; c++) {
        planes[c] = p->dout.data[c];
        planes[oc + c] = p->music.data[c];
        planes[2 * oc + c] = p->fx.data[c];
    }
    while (an->rendered < limit) {
        int m = (int)FFMIN(PIPELINE_BLOCK, limit - an->rendered);
        m = FFMIN(m, av_audio_fifo_size(an->delay));
        if (m <= 0)
            break;
        if (av_audio_fifo_read(an->delay, planes, m) < m)
            return AVERROR_BUG;
        if ((ret = feed_renderer(p, an->r, &an->next_kf, an->rendered + m)) < 0 ||
            (ret = dd_renderer_process(an->r, (const float *const *)p->music.data,
                                       p->tmp.data, m)) < 0)
            return ret;
        if (an->plain) {
            sum3(p->mix.data, p->dout.data, p->music.data, p->fx.data, oc, m);
            if ((ret = meter_add(p, an->plain, 0, p->mix.data, an->rendered, m)) < 0)
                return ret;
        }
        sum3(p->mix.data, p->dout.data, p->tmp.data, p->fx.data, oc, m);
        if ((ret = meter_add(p, an->meter, an->split, p->mix.data,
                             an->rendered, m)) < 0)
            return ret;
        an->rendered += m;
    }
    return 0;
}

static float *shifted_history(LoudnessMeter *m, double gain_db, size_t *count)
{
    const float *h = loudness_meter_history(m, count);
    float *copy;
    if (!h || !*count || !(copy = malloc(*count * sizeof(*copy)))) {
        *count = 0;
        return NULL;
    }
    for (size_t i = 0; i < *count; i++)
        copy[i] = (float)(h[i] + gain_db);
    return copy;
}

static void free_analysis(Analysis *an)
{
    dd_analyzer_free(&an->a);
    dd_renderer_free(&an->r);
    if (an->delay)
        av_audio_fifo_free(an->delay);
    loudness_meter_free(&an->meter);
    loudness_meter_free(&an->plain);
}

int pipeline_analyze(Pipeline *p, char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    int oc = p->out_layout.nb_channels, ret, code = EXIT_INTERNAL;
    int64_t pos = 0, limit, fade_margin;
    int dialogue_only;
    Analysis an = { 0 };
    double t0 = progress_now(), duration = 0;
    void *planes[3 * MAX_CHANNELS];
    const char *what = "analysis";

    for (int i = 0; i < p->nb_stems; i++)
        duration = FFMAX(duration, p->stems[i].duration);
    /*
     * Only final keyframes can be read, and a fade whose start is final
     * may end after the committed point. Rendering stays a fade's length
     * behind it: there, any span without a known next keyframe is a hold,
     * so the measured mix is exactly what the render pass makes.
     */
    fade_margin = (int64_t)ceil((o->params.attack + o->params.release + 0.1) *
                                p->work_rate);

    if (o->apply_keyframes) {
        DDKeyframe *kf = NULL;
        size_t nb = 0;
        if (kf_read(o->apply_keyframes, p->work_rate, &kf, &nb, err, errlen) < 0)
            return EXIT_INPUT;
        p->kf = kf;
        p->nb_kf = p->kf_cap = nb;
        p->applied_keyframes = 1;
    }

    ret = dd_analyzer_create(&an.a, &o->params, p->work_rate,
                             p->dlg_layout.nb_channels, p->center,
                             o->params.below > 0 ? oc : 0, NULL);
    if (ret < 0)
        return internal_error(err, errlen, "analyzer", ret);
    if ((ret = dd_renderer_create(&an.r, p->work_rate, oc, o->params.spectral,
                                  NULL)) < 0) {
        what = "renderer";
        goto fail;
    }
    if (!(an.delay = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 3 * oc,
                                         2 * PIPELINE_BLOCK))) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }

    p->measure = !isnan(o->target_lufs) || o->report || o->plot;
    if (p->measure) {
        unsigned flags = o->threads != 1 ? LOUDNESS_THREAD : 0;
        unsigned mflags = flags;
        an.split = o->gate == GATE_DIALOGUE || o->report;
        if (an.split)
            mflags |= LOUDNESS_DIALOGUE;
        if (o->report || !isnan(o->target_lufs))
            mflags |= LOUDNESS_TRUE_PEAK; /* whether the limiter will act */
        if (o->plot)
            mflags |= LOUDNESS_HISTORY;
        what = "loudness meter";
        if ((ret = loudness_meter_create(&an.meter, p->work_rate,
                                         &p->out_layout, oc, mflags)) < 0)
            goto fail;
        if (o->plot &&
            (ret = loudness_meter_create(&an.plain, p->work_rate, &p->out_layout,
                                         oc, flags | LOUDNESS_HISTORY)) < 0)
            goto fail;
    }

    /* Without loudness measurement or relative depth the analysis needs
     * the dialogue alone. */
    dialogue_only = !p->measure && !(o->params.below > 0);
    progress_begin(&p->progress, "pass 1/2", duration, o->verbosity > 0);
    for (;;) {
        int n = read_block(p, dialogue_only, err, errlen);
        if (n < 0) {
            code = EXIT_INPUT;
            goto fail_msg;
        }
        if (!n)
            break;
        what = "analysis";
        if (o->params.below > 0 &&
            (ret = dd_analyzer_feed_music(an.a, (const float *const *)p->music.data, n)) < 0)
            goto fail;
        if ((ret = dd_analyzer_feed_dialogue(an.a, (const float *const *)p->dlg.data, n)) < 0 ||
            (ret = collect(p, an.a)) < 0)
            goto fail;
        pos += n;
        if (!p->measure)
            goto next;
        dialogue_to_out(p, n);
        for (int c = 0; c < oc; c++) {
            planes[c] = p->dout.data[c];
            planes[oc + c] = p->music.data[c];
            planes[2 * oc + c] = p->fx.data[c];
        }
        if (av_audio_fifo_write(an.delay, planes, n) < n) {
            ret = AVERROR(ENOMEM);
            goto fail;
        }
        limit = FFMIN(dd_analyzer_committed(an.a) - fade_margin, pos);
        /* The dialogue gate needs the hops' activity, final a little
         * later than the keyframes. */
        if (an.split)
            limit = FFMIN(limit, (int64_t)p->nb_activity * p->hop);
        if ((ret = render_ready(p, &an, limit)) < 0)
            goto fail;
next:
        progress_update(&p->progress, (double)pos / p->work_rate);
    }
    if ((ret = dd_analyzer_finish(an.a)) < 0 || (ret = collect(p, an.a)) < 0 ||
        (ret = render_ready(p, &an, pos)) < 0)
        goto fail;
    progress_end(&p->progress);
    p->total = pos;

    if (p->measure) {
        what = "loudness measurement";
        if ((ret = loudness_meter_integrated(an.meter, LOUDNESS_GATE_PROGRAM,
                                             &p->lufs_program)) < 0)
            goto fail;
        if (an.split &&
            (ret = loudness_meter_integrated(an.meter, LOUDNESS_GATE_DIALOGUE,
                                             &p->lufs_dialogue)) < 0)
            goto fail;
        p->sample_peak = loudness_meter_sample_peak(an.meter);
        p->true_peak = loudness_meter_true_peak(an.meter);
        if (an.plain &&
            (ret = loudness_meter_integrated(an.plain, LOUDNESS_GATE_PROGRAM,
                                             &p->lufs_unducked)) < 0)
            goto fail;
        p->measured_lufs = p->lufs_program;
        if (o->gate == GATE_DIALOGUE) {
            if (isfinite(p->lufs_dialogue))
                p->measured_lufs = p->lufs_dialogue;
            else if (o->verbosity > 0)
                fprintf(stderr, "dialogueduck: warning: no dialogue found; "
                        "loudness measured over the whole programme\n");
        }
    }
    if (!isnan(o->target_lufs)) {
        p->gain_db = loudness_gain_db(o->target_lufs, p->measured_lufs);
        /* the true peak after the gain says whether limiting is needed;
         * without it (no measurement) fall back on the sample-peak bound */
        if (p->true_peak > 0.0)
            p->limiter_used = p->true_peak * loudness_db_to_linear(p->gain_db) >
                              loudness_db_to_linear(o->true_peak - LIMITER_HEADROOM_DB);
        else
            p->limiter_used = limiter_needed(p->sample_peak, p->gain_db,
                                             o->true_peak);
    }
    if (o->plot && p->measure) {
        size_t nb_after = 0, nb_before = 0;
        p->st_after = shifted_history(an.meter, p->gain_db, &nb_after);
        p->st_before = shifted_history(an.plain, p->gain_db, &nb_before);
        p->nb_st = FFMIN(nb_after, nb_before);
    }
    if (o->verbosity > 1)
        fprintf(stderr, "dialogueduck: analysis: %.3f s, %zu regions, %zu "
                "keyframes, %.2f LUFS, gain %+.2f dB, limiter %s\n",
                (double)p->total / p->work_rate, p->nb_regions, p->nb_kf,
                p->measured_lufs, p->gain_db, p->limiter_used ? "on" : "off");
    free_analysis(&an);
    p->t_analysis = progress_now() - t0;
    return EXIT_OK;

fail:
    internal_error(err, errlen, what, ret);
fail_msg:
    progress_end(&p->progress);
    free_analysis(&an);
    return code;
}

static void scale(float **buf, int channels, int n, float g)
{
    for (int c = 0; c < channels; c++)
        for (int k = 0; k < n; k++)
            buf[c][k] *= g;
}

/* The first m samples of the finished mix: written (unless dry) and
 * measured. Returns EXIT_OK or an exit code with err set. */
static int deliver_mix(Pipeline *p, LoudnessMeter *meter, int dry, int m,
                       int64_t *out_pos, char *err, size_t errlen)
{
    int ret;

    if (!dry && output_write(p->out, 0, (const float *const *)p->mix.data, m,
                             err, errlen) < 0)
        return EXIT_OUTPUT;
    if ((ret = meter_add(p, meter, p->opt->gate == GATE_DIALOGUE, p->mix.data,
                         *out_pos, m)) < 0)
        return internal_error(err, errlen, "loudness meter", ret);
    *out_pos += m;
    return EXIT_OK;
}

/*
 * One render pass. A dry pass writes nothing: it measures what the limiter
 * leaves of the loudness (*dry_lufs), so the gain can be corrected before
 * the pass that writes.
 */
static int render_pass(Pipeline *p, double *dry_lufs, char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    int dry = dry_lufs != NULL;
    int oc = p->out_layout.nb_channels, ret, code = EXIT_INTERNAL;
    int apply_gain = p->gain_db != 0.0;
    float lin = (float)loudness_db_to_linear(p->gain_db);
    DDRenderer *r = NULL;
    TruePeakLimiter *lim = NULL;
    LoudnessMeter *meter = NULL;
    size_t next_kf = 0;
    int64_t pos = 0, out_pos = 0;
    double t0 = progress_now();
    const char *what = "render";

    for (int i = 0; i < p->nb_stems; i++)
        if (input_rewind(&p->stems[i], err, errlen) < 0)
            return EXIT_INPUT;
    if ((ret = dd_renderer_create(&r, p->work_rate, oc, o->params.spectral,
                                  NULL)) < 0)
        goto fail;
    if (p->limiter_used &&
        (ret = limiter_create(&lim, p->work_rate, oc, o->true_peak,
                              LIMITER_LOOKAHEAD_DEFAULT,
                              LIMITER_RELEASE_DEFAULT)) < 0) {
        what = "limiter";
        goto fail;
    }
    /* The delivered file is measured for the report (and a dry pass), on
     * the worker thread (off the critical path). */
    p->out_measured = (o->report && p->out) || dry;
    if (p->out_measured) {
        unsigned flags = (dry ? 0 : LOUDNESS_TRUE_PEAK) |
                         (o->gate == GATE_DIALOGUE ? LOUDNESS_DIALOGUE : 0) |
                         (o->threads != 1 ? LOUDNESS_THREAD : 0);
        what = "loudness meter";
        if ((ret = loudness_meter_create(&meter, p->work_rate, &p->out_layout,
                                         oc, flags)) < 0)
            goto fail;
    }

    progress_begin(&p->progress, dry ? "loudness check" : "pass 2/2",
                   (double)p->total / p->work_rate, o->verbosity > 0);
    for (;;) {
        int n = read_block(p, 0, err, errlen), m;
        if (n < 0) {
            code = EXIT_INPUT;
            goto fail_msg;
        }
        if (!n)
            break;
        what = "render";
        dialogue_to_out(p, n);
        if ((ret = feed_renderer(p, r, &next_kf, pos + n)) < 0 ||
            (ret = dd_renderer_process(r, (const float *const *)p->music.data,
                                       p->tmp.data, n)) < 0)
            goto fail;
        pos += n;
        if (p->music_out && !dry &&
            output_write(p->music_out, 0, (const float *const *)p->tmp.data, n,
                         err, errlen) < 0) {
            code = EXIT_OUTPUT;
            goto fail_msg;
        }
        if (!p->out && !dry)
            goto next;
        sum3(p->mix.data, p->dout.data, p->tmp.data, p->fx.data, oc, n);
        if (apply_gain)
            scale(p->mix.data, oc, n, lin);
        if (o->keep_stems && !dry) {
            if (apply_gain) {
                scale(p->tmp.data, oc, n, lin);
                scale(p->fx.data, oc, n, lin);
            }
            if (output_write(p->out, 1, (const float *const *)p->tmp.data, n,
                             err, errlen) < 0 ||
                (p->has_effects &&
                 output_write(p->out, 2, (const float *const *)p->fx.data, n,
                              err, errlen) < 0)) {
                code = EXIT_OUTPUT;
                goto fail_msg;
            }
        }
        m = n;
        if (lim && (m = limiter_process(lim, (const float *const *)p->mix.data,
                                        p->mix.data, n)) < 0) {
            ret = m;
            what = "limiter";
            goto fail;
        }
        if ((code = deliver_mix(p, meter, dry, m, &out_pos, err, errlen)))
            goto fail_msg;
next:
        progress_update(&p->progress, (double)pos / p->work_rate);
    }
    if (lim) {
        int m = limiter_flush(lim, p->mix.data);
        if (m < 0) {
            ret = m;
            what = "limiter";
            goto fail;
        }
        if ((code = deliver_mix(p, meter, dry, m, &out_pos, err, errlen)))
            goto fail_msg;
        limiter_get_stats(lim, &p->limiter);
    }
    progress_end(&p->progress);
    if (pos != p->total && p->measure && o->verbosity > 0)
        fprintf(stderr, "dialogueduck: warning: the render pass decoded %lld "
                "samples, the analysis %lld\n", (long long)pos,
                (long long)p->total);
    p->total = pos;

    if (dry) {
        what = "loudness measurement";
        ret = loudness_meter_integrated(meter, o->gate == GATE_DIALOGUE ?
                                        LOUDNESS_GATE_DIALOGUE :
                                        LOUDNESS_GATE_PROGRAM, dry_lufs);
        if (ret < 0)
            goto fail;
        dd_renderer_free(&r);
        limiter_free(&lim);
        loudness_meter_free(&meter);
        return EXIT_OK;
    }
    if ((p->out && output_finish(p->out, err, errlen) < 0) ||
        (p->music_out && output_finish(p->music_out, err, errlen) < 0)) {
        code = EXIT_OUTPUT;
        goto fail_msg;
    }
    if (meter) {
        what = "loudness measurement";
        if ((ret = loudness_meter_integrated(meter, LOUDNESS_GATE_PROGRAM,
                                             &p->out_lufs_program)) < 0)
            goto fail;
        if (o->gate == GATE_DIALOGUE &&
            (ret = loudness_meter_integrated(meter, LOUDNESS_GATE_DIALOGUE,
                                             &p->out_lufs_dialogue)) < 0)
            goto fail;
        p->out_true_peak = loudness_meter_true_peak(meter);
        p->out_sample_peak = loudness_meter_sample_peak(meter);
    }
    dd_renderer_free(&r);
    limiter_free(&lim);
    loudness_meter_free(&meter);
    p->t_render = progress_now() - t0;
    return EXIT_OK;

fail:
    internal_error(err, errlen, what, ret);
fail_msg:
    progress_end(&p->progress);
    dd_renderer_free(&r);
    limiter_free(&lim);
    loudness_meter_free(&meter);
    return code;
}

/*
 * Linear gain then a limiter: where the limiter acts, the programme loses
 * loudness, and loses more the higher the gain. Dry passes measure the
 * result and correct the gain (by the secant through the last two passes)
 * until it is within 0.1 LU of the target; each costs a pass, and only
 * loud targets on peaky material need them.
 */
#define LOUDNESS_TOLERANCE 0.1
#define MAX_CORRECTIONS    3

int pipeline_render(Pipeline *p, char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    double prev_gain = 0.0, prev_lufs = NAN;

    for (int i = 0; i < MAX_CORRECTIONS && p->limiter_used && p->out &&
                    !isnan(o->target_lufs); i++) {
        double lufs, slope = 1.0;
        int code = render_pass(p, &lufs, err, errlen);

        if (code != EXIT_OK)
            return code;
        if (!isfinite(lufs) || fabs(o->target_lufs - lufs) <= LOUDNESS_TOLERANCE)
            break;
        if (isfinite(prev_lufs) && p->gain_db != prev_gain)
            slope = av_clipd((lufs - prev_lufs) / (p->gain_db - prev_gain),
                             0.2, 1.0);
        prev_gain = p->gain_db;
        prev_lufs = lufs;
        p->gain_db += (o->target_lufs - lufs) / slope;
        p->loudness_corrections++;
        if (o->verbosity > 1)
            fprintf(stderr, "dialogueduck: limiting left %.2f LUFS; gain "
                    "raised to %+.2f dB\n", lufs, p->gain_db);
    }
    return render_pass(p, NULL, err, errlen);
}

int pipeline_write_extras(Pipeline *p, char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    int ret;

    if (o->keyframes) {
        KfDoc doc = {
            .sample_rate = p->work_rate,
            .duration = p->total,
            .params = o->params,
            .kf = p->kf,
            .nb_kf = p->nb_kf,
            .regions = p->regions,
            .nb_regions = p->nb_regions,
            .music_path = NULL,
            .music_channels = p->out_layout.nb_channels,
        };
        int fmt = kf_format_from_name(o->keyframes, o->keyframes_format);
        for (int i = 0; i < p->nb_stems; i++)
            if (o->stems[i].role == STEM_MUSIC) {
                doc.music_path = o->stems[i].path;
                break;
            }
        if (fmt < 0) {
            snprintf(err, errlen, "%s: unknown keyframe format '%s' (json, "
                     "csv, cmd, xml, fcpxml, txt)", o->keyframes,
                     o->keyframes_format ? o->keyframes_format :
                     (strrchr(o->keyframes, '.') ? strrchr(o->keyframes, '.') + 1 : ""));
            return EXIT_USAGE;
        }
        if ((ret = kf_write(o->keyframes, fmt, &doc, err, errlen)) < 0)
            return EXIT_OUTPUT;
    }
    if (o->plot) {
        PlotData d = {
            .sample_rate = p->work_rate,
            .duration = p->total,
            .activity = p->activity,
            .nb_activity = p->nb_activity,
            .kf = p->kf,
            .nb_kf = p->nb_kf,
            .st_before = p->st_before,
            .st_after = p->st_after,
            .nb_st = p->nb_st,
            .st_interval = LOUDNESS_HISTORY_INTERVAL,
            .target_lufs = o->target_lufs,
            .title = o->output ? o->output : o->stems[0].arg,
        };
        if ((ret = plot_svg_write(o->plot, &d, err, errlen)) < 0)
            return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

void pipeline_free(Pipeline *p)
{
    output_free(&p->out);
    output_free(&p->music_out);
    for (int i = 0; i < p->nb_stems; i++) {
        input_close(&p->stems[i]);
        mix_matrix_free(&p->to_bus[i]);
    }
    mix_matrix_free(&p->dlg_to_out);
    audiobuf_free(&p->in);
    audiobuf_free(&p->dlg);
    audiobuf_free(&p->dout);
    audiobuf_free(&p->music);
    audiobuf_free(&p->fx);
    audiobuf_free(&p->mix);
    audiobuf_free(&p->tmp);
    av_channel_layout_uninit(&p->out_layout);
    av_channel_layout_uninit(&p->dlg_layout);
    free(p->kf);
    free(p->regions);
    free(p->activity);
    free(p->st_before);
    free(p->st_after);
}
