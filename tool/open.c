/*
 * Stage 1, open: inputs, stream selection, working format, outputs.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/statvfs.h>
#include <unistd.h>

#include <libavutil/avstring.h>

#include "av_error.h"
#include "block_cut.h"
#include "clock.h"
#include "mem_available.h"
#include "open.h"
#include "tmp_dir.h"

int internal_error(char *err, size_t errlen, const char *what, int ret)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    snprintf(err, errlen, "%s failed: %s", what,
             error_text(ret, buf, sizeof(buf)));
    return EXIT_INTERNAL;
}


/* The widest layout among the stems of a role; the first wins ties. */
static int widest_stem(const Session *p, enum StemRole role)
{
    int best = -1;
    for (int i = 0; i < p->nb_stems; i++)
        if (p->opt->stems[i].role == role &&
            (best < 0 || p->stems[i].layout.nb_channels >
                         p->stems[best].layout.nb_channels))
            best = i;
    return best;
}

/* The earliest start time (s) among the stems taken from one file. */
static double earliest_start(const Session *p, const char *path)
{
    double t = HUGE_VAL;
    for (int i = 0; i < p->nb_stems; i++)
        if (!strcmp(p->opt->stems[i].path, path))
            t = FFMIN(t, input_start_seconds(&p->stems[i]));
    return t == HUGE_VAL ? 0 : t;
}

/* The deepest of the stems' bits per sample, 0 if none is known. */
static int source_bits(const Session *p)
{
    int bits = 0;
    for (int i = 0; i < p->nb_stems; i++)
        bits = FFMAX(bits, p->stems[i].bits_per_sample);
    return bits;
}

/* The first stem of a role: whose bext its output carries. */
static const InputStem *first_stem(const Session *p, enum StemRole role)
{
    for (int i = 0; i < p->nb_stems; i++)
        if (p->opt->stems[i].role == role)
            return &p->stems[i];
    return NULL;
}

/* -o: the mix, remuxed into the first input when there is one. */
static int open_mix_output(Session *p, char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    const InputStem *src = &p->stems[p->source_stem];
    int replaced[CLI_MAX_STEMS], nb_replaced = 0;
    OutputConfig c = {
        .path = o->output,
        .format = o->format,
        .sample_rate = p->work_rate,
        .layout = &p->out_layout,
        .codec = o->codec,
        .source_codec = src->codec_id,
        .source_bits = source_bits(p),
        .out_rate = o->sample_rate,
        .sample_fmt = o->sample_fmt,
        .codec_opts = o->codec_opts,
        .nb_codec_opts = o->nb_codec_opts,
        .bitrate = o->bitrate,
        .threads = o->threads,
        .nb_tracks = 1,
        .verbosity = o->verbosity,
        .bext_source = first_stem(p, STEM_DIALOGUE)->fmt->metadata,
        .bext_rate = first_stem(p, STEM_DIALOGUE)->sample_rate,
        .bext_what = "mix",
        .ixml_file = first_stem(p, STEM_DIALOGUE)->file,
        .ixml_name = first_stem(p, STEM_DIALOGUE)->path,
    };
    if (o->nb_inputs) {
        /* The audio stems taken from the first input are replaced by
         * the mix; its other streams are copied. */
        for (int i = 0; i < p->nb_stems; i++)
            if (o->stems[i].input_index == 0)
                replaced[nb_replaced++] = p->stems[i].stream_index;
        c.remux_path = o->input_files[0] ? o->input_files[0] : o->inputs[0];
        c.replaced = replaced;
        c.nb_replaced = nb_replaced;
        /* the mix starts where the first input's earliest stem does */
        if (p->opt->stems[p->source_stem].input_index == 0)
            c.start_time = earliest_start(p, o->inputs[0]);
    }
    if (o->keep_stems) {
        c.titles[c.nb_tracks++] = "Ducked music";
        if (p->has_effects)
            c.titles[c.nb_tracks++] = "Effects";
    }
    if (output_open(&p->out, &c, err, errlen) < 0)
        return EXIT_OUTPUT;
    av_strlcpy(p->codec_name, output_codec_name(p->out),
               sizeof(p->codec_name));
    av_strlcpy(p->format_name, output_format_name(p->out),
               sizeof(p->format_name));
    return EXIT_OK;
}

