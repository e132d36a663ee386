/*
 * Output files written under a temporary name and renamed into place.
 *
 * Durability: the file's data is fsynced before the rename and the
 * directory after it, so that after a power cut or a node crash the final
 * name holds either the complete old file (or nothing) or the complete new
 * one, never a zero-length or truncated file (ext4 and XFS may otherwise
 * commit the rename before the data). Modes: the temporary file keeps
 * mkstemp's 0600 while it is written and gets 0666 & ~umask, as ffmpeg's
 * outputs, just before the rename: it is never more open than the final
 * file.
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

/* 0666 & ~umask, as open(2) would give a new file. The umask can only be
 * read by setting it: done once, before any thread of ours creates files. */
static mode_t final_mode(void)
{
    static mode_t mode = (mode_t)-1;
    if (mode == (mode_t)-1) {
        mode_t mask = umask(022);
        umask(mask);
        mode = 0666 & ~mask;
    }
    return mode;
}

static int make_tmp(AtomicFile *af, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    size_t len = dirlen + strlen(base) + 16;
    sigset_t all, old;
    int fd;

    memset(af, 0, sizeof(*af));
    final_mode(); /* read the umask now, on the main thread */
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
    /* no signal between the file's creation and its entry in pending[] */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    fd = mkstemp(af->tmp_path);
    if (fd >= 0)
        pending_add(af->tmp_path);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        int err = -errno;
        free(af->final_path);
        free(af->tmp_path);
        af->final_path = af->tmp_path = NULL;
        return err;
    }
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

/* The final mode on the data, then the data on disk. */
static int sync_file(AtomicFile *af)
{
    int fd, err = 0;

    if (af->fp) {
        if (fflush(af->fp) || ferror(af->fp))
            err = errno ? -errno : -EIO;
        fd = fileno(af->fp);
    } else if ((fd = open(af->tmp_path, O_RDONLY | O_CLOEXEC)) < 0) {
        return -errno;
    }
    if (!err && fchmod(fd, final_mode()) < 0)
        err = -errno;
    if (!err && fsync(fd) < 0)
        err = -errno;
    if (af->fp) {
        if (fclose(af->fp) && !err)
            err = -errno;
        af->fp = NULL;
    } else {
        close(fd);
    }
    return err;
}

/* The directory entry made by the rename, on disk. */
static int sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : slash - path) :
                        strdup(".");
    int fd, err = 0;

    if (!dir)
        return -ENOMEM;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -errno;
    /* some file systems cannot sync a directory: nothing more to do there */
    if (fsync(fd) < 0 && errno != EINVAL && errno != ENOTSUP)
        err = -errno;
    close(fd);
    return err;
}

int atomic_commit(AtomicFile *af)
{
    int err;
    if (!af->tmp_path)
        return -EINVAL;
    errno = 0;
    err = sync_file(af);
    if (!err && rename(af->tmp_path, af->final_path) < 0)
        err = -errno;
    if (err) {
        atomic_abort(af);
        return err;
    }
    pending_remove(af->tmp_path);
    free(af->tmp_path);
    af->tmp_path = NULL;
    err = sync_dir(af->final_path);
    free(af->final_path);
    af->final_path = NULL;
    return err;
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
