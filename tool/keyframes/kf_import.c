/*
 * Import of edited envelopes, the readers behind kf_read(): the JSON that
 * kf_write exports (or a hand-written subset of it) and "time_s,gain_db"
 * CSV. Every rejection names the file and the line or field at fault.
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
#include "kf_import.h"
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

/* A time check_point() accepts. */
static int time_in_range(double seconds)
{
    return isfinite(seconds) && seconds >= 0 && seconds <= MAX_SECONDS;
}

/* A time as a sample index at sample_rate; 0 for a time out of range,
 * which check_point() refuses. */
static int64_t seconds_to_samples(double seconds, int sample_rate)
{
    return time_in_range(seconds) ? llround(seconds * sample_rate) : 0;
}

/*
 * Range and order checks shared by both formats. where names the entry
 * ("line 7" or "keyframes[3]"); prev_t is the previous time or -1.
 */
static int check_point(const char *path, const char *where, double seconds,
                       double gain_db, int64_t t, int64_t prev_t,
                       char *err, size_t errlen)
{
    if (!time_in_range(seconds)) {
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

/* A checked keyframe at sample t, appended to l; *prev_t follows it. */
static int add_point(const char *path, const char *where, double seconds,
                     double gain_db, int64_t t, KfList *l, int64_t *prev_t,
                     char *err, size_t errlen)
{
    if (check_point(path, where, seconds, gain_db, t, *prev_t, err, errlen) < 0)
        return -1;
    if (list_add(l, t, gain_db) < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    *prev_t = t;
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
    t = seconds_to_samples(seconds, sample_rate);
    return add_point(path, where, seconds, gain, t, l, prev_t, err, errlen);
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

/* The file's "sample_rate" (0 when it gives none): the time base of "t". */
static int file_sample_rate(const char *path, const JsonValue *root,
                            double *rate, char *err, size_t errlen)
{
    const JsonValue *x = json_get(root, "sample_rate");

    *rate = 0;
    if (!x)
        return 0;
    if (x->type != JSON_NUMBER || x->number < 1 || x->number > 1e6 ||
        x->number != floor(x->number)) {
        snprintf(err, errlen, "%s: sample_rate: expected a positive "
                 "whole number", path);
        return -1;
    }
    *rate = x->number;
    return 0;
}

/* A keyframe's time: "t_s" in seconds, or "t" in samples at file_rate
 * (also in *samples). */
static int json_time(const char *path, const JsonValue *k, const char *where,
                     double file_rate, double *seconds, double *samples,
                     char *err, size_t errlen)
{
    *samples = 0;
    if (json_get(k, "t") && json_get(k, "t_s")) {
        snprintf(err, errlen, "%s: %s: give either \"t\" (samples) or "
                 "\"t_s\" (seconds), not both", path, where);
        return -1;
    }
    if (json_get(k, "t_s"))
        return get_number(path, k, where, "t_s", seconds, err, errlen);
    if (get_number(path, k, where, "t", samples, err, errlen) < 0)
        return -1;
    if (!file_rate) {
        snprintf(err, errlen, "%s: sample_rate is missing (needed "
                 "for keyframe times \"t\" in samples)", path);
        return -1;
    }
    if (*samples != floor(*samples)) {
        snprintf(err, errlen, "%s: %s.t: %g is not a whole sample "
                 "index", path, where, *samples);
        return -1;
    }
    *seconds = *samples / file_rate;
    return 0;
}

/* keyframes[i] as a keyframe at sample_rate. */
static int json_point(const char *path, const JsonValue *k, size_t i,
                      double file_rate, int sample_rate, KfList *l,
                      int64_t *prev_t, char *err, size_t errlen)
{
    char where[48];
    double seconds, gain, samples;
    int64_t t;

    snprintf(where, sizeof(where), "keyframes[%zu]", i);
    if (k->type != JSON_OBJECT) {
        snprintf(err, errlen, "%s: %s: expected an object, found %s",
                 path, where, json_type_name(k->type));
        return -1;
    }
    if (json_time(path, k, where, file_rate, &seconds, &samples, err,
                  errlen) < 0 ||
        get_number(path, k, where, "gain_db", &gain, err, errlen) < 0)
        return -1;
    /* Same rate: the sample index itself, exactly. */
    if (time_in_range(seconds) && json_get(k, "t") && file_rate == sample_rate)
        t = (int64_t)samples;
    else
        t = seconds_to_samples(seconds, sample_rate);
    return add_point(path, where, seconds, gain, t, l, prev_t, err, errlen);
}

static int read_json(const char *path, int sample_rate, KfList *l,
                     char *err, size_t errlen)
{
    JsonValue *root;
    const JsonValue *list;
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
    if (file_sample_rate(path, root, &file_rate, err, errlen) < 0)
        goto end;
    list = json_get(root, "keyframes");
    if (!list || list->type != JSON_ARRAY) {
        snprintf(err, errlen, "%s: keyframes: %s", path, list ?
                 "expected an array" : "missing (expected an array of "
                 "{\"t\": samples, \"gain_db\": dB})");
        goto end;
    }
    for (size_t i = 0; i < list->nb_items; i++)
        if (json_point(path, &list->items[i], i, file_rate, sample_rate, l,
                       &prev_t, err, errlen) < 0)
            goto end;
    ret = 0;
end:
    json_free(root);
    return ret;
}

/* What a reader found, to the caller; freed when it failed. */
static int hand_over(int ret, KfList *l, DDKeyframe **kf, size_t *nb)
{
    if (ret < 0) {
        free(l->kf);
        return ret;
    }
    *kf = l->kf;
    *nb = l->nb;
    return 0;
}

int kf_read_json(const char *path, int sample_rate, DDKeyframe **kf,
                 size_t *nb, char *err, size_t errlen)
{
    KfList l = { 0 };
    return hand_over(read_json(path, sample_rate, &l, err, errlen), &l, kf, nb);
}

int kf_read_csv(const char *path, int sample_rate, DDKeyframe **kf,
                size_t *nb, char *err, size_t errlen)
{
    KfList l = { 0 };
    return hand_over(read_csv(path, sample_rate, &l, err, errlen), &l, kf, nb);
}