const char *music_out_codec(const CliOptions *o)
{
    const char *ext = strrchr(o->music_out, '.');
    int wav = ext && (!av_strcasecmp(ext, ".wav") ||
                      !av_strcasecmp(ext, ".w64"));
    /* float WAV keeps the renderer's output exactly */
    return wav ? NULL : o->codec;
}

/* --music-out: the ducked music alone. */
static int open_music_output(Session *p, char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    OutputConfig c = {
        .path = o->music_out,
        .sample_rate = p->work_rate,
        .layout = &p->out_layout,
        .codec = music_out_codec(o),
        .source_codec = AV_CODEC_ID_NONE,
        .out_rate = o->sample_rate,
        .sample_fmt = AV_SAMPLE_FMT_NONE,
        .float_pcm = 1,
        .bitrate = o->bitrate,
        .threads = o->threads,
        .nb_tracks = 1,
        .bext_source = first_stem(p, STEM_MUSIC)->fmt->metadata,
        .bext_rate = first_stem(p, STEM_MUSIC)->sample_rate,
        .bext_what = "ducked music",
        .ixml_file = first_stem(p, STEM_MUSIC)->file,
        .ixml_name = first_stem(p, STEM_MUSIC)->path,
        .verbosity = o->verbosity,
    };
    if (output_open(&p->music_out, &c, err, errlen) < 0)
        return EXIT_OUTPUT;
    av_strlcpy(p->music_codec_name, output_codec_name(p->music_out),
               sizeof(p->music_codec_name));
    return EXIT_OK;
}

static int open_outputs(Session *p, char *err, size_t errlen)
{
    int ret;

    if (p->opt->output && (ret = open_mix_output(p, err, errlen)) != EXIT_OK)
        return ret;
    if (p->opt->music_out)
        return open_music_output(p, err, errlen);
    return EXIT_OK;
}

/* Open every stem's input and pick its stream. */
static int open_inputs(Session *p, char *err, size_t errlen)
{
    const CliOptions *opt = p->opt;

    for (int i = 0; i < opt->nb_stems; i++) {
        const CliStem *s = &opt->stems[i];
        int ret = input_open(&p->stems[i], s->path, s->file, s->spec,
                             s->arg, opt->threads, err, errlen);
        if (ret < 0)
            return input_exit_code(ret);
        p->nb_stems++;
        if (p->stems[i].layout.nb_channels > MAX_CHANNELS) {
            snprintf(err, errlen, "%s: %d channels; at most %d are supported",
                     s->path, p->stems[i].layout.nb_channels, MAX_CHANNELS);
            return EXIT_INPUT;
        }
        if (opt->verbosity >= VERB_VERBOSE)
            fprintf(stderr, "dialogueduck: %s %s: stream %d, %s, %d Hz, "
                    "%d channels\n", cli_role_name(s->role), s->arg,
                    p->stems[i].stream_index,
                    avcodec_get_name(p->stems[i].codec_id),
                    p->stems[i].sample_rate, p->stems[i].layout.nb_channels);
    }
    return EXIT_OK;
}

/*
 * The working format: one rate, the highest of the stems so nothing is
 * band-limited on the way, up to 192 kHz (the loudness meter's limit, and
 * past anything audible); the mix takes the music's layout, or a wider
 * stem's; the dialogue bus the widest dialogue stem's.
 */
