/*
 * The gain envelope between keyframes, as the engine's renderer draws it
 * (core/dialogueduck_render.c): linear in dB from one keyframe to the
 * next, held before the first and after the last. Exporters that must
 * approximate it (asendcmd steps) and the plot evaluate it here; the unit
 * test checks it against dd_renderer_gain_db() so the two cannot drift.
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
