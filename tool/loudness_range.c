/*
 * Loudness range (EBU Tech 3342) read as libebur128 reads it in its
 * histogram mode, the mode the program used it in: a 3 s short-term
 * block every second once 3 s have been fed, each block above -70 LUFS
 * counted in a bin of 0.1 LU, the relative gate 20 LU under the mean of
 * the counted blocks, the range between the 10th and the 95th
 * percentile of the blocks above it, each read at its bin's centre.
 *
 * libebur128 filters the programme again for it, interleaved; here a
 * block is the mean of the thirty 100 ms segment energies it spans,
 * which the meter's own K-weighting gives anyway. The sums are the same
 * up to their order, so a block can only change bins where it lies
 * within rounding of a bin's edge.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdlib.h>

#include <libavutil/error.h>

#include "loudness_range.h"

#define BINS     1000           /* 0.1 LU each, from -70 LUFS */
#define SEGMENTS 30             /* a short-term block: 3 s */
#define EVERY    10             /* a block every second */

struct LoudnessRange {
    unsigned long count[BINS];
    double centre[BINS];        /* each bin's energy */
    double edge[BINS + 1];      /* energy at each bin's lower edge */
    double seg[SEGMENTS];       /* the last segments' energies (a ring) */
    long long nb_seg;
};

/* libebur128's energy_to_loudness(), to the bit */
static double energy_to_lufs(double e)
{
    return 10 * (log(e) / log(10.0)) - 0.691;
}

int loudness_range_create(LoudnessRange **out)
{
    LoudnessRange *r = calloc(1, sizeof(*r));

    *out = NULL;
    if (!r)
        return AVERROR(ENOMEM);
    /* the tables as libebur128 computes them */
    r->edge[0] = pow(10.0, (-70.0 + 0.691) / 10.0);
    for (int i = 0; i < BINS; i++)
        r->centre[i] = pow(10.0, ((double)i / 10.0 - 69.95 + 0.691) / 10.0);
    for (int i = 1; i <= BINS; i++)
        r->edge[i] = pow(10.0, ((double)i / 10.0 - 70.0 + 0.691) / 10.0);
    *out = r;
    return 0;
}

void loudness_range_free(LoudnessRange **r)
{
    free(*r);
    *r = NULL;
}

/* The bin of an energy at or above edge[0] (the last for any louder). */
static int bin_of(const LoudnessRange *r, double e)
{
    int lo = 0, hi = BINS;

    while (hi - lo != 1) {
        int mid = (lo + hi) / 2;
        if (e >= r->edge[mid])
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void loudness_range_add(LoudnessRange *r, double energy)
{
    double sum = 0;

    r->seg[r->nb_seg++ % SEGMENTS] = energy;
    if (r->nb_seg < SEGMENTS || (r->nb_seg - SEGMENTS) % EVERY)
        return;
    /* oldest first, as the samples come */
    for (long long k = r->nb_seg - SEGMENTS; k < r->nb_seg; k++)
        sum += r->seg[k % SEGMENTS];
    sum /= SEGMENTS;
    if (sum >= r->edge[0])
        r->count[bin_of(r, sum)]++;
}

double loudness_range_read(const LoudnessRange *r)
{
    unsigned long n = 0, low, high, seen;
    double power = 0, gate;
    int first, j, low_bin;

    for (int i = 0; i < BINS; i++) {
        n += r->count[i];
        power += r->count[i] * r->centre[i];
    }
    if (!n)
        return 0.0;
    gate = pow(10.0, -20.0 / 10.0) * (power / n);
    if (gate < r->edge[0]) {
        first = 0;
    } else {
        first = bin_of(r, gate);
        if (gate > r->centre[first])
            first++;
    }
    n = 0;
    for (int i = first; i < BINS; i++)
        n += r->count[i];
    if (!n)
        return 0.0;
    low = (unsigned long)((n - 1) * 0.1 + 0.5);
    high = (unsigned long)((n - 1) * 0.95 + 0.5);
    seen = 0;
    j = first;
    while (seen <= low)
        seen += r->count[j++];
    low_bin = j - 1;
    while (seen <= high)
        seen += r->count[j++];
    return energy_to_lufs(r->centre[j - 1]) - energy_to_lufs(r->centre[low_bin]);
}
