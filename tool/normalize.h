/*
 * Stage 3, normalize: from the analysis's loudness figures, the linear
 * gain that brings the ducked mix to the target and whether the
 * true-peak limiter must run; then, where the limiter will take loudness
 * away, the gain its predicted loss calls for (limitloss.h) and the
 * correction loop that measures render passes and raises the gain until
 * the delivered mix is on target. Never a dynamic
 * leveller: it would undo the duck.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_NORMALIZE_H
#define DD_NORMALIZE_H

#include <stddef.h>

#include "analysis.h"
#include "open.h"

typedef struct Normalization {
    double measured_lufs;  /**< by the chosen gate, before gain; NAN if not measured */
    double gain_db;        /**< linear gain applied to the mix */
    int limiter_used;      /**< 1: the true-peak limiter runs */
    int corrections;       /**< times the gain was raised for the
                                limiter's loss (the prediction, then
                                each check that missed) */
    int verify;            /**< the next write pass checks the loudness */
    int written;           /**< the correction loop's last check was the
                                write pass itself: the outputs are done */
} Normalization;

/** The gain and the limiter decision from the analysis alone. */
void normalize_decide(Normalization *nz, const Analysis *an,
                      const Session *s);

/**
 * Render passes correcting the gain for what the limiter takes away
 * (only with a target, a limiter and an output): the gain the analysis's
 * prediction of the loss calls for, else a dry pass at the linear gain
 * first; after a correction, where the output can be started again, the
 * write pass itself checks the loudness (nz->written then says the
 * outputs are done, rd holds its figures), else a dry pass does. A file
 * and a pipe try the same gains. EXIT_OK or an exit code with err set.
 */
struct Rendered;
int normalize_correct(Normalization *nz, Session *s, const Analysis *an,
                      struct Rendered *rd, char *err, size_t errlen);

/** 1 when lufs is within the correction loop's tolerance of the target
 *  (or not a number to correct by). */
int normalize_on_target(double target_lufs, double lufs);

#endif /* DD_NORMALIZE_H */
