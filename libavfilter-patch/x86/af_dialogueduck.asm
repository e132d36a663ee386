;*****************************************************************************
;* x86-optimized functions for the dialogueduck filter: its 16-bit loops
;* Copyright (c) 2026 dialogueduck developers
;*
;* This file is part of FFmpeg.
;*
;* FFmpeg is free software; you can redistribute it and/or
;* modify it under the terms of the GNU Lesser General Public
;* License as published by the Free Software Foundation; either
;* version 2.1 of the License, or (at your option) any later version.
;*
;* FFmpeg is distributed in the hope that it will be useful,
;* but WITHOUT ANY WARRANTY; without even the implied warranty of
;* MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
;* Lesser General Public License for more details.
;*
;* You should have received a copy of the GNU Lesser General Public
;* License along with FFmpeg; if not, write to the Free Software
;* Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
;******************************************************************************

%include "libavutil/x86/x86util.asm"

SECTION .text

; The C routines compute in float, round with lrintf() and clip to s16:
; cvtdq2ps, mulps and addps round as the C operations do (no fused
; multiply-add), cvtps2dq rounds to nearest even in the default MXCSR mode
; as lrintf() does, and packssdw clips as the C code does after rounding.

; m%1 = the low 4 s16 of m%2 as floats, m%2 = the high 4 (m%2 is read)
%macro S16_TO_FLOATS 2
    punpcklwd   m%1, m%2, m%2
    punpckhwd   m%2, m%2
    psrad       m%1, 16
    psrad       m%2, 16
    cvtdq2ps    m%1, m%1
    cvtdq2ps    m%2, m%2
%endmacro

; m%1 and m%2 (4 floats each) rounded, clipped and packed to 8 s16 at
; [dstq + lenq]
%macro STORE_S16 2
    cvtps2dq    m%1, m%1
    cvtps2dq    m%2, m%2
    packssdw    m%1, m%2
    movu        [dstq + lenq], m%1
%endmacro

; the float gain, from the register or the stack its ABI passes it in, to
; every lane of m0
%macro LOAD_GAIN 1 ; the xmm register of the argument on WIN64
%if ARCH_X86_32
    movss       m0, gm
%elif WIN64
    SWAP         0, %1
%endif
    shufps      m0, m0, 0
%endmacro

INIT_XMM sse2
;------------------------------------------------------------------------------
; void ff_dd_scale_s16(int16_t *dst, const int16_t *src, float g,
;                      ptrdiff_t len)
;------------------------------------------------------------------------------
%if UNIX64
cglobal dd_scale_s16, 3, 3, 3, dst, src, len
%else
cglobal dd_scale_s16, 4, 4, 3, dst, src, g, len
%endif
    LOAD_GAIN    2
    add       lenq, lenq
    add       dstq, lenq
    add       srcq, lenq
    neg       lenq
.loop:
    movu        m2, [srcq + lenq]
    S16_TO_FLOATS 1, 2
    mulps       m1, m0
    mulps       m2, m0
    STORE_S16    1, 2
    add       lenq, mmsize
    jl .loop
    RET

;------------------------------------------------------------------------------
; void ff_dd_scale_add_s16(int16_t *dst, const int16_t *src,
;                          const int16_t *add, float g, ptrdiff_t len)
;------------------------------------------------------------------------------
%if UNIX64
cglobal dd_scale_add_s16, 4, 4, 5, dst, src, add, len
%else
cglobal dd_scale_add_s16, 5, 5, 5, dst, src, add, g, len
%endif
    LOAD_GAIN    3
    add       lenq, lenq
    add       dstq, lenq
    add       srcq, lenq
    add       addq, lenq
    neg       lenq
.loop:
    movu        m2, [srcq + lenq]
    movu        m4, [addq + lenq]
    S16_TO_FLOATS 1, 2
    S16_TO_FLOATS 3, 4
    mulps       m1, m0
    mulps       m2, m0
    addps       m1, m3
    addps       m2, m4
    STORE_S16    1, 2
    add       lenq, mmsize
    jl .loop
    RET

;------------------------------------------------------------------------------
; void ff_dd_mono_s16x2(float *dst, const int16_t *src, float g,
;                       ptrdiff_t len)
; dst[i] = (src[2 * i] + src[2 * i + 1]) * g: pmaddwd by words of 1 sums
; each pair into an exact int32, as the C code sums the integers.
;------------------------------------------------------------------------------
%if UNIX64
cglobal dd_mono_s16x2, 3, 3, 4, dst, src, len
%else
cglobal dd_mono_s16x2, 4, 4, 4, dst, src, g, len
%endif
    LOAD_GAIN    2
    pcmpeqw     m3, m3
    psrlw       m3, 15
    lea       srcq, [srcq + lenq * 4]
    lea       dstq, [dstq + lenq * 4]
    neg       lenq
.loop:
    movu        m1, [srcq + lenq * 4]
    movu        m2, [srcq + lenq * 4 + mmsize]
    pmaddwd     m1, m3
    pmaddwd     m2, m3
    cvtdq2ps    m1, m1
    cvtdq2ps    m2, m2
    mulps       m1, m0
    mulps       m2, m0
    movu        [dstq + lenq * 4], m1
    movu        [dstq + lenq * 4 + mmsize], m2
    add       lenq, 2 * mmsize / 4
    jl .loop
    RET
