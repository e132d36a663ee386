/*
 * Summing stems and mapping channel layouts.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <limits.h>
#include <string.h>

#include <libavutil/mem.h>
#include <libswresample/swresample.h>

#include "dialogueduck.h"
#include "mix.h"

#define MATRIX_STRIDE 64

int audiobuf_alloc(AudioBuf *b, int channels, int size)
{
    memset(b, 0, sizeof(*b));
    if (!(b->data = av_calloc(channels, sizeof(*b->data))))
        return AVERROR(ENOMEM);
    b->channels = channels;
    b->size = size;
    for (int c = 0; c < channels; c++)
        if (!(b->data[c] = av_calloc(size, sizeof(float)))) {
            audiobuf_free(b);
            return AVERROR(ENOMEM);
        }
    return 0;
}

void audiobuf_free(AudioBuf *b)
{
    if (b->data)
        for (int c = 0; c < b->channels; c++)
            av_freep(&b->data[c]);
    av_freep(&b->data);
    b->channels = b->size = 0;
}

void audiobuf_zero(AudioBuf *b, int offset, int n)
{
    if (n <= 0)
        return;
    for (int c = 0; c < b->channels; c++)
        memset(b->data[c] + offset, 0, n * sizeof(float));
}

int mix_matrix_init(MixMatrix *mm, const AVChannelLayout *in,
                    const AVChannelLayout *out)
{
    int ni = in->nb_channels, no = out->nb_channels;
    double *d;
    int ret;

    memset(mm, 0, sizeof(*mm));
    mm->in_channels = ni;
    mm->out_channels = no;
    if (!av_channel_layout_compare(in, out)) {
        mm->identity = 1;
        return 0;
    }
    mm->m = av_calloc((size_t)ni * no, sizeof(*mm->m));
    /* libswresample may touch the matrix beyond the channels in use:
     * give it the full 64 x 64 it was written for. */
    d = av_calloc(MATRIX_STRIDE * MATRIX_STRIDE, sizeof(*d));
    if (!mm->m || !d) {
        av_free(d);
        mix_matrix_free(mm);
        return AVERROR(ENOMEM);
    }
    ret = -1;
    if (ni <= MATRIX_STRIDE && no <= MATRIX_STRIDE)
        ret = swr_build_matrix2(in, out, M_SQRT1_2, M_SQRT1_2, 0.0, INT_MAX,
                                1.0, d, MATRIX_STRIDE,
                                AV_MATRIX_ENCODING_NONE, NULL);
    if (ret < 0) {
        /* Layouts libswresample cannot map (custom orders): channel i to
         * channel i, as far as both go. */
        memset(d, 0, sizeof(*d) * MATRIX_STRIDE * MATRIX_STRIDE);
        for (int c = 0; c < ni && c < no && c < MATRIX_STRIDE; c++)
            d[c + MATRIX_STRIDE * c] = 1.0;
    }
    for (int o = 0; o < no; o++)
        for (int i = 0; i < ni; i++)
            mm->m[o * ni + i] = o < MATRIX_STRIDE && i < MATRIX_STRIDE ?
                                (float)d[i + MATRIX_STRIDE * o] : 0.0f;
    av_free(d);
    return 0;
}

void mix_matrix_free(MixMatrix *mm)
{
    av_freep(&mm->m);
}

/*
 * d += w * s, eight samples at a time: the fixed inner loop is what the
 * compiler vectorizes at -O2 (restrict: the buses never overlap). w == 1
 * is exact (1 * s == s), so identity mappings share the loop.
 */
static void add_scaled(float *restrict d, const float *restrict s, float w,
                       int n)
{
    int k = 0;

    for (; k + 8 <= n; k += 8)
        for (int u = 0; u < 8; u++)
            d[k + u] += w * s[k + u];
    for (; k < n; k++)
        d[k] += w * s[k];
}

void mix_add(const MixMatrix *mm, float **dst, const float *const *src, int n)
{
    if (mm->identity) {
        for (int c = 0; c < mm->out_channels; c++)
            add_scaled(dst[c], src[c], 1.0f, n);
        return;
    }
    for (int o = 0; o < mm->out_channels; o++)
        for (int i = 0; i < mm->in_channels; i++) {
            float w = mm->m[o * mm->in_channels + i];
            if (w != 0.0f)
                add_scaled(dst[o], src[i], w, n);
        }
}

/* Speaker positions of a layout as the engine's channel policy reads
 * them (AVChannel numbers; -1 where a channel has none). */
static int *layout_positions(const AVChannelLayout *l)
{
    int *pos = av_malloc_array(l->nb_channels, sizeof(*pos));

    if (pos)
        for (int c = 0; c < l->nb_channels; c++)
            pos[c] = av_channel_layout_channel_from_index(l, c);
    return pos;
}

int mix_placement_init(MixMatrix *mm, const AVChannelLayout *dialogue,
                       const AVChannelLayout *out)
{
    const int nd = dialogue->nb_channels, no = out->nb_channels;
    int *dpos = layout_positions(dialogue), *opos = layout_positions(out);
    float *map = av_malloc_array((size_t)nd * no, sizeof(*map));
    int ret = AVERROR(ENOMEM);

    memset(mm, 0, sizeof(*mm));
    mm->in_channels = nd;
    mm->out_channels = no;
    mm->m = av_malloc_array((size_t)nd * no, sizeof(*mm->m));
    if (dpos && opos && map && mm->m) {
        dd_channel_placement(map, opos, no, dpos, nd);
        for (int o = 0; o < no; o++)
            for (int d = 0; d < nd; d++)
                mm->m[o * nd + d] = map[d * no + o];
        ret = 0;
    } else {
        mix_matrix_free(mm);
    }
    av_free(dpos);
    av_free(opos);
    av_free(map);
    return ret;
}

int mix_center_index(const AVChannelLayout *l)
{
    int *pos = layout_positions(l);
    int center = pos ? dd_channel_detect(pos, l->nb_channels) : -1;

    av_free(pos);
    return center;
}
