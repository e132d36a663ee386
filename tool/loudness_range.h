/*
 * Loudness range (EBU Tech 3342) from 100 ms segment energies.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_LOUDNESS_RANGE_H
#define DD_LOUDNESS_RANGE_H

typedef struct LoudnessRange LoudnessRange;

/** 0 or AVERROR(ENOMEM). */
int loudness_range_create(LoudnessRange **out);
void loudness_range_free(LoudnessRange **r);

/** The K-weighted energy of the next 100 ms segment (libebur128's 100 ms:
 *  (rate + 5) / 10 frames, channel weights applied). */
void loudness_range_add(LoudnessRange *r, double energy);

/** The loudness range in LU so far (0 before the first 3 s). */
double loudness_range_read(const LoudnessRange *r);

#endif /* DD_LOUDNESS_RANGE_H */
