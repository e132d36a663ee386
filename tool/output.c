/*
 * Encoding, muxing and remuxing.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/avstring.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#include "atomic_file.h"
#include "bext.h"
#include "pipe_name.h"
#include "av_error.h"
#include "cli.h"
#include "output.h"
#include "riff.h"

typedef struct Track {
    AVCodecContext *enc;
    AVStream *st;
    SwrContext *swr;          /* planar float -> encoder format/rate/layout */
    AVAudioFifo *fifo;        /* encoder format, waiting for a full frame */
    AVFrame *frame;
    uint8_t **conv;           /* swr output scratch */
    int conv_size;
    int frame_size;
    int64_t next_pts;         /* in 1 / enc->sample_rate */
    int64_t pts0;
} Track;

struct OutputFile {
    const char *path;
    AtomicFile af;
    int reserved;
    const char *url;          /* what the muxer opens: af.tmp_path or pipe_url */
    char pipe_url[32];
    AVFormatContext *oc;
    AVPacket *pkt;
    Track tracks[OUTPUT_MAX_TRACKS];
    int nb_tracks;
    int header_written;
    /* MP4/MOV without copied streams: the header waits for
     * output_expect_samples(), which sizes the room kept for the index */
    int reserve_index;
    int64_t moov_size;
    /* a file of our own tracks only: output_reopen() can start it again */
    int can_reopen;
    OutputConfig cfg;
    AVDictionary *bext;       /* cfg's bext source, kept: the input that
                               * held it is closed on a rewind */

    /* Remux source. */
    AVFormatContext *ic;
    int *map;                 /* input stream -> output stream, -1 dropped */
    AVPacket *copy_pkt;
    int copy_pending, copy_eof;

    uint8_t *ixml;            /* the source's iXML chunk, appended at the end */
    size_t ixml_size;
    int verbosity;            /* VERB_* */
};

static int fail(char *err, size_t errlen, int ret, const char *path,
                const char *what)
{
    return av_error_msg(err, errlen, ret, AVERROR(EINVAL), path, what);
}

const char *output_codec_name(const OutputFile *o)
{
    return o->tracks[0].enc ? o->tracks[0].enc->codec->name : "";
}

const char *output_format_name(const OutputFile *o)
{
    return o->oc ? o->oc->oformat->name : "";
}

int output_codec_is_pcm(enum AVCodecID id)
{
    const AVCodecDescriptor *d = avcodec_descriptor_get(id);
    return d && d->name && !strncmp(d->name, "pcm_", 4);
}

/* 1 when the muxer can hold the codec (or cannot tell). */
static int muxer_takes(const AVOutputFormat *f, enum AVCodecID id)
{
    return avformat_query_codec(f, id, FF_COMPLIANCE_NORMAL) != 0;
}

/* For our own choice of codec, "cannot tell" is not enough: raw muxers
 * (.ac3, .mp3) take anything and only their own codec makes sense. */
static int muxer_knows(const AVOutputFormat *f, enum AVCodecID id)
{
    int ret = avformat_query_codec(f, id, FF_COMPLIANCE_NORMAL);
    return ret == 1 || (ret < 0 && id == f->audio_codec);
}

static int takes_channels(const AVCodec *codec, int channels)
{
    const AVChannelLayout *l = codec->ch_layouts;
    if (!l)
        return 1;
    for (int i = 0; l[i].nb_channels; i++)
        if (l[i].nb_channels == channels)
            return 1;
    return 0;
}

/* Whether the muxer's init takes a stream like par alone: run quietly on
 * a scratch context writing to memory. */
static int muxer_init_takes(const AVOutputFormat *f,
                            const AVCodecParameters *par)
{
    AVFormatContext *oc = NULL;
    AVStream *st;
    uint8_t *buf;
    int level = av_log_get_level(), ret = AVERROR(ENOMEM);

    if (avformat_alloc_output_context2(&oc, f, NULL, NULL) < 0)
        return 1;
    if ((st = avformat_new_stream(oc, NULL)) &&
        avcodec_parameters_copy(st->codecpar, par) >= 0 &&
        avio_open_dyn_buf(&oc->pb) >= 0) {
        st->time_base = (AVRational){ 1, par->sample_rate > 0 ?
                                         par->sample_rate : 90000 };
        oc->flags |= AVFMT_FLAG_BITEXACT;
        av_log_set_level(AV_LOG_QUIET);
        ret = avformat_init_output(oc, NULL);
        av_log_set_level(level);
    }
    if (oc->pb) {
        avio_close_dyn_buf(oc->pb, &buf);
        av_free(buf);
        oc->pb = NULL;
    }
    avformat_free_context(oc);
    return ret >= 0 || ret == AVERROR(ENOMEM);
}

/* The parameters of an audio stream of codec id, for muxer_init_takes(). */
static void audio_params(AVCodecParameters *par, enum AVCodecID id)
{
    par->codec_type = AVMEDIA_TYPE_AUDIO;
    par->codec_id = id;
    /* an encoder of packets (not PCM) says how long they are */
    par->frame_size = av_get_bits_per_sample(id) ? 0 : 1024;
}

/*
 * Whether the muxer f takes a stream like par. avformat_query_codec()
 * answers from codec tag tables, but some muxers refuse in their init what
 * their tables list (FLAC in MOV; in MP4 before FFmpeg 6.0), so the
 * muxer's init is run. Its refusal is the codec's fault only if the
 * container's default audio codec is taken in its place (MXF, for one,
 * takes no audio stream alone). Muxers that open files of their own
 * (segments, playlists) are only asked avformat_query_codec().
 */
static int muxer_accepts(const AVOutputFormat *f, const AVCodecParameters *par)
{
    AVCodecParameters *dflt;
    int ret;

    if (!muxer_takes(f, par->codec_id))
        return 0;
    if ((f->flags & AVFMT_NOFILE) || muxer_init_takes(f, par) ||
        par->codec_type != AVMEDIA_TYPE_AUDIO ||
        f->audio_codec == AV_CODEC_ID_NONE || f->audio_codec == par->codec_id)
        return 1;
    if (!(dflt = avcodec_parameters_alloc()) ||
        avcodec_parameters_copy(dflt, par) < 0) {
        avcodec_parameters_free(&dflt);
        return 1;
    }
    audio_params(dflt, f->audio_codec);
    ret = !muxer_init_takes(f, dflt);
    avcodec_parameters_free(&dflt);
    return ret;
}

