/*
 * The dialogue and effects queued while the renderer holds their music
 * back (see mixwait.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <string.h>

#include "mixwait.h"

int mixwait_open(MixWait *w, DDRenderer **r, const Session *s)
{
    const DDParams *p = &s->opt->params;
    int oc = s->out_layout.nb_channels, ret;

    ret = p->spectral == DD_SPECTRAL_ADAPTIVE ?
          dd_renderer_create_adaptive(r, p, s->work_rate, oc,
                                      s->dlg_layout.nb_channels, s->center,
                                      NULL) :
          dd_renderer_create_params(r, p, s->work_rate, oc, NULL);
    if (ret < 0)
        return ret;
    return mixwait_alloc(w, oc, dd_renderer_latency(*r));
}

int mixwait_render(DDRenderer *r, Session *s, int m)
{
    return dd_renderer_process_dialogue(r, (const float *const *)s->music.data,
                                        (const float *const *)s->dlg.data,
                                        s->tmp.data, m);
}

int mixwait_alloc(MixWait *w, int channels, int latency)
{
    int ret;

    memset(w, 0, sizeof(*w));
    w->latency = latency;
    if (latency <= 0)
        return 0;
    if ((ret = audiobuf_alloc(&w->dlg, channels,
                              latency + PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&w->fx, channels,
                              latency + PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&w->tail, channels, latency)) < 0)
        return ret;
    return 0;
}

void mixwait_free(MixWait *w)
{
    audiobuf_free(&w->dlg);
    audiobuf_free(&w->fx);
    audiobuf_free(&w->tail);
}

/* Samples [at, at + n) of every plane of src to dst from offset to. */
static void move_planes(float **dst, int to, float *const *src, int at,
                        int channels, int n)
{
    for (int c = 0; c < channels; c++)
        memmove(dst[c] + to, src[c] + at, n * sizeof(float));
}

void mixwait_push(MixWait *w, Session *s, int n)
{
    int oc = s->out_layout.nb_channels;

    if (w->latency <= 0)
        return;
    move_planes(w->dlg.data, w->waiting, s->dout.data, 0, oc, n);
    move_planes(w->fx.data, w->waiting, s->fx.data, 0, oc, n);
    w->waiting += n;
}

void mixwait_pop(MixWait *w, Session *s, int m)
{
    int oc = s->out_layout.nb_channels;

    if (w->latency <= 0)
        return;
    move_planes(s->dout.data, 0, w->dlg.data, 0, oc, m);
    move_planes(s->fx.data, 0, w->fx.data, 0, oc, m);
    w->waiting -= m;
    move_planes(w->dlg.data, 0, w->dlg.data, m, oc, w->waiting);
    move_planes(w->fx.data, 0, w->fx.data, m, oc, w->waiting);
}

int mixwait_flush(MixWait *w, DDRenderer *r)
{
    if (w->latency <= 0)
        return 0;
    return dd_renderer_flush(r, w->tail.data);
}

int mixwait_tail(MixWait *w, int k, int t, float **music)
{
    for (int c = 0; c < w->tail.channels; c++)
        music[c] = w->tail.data[c] + k;
    return t - k < PIPELINE_BLOCK ? t - k : PIPELINE_BLOCK;
}
