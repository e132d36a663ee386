/*
 * Import of edited envelopes: the JSON that kf_write exports (or a
 * hand-written subset of it) and "time_s,gain_db" CSV. Every rejection
 * names the file and the line or field at fault.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_reader.h"
#include "json_reader.h"
#include "keyframes_io.h"
#include "text_file.h"

/* Times past this are surely a typo (more than a week at 192 kHz). */
#define MAX_SECONDS (7.0 * 24 * 3600)

typedef struct KfList {
    DDKeyframe *kf;
    size_t nb, cap;
} KfList;

static int list_add(KfList *l, int64_t t, double gain_db)
{
    if (l->nb == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        DDKeyframe *kf = realloc(l->kf, cap * sizeof(*kf));
        if (!kf)
            return -1;
        l->kf = kf;
        l->cap = cap;
    }
    l->kf[l->nb++] = (DDKeyframe){ .t = t, .gain_db = gain_db };
    return 0;
}

/*
 * Range and order checks shared by both formats. where names the entry
 * ("line 7" or "keyframes[3]"); prev_t is the previous time or -1.
 */
static int check_point(const char *path, const char *where, double seconds,
                       double gain_db, int64_t t, int64_t prev_t,
                       char *err, size_t errlen)
{
    if (!isfinite(seconds) || seconds < 0 || seconds > MAX_SECONDS) {
        snprintf(err, errlen, "%s: %s: time %g s is out of range "
                 "(0 to %g s)", path, where, seconds, MAX_SECONDS);
        return -1;
    }
    if (!isfinite(gain_db)) {
        snprintf(err, errlen, "%s: %s: gain_db is not a finite number",
                 path, where);
        return -1;
    }
    if (gain_db > DD_DEPTH_MAX || gain_db < DD_DEPTH_MIN) {
        snprintf(err, errlen, "%s: %s: gain_db %g is outside %g..%g dB",
                 path, where, gain_db, DD_DEPTH_MIN, DD_DEPTH_MAX);
        return -1;
    }
    if (t < prev_t) {
        snprintf(err, errlen, "%s: %s: time %.6f s is before the previous "
                 "keyframe (times must not decrease)", path, where, seconds);
        return -1;
    }
    return 0;
}

/* A strict number: all of s (spaces around allowed), no hex, inf or nan. */
static int parse_number(const char *s, double *v)
{
    char *end;
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || strpbrk(p, "xXnNiI"))
        return -1;
    errno = 0;
    *v = strtod(p, &end);
    if (end == p || errno == ERANGE)
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    return *end ? -1 : 0;
}

/* The header, once quotes are read and cells trimmed: time_s,gain_db. */
static int is_header(const CsvRecord *r)
{
    return r->nb_cells == 2 && !strcmp(r->cells[0], "time_s") &&
           !strcmp(r->cells[1], "gain_db");
}

