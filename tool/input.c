/*
 * One audio stem: demux, decode, resample to planar float.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/avstring.h>
#include <libavutil/opt.h>

#include "av_error.h"
#include "cli.h"
#include "input.h"

/* Samples the read-ahead thread keeps decoded. */
#define INPUT_AHEAD 32768

static int fail(char *err, size_t errlen, int ret, const char *path,
                const char *what)
{
    return av_error_msg(err, errlen, ret, AVERROR_INVALIDDATA, path, what);
}

int input_exit_code(int averror)
{
    return averror == AVERROR(ENOMEM) ? EXIT_INTERNAL : EXIT_INPUT;
}

void input_native_layout(AVChannelLayout *dst, const AVChannelLayout *src)
{
    /* dst may be uninitialized: av_channel_layout_copy() would free it */
    memset(dst, 0, sizeof(*dst));
    if (src->order == AV_CHANNEL_ORDER_UNSPEC || !src->nb_channels) {
        av_channel_layout_default(dst, src->nb_channels ? src->nb_channels : 1);
        return;
    }
    if (av_channel_layout_copy(dst, src) < 0)
        av_channel_layout_default(dst, src->nb_channels);
}

/* The first audio stream matching spec (all audio streams when NULL). */
static int pick_stream(InputStem *s, char *err, size_t errlen)
{
    int matched = 0;
    for (unsigned i = 0; i < s->fmt->nb_streams; i++) {
        AVStream *st = s->fmt->streams[i];
        int m = 1;
        if (s->spec) {
            m = avformat_match_stream_specifier(s->fmt, st, s->spec);
            if (m < 0) {
                snprintf(err, errlen, "%s: '%s' (%s) is not a valid stream "
                         "specifier", s->path, s->spec, s->label);
                return AVERROR(EINVAL);
            }
        }
        if (!m)
            continue;
        matched++;
        if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
            return (int)i;
    }
    if (!s->spec)
        snprintf(err, errlen, "%s: no audio stream", s->path);
    else if (matched)
        snprintf(err, errlen, "%s: stream specifier '%s' (%s) matches no "
                 "audio stream", s->path, s->spec, s->label);
    else
        snprintf(err, errlen, "%s: stream specifier '%s' (%s) matches no "
                 "stream", s->path, s->spec, s->label);
    return AVERROR_STREAM_NOT_FOUND;
}

/*
 * A packet the decoder rejected or a frame it concealed, at ts (time_base;
 * AV_NOPTS_VALUE: where decoding has got to).
 */
static void note_damage(InputStem *s, int64_t ts)
{
    double at = s->sample_rate > 0 ? (double)s->decoded / s->sample_rate : 0;
    if (ts != AV_NOPTS_VALUE) {
        if (s->start_time != AV_NOPTS_VALUE)
            ts -= s->start_time;
        at = ts * av_q2d(s->time_base);
    }
    s->bad_packets++;
    if (isnan(s->first_damage) || at < s->first_damage)
        s->first_damage = at;
}

int64_t input_damage(const InputStem *s)
{
    return FFMAX(s->bad_packets, s->damage_seen);
}

