/*
 * The end of a batch run: per-job results and the totals a farm operator
 * needs (done, skipped, failed, hours of audio, throughput, memory), on
 * stderr and as JSON.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_BATCH_SUMMARY_H
#define DD_BATCH_SUMMARY_H

#include <stdio.h>

typedef enum BatchState {
    BATCH_PENDING,       /**< not run (the run was interrupted first) */
    BATCH_DONE,
    BATCH_SKIPPED,       /**< up to date */
    BATCH_FAILED,
    BATCH_INTERRUPTED,   /**< stopped by a signal passed on by the batch */
} BatchState;

typedef struct BatchJobResult {
    int job;             /**< 0-based index in the manifest */
    int line;            /**< manifest line */
    const char *output;
    BatchState state;
    int exit_code;
    double seconds;      /**< wall time of the job */
    double cpu_seconds;
    double audio_seconds;/**< from the job's report; -1 if unknown */
    long max_rss_kib;
    char reason[256];    /**< why skipped, or the job's last error line */
} BatchJobResult;

typedef struct BatchSummary {
    const char *manifest;
    int nb_manifest_jobs;
    int workers;
    double wall_seconds;
    int signal;          /**< the signal that stopped the run, or 0 */
    BatchJobResult *results;
    int nb_results;
} BatchSummary;

typedef struct BatchTotals {
    int done, skipped, failed, interrupted, pending;
    double audio_seconds;          /**< of the jobs done in this run */
    double skipped_audio_seconds;
    double job_seconds, cpu_seconds;
    long max_rss_kib;
} BatchTotals;

void batch_summary_totals(const BatchSummary *s, BatchTotals *t);

/** One paragraph for people: the totals and the failed jobs. */
void batch_summary_print(const BatchSummary *s, FILE *fp);

/** Write the summary as JSON (temporary name, then renamed). 0 or -errno. */
int batch_summary_write(const BatchSummary *s, const char *path);

const char *batch_state_name(BatchState st);

#endif /* DD_BATCH_SUMMARY_H */