/* One "time_s,gain_db" record as a keyframe. */
static int csv_point(const char *path, const CsvRecord *r, int sample_rate,
                     KfList *l, int64_t *prev_t, char *err, size_t errlen)
{
    char where[32];
    double seconds, gain;
    int64_t t;

    snprintf(where, sizeof(where), "line %d", r->line);
    if (r->nb_cells != 2) {
        snprintf(err, errlen, "%s: line %d: expected two fields "
                 "time_s,gain_db, found %d", path, r->line, r->nb_cells);
        return -1;
    }
    if (parse_number(r->cells[0], &seconds) < 0) {
        snprintf(err, errlen, "%s: line %d: time_s '%.40s' is not a "
                 "number", path, r->line, r->cells[0]);
        return -1;
    }
    if (parse_number(r->cells[1], &gain) < 0) {
        snprintf(err, errlen, "%s: line %d: gain_db '%.40s' is not a "
                 "number", path, r->line, r->cells[1]);
        return -1;
    }
    t = isfinite(seconds) && seconds >= 0 && seconds <= MAX_SECONDS ?
        llround(seconds * sample_rate) : 0;
    if (check_point(path, where, seconds, gain, t, *prev_t, err, errlen) < 0)
        return -1;
    if (list_add(l, t, gain) < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    *prev_t = t;
    return 0;
}

/* "time_s,gain_db" CSV, read by the RFC 4180 reader of the manifests. */
static int read_csv(const char *path, int sample_rate, KfList *l,
                    char *err, size_t errlen)
{
    CsvRecord r = { 0 };
    char *text, msg[256];
    size_t len, pos;
    int line = 1, ret, header = 0;
    int64_t prev_t = -1;

    if (text_file_read(path, &text, &len, err, errlen) < 0)
        return -1;
    pos = csv_skip_bom(text, len);
    while ((ret = csv_next_record(text, len, &pos, &line, &r, msg,
                                  sizeof(msg))) > 0) {
        if (header)
            ret = csv_point(path, &r, sample_rate, l, &prev_t, err, errlen);
        else if (!(header = is_header(&r))) {
            snprintf(err, errlen, "%s: line %d: expected the header "
                     "\"time_s,gain_db\"", path, r.line);
            ret = -1;
        }
        csv_record_clear(&r);
        if (ret < 0)
            goto end;
    }
    if (ret < 0)
        snprintf(err, errlen, "%s: %s", path, msg);
    else if (!header) {
        snprintf(err, errlen, "%s: empty file, expected the header "
                 "\"time_s,gain_db\"", path);
        ret = -1;
    }
end:
    csv_record_clear(&r); /* a record the reader failed in the middle of */
    free(text);
    return ret < 0 ? -1 : 0;
}

/* A number member of obj, or a message naming field. */
static int get_number(const char *path, const JsonValue *obj, const char *where,
                      const char *key, double *v, char *err, size_t errlen)
{
    const JsonValue *x = json_get(obj, key);
    if (!x) {
        snprintf(err, errlen, "%s: %s: \"%s\" is missing", path, where, key);
        return -1;
    }
    if (x->type != JSON_NUMBER) {
        snprintf(err, errlen, "%s: %s.%s: expected a number, found %s",
                 path, where, key, json_type_name(x->type));
        return -1;
    }
    *v = x->number;
    return 0;
}

static int read_json(const char *path, int sample_rate, KfList *l,
                     char *err, size_t errlen)
{
    JsonValue *root;
    const JsonValue *list, *x;
    double file_rate = 0;
    int64_t prev_t = -1;
    int ret = -1;

    if (json_parse_file(path, &root, err, errlen) < 0)
        return -1;
    if (root->type != JSON_OBJECT) {
        snprintf(err, errlen, "%s: expected an object at the top level, "
                 "found %s", path, json_type_name(root->type));
        goto end;
    }
    if ((x = json_get(root, "sample_rate"))) {
        if (x->type != JSON_NUMBER || x->number < 1 || x->number > 1e6 ||
            x->number != floor(x->number)) {
            snprintf(err, errlen, "%s: sample_rate: expected a positive "
                     "whole number", path);
            goto end;
        }
        file_rate = x->number;
    }
    list = json_get(root, "keyframes");
    if (!list || list->type != JSON_ARRAY) {
        snprintf(err, errlen, "%s: keyframes: %s", path, list ?
                 "expected an array" : "missing (expected an array of "
                 "{\"t\": samples, \"gain_db\": dB})");
        goto end;
    }
    for (size_t i = 0; i < list->nb_items; i++) {
        const JsonValue *k = &list->items[i];
        char where[48];
        double seconds, gain, samples = 0;
        int64_t t;

        snprintf(where, sizeof(where), "keyframes[%zu]", i);
        if (k->type != JSON_OBJECT) {
            snprintf(err, errlen, "%s: %s: expected an object, found %s",
                     path, where, json_type_name(k->type));
            goto end;
        }
        if (json_get(k, "t") && json_get(k, "t_s")) {
            snprintf(err, errlen, "%s: %s: give either \"t\" (samples) or "
                     "\"t_s\" (seconds), not both", path, where);
            goto end;
        }
        if (json_get(k, "t_s")) {
            if (get_number(path, k, where, "t_s", &seconds, err, errlen) < 0)
                goto end;
        } else {
            if (get_number(path, k, where, "t", &samples, err, errlen) < 0)
                goto end;
            if (!file_rate) {
                snprintf(err, errlen, "%s: sample_rate is missing (needed "
                         "for keyframe times \"t\" in samples)", path);
                goto end;
            }
            if (samples != floor(samples)) {
                snprintf(err, errlen, "%s: %s.t: %g is not a whole sample "
                         "index", path, where, samples);
                goto end;
            }
            seconds = samples / file_rate;
        }
        if (get_number(path, k, where, "gain_db", &gain, err, errlen) < 0)
            goto end;
        if (isfinite(seconds) && seconds >= 0 && seconds <= MAX_SECONDS) {
            /* Same rate: the sample index itself, exactly. */
            t = json_get(k, "t") && file_rate == sample_rate ? (int64_t)samples :
                llround(seconds * sample_rate);
        } else {
            t = 0;
        }
        if (check_point(path, where, seconds, gain, t, prev_t, err, errlen) < 0)
            goto end;
        if (list_add(l, t, gain) < 0) {
            snprintf(err, errlen, "%s: out of memory", path);
            goto end;
        }
        prev_t = t;
    }
    ret = 0;
end:
    json_free(root);
    return ret;
}

int kf_read(const char *path, int sample_rate, DDKeyframe **kf, size_t *nb,
            char *err, size_t errlen)
{
    KfList l = { 0 };
    int format = kf_format_from_name(path, NULL), ret;

    *kf = NULL;
    *nb = 0;
    if (sample_rate <= 0) {
        snprintf(err, errlen, "%s: invalid sample rate %d", path, sample_rate);
        return -1;
    }
    if (format == KF_FORMAT_JSON) {
        ret = read_json(path, sample_rate, &l, err, errlen);
    } else if (format == KF_FORMAT_CSV) {
        ret = read_csv(path, sample_rate, &l, err, errlen);
    } else {
        snprintf(err, errlen, "%s: keyframes can be read from .json or .csv "
                 "files only", path);
        return -1;
    }
    if (ret < 0) {
        free(l.kf);
        return ret;
    }
    *kf = l.kf;
    *nb = l.nb;
    return 0;
}
