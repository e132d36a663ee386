/*
 * Is a batch job already done?
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch_uptodate.h"
#include "json_reader.h"
#include "utf8_text.h"

static int not_up_to_date(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return 0;
}

/* The report's duration, wherever this version of the report keeps it. */
static double report_duration(const JsonValue *r)
{
    static const char *const paths[][2] = {
        { "duration", NULL }, { "output", "duration" }, { "mix", "duration" },
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        const JsonValue *v = json_get(r, paths[i][0]);
        if (v && paths[i][1])
            v = v->type == JSON_OBJECT ? json_get(v, paths[i][1]) : NULL;
        if (v && v->type == JSON_NUMBER && v->number >= 0)
            return v->number;
    }
    return -1;
}

double batch_report_duration(const char *report)
{
    JsonValue *r = NULL;
    char err[256];
    double d;
    if (json_parse_file(report, &r, err, sizeof(err)) < 0)
        return -1;
    d = r->type == JSON_OBJECT ? report_duration(r) : -1;
    json_free(r);
    return d;
}

/*
 * The recorded modification time is seconds since the epoch, with or
 * without a fraction. A whole number is taken as a whole-second clock
 * (compare seconds only); a fraction is compared to the microsecond,
 * about what a double holds for today's dates.
 */
static int mtime_matches(double recorded, const struct timespec *ts)
{
    double now = (double)ts->tv_sec + ts->tv_nsec * 1e-9;
    if (recorded == floor(recorded))
        return (int64_t)recorded == (int64_t)ts->tv_sec;
    return fabs(recorded - now) < 2e-6;
}

/* A string the report wrote, as raw bytes: "<key>_bytes" when the report
 * had to replace bytes that are not UTF-8, else "<key>". Caller frees. */
static char *report_bytes(const JsonValue *v, const JsonValue *raw)
{
    char *s;
    if (raw && raw->type == JSON_STRING) {
        if (!(s = strdup(raw->string)) || text_percent_decode(s) < 0) {
            free(s);
            return NULL;
        }
        return s;
    }
    return v && v->type == JSON_STRING ? strdup(v->string) : NULL;
}

static int inputs_unchanged(const JsonValue *inputs, char *why, size_t whylen)
{
    if (!inputs || inputs->type != JSON_ARRAY || !inputs->nb_items)
        return not_up_to_date(why, whylen, "the report lists no inputs");
    for (size_t i = 0; i < inputs->nb_items; i++) {
        const JsonValue *in = &inputs->items[i];
        const JsonValue *size, *mtime;
        struct stat st;
        char *path;
        int gone, changed;
        if (in->type != JSON_OBJECT)
            return not_up_to_date(why, whylen, "the report's input %zu is "
                                  "not an object", i);
        size = json_get(in, "size");
        mtime = json_get(in, "mtime");
        path = report_bytes(json_get(in, "path"), json_get(in, "path_bytes"));
        if (!path || !size || size->type != JSON_NUMBER ||
            !mtime || mtime->type != JSON_NUMBER) {
            free(path);
            return not_up_to_date(why, whylen,
                                  "the report's input %zu has no path, size and mtime", i);
        }
        gone = stat(path, &st) < 0;
        changed = !gone && ((double)st.st_size != size->number ||
                            !mtime_matches(mtime->number, &st.st_mtim));
        if (gone || changed)
            not_up_to_date(why, whylen, "input %s %s", path,
                           gone ? "is gone" : "changed");
        free(path);
        if (gone || changed)
            return 0;
    }
    return 1;
}

static int command_matches(const JsonValue *cmd, const JsonValue *raw,
                           const BatchCommand *c)
{
    /* The report records argv[1..]: the program's own name may differ. */
    if (raw && raw->type == JSON_ARRAY)
        cmd = raw;
    if (!cmd || cmd->type != JSON_ARRAY || cmd->nb_items != (size_t)(c->argc - 1))
        return 0;
    for (size_t i = 0; i < cmd->nb_items; i++) {
        char *s = report_bytes(cmd == raw ? NULL : &cmd->items[i],
                               cmd == raw ? &cmd->items[i] : NULL);
        int same = s && !strcmp(s, c->argv[i + 1]);
        free(s);
        if (!same)
            return 0;
    }
    return 1;
}

/* The other files a job writes must still be there too. */
static const char *missing_extra_output(const BatchCommand *c)
{
    static const char *const flags[] = { "--music-out", "--keyframes", "--plot" };
    struct stat st;
    for (int i = 1; i + 1 < c->argc; i++)
        for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
            if (!strcmp(c->argv[i], flags[f]) && stat(c->argv[i + 1], &st) < 0)
                return c->argv[i + 1];
    return NULL;
}

/* A file cut short by a crash before it was durable has another size. */
static int output_size_matches(const JsonValue *output, const struct stat *st)
{
    const JsonValue *size = output && output->type == JSON_OBJECT ?
                            json_get(output, "size") : NULL;
    return size && size->type == JSON_NUMBER &&
           size->number == (double)st->st_size;
}

int batch_up_to_date(const BatchCommand *c, double *duration,
                     char *why, size_t whylen)
{
    const char *extra;
    JsonValue *r = NULL;
    struct stat st, out;
    char err[256];
    int ret;

    *duration = -1;
    if (stat(c->output, &out) < 0)
        return not_up_to_date(why, whylen, "no output yet");
    if (stat(c->report, &st) < 0)
        return not_up_to_date(why, whylen, "no report yet");
    if ((extra = missing_extra_output(c)))
        return not_up_to_date(why, whylen, "no %s yet", extra);
    if (json_parse_file(c->report, &r, err, sizeof(err)) < 0)
        return not_up_to_date(why, whylen, "unreadable report (%s)", err);
    if (r->type != JSON_OBJECT)
        ret = not_up_to_date(why, whylen, "the report is not a JSON object");
    else if (!command_matches(json_get(r, "command"),
                              json_get(r, "command_bytes"), c))
        ret = not_up_to_date(why, whylen, "the options or inputs differ");
    else if (!output_size_matches(json_get(r, "output"), &out))
        ret = not_up_to_date(why, whylen, "the output's size is not the "
                             "size the report recorded");
    else
        ret = inputs_unchanged(json_get(r, "inputs"), why, whylen);
    if (ret)
        *duration = report_duration(r);
    json_free(r);
    return ret;
}
