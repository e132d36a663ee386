/*
 * Copyright (c) 2026 dialogueduck developers
 *
 * This file is part of FFmpeg.
 *
 * FFmpeg is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * FFmpeg is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with FFmpeg; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
 */

#include <stdint.h>
#include <string.h>

#include "checkasm.h"
#include "libavfilter/af_dialogueduckdsp.h"
#include "libavutil/macros.h"
#include "libavutil/mem_internal.h"

#define LEN 1024 /* samples, a multiple of DD_DSP_BLOCK */

/* Gains that duck (-15 dB), fall on ties (0.5 makes x.5 of every odd
 * sample: rounded to even), leave a sample as it is and boost past full
 * scale (clipped); a random one is added per run. */
static const float gains[] = { 0.177827941f, 0.5f, 1.0f, 3.0f };
#define NB_GAINS ((int)FF_ARRAY_ELEMS(gains))

static void randomize_s16(int16_t *buf, int n)
{
    for (int i = 0; i < n; i++)
        buf[i] = (int16_t)rnd();
}

static float random_gain(void)
{
    return (rnd() & 0xFFFFFF) / (float)(1 << 23); /* [0, 2) */
}

static void check_scale_s16(const DDDSP *dsp)
{
    LOCAL_ALIGNED_16(int16_t, src, [LEN + 8]);
    LOCAL_ALIGNED_16(int16_t, dst_ref, [LEN + 8]);
    LOCAL_ALIGNED_16(int16_t, dst_new, [LEN + 8]);
    declare_func(void, int16_t *dst, const int16_t *src, float g,
                 ptrdiff_t len);

    if (check_func(dsp->scale_s16, "scale_s16")) {
        for (int k = 0; k <= NB_GAINS; k++) {
            float g = k < NB_GAINS ? gains[k] : random_gain();
            /* odd offsets: the engine's runs start anywhere */
            int off = k & 1 ? 3 : 0;

            randomize_s16(src, LEN + 8);
            memset(dst_ref, 0, sizeof(*dst_ref) * (LEN + 8));
            memset(dst_new, 0, sizeof(*dst_new) * (LEN + 8));
            call_ref(dst_ref + off, src + off, g, LEN);
            call_new(dst_new + off, src + off, g, LEN);
            if (memcmp(dst_ref, dst_new, sizeof(*dst_ref) * (LEN + 8)))
                fail();
            /* in place, as the engine calls it on its frame */
            memcpy(dst_ref, src, sizeof(*src) * LEN);
            memcpy(dst_new, src, sizeof(*src) * LEN);
            call_ref(dst_ref, dst_ref, g, LEN);
            call_new(dst_new, dst_new, g, LEN);
            if (memcmp(dst_ref, dst_new, sizeof(*dst_ref) * LEN))
                fail();
        }
        bench_new(dst_new, src, gains[0], LEN);
    }
    report("scale_s16");
}

static void check_scale_add_s16(const DDDSP *dsp)
{
    LOCAL_ALIGNED_16(int16_t, src, [LEN + 8]);
    LOCAL_ALIGNED_16(int16_t, add, [LEN + 8]);
    LOCAL_ALIGNED_16(int16_t, dst_ref, [LEN + 8]);
    LOCAL_ALIGNED_16(int16_t, dst_new, [LEN + 8]);
    declare_func(void, int16_t *dst, const int16_t *src, const int16_t *add,
                 float g, ptrdiff_t len);

    if (check_func(dsp->scale_add_s16, "scale_add_s16")) {
        for (int k = 0; k <= NB_GAINS; k++) {
            float g = k < NB_GAINS ? gains[k] : random_gain();
            int off = k & 1 ? 5 : 0;

            randomize_s16(src, LEN + 8);
            randomize_s16(add, LEN + 8);
            memset(dst_ref, 0, sizeof(*dst_ref) * (LEN + 8));
            memset(dst_new, 0, sizeof(*dst_new) * (LEN + 8));
            call_ref(dst_ref + off, src + off, add + off, g, LEN);
            call_new(dst_new + off, src + off, add + off, g, LEN);
            if (memcmp(dst_ref, dst_new, sizeof(*dst_ref) * (LEN + 8)))
                fail();
            memcpy(dst_ref, src, sizeof(*src) * LEN);
            memcpy(dst_new, src, sizeof(*src) * LEN);
            call_ref(dst_ref, dst_ref, add, g, LEN);
            call_new(dst_new, dst_new, add, g, LEN);
            if (memcmp(dst_ref, dst_new, sizeof(*dst_ref) * LEN))
                fail();
        }
        bench_new(dst_new, src, add, gains[0], LEN);
    }
    report("scale_add_s16");
}

static void check_mono_s16x2(const DDDSP *dsp)
{
    LOCAL_ALIGNED_16(int16_t, src, [2 * LEN + 8]);
    LOCAL_ALIGNED_16(float, dst_ref, [LEN + 8]);
    LOCAL_ALIGNED_16(float, dst_new, [LEN + 8]);
    /* the engine's scale (1/32768 halved), and a random one */
    const float scales[] = { 1.0f / (1 << 16), random_gain() / (1 << 15) };
    declare_func(void, float *dst, const int16_t *src, float scale,
                 ptrdiff_t len);

    if (check_func(dsp->mono_s16x2, "mono_s16x2")) {
        for (int k = 0; k < 2 * (int)FF_ARRAY_ELEMS(scales); k++) {
            float sc = scales[k >> 1];
            int off = k & 1 ? 3 : 0;

            randomize_s16(src, 2 * LEN + 8);
            /* the extremes: -32768 twice, 32767 twice */
            src[2 * off] = src[2 * off + 1] = INT16_MIN;
            src[2 * off + 2] = src[2 * off + 3] = INT16_MAX;
            memset(dst_ref, 0, sizeof(*dst_ref) * (LEN + 8));
            memset(dst_new, 0, sizeof(*dst_new) * (LEN + 8));
            call_ref(dst_ref + off, src + 2 * off, sc, LEN);
            call_new(dst_new + off, src + 2 * off, sc, LEN);
            if (memcmp(dst_ref, dst_new, sizeof(*dst_ref) * (LEN + 8)))
                fail();
        }
        bench_new(dst_new, src, scales[0], LEN);
    }
    report("mono_s16x2");
}

void checkasm_check_af_dialogueduck(void)
{
    DDDSP dsp;

    ff_dialogueduck_dsp_init(&dsp);
    check_scale_s16(&dsp);
    check_scale_add_s16(&dsp);
    check_mono_s16x2(&dsp);
}