/* Whether f takes audio of codec id at rate Hz, channels channels. */
static int codec_fits(const AVOutputFormat *f, enum AVCodecID id, int rate,
                      int channels)
{
    AVCodecParameters *par = avcodec_parameters_alloc();
    int ret;

    if (!par)
        return 1;
    audio_params(par, id);
    par->sample_rate = rate;
    av_channel_layout_default(&par->ch_layout, channels);
    ret = muxer_accepts(f, par);
    avcodec_parameters_free(&par);
    return ret;
}

/* The encoder -c:a names, if the container f takes it; else NULL, err set. */
static const AVCodec *asked_codec(const char *path, const AVOutputFormat *f,
                                  const char *name, int rate, int channels,
                                  char *err, size_t errlen)
{
    const AVCodec *codec = avcodec_find_encoder_by_name(name);

    if (!codec || codec->type != AVMEDIA_TYPE_AUDIO) {
        snprintf(err, errlen, "%s: -c:a %s: no such audio encoder", path,
                 name);
        return NULL;
    }
    if (f && !codec_fits(f, codec->id, rate, channels)) {
        snprintf(err, errlen, "%s: -c:a %s: the %s container cannot hold %s "
                 "audio", path, name, f->name, codec->name);
        return NULL;
    }
    return codec;
}

/* A container whose default is 16-bit PCM (AIFF, CAF, AU) keeps a deeper
 * source's 24 bits. */
static enum AVCodecID default_codec(const AVOutputFormat *f, int bits)
{
    if (bits > 16 && f->audio_codec == AV_CODEC_ID_PCM_S16BE)
        return AV_CODEC_ID_PCM_S24BE;
    if (bits > 16 && f->audio_codec == AV_CODEC_ID_PCM_S16LE)
        return AV_CODEC_ID_PCM_S24LE;
    return f->audio_codec;
}

/* The source's codec could not be kept: say what is used instead. */
static void note_codec(const OutputConfig *c, const AVOutputFormat *f,
                       const AVCodec *codec)
{
    if (c->source_codec != AV_CODEC_ID_NONE && codec->id != c->source_codec &&
        c->verbosity >= VERB_INFO)
        fprintf(stderr, "dialogueduck: %s: the %s container cannot hold the "
                "source's %s audio; encoding %s (-c:a to choose)\n", c->path,
                f->name, avcodec_get_name(c->source_codec), codec->name);
}

static const AVCodec *choose_encoder(const OutputConfig *c,
                                     const AVOutputFormat *f,
                                     char *err, size_t errlen)
{
    const AVCodec *codec = NULL;
    enum AVCodecID cand[6];
    int n = 0, rate = c->out_rate ? c->out_rate : c->sample_rate;
    int general = 0;

    if (c->codec)
        return asked_codec(c->path, f, c->codec, rate, c->layout->nb_channels,
                           err, errlen);
    if (!strcmp(f->name, "wav") || !strcmp(f->name, "w64")) {
        /* PCM containers: the PCM of --sample-fmt, else keep the source's
         * PCM flavour, else 16 bit (24 for a deeper source). */
        if (c->sample_fmt != AV_SAMPLE_FMT_NONE)
            cand[n++] = av_get_pcm_codec(av_get_packed_sample_fmt(c->sample_fmt),
                                         0);
        if (c->float_pcm)
            cand[n++] = AV_CODEC_ID_PCM_F32LE;
        if (output_codec_is_pcm(c->source_codec))
            cand[n++] = c->source_codec;
        cand[n++] = c->source_bits > 16 ? AV_CODEC_ID_PCM_S24LE :
                                          AV_CODEC_ID_PCM_S16LE;
    } else if (!strcmp(f->name, "flac")) {
        cand[n++] = AV_CODEC_ID_FLAC;
    } else {
        /* the source's codec, else the container's default, as ffmpeg
         * picks it */
        general = 1;
        if (c->float_pcm && muxer_knows(f, AV_CODEC_ID_PCM_F32LE) &&
            strcmp(f->name, "mp4"))
            cand[n++] = AV_CODEC_ID_PCM_F32LE;
        if (c->source_codec != AV_CODEC_ID_NONE)
            cand[n++] = c->source_codec;
        cand[n++] = default_codec(f, c->source_bits);
        cand[n++] = f->audio_codec;
        cand[n++] = AV_CODEC_ID_AAC;
    }
    for (int i = 0; i < n; i++) {
        if (cand[i] == AV_CODEC_ID_NONE || !muxer_knows(f, cand[i]) ||
            !codec_fits(f, cand[i], rate, c->layout->nb_channels))
            continue;
        /* experimental encoders (DTS, TrueHD) and ones that cannot take
         * the channel count give way to the next candidate */
        if ((codec = avcodec_find_encoder(cand[i])) &&
            !(codec->capabilities & AV_CODEC_CAP_EXPERIMENTAL) &&
            takes_channels(codec, c->layout->nb_channels)) {
            if (general)
                note_codec(c, f, codec);
            return codec;
        }
    }
    snprintf(err, errlen, "%s: no audio encoder fits the %s container "
             "(try -c:a)", c->path, f->name);
    return NULL;
}

/*
 * Float where the encoder takes it; else the smallest integer format that
 * holds the source's bits (a 24-bit source to FLAC stays 24-bit), else the
 * widest; the encoder's first format when the source's depth is unknown.
 */
static enum AVSampleFormat choose_format(const AVCodec *codec, int bits)
{
    const enum AVSampleFormat *f = codec->sample_fmts;
    enum AVSampleFormat best = AV_SAMPLE_FMT_NONE;
    if (!f)
        return AV_SAMPLE_FMT_FLTP;
    for (int i = 0; f[i] != AV_SAMPLE_FMT_NONE; i++)
        if (f[i] == AV_SAMPLE_FMT_FLTP || f[i] == AV_SAMPLE_FMT_FLT)
            return f[i];
    if (bits <= 0)
        return f[0];
    for (int i = 0; f[i] != AV_SAMPLE_FMT_NONE; i++) {
        int b = 8 * av_get_bytes_per_sample(f[i]);
        int bb = best == AV_SAMPLE_FMT_NONE ? 0 :
                 8 * av_get_bytes_per_sample(best);
        if ((b >= bits && (bb < bits || b < bb)) || (bb < bits && b > bb))
            best = f[i];
    }
    return best;
}