/* Next decoded frame into s->frame: 1, 0 at the end, or an error. */
static int decode_frame(InputStem *s, char *err, size_t errlen)
{
    int ret;
    for (;;) {
        if (s->dec_eof)
            return 0;
        ret = avcodec_receive_frame(s->dec, s->frame);
        if (ret >= 0) {
            if (s->frame->decode_error_flags ||
                (s->frame->flags & AV_FRAME_FLAG_CORRUPT))
                note_damage(s, s->frame->pts);
            if (s->frame->nb_samples > 0)
                return 1;
            av_frame_unref(s->frame);
            continue;
        }
        if (ret == AVERROR_EOF) {
            s->dec_eof = 1;
            return 0;
        }
        if (ret == AVERROR(ENOMEM))
            return fail(err, errlen, ret, s->path, "cannot decode audio");
        if (ret != AVERROR(EAGAIN)) {
            /* damaged data: skipped, as ffmpeg does */
            note_damage(s, AV_NOPTS_VALUE);
            continue;
        }

        if (s->demux_eof) {
            /* Draining; the decoder should not ask for more. */
            s->dec_eof = 1;
            return 0;
        }
        ret = av_read_frame(s->fmt, s->pkt);
        if (ret == AVERROR_EOF) {
            s->demux_eof = 1;
            avcodec_send_packet(s->dec, NULL);
            continue;
        }
        if (ret < 0)
            return fail(err, errlen, ret, s->path, "read error");
        if (s->pkt->stream_index == s->stream_index) {
            ret = avcodec_send_packet(s->dec, s->pkt);
            /* A damaged packet is skipped, as ffmpeg does; a file whose
             * audio cannot be decoded at all fails in input_open(). */
            if (ret == AVERROR(ENOMEM)) {
                av_packet_unref(s->pkt);
                return fail(err, errlen, ret, s->path, "cannot decode audio");
            }
            if (ret < 0 && ret != AVERROR(EAGAIN))
                note_damage(s, s->pkt->pts != AV_NOPTS_VALUE ? s->pkt->pts :
                               s->pkt->dts);
        }
        av_packet_unref(s->pkt);
    }
}

static void stop_worker(InputStem *s);

static void close_demuxer(InputStem *s)
{
    stop_worker(s);
    avcodec_free_context(&s->dec);
    avformat_close_input(&s->fmt);
    av_packet_free(&s->pkt);
    av_frame_free(&s->frame);
    swr_free(&s->swr);
    av_channel_layout_uninit(&s->swr_layout);
    if (s->fifo)
        av_audio_fifo_free(s->fifo);
    s->fifo = NULL;
    s->frame_pending = s->demux_eof = s->dec_eof = s->done = 0;
    s->first_ts = AV_NOPTS_VALUE;
    s->decoded = 0;
}

/* The decoder of stream st. */
static int open_decoder(InputStem *s, const AVStream *st, char *err,
                        size_t errlen)
{
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    int ret;

    if (!codec) {
        snprintf(err, errlen, "%s: no decoder for the audio codec '%s'",
                 s->path, avcodec_get_name(st->codecpar->codec_id));
        return AVERROR_DECODER_NOT_FOUND;
    }
    s->dec = avcodec_alloc_context3(codec);
    s->pkt = av_packet_alloc();
    s->frame = av_frame_alloc();
    if (!s->dec || !s->pkt || !s->frame)
        return fail(err, errlen, AVERROR(ENOMEM), s->path, "open");
    if ((ret = avcodec_parameters_to_context(s->dec, st->codecpar)) < 0)
        return fail(err, errlen, ret, s->path, "decoder parameters");
    s->dec->pkt_timebase = st->time_base;
    /* Automatic means one thread per decoder: each input already decodes
     * on its own read-ahead thread, and FFmpeg's frame threads on top of
     * it cost more in hand-overs than they decode (FLAC, 60 minutes:
     * 9 s of futex system time against 0.5 s). */
    s->dec->thread_count = s->threads > 0 ? s->threads : 1;
    if ((ret = avcodec_open2(s->dec, codec, NULL)) < 0)
        return fail(err, errlen, ret, s->path, "cannot open the audio decoder");
    return 0;
}

/* What the container says of stream st. */
static void describe_stream(InputStem *s, const AVStream *st)
{
    s->sample_rate = st->codecpar->sample_rate;
    av_channel_layout_uninit(&s->layout);
    input_native_layout(&s->layout, &st->codecpar->ch_layout);
    s->codec_id = st->codecpar->codec_id;
    /* FLAC and the like say their depth in bits_per_raw_sample */
    s->bits_per_sample = st->codecpar->bits_per_raw_sample > 0 ?
                         st->codecpar->bits_per_raw_sample :
                         st->codecpar->bits_per_coded_sample;
    s->time_base = st->time_base;
    s->start_time = st->start_time;
    if (st->duration > 0 && st->duration != AV_NOPTS_VALUE)
        s->duration = st->duration * av_q2d(st->time_base);
    else if (s->fmt->duration > 0)
        s->duration = s->fmt->duration / (double)AV_TIME_BASE;
}

