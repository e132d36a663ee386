/*
 * Stage 2, analysis (pass 1).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/audio_fifo.h>

#include "analysis.h"
#include "clock.h"
#include "keyframes_io.h"
#include "mixwait.h"
#include "progress.h"

/* The pass's machinery, freed when the pass ends. */
typedef struct AnalysisPass {
    DDAnalyzer *a;
    DDRenderer *r;
    AVAudioFifo *delay;         /* dout | music | fx, waiting for commit */
    MixWait wait;               /* dout and fx waiting for the renderer */
    LoudnessMeter *meter;       /* the ducked mix */
    LoudnessMeter *plain;       /* the mix without ducking (--plot, and
                                 * the report of an analysis-only run) */
    int split;                  /* meter has the dialogue gate */
    size_t next_kf;
    int64_t rendered;           /* music given to the renderer */
    int64_t mixed;              /* ducked mix measured (the renderer's
                                   output) */
    int64_t fade_margin;
    Progress progress;
} AnalysisPass;

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

static int collect_keyframes(Analysis *an, DDAnalyzer *a)
{
    int n, ret;
    for (;;) {
        DDKeyframe kf[64];
        if (!(n = dd_analyzer_read_keyframes(a, kf, 64)))
            return 0;
        if (n < 0)
            return n;
        if (an->applied_keyframes)
            continue;          /* the imported envelope rules */
        if ((ret = grow((void **)&an->kf, &an->kf_cap, an->nb_kf + n,
                        sizeof(*an->kf))) < 0)
            return ret;
        memcpy(an->kf + an->nb_kf, kf, n * sizeof(*kf));
        an->nb_kf += n;
    }
}

/* Activity as runs: only the hops where the flag changes are kept. */
static int collect_activity(Analysis *an, DDAnalyzer *a)
{
    uint8_t act[256];
    int n, ret;

    while ((n = dd_analyzer_read_activity(a, an->nb_activity, act, 256)) > 0) {
        for (int i = 0; i < n; i++) {
            if (!act[i] == !(an->nb_act_edges & 1))
                continue;
            if ((ret = grow((void **)&an->act_edges, &an->act_edges_cap,
                            an->nb_act_edges + 1, sizeof(*an->act_edges))) < 0)
                return ret;
            an->act_edges[an->nb_act_edges++] = an->nb_activity + i;
        }
        an->nb_activity += n;
    }
    return n < 0 ? n : 0;
}

/* Move what the analyzer made final into our lists. */
static int collect(Analysis *an, DDAnalyzer *a)
{
    int n, ret;
    if ((ret = collect_keyframes(an, a)) < 0)
        return ret;
    for (;;) {
        DDRegion r[64];
        if (!(n = dd_analyzer_read_regions(a, r, 64)))
            break;
        if (n < 0)
            return n;
        if ((ret = grow((void **)&an->regions, &an->regions_cap,
                        an->nb_regions + n, sizeof(*an->regions))) < 0)
            return ret;
        memcpy(an->regions + an->nb_regions, r, n * sizeof(*r));
        an->nb_regions += n;
    }
    return collect_activity(an, a);
}

int analysis_feed_renderer(const Analysis *an, DDRenderer *r, size_t *next,
                           int64_t end)
{
    int ret;
    while (*next < an->nb_kf) {
        const DDKeyframe *k = &an->kf[*next];
        if (*next > 0 && an->kf[*next - 1].t >= end)
            break;
        if ((ret = dd_renderer_add_keyframe(r, k)) < 0)
            return ret;
        (*next)++;
    }
    return 0;
}

