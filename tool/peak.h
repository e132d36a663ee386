/*
 * The largest |sample| of a block, for the loudness meter's sample peak
 * and the limiter's and true-peak meter's checks of whether a block can
 * come near the ceiling.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DIALOGUEDUCK_PEAK_H
#define DIALOGUEDUCK_PEAK_H

#include <stdint.h>
#include <string.h>

/**
 * The largest |planes[c][offset + i]|, c < channels, i < nb, as float
 * bits (0 for none). The samples must not be NaN: the input stage
 * zeroes those.
 */
uint32_t peak_bits(const float *const *planes, int offset, int nb,
                   int channels);

/** The float whose bits peak_bits() returned. */
static inline float peak_float(uint32_t bits)
{
    float f;

    memcpy(&f, &bits, sizeof(f));
    return f;
}

#endif /* DIALOGUEDUCK_PEAK_H */
