/*
 * Stage 4, render (pass 2), and its dry variant.
 *
 * In spectral and adaptive mode the renderer holds the music back by its
 * latency (the band filter and the carver read ahead; the carver reads
 * the dialogue bus of each block too): the dialogue and the effects wait in a FIFO
 * for the music they are mixed with, and the renderer's tail is flushed
 * at the end, so the mix lines up and lasts as long as the stems.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "loudness.h"
#include "mixwait.h"
#include "progress.h"
#include "render.h"

typedef struct RenderPass {
    Session *s;
    const Analysis *an;
    int dry;                       /* measure only, write nothing */
    int apply_gain;
    float lin;                     /* the gain, linear */
    DDRenderer *r;
    MixWait wait;                  /* dialogue and effects for the music
                                      the renderer holds back */
    TruePeakLimiter *lim;
    LoudnessMeter *meter;          /* the delivered mix */
    size_t next_kf;
    int64_t pos, out_pos;
    Progress progress;
} RenderPass;

static void scale(float **buf, int channels, int n, float g)
{
    for (int c = 0; c < channels; c++)
        for (int k = 0; k < n; k++)
            buf[c][k] *= g;
}

static void pass_free(RenderPass *rp)
{
    progress_end(&rp->progress);
    dd_renderer_free(&rp->r);
    mixwait_free(&rp->wait);
    limiter_free(&rp->lim);
    loudness_meter_free(&rp->meter);
}

/* measure: meter the delivered mix; full: for the report (true peak and
 * loudness range too), else as a dry pass does. */
static int pass_create(RenderPass *rp, const Normalization *nz, int measure,
                       int full, char *err, size_t errlen)
{
    const Session *s = rp->s;
    const CliOptions *o = s->opt;
    int oc = s->out_layout.nb_channels, ret;

    rp->apply_gain = nz->gain_db != 0.0;
    rp->lin = (float)loudness_db_to_linear(nz->gain_db);
    if ((ret = mixwait_open(&rp->wait, &rp->r, s)) < 0)
        return internal_error(err, errlen, "render", ret);
    if (nz->limiter_used &&
        (ret = limiter_create(&rp->lim, s->work_rate, oc, o->true_peak,
                              LIMITER_LOOKAHEAD_DEFAULT,
                              LIMITER_RELEASE_DEFAULT)) < 0)
        return internal_error(err, errlen, "limiter", ret);
    /* The delivered file is measured for the report (and a check of the
     * gain); libebur128's part on the worker thread. */
    if (measure) {
        /* A gain leaves the loudness range as it was: the analysis's
         * figure holds unless the limiter changes the mix. */
        unsigned flags = (full ? LOUDNESS_TRUE_PEAK : 0) |
                         (full && nz->limiter_used ? LOUDNESS_RANGE : 0) |
                         (o->gate == GATE_DIALOGUE ? LOUDNESS_DIALOGUE : 0) |
                         (o->threads != 1 ? LOUDNESS_THREAD : 0) |
                         (o->dual_mono ? LOUDNESS_DUAL_MONO : 0);
        if ((ret = loudness_meter_create(&rp->meter, s->work_rate,
                                         &s->out_layout, oc, flags)) < 0)
            return internal_error(err, errlen, "loudness meter", ret);
        /* the mix is the one the analysis measured, times the gain:
         * libebur128 measures only what the limiter changed */
        if ((ret = loudness_meter_set_reference(rp->meter, rp->an->levels,
                                                rp->lin)) < 0 &&
            ret != AVERROR(ENOSYS))
            return internal_error(err, errlen, "loudness meter", ret);
    }
    return EXIT_OK;
}

/*
 * The limiter on the mix's first n samples (or, at the end, what it still
 * holds), in place; the meter learns whether it changed any of them.
 */
static int limit(RenderPass *rp, int n, int flush)
{
    float **mix = rp->s->mix.data;
    LimiterStats before, after;

    limiter_get_stats(rp->lim, &before);
    n = flush ? limiter_flush(rp->lim, mix) :
                limiter_process(rp->lim, (const float *const *)mix, mix, n);
    limiter_get_stats(rp->lim, &after);
    if (rp->meter)
        loudness_meter_set_touched(rp->meter, after.samples_limited !=
                                              before.samples_limited);
    return n;
}

/* The first m samples of the finished mix: written (unless dry) and
 * measured. */
static int deliver_mix(RenderPass *rp, int m, char *err, size_t errlen)
{
    Session *s = rp->s;
    int ret;

    if (!rp->dry && output_write(s->out, 0, (const float *const *)s->mix.data,
                                 m, err, errlen) < 0)
        return EXIT_OUTPUT;
    if ((ret = analysis_meter_add(rp->an, rp->meter,
                                  s->opt->gate == GATE_DIALOGUE, s->mix.data,
                                  s->out_layout.nb_channels, rp->out_pos, m)) < 0)
        return internal_error(err, errlen, "loudness meter", ret);
    rp->out_pos += m;
    return EXIT_OK;
}

