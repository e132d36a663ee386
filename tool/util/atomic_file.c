/*
 * Output files written under a temporary name and renamed into place.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"

/* Pending temporary names, for the signal handler. Fixed size so the
 * handler never touches the allocator. */
#define MAX_PENDING 64
static char *volatile pending[MAX_PENDING];

static void pending_add(char *path)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i]) {
            pending[i] = path;
            return;
        }
}

static void pending_remove(const char *path)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i] == path)
            pending[i] = NULL;
}

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i])
            unlink(pending[i]);
    _exit(128 + sig);
}

void atomic_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int make_tmp(AtomicFile *af, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    size_t len = dirlen + strlen(base) + 16;
    int fd;

    memset(af, 0, sizeof(*af));
    af->final_path = strdup(path);
    af->tmp_path = malloc(len);
    if (!af->final_path || !af->tmp_path) {
        free(af->final_path);
        free(af->tmp_path);
        af->final_path = af->tmp_path = NULL;
        return -ENOMEM;
    }
    memcpy(af->tmp_path, path, dirlen);
    snprintf(af->tmp_path + dirlen, len - dirlen, ".%s.XXXXXX", base);
    fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        int err = -errno;
        free(af->final_path);
        free(af->tmp_path);
        af->final_path = af->tmp_path = NULL;
        return err;
    }
    fchmod(fd, 0644); /* mkstemp makes 0600; outputs are ordinary files */
    pending_add(af->tmp_path);
    return fd;
}

int atomic_open(AtomicFile *af, const char *path)
{
    int fd = make_tmp(af, path);
    if (fd < 0)
        return fd;
    af->fp = fdopen(fd, "wb");
    if (!af->fp) {
        int err = -errno;
        close(fd);
        atomic_abort(af);
        return err;
    }
    return 0;
}

int atomic_reserve(AtomicFile *af, const char *path)
{
    int fd = make_tmp(af, path);
    if (fd < 0)
        return fd;
    close(fd);
    return 0;
}

int atomic_commit(AtomicFile *af)
{
    int err = 0;
    if (!af->tmp_path)
        return -EINVAL;
    if (af->fp) {
        if (fflush(af->fp) || ferror(af->fp))
            err = -errno ? -errno : -EIO;
        if (fclose(af->fp) && !err)
            err = -errno;
        af->fp = NULL;
    }
    if (!err && rename(af->tmp_path, af->final_path) < 0)
        err = -errno;
    if (err) {
        atomic_abort(af);
        return err;
    }
    pending_remove(af->tmp_path);
    free(af->tmp_path);
    free(af->final_path);
    af->tmp_path = af->final_path = NULL;
    return 0;
}

int atomic_finish(AtomicFile *af, char *err, size_t errlen)
{
    const char *path = af->final_path ? af->final_path : "(output)";
    int ret;

    if (af->fp && ferror(af->fp)) {
        snprintf(err, errlen, "%s: write error", path);
        atomic_abort(af);
        return -1;
    }
    /* the message needs the path, which a failed commit frees */
    snprintf(err, errlen, "%s", path);
    if ((ret = atomic_commit(af)) < 0) {
        size_t len = strlen(err);
        snprintf(err + len, errlen - len, ": %s", strerror(-ret));
        return -1;
    }
    if (errlen)
        err[0] = '\0';
    return 0;
}

void atomic_abort(AtomicFile *af)
{
    if (af->fp) {
        fclose(af->fp);
        af->fp = NULL;
    }
    if (af->tmp_path) {
        pending_remove(af->tmp_path);
        unlink(af->tmp_path);
        free(af->tmp_path);
        af->tmp_path = NULL;
    }
    free(af->final_path);
    af->final_path = NULL;
}
