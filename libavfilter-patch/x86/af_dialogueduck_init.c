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

#include "config.h"
#include "libavutil/attributes.h"
#include "libavutil/cpu.h"
#include "libavutil/x86/cpu.h"
#include "libavfilter/af_dialogueduckdsp.h"

void ff_dd_scale_s16_sse2(int16_t *dst, const int16_t *src, float g,
                          ptrdiff_t len);
void ff_dd_scale_add_s16_sse2(int16_t *dst, const int16_t *src,
                              const int16_t *add, float g, ptrdiff_t len);
void ff_dd_mono_s16x2_sse2(float *dst, const int16_t *src, float g,
                           ptrdiff_t len);

av_cold void ff_dialogueduck_dsp_init_x86(DDDSP *dsp)
{
    int cpu_flags = av_get_cpu_flags();

    if (EXTERNAL_SSE2(cpu_flags)) {
        dsp->scale_s16     = ff_dd_scale_s16_sse2;
        dsp->scale_add_s16 = ff_dd_scale_add_s16_sse2;
        dsp->mono_s16x2    = ff_dd_mono_s16x2_sse2;
    }
}
