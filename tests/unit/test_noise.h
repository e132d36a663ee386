/*
 * The unit tests' noise: one fixed linear congruential generator, uniform
 * in [-1, 1), the same sequence on every machine. A test defines
 * NOISE_SEED (its first state) before including this; it may set
 * rng_state again to start a sequence of its own.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_TEST_NOISE_H
#define DD_TEST_NOISE_H

#ifndef NOISE_SEED
#error "define NOISE_SEED before including test_noise.h"
#endif

static unsigned rng_state = NOISE_SEED;

static double noise(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (double)(rng_state >> 8) / (1 << 24) * 2.0 - 1.0;
}

#endif /* DD_TEST_NOISE_H */
