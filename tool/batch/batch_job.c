/*
 * One batch job as a command line.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "av_error.h"
#include "batch_job.h"
#include "cli.h"

/* Program options without a value (from the program's option table):
 * CSV cells are text, so a flag column is read as yes/no. */
int batch_is_flag_option(const char *name)
{
    const CliOption *o = cli_option_find(name);
    return o && (o->flags & CLI_NOARG) && !(o->flags & CLI_ACTION);
}

int batch_parse_bool(const char *s, int *v)
{
    static const char *const yes[] = { "1", "true", "yes", "on" };
    static const char *const no[]  = { "0", "false", "no", "off" };
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) {
            *v = 1;
            return 0;
        }
        if (!strcasecmp(s, no[i])) {
            *v = 0;
            return 0;
        }
    }
    return -1;
}

int batch_defaults_add(BatchDefaults *d, const char *name, const char *value)
{
    BatchOption *o = realloc(d->opts, (d->nb_opts + 1) * sizeof(*o));
    if (!o)
        return -1;
    d->opts = o;
    o += d->nb_opts;
    o->name = strdup(name);
    o->value = value ? strdup(value) : NULL;
    if (!o->name || (value && !o->value)) {
        free(o->name);
        free(o->value);
        return -1;
    }
    d->nb_opts++;
    return 0;
}

void batch_defaults_free(BatchDefaults *d)
{
    for (int i = 0; i < d->nb_opts; i++) {
        free(d->opts[i].name);
        free(d->opts[i].value);
    }
    free(d->opts);
    d->opts = NULL;
    d->nb_opts = 0;
}

void batch_command_free(BatchCommand *c)
{
    if (c->argv)
        for (int i = 0; i < c->argc; i++)
            free(c->argv[i]);
    free(c->argv);
    free(c->output);
    free(c->report);
    memset(c, 0, sizeof(*c));
}

static int push(BatchCommand *c, const char *s)
{
    char **argv = realloc(c->argv, (c->argc + 2) * sizeof(*argv));
    if (!argv)
        return -1;
    c->argv = argv;
    if (!(argv[c->argc] = strdup(s)))
        return -1;
    argv[++c->argc] = NULL;
    return 0;
}

static int push_flag(BatchCommand *c, const char *name)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s%s", name[1] ? "--" : "-", name);
    return push(c, buf);
}

/* Keys that name files the job writes: --output-dir applies to them. */
static int is_output_key(const char *key)
{
    const CliOption *o = cli_option_find(key);
    return o && o->name && !strcmp(key, o->name) && (o->flags & CLI_WRITES);
}

/* 1 when path has a ".." component. */
static int has_dotdot(const char *path)
{
    for (const char *p = path; (p = strstr(p, "..")); p += 2)
        if ((p == path || p[-1] == '/') && (!p[2] || p[2] == '/'))
            return 1;
    return 0;
}

/*
 * With --output-dir a manifest writes under it only: an absolute path or a
 * ".." would let one line of a manifest overwrite any file the batch user
 * may write. --allow-any-path lifts that.
 */
static int confined(const char *key, const char *path, const BatchDefaults *d,
                    int line, char *err, size_t errlen)
{
    if (!d || !d->output_dir || d->allow_any_path ||
        (path[0] != '/' && !has_dotdot(path)))
        return 0;
    return set_err(err, errlen, "line %d: %s '%s' is outside --output-dir "
                   "(%s; --allow-any-path accepts it)", line, key, path,
                   path[0] == '/' ? "an absolute path" : "it goes up with ..");
}

