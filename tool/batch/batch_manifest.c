/*
 * Batch manifests: CSV (records from tool/util/csv_reader.c), JSON Lines
 * and JSON array readers.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "av_error.h"
#include "batch_manifest.h"
#include "csv_reader.h"
#include "json_reader.h"
#include "str_list.h"
#include "text_file.h"

static const char *const stem_keys[] = { "input", "dialogue", "music", "effects" };

int batch_is_stem_key(const char *key)
{
    for (size_t i = 0; i < sizeof(stem_keys) / sizeof(stem_keys[0]); i++)
        if (!strcmp(key, stem_keys[i]))
            return 1;
    return 0;
}

/* Column and member names are matched like long flags: "--True_Peak",
 * "true_peak" and "true-peak" are the same key. */
static char *normalize_key(const char *s)
{
    char *k;
    while (*s == '-')
        s++;
    k = strdup(s);
    if (!k)
        return NULL;
    for (char *p = k; *p; p++)
        *p = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
    return k;
}

const BatchField *batch_job_field(const BatchJob *job, const char *key)
{
    for (int i = 0; i < job->nb_fields; i++)
        if (!strcmp(job->fields[i].key, key))
            return &job->fields[i];
    return NULL;
}

static BatchField *field_get_or_add(BatchJob *job, const char *key)
{
    BatchField *f;
    for (int i = 0; i < job->nb_fields; i++)
        if (!strcmp(job->fields[i].key, key))
            return &job->fields[i];
    f = realloc(job->fields, (job->nb_fields + 1) * sizeof(*f));
    if (!f)
        return NULL;
    job->fields = f;
    f = &job->fields[job->nb_fields];
    memset(f, 0, sizeof(*f));
    if (!(f->key = strdup(key)))
        return NULL;
    job->nb_fields++;
    return f;
}

static int field_add_value(BatchField *f, const char *v, size_t len)
{
    return str_list_add(&f->values, &f->nb_values, v, len);
}

/* Add a cell to a job; stem cells may list several files split on ';'. */
static int job_add_cell(BatchJob *job, const char *key, const char *cell,
                        int split)
{
    BatchField *f = field_get_or_add(job, key);
    if (!f)
        return -1;
    if (!split)
        return field_add_value(f, cell, strlen(cell));
    for (const char *p = cell; ; ) {
        const char *end = strchr(p, ';');
        const char *e = end ? end : p + strlen(p);
        while (p < e && isspace((unsigned char)*p))
            p++;
        while (e > p && isspace((unsigned char)e[-1]))
            e--;
        if (e > p && field_add_value(f, p, e - p) < 0)
            return -1;
        if (!end)
            break;
        p = end + 1;
    }
    /* only blanks and ';': an empty cell, left out like one (a field
     * always has a value) */
    if (!f->nb_values) {
        free(f->key);
        free(f->values);
        job->nb_fields--;
    }
    return 0;
}

static BatchJob *manifest_add_job(BatchManifest *m, int line)
{
    BatchJob *jobs = realloc(m->jobs, (m->nb_jobs + 1) * sizeof(*jobs));
    if (!jobs)
        return NULL;
    m->jobs = jobs;
    jobs += m->nb_jobs;
    memset(jobs, 0, sizeof(*jobs));
    jobs->index = m->nb_jobs++;
    jobs->line = line;
    return jobs;
}

static void job_free(BatchJob *job)
{
    for (int i = 0; i < job->nb_fields; i++) {
        str_list_free(job->fields[i].values, job->fields[i].nb_values);
        free(job->fields[i].key);
    }
    free(job->fields);
}

void batch_manifest_free(BatchManifest *m)
{
    for (int i = 0; i < m->nb_jobs; i++)
        job_free(&m->jobs[i]);
    free(m->jobs);
    m->jobs = NULL;
    m->nb_jobs = 0;
}

/* ---------------------------------------------------------------- */
/* CSV                                                               */

