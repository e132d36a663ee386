/*
 * Stage 4, render (pass 2): decode again, render the music with the
 * analysis's full keyframe list, mix, apply the normalization gain and
 * (only where needed) the true-peak limiter, encode and mux. A dry pass
 * runs the same chain without writing, to measure what the limiter
 * leaves of the loudness (normalize's correction loop).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_RENDER_H
#define DD_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "limiter.h"
#include "normalize.h"
#include "open.h"

typedef struct Rendered {
    int64_t total;                 /**< samples of the mix */
    LimiterStats limiter;
    int measured;                  /**< 1: the figures below are set */
    double lufs_program, lufs_dialogue;  /**< the delivered mix */
    double true_peak, sample_peak; /**< linear */
    /** LU: measured on the delivered mix where the limiter ran
     *  (range_measured), else the analysis's (a gain leaves it as it
     *  was, so the output's is the same figure, measured once). */
    double loudness_range;
    int range_measured;
    double seconds;                /**< wall clock */
    /** With Normalization.verify: the delivered loudness (by the gate),
     *  and 1 when it missed the target, so the output was started again
     *  (output_reopen()) instead of finished. */
    double checked_lufs;
    int again;
} Rendered;

/**
 * Write the outputs. With nz->verify, measure the delivered loudness
 * first, as a dry pass does, and finish the outputs only if it is on
 * target (normalize_on_target()). EXIT_OK or an exit code with err set.
 */
int render_write(Session *s, const Analysis *an, const Normalization *nz,
                 Rendered *rd, char *err, size_t errlen);

/** Measure the loudness of the mix the gain and limiter would deliver. */
int render_dry(Session *s, const Analysis *an, const Normalization *nz,
               double *lufs, char *err, size_t errlen);

#endif /* DD_RENDER_H */