/*
 * Decode the first frame now: zero-length or undecodable audio is an
 * input error before any output exists. The decoded frame is the truth
 * about rate and layout.
 */
static int decode_first_frame(InputStem *s, char *err, size_t errlen)
{
    int ret = decode_frame(s, err, errlen);

    if (ret < 0)
        return ret;
    if (!ret) {
        if (s->bad_packets)
            snprintf(err, errlen, "%s: corrupt audio: no packet could be "
                     "decoded", s->path);
        else
            snprintf(err, errlen, "%s: the audio stream is empty (zero "
                     "length)", s->path);
        return AVERROR_INVALIDDATA;
    }
    s->frame_pending = 1;
    s->sample_rate = s->frame->sample_rate;
    if (s->frame->ch_layout.nb_channels) {
        av_channel_layout_uninit(&s->layout);
        input_native_layout(&s->layout, &s->frame->ch_layout);
    }
    if (s->sample_rate <= 0 || s->layout.nb_channels <= 0) {
        snprintf(err, errlen, "%s: audio without a sample rate or channels",
                 s->path);
        return AVERROR_INVALIDDATA;
    }
    if (s->sample_rate > INPUT_MAX_RATE) {
        snprintf(err, errlen, "%s: sample rate %d Hz is over the %d Hz this "
                 "program takes", s->path, s->sample_rate, INPUT_MAX_RATE);
        return AVERROR_INVALIDDATA;
    }
    return 0;
}

static int open_demuxer(InputStem *s, char *err, size_t errlen)
{
    AVStream *st;
    int ret, idx;

    if ((ret = avformat_open_input(&s->fmt, s->file, NULL, NULL)) < 0)
        return fail(err, errlen, ret, s->path, "cannot open");
    if ((ret = avformat_find_stream_info(s->fmt, NULL)) < 0)
        return fail(err, errlen, ret, s->path, "cannot read stream info");
    if ((idx = pick_stream(s, err, errlen)) < 0)
        return idx;
    s->stream_index = idx;
    for (unsigned i = 0; i < s->fmt->nb_streams; i++)
        if ((int)i != idx)
            s->fmt->streams[i]->discard = AVDISCARD_ALL;
    st = s->fmt->streams[idx];
    if ((ret = open_decoder(s, st, err, errlen)) < 0)
        return ret;
    describe_stream(s, st);
    return decode_first_frame(s, err, errlen);
}

int input_open(InputStem *s, const char *path, const char *file,
               const char *spec,
               const char *label, int threads, char *err, size_t errlen)
{
    int ret;
    memset(s, 0, sizeof(*s));
    s->path = av_strdup(path);
    s->file = av_strdup(file ? file : path);
    s->spec = spec ? av_strdup(spec) : NULL;
    s->label = av_strdup(label ? label : spec ? spec : path);
    s->threads = threads;
    s->first_ts = AV_NOPTS_VALUE;
    s->first_damage = NAN;
    if (!s->path || !s->file || (spec && !s->spec) || !s->label)
        return fail(err, errlen, AVERROR(ENOMEM), path, "open");
    ret = open_demuxer(s, err, errlen);
    if (ret < 0)
        input_close(s);
    return ret;
}

