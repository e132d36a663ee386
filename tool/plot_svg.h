/*
 * An SVG picture of a mix: dialogue activity, the music gain envelope
 * with its keyframes, short-term loudness before and after, the target.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_PLOT_SVG_H
#define DD_PLOT_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "dialogueduck.h"

typedef struct PlotData {
    int sample_rate;
    int64_t duration;            /**< samples */
    /** Dialogue activity as runs of 10 ms hops: the hops where the flag
     *  changes, the first from none to dialogue (see Analysis). */
    const int64_t *act_edges;
    size_t nb_act_edges;
    int64_t nb_activity;         /**< hops known */
    const DDKeyframe *kf;
    size_t nb_kf;
    const float *st_before;      /**< short-term loudness (LUFS) of the */
    const float *st_after;       /**< mix before/after, one per st_interval */
    size_t nb_st;
    double st_interval;          /**< s */
    double target_lufs;          /**< NAN when loudness normalization is off */
    const char *title;
} PlotData;

/** Write the plot to path (atomically). 0, or negative with err set. */
int plot_svg_write(const char *path, const PlotData *d, char *err,
                   size_t errlen);

#endif /* DD_PLOT_SVG_H */