static int choose_format(Session *p, char *err, size_t errlen)
{
    const CliOptions *opt = p->opt;
    int ret, music, dlg, widest;

    for (int i = 0; i < p->nb_stems; i++) {
        p->work_rate = FFMIN(FFMAX(p->work_rate, p->stems[i].sample_rate),
                             INPUT_MAX_WORK_RATE);
        p->has_effects |= opt->stems[i].role == STEM_EFFECTS;
        p->duration = FFMAX(p->duration, p->stems[i].duration);
    }
    p->hop = dd_hop_size(p->work_rate);

    music = widest_stem(p, STEM_MUSIC);
    widest = music;
    for (int i = 0; i < p->nb_stems; i++)
        if (p->stems[i].layout.nb_channels > p->stems[widest].layout.nb_channels)
            widest = i;
    dlg = widest_stem(p, STEM_DIALOGUE);
    if ((ret = av_channel_layout_copy(&p->out_layout, &p->stems[widest].layout)) < 0 ||
        (ret = av_channel_layout_copy(&p->dlg_layout, &p->stems[dlg].layout)) < 0)
        return internal_error(err, errlen, "layout", ret);
    p->center = mix_center_index(&p->dlg_layout);

    for (int i = 0; i < p->nb_stems; i++) {
        const AVChannelLayout *bus = opt->stems[i].role == STEM_DIALOGUE ?
                                     &p->dlg_layout : &p->out_layout;
        if ((ret = mix_matrix_init(&p->to_bus[i], &p->stems[i].layout, bus)) < 0)
            return internal_error(err, errlen, "channel mapping", ret);
    }
    if ((ret = mix_placement_init(&p->dlg_to_out, &p->dlg_layout, &p->out_layout)) < 0)
        return internal_error(err, errlen, "channel mapping", ret);

    /* The output keeps the codec of the audio it replaces: the first
     * input's stems, else the dialogue. */
    p->source_stem = dlg;
    for (int i = 0; i < p->nb_stems; i++)
        if (opt->stems[i].input_index == 0) {
            p->source_stem = i;
            break;
        }
    return EXIT_OK;
}

static int alloc_buffers(Session *p, char *err, size_t errlen)
{
    int ret, max_ch = 0, oc = p->out_layout.nb_channels;

    for (int i = 0; i < p->nb_stems; i++)
        max_ch = FFMAX(max_ch, p->stems[i].layout.nb_channels);
    if ((ret = audiobuf_alloc(&p->in, max_ch, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->dlg, p->dlg_layout.nb_channels, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->dout, oc, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->music, oc, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->fx, oc, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->mix, oc, PIPELINE_BLOCK)) < 0 ||
        (ret = audiobuf_alloc(&p->tmp, oc, PIPELINE_BLOCK)) < 0)
        return internal_error(err, errlen, "allocation", ret);
    return EXIT_OK;
}

static int start_inputs(Session *p, char *err, size_t errlen)
{
    const CliOptions *opt = p->opt;
    double lead;
    int ret;

    for (int i = 0; i < p->nb_stems; i++) {
        if ((ret = input_start(&p->stems[i], p->work_rate, err, errlen)) < 0)
            return input_exit_code(ret);
        /* Streams of one file keep their offsets to each other: a stem
         * starting after the file's earliest stem starts with silence. */
        lead = input_start_seconds(&p->stems[i]) -
               earliest_start(p, opt->stems[i].path);
        if (lead > 0.0005 &&
            (ret = input_pad_start(&p->stems[i],
                                   llrint(lead * p->work_rate))) < 0)
            return internal_error(err, errlen, "padding", ret);
        /* Decoding runs beside the mixing unless one thread is asked
         * for, or the stem is PCM: reading it is a copy and a
         * conversion, and handing it over between threads cost more
         * CPU time than that (README, Performance). */
        if ((ret = input_set_async(&p->stems[i], opt->threads != 1 &&
                                   !output_codec_is_pcm(p->stems[i].codec_id))) < 0)
            return internal_error(err, errlen, "decoder thread", ret);
    }
    return EXIT_OK;
}

/* The buses a block of the cache holds: the dialogue, the music and,
 * when there are effects stems, the effects. */
