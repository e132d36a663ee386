/*
 * Stage 2, analysis (pass 1): decode dialogue (and music when needed),
 * run the engine's analyzer, and return what it found: keyframes, duck
 * regions, per-hop speech activity, and the loudness of the ducked mix
 * (measured by rendering the delayed music behind the analyzer's
 * committed point, exactly as the render pass will). Memory grows only
 * with the number of lines (keyframes, regions, activity runs), never
 * with the duration: a day of audio costs what an hour does.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_ANALYSIS_H
#define DD_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "dialogueduck.h"
#include "limitloss.h"
#include "loudness.h"
#include "open.h"

typedef struct Analysis {
    int64_t total;                 /**< samples analysed */
    int hop;                       /**< samples per activity hop */
    DDKeyframe *kf;
    size_t nb_kf, kf_cap;
    DDRegion *regions;
    size_t nb_regions, regions_cap;
    /** Speech activity as runs: the hops where the flag changes, the
     *  first from 0 (no dialogue, at the start) to 1, and so on. */
    int64_t *act_edges;
    size_t nb_act_edges, act_edges_cap;
    int64_t nb_activity;           /**< hops whose activity is known */
    int applied_keyframes;         /**< 1: kf came from --apply-keyframes */

    int measured;                  /**< 1: the loudness figures are set */
    double lufs_program, lufs_dialogue;  /**< ducked mix, before gain */
    double lufs_unducked;          /**< NAN unless measured (--plot) */
    double sample_peak, true_peak; /**< ducked mix, linear */
    double loudness_range;         /**< ducked mix, LU; NAN unless --report */
    float *st_ducked, *st_unducked; /**< short-term history (--plot), LUFS */
    size_t nb_st;
    LoudnessLevels *levels;        /**< the ducked mix's 100 ms segments, for
                                        normalize's dry passes; or NULL */
    LimitLoss *loss;               /**< the limiter's loss of loudness,
                                        predicted (programme gate, with a
                                        target); or NULL */
    double seconds;                /**< wall clock */
} Analysis;

/** EXIT_OK or an exit code from cli.h with the message in err. */
int analysis_run(Analysis *an, Session *s, char *err, size_t errlen);
void analysis_free(Analysis *an);

/**
 * Give the renderer every keyframe before `end`, and the next one so that
 * a fade in progress at `end` is interpolated towards it.
 */
int analysis_feed_renderer(const Analysis *an, DDRenderer *r, size_t *next,
                           int64_t end);

/** 1 where hop h is dialogue, else 0 (also past the known hops). */
int analysis_activity_at(const Analysis *an, int64_t h);

/** How many of the known hops are dialogue. */
int64_t analysis_speech_hops(const Analysis *an);

/**
 * Feed n samples starting at sample `start` to a meter; with split, each
 * hop is flagged dialogue or not from the activity.
 */
int analysis_meter_add(const Analysis *an, LoudnessMeter *m, int split,
                       float *const *buf, int channels, int64_t start, int n);

#endif /* DD_ANALYSIS_H */
