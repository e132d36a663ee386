/*
 * Summing stems: planar float buffers, channel-layout mapping matrices
 * between stems, and the dialogue's placement in the mix (the engine's
 * channel policy, shared with the filter).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_MIX_H
#define DD_MIX_H

#include <libavutil/channel_layout.h>

/** Planar float audio owned by the caller. */
typedef struct AudioBuf {
    float **data;     /**< channels planes of size samples */
    int channels;
    int size;
} AudioBuf;

int audiobuf_alloc(AudioBuf *b, int channels, int size);
void audiobuf_free(AudioBuf *b);
/** Zero samples [offset, offset + n) of every plane. */
void audiobuf_zero(AudioBuf *b, int offset, int n);

/** Weights mapping one layout onto another: out[o] += m[o][i] * in[i]. */
typedef struct MixMatrix {
    int in_channels, out_channels;
    float *m;         /**< out_channels * in_channels, row per output */
    int identity;     /**< same layout: plain sums, bit exact */
} MixMatrix;

/**
 * FFmpeg's standard mapping (libswresample's default matrix, without
 * normalization): identical channels map 1:1, a missing centre goes to
 * the front pair at -3 dB, surrounds fold into the fronts at -3 dB, LFE is
 * dropped when the target has none.
 */
int mix_matrix_init(MixMatrix *mm, const AVChannelLayout *in,
                    const AVChannelLayout *out);
void mix_matrix_free(MixMatrix *mm);

/** dst[.][0..n) += mm applied to src[.][0..n). */
void mix_add(const MixMatrix *mm, float **dst, const float *const *src, int n);

/**
 * Where dialogue lands in the output layout: the engine's channel policy
 * (dd_channel_placement), the one the FFmpeg filter uses.
 */
int mix_placement_init(MixMatrix *mm, const AVChannelLayout *dialogue,
                       const AVChannelLayout *out);

/**
 * Index of the dialogue channel to detect from (dd_channel_detect: the
 * centre of layouts of three channels or more), else -1: the mean of all
 * channels.
 */
int mix_center_index(const AVChannelLayout *l);

#endif /* DD_MIX_H */
