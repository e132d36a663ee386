/*
 * Encoding and muxing the new audio, remuxing everything else of the
 * source container (video, subtitles, data, attachments, chapters,
 * metadata) bit for bit. Written under a temporary name, renamed at the
 * end; bitexact muxer and encoders so the same input gives the same bytes.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_OUTPUT_H
#define DD_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>

#define OUTPUT_MAX_TRACKS 4

typedef struct OutputConfig {
    const char *path;             /**< final name, or a pipe ("-", "pipe:N") */
    const char *format;           /**< muxer name (-f), NULL: from path's
                                       extension */
    /**
     * Container whose non-audio streams, chapters and metadata are copied
     * (the first -i input), or NULL for an audio-only file.
     */
    const char *remux_path;
    /** Streams of remux_path replaced by the mix (the audio stems taken
     *  from it); other audio streams are copied. */
    const int *replaced;
    int nb_replaced;

    int nb_tracks;                /**< audio tracks: 0 is the mix */
    const char *titles[OUTPUT_MAX_TRACKS]; /**< titles of tracks 1.. */

    int sample_rate;              /**< of the planar float fed in */
    const AVChannelLayout *layout;
    const char *codec;            /**< forced encoder name or NULL */
    enum AVCodecID source_codec;  /**< default: this codec where possible */
    int source_bits;              /**< the source's bits per sample, 0: unknown */
    int float_pcm;                /**< WAV gets 32-bit float (--music-out) */
    int64_t bitrate;              /**< 0: a default for the codec */
    int out_rate;                 /**< asked for (-ar), 0: from sample_rate */
    int sample_fmt;               /**< asked for (AVSampleFormat), -1: chosen */
    const char *const *codec_opts; /**< KEY=VALUE for the encoder */
    int nb_codec_opts;
    int threads;
    double start_time;            /**< s: timestamp of the first sample */
    /** A WAV output takes the Broadcast WAV bext of this source's
     *  metadata (bext.h), if it has one; NULL: none. */
    const AVDictionary *bext_source;
    int bext_rate;                /**< the source's sample rate */
    const char *bext_what;        /**< "mix", "ducked music" */
    /** A WAV file output (not a pipe) takes the iXML chunk of this WAV
     *  file (riff.h), if it has one; NULL: none. */
    const char *ixml_file;
    const char *ixml_name;        /**< ixml_file as named, for messages */
    int verbosity;                /**< VERB_* (cli.h), for warnings */
} OutputConfig;

typedef struct OutputFile OutputFile;

/**
 * Create the temporary file, the streams and write the header. On error
 * returns a negative AVERROR with "path: problem" in err and nothing left
 * on disk.
 */
int output_open(OutputFile **o, const OutputConfig *cfg, char *err,
                size_t errlen);

/** Encode n samples of planar float audio for a track. */
/**
 * The number of samples (at the sample rate fed in) each track will get,
 * when known before the first output_write(): an MP4/MOV file then keeps
 * room for its index after the header instead of moving the media data
 * behind the index at the end (+faststart), which holds a second copy of
 * the index in memory. Without it such a file ends with its index. A
 * no-op for other formats. Returns 0.
 */
int output_expect_samples(OutputFile *o, int64_t n, int rate);

int output_write(OutputFile *o, int track, const float *const *planar, int n,
                 char *err, size_t errlen);

/** Flush encoders, copy the rest, write the trailer, rename into place. */
int output_finish(OutputFile *o, char *err, size_t errlen);

/** Free; removes the temporary file if output_finish() did not succeed. */
void output_free(OutputFile **o);

/**
 * Whether path (a file, or a pipe: "-", "pipe:", "pipe:N") can be written
 * in format (-f, or NULL): a pipe needs a format that streams (WAV of an
 * unknown size, FLAC, Matroska, NUT, MPEG-TS, ADTS); a format named must
 * be a muxer's. 0, or -1 with "path: problem" in err.
 */
/**
 * 1 when output_reopen() can start the file again: a file (not a pipe)
 * holding only the tracks written through output_write().
 */
int output_can_reopen(const OutputFile *o);

/**
 * Drop what was written (the file was not finished: nothing is in place)
 * and open the output again with the same configuration. 0, or a
 * negative AVERROR with err set (*o is then NULL or half open: free it).
 */
int output_reopen(OutputFile **o, char *err, size_t errlen);

int output_check_destination(const char *path, const char *format,
                             char *err, size_t errlen);

/**
 * Whether -c:a codec (NULL: none asked) names an audio encoder whose
 * audio the container of path (format: -f, or NULL) can hold (probed at
 * 48 kHz stereo). 0, or -1 with "path: -c:a codec: problem" in err.
 */
int output_check_codec(const char *path, const char *format,
                       const char *codec, char *err, size_t errlen);

/** Name of the audio encoder used. */
const char *output_codec_name(const OutputFile *o);

/** 1 for the PCM codecs (pcm_*: samples as they are, not compressed). */
int output_codec_is_pcm(enum AVCodecID id);

/** Name of the muxer used. */
const char *output_format_name(const OutputFile *o);

#endif /* DD_OUTPUT_H */
