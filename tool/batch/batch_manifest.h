/*
 * Batch manifests: one job per record, read from CSV (with a header row)
 * or JSON Lines (one object per line). Both give the same thing: an
 * ordered list of (key, values) pairs per job, keys named like the
 * program's long flags.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_BATCH_MANIFEST_H
#define DD_BATCH_MANIFEST_H

#include <stddef.h>

typedef struct BatchField {
    char *key;       /**< lower case, '_' folded to '-' ("true_peak" -> "true-peak") */
    char **values;   /**< at least one value */
    int nb_values;
    int is_bool;     /**< the value came from a JSON true/false */
} BatchField;

typedef struct BatchJob {
    int index;       /**< 0-based job number: the --task / array index */
    int line;        /**< 1-based line of the manifest where the record starts */
    BatchField *fields;
    int nb_fields;
} BatchJob;

typedef struct BatchManifest {
    BatchJob *jobs;
    int nb_jobs;
} BatchManifest;

/**
 * Read a manifest file. A JSON array when the first non-blank character
 * is '[' (and the name does not end in .csv); JSON Lines when the name ends
 * in .jsonl, .ndjson or .json, or when the first non-blank character is
 * '{'; CSV otherwise.
 * On error returns a negative value and writes "FILE: line N: what" to err.
 */
int batch_manifest_load(BatchManifest *m, const char *path,
                        char *err, size_t errlen);

/**
 * CSV (RFC 4180: ',' separated, "" quoting, CRLF or LF, quoted fields may
 * span lines). The first record is the header of column names. Empty
 * cells are left out (the command-line default applies). In the stem
 * columns (input, dialogue, music, effects) a cell may list several
 * files separated by ';', and a column may be repeated. Blank lines and
 * lines starting with '#' are skipped.
 */
int batch_manifest_parse_csv(BatchManifest *m, const char *text, size_t len,
                             char *err, size_t errlen);

/**
 * JSON Lines: each non-blank line not starting with '#' is an object whose
 * members are strings, numbers, booleans, null (left out) or arrays of
 * strings and numbers (several values, e.g. several music stems).
 */
int batch_manifest_parse_jsonl(BatchManifest *m, const char *text, size_t len,
                               char *err, size_t errlen);

/**
 * A JSON array of job objects (members as in JSON Lines); errors name the
 * item ("item 3: ...").
 */
int batch_manifest_parse_json_array(BatchManifest *m, const char *text,
                                    size_t len, char *err, size_t errlen);

void batch_manifest_free(BatchManifest *m);

/** The field named key in a job, or NULL. */
const BatchField *batch_job_field(const BatchJob *job, const char *key);

/** 1 for keys whose cells list stem files (split on ';'). */
int batch_is_stem_key(const char *key);

#endif /* DD_BATCH_MANIFEST_H */
