/*
 * Local workers for batch mode: each job is a child process running the
 * program itself, so a crash or an error in one job never stops the
 * others, and every job takes exactly the single-file code path.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_BATCH_POOL_H
#define DD_BATCH_POOL_H

#include <stddef.h>

typedef struct BatchResult {
    int status;          /**< exit code; 128 + signal if killed by one */
    double seconds;      /**< wall time */
    double cpu_seconds;  /**< user + system */
    long max_rss_kib;    /**< peak resident memory */
    int interrupted;     /**< the job ended after the batch was told to stop */
} BatchResult;

/**
 * Called in the parent as each job ends, in completion order. log holds
 * what the job wrote on stdout and stderr (NUL-terminated).
 */
typedef void (*BatchDoneFn)(void *opaque, int job, const BatchResult *r,
                            const char *log, size_t loglen);

/**
 * Run argvs[jobs[0..nb_jobs)] (NULL-terminated argv lists, indexed by job)
 * with exe as the program, at most workers at a time, in order.
 * SIGINT and SIGTERM stop the launching of new jobs and are passed on to
 * the running ones (which remove their temporary files); the pool waits
 * for them and returns the signal number. Returns 0 when every job ran,
 * -1 if the pool could not start a process at all.
 */
int batch_pool_run(const char *exe, char **const *argvs, const int *jobs,
                   int nb_jobs, int workers, BatchDoneFn done, void *opaque);

/** Number of online processors, at least 1. */
int batch_online_cpus(void);

#endif /* DD_BATCH_POOL_H */
