/*
 * Slurm submission for batch mode.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch_slurm.h"

/* Single-quote a word for sh: ' becomes '\''. */
static void put_quoted(FILE *fp, const char *s)
{
    fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", fp);
        else
            fputc(*s, fp);
    }
    fputc('\'', fp);
}

int batch_slurm_write_script(FILE *fp, const BatchSlurm *s)
{
    fputs("#!/bin/sh\n", fp);
    fputs("# dialogueduck batch: one array task per manifest job; the task index\n"
          "# (SLURM_ARRAY_TASK_ID, 0-based) picks the job. Options given to\n"
          "# sbatch on its command line override the #SBATCH lines.\n", fp);
    fputs("#SBATCH --job-name=dialogueduck\n", fp);
    fprintf(fp, "#SBATCH --array=0-%d%%%d\n", s->nb_jobs - 1,
            s->limit > 0 ? s->limit : s->nb_jobs);
    /* One job is one process, mostly on one core. */
    fputs("#SBATCH --ntasks=1\n", fp);
    /* cd in the shell rather than #SBATCH --chdir: sh quoting is exact. */
    fputs("cd ", fp);
    put_quoted(fp, s->workdir);
    fputs(" || exit 1\nexec ", fp);
    put_quoted(fp, s->exe);
    fputs(" batch ", fp);
    put_quoted(fp, s->manifest);
    fputs(" --task env", fp);
    for (int i = 0; i < s->nb_task_args; i++) {
        fputc(' ', fp);
        put_quoted(fp, s->task_args[i]);
    }
    fputc('\n', fp);
    return fflush(fp) || ferror(fp) ? -1 : 0;
}

int batch_slurm_submit(const BatchSlurm *s)
{
    char **argv = calloc(s->nb_sbatch_args + 3, sizeof(*argv));
    int fds[2], status, ret;
    void (*old_pipe)(int);
    pid_t pid;
    FILE *fp;

    if (!argv || pipe(fds) < 0) {
        free(argv);
        return 127;
    }
    argv[0] = "sbatch";
    argv[1] = "--parsable";
    for (int i = 0; i < s->nb_sbatch_args; i++)
        argv[i + 2] = s->sbatch_args[i];
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[0]);
        close(fds[1]);
        execvp("sbatch", argv);
        fprintf(stderr, "batch: cannot run sbatch: %s (is Slurm's client installed?)\n",
                strerror(errno));
        _exit(127);
    }
    free(argv);
    close(fds[0]);
    if (pid < 0) {
        close(fds[1]);
        return 127;
    }
    old_pipe = signal(SIGPIPE, SIG_IGN); /* sbatch may fail before reading */
    if ((fp = fdopen(fds[1], "w"))) {
        batch_slurm_write_script(fp, s);
        fclose(fp);
    } else {
        close(fds[1]);
    }
    signal(SIGPIPE, old_pipe);
    while ((ret = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (ret < 0)
        return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
