/*
 * Broadcast WAV: the bext chunk (EBU Tech 3285) of a source stem carried
 * to the WAV made from it (the dialogue's to the mix, the music's to the
 * ducked music), so that the file lands where its source did when an
 * editor conforms it: time reference (in samples at the file's rate),
 * originator, description, originator reference, origination date and
 * time, UMID, and the coding history with one line naming us appended.
 * FFmpeg's wav demuxer gives the chunk as metadata (some keys under
 * generic names) and its muxer writes it back from metadata when asked
 * with write_bext=1.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_BEXT_H
#define DD_BEXT_H

#include <libavutil/dict.h>

/** What a WAV output is made from, for its coding history line. */
typedef struct BextTarget {
    int sample_rate;       /**< of the output */
    int bits;              /**< bits per sample of the output */
    int channels;
    const char *what;      /**< "mix" or "ducked music" */
} BextTarget;

/**
 * Whether src (a demuxer's metadata) holds a bext chunk: the wav demuxer
 * always gives its time reference.
 */
int bext_present(const AVDictionary *src);

/**
 * Set in *dst the bext of src (read at src_rate) as the wav muxer takes
 * it for the output t. 0, or a negative AVERROR.
 */
int bext_carry(AVDictionary **dst, const AVDictionary *src, int src_rate,
               const BextTarget *t);

#endif /* DD_BEXT_H */