/*
 * Fewer bits out than the mix carries (the deepest stem's; a float or
 * lossy source's mix is float, 24 bits of mantissa): TPDF dither, which
 * libswresample seeds, so the output stays the same from run to run. A
 * 16-bit source to 16 bits is not dithered: where the gain is 1 its
 * samples come through bit for bit.
 */
static int needs_dither(enum AVSampleFormat fmt, int source_bits)
{
    int out = 8 * av_get_bytes_per_sample(fmt);
    enum AVSampleFormat packed = av_get_packed_sample_fmt(fmt);
    if (packed == AV_SAMPLE_FMT_FLT || packed == AV_SAMPLE_FMT_DBL)
        return 0;
    return out < (source_bits > 0 ? FFMIN(source_bits, 24) : 24);
}

static int choose_rate(const AVCodec *codec, int rate)
{
    const int *r = codec->supported_samplerates;
    int best = 0;
    if (!r)
        return rate;
    for (int i = 0; r[i]; i++) {
        if (r[i] == rate)
            return rate;
        /* else the smallest rate above, or the largest one */
        if ((r[i] > rate && (best < rate || r[i] < best)) ||
            (best < rate && r[i] > best))
            best = r[i];
    }
    return best ? best : rate;
}

static int choose_layout(const AVCodec *codec, const AVChannelLayout *in,
                         AVChannelLayout *out)
{
    const AVChannelLayout *l = codec->ch_layouts;
    if (!l)
        return av_channel_layout_copy(out, in);
    for (int i = 0; l[i].nb_channels; i++)
        if (!av_channel_layout_compare(&l[i], in))
            return av_channel_layout_copy(out, in);
    /* Same channel count under another name (5.1(side) as 5.1): the
     * resampler maps side to back channels 1:1. */
    for (int i = 0; l[i].nb_channels; i++)
        if (l[i].nb_channels == in->nb_channels)
            return av_channel_layout_copy(out, &l[i]);
    return AVERROR(ENOSYS);
}

/* An asked-for format the encoder takes, packed or planar; NONE if not. */
static enum AVSampleFormat asked_format(const AVCodec *codec, int fmt)
{
    const enum AVSampleFormat *f = codec->sample_fmts;
    for (int i = 0; f && f[i] != AV_SAMPLE_FMT_NONE; i++)
        if (f[i] == fmt || av_get_packed_sample_fmt(f[i]) ==
                           av_get_packed_sample_fmt(fmt))
            return f[i];
    return f ? AV_SAMPLE_FMT_NONE : fmt;
}

/* Sample format and rate: as asked, else what keeps the source's. */
static int set_format(AVCodecContext *enc, const AVCodec *codec,
                      const OutputConfig *c, char *err, size_t errlen)
{
    const int *r = codec->supported_samplerates;

    enc->sample_fmt = choose_format(codec, c->source_bits);
    if (c->sample_fmt != AV_SAMPLE_FMT_NONE &&
        (enc->sample_fmt = asked_format(codec, c->sample_fmt)) ==
        AV_SAMPLE_FMT_NONE) {
        snprintf(err, errlen, "%s: the %s encoder cannot take --sample-fmt %s",
                 c->path, codec->name, av_get_sample_fmt_name(c->sample_fmt));
        return AVERROR(EINVAL);
    }
    /* 32-bit containers for fewer bits (FLAC's 24) say how many are used */
    if (c->source_bits > 0 && c->sample_fmt == AV_SAMPLE_FMT_NONE &&
        av_get_packed_sample_fmt(enc->sample_fmt) == AV_SAMPLE_FMT_S32)
        enc->bits_per_raw_sample = FFMIN(c->source_bits, 32);
    enc->sample_rate = choose_rate(codec, c->out_rate ? c->out_rate :
                                          c->sample_rate);
    if (c->out_rate && enc->sample_rate != c->out_rate) {
        snprintf(err, errlen, "%s: the %s encoder cannot take %d Hz%s%d Hz)",
                 c->path, codec->name, c->out_rate,
                 r ? " (the nearest it takes: " : "", enc->sample_rate);
        return AVERROR(EINVAL);
    }
    return 0;
}

/* Open the encoder with --codec-opt; an option it does not know is an error. */
static int open_encoder(AVCodecContext *enc, const AVCodec *codec,
                        const OutputConfig *c, char *err, size_t errlen)
{
    AVDictionary *opts = NULL;
    const AVDictionaryEntry *e;
    int ret = 0;

    for (int i = 0; i < c->nb_codec_opts && ret >= 0; i++)
        ret = av_dict_parse_string(&opts, c->codec_opts[i], "=", "", 0);
    if (ret >= 0)
        ret = avcodec_open2(enc, codec, &opts);
    if (ret < 0) {
        av_dict_free(&opts);
        return fail(err, errlen, ret, c->path, "cannot open the audio encoder");
    }
    if ((e = av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX))) {
        snprintf(err, errlen, "%s: --codec-opt %s: not an option of the %s "
                 "encoder", c->path, e->key, codec->name);
        av_dict_free(&opts);
        return AVERROR(EINVAL);
    }
    return 0;
}

