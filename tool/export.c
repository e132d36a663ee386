/*
 * Stage 5, export: keyframes and plot.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "keyframes_io.h"
#include "plot_svg.h"

static int write_keyframes(const Pipeline *p, char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    const Analysis *an = &p->analysis;
    KfDoc doc = {
        .sample_rate = p->session.work_rate,
        .duration = pipeline_samples(p),
        .params = o->params,
        .kf = an->kf,
        .nb_kf = an->nb_kf,
        .regions = an->regions,
        .nb_regions = an->nb_regions,
        .music_path = NULL,
        .music_channels = p->session.out_layout.nb_channels,
    };

    for (int i = 0; i < o->nb_stems; i++)
        if (o->stems[i].role == STEM_MUSIC) {
            doc.music_path = o->stems[i].path;
            break;
        }
    /* the format was checked before any work (main.c) */
    if (kf_write(o->keyframes, kf_format_from_name(o->keyframes,
                                                   o->keyframes_format),
                 &doc, err, errlen) < 0)
        return EXIT_OUTPUT;
    return EXIT_OK;
}

/* The short-term history as delivered: shifted by the gain. */
static float *shifted(const float *h, size_t n, double gain_db)
{
    float *copy = h && n ? malloc(n * sizeof(*copy)) : NULL;
    for (size_t i = 0; copy && i < n; i++)
        copy[i] = (float)(h[i] + gain_db);
    return copy;
}

static int write_plot(const Pipeline *p, char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    const Analysis *an = &p->analysis;
    float *before = shifted(an->st_unducked, an->nb_st, p->norm.gain_db);
    float *after = shifted(an->st_ducked, an->nb_st, p->norm.gain_db);
    PlotData d = {
        .sample_rate = p->session.work_rate,
        .duration = pipeline_samples(p),
        .act_edges = an->act_edges,
        .nb_act_edges = an->nb_act_edges,
        .nb_activity = an->nb_activity,
        .kf = an->kf,
        .nb_kf = an->nb_kf,
        .st_before = before,
        .st_after = after,
        .nb_st = before && after ? an->nb_st : 0,
        .st_interval = LOUDNESS_HISTORY_INTERVAL,
        .target_lufs = o->target_lufs,
        .title = o->output ? o->output : o->stems[0].arg,
    };
    int ret = plot_svg_write(o->plot, &d, err, errlen);

    free(before);
    free(after);
    return ret < 0 ? EXIT_OUTPUT : EXIT_OK;
}

int export_write(const Pipeline *p, char *err, size_t errlen)
{
    int ret = EXIT_OK;

    if (p->opt->keyframes)
        ret = write_keyframes(p, err, errlen);
    if (ret == EXIT_OK && p->opt->plot)
        ret = write_plot(p, err, errlen);
    return ret;
}