static int cache_planes(Session *p, float **planes)
{
    int n = 0, oc = p->out_layout.nb_channels;

    for (int c = 0; c < p->dlg_layout.nb_channels; c++)
        planes[n++] = p->dlg.data[c];
    for (int c = 0; c < oc; c++)
        planes[n++] = p->music.data[c];
    for (int c = 0; p->has_effects && c < oc; c++)
        planes[n++] = p->fx.data[c];
    return n;
}

static void cache_note(const Session *p, const char *what, const char *why)
{
    int level = p->opt->cache == CACHE_ON ? VERB_WARNING : VERB_VERBOSE;

    if (p->opt->verbosity >= level)
        fprintf(stderr, "dialogueduck: %s%s: %s; every pass decodes the "
                "stems\n", level == VERB_WARNING ? "warning: " : "", what,
                why);
}

/* No cache from now on: the later passes decode. */
static void cache_drop(Session *p, const char *why, int ret)
{
    char buf[AV_ERROR_MAX_STRING_SIZE], what[96];

    snprintf(what, sizeof(what), "the pass cache is dropped after %.1f MiB",
             passcache_size(p->cache) / 1048576.0);
    cache_note(p, what, why ? why : error_text(ret, buf, sizeof(buf)));
    passcache_free(&p->cache);
    p->cache_state = SESSION_CACHE_NONE;
}

/*
 * Decoding again costs more than reading back 4 bytes per sample when a
 * stem is compressed, lossy (AAC, MP3, Opus) or lossless (FLAC); a PCM
 * stem (WAV, AIFF) is read back from its own file as cheaply as from the
 * cache (measured: README, Performance).
 */
static int cache_pays(const Session *p)
{
    for (int i = 0; i < p->nb_stems; i++)
        if (!output_codec_is_pcm(p->stems[i].codec_id))
            return 1;
    return 0;
}

/*
 * Bytes per sample the cache is expected to take: 2 when every stem is
 * 16-bit or less (PCM, FLAC) at the working rate, whose blocks the cache
 * stores as 16-bit integers (passcache.h), else 4.
 */
static int cache_sample_bytes(const Session *p)
{
    for (int i = 0; i < p->nb_stems; i++) {
        const InputStem *s = &p->stems[i];
        if (s->bits_per_sample <= 0 || s->bits_per_sample > 16 ||
            s->sample_rate != p->work_rate)
            return 4;
    }
    return 2;
}

/*
 * The cache for the passes after the first, in TMPDIR: scratch space the
 * system keeps local (the output's directory may be a network share,
 * where writing and reading back gigabytes costs more than decoding), and
 * the output's own space is left to the output. At most a quarter of the
 * free space (a programme that would need more is decoded twice), and
 * dropped, its space returned, if the free space falls to half of what
 * it was (the output, or other jobs, may share the filesystem). And at
 * most an eighth of the available memory (mem_available.h): the cache
 * pays while writing it stays under the kernel's dirty limit (a fifth of
 * that memory by default), past which the writer is throttled; an eighth
 * leaves room for a WAV output of the same length beside it. Measured on
 * two hours of 16-bit FLAC stems (README, Performance): a 2.6 GB cache
 * pays, a 5.3 GB one costs more than decoding again.
 */
