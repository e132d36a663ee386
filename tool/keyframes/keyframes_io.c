/*
 * Keyframe files by format: the format a name stands for, export
 * (kf_write: checks, atomic output, the writer of the format) and import
 * (kf_read: the reader of the format), and the plain-text writers (JSON,
 * CSV, Audacity labels). The editor and FFmpeg formats are in kf_xmeml.c,
 * kf_fcpxml.c and kf_cmd.c; the readers are in kf_import.c.
 *
 * Every writer prints fixed-precision numbers and nothing that depends on
 * the clock or the environment, so the same input gives the same file.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "atomic_file.h"
#include "json_writer.h"
#include "keyframes_io.h"
#include "kf_cmd.h"
#include "kf_fcpxml.h"
#include "kf_import.h"
#include "kf_xmeml.h"

static const struct {
    const char *name;
    int format;
} format_names[] = {
    { "json",   KF_FORMAT_JSON   },
    { "csv",    KF_FORMAT_CSV    },
    { "cmd",    KF_FORMAT_CMD    },
    { "xml",    KF_FORMAT_XMEML  },
    { "xmeml",  KF_FORMAT_XMEML  },
    { "fcpxml", KF_FORMAT_FCPXML },
    { "txt",    KF_FORMAT_LABELS },
    { "labels", KF_FORMAT_LABELS },
};

int kf_format_from_name(const char *path, const char *forced)
{
    const char *name = forced;

    if (!name) {
        const char *slash = path ? strrchr(path, '/') : NULL;
        const char *dot = path ? strrchr(slash ? slash : path, '.') : NULL;
        if (!dot)
            return -1;
        name = dot + 1;
    }
    for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
        if (!strcasecmp(name, format_names[i].name))
            return format_names[i].format;
    return -1;
}

/*
 * Digits a keyframe gain needs: keyframes sit on the 0.1 dB grid, except
 * where a new line cut a fade-up short; that gain is written exactly so an
 * exported envelope renders back to the same samples.
 */
static int gain_decimals(double g)
{
    return dd_round_db(g) == g ? 1 : 15;
}

/* A keyframe gain without "-0.0". */
static void put_db(FILE *fp, double g)
{
    fprintf(fp, "%.*f", gain_decimals(g), g == 0.0 ? 0.0 : g); /* not -0.0 */
}

static int kf_write_json(FILE *fp, const KfDoc *doc, char *err, size_t errlen)
{
    JsonWriter w;
    char tb[32];

    (void)err;
    (void)errlen;
    snprintf(tb, sizeof(tb), "1/%d", doc->sample_rate);
    json_init(&w, fp, 1);
    json_object_begin(&w);
    json_kv_string(&w, "format", "dialogueduck-keyframes");
    json_kv_int(&w, "version", 1);
    json_kv_int(&w, "sample_rate", doc->sample_rate);
    /* All times below ("t", "start", "end", "duration") are sample
     * indices in this time base. */
    json_kv_string(&w, "time_base", tb);
    json_kv_int(&w, "duration", doc->duration);
    if (doc->music_path)
        json_kv_path(&w, "music", doc->music_path);

    json_key(&w, "params");
    json_object_begin(&w);
    json_kv_double(&w, "depth", doc->params.depth, 1);
    json_kv_double(&w, "below", doc->params.below, 1);
    json_kv_double(&w, "lookahead", doc->params.lookahead, 3);
    json_kv_double(&w, "attack", doc->params.attack, 3);
    json_kv_double(&w, "release", doc->params.release, 3);
    json_kv_double(&w, "hold", doc->params.hold, 3);
    json_kv_double(&w, "threshold", doc->params.threshold, 1);
    json_kv_bool(&w, "spectral", doc->params.spectral);
    json_kv_string(&w, "spectral_mode",
                   doc->params.spectral == DD_SPECTRAL_ADAPTIVE ? "adaptive" :
                   doc->params.spectral ? "band" : "off");
    if (doc->params.spectral == DD_SPECTRAL_ADAPTIVE)
        json_kv_double(&w, "unmask", doc->params.unmask, 1);
    json_object_end(&w);
    if (doc->params.spectral == DD_SPECTRAL_ADAPTIVE)
        json_kv_string(&w, "envelope", "broadband-equivalent: adaptive "
                       "carving lowers each band only as far as the music "
                       "masks the dialogue there, at most as far as these "
                       "keyframes say");

    json_key(&w, "regions");
    json_array_begin(&w);
    for (size_t i = 0; i < doc->nb_regions; i++) {
        json_object_begin(&w);
        json_kv_int(&w, "start", doc->regions[i].start);
        json_kv_int(&w, "end", doc->regions[i].end);
        json_kv_double(&w, "depth_db", doc->regions[i].depth, 1);
        json_object_end(&w);
    }
    json_array_end(&w);

    json_key(&w, "keyframes");
    json_array_begin(&w);
    for (size_t i = 0; i < doc->nb_kf; i++) {
        json_object_begin(&w);
        json_kv_int(&w, "t", doc->kf[i].t);
        json_kv_double(&w, "gain_db", doc->kf[i].gain_db,
                       gain_decimals(doc->kf[i].gain_db));
        json_object_end(&w);
    }
    json_array_end(&w);
    json_object_end(&w);
    return 0;
}

