/*
 * The gain envelope between keyframes: linear in dB, as the renderer.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include "kf_curve.h"

double kf_curve_gain_db(const DDKeyframe *kf, size_t nb, double t,
                        size_t *hint)
{
    size_t i = hint && *hint < nb ? *hint : 0;
    double x, g0, g1;

    if (!nb || t <= kf[0].t)
        return nb ? kf[0].gain_db : 0.0;
    if (kf[i].t > t)
        i = 0; /* t went backwards: search from the start */
    /* i: the last keyframe at or before t */
    while (i + 1 < nb && kf[i + 1].t <= t)
        i++;
    if (hint)
        *hint = i;
    if (i + 1 >= nb)
        return kf[nb - 1].gain_db;
    g0 = kf[i].gain_db;
    g1 = kf[i + 1].gain_db;
    x = (t - kf[i].t) / (double)(kf[i + 1].t - kf[i].t);
    return g0 + (g1 - g0) * x;
}
