/*
 * 16-bit samples as the filter's links carry them, for the tests of the
 * 16-bit engine (and the engine fuzzer): the clip, and libswresample's
 * conversion of float to s16.
 */
#ifndef DD_TEST_S16_H
#define DD_TEST_S16_H

#include <math.h>
#include <stdint.h>

static inline int16_t clip16(long v)
{
    return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}

/* libswresample's float to s16: x * 32768 rounded to nearest, clipped;
 * clamped before rounding (the same s16), so that values past long's
 * range clip too. */
static inline int16_t swr_s16(float v)
{
    v *= 32768.0f;
    v = v > -32768.0f ? v : -32768.0f;
    v = v < 32767.0f ? v : 32767.0f;
    return (int16_t)lrintf(v);
}

#endif
