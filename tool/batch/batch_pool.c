/*
 * Local workers for batch mode: fork + exec of the program per job.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "batch_pool.h"
#include "clock.h"

/* Most of a job's log kept for the summary; the rest is cut. */
#define LOG_MAX (64 * 1024)
#define MAX_WORKERS 1024

typedef struct Slot {
    pid_t pid;           /* 0: free */
    int job;
    FILE *log;
    double start;
} Slot;

/* Running children, for the signal handler. */
static volatile pid_t running[MAX_WORKERS];
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    if (!interrupted)
        interrupted = sig;
    for (int i = 0; i < MAX_WORKERS; i++)
        if (running[i] > 0)
            kill(running[i], sig);
}

int batch_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void child_exec(const char *exe, char *const *argv, int logfd, pid_t parent)
{
    int devnull = open("/dev/null", O_RDONLY);
#ifdef __linux__
    /* If the batch dies without passing a signal on (SIGKILL), the job
     * still gets SIGTERM and removes its temporary files. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(128 + SIGTERM);
#else
    (void)parent;
#endif
    if (devnull >= 0) {
        dup2(devnull, 0);
        close(devnull);
    }
    dup2(logfd, 1);
    dup2(logfd, 2);
    close(logfd);
    execv(exe, argv);
    fprintf(stderr, "cannot run %s: %s\n", exe, strerror(errno));
    _exit(127);
}

static int start_job(Slot *s, int slot, const char *exe, char *const *argv, int job)
{
    pid_t parent = getpid();
    FILE *log = tmpfile();
    pid_t pid;

    if (!log)
        return -1;
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        fclose(log);
        return -1;
    }
    if (pid == 0)
        child_exec(exe, argv, fileno(log), parent);
    s->pid = pid;
    s->job = job;
    s->log = log;
    s->start = clock_seconds();
    running[slot] = pid;
    return 0;
}

static void finish_job(Slot *s, int slot, int wstatus, const struct rusage *ru,
                       BatchDoneFn done, void *opaque)
{
    BatchResult r = { 0 };
    char *text = malloc(LOG_MAX + 1);
    size_t n = 0;
    long size;

    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) :
               WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : 255;
    r.seconds = clock_seconds() - s->start;
    r.cpu_seconds = ru->ru_utime.tv_sec + ru->ru_utime.tv_usec * 1e-6 +
                    ru->ru_stime.tv_sec + ru->ru_stime.tv_usec * 1e-6;
    r.max_rss_kib = ru->ru_maxrss;
    r.interrupted = interrupted != 0;

    /* Keep the end of a long log: the error is usually the last line. */
    fseek(s->log, 0, SEEK_END);
    size = ftell(s->log);
    if (size > LOG_MAX)
        fseek(s->log, size - LOG_MAX, SEEK_SET);
    else
        rewind(s->log);
    if (text) {
        n = fread(text, 1, LOG_MAX, s->log);
        text[n] = 0;
    }
    fclose(s->log);
    running[slot] = 0;
    s->pid = 0;
    s->log = NULL;
    done(opaque, s->job, &r, text ? text : "", n);
    free(text);
}

int batch_pool_run(const char *exe, char **const *argvs, const int *jobs,
                   int nb_jobs, int workers, BatchDoneFn done, void *opaque)
{
    struct sigaction sa, old_int, old_term;
    Slot *slots;
    int next = 0, active = 0, ret = 0, forwarded = 0;

    if (workers < 1)
        workers = 1;
    if (workers > MAX_WORKERS)
        workers = MAX_WORKERS;
    if (workers > nb_jobs)
        workers = nb_jobs > 0 ? nb_jobs : 1;
    if (!(slots = calloc(workers, sizeof(*slots))))
        return -1;

    interrupted = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: wait4() returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    while (next < nb_jobs || active > 0) {
        struct rusage ru;
        int wstatus;
        pid_t pid;

        while (!interrupted && next < nb_jobs && active < workers) {
            int slot = 0;
            while (slots[slot].pid)
                slot++;
            if (start_job(&slots[slot], slot, exe, argvs[jobs[next]], jobs[next]) < 0) {
                fprintf(stderr, "batch: cannot start a job: %s\n", strerror(errno));
                if (!active) {
                    ret = -1;
                    goto end;
                }
                break; /* retry when a running job ends */
            }
            next++;
            active++;
        }
        if (interrupted && !forwarded) {
            /* Also reaches a job started just as the signal came. */
            for (int i = 0; i < workers; i++)
                if (slots[i].pid)
                    kill(slots[i].pid, interrupted);
            forwarded = 1;
            next = nb_jobs; /* launch nothing more */
        }
        if (!active)
            break;
        pid = wait4(-1, &wstatus, 0, &ru);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < workers; i++)
            if (slots[i].pid == pid) {
                finish_job(&slots[i], i, wstatus, &ru, done, opaque);
                active--;
                break;
            }
    }
    ret = interrupted;
end:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(slots);
    return ret;
}
