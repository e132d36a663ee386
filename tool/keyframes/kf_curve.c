/*
 * The gain envelope between keyframes: linear in dB, as the renderer.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>

#include "dialogueduck.h"
#include "kf_curve.h"

double kf_curve_gain_db(const DDKeyframe *kf, size_t nb, double t,
                        size_t *hint)
{
    size_t i = hint && *hint < nb ? *hint : 0;

    if (!nb || t <= kf[0].t)
        return dd_envelope_db(NULL, kf, nb ? 1 : 0, llround(t));
    if (kf[i].t > t)
        i = 0; /* t went backwards: search from the start */
    /* i: the last keyframe at or before t */
    while (i + 1 < nb && kf[i + 1].t <= t)
        i++;
    if (hint)
        *hint = i;
    /* the interpolation itself is the renderer's */
    return dd_envelope_db(&kf[i], kf + i + 1, i + 1 < nb, llround(t));
}
