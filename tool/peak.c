/*
 * The largest |sample| of a block (peak.h).
 *
 * For floats that are not NaN, |x| orders like its bit pattern with the
 * sign cleared, so the maximum is taken on integers, four lanes at a
 * time in two accumulators that stay in registers (a float maximum in a
 * loop is one chain of dependent instructions, a sample each few cycles,
 * and the compiler does not vectorize it without -ffast-math).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdint.h>

#include "peak.h"

/* Four lanes of |x| bits; signed compares are right on them (bit 31 is
 * clear), and SSE2 has those. */
typedef int32_t Lanes __attribute__((vector_size(4 * sizeof(int32_t))));

static Lanes lanes_max(Lanes a, Lanes b)
{
    Lanes gt = a > b;

    return (a & gt) | (b & ~gt);
}

uint32_t peak_bits(const float *const *planes, int offset, int nb,
                   int channels)
{
    Lanes m0 = { 0 }, m1 = { 0 };
    uint32_t peak = 0;

    for (int c = 0; c < channels; c++) {
        const float *s = planes[c] + offset;
        int i = 0;

        /* two accumulators, two chains of compares side by side */
        for (; i + 8 <= nb; i += 8) {
            Lanes a, b;
            memcpy(&a, s + i, sizeof(a));
            memcpy(&b, s + i + 4, sizeof(b));
            m0 = lanes_max(a & 0x7fffffff, m0);
            m1 = lanes_max(b & 0x7fffffff, m1);
        }
        for (; i < nb; i++) {
            uint32_t u;
            memcpy(&u, s + i, sizeof(u));
            u &= 0x7fffffff;
            peak = u > peak ? u : peak;
        }
    }
    m0 = lanes_max(m0, m1);
    for (int j = 0; j < 4; j++)
        peak = (uint32_t)m0[j] > peak ? (uint32_t)m0[j] : peak;
    return peak;
}
