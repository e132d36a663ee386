/*
 * Seeded random block lengths for the reader (see block_cut.h). The
 * generator is xorshift64*, small and the same on every platform.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdint.h>
#include <stdlib.h>

#include "block_cut.h"

static uint64_t state;
static int mode = -1;           /* -1 not read yet, 0 off, 1 on */

static void block_cut_init(void)
{
    const char *seed = getenv("DIALOGUEDUCK_TEST_BLOCKS");
    char *end;
    unsigned long long v;

    mode = 0;
    if (!seed || !*seed)
        return;
    v = strtoull(seed, &end, 10);
    if (*end)
        return;
    state = v * 0x9e3779b97f4a7c15ull + 1;
    mode = 1;
}

int block_cut_next(int max)
{
    uint64_t x;
    int n;

    if (mode < 0)
        block_cut_init();
    if (!mode || max <= 1)
        return max;
    x = state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    state = x;
    x *= 0x2545f4914f6cdd1dull;
    /* half the blocks short (1..64: every boundary case of small loops),
     * half anywhere up to max */
    if (x & 1)
        n = 1 + (int)((x >> 8) % (max < 64 ? max : 64));
    else
        n = 1 + (int)((x >> 8) % (uint64_t)max);
    return n;
}