int batch_manifest_parse_csv(BatchManifest *m, const char *text, size_t len,
                             char *err, size_t errlen)
{
    CsvRecord header = { 0 }, rec = { 0 };
    size_t pos = 0;
    int line = 1, ret;

    memset(m, 0, sizeof(*m));
    pos = csv_skip_bom(text, len);
    ret = csv_next_record(text, len, &pos, &line, &header, err, errlen);
    if (ret <= 0) {
        if (ret == 0)
            set_err(err, errlen, "no header row (column names such as dialogue,music,output)");
        goto fail;
    }
    /* Normalize the column names; only stem columns may repeat. */
    for (int i = 0; i < header.nb_cells; i++) {
        char *k = normalize_key(header.cells[i]);
        if (!k) {
            set_err(err, errlen, "out of memory");
            goto fail;
        }
        free(header.cells[i]);
        header.cells[i] = k;
        if (!*k) {
            set_err(err, errlen, "line %d: column %d has no name", header.line, i + 1);
            goto fail;
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(header.cells[j], k) && !batch_is_stem_key(k)) {
                set_err(err, errlen, "line %d: column '%s' appears twice", header.line, k);
                goto fail;
            }
    }
    while ((ret = csv_next_record(text, len, &pos, &line, &rec, err, errlen)) > 0) {
        BatchJob *job;
        if (rec.nb_cells > header.nb_cells) {
            set_err(err, errlen, "line %d: %d cells but the header names %d columns",
                    rec.line, rec.nb_cells, header.nb_cells);
            goto fail;
        }
        if (!(job = manifest_add_job(m, rec.line))) {
            set_err(err, errlen, "out of memory");
            goto fail;
        }
        for (int i = 0; i < rec.nb_cells; i++) {
            if (!rec.cells[i][0])
                continue; /* empty: the command-line default applies */
            if (job_add_cell(job, header.cells[i], rec.cells[i],
                             batch_is_stem_key(header.cells[i])) < 0) {
                set_err(err, errlen, "out of memory");
                goto fail;
            }
        }
        csv_record_clear(&rec);
    }
    if (ret < 0)
        goto fail;
    csv_record_clear(&header);
    return 0;
fail:
    csv_record_clear(&header);
    csv_record_clear(&rec);
    batch_manifest_free(m);
    return -1;
}

/* ---------------------------------------------------------------- */
/* JSON Lines                                                        */

static int format_number(char *buf, size_t size, double v)
{
    /* Integers print without a fraction; others with enough digits to
     * round-trip the values people write (0.1, -12.5). */
    return snprintf(buf, size, "%.15g", v);
}

static int add_json_value(BatchField *f, const JsonValue *v, const char *unit,
                          int line, char *err, size_t errlen)
{
    char num[64];
    switch (v->type) {
    case JSON_STRING:
        return field_add_value(f, v->string, strlen(v->string)) < 0 ?
               set_err(err, errlen, "out of memory") : 0;
    case JSON_NUMBER:
        format_number(num, sizeof(num), v->number);
        return field_add_value(f, num, strlen(num)) < 0 ?
               set_err(err, errlen, "out of memory") : 0;
    default:
        return set_err(err, errlen,
                       "%s %d: '%s' must be a string, a number, a boolean or "
                       "an array of strings", unit, line, f->key);
    }
}

