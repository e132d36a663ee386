/*
 * dialogueduck engine: its 16-bit sample loops, replaceable by SIMD
 *
 * This file is part of dialogueduck.
 *
 * dialogueduck is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * dialogueduck is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with dialogueduck; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
 */

#ifndef DIALOGUEDUCK_DSP_H
#define DIALOGUEDUCK_DSP_H

#include <stddef.h>
#include <stdint.h>

#include "dialogueduck.h"

/*
 * The loops over most of a 16-bit stem's samples: the render's steady
 * runs, the music at one gain with or without the dialogue added, and the
 * detection signal of a stereo dialogue. The engine fills the table with
 * C; a host that has faster code for its CPU (FFmpeg's filter: x86
 * assembly) puts it in after the engine is created. A replacement must
 * give the C routine's samples to the bit: the filter and the program are
 * compared bit for bit.
 *
 * len counts samples (interleaved channels alike; frames for mono_s16x2),
 * a multiple of DD_DSP_BLOCK; the engine does the rest of a run in C. dst
 * may be src. s16(v) is v rounded to nearest (even on a tie, as lrintf()
 * in the default rounding mode) and clipped to [-32768, 32767], as
 * libswresample converts float to s16.
 */
#define DD_DSP_BLOCK 16

typedef struct DDDSP {
    /* dst[i] = s16(src[i] * g), the product in float */
    void (*scale_s16)(int16_t *dst, const int16_t *src, float g,
                      ptrdiff_t len);
    /* dst[i] = s16(src[i] * g + add[i]), in float, in that order */
    void (*scale_add_s16)(int16_t *dst, const int16_t *src,
                          const int16_t *add, float g, ptrdiff_t len);
    /* dst[i] = (src[2 * i] + src[2 * i + 1]) * scale: the integers'
     * sum (exact), then one float product */
    void (*mono_s16x2)(float *dst, const int16_t *src, float scale,
                       ptrdiff_t len);
} DDDSP;

/* The C routines. */
void dd_dsp_init(DDDSP *dsp);

/* The table an engine works with (the render's entries in a 16-bit
 * engine from dd_engine_create_pcm16(), the detection signal's with 16-bit
 * dialogue), for its host to put its own routines in before the first
 * sample. */
DDDSP *dd_engine_dsp(DDEngine *e);

#endif /* DIALOGUEDUCK_DSP_H */
