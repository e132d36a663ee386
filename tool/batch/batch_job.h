/*
 * One batch job as a command line: the manifest record plus the
 * command-line defaults become the argv of a single-file run of the
 * program, and that argv is what the up-to-date check compares with the
 * "command" recorded in the job's report.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_BATCH_JOB_H
#define DD_BATCH_JOB_H

#include <stddef.h>

#include "batch_manifest.h"

/** Suffix added to a job's output path to name its report by default. */
#define BATCH_REPORT_SUFFIX ".report.json"

/** A program option given once on the batch command line for all jobs. */
typedef struct BatchOption {
    char *name;      /**< without leading dashes, '_' folded to '-' */
    char *value;     /**< NULL for a flag without a value */
} BatchOption;

typedef struct BatchDefaults {
    BatchOption *opts;
    int nb_opts;
    const char *output_dir; /**< relative paths of the files a job writes
                                 (output, report, music-out, keyframes,
                                 plot) go under it; NULL: as given */
    int allow_any_path;     /**< with output_dir: accept absolute paths and
                                 ".." in the manifest's output paths */
} BatchDefaults;

typedef struct BatchCommand {
    char **argv;     /**< argv[0] "dialogueduck", NULL-terminated */
    int argc;
    char *output;    /**< the -o path as passed */
    char *report;    /**< the --report path as passed */
} BatchCommand;

/**
 * Build the command of one job. Stems come first (-i, -d, -m, -e in that
 * order), then options: the defaults in command-line order, each replaced
 * by the job's own value when the manifest sets it, then the job's other
 * options in manifest order; then --report, -o and -y. Keys starting with
 * "x-" are notes and are left out. The result depends only on its inputs,
 * so the same manifest line always gives the same argv.
 * Returns 0, or -1 with "line N: what" in err.
 */
int batch_command_build(BatchCommand *c, const BatchJob *job,
                        const BatchDefaults *d, char *err, size_t errlen);

void batch_command_free(BatchCommand *c);

/** 1 for program options that take no value (--spectral, -q, ...). */
int batch_is_flag_option(const char *name);

/** Parse true/yes/on/1 and false/no/off/0. Returns 0 or -1. */
int batch_parse_bool(const char *s, int *v);

/** Add an option to the defaults (copies name and value). */
int batch_defaults_add(BatchDefaults *d, const char *name, const char *value);

void batch_defaults_free(BatchDefaults *d);

#endif /* DD_BATCH_JOB_H */
