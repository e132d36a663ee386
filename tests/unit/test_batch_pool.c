/*
 * The batch worker pool, with /bin/sh as the job program: exit codes, a
 * crashing job, captured logs, the worker limit, and every job run once.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_pool.h"
#include "check.h"

#define NB_JOBS 6

typedef struct Seen {
    int calls[NB_JOBS];
    BatchResult result[NB_JOBS];
    char log[NB_JOBS][256];
} Seen;

static void on_done(void *opaque, int job, const BatchResult *r,
                    const char *log, size_t loglen)
{
    Seen *s = opaque;
    if (job < 0 || job >= NB_JOBS)
        return;
    s->calls[job]++;
    s->result[job] = *r;
    snprintf(s->log[job], sizeof(s->log[job]), "%.*s", (int)loglen, log);
}

int main(void)
{
    char dir[] = "/tmp/ddpoolXXXXXX";
    char script[NB_JOBS][512];
    char *argvs_storage[NB_JOBS][4];
    char **argvs[NB_JOBS];
    int jobs[NB_JOBS] = { 5, 4, 3, 2, 1, 0 }; /* any order */
    Seen seen = { 0 };
    int ret, max_running = 0;
    FILE *fp;

    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return check_summary();
    }
    /* Each job marks itself running in a directory, counts how many are
     * running, and leaves; job 3 crashes, job 4 fails with exit 7. */
    for (int i = 0; i < NB_JOBS; i++) {
        const char *end = i == 3 ? "kill -KILL $$" :
                          i == 4 ? "echo 'job four: bad input' >&2; exit 7" : "exit 0";
        snprintf(script[i], sizeof(script[i]),
                 "touch %s/run.%d; ls %s | grep -c '^run' >> %s/count; "
                 "echo out %d; sleep 0.2; rm %s/run.%d; %s",
                 dir, i, dir, dir, i, dir, i, end);
        argvs_storage[i][0] = "sh";
        argvs_storage[i][1] = "-c";
        argvs_storage[i][2] = script[i];
        argvs_storage[i][3] = NULL;
        argvs[i] = argvs_storage[i];
    }

    ret = batch_pool_run("/bin/sh", (char **const *)argvs, jobs, NB_JOBS, 2,
                         on_done, &seen);
    CHECK(ret == 0, "pool returned %d", ret);
    for (int i = 0; i < NB_JOBS; i++)
        CHECK(seen.calls[i] == 1, "job %d reported %d times", i, seen.calls[i]);
    CHECK(seen.result[0].status == 0, "job 0 status %d", seen.result[0].status);
    CHECK(seen.result[3].status == 128 + 9, "crash status %d", seen.result[3].status);
    CHECK(!seen.result[3].interrupted, "a crash is not an interruption");
    CHECK(seen.result[4].status == 7, "exit status %d", seen.result[4].status);
    CHECK(strstr(seen.log[4], "job four: bad input") != NULL, "stderr captured: %s",
          seen.log[4]);
    CHECK(strstr(seen.log[2], "out 2") != NULL, "stdout captured: %s", seen.log[2]);
    CHECK(seen.result[1].seconds >= 0.2 && seen.result[1].seconds < 10,
          "wall time %g", seen.result[1].seconds);

    /* The worker limit: never more than two running at once. */
    snprintf(script[0], sizeof(script[0]), "%s/count", dir);
    if ((fp = fopen(script[0], "r"))) {
        int n, lines = 0;
        while (fscanf(fp, "%d", &n) == 1) {
            if (n > max_running)
                max_running = n;
            lines++;
        }
        fclose(fp);
        CHECK(lines == NB_JOBS, "%d jobs counted", lines);
    }
    CHECK(max_running >= 1 && max_running <= 2, "up to %d running at once", max_running);
    unlink(script[0]);
    rmdir(dir);

    /* A program that cannot be run is a failed job, not a crash of the pool. */
    memset(&seen, 0, sizeof(seen));
    ret = batch_pool_run("/nonexistent/program", (char **const *)argvs, jobs, 1, 1,
                         on_done, &seen);
    CHECK(ret == 0 && seen.calls[5] == 1 && seen.result[5].status == 127,
          "missing program: ret %d status %d", ret, seen.result[5].status);
    CHECK(strstr(seen.log[5], "cannot run") != NULL, "log: %s", seen.log[5]);

    CHECK(batch_online_cpus() >= 1, "cpus");
    return check_summary();
}
