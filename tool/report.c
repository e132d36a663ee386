/*
 * The --report JSON.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "config.h"
#include "json_writer.h"
#include "report.h"
#include "utf8_text.h"

static double db(double lin)
{
    return lin > 0 ? 20 * log10(lin) : -HUGE_VAL;
}

static void input_entry(JsonWriter *w, const char *path)
{
    struct stat st;
    json_object_begin(w);
    json_kv_path(w, "path", path);
    if (!stat(path, &st)) {
        json_kv_int(w, "size", (int64_t)st.st_size);
        /* Whole seconds: what every file system and copy tool keeps. */
        json_kv_int(w, "mtime", (int64_t)st.st_mtim.tv_sec);
    }
    json_object_end(w);
}

/* Every file read, once, in command-line order. */
static void write_inputs(JsonWriter *w, const CliOptions *o)
{
    const char *seen[CLI_MAX_INPUTS + CLI_MAX_STEMS + 1];
    int nb = 0;

    json_key(w, "inputs");
    json_array_begin(w);
    for (int i = 0; i < o->nb_inputs + o->nb_stems + 1; i++) {
        const char *path = i < o->nb_inputs ? o->inputs[i] :
                           i < o->nb_inputs + o->nb_stems ?
                           o->stems[i - o->nb_inputs].path : o->apply_keyframes;
        int dup = 0;
        if (!path)
            continue;
        for (int j = 0; j < nb; j++)
            dup |= !strcmp(seen[j], path);
        if (dup)
            continue;
        seen[nb++] = path;
        input_entry(w, path);
    }
    json_array_end(w);
}

static void write_streams(JsonWriter *w, const Pipeline *p)
{
    json_key(w, "streams");
    json_array_begin(w);
    for (int i = 0; i < p->session.nb_stems; i++) {
        const InputStem *s = &p->session.stems[i];
        const CliStem *c = &p->opt->stems[i];
        char layout[128];
        av_channel_layout_describe(&s->layout, layout, sizeof(layout));
        json_object_begin(w);
        json_kv_string(w, "role", cli_role_name(c->role));
        json_kv_path(w, "arg", c->arg);
        json_kv_path(w, "path", c->path);
        json_kv_int(w, "stream_index", s->stream_index);
        json_kv_string(w, "codec", avcodec_get_name(s->codec_id));
        json_kv_int(w, "sample_rate", s->sample_rate);
        json_kv_int(w, "channels", s->layout.nb_channels);
        json_kv_string(w, "layout", layout);
        json_kv_double(w, "duration", (double)s->samples_read / p->session.work_rate, 6);
        /* packets the decoder rejected or concealed; first at seconds */
        json_kv_int(w, "damaged_packets", input_damage(s));
        if (input_damage(s))
            json_kv_double(w, "first_damage", s->first_damage, 6);
        json_object_end(w);
    }
    json_array_end(w);
}

static void write_params(JsonWriter *w, const CliOptions *o)
{
    const DDParams *pr = &o->params;
    json_key(w, "parameters");
    json_object_begin(w);
    json_kv_double(w, "depth", pr->depth, 2);
    json_kv_double(w, "below", pr->below, 2);
    json_kv_double(w, "lookahead", pr->lookahead, 3);
    json_kv_double(w, "attack", pr->attack, 3);
    json_kv_double(w, "release", pr->release, 3);
    json_kv_double(w, "hold", pr->hold, 3);
    json_kv_double(w, "threshold", pr->threshold, 2);
    json_kv_bool(w, "spectral", pr->spectral);
    json_kv_double(w, "band_low", pr->band_low, 1);
    json_kv_double(w, "band_high", pr->band_high, 1);
    json_kv_string(w, "loudness", o->loudness_arg);
    json_kv_double(w, "target_lufs", o->target_lufs, 2);
    json_kv_double(w, "true_peak", o->true_peak, 2);
    json_kv_string(w, "gate", o->gate == GATE_DIALOGUE ? "dialogue" : "program");
    json_kv_string(w, "apply_keyframes", o->apply_keyframes);
    json_object_end(w);
}

