/*
 * The dialogue and effects that wait for their music. In spectral mode the
 * renderer holds the music back by dd_renderer_latency() samples (the band
 * filter reads ahead); both passes that mix rendered music with the other
 * buses queue those here so that each rendered sample meets the dialogue
 * and effects of its own time.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_MIXWAIT_H
#define DD_MIXWAIT_H

#include "dialogueduck.h"
#include "open.h"

typedef struct MixWait {
    AudioBuf dlg, fx;   /**< dialogue (output layout) and effects */
    AudioBuf tail;      /**< the renderer's flushed tail */
    int latency;        /**< 0: nothing waits, push and pop do nothing */
    int waiting;        /**< samples queued */
} MixWait;

/**
 * The renderer of the session's options (adaptive mode: one that carves
 * under the session's dialogue, as it reads it, from its centre channel)
 * and its wait; 0, an AVERROR or a DD_ERROR.
 */
int mixwait_open(MixWait *w, DDRenderer **r, const Session *s);

/** Render m samples of the session's music bus (with the dialogue bus of
 *  their time) into its tmp bus; the count written or a DD_ERROR. */
int mixwait_render(DDRenderer *r, Session *s, int m);

/** Room for latency + PIPELINE_BLOCK samples; 0 or an AVERROR. */
int mixwait_alloc(MixWait *w, int channels, int latency);
void mixwait_free(MixWait *w);

/** Queue the first n samples of the session's dout and fx buses. */
void mixwait_push(MixWait *w, Session *s, int n);

/** The oldest m queued samples back into dout and fx, for m samples of
 *  music the renderer has just written. */
void mixwait_pop(MixWait *w, Session *s, int m);

/** End of the music: the renderer's tail into w->tail. Its length (0
 *  without latency) or a negative error. */
int mixwait_flush(MixWait *w, DDRenderer *r);

/** Samples [k, k + m) of the tail of length t in music, m at most
 *  PIPELINE_BLOCK; returns m. */
int mixwait_tail(MixWait *w, int k, int t, float **music);

#endif /* DD_MIXWAIT_H */