static int open_track(OutputFile *o, Track *t, const OutputConfig *c,
                      const AVCodec *codec, char *err, size_t errlen)
{
    AVCodecContext *enc;
    int ret;

    if (!(t->enc = enc = avcodec_alloc_context3(codec)))
        return fail(err, errlen, AVERROR(ENOMEM), c->path, "encoder");
    if ((ret = set_format(enc, codec, c, err, errlen)) < 0)
        return ret;
    if (choose_layout(codec, c->layout, &enc->ch_layout) < 0) {
        snprintf(err, errlen, "%s: the %s encoder cannot encode %d channels",
                 c->path, codec->name, c->layout->nb_channels);
        return AVERROR(EINVAL);
    }
    enc->time_base = (AVRational){ 1, enc->sample_rate };
    if (c->bitrate)
        enc->bit_rate = c->bitrate;
    else if (!output_codec_is_pcm(codec->id) && codec->id != AV_CODEC_ID_FLAC)
        enc->bit_rate = FFMIN(96000LL * enc->ch_layout.nb_channels, 640000);
    enc->flags |= AV_CODEC_FLAG_BITEXACT;
    enc->thread_count = c->threads;
    if (o->oc->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = open_encoder(enc, codec, c, err, errlen)) < 0)
        return ret;

    /* Packets of free size (PCM) last half a second: the MP4/MOV muxer
     * keeps an index entry per packet until the end, so 4096-sample
     * packets cost it about 13 MB for a 2-hour stereo mix. */
    t->frame_size = enc->frame_size;
    if (t->frame_size <= 0 ||
        (codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE))
        t->frame_size = FFMAX(4096, enc->sample_rate / 2);

    ret = swr_alloc_set_opts2(&t->swr, &enc->ch_layout, enc->sample_fmt,
                              enc->sample_rate, (AVChannelLayout *)c->layout,
                              AV_SAMPLE_FMT_FLTP,
                              c->sample_rate, 0, NULL);
    if (ret >= 0 && needs_dither(enc->sample_fmt, c->source_bits))
        ret = av_opt_set_int(t->swr, "dither_method", SWR_DITHER_TRIANGULAR,
                             0);
    if (ret >= 0)
        ret = swr_init(t->swr);
    if (ret < 0)
        return fail(err, errlen, ret, c->path, "cannot set up conversion");
    t->fifo = av_audio_fifo_alloc(enc->sample_fmt, enc->ch_layout.nb_channels,
                                  t->frame_size * 2);
    t->frame = av_frame_alloc();
    if (!t->fifo || !t->frame)
        return fail(err, errlen, AVERROR(ENOMEM), c->path, "encoder");

    t->pts0 = t->next_pts = llrint(c->start_time * enc->sample_rate);
    return 0;
}

static void free_track(Track *t)
{
    avcodec_free_context(&t->enc);
    swr_free(&t->swr);
    if (t->fifo)
        av_audio_fifo_free(t->fifo);
    t->fifo = NULL;
    av_frame_free(&t->frame);
    if (t->conv)
        av_freep(&t->conv[0]);
    av_freep(&t->conv);
}

/* Copy a stream of the source: parameters, timing hints, metadata. */
static int add_copy_stream(OutputFile *o, AVStream *ist, char *err,
                           size_t errlen)
{
    const AVOutputFormat *f = o->oc->oformat;
    AVStream *ost;
    uint32_t tag;
    int ret;

    if (!(ost = avformat_new_stream(o->oc, NULL)))
        return fail(err, errlen, AVERROR(ENOMEM), o->path, "stream");
    if ((ret = avcodec_parameters_copy(ost->codecpar, ist->codecpar)) < 0)
        return fail(err, errlen, ret, o->path, "stream");
    /* Keep the source's codec tag only where the target muxer maps it
     * to the same codec (the rule ffmpeg -c copy uses). */
    if (f->codec_tag &&
        av_codec_get_id(f->codec_tag, ist->codecpar->codec_tag) !=
            ist->codecpar->codec_id &&
        av_codec_get_tag2(f->codec_tag, ist->codecpar->codec_id, &tag))
        ost->codecpar->codec_tag = 0;
    ost->time_base = ist->time_base;
    ost->avg_frame_rate = ist->avg_frame_rate;
    ost->r_frame_rate = ist->r_frame_rate;
    ost->sample_aspect_ratio = ist->sample_aspect_ratio;
    ost->disposition = ist->disposition;
    if ((ret = av_dict_copy(&ost->metadata, ist->metadata, 0)) < 0)
        return fail(err, errlen, ret, o->path, "metadata");
    for (int i = 0; i < ist->nb_side_data; i++) {
        const AVPacketSideData *sd = &ist->side_data[i];
        uint8_t *dst = av_stream_new_side_data(ost, sd->type, sd->size);
        if (!dst)
            return fail(err, errlen, AVERROR(ENOMEM), o->path, "side data");
        memcpy(dst, sd->data, sd->size);
    }
    return ost->index;
}

/* The mix inherits what describes the programme's audio, not how the old
 * track was encoded. */
static void copy_audio_identity(AVStream *ost, const AVStream *ist)
{
    static const char *const keys[] = { "language", "title", "handler_name" };
    for (int i = 0; i < 3; i++) {
        const AVDictionaryEntry *e = av_dict_get(ist->metadata, keys[i], NULL, 0);
        if (e)
            av_dict_set(&ost->metadata, keys[i], e->value, 0);
    }
    ost->disposition = ist->disposition;
}

static int add_audio_streams(OutputFile *o, const OutputConfig *c,
                             const AVCodec *codec, const AVStream *like,
                             char *err, size_t errlen)
{
    int ret;
    for (int k = 0; k < c->nb_tracks; k++) {
        Track *t = &o->tracks[k];
        if ((ret = open_track(o, t, c, codec, err, errlen)) < 0)
            return ret;
        if (!(t->st = avformat_new_stream(o->oc, NULL)))
            return fail(err, errlen, AVERROR(ENOMEM), c->path, "stream");
        if ((ret = avcodec_parameters_from_context(t->st->codecpar, t->enc)) < 0)
            return fail(err, errlen, ret, c->path, "stream");
        t->st->time_base = t->enc->time_base;
        if (like) {
            copy_audio_identity(t->st, like);
            if (k > 0) {
                t->st->disposition &= ~AV_DISPOSITION_DEFAULT;
                /* a music or effects stem speaks no language */
                av_dict_set(&t->st->metadata, "language", NULL, 0);
            }
        } else if (k == 0) {
            t->st->disposition |= AV_DISPOSITION_DEFAULT;
        }
        /* the mix says it is the mix, not the dialogue track it replaces;
         * MP4/MOV keep a track's name as its handler name */
        av_dict_set(&t->st->metadata, "title", k ? c->titles[k] : "Mix", 0);
        av_dict_set(&t->st->metadata, "handler_name",
                    k ? c->titles[k] : "Mix", 0);
    }
    o->nb_tracks = c->nb_tracks;
    return 0;
}

