/*
 * One audio stem: a stream of a container, decoded and resampled to the
 * working rate as planar float in the stream's own channel layout.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_INPUT_H
#define DD_INPUT_H

/* Stems above this rate are refused; the working rate is capped at
 * INPUT_MAX_WORK_RATE (higher stems are resampled down to it). */
#define INPUT_MAX_RATE      768000
#define INPUT_MAX_WORK_RATE 192000

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

typedef struct InputStem {
    char *path;               /**< as named, for messages */
    char *file;               /**< what is opened: path, or a pipe's copy */
    char *spec;               /**< stream specifier or NULL (first audio) */
    char *label;              /**< how the user named the stem, for messages */
    int threads;

    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    int frame_pending;        /**< frame holds a decoded, unconverted frame */
    int demux_eof, dec_eof, done;
    int64_t bad_packets;      /**< packets the decoder rejected or concealed */
    int64_t damage_seen;      /**< the most bad_packets of an earlier pass */
    double first_damage;      /**< s into the stream, NAN: none yet */
    int damage_warned;
    int64_t first_ts;         /**< of the first frame, time_base */
    int64_t decoded;          /**< source samples decoded, gaps included */

    /* What the stream is, known after input_open(). */
    int stream_index;
    int sample_rate;          /**< source rate */
    AVChannelLayout layout;   /**< source layout, unspecified orders made native */
    enum AVCodecID codec_id;
    int bits_per_sample;      /**< PCM, FLAC, ...: bits per sample, 0: unknown */
    AVRational time_base;
    int64_t start_time;       /**< in time_base, AV_NOPTS_VALUE if unknown */
    double duration;          /**< s, container estimate, 0 if unknown */

    /* Conversion to the working format. */
    int work_rate;
    SwrContext *swr;
    int swr_rate, swr_format;
    AVChannelLayout swr_layout;
    AVAudioFifo *fifo;
    float **tmp;              /**< conversion scratch, one plane per channel */
    int tmp_size;
    int64_t samples_read;     /**< at the working rate, returned so far */
    int64_t lead;             /**< silence put before the stream (samples) */

    /* Read-ahead thread (input_set_async). */
    int async, worker_running, quit, worker_err;
    int worker_waiting, reader_waiting; /* wake a side only when it waits */
    pthread_t thread;
    pthread_mutex_t lock;     /**< guards fifo, done, quit, worker_err */
    pthread_cond_t cond;
    char worker_msg[512];
} InputStem;

/**
 * Open path (or file, a copy of the pipe path names; NULL: path) and
 * pick the stream spec (an FFmpeg stream specifier, NULL for
 * the first audio stream; label names it in messages), open its decoder and decode the first frame
 * so that missing, corrupt, non-audio and zero-length inputs fail here.
 * On error returns a negative AVERROR and writes "path: problem" to err.
 */
int input_open(InputStem *s, const char *path, const char *file,
               const char *spec,
               const char *label, int threads, char *err, size_t errlen);

/** Convert to planar float at work_rate from now on. */
int input_start(InputStem *s, int work_rate, char *err, size_t errlen);

/**
 * Read up to nb samples per channel (at the working rate) into dst
 * (layout.nb_channels planes). Returns the count, less than nb only at the
 * end of the stream, or a negative AVERROR with err set.
 */
int input_read(InputStem *s, float **dst, int nb, char *err, size_t errlen);

/**
 * Decode ahead on a thread of its own (after input_start()), so decoding
 * runs beside the caller's processing; the samples are the same. Kept
 * across input_rewind().
 */
int input_set_async(InputStem *s, int async);

/** The stream's start time in seconds (0 if unknown). */
double input_start_seconds(const InputStem *s);

/**
 * Put n samples of silence (at the working rate) before the stream, after
 * input_start() and before input_set_async(): a stem that starts later
 * than its companions in the same file keeps its offset. Kept across
 * input_rewind().
 */
int input_pad_start(InputStem *s, int64_t n);

/** Reopen from the start, for the second pass (same decoded samples). */
int input_rewind(InputStem *s, char *err, size_t errlen);

/**
 * The exit code for a failed input_*() call: EXIT_INTERNAL (4) when
 * memory ran out, as for every allocation failure; EXIT_INPUT (2) else.
 */
int input_exit_code(int averror);

/** Damaged packets in the stem (the most any pass met). */
int64_t input_damage(const InputStem *s);

void input_close(InputStem *s);

/** Copy src with an unspecified channel order replaced by the native one. */
void input_native_layout(AVChannelLayout *dst, const AVChannelLayout *src);

#endif /* DD_INPUT_H */
