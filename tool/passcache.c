/*
 * The pass cache (passcache.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "passcache.h"

/* How often the filesystem's free space is checked, in bytes written. */
#define CHECK_EVERY ((int64_t)256 << 20)

struct PassCache {
    int fd;
    int64_t size, budget, min_free;
    int64_t next_check;
};

/* A file in dir with no name: O_TMPFILE, else mkstemp() and unlink()
 * with the terminating signals held back in between. */
static int open_unnamed(const char *dir)
{
    sigset_t block, old;
    char *path;
    int fd, err;

#ifdef O_TMPFILE
    if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
        return fd;
#endif
    if (!(path = av_asprintf("%s/.dialogueduck-cache.XXXXXX", dir)))
        return AVERROR(ENOMEM);
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    fd = mkstemp(path);
    err = errno;
    if (fd >= 0)
        unlink(path);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    av_free(path);
    if (fd < 0)
        return AVERROR(err);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

int passcache_open(PassCache **pc, const char *dir, int64_t budget,
                   int64_t min_free)
{
    PassCache *c;
    int fd = open_unnamed(dir);

    *pc = NULL;
    if (fd < 0)
        return fd;
    if (!(c = av_mallocz(sizeof(*c)))) {
        close(fd);
        return AVERROR(ENOMEM);
    }
    c->fd = fd;
    c->budget = budget;
    c->min_free = min_free;
    c->next_check = CHECK_EVERY;
    *pc = c;
    return 0;
}

/* The whole of iov written (write) or read, whatever the kernel splits;
 * 0, AVERROR_EOF at the end of the file, or an AVERROR. */
static int transfer(int fd, struct iovec *iov, int cnt, int write)
{
    while (cnt > 0) {
        ssize_t r = write ? writev(fd, iov, cnt) : readv(fd, iov, cnt);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return AVERROR(errno);
        if (!r)
            return write ? AVERROR(EIO) : AVERROR_EOF;
        while (cnt > 0 && (size_t)r >= iov->iov_len) {
            r -= iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + r;
            iov->iov_len -= r;
        }
    }
    return 0;
}

/* The block's length, then its planes. */
static int block_iov(struct iovec *iov, int32_t *len, float *const *planes,
                     int nb, int n)
{
    if (nb > PASSCACHE_MAX_PLANES)
        return AVERROR(EINVAL);
    iov[0] = (struct iovec){ len, sizeof(*len) };
    for (int i = 0; i < nb; i++)
        iov[i + 1] = (struct iovec){ planes[i], (size_t)n * sizeof(float) };
    return nb + 1;
}

int passcache_write(PassCache *pc, float *const *planes, int nb, int n)
{
    struct iovec iov[PASSCACHE_MAX_PLANES + 1];
    int32_t len = n;
    int64_t bytes = sizeof(len) + (int64_t)nb * n * sizeof(float);
    int cnt = block_iov(iov, &len, planes, nb, n), ret;

    if (cnt < 0)
        return cnt;
    if (pc->size + bytes > pc->budget)
        return AVERROR(ENOSPC);
    if (pc->size >= pc->next_check) {
        struct statvfs fs;
        pc->next_check = pc->size + CHECK_EVERY;
        if (!fstatvfs(pc->fd, &fs) &&
            (int64_t)fs.f_bavail * (int64_t)fs.f_frsize < pc->min_free)
            return AVERROR(ENOSPC);
    }
    if ((ret = transfer(pc->fd, iov, cnt, 1)) < 0)
        return ret;
    pc->size += bytes;
    return 0;
}

int passcache_rewind(PassCache *pc)
{
    return lseek(pc->fd, 0, SEEK_SET) < 0 ? AVERROR(errno) : 0;
}

int passcache_read(PassCache *pc, float *const *planes, int nb, int max)
{
    struct iovec iov[PASSCACHE_MAX_PLANES + 1];
    int32_t len;
    int ret;

    if ((ret = transfer(pc->fd, &(struct iovec){ &len, sizeof(len) }, 1,
                        0)) < 0)
        return ret == AVERROR_EOF ? 0 : ret;
    if (len <= 0 || len > max)
        return AVERROR_BUG;
    if ((ret = block_iov(iov, &len, planes, nb, len)) < 0 ||
        (ret = transfer(pc->fd, iov + 1, nb, 0)) < 0)
        return ret == AVERROR_EOF ? AVERROR_BUG : ret;
    return len;
}

int64_t passcache_size(const PassCache *pc)
{
    return pc->size;
}

void passcache_free(PassCache **pc)
{
    if (!*pc)
        return;
    close((*pc)->fd);
    av_freep(pc);
}