static int is_replaced(const OutputConfig *c, int idx)
{
    for (int i = 0; i < c->nb_replaced; i++)
        if (c->replaced[i] == idx)
            return 1;
    return 0;
}

static int setup_remux(OutputFile *o, const OutputConfig *c,
                       const AVCodec *codec, char *err, size_t errlen)
{
    AVFormatContext *ic;
    int ret, audio_added = 0;

    if ((ret = avformat_open_input(&o->ic, c->remux_path, NULL, NULL)) < 0)
        return fail(err, errlen, ret, c->remux_path, "cannot open");
    ic = o->ic;
    if ((ret = avformat_find_stream_info(ic, NULL)) < 0)
        return fail(err, errlen, ret, c->remux_path, "cannot read stream info");
    if (!(o->map = av_calloc(ic->nb_streams, sizeof(*o->map))))
        return fail(err, errlen, AVERROR(ENOMEM), c->path, "remux");

    for (unsigned i = 0; i < ic->nb_streams; i++) {
        AVStream *ist = ic->streams[i];
        o->map[i] = -1;
        if (is_replaced(c, (int)i)) {
            ist->discard = AVDISCARD_ALL;
            if (!audio_added) {
                if ((ret = add_audio_streams(o, c, codec, ist, err, errlen)) < 0)
                    return ret;
                audio_added = 1;
            }
            continue;
        }
        if (ist->codecpar->codec_type != AVMEDIA_TYPE_ATTACHMENT &&
            !muxer_accepts(o->oc->oformat, ist->codecpar)) {
            av_log(NULL, AV_LOG_WARNING, "%s: stream %u (%s) cannot go into "
                   "the %s container; left out\n", c->remux_path, i,
                   avcodec_get_name(ist->codecpar->codec_id),
                   o->oc->oformat->name);
            ist->discard = AVDISCARD_ALL;
            continue;
        }
        if ((ret = add_copy_stream(o, ist, err, errlen)) < 0)
            return ret;
        o->map[i] = ret;
    }
    if (!audio_added &&
        (ret = add_audio_streams(o, c, codec, NULL, err, errlen)) < 0)
        return ret;

    if ((ret = av_dict_copy(&o->oc->metadata, ic->metadata, 0)) < 0)
        return fail(err, errlen, ret, c->path, "metadata");
    if (ic->nb_chapters) {
        o->oc->chapters = av_calloc(ic->nb_chapters, sizeof(*o->oc->chapters));
        if (!o->oc->chapters)
            return fail(err, errlen, AVERROR(ENOMEM), c->path, "chapters");
        for (unsigned i = 0; i < ic->nb_chapters; i++) {
            const AVChapter *ic_ch = ic->chapters[i];
            AVChapter *ch = av_mallocz(sizeof(*ch));
            if (!ch)
                return fail(err, errlen, AVERROR(ENOMEM), c->path, "chapters");
            o->oc->chapters[o->oc->nb_chapters++] = ch;
            ch->id = ic_ch->id;
            ch->time_base = ic_ch->time_base;
            ch->start = ic_ch->start;
            ch->end = ic_ch->end;
            av_dict_copy(&ch->metadata, ic_ch->metadata, 0);
        }
    }
    if (!(o->copy_pkt = av_packet_alloc()))
        return fail(err, errlen, AVERROR(ENOMEM), c->path, "remux");
    return 0;
}

/* Containers for audio alone: a video input gives them just the mix. */
static int audio_only(const AVOutputFormat *f)
{
    static const char *const names[] = { "ipod", "mp3", "ogg", "oga", "opus",
                                         "adts", "w64", "aiff", "caf" };
    if (f->video_codec == AV_CODEC_ID_NONE)
        return 1;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(f->name, names[i]))
            return 1;
    return 0;
}

/* Muxers that never seek back: the only ones a pipe can take. */
static int streams(const AVOutputFormat *f)
{
    static const char *const names[] = { "wav", "flac", "matroska", "nut",
                                         "mpegts", "adts" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(f->name, names[i]))
            return 1;
    return 0;
}

int output_check_destination(const char *path, const char *format,
                             char *err, size_t errlen)
{
    const AVOutputFormat *f = format ? av_guess_format(format, NULL, NULL) :
                              NULL;

    if (format && !f) {
        snprintf(err, errlen, "-f %s: no such output format", format);
        return -1;
    }
    if (pipe_name_fd(path, 1) < 0)
        return 0;
    if (!f) {
        snprintf(err, errlen, "%s: a pipe has no extension: give the format "
                 "with -f (wav, flac, matroska, nut, mpegts, adts)", path);
        return -1;
    }
    if (!streams(f)) {
        snprintf(err, errlen, "%s: the %s format cannot be written to a pipe "
                 "(its muxer seeks back); use -f wav, flac, matroska, nut, "
                 "mpegts or adts", path, f->name);
        return -1;
    }
    return 0;
}

int output_check_codec(const char *path, const char *format,
                       const char *codec, char *err, size_t errlen)
{
    const AVOutputFormat *f = format ? av_guess_format(format, NULL, NULL) :
                              av_guess_format(NULL, path, NULL);

    /* a container that holds no audio is output_open()'s to refuse */
    if (f && f->audio_codec == AV_CODEC_ID_NONE)
        f = NULL;
    if (codec && !asked_codec(path, f, codec, 48000, 2, err, errlen))
        return -1;
    return 0;
}

/* The muxer for c: -f's, else from the extension; NULL with err set. */
static const AVOutputFormat *output_format(const OutputConfig *c, char *err,
                                           size_t errlen)
{
    const AVOutputFormat *f = c->format ?
                              av_guess_format(c->format, NULL, NULL) :
                              av_guess_format(NULL, c->path, NULL);
    if (!f)
        snprintf(err, errlen, "%s: unknown output format (use an extension "
                 "such as .wav, .flac, .mp4, .mkv, or -f)", c->path);
    else if (f->audio_codec == AV_CODEC_ID_NONE)
        snprintf(err, errlen, "%s: the %s format cannot hold audio",
                 c->path, f->name);
    else
        return f;
    return NULL;
}

