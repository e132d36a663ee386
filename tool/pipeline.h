/*
 * The program's two passes over the stems.
 *
 * Analysis: decode dialogue and music, run the analyzer, collect the
 * keyframes and regions, render the ducked music behind the analyzer's
 * committed point and measure the loudness of the ducked mix.
 * Render: decode again, render with the full keyframe list, mix, apply
 * the normalization gain and (only where needed) the true-peak limiter,
 * encode and mux. Memory is bounded by the block size and the lookahead,
 * never the programme's length (the keyframes, regions and 1 byte per
 * 10 ms of activity are the only things that grow).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_PIPELINE_H
#define DD_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "dialogueduck.h"
#include "input.h"
#include "limiter.h"
#include "loudness.h"
#include "mix.h"
#include "output.h"
#include "progress.h"

/** Samples per block processed at once. */
#define PIPELINE_BLOCK 4096

typedef struct Pipeline {
    const CliOptions *opt;

    InputStem stems[CLI_MAX_STEMS];
    int nb_stems;
    int work_rate;
    AVChannelLayout out_layout;    /**< the mix: the widest stem's layout */
    AVChannelLayout dlg_layout;    /**< dialogue as the analyzer sees it */
    int center;                    /**< dialogue channel detected from, -1 mean */
    MixMatrix to_bus[CLI_MAX_STEMS]; /**< stem -> its role's sum */
    MixMatrix dlg_to_out;
    int has_effects;
    int source_stem;               /**< stem whose codec the output keeps */

    AudioBuf in, dlg, dout, music, fx, mix, tmp;

    /* Analysis results. */
    int64_t total;                 /**< samples of the mix */
    DDKeyframe *kf;
    size_t nb_kf, kf_cap;
    DDRegion *regions;
    size_t nb_regions, regions_cap;
    uint8_t *activity;             /**< 1 byte per hop */
    size_t nb_activity, activity_cap;
    int hop;                       /**< samples per hop */
    int applied_keyframes;         /**< 1: kf came from --apply-keyframes */

    int measure;                   /**< 1: loudness is measured */
    double lufs_program, lufs_dialogue;  /**< ducked mix, before gain */
    double lufs_unducked;          /**< NAN unless measured (--plot) */
    double sample_peak, true_peak; /**< ducked mix, linear */
    double measured_lufs;          /**< by the chosen gate */
    double gain_db;
    int limiter_used;
    int loudness_corrections;  /* gain raised after dry passes */
    float *st_before, *st_after;   /**< short-term history (--plot) */
    size_t nb_st;

    /* Render results. */
    LimiterStats limiter;
    double out_lufs_program, out_lufs_dialogue, out_true_peak, out_sample_peak;
    int out_measured;
    char codec_name[64], format_name[64];
    char music_codec_name[64];

    double t_open, t_analysis, t_render;  /**< s, wall clock */

    OutputFile *out, *music_out;
    Progress progress;
} Pipeline;

/**
 * Each returns an exit code (EXIT_OK or a category from cli.h) with the
 * one-line message in err on failure.
 */
int pipeline_open(Pipeline *p, const CliOptions *opt, char *err, size_t errlen);
int pipeline_analyze(Pipeline *p, char *err, size_t errlen);
int pipeline_render(Pipeline *p, char *err, size_t errlen);
/** Keyframe export and plot, after the analysis. */
int pipeline_write_extras(Pipeline *p, char *err, size_t errlen);
void pipeline_free(Pipeline *p);

#endif /* DD_PIPELINE_H */