static char *place_output(const char *path, const char *dir)
{
    char *s;
    size_t n;
    if (!dir || path[0] == '/')
        return strdup(path);
    n = strlen(dir) + strlen(path) + 2;
    if ((s = malloc(n)))
        snprintf(s, n, "%s%s%s", dir,
                 dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", path);
    return s;
}

/* A manifest value that reads as an option ("-o", "--plot"; negative
 * numbers are values) is refused: the command it lands in must say the
 * same to the program, to the Slurm script and to a person reading it.
 * A file whose name starts with '-' is written ./-name. */
static int option_like(const char *v, const char *key, int line,
                       char *err, size_t errlen)
{
    if (v && v[0] == '-' && v[1] && v[1] != '.' && (v[1] < '0' || v[1] > '9'))
        return set_err(err, errlen, "line %d: %s '%s' reads as an option "
                       "(write ./%s for a file)", line, key, v, v);
    return 0;
}

/* Append one option with the job's or the default's values. */
static int push_option(BatchCommand *c, const char *name, char *const *values,
                       int nb_values, int is_bool, const BatchDefaults *d,
                       int line, char *err, size_t errlen)
{
    const char *outdir = d ? d->output_dir : NULL;
    for (int i = 0; i < nb_values; i++) {
        const char *v = values[i];
        if (option_like(v, name, line, err, errlen) < 0)
            return -1;
        if (v && cli_option_word(name, v)) {
            /* a flag's word: --spectral adaptive */
            if (push_flag(c, name) < 0 || push(c, v) < 0)
                return set_err(err, errlen, "out of memory");
            continue;
        }
        if (is_bool || (v && batch_is_flag_option(name))) {
            int on;
            const CliOption *o = cli_option_find(name);
            if (batch_parse_bool(v, &on) < 0)
                return set_err(err, errlen, "line %d: '%s' is a yes/no "
                               "option%s, not '%s'", line, name,
                               o && (o->flags & CLI_OPTARG) ?
                               " (or its mode: see --help)" : "", v);
            if (on && push_flag(c, name) < 0)
                return set_err(err, errlen, "out of memory");
            continue;
        }
        if (push_flag(c, name) < 0)
            return set_err(err, errlen, "out of memory");
        if (!v)
            continue; /* a flag given as a default */
        if (is_output_key(name)) {
            char *p;
            if (confined(name, v, d, line, err, errlen) < 0)
                return -1;
            p = place_output(v, outdir);
            int ret = p ? push(c, p) : -1;
            free(p);
            if (ret < 0)
                return set_err(err, errlen, "out of memory");
        } else if (push(c, v) < 0) {
            return set_err(err, errlen, "out of memory");
        }
    }
    return 0;
}

/* -i, -d, -m, -e in that order, each as often as the job lists it.
 * Returns the number of stems, or -1 with err set. */
static int push_stems(BatchCommand *c, const BatchJob *job, char *err,
                      size_t errlen)
{
    static const struct { const char *key, *flag; } stems[] = {
        { "input", "-i" }, { "dialogue", "-d" }, { "music", "-m" }, { "effects", "-e" },
    };
    int nb_stems = 0;

    for (size_t s = 0; s < sizeof(stems) / sizeof(stems[0]); s++) {
        const BatchField *f = batch_job_field(job, stems[s].key);
        for (int i = 0; f && i < f->nb_values; i++) {
            if (option_like(f->values[i], stems[s].key, job->line, err,
                            errlen) < 0)
                return -1;
            if (push(c, stems[s].flag) < 0 || push(c, f->values[i]) < 0)
                return set_err(err, errlen, "out of memory");
            nb_stems++;
        }
    }
    return nb_stems;
}

/* The command line's defaults in their order, each overridden by the
 * job's own value. The command line's own paths are the user's: not
 * confined to --output-dir. */
static int push_defaults(BatchCommand *c, const BatchJob *job,
                         const BatchDefaults *d, char *err, size_t errlen)
{
    BatchDefaults trusted = *d;

    trusted.allow_any_path = 1;
    for (int i = 0; i < d->nb_opts; i++) {
        const BatchOption *o = &d->opts[i];
        const BatchField *f = batch_job_field(job, o->name);
        int ret;
        if (!strcmp(o->name, "y"))
            continue; /* always added once, at the end */
        if (f)
            ret = push_option(c, f->key, f->values, f->nb_values, f->is_bool,
                              d, job->line, err, errlen);
        else
            ret = push_option(c, o->name, (char *const *)&o->value, 1, 0,
                              &trusted, job->line, err, errlen);
        if (ret < 0)
            return -1;
    }
    return 0;
}

static int is_default(const BatchDefaults *d, const char *key)
{
    for (int j = 0; d && j < d->nb_opts; j++)
        if (!strcmp(d->opts[j].name, key))
            return 1;
    return 0;
}

/* The job's options that no default stands for, in manifest order. */
static int push_job_options(BatchCommand *c, const BatchJob *job,
                            const BatchDefaults *d, char *err, size_t errlen)
{
    for (int i = 0; i < job->nb_fields; i++) {
        const BatchField *f = &job->fields[i];
        if (batch_is_stem_key(f->key) || !strcmp(f->key, "output") ||
            !strcmp(f->key, "report") || !strcmp(f->key, "y") ||
            !strncmp(f->key, "x-", 2))
            continue;
        /* "o" would become -o: an output that escapes --output-dir and
         * the clash check's idea of the job's files */
        if (f->key[0] && !f->key[1] && strchr("odmei", f->key[0]))
            return set_err(err, errlen, "line %d: key '%s': name files by "
                           "the long name (output, dialogue, music, effects, "
                           "input)", job->line, f->key);
        if (is_default(d, f->key))
            continue;
        if (push_option(c, f->key, f->values, f->nb_values, f->is_bool,
                        d, job->line, err, errlen) < 0)
            return -1;
    }
    return 0;
}

/* --report (OUTPUT.report.json unless the job names one), -o and -y. */
static int push_outputs(BatchCommand *c, const BatchJob *job,
                        const BatchDefaults *d, char *err, size_t errlen)
{
    const BatchField *out = batch_job_field(job, "output");
    const BatchField *rep = batch_job_field(job, "report");
    const char *outdir = d ? d->output_dir : NULL;

    if (rep && (rep->nb_values != 1 || rep->is_bool))
        return set_err(err, errlen, "line %d: give exactly one report file",
                       job->line);
    if (confined("output", out->values[0], d, job->line, err, errlen) < 0 ||
        (rep && confined("report", rep->values[0], d, job->line, err, errlen) < 0))
        return -1;
    c->output = place_output(out->values[0], outdir);
    if (rep) {
        c->report = place_output(rep->values[0], outdir);
    } else if (c->output) {
        size_t n = strlen(c->output) + sizeof(BATCH_REPORT_SUFFIX);
        if ((c->report = malloc(n)))
            snprintf(c->report, n, "%s%s", c->output, BATCH_REPORT_SUFFIX);
    }
    if (!c->output || !c->report ||
        push(c, "--report") < 0 || push(c, c->report) < 0 ||
        push(c, "-o") < 0 || push(c, c->output) < 0 ||
        /* The batch decides what is stale; the job just overwrites. */
        push(c, "-y") < 0)
        return set_err(err, errlen, "out of memory");
    return 0;
}

int batch_command_build(BatchCommand *c, const BatchJob *job,
                        const BatchDefaults *d, char *err, size_t errlen)
{
    const BatchField *out = batch_job_field(job, "output");
    int nb_stems;

    memset(c, 0, sizeof(*c));
    if (!out || out->nb_values != 1 || out->is_bool) {
        return set_err(err, errlen, "line %d: %s", job->line,
                       out ? "give exactly one output file" :
                             "no output (add an 'output' column or key)");
    }
    if (push(c, "dialogueduck") < 0) {
        set_err(err, errlen, "out of memory");
        goto fail;
    }
    if ((nb_stems = push_stems(c, job, err, errlen)) < 0)
        goto fail;
    if (!nb_stems) {
        set_err(err, errlen, "line %d: no input (columns input, dialogue, music, effects)",
                job->line);
        goto fail;
    }
    if ((d && push_defaults(c, job, d, err, errlen) < 0) ||
        push_job_options(c, job, d, err, errlen) < 0 ||
        push_outputs(c, job, d, err, errlen) < 0)
        goto fail;
    return 0;
fail:
    batch_command_free(c);
    return -1;
}
