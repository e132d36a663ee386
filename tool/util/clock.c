/*
 * Monotonic wall clock.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <time.h>

#include "clock.h"

double clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}