/* One job from a JSON object: line N of JSON Lines, item N of an array. */
static int add_json_job(BatchManifest *m, const JsonValue *obj,
                        const char *unit, int line, char *err, size_t errlen)
{
    BatchJob *job;
    int ret = -1;

    if (obj->type != JSON_OBJECT)
        return set_err(err, errlen, "%s %d: expected an object {...} per %s",
                       unit, line, unit);
    if (!(job = manifest_add_job(m, line)))
        return set_err(err, errlen, "out of memory");
    for (size_t i = 0; i < obj->nb_items; i++) {
        const JsonValue *v = &obj->items[i];
        char *key = normalize_key(obj->keys[i]);
        BatchField *f;
        if (!key) {
            set_err(err, errlen, "out of memory");
            goto end;
        }
        if (!*key || batch_job_field(job, key)) {
            set_err(err, errlen, "%s %d: key '%s' %s", unit, line, obj->keys[i],
                    *key ? "appears twice" : "is empty");
            free(key);
            goto end;
        }
        if (v->type == JSON_NULL || (v->type == JSON_ARRAY && !v->nb_items)) {
            free(key); /* left out: the command-line default applies */
            continue;
        }
        f = field_get_or_add(job, key);
        free(key);
        if (!f) {
            set_err(err, errlen, "out of memory");
            goto end;
        }
        if (v->type == JSON_BOOL) {
            f->is_bool = 1;
            if (field_add_value(f, v->boolean ? "true" : "false",
                                v->boolean ? 4 : 5) < 0) {
                set_err(err, errlen, "out of memory");
                goto end;
            }
        } else if (v->type == JSON_ARRAY) {
            for (size_t j = 0; j < v->nb_items; j++)
                if (add_json_value(f, &v->items[j], unit, line, err,
                                   errlen) < 0)
                    goto end;
        } else if (add_json_value(f, v, unit, line, err, errlen) < 0) {
            goto end;
        }
    }
    ret = 0;
end:
    return ret;
}

static int parse_json_line(BatchManifest *m, const char *s, size_t n, int line,
                           char *err, size_t errlen)
{
    JsonValue *obj = NULL;
    char jerr[256];
    int ret;

    if (json_parse(s, n, &obj, jerr, sizeof(jerr)) < 0)
        return set_err(err, errlen, "line %d: %s", line, jerr);
    ret = add_json_job(m, obj, "line", line, err, errlen);
    json_free(obj);
    return ret;
}

int batch_manifest_parse_json_array(BatchManifest *m, const char *text,
                                    size_t len, char *err, size_t errlen)
{
    JsonValue *arr = NULL;
    char jerr[256];
    int ret = 0;

    memset(m, 0, sizeof(*m));
    if (json_parse(text, len, &arr, jerr, sizeof(jerr)) < 0)
        return set_err(err, errlen, "%s", jerr);
    if (arr->type != JSON_ARRAY)
        ret = set_err(err, errlen, "expected an array [{...}, ...] of jobs");
    for (size_t i = 0; !ret && i < arr->nb_items; i++)
        ret = add_json_job(m, &arr->items[i], "item", (int)i + 1, err, errlen);
    json_free(arr);
    if (ret < 0)
        batch_manifest_free(m);
    return ret;
}

int batch_manifest_parse_jsonl(BatchManifest *m, const char *text, size_t len,
                               char *err, size_t errlen)
{
    size_t pos = csv_skip_bom(text, len);
    int line = 1;

    memset(m, 0, sizeof(*m));
    while (csv_skip_blank_lines(text, len, &pos, &line)) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        if (parse_json_line(m, s, n, line, err, errlen) < 0) {
            batch_manifest_free(m);
            return -1;
        }
        pos += n + (nl != NULL);
        line++;
    }
    return 0;
}

/* ---------------------------------------------------------------- */

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcasecmp(s + n - k, suffix);
}

int batch_manifest_load(BatchManifest *m, const char *path,
                        char *err, size_t errlen)
{
    char *text, msg[512];
    size_t len, p;
    int jsonl, ret;

    memset(m, 0, sizeof(*m));
    if (text_file_read(path, &text, &len, err, errlen) < 0)
        return -1;
    jsonl = has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson") ||
            has_suffix(path, ".json");
    p = csv_skip_bom(text, len);
    while (p < len && isspace((unsigned char)text[p]))
        p++;
    if (!jsonl && !has_suffix(path, ".csv"))
        jsonl = p < len && text[p] == '{';
    if (p < len && text[p] == '[' && !has_suffix(path, ".csv"))
        ret = batch_manifest_parse_json_array(m, text + p, len - p, msg,
                                              sizeof(msg));
    else if (jsonl)
        ret = batch_manifest_parse_jsonl(m, text, len, msg, sizeof(msg));
    else
        ret = batch_manifest_parse_csv(m, text, len, msg, sizeof(msg));
    free(text);
    if (ret < 0)
        return set_err(err, errlen, "%s: %s", path, msg);
    if (!m->nb_jobs)
        return set_err(err, errlen, "%s: no jobs", path);
    return 0;
}