static void write_output(JsonWriter *w, const char *key, const char *path,
                         const char *format, const char *codec,
                         const Pipeline *p)
{
    char layout[128];
    struct stat st;
    av_channel_layout_describe(&p->session.out_layout, layout, sizeof(layout));
    json_key(w, key);
    json_object_begin(w);
    json_kv_path(w, "path", path);
    if (format)
        json_kv_string(w, "format", format);
    json_kv_string(w, "codec", codec);
    json_kv_int(w, "sample_rate", p->session.work_rate);
    json_kv_int(w, "channels", p->session.out_layout.nb_channels);
    json_kv_string(w, "layout", layout);
    json_kv_double(w, "duration", (double)pipeline_samples(p) / p->session.work_rate, 6);
    /* the file is in place when the report is written: batch mode's
     * up-to-date check compares this size with the file's */
    if (stat(path, &st) == 0)
        json_kv_int(w, "size", (int64_t)st.st_size);
    json_object_end(w);
}

/* The delivered mix, measured as it was written. */
static void write_after(JsonWriter *w, const Pipeline *p)
{
    json_key(w, "after");
    json_object_begin(w);
    json_kv_double(w, "integrated", p->opt->gate == GATE_DIALOGUE &&
                   isfinite(p->render.lufs_dialogue) ? p->render.lufs_dialogue :
                   p->render.lufs_program, 2);
    json_kv_double(w, "integrated_program", p->render.lufs_program, 2);
    json_kv_double(w, "integrated_dialogue", p->render.lufs_dialogue, 2);
    json_kv_double(w, "loudness_range", p->render.loudness_range, 2);
    /* "output": measured on the delivered mix (the limiter ran);
     * "analysis": the mix before the gain, which a gain leaves as is */
    json_kv_string(w, "loudness_range_from", p->render.range_measured ?
                   "output" : "analysis");
    json_kv_double(w, "sample_peak", db(p->render.sample_peak), 2);
    json_kv_double(w, "true_peak", db(p->render.true_peak), 2);
    json_object_end(w);
}

/* Whether the limiter runs (decided from the analysis) and, once
 * rendered, what it did. */
static void write_limiter(JsonWriter *w, const Pipeline *p)
{
    const LimiterStats *l = &p->render.limiter;

    json_key(w, "limiter");
    json_object_begin(w);
    json_kv_bool(w, "used", p->norm.limiter_used);
    json_kv_double(w, "ceiling", p->opt->true_peak, 2);
    if (p->rendered) {
        json_kv_int(w, "samples_limited", l->samples_limited);
        json_kv_double(w, "seconds_limited",
                       (double)l->samples_limited / p->session.work_rate, 3);
        json_kv_double(w, "max_reduction_db", l->max_reduction_db, 2);
        json_kv_int(w, "loudness_corrections", p->norm.corrections);
    }
    json_object_end(w);
}

static void write_loudness(JsonWriter *w, const Pipeline *p)
{
    const CliOptions *o = p->opt;
    json_key(w, "loudness");
    json_object_begin(w);
    json_kv_double(w, "target", o->target_lufs, 2);
    json_kv_string(w, "gate", o->gate == GATE_DIALOGUE ? "dialogue" : "program");

    json_key(w, "before");
    json_object_begin(w);
    json_kv_double(w, "integrated", p->norm.measured_lufs, 2);
    json_kv_double(w, "integrated_program", p->analysis.lufs_program, 2);
    json_kv_double(w, "integrated_dialogue", p->analysis.lufs_dialogue, 2);
    json_kv_double(w, "unducked", p->analysis.lufs_unducked, 2);
    json_kv_double(w, "loudness_range", p->analysis.loudness_range, 2);
    json_kv_double(w, "sample_peak", db(p->analysis.sample_peak), 2);
    json_kv_double(w, "true_peak", db(p->analysis.true_peak), 2);
    json_object_end(w);

    json_kv_double(w, "gain_db", p->norm.gain_db, 3);
    if (p->rendered)
        write_after(w, p);
    json_object_end(w);
    write_limiter(w, p);
}