/* --keep-stems: the ducked music and the effects as tracks 1 and 2. */
static int write_stems(RenderPass *rp, float *const *music, int n,
                       char *err, size_t errlen)
{
    Session *s = rp->s;
    int oc = s->out_layout.nb_channels;

    if (rp->apply_gain) {
        scale((float **)music, oc, n, rp->lin);
        scale(s->fx.data, oc, n, rp->lin);
    }
    if (output_write(s->out, 1, (const float *const *)music, n,
                     err, errlen) < 0 ||
        (s->has_effects &&
         output_write(s->out, 2, (const float *const *)s->fx.data, n,
                      err, errlen) < 0))
        return EXIT_OUTPUT;
    return EXIT_OK;
}

/* m samples of rendered music, mixed with the dialogue and effects of
 * their time, to the outputs. */
static int pass_rendered(RenderPass *rp, float *const *music, int m,
                         char *err, size_t errlen)
{
    Session *s = rp->s;
    const CliOptions *o = s->opt;
    int oc = s->out_layout.nb_channels, ret;

    if (m <= 0)
        return EXIT_OK;
    mixwait_pop(&rp->wait, s, m);
    if (s->music_out && !rp->dry &&
        output_write(s->music_out, 0, (const float *const *)music, m,
                     err, errlen) < 0)
        return EXIT_OUTPUT;
    if (!s->out && !rp->dry)
        return EXIT_OK;
    session_mix(s, music, m);
    if (rp->apply_gain)
        scale(s->mix.data, oc, m, rp->lin);
    if (o->keep_stems && !rp->dry &&
        (ret = write_stems(rp, music, m, err, errlen)))
        return ret;
    if (rp->lim && (m = limit(rp, m, 0)) < 0)
        return internal_error(err, errlen, "limiter", m);
    return deliver_mix(rp, m, err, errlen);
}

/* One block of n samples read into the session's buses. */
static int pass_block(RenderPass *rp, int n, char *err, size_t errlen)
{
    Session *s = rp->s;
    int m, ret;

    session_dialogue_to_out(s, n);
    mixwait_push(&rp->wait, s, n);
    if ((ret = analysis_feed_renderer(rp->an, rp->r, &rp->next_kf,
                                      rp->pos + n)) < 0 ||
        (m = mixwait_render(rp->r, s, n)) < 0)
        return internal_error(err, errlen, "render", ret < 0 ? ret : m);
    rp->pos += n;
    return pass_rendered(rp, s->tmp.data, m, err, errlen);
}

/* Spectral mode: the music the renderer still holds, block by block. */
static int pass_flush(RenderPass *rp, char *err, size_t errlen)
{
    float *music[MAX_CHANNELS];
    int t = mixwait_flush(&rp->wait, rp->r), m, ret;

    if (t < 0)
        return internal_error(err, errlen, "render", t);
    for (int k = 0; k < t; k += m) {
        m = mixwait_tail(&rp->wait, k, t, music);
        if ((ret = pass_rendered(rp, music, m, err, errlen)) != EXIT_OK)
            return ret;
    }
    return EXIT_OK;
}

/* Every block, then what the limiter still holds. */
static int pass_run(RenderPass *rp, char *err, size_t errlen)
{
    Session *s = rp->s;
    int n, ret;

    if ((ret = session_rewind(s, !rp->dry, err, errlen)) != EXIT_OK)
        return ret;
    progress_begin(&rp->progress, rp->dry ? "loudness check" : "pass 2/2",
                   (double)rp->an->total / s->work_rate,
                   cli_show_progress(s->opt));
    while ((n = session_read_block(s, 0, err, errlen)) > 0) {
        if ((ret = pass_block(rp, n, err, errlen)) != EXIT_OK)
            return ret;
        progress_update(&rp->progress, (double)rp->pos / s->work_rate);
    }
    if (n < 0)
        return input_exit_code(n);
    if ((ret = pass_flush(rp, err, errlen)) != EXIT_OK)
        return ret;
    if (rp->lim) {
        int m = limit(rp, 0, 1);
        if (m < 0)
            return internal_error(err, errlen, "limiter", m);
        if ((ret = deliver_mix(rp, m, err, errlen)) != EXIT_OK)
            return ret;
    }
    progress_end(&rp->progress);
    if (rp->pos != rp->an->total && rp->an->measured &&
        s->opt->verbosity >= VERB_WARNING)
        fprintf(stderr, "dialogueduck: warning: the render pass decoded %lld "
                "samples, the analysis %lld\n", (long long)rp->pos,
                (long long)rp->an->total);
    return EXIT_OK;
}