/*
 * Where the muxer writes: a file's temporary name (renamed into place at
 * the end), or the pipe itself.
 */
static int open_destination(OutputFile *o, const OutputConfig *c,
                            const AVOutputFormat *f, char *err, size_t errlen)
{
    int fd = pipe_name_fd(c->path, 1), ret;

    if (fd >= 0) {
        snprintf(o->pipe_url, sizeof(o->pipe_url), "pipe:%d", fd);
        o->url = o->pipe_url;
    } else {
        if ((ret = atomic_reserve(&o->af, c->path)) < 0)
            return fail(err, errlen, AVERROR(-ret), c->path, "cannot create");
        o->reserved = 1;
        o->url = o->af.tmp_path;
    }
    /* The temporary name has no extension: the format is given. */
    if ((ret = avformat_alloc_output_context2(&o->oc, f, NULL, o->url)) < 0)
        return fail(err, errlen, ret, c->path, "cannot create");
    return 0;
}

/* A WAV made from a Broadcast WAV source gets the source's bext. */
static int carry_bext(OutputFile *o, const OutputConfig *c,
                      AVDictionary **opts)
{
    const AVCodecContext *enc = o->tracks[0].enc;
    int bits = av_get_bits_per_sample(enc->codec_id);
    BextTarget t = {
        .sample_rate = enc->sample_rate,
        .bits = bits ? bits : 8 * av_get_bytes_per_sample(enc->sample_fmt),
        .channels = enc->ch_layout.nb_channels,
        .what = c->bext_what ? c->bext_what : "mix",
    };
    int ret;

    if (strcmp(o->oc->oformat->name, "wav") || !c->bext_source ||
        !bext_present(c->bext_source))
        return 0;
    if ((ret = bext_carry(&o->oc->metadata, c->bext_source, c->bext_rate,
                          &t)) < 0)
        return ret;
    return av_dict_set(opts, "write_bext", "1", 0);
}

/*
 * A WAV file made from a WAV source with an iXML chunk gets a copy of it,
 * appended once the muxer is done (riff.h). A chunk that cannot be
 * carried is a warning, not a reason to fail.
 */
static int read_ixml(OutputFile *o, const OutputConfig *c)
{
    char why[128];
    int ret;

    if (strcmp(o->oc->oformat->name, "wav") || !c->ixml_file)
        return 0;
    ret = riff_read_chunk(c->ixml_file, "iXML", RIFF_IXML_MAX, &o->ixml,
                          &o->ixml_size, why, sizeof(why));
    if (ret < 0 && c->verbosity >= VERB_WARNING)
        fprintf(stderr, "dialogueduck: warning: %s: iXML chunk %s; %s gets "
                "none\n", c->ixml_name, why, c->path);
    if (ret > 0 && !o->reserved) {
        /* a pipe's RIFF size cannot be set afterwards */
        if (c->verbosity >= VERB_VERBOSE)
            fprintf(stderr, "dialogueduck: %s: iXML of %s not carried: a WAV "
                    "written to a pipe cannot take a chunk after its data\n",
                    c->path, c->ixml_name);
        free(o->ixml);
        o->ixml = NULL;
    }
    return 0;
}

/* After the muxer: the iXML chunk, before the file is renamed into place. */
static int append_ixml(OutputFile *o, char *err, size_t errlen)
{
    char why[128];
    int written;

    if (!o->ixml || riff_append_chunk(o->af.tmp_path, "iXML", o->ixml,
                                      o->ixml_size, &written, why,
                                      sizeof(why)) == 0)
        return 0;
    if (written) {
        snprintf(err, errlen, "%s: write error (iXML chunk): %s", o->path,
                 why);
        return AVERROR(EIO);
    }
    if (o->verbosity >= VERB_WARNING)
        fprintf(stderr, "dialogueduck: warning: %s: iXML chunk not carried: "
                "%s\n", o->path, why);
    return 0;
}

