/*
 * The music clip on an editor's timeline (see kf_timeline.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdint.h>

#include "kf_timeline.h"
#include "xml_text.h"

void kf_clip(const KfDoc *doc, KfClip *clip)
{
    int64_t frame;

    clip->music = doc->music_path ? doc->music_path : "music.wav";
    clip->name = xml_basename(clip->music);
    clip->channels = doc->music_channels > 0 ? doc->music_channels : 2;
    if (doc->frame_rate_num > 0 && doc->frame_rate_den > 0) {
        clip->num = doc->frame_rate_num;
        clip->den = doc->frame_rate_den;
    } else {
        clip->num = 25;
        clip->den = 1;
    }
    /* The clip covers the whole programme: round its length up. */
    frame = (int64_t)doc->sample_rate * clip->den;
    clip->nb_frames = (doc->duration * clip->num + frame - 1) / frame;
}

int64_t kf_samples_to_frames(int64_t t, int sample_rate, int num, int den)
{
    int64_t d = (int64_t)sample_rate * den;
    return (t * num + d / 2) / d;
}
