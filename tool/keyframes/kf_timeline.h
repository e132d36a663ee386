/*
 * The music clip on an editor's timeline, as the editor formats (Final
 * Cut Pro 7 XML, FCPXML) place it: its file, name, channels, the
 * timeline's frame rate and the clip's length in whole frames. Both
 * formats describe the same clip, so both take it from here.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_KF_TIMELINE_H
#define DD_KF_TIMELINE_H

#include <stdint.h>

#include "keyframes_io.h"

typedef struct KfClip {
    const char *music;  /**< the music file; "music.wav" when unknown */
    const char *name;   /**< its last path component */
    int channels;       /**< the music's channels; 2 when unknown */
    int num, den;       /**< the timeline frame rate; 25/1 when unset */
    int64_t nb_frames;  /**< the whole programme, rounded up to a frame */
} KfClip;

/** The clip doc describes. */
void kf_clip(const KfDoc *doc, KfClip *clip);

/** Sample t as whole frames at num/den fps, rounded to nearest. */
int64_t kf_samples_to_frames(int64_t t, int sample_rate, int num, int den);

#endif /* DD_KF_TIMELINE_H */