int output_open(OutputFile **out, const OutputConfig *c, char *err,
                size_t errlen)
{
    const AVOutputFormat *f;
    const AVCodec *codec;
    AVDictionary *opts = NULL;
    OutputFile *o;
    int ret;

    *out = NULL;
    f = output_format(c, err, errlen);
    if (!f)
        return AVERROR_MUXER_NOT_FOUND;
    if (!(codec = choose_encoder(c, f, err, errlen)))
        return AVERROR_ENCODER_NOT_FOUND;
    if (!(o = av_mallocz(sizeof(*o))))
        return fail(err, errlen, AVERROR(ENOMEM), c->path, "open");
    *out = o;
    o->path = c->path;
    o->verbosity = c->verbosity;

    if ((ret = open_destination(o, c, f, err, errlen)) < 0)
        return ret;
    o->oc->flags |= AVFMT_FLAG_BITEXACT;
    if (!(o->pkt = av_packet_alloc()))
        return fail(err, errlen, AVERROR(ENOMEM), c->path, "open");

    if (c->remux_path && !audio_only(f))
        ret = setup_remux(o, c, codec, err, errlen);
    else
        ret = add_audio_streams(o, c, codec, NULL, err, errlen);
    if (ret < 0)
        return ret;

    if (!(f->flags & AVFMT_NOFILE) &&
        (ret = avio_open(&o->oc->pb, o->url, AVIO_FLAG_WRITE)) < 0)
        return fail(err, errlen, ret, c->path, "cannot write");
    if (!strcmp(f->name, "mp4") || !strcmp(f->name, "mov") ||
        !strcmp(f->name, "ipod")) {
        if (o->ic)
            av_dict_set(&opts, "movflags", "+faststart", 0);
        else
            o->reserve_index = 1;
    }
    /* over 4 GiB a WAV file becomes RF64 (its header has room for it) */
    if (!strcmp(f->name, "wav") && o->reserved)
        av_dict_set(&opts, "rf64", "auto", 0);
    if ((ret = carry_bext(o, c, &opts)) < 0) {
        av_dict_free(&opts);
        return fail(err, errlen, ret, c->path, "bext");
    }
    read_ixml(o, c);
    /* the streams are checked now either way; the header of a reserved
     * index is written with the first packet */
    ret = o->reserve_index ? avformat_init_output(o->oc, &opts) :
                             avformat_write_header(o->oc, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        return fail(err, errlen, ret, c->path, "the container does not "
                    "accept these streams");
    o->header_written = !o->reserve_index;
    o->can_reopen = !o->ic && o->reserved;
    o->cfg = *c;
    o->cfg.replaced = NULL;     /* the caller's; only a remux reads it */
    o->cfg.nb_replaced = 0;
    if (c->bext_source &&
        (ret = av_dict_copy(&o->bext, c->bext_source, 0)) < 0)
        return fail(err, errlen, ret, c->path, "bext");
    o->cfg.bext_source = o->bext;
    return 0;
}

/*
 * Largest coded packet of a track in bytes, for the index bound: AAC
 * frames hold at most 6144 bits per channel, PCM packets are frame_size
 * samples; 0 where the codec does not say.
 */
static int64_t max_packet_bytes(const Track *t)
{
    int bits = av_get_bits_per_sample(t->enc->codec_id);
    int ch = t->enc->ch_layout.nb_channels;

    if (t->enc->codec_id == AV_CODEC_ID_AAC)
        return 768LL * ch;
    return bits ? (int64_t)t->frame_size * ch * bits / 8 : 0;
}

/*
 * An upper bound of the MP4/MOV index (the moov) for n samples per track:
 * per packet its size (stsz, 4 bytes) and at worst a chunk of its own
 * (chunk offset, 8 bytes; sample-to-chunk entry, 12 bytes). A lone track
 * is written in 1 MiB chunks (the muxer's limit), tracks that interleave
 * may change chunk at every packet. 64 KiB cover the headers, the track
 * headers, durations (stts: one entry per change of packet duration) and
 * edit lists.
 */
static int64_t moov_bound(const OutputFile *o, int64_t n, int rate)
{
    int64_t size = 64 << 10;

    for (int k = 0; k < o->nb_tracks; k++) {
        const Track *t = &o->tracks[k];
        int64_t samples = av_rescale(n, t->enc->sample_rate, rate) +
                          t->enc->initial_padding + t->frame_size;
        int64_t packets = samples / t->frame_size + 2;
        int64_t biggest = max_packet_bytes(t);
        int64_t chunks = o->nb_tracks > 1 || !biggest ? packets :
                         packets * biggest / (1 << 20) + 2;
        size += 4096 + 4 * packets + 20 * FFMIN(chunks, packets);
    }
    return size;
}

int output_expect_samples(OutputFile *o, int64_t n, int rate)
{
    int64_t size;

    if (!o->reserve_index || o->header_written || n <= 0 || rate <= 0)
        return 0;
    size = moov_bound(o, n, rate);
    if (size > INT_MAX)
        return 0;
    o->moov_size = size;
    return 0;
}

/*
 * The deferred header of an MP4/MOV file: with the index's room reserved
 * after it (moov_size: the index is written there at the end, the file
 * stays fast-start, and the muxer does not hold a second copy of it to
 * move the media data); without a known length, the index goes at the
 * end.
 */
static int write_header(OutputFile *o, char *err, size_t errlen)
{
    int ret;

    if (o->header_written)
        return 0;
    if (o->moov_size > 0 &&
        (ret = av_opt_set_int(o->oc->priv_data, "moov_size", o->moov_size,
                              0)) < 0)
        return fail(err, errlen, ret, o->path, "index");
    if ((ret = avformat_write_header(o->oc, NULL)) < 0)
        return fail(err, errlen, ret, o->path, "cannot write the header");
    o->header_written = 1;
    return 0;
}

/* Source time of the next copied packet, seconds. */
static double packet_time(const AVFormatContext *ic, const AVPacket *p)
{
    int64_t ts = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
    if (ts == AV_NOPTS_VALUE)
        return -1e300;
    return ts * av_q2d(ic->streams[p->stream_index]->time_base);
}

/* Copy source packets up to time `until` (s), interleaved with the audio. */
static int pump_copy(OutputFile *o, double until, char *err, size_t errlen)
{
    int ret;
    if (!o->ic)
        return 0;
    for (;;) {
        AVPacket *p = o->copy_pkt;
        if (!o->copy_pending) {
            if (o->copy_eof)
                return 0;
            ret = av_read_frame(o->ic, p);
            if (ret == AVERROR_EOF) {
                o->copy_eof = 1;
                return 0;
            }
            if (ret < 0)
                return fail(err, errlen, ret, o->ic->url, "read error");
            if (o->map[p->stream_index] < 0) {
                av_packet_unref(p);
                continue;
            }
            o->copy_pending = 1;
        }
        if (packet_time(o->ic, p) > until)
            return 0;
        {
            AVStream *ist = o->ic->streams[p->stream_index];
            AVStream *ost = o->oc->streams[o->map[p->stream_index]];
            av_packet_rescale_ts(p, ist->time_base, ost->time_base);
            p->stream_index = ost->index;
            p->pos = -1;
        }
        o->copy_pending = 0;
        if ((ret = av_interleaved_write_frame(o->oc, p)) < 0)
            return fail(err, errlen, ret, o->path, "write error");
    }
}

static int write_packets(OutputFile *o, Track *t, char *err, size_t errlen)
{
    int ret;
    for (;;) {
        ret = avcodec_receive_packet(t->enc, o->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return fail(err, errlen, ret, o->path, "encoding failed");
        av_packet_rescale_ts(o->pkt, t->enc->time_base, t->st->time_base);
        o->pkt->stream_index = t->st->index;
        if ((ret = av_interleaved_write_frame(o->oc, o->pkt)) < 0)
            return fail(err, errlen, ret, o->path, "write error");
    }
}

/* Encode whole frames from the fifo; with flush, the partial last too. */
static int encode_fifo(OutputFile *o, Track *t, int flush, char *err,
                       size_t errlen)
{
    int ret;
    while (av_audio_fifo_size(t->fifo) >= t->frame_size ||
           (flush && av_audio_fifo_size(t->fifo) > 0)) {
        int n = FFMIN(t->frame_size, av_audio_fifo_size(t->fifo));
        int pad = 0;
        AVFrame *fr = t->frame;

        /* Encoders that need whole frames get the last one padded. */
        if (n < t->frame_size &&
            !(t->enc->codec->capabilities &
              (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE)))
            pad = t->frame_size - n;
        av_frame_unref(fr);
        fr->nb_samples = n + pad;
        fr->format = t->enc->sample_fmt;
        fr->sample_rate = t->enc->sample_rate;
        if ((ret = av_channel_layout_copy(&fr->ch_layout, &t->enc->ch_layout)) < 0 ||
            (ret = av_frame_get_buffer(fr, 0)) < 0)
            return fail(err, errlen, ret, o->path, "encoder frame");
        if (av_audio_fifo_read(t->fifo, (void **)fr->extended_data, n) < n)
            return fail(err, errlen, AVERROR_BUG, o->path, "fifo");
        if (pad)
            av_samples_set_silence(fr->extended_data, n, pad,
                                   fr->ch_layout.nb_channels, fr->format);
        fr->pts = t->next_pts;
        t->next_pts += n;
        if ((ret = avcodec_send_frame(t->enc, fr)) < 0)
            return fail(err, errlen, ret, o->path, "encoding failed");
        if ((ret = write_packets(o, t, err, errlen)) < 0)
            return ret;
    }
    return 0;
}

static int convert_in(OutputFile *o, Track *t, const float *const *in, int n,
                      char *err, size_t errlen)
{
    int need = swr_get_out_samples(t->swr, n) + 16, ret;
    if (need > t->conv_size) {
        if (t->conv)
            av_freep(&t->conv[0]);
        av_freep(&t->conv);
        ret = av_samples_alloc_array_and_samples(&t->conv, NULL,
                                                 t->enc->ch_layout.nb_channels,
                                                 need, t->enc->sample_fmt, 0);
        if (ret < 0)
            return fail(err, errlen, ret, o->path, "convert");
        t->conv_size = need;
    }
    for (;;) {
        ret = swr_convert(t->swr, t->conv, t->conv_size,
                          (const uint8_t **)in, in ? n : 0);
        if (ret < 0)
            return fail(err, errlen, ret, o->path, "conversion failed");
        if (ret > 0 && av_audio_fifo_write(t->fifo, (void **)t->conv, ret) < ret)
            return fail(err, errlen, AVERROR(ENOMEM), o->path, "fifo");
        if (in || ret == 0)
            return 0;
    }
}

int output_write(OutputFile *o, int track, const float *const *planar, int n,
                 char *err, size_t errlen)
{
    Track *t = &o->tracks[track];
    int ret;
    if (n <= 0)
        return 0;
    if ((ret = write_header(o, err, errlen)) < 0 ||
        (ret = convert_in(o, t, planar, n, err, errlen)) < 0 ||
        (ret = encode_fifo(o, t, 0, err, errlen)) < 0)
        return ret;
    if (track == 0)
        return pump_copy(o, (double)t->next_pts / t->enc->sample_rate, err,
                         errlen);
    return 0;
}

int output_finish(OutputFile *o, char *err, size_t errlen)
{
    int ret;
    if ((ret = write_header(o, err, errlen)) < 0)
        return ret;
    for (int k = 0; k < o->nb_tracks; k++) {
        Track *t = &o->tracks[k];
        if ((ret = convert_in(o, t, NULL, 0, err, errlen)) < 0 ||
            (ret = encode_fifo(o, t, 1, err, errlen)) < 0)
            return ret;
        if ((ret = avcodec_send_frame(t->enc, NULL)) < 0)
            return fail(err, errlen, ret, o->path, "encoding failed");
        if ((ret = write_packets(o, t, err, errlen)) < 0)
            return ret;
    }
    if ((ret = pump_copy(o, 1e300, err, errlen)) < 0)
        return ret;
    if ((ret = av_write_trailer(o->oc)) < 0)
        return fail(err, errlen, ret, o->path, "cannot finish the file");
    o->header_written = 0;
    if (!(o->oc->oformat->flags & AVFMT_NOFILE) &&
        (ret = avio_closep(&o->oc->pb)) < 0)
        return fail(err, errlen, ret, o->path, "write error");
    if (o->reserved && (ret = append_ixml(o, err, errlen)) < 0)
        return ret;
    if (o->reserved && (ret = atomic_commit(&o->af)) < 0) {
        o->reserved = 0;
        return fail(err, errlen, AVERROR(-ret), o->path, "cannot rename "
                    "into place");
    }
    o->reserved = 0;
    return 0;
}

void output_free(OutputFile **po)
{
    OutputFile *o = *po;
    if (!o)
        return;
    for (int k = 0; k < OUTPUT_MAX_TRACKS; k++)
        free_track(&o->tracks[k]);
    if (o->oc) {
        if (o->oc->pb && !(o->oc->oformat->flags & AVFMT_NOFILE))
            avio_closep(&o->oc->pb);
        avformat_free_context(o->oc);
    }
    if (o->reserved)
        atomic_abort(&o->af);
    avformat_close_input(&o->ic);
    av_packet_free(&o->copy_pkt);
    av_packet_free(&o->pkt);
    av_freep(&o->map);
    av_dict_free(&o->bext);
    free(o->ixml);
    av_freep(po);
}

int output_can_reopen(const OutputFile *o)
{
    return o && o->can_reopen;
}

int output_reopen(OutputFile **po, char *err, size_t errlen)
{
    AVDictionary *bext = NULL;
    OutputConfig c;
    int ret;

    if (!output_can_reopen(*po))
        return AVERROR(ENOSYS);
    c = (*po)->cfg;
    if (c.bext_source && (ret = av_dict_copy(&bext, c.bext_source, 0)) < 0)
        return fail(err, errlen, ret, c.path, "bext");
    c.bext_source = bext;
    output_free(po);
    ret = output_open(po, &c, err, errlen);
    av_dict_free(&bext);
    return ret;
}
