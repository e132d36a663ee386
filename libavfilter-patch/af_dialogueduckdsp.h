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

#ifndef AVFILTER_DIALOGUEDUCKDSP_H
#define AVFILTER_DIALOGUEDUCKDSP_H

#include "config.h"
#include "libavutil/attributes.h"

#include "dialogueduck_dsp.h"

void ff_dialogueduck_dsp_init_x86(DDDSP *dsp);

/* The engine's C routines, then those of the CPU where it has faster ones
 * (they give the same samples to the bit). */
static av_unused void ff_dialogueduck_dsp_init(DDDSP *dsp)
{
    dd_dsp_init(dsp);
#if ARCH_X86 && HAVE_X86ASM
    ff_dialogueduck_dsp_init_x86(dsp);
#endif
}

#endif /* AVFILTER_DIALOGUEDUCKDSP_H */