/* The delivered mix's loudness by the gate normalization aims at. */
static int delivered_lufs(RenderPass *rp, double *lufs, char *err,
                          size_t errlen)
{
    int ret = loudness_meter_integrated(rp->meter,
                                        rp->s->opt->gate == GATE_DIALOGUE ?
                                        LOUDNESS_GATE_DIALOGUE :
                                        LOUDNESS_GATE_PROGRAM, lufs);
    return ret < 0 ? internal_error(err, errlen, "loudness measurement", ret) :
                     EXIT_OK;
}

int render_dry(Session *s, const Analysis *an, const Normalization *nz,
               double *lufs, char *err, size_t errlen)
{
    RenderPass rp = { .s = s, .an = an, .dry = 1 };
    int ret = pass_create(&rp, nz, 1, 0, err, errlen);

    if (ret == EXIT_OK)
        ret = pass_run(&rp, err, errlen);
    if (ret == EXIT_OK)
        ret = delivered_lufs(&rp, lufs, err, errlen);
    pass_free(&rp);
    return ret;
}

/*
 * A write pass that checks the gain: on target, the outputs are
 * finished; otherwise they start again for the next pass.
 */
static int check_delivered(RenderPass *rp, Rendered *rd, char *err,
                           size_t errlen)
{
    Session *s = rp->s;
    int ret = delivered_lufs(rp, &rd->checked_lufs, err, errlen);

    if (ret != EXIT_OK ||
        normalize_on_target(s->opt->target_lufs, rd->checked_lufs))
        return ret;
    rd->again = 1;
    return output_reopen(&s->out, err, errlen) < 0 ? EXIT_OUTPUT : EXIT_OK;
}

/* The delivered mix's loudness and peaks, for the report. */
static int measure_output(Rendered *rd, const Analysis *an,
                          const Normalization *nz, LoudnessMeter *meter,
                          int gate)
{
    int ret;

    rd->range_measured = nz->limiter_used;
    rd->loudness_range = an->loudness_range;

    if ((ret = loudness_meter_integrated(meter, LOUDNESS_GATE_PROGRAM,
                                         &rd->lufs_program)) < 0)
        return ret;
    if (gate == GATE_DIALOGUE &&
        (ret = loudness_meter_integrated(meter, LOUDNESS_GATE_DIALOGUE,
                                         &rd->lufs_dialogue)) < 0)
        return ret;
    if (rd->range_measured &&
        (ret = loudness_meter_range(meter, &rd->loudness_range)) < 0)
        return ret;
    rd->true_peak = loudness_meter_true_peak(meter);
    rd->sample_peak = loudness_meter_sample_peak(meter);
    return 0;
}

int render_write(Session *s, const Analysis *an, const Normalization *nz,
                 Rendered *rd, char *err, size_t errlen)
{
    const CliOptions *o = s->opt;
    RenderPass rp = { .s = s, .an = an };
    double t0 = clock_seconds();
    int ret;

    memset(rd, 0, sizeof(*rd));
    rd->lufs_program = rd->lufs_dialogue = NAN;
    rd->true_peak = rd->sample_peak = rd->loudness_range = NAN;
    rd->measured = o->report && s->out;
    rd->checked_lufs = NAN;
    /* the analysis decoded the whole programme: the files can size their
     * index up front */
    if (s->out)
        output_expect_samples(s->out, an->total, s->work_rate);
    if (s->music_out)
        output_expect_samples(s->music_out, an->total, s->work_rate);
    ret = pass_create(&rp, nz, rd->measured || nz->verify, rd->measured,
                      err, errlen);
    if (ret == EXIT_OK)
        ret = pass_run(&rp, err, errlen);
    if (ret == EXIT_OK && rp.lim)
        limiter_get_stats(rp.lim, &rd->limiter);
    rd->total = rp.pos;
    if (ret == EXIT_OK && nz->verify &&
        ((ret = check_delivered(&rp, rd, err, errlen)) != EXIT_OK ||
         rd->again)) {
        pass_free(&rp);
        return ret;
    }
    if (ret == EXIT_OK &&
        ((s->out && output_finish(s->out, err, errlen) < 0) ||
         (s->music_out && output_finish(s->music_out, err, errlen) < 0)))
        ret = EXIT_OUTPUT;
    if (ret == EXIT_OK && rd->measured &&
        (ret = measure_output(rd, an, nz, rp.meter, o->gate)) < 0)
        ret = internal_error(err, errlen, "loudness measurement", ret);
    pass_free(&rp);
    rd->seconds = clock_seconds() - t0;
    return ret;
}