static int setup_swr(InputStem *s, const AVFrame *f, char *err, size_t errlen)
{
    AVChannelLayout in;
    int ret;

    input_native_layout(&in, &f->ch_layout);
    swr_free(&s->swr);
    ret = swr_alloc_set_opts2(&s->swr, &s->layout, AV_SAMPLE_FMT_FLTP,
                              s->work_rate, &in, f->format, f->sample_rate,
                              0, NULL);
    if (ret >= 0 && in.nb_channels != s->layout.nb_channels) {
        snprintf(err, errlen, "%s: the channel count changes mid-stream "
                 "(%d to %d)", s->path, s->layout.nb_channels, in.nb_channels);
        av_channel_layout_uninit(&in);
        return AVERROR_PATCHWELCOME;
    }
    if (ret >= 0)
        ret = swr_init(s->swr);
    av_channel_layout_uninit(&s->swr_layout);
    s->swr_layout = in;
    s->swr_rate = f->sample_rate;
    s->swr_format = f->format;
    if (ret < 0)
        return fail(err, errlen, ret, s->path, "cannot set up resampling");
    return 0;
}

int input_start(InputStem *s, int work_rate, char *err, size_t errlen)
{
    s->work_rate = work_rate;
    s->samples_read = 0;
    s->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, s->layout.nb_channels,
                                  4096);
    if (!s->fifo)
        return fail(err, errlen, AVERROR(ENOMEM), s->path, "start");
    return setup_swr(s, s->frame, err, errlen);
}

static int ensure_tmp(InputStem *s, int n)
{
    int ch = s->layout.nb_channels;
    if (n <= s->tmp_size)
        return 0;
    if (!s->tmp && !(s->tmp = av_calloc(ch, sizeof(*s->tmp))))
        return AVERROR(ENOMEM);
    for (int c = 0; c < ch; c++) {
        av_freep(&s->tmp[c]);
        if (!(s->tmp[c] = av_malloc_array(n, sizeof(float))))
            return AVERROR(ENOMEM);
    }
    s->tmp_size = n;
    return 0;
}

/*
 * NaN and Inf would poison the loudness measurement and every sum they
 * enter: a damaged sample is silence. The scan ORs the exponent fields
 * (a loop the compiler vectorizes); only a buffer holding an all-ones
 * exponent, which is rare, is rewritten sample by sample.
 */
static void zero_nonfinite(float *x, int n)
{
    const uint32_t exp_mask = 0x7f800000;
    uint32_t bad = 0;

    int k = 0;

    for (; k + 8 <= n; k += 8) {
        uint32_t u[8];
        memcpy(u, x + k, sizeof(u));
        for (int j = 0; j < 8; j++)
            bad |= (u[j] & exp_mask) == exp_mask;
    }
    for (; k < n; k++) {
        uint32_t u;
        memcpy(&u, x + k, sizeof(u));
        bad |= (u & exp_mask) == exp_mask;
    }
    if (!bad)
        return;
    for (k = 0; k < n; k++)
        if (!isfinite(x[k]))
            x[k] = 0.0f;
}

/* Push a frame (or NULL to drain) through swr into the fifo. */
static int convert(InputStem *s, const AVFrame *f, char *err, size_t errlen)
{
    int in_n = f ? f->nb_samples : 0;
    int out_n = swr_get_out_samples(s->swr, in_n) + 16;
    int ret;

    if ((ret = ensure_tmp(s, out_n)) < 0)
        return fail(err, errlen, ret, s->path, "convert");
    for (;;) {
        ret = swr_convert(s->swr, (uint8_t **)s->tmp, out_n,
                          f ? (const uint8_t **)f->extended_data : NULL, in_n);
        if (ret < 0)
            return fail(err, errlen, ret, s->path, "resampling failed");
        for (int c = 0; c < s->layout.nb_channels; c++)
            zero_nonfinite(s->tmp[c], ret);
        if (ret > 0) {
            int w;
            if (s->worker_running)
                pthread_mutex_lock(&s->lock);
            w = av_audio_fifo_write(s->fifo, (void **)s->tmp, ret);
            if (s->worker_running)
                pthread_mutex_unlock(&s->lock);
            if (w < ret)
                return fail(err, errlen, AVERROR(ENOMEM), s->path, "convert");
        }
        /* Draining may need several calls; a frame needs one. */
        if (f || ret == 0)
            return 0;
    }
}