/* Seconds with enough digits that rounding back to samples is exact. */
static void put_seconds(FILE *fp, int64_t t, int sample_rate)
{
    int64_t whole = t / sample_rate, rest = t % sample_rate;
    /* Integer arithmetic: no binary rounding in the printed value. */
    fprintf(fp, "%" PRId64 ".%09" PRId64, whole,
            (rest * 1000000000 + sample_rate / 2) / sample_rate);
}

static int kf_write_csv(FILE *fp, const KfDoc *doc, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    fputs("time_s,gain_db\n", fp);
    for (size_t i = 0; i < doc->nb_kf; i++) {
        put_seconds(fp, doc->kf[i].t, doc->sample_rate);
        fputc(',', fp);
        put_db(fp, doc->kf[i].gain_db);
        fputc('\n', fp);
    }
    return 0;
}

/* Audacity label track: "start<TAB>end<TAB>label" per region, seconds. */
static int kf_write_labels(FILE *fp, const KfDoc *doc, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    for (size_t i = 0; i < doc->nb_regions; i++) {
        const DDRegion *r = &doc->regions[i];
        fprintf(fp, "%.6f\t%.6f\tduck ", (double)r->start / doc->sample_rate,
                (double)r->end / doc->sample_rate);
        put_db(fp, r->depth);
        fputs(" dB\n", fp);
    }
    return 0;
}

static int check_doc(const KfDoc *doc, char *err, size_t errlen)
{
    if (doc->sample_rate <= 0) {
        snprintf(err, errlen, "invalid sample rate %d", doc->sample_rate);
        return -1;
    }
    for (size_t i = 0; i < doc->nb_kf; i++) {
        if (doc->kf[i].t < 0 || (i && doc->kf[i].t < doc->kf[i - 1].t)) {
            snprintf(err, errlen, "keyframe %zu at sample %" PRId64
                     " is out of order", i, doc->kf[i].t);
            return -1;
        }
    }
    return 0;
}

int kf_write(const char *path, int format, const KfDoc *doc,
             char *err, size_t errlen)
{
    static int (*const writers[])(FILE *, const KfDoc *, char *, size_t) = {
        [KF_FORMAT_JSON]   = kf_write_json,
        [KF_FORMAT_CSV]    = kf_write_csv,
        [KF_FORMAT_CMD]    = kf_write_cmd,
        [KF_FORMAT_XMEML]  = kf_write_xmeml,
        [KF_FORMAT_FCPXML] = kf_write_fcpxml,
        [KF_FORMAT_LABELS] = kf_write_labels,
    };
    AtomicFile af;
    char msg[256] = "";
    int ret;

    if (format < 0 || format >= (int)(sizeof(writers) / sizeof(writers[0]))) {
        snprintf(err, errlen, "%s: unknown keyframe format (use json, csv, "
                 "cmd, xml, fcpxml or txt)", path);
        return -1;
    }
    if (check_doc(doc, msg, sizeof(msg)) < 0) {
        snprintf(err, errlen, "%s: %s", path, msg);
        return -1;
    }
    ret = atomic_open(&af, path);
    if (ret < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(-ret));
        return -1;
    }
    ret = writers[format](af.fp, doc, msg, sizeof(msg));
    if (ret < 0) {
        atomic_abort(&af);
        snprintf(err, errlen, "%s: %s", path, msg);
        return -1;
    }
    return atomic_finish(&af, err, errlen);
}

int kf_read(const char *path, int sample_rate, DDKeyframe **kf, size_t *nb,
            char *err, size_t errlen)
{
    int format = kf_format_from_name(path, NULL);

    *kf = NULL;
    *nb = 0;
    if (sample_rate <= 0) {
        snprintf(err, errlen, "%s: invalid sample rate %d", path, sample_rate);
        return -1;
    }
    if (format == KF_FORMAT_JSON)
        return kf_read_json(path, sample_rate, kf, nb, err, errlen);
    if (format == KF_FORMAT_CSV)
        return kf_read_csv(path, sample_rate, kf, nb, err, errlen);
    snprintf(err, errlen, "%s: keyframes can be read from .json or .csv "
             "files only", path);
    return -1;
}