static void open_cache(Session *p)
{
    const CliOptions *o = p->opt;
    const char *dir = tmp_dir();
    float *planes[PASSCACHE_MAX_PLANES];
    struct statvfs fs;
    char why[96], buf[AV_ERROR_MAX_STRING_SIZE];
    int64_t budget, need, ram;
    int ret;

    if (o->analyze_only || o->cache == CACHE_OFF ||
        (o->cache == CACHE_AUTO && !cache_pays(p)))
        return;
    if (statvfs(dir, &fs) < 0) {
        cache_note(p, "no pass cache", strerror(errno));
        return;
    }
    budget = (int64_t)(fs.f_bavail / 4) * (int64_t)fs.f_frsize;
    ram = mem_available() / 8;
    need = (int64_t)ceil(p->duration * p->work_rate) *
           cache_planes(p, planes) * (int64_t)cache_sample_bytes(p);
    if (need > budget) {
        snprintf(why, sizeof(why), "%s has %.0f MiB free, it needs %.0f MiB "
                 "(a quarter at most)", dir, 4.0 * budget / 1048576.0,
                 need / 1048576.0);
        cache_note(p, "no pass cache", why);
        return;
    }
    if (ram > 0 && need > ram) {
        snprintf(why, sizeof(why), "it needs %.0f MiB, over an eighth of the "
                 "available memory (%.0f MiB)", need / 1048576.0,
                 8.0 * ram / 1048576.0);
        cache_note(p, "no pass cache", why);
        return;
    }
    if ((ret = passcache_open(&p->cache, dir, budget, 2 * budget)) < 0) {
        cache_note(p, "no pass cache", error_text(ret, buf, sizeof(buf)));
        return;
    }
    p->cache_state = SESSION_CACHE_WRITING;
    if (o->verbosity >= VERB_VERBOSE)
        fprintf(stderr, "dialogueduck: pass cache: an unnamed file in %s "
                "(about %.0f MiB)\n", dir, need / 1048576.0);
}

int session_open(Session *p, const CliOptions *opt, char *err, size_t errlen)
{
    double t0 = clock_seconds();
    int ret;

    memset(p, 0, sizeof(*p));
    p->opt = opt;
    if ((ret = open_inputs(p, err, errlen)) != EXIT_OK ||
        (ret = choose_format(p, err, errlen)) != EXIT_OK ||
        (ret = alloc_buffers(p, err, errlen)) != EXIT_OK ||
        (ret = start_inputs(p, err, errlen)) != EXIT_OK)
        return ret;
    /* Outputs are created before the long passes so that an unwritable
     * destination fails at once. */
    ret = open_outputs(p, err, errlen);
    if (ret == EXIT_OK)
        open_cache(p);
    p->seconds = clock_seconds() - t0;
    return ret;
}

/* Pass 1's block of n samples (0: the end) into the cache. */
static void cache_block(Session *p, int n, int dialogue_only)
{
    float *planes[PASSCACHE_MAX_PLANES];
    int ret;

    if (dialogue_only)
        cache_drop(p, "pass 1 reads the dialogue only", 0);
    else if (!n)
        p->cache_state = SESSION_CACHE_COMPLETE;
    else if ((ret = passcache_write(p->cache, planes, cache_planes(p, planes),
                                    n)) < 0)
        cache_drop(p, ret == AVERROR(ENOSPC) ? "TMPDIR is filling up" :
                   NULL, ret);
}

/* The next block as pass 1 read it. */
static int read_cached(Session *p, char *err, size_t errlen)
{
    float *planes[PASSCACHE_MAX_PLANES];
    char buf[AV_ERROR_MAX_STRING_SIZE];
    int n = passcache_read(p->cache, planes, cache_planes(p, planes),
                           PIPELINE_BLOCK);

    if (n < 0) {
        snprintf(err, errlen, "%s: cannot read the pass cache back: %s",
                 tmp_dir(), error_text(n, buf, sizeof(buf)));
        return n;
    }
    /* what a decoding pass leaves past the block: silence */
    audiobuf_zero(&p->dlg, n, PIPELINE_BLOCK - n);
    audiobuf_zero(&p->music, n, PIPELINE_BLOCK - n);
    if (p->has_effects)
        audiobuf_zero(&p->fx, n, PIPELINE_BLOCK - n);
    else
        audiobuf_zero(&p->fx, 0, PIPELINE_BLOCK);
    return n;
}