static int frame_changed(const InputStem *s, const AVFrame *f)
{
    AVChannelLayout l;
    int diff;
    if (f->sample_rate != s->swr_rate || f->format != s->swr_format)
        return 1;
    input_native_layout(&l, &f->ch_layout);
    diff = av_channel_layout_compare(&l, &s->swr_layout) != 0;
    av_channel_layout_uninit(&l);
    return diff;
}

/*
 * A jump forward in the timestamps is silence: inject it so that what
 * follows stays in sync with the other stems (and the picture). Small
 * jitter and overlaps are left alone.
 */
static int fill_gap(InputStem *s, const AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp, at, gap;
    int ret;

    if (ts != AV_NOPTS_VALUE && f->sample_rate > 0) {
        if (s->first_ts == AV_NOPTS_VALUE)
            s->first_ts = ts;
        at = av_rescale_q(ts - s->first_ts, s->time_base,
                          (AVRational){ 1, f->sample_rate });
        gap = at - s->decoded;
        if (gap > f->sample_rate / 100 && gap < INT_MAX) {
            if ((ret = swr_inject_silence(s->swr, (int)gap)) < 0)
                return ret;
            s->decoded += gap;
        }
    }
    s->decoded += f->nb_samples;
    return 0;
}

/* Decode and convert one frame into the fifo: 0, 1 at the end, or < 0. */
static int step(InputStem *s, char *err, size_t errlen)
{
    int ret;
    if (!s->frame_pending) {
        ret = decode_frame(s, err, errlen);
        if (ret < 0)
            return ret;
        if (!ret) {
            if ((ret = convert(s, NULL, err, errlen)) < 0)
                return ret;
            return 1;
        }
    }
    s->frame_pending = 0;
    if ((ret = fill_gap(s, s->frame)) < 0)
        return fail(err, errlen, ret, s->path, "timestamp gap");
    if (frame_changed(s, s->frame)) {
        /* Parameters changed mid-stream: drain the old resampler. */
        if ((ret = convert(s, NULL, err, errlen)) < 0 ||
            (ret = setup_swr(s, s->frame, err, errlen)) < 0)
            return ret;
    }
    ret = convert(s, s->frame, err, errlen);
    av_frame_unref(s->frame);
    return ret < 0 ? ret : 0;
}

/*
 * The read-ahead thread: keeps up to INPUT_AHEAD samples decoded. Each side
 * wakes the other only when it waits, and the reader wakes the worker only
 * once the read-ahead is half used: a hand-over per packet costs more than
 * decoding it.
 */
static void *worker(void *arg)
{
    InputStem *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        int ret;
        while (!s->quit && !s->done &&
               av_audio_fifo_size(s->fifo) >= INPUT_AHEAD) {
            s->worker_waiting = 1;
            pthread_cond_wait(&s->cond, &s->lock);
            s->worker_waiting = 0;
        }
        if (s->quit || s->done)
            break;
        pthread_mutex_unlock(&s->lock);
        ret = step(s, s->worker_msg, sizeof(s->worker_msg));
        pthread_mutex_lock(&s->lock);
        if (ret < 0) {
            s->worker_err = ret;
            s->done = 1;
        } else if (ret > 0) {
            s->done = 1;
        }
        if (s->reader_waiting || s->done)
            pthread_cond_broadcast(&s->cond);
    }
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void stop_worker(InputStem *s)
{
    if (!s->worker_running)
        return;
    pthread_mutex_lock(&s->lock);
    s->quit = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    s->worker_running = 0;
}

