/*
 * The gain envelope between keyframes, as the renderer draws it: a raised
 * cosine in dB from one keyframe to the next, held before the first and
 * after the last. Exporters that must approximate it (asendcmd steps) and
 * the plot evaluate it here.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_KF_CURVE_H
#define DD_KF_CURVE_H

#include <stddef.h>

#include "dialogueduck.h"

/**
 * Gain in dB at time t (in samples, fractional allowed). kf is sorted by
 * time; hint, if not NULL, is a search start carried between calls with
 * non-decreasing t (start it at 0).
 */
double kf_curve_gain_db(const DDKeyframe *kf, size_t nb, double t,
                        size_t *hint);

#endif /* DD_KF_CURVE_H */
