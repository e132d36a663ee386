/*
 * Pipes given as inputs, copied once to temporary files (spool.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipe_name.h"
#include "spool.h"
#include "tmp_dir.h"

/* "<dir>/stdin" or "<dir>/pipe3": the copy is "<dir>/.stdin.XXXXXX". */
static void spool_name(char *buf, size_t size, const CliOptions *o, int fd)
{
    const char *out = o->output && pipe_name_fd(o->output, 1) < 0 ?
                      o->output : NULL;
    const char *slash = out ? strrchr(out, '/') : NULL;
    char dir[4096];

    if (out)
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - out) : 1,
                 slash ? (slash == out ? "/" : out) : ".");
    else
        snprintf(dir, sizeof(dir), "%s", tmp_dir());
    if (fd)
        snprintf(buf, size, "%s/pipe%d", dir, fd);
    else
        snprintf(buf, size, "%s/stdin", dir);
}

/* Everything fd has to give, into af's open file. */
static int copy_fd(int fd, AtomicFile *af, const char *arg, char *err,
                   size_t errlen)
{
    static char buf[1 << 16];
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: cannot read: %s", arg, strerror(errno));
            return EXIT_INPUT;
        }
        if (fwrite(buf, 1, (size_t)n, af->fp) != (size_t)n)
            goto write_error;
    }
    if (fclose(af->fp)) {
        af->fp = NULL;
        goto write_error;
    }
    af->fp = NULL;
    return EXIT_OK;
write_error:
    snprintf(err, errlen, "%s: cannot copy to %s: %s", arg, af->tmp_path,
             strerror(errno));
    return EXIT_OUTPUT;
}

/* The copy of descriptor fd, made on first use; NULL with err set. */
static const char *spool_fd(Spool *sp, const CliOptions *o, int fd,
                            const char *arg, int *ret, char *err,
                            size_t errlen)
{
    char name[4200];
    AtomicFile *af;
    int r;

    for (int i = 0; i < sp->nb; i++)
        if (sp->fds[i] == fd)
            return sp->files[i].tmp_path;
    if (sp->nb >= SPOOL_MAX) {
        snprintf(err, errlen, "%s: too many pipes (at most %d)", arg,
                 SPOOL_MAX);
        *ret = EXIT_USAGE;
        return NULL;
    }
    spool_name(name, sizeof(name), o, fd);
    af = &sp->files[sp->nb];
    if ((r = atomic_open(af, name)) < 0) {
        snprintf(err, errlen, "%s: cannot create a copy next to %s: %s", arg,
                 name, strerror(-r));
        *ret = EXIT_OUTPUT;
        return NULL;
    }
    sp->fds[sp->nb++] = fd;
    if ((*ret = copy_fd(fd, af, arg, err, errlen)) != EXIT_OK)
        return NULL;
    return af->tmp_path;
}

/* The copy to open for path (*file), if path names a pipe. */
static int spool_path(Spool *sp, const CliOptions *o, const char *path,
                      const char **file, char *err, size_t errlen)
{
    int fd = pipe_name_fd(path, 0), ret = EXIT_OK;

    if (fd < 0)
        return EXIT_OK;
    if (!(*file = spool_fd(sp, o, fd, path, &ret, err, errlen)))
        return ret;
    return EXIT_OK;
}

int spool_inputs(Spool *sp, CliOptions *o, char *err, size_t errlen)
{
    int ret;

    for (int i = 0; i < o->nb_inputs; i++)
        if ((ret = spool_path(sp, o, o->inputs[i], &o->input_files[i], err,
                              errlen)) != EXIT_OK)
            return ret;
    for (int i = 0; i < o->nb_stems; i++)
        if ((ret = spool_path(sp, o, o->stems[i].path, &o->stems[i].file,
                              err, errlen)) != EXIT_OK)
            return ret;
    return EXIT_OK;
}

void spool_free(Spool *sp)
{
    for (int i = 0; i < sp->nb; i++)
        atomic_abort(&sp->files[i]);
    sp->nb = 0;
}