static void write_regions(JsonWriter *w, const Pipeline *p)
{
    int64_t speech = analysis_speech_hops(&p->analysis);
    json_kv_int(w, "keyframe_count", (int64_t)p->analysis.nb_kf);
    json_kv_string(w, "keyframes_source",
                   p->analysis.applied_keyframes ? "file" : "analysis");
    json_kv_double(w, "dialogue_fraction",
                   p->analysis.nb_activity ? (double)speech / p->analysis.nb_activity : 0, 4);
    json_key(w, "regions");
    json_array_begin(w);
    for (size_t i = 0; i < p->analysis.nb_regions; i++) {
        json_object_begin(w);
        json_kv_double(w, "start", (double)p->analysis.regions[i].start / p->session.work_rate, 3);
        json_kv_double(w, "end", (double)p->analysis.regions[i].end / p->session.work_rate, 3);
        json_kv_double(w, "depth", p->analysis.regions[i].depth, 2);
        json_object_end(w);
    }
    json_array_end(w);
}

/* The command line's raw bytes, when an argument is not UTF-8: batch mode
 * compares them with the command it would run. */
static void write_command_bytes(JsonWriter *w, const CliOptions *o)
{
    int i;
    for (i = 1; i < o->argc && utf8_valid(o->argv[i]); i++)
        ;
    if (i == o->argc)
        return;
    json_key(w, "command_bytes");
    json_array_begin(w);
    for (i = 1; i < o->argc; i++)
        json_string_bytes(w, o->argv[i]);
    json_array_end(w);
}

int report_write(const char *path, const Pipeline *p, double t_total,
                 char *err, size_t errlen)
{
    const CliOptions *o = p->opt;
    AtomicFile af;
    JsonWriter w;
    int ret;

    if ((ret = atomic_open(&af, path)) < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(-ret));
        return ret;
    }
    json_init(&w, af.fp, 1);
    json_object_begin(&w);
    json_kv_string(&w, "program", "dialogueduck");
    json_kv_string(&w, "version", DD_VERSION_STRING);
    json_key(&w, "command");
    json_array_begin(&w);
    for (int i = 1; i < o->argc; i++)
        json_string(&w, o->argv[i]);
    json_array_end(&w);
    write_command_bytes(&w, o);
    write_inputs(&w, o);
    write_streams(&w, p);
    /* false: analysis only, no "after" figures */
    json_kv_bool(&w, "rendered", p->rendered);
    if (o->output)
        write_output(&w, "output", o->output, p->session.format_name, p->session.codec_name, p);
    if (o->music_out)
        write_output(&w, "music_out", o->music_out, NULL,
                     p->session.music_codec_name, p);
    json_kv_double(&w, "duration", (double)pipeline_samples(p) / p->session.work_rate, 6);
    json_kv_int(&w, "sample_rate", p->session.work_rate);
    write_params(&w, o);
    write_regions(&w, p);
    write_loudness(&w, p);
    json_key(&w, "timings");
    json_object_begin(&w);
    json_kv_double(&w, "open", p->session.seconds, 3);
    json_kv_double(&w, "analysis", p->analysis.seconds, 3);
    json_kv_double(&w, "render", p->render.seconds, 3);
    json_kv_double(&w, "total", t_total, 3);
    json_kv_double(&w, "realtime_factor", t_total > 0 ?
                   (double)pipeline_samples(p) / p->session.work_rate / t_total : 0, 1);
    json_object_end(&w);
    json_object_end(&w);
    if ((ret = atomic_commit(&af)) < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(-ret));
        return ret;
    }
    return 0;
}
