/*
 * The largest |sample| of a block (peak.h).
 *
 * For floats that are not NaN, |x| orders like its bit pattern with the
 * sign cleared, and an integer maximum vectorizes where a float one does
 * not without -ffast-math (a float maximum in a loop is one chain of
 * dependent instructions, a sample each few cycles).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include "peak.h"

uint32_t peak_bits(const float *const *planes, int offset, int nb,
                   int channels)
{
    uint32_t peak = 0;

    for (int c = 0; c < channels; c++) {
        const float *s = planes[c] + offset;
        uint32_t pk[8] = { 0 };
        int i = 0;

        for (; i + 8 <= nb; i += 8) {
            uint32_t u[8];
            memcpy(u, s + i, sizeof(u));
            for (int j = 0; j < 8; j++) {
                u[j] &= 0x7fffffff;
                pk[j] = u[j] > pk[j] ? u[j] : pk[j];
            }
        }
        for (; i < nb; i++) {
            uint32_t u;
            memcpy(&u, s + i, sizeof(u));
            u &= 0x7fffffff;
            pk[0] = u > pk[0] ? u : pk[0];
        }
        for (int j = 0; j < 8; j++)
            peak = pk[j] > peak ? pk[j] : peak;
    }
    return peak;
}