int input_set_async(InputStem *s, int async)
{
    s->async = async;
    if (!async || s->worker_running || !s->fifo)
        return 0;
    s->quit = s->worker_err = 0;
    if (pthread_mutex_init(&s->lock, NULL))
        return AVERROR(ENOMEM);
    if (pthread_cond_init(&s->cond, NULL)) {
        pthread_mutex_destroy(&s->lock);
        return AVERROR(ENOMEM);
    }
    /* Set before the thread starts: its first fifo writes must already
     * take the lock (set after, they raced with the reader). */
    s->worker_running = 1;
    if (pthread_create(&s->thread, NULL, worker, s)) {
        s->worker_running = 0;
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
        s->async = 0;  /* decode on the caller's thread instead */
        return 0;
    }
    return 0;
}

int input_read(InputStem *s, float **dst, int nb, char *err, size_t errlen)
{
    int ret, n;

    if (s->worker_running) {
        pthread_mutex_lock(&s->lock);
        while (av_audio_fifo_size(s->fifo) < nb && !s->done) {
            s->reader_waiting = 1;
            pthread_cond_wait(&s->cond, &s->lock);
            s->reader_waiting = 0;
        }
        if (s->worker_err && av_audio_fifo_size(s->fifo) < nb) {
            ret = s->worker_err;
            snprintf(err, errlen, "%s", s->worker_msg);
            pthread_mutex_unlock(&s->lock);
            return ret;
        }
        n = FFMIN(nb, av_audio_fifo_size(s->fifo));
        if (n > 0 && av_audio_fifo_read(s->fifo, (void **)dst, n) < n)
            n = AVERROR_BUG;
        if (s->worker_waiting && av_audio_fifo_size(s->fifo) <= INPUT_AHEAD / 2)
            pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        if (n < 0)
            return fail(err, errlen, n, s->path, "fifo read");
        s->samples_read += n;
        return n;
    }

    while (av_audio_fifo_size(s->fifo) < nb && !s->done) {
        if ((ret = step(s, err, errlen)) < 0)
            return ret;
        s->done = ret > 0;
    }
    n = FFMIN(nb, av_audio_fifo_size(s->fifo));
    if (n > 0 && av_audio_fifo_read(s->fifo, (void **)dst, n) < n)
        return fail(err, errlen, AVERROR_BUG, s->path, "fifo read");
    s->samples_read += n;
    return n;
}

double input_start_seconds(const InputStem *s)
{
    if (s->start_time == AV_NOPTS_VALUE)
        return 0;
    return s->start_time * av_q2d(s->time_base);
}

int input_pad_start(InputStem *s, int64_t n)
{
    float *zero[64] = { NULL };
    int chunk = 4096, ret = 0;

    if (n <= 0 || s->layout.nb_channels > 64)
        return 0;
    if (!(zero[0] = av_calloc(chunk, sizeof(float))))
        return AVERROR(ENOMEM);
    for (int c = 1; c < s->layout.nb_channels; c++)
        zero[c] = zero[0];
    s->lead = n;
    while (n > 0) {
        int m = (int)FFMIN(n, chunk);
        if (av_audio_fifo_write(s->fifo, (void **)zero, m) < m) {
            ret = AVERROR(ENOMEM);
            break;
        }
        n -= m;
    }
    av_free(zero[0]);
    return ret;
}

int input_rewind(InputStem *s, char *err, size_t errlen)
{
    int ret;
    close_demuxer(s);
    s->damage_seen = input_damage(s);
    s->bad_packets = 0;
    if ((ret = open_demuxer(s, err, errlen)) < 0 ||
        (ret = input_start(s, s->work_rate, err, errlen)) < 0 ||
        (ret = input_pad_start(s, s->lead)) < 0)
        return ret;
    return input_set_async(s, s->async);
}

void input_close(InputStem *s)
{
    close_demuxer(s);
    if (s->tmp)
        for (int c = 0; c < s->layout.nb_channels; c++)
            av_freep(&s->tmp[c]);
    av_freep(&s->tmp);
    av_channel_layout_uninit(&s->layout);
    av_freep(&s->path);
    av_freep(&s->file);
    av_freep(&s->spec);
    av_freep(&s->label);
}