int session_read_block(Session *p, int dialogue_only, char *err, size_t errlen)
{
    int nmax = 0, want;

    if (p->cache_state == SESSION_CACHE_READING)
        return read_cached(p, err, errlen);
    want = block_cut_next(PIPELINE_BLOCK);
    /* each stem is added to silence, even a role's only one: 0 + -0 is
     * +0, and the pass cache stores a plane of +0 as nothing */
    audiobuf_zero(&p->dlg, 0, PIPELINE_BLOCK);
    audiobuf_zero(&p->music, 0, PIPELINE_BLOCK);
    audiobuf_zero(&p->fx, 0, PIPELINE_BLOCK);
    for (int i = 0; i < p->nb_stems; i++) {
        AudioBuf *bus;
        int n;
        if (dialogue_only && p->opt->stems[i].role != STEM_DIALOGUE)
            continue;
        n = input_read(&p->stems[i], p->in.data, want, err, errlen);
        if (n < 0)
            return n;
        switch (p->opt->stems[i].role) {
        case STEM_DIALOGUE: bus = &p->dlg;   break;
        case STEM_MUSIC:    bus = &p->music; break;
        default:            bus = &p->fx;    break;
        }
        mix_add(&p->to_bus[i], bus->data, (const float *const *)p->in.data, n);
        nmax = FFMAX(nmax, n);
    }
    if (p->cache_state == SESSION_CACHE_WRITING)
        cache_block(p, nmax, dialogue_only);
    return nmax;
}

void session_dialogue_to_out(Session *p, int n)
{
    audiobuf_zero(&p->dout, 0, n);
    mix_add(&p->dlg_to_out, p->dout.data, (const float *const *)p->dlg.data, n);
}

/* mix = d + m + fx, eight samples at a time as mix.c's add_scaled() (the
 * fixed inner loop is what the compiler vectorizes at -O2; restrict: the
 * buffers are distinct), each sum in the same order: the same bits. */
static void sum3(float *restrict mix, const float *restrict d,
                 const float *restrict m, const float *restrict fx, int n)
{
    int k = 0;

    for (; k + 8 <= n; k += 8)
        for (int u = 0; u < 8; u++)
            mix[k + u] = d[k + u] + m[k + u] + fx[k + u];
    for (; k < n; k++)
        mix[k] = d[k] + m[k] + fx[k];
}

void session_mix(Session *p, float *const *music, int n)
{
    for (int ch = 0; ch < p->out_layout.nb_channels; ch++)
        sum3(p->mix.data[ch], p->dout.data[ch], music[ch], p->fx.data[ch], n);
}

int session_rewind(Session *p, int last, char *err, size_t errlen)
{
    int ret;

    if (p->cache_state == SESSION_CACHE_COMPLETE ||
        p->cache_state == SESSION_CACHE_READING) {
        if ((ret = passcache_rewind(p->cache, last)) >= 0) {
            if (p->cache_state == SESSION_CACHE_COMPLETE &&
                p->opt->verbosity >= VERB_VERBOSE)
                fprintf(stderr, "dialogueduck: pass cache: %.1f MiB read "
                        "back, the stems are not decoded again\n",
                        passcache_size(p->cache) / 1048576.0);
            p->cache_state = SESSION_CACHE_READING;
            return EXIT_OK;
        }
        cache_drop(p, ret == AVERROR(EINVAL) ? "the write pass gave it back "
                   "as it read it" : NULL, ret);
    } else if (p->cache_state == SESSION_CACHE_WRITING) {
        cache_drop(p, "pass 1 did not reach the end", 0);
    }
    for (int i = 0; i < p->nb_stems; i++) {
        if ((ret = input_rewind(&p->stems[i], err, errlen)) < 0)
            return input_exit_code(ret);
    }
    return EXIT_OK;
}

void session_free(Session *p)
{
    passcache_free(&p->cache);
    output_free(&p->out);
    output_free(&p->music_out);
    for (int i = 0; i < p->nb_stems; i++) {
        input_close(&p->stems[i]);
        mix_matrix_free(&p->to_bus[i]);
    }
    mix_matrix_free(&p->dlg_to_out);
    audiobuf_free(&p->in);
    audiobuf_free(&p->dlg);
    audiobuf_free(&p->dout);
    audiobuf_free(&p->music);
    audiobuf_free(&p->fx);
    audiobuf_free(&p->mix);
    audiobuf_free(&p->tmp);
    av_channel_layout_uninit(&p->out_layout);
    av_channel_layout_uninit(&p->dlg_layout);
}