int analysis_activity_at(const Analysis *an, int64_t h)
{
    size_t lo = 0, hi = an->nb_act_edges;

    if (h >= an->nb_activity)
        return 0;
    /* the number of edges at or before h tells the flag */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (an->act_edges[mid] <= h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo & 1;
}

int64_t analysis_speech_hops(const Analysis *an)
{
    int64_t speech = 0;

    for (size_t k = 0; k < an->nb_act_edges; k += 2)
        speech += (k + 1 < an->nb_act_edges ? an->act_edges[k + 1] :
                   an->nb_activity) - an->act_edges[k];
    return speech;
}

int analysis_meter_add(const Analysis *an, LoudnessMeter *m, int split,
                       float *const *buf, int channels, int64_t start, int n)
{
    const float *ptr[MAX_CHANNELS];
    int k = 0, ret;

    if (!m || n <= 0)
        return 0;
    if (!split)
        return loudness_meter_add(m, (const float *const *)buf, n, 0);
    while (k < n) {
        int64_t h = (start + k) / an->hop;
        int flag = analysis_activity_at(an, h);
        int end = k;
        /* extend over following hops with the same flag */
        for (;;) {
            int64_t hend = (h + 1) * an->hop - start;
            end = hend >= n ? n : (int)hend;
            h++;
            if (end >= n || analysis_activity_at(an, h) != flag)
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

/*
 * What the delay holds: the music, the dialogue as read and the effects
 * (only with an effects stem: otherwise that bus stays silent). The
 * dialogue in the output layout is made again from the delayed dialogue:
 * the fewer planes the delay copies in and out, the less memory moves.
 * Returns the plane count.
 */
static int delay_planes(const Session *s, void **planes)
{
    int oc = s->out_layout.nb_channels, n = 0;

    for (int c = 0; c < oc; c++)
        planes[n++] = s->music.data[c];
    for (int c = 0; c < s->dlg_layout.nb_channels; c++)
        planes[n++] = s->dlg.data[c];
    if (s->has_effects)
        for (int c = 0; c < oc; c++)
            planes[n++] = s->fx.data[c];
    return n;
}

/* m samples of rendered music and the dialogue and effects of their
 * time: the ducked mix measured. */
static int measure_rendered(Analysis *an, AnalysisPass *ps, Session *s,
                            float *const *music, int m)
{
    int ret;

    if (m <= 0)
        return 0;
    mixwait_pop(&ps->wait, s, m);
    session_mix(s, music, m);
    if ((ret = analysis_meter_add(an, ps->meter, ps->split, s->mix.data,
                                  s->out_layout.nb_channels, ps->mixed, m)) < 0 ||
        (an->loss && (ret = limitloss_add(an->loss, (const float *const *)
                                          s->mix.data, m)) < 0))
        return ret;
    ps->mixed += m;
    return 0;
}

/* Render the delayed music up to `limit` and measure the mix. */
static int render_ready(Analysis *an, AnalysisPass *ps, Session *s,
                        int64_t limit)
{
    int oc = s->out_layout.nb_channels, ret, r;
    void *planes[3 * MAX_CHANNELS];

    delay_planes(s, planes);
    while (ps->rendered < limit) {
        int m = (int)FFMIN(PIPELINE_BLOCK, limit - ps->rendered);
        m = FFMIN(m, av_audio_fifo_size(ps->delay));
        if (m <= 0)
            break;
        if (av_audio_fifo_read(ps->delay, planes, m) < m)
            return AVERROR_BUG;
        session_dialogue_to_out(s, m);
        if (ps->plain) {
            session_mix(s, s->music.data, m);
            if ((ret = analysis_meter_add(an, ps->plain, 0, s->mix.data, oc,
                                          ps->rendered, m)) < 0)
                return ret;
        }
        mixwait_push(&ps->wait, s, m);
        if ((ret = analysis_feed_renderer(an, ps->r, &ps->next_kf,
                                          ps->rendered + m)) < 0 ||
            (r = mixwait_render(ps->r, s, m)) < 0)
            return ret < 0 ? ret : r;
        ps->rendered += m;
        if ((ret = measure_rendered(an, ps, s, s->tmp.data, r)) < 0)
            return ret;
    }
    return 0;
}

/* End of the stems: the music the renderer still holds, measured. */
static int render_tail(Analysis *an, AnalysisPass *ps, Session *s)
{
    float *music[MAX_CHANNELS];
    int t, m, ret;

    if (!an->measured)
        return 0;
    if ((t = mixwait_flush(&ps->wait, ps->r)) < 0)
        return t;
    for (int k = 0; k < t; k += m) {
        m = mixwait_tail(&ps->wait, k, t, music);
        if ((ret = measure_rendered(an, ps, s, music, m)) < 0)
            return ret;
    }
    return 0;
}

static float *history_copy(LoudnessMeter *m, size_t *count)
{
    const float *h = loudness_meter_history(m, count);
    float *copy;
    if (!h || !*count || !(copy = malloc(*count * sizeof(*copy)))) {
        *count = 0;
        return NULL;
    }
    memcpy(copy, h, *count * sizeof(*copy));
    return copy;
}

static void pass_free(AnalysisPass *ps)
{
    dd_analyzer_free(&ps->a);
    dd_renderer_free(&ps->r);
    mixwait_free(&ps->wait);
    if (ps->delay)
        av_audio_fifo_free(ps->delay);
    loudness_meter_free(&ps->meter);
    loudness_meter_free(&ps->plain);
}

static int create_meters(Analysis *an, AnalysisPass *ps, const Session *s,
                         char *err, size_t errlen)
{
    const CliOptions *o = s->opt;
    int oc = s->out_layout.nb_channels, ret;
    unsigned flags = (o->threads != 1 ? LOUDNESS_THREAD : 0) |
                     (o->dual_mono ? LOUDNESS_DUAL_MONO : 0);
    unsigned mflags = flags;
    int plain = o->plot || (o->analyze_only && o->report);

    an->measured = !isnan(o->target_lufs) || o->report || o->plot;
    if (!an->measured)
        return EXIT_OK;
    ps->split = o->gate == GATE_DIALOGUE || o->report;
    if (ps->split)
        mflags |= LOUDNESS_DIALOGUE;
    if (o->report || !isnan(o->target_lufs))
        mflags |= LOUDNESS_TRUE_PEAK; /* whether the limiter will act */
    if (o->report)
        mflags |= LOUDNESS_RANGE;
    if (o->plot)
        mflags |= LOUDNESS_HISTORY;
    if (!isnan(o->target_lufs))
        mflags |= LOUDNESS_RECORD;  /* for the limiter's loss (predicted,
                                     * and measured by later passes) */
    if ((ret = loudness_meter_create(&ps->meter, s->work_rate, &s->out_layout,
                                     oc, mflags)) < 0 ||
        (plain &&
         (ret = loudness_meter_create(&ps->plain, s->work_rate, &s->out_layout,
                                      oc, flags | (o->plot ? LOUDNESS_HISTORY :
                                                   0))) < 0))
        return internal_error(err, errlen, "loudness meter", ret);
    /* what a limiter would take, for the gain of a loud target */
    if (!isnan(o->target_lufs) && o->gate == GATE_PROGRAM &&
        (ret = limitloss_create(&an->loss, s->work_rate, oc)) < 0 &&
        ret != AVERROR(ENOSYS))
        return internal_error(err, errlen, "loudness meter", ret);
    return EXIT_OK;
}

static int pass_create(Analysis *an, AnalysisPass *ps, const Session *s,
                       char *err, size_t errlen)
{
    const CliOptions *o = s->opt;
    void *planes[3 * MAX_CHANNELS];
    int ret;

    /*
     * Only final keyframes can be read, and a fade whose start is final
     * may end after the committed point. Rendering stays a fade's length
     * behind it: there, any span without a known next keyframe is a hold,
     * so the measured mix is exactly what the render pass makes.
     */
    ps->fade_margin = (int64_t)ceil((o->params.attack + o->params.release +
                                     0.1) * s->work_rate);
    ret = dd_analyzer_create(&ps->a, &o->params, s->work_rate,
                             s->dlg_layout.nb_channels, s->center,
                             o->params.below > 0 ? s->out_layout.nb_channels : 0, NULL);
    if (ret < 0)
        return internal_error(err, errlen, "analyzer", ret);
    if ((ret = mixwait_open(&ps->wait, &ps->r, s)) < 0)
        return internal_error(err, errlen, "renderer", ret);
    if (!(ps->delay = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP,
                                          delay_planes(s, planes),
                                          2 * PIPELINE_BLOCK)))
        return internal_error(err, errlen, "analysis", AVERROR(ENOMEM));
    return create_meters(an, ps, s, err, errlen);
}

/* One block of n samples read into the session's buses. */
static int pass_block(Analysis *an, AnalysisPass *ps, Session *s, int n)
{
    const CliOptions *o = s->opt;
    void *planes[3 * MAX_CHANNELS];
    int64_t limit;
    int ret;

    if (o->params.below > 0 &&
        (ret = dd_analyzer_feed_music(ps->a, (const float *const *)s->music.data, n)) < 0)
        return ret;
    if ((ret = dd_analyzer_feed_dialogue(ps->a, (const float *const *)s->dlg.data, n)) < 0 ||
        (ret = collect(an, ps->a)) < 0)
        return ret;
    an->total += n;
    if (!an->measured)
        return 0;
    delay_planes(s, planes);
    if (av_audio_fifo_write(ps->delay, planes, n) < n)
        return AVERROR(ENOMEM);
    limit = FFMIN(dd_analyzer_committed(ps->a) - ps->fade_margin, an->total);
    /* The dialogue gate needs the hops' activity, final a little later
     * than the keyframes. */
    if (ps->split)
        limit = FFMIN(limit, an->nb_activity * an->hop);
    return render_ready(an, ps, s, limit);
}

/* The loudness figures of the ducked (and for --plot the plain) mix. */
static int measure(Analysis *an, AnalysisPass *ps, const CliOptions *o)
{
    int ret;

    if ((ret = loudness_meter_integrated(ps->meter, LOUDNESS_GATE_PROGRAM,
                                         &an->lufs_program)) < 0)
        return ret;
    if (ps->split &&
        (ret = loudness_meter_integrated(ps->meter, LOUDNESS_GATE_DIALOGUE,
                                         &an->lufs_dialogue)) < 0)
        return ret;
    if ((ret = loudness_meter_take_levels(ps->meter, &an->levels)) < 0)
        return ret;
    if (o->report &&
        (ret = loudness_meter_range(ps->meter, &an->loudness_range)) < 0)
        return ret;
    an->sample_peak = loudness_meter_sample_peak(ps->meter);
    an->true_peak = loudness_meter_true_peak(ps->meter);
    if (ps->plain &&
        (ret = loudness_meter_integrated(ps->plain, LOUDNESS_GATE_PROGRAM,
                                         &an->lufs_unducked)) < 0)
        return ret;
    if (o->plot) {
        size_t nb_ducked = 0, nb_unducked = 0;
        an->st_ducked = history_copy(ps->meter, &nb_ducked);
        an->st_unducked = history_copy(ps->plain, &nb_unducked);
        an->nb_st = FFMIN(nb_ducked, nb_unducked);
    }
    return 0;
}

/* --apply-keyframes: the edited envelope replaces the analysis's. */
static int import_keyframes(Analysis *an, const Session *s, char *err,
                            size_t errlen)
{
    DDKeyframe *kf = NULL;
    size_t nb = 0;

    if (kf_read(s->opt->apply_keyframes, s->work_rate, &kf, &nb, err,
                errlen) < 0)
        return EXIT_INPUT;
    an->kf = kf;
    an->nb_kf = an->kf_cap = nb;
    an->applied_keyframes = 1;
    return EXIT_OK;
}

/* Decode, analyse and measure until every stem has ended. */
static int pass_run(Analysis *an, AnalysisPass *ps, Session *s, char *err,
                    size_t errlen)
{
    const CliOptions *o = s->opt;
    /* Without loudness measurement or relative depth the analysis needs
     * the dialogue alone (but --strict wants every stem checked before
     * anything is written, and the pass cache every stem's samples). */
    int dialogue_only = !an->measured && !(o->params.below > 0) &&
                        !o->strict && !s->cache, n, ret;

    progress_begin(&ps->progress, "pass 1/2", s->duration,
                   cli_show_progress(o));
    while ((n = session_read_block(s, dialogue_only, err, errlen)) > 0) {
        if ((ret = pass_block(an, ps, s, n)) < 0)
            return internal_error(err, errlen, "analysis", ret);
        progress_update(&ps->progress, (double)an->total / s->work_rate);
    }
    if (n < 0)
        return input_exit_code(n);
    if ((ret = dd_analyzer_finish(ps->a)) < 0 || (ret = collect(an, ps->a)) < 0 ||
        (ret = render_ready(an, ps, s, an->total)) < 0 ||
        (ret = render_tail(an, ps, s)) < 0)
        return internal_error(err, errlen, "analysis", ret);
    progress_end(&ps->progress);
    if (an->measured && (ret = measure(an, ps, o)) < 0)
        return internal_error(err, errlen, "loudness measurement", ret);
    return EXIT_OK;
}

int analysis_run(Analysis *an, Session *s, char *err, size_t errlen)
{
    AnalysisPass ps = { 0 };
    double t0 = clock_seconds();
    int ret;

    memset(an, 0, sizeof(*an));
    an->hop = s->hop;
    an->lufs_program = an->lufs_dialogue = an->lufs_unducked = NAN;
    an->sample_peak = an->true_peak = an->loudness_range = NAN;
    if (s->opt->apply_keyframes &&
        (ret = import_keyframes(an, s, err, errlen)) != EXIT_OK)
        return ret;
    ret = pass_create(an, &ps, s, err, errlen);
    if (ret == EXIT_OK)
        ret = pass_run(an, &ps, s, err, errlen);
    progress_end(&ps.progress);
    pass_free(&ps);
    an->seconds = clock_seconds() - t0;
    return ret;
}

void analysis_free(Analysis *an)
{
    free(an->kf);
    free(an->regions);
    free(an->act_edges);
    free(an->st_ducked);
    free(an->st_unducked);
    loudness_levels_free(&an->levels);
    limitloss_free(&an->loss);
}
