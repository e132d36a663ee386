/*
 * The pass cache (passcache.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#define _GNU_SOURCE /* O_TMPFILE, fallocate() */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
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

/* Bytes read in a releasing pass before they are given back at once (a
 * multiple of any page size). */
#define RELEASE_STEP ((int64_t)1 << 20)

/* How a plane of a block is stored. */
enum {
    PLANE_FLOAT, /* as it is */
    PLANE_S16,   /* as 16-bit integers: every sample is k / 32768 */
    PLANE_ZERO,  /* nothing: every sample is +0.0 (digital silence) */
};

struct PassCache {
    int fd;
    int64_t size, budget, min_free;
    int64_t next_check;
    int release;             /* the pass reading now gives its blocks back */
    int64_t read_pos;        /* bytes read since the rewind */
    int64_t released;        /* bytes given back (from the start) */
    int16_t *s16;            /* the S16 planes of the block in transit */
    unsigned s16_size;
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

/* x as a 16-bit integer in *dst; nonzero bits if that does not read back
 * as x to the bit (-0.0 and NaN included). Bit tests, not float compares
 * and branches, keep the callers' loops vectorizable: |x * 32768| below
 * 32768 (0x47000000), or exactly -32768; anything else converts +0. */
static inline uint32_t pack_one(int16_t *dst, float x)
{
    float s = x * 32768.0f, back;
    uint32_t a, b, u, in;

    memcpy(&u, &s, sizeof(u));
    in = ((u & 0x7fffffff) < 0x47000000) | (u == 0xc7000000);
    u &= -in;
    memcpy(&s, &u, sizeof(s));
    *dst = (int16_t)(int32_t)s;
    back = *dst * (1.0f / 32768);
    memcpy(&a, &back, sizeof(a));
    memcpy(&b, &x, sizeof(b));
    return (a ^ b) | (in ^ 1);
}

/*
 * Plane src as 16-bit integers in dst if every sample is one exactly
 * (decoded 16-bit PCM and FLAC are k / 32768): 1 if so, else 0 (dst then
 * holds nothing of use). Eight samples at a time with no branch inside,
 * a loop the compiler vectorizes at -O2: half the bytes written and read
 * back for a few instructions per sample; a plane off the grid (lossy or
 * resampled stems) stops at its first eight.
 */
static int pack_s16(int16_t *dst, const float *src, int n)
{
    uint32_t diff = 0;
    int k = 0;

    for (; k + 8 <= n && !diff; k += 8)
        for (int j = 0; j < 8; j++)
            diff |= pack_one(dst + k + j, src[k + j]);
    for (; k < n && !diff; k++)
        diff |= pack_one(dst + k, src[k]);
    return !diff;
}

/* 1 if every sample of a packed plane is 0, i.e. the plane was all +0.0
 * (-0.0 does not pack): digital silence between clips, an effects stem
 * with nothing in it, is stored as no bytes at all. */
static int all_zero(const int16_t *s16, int n)
{
    int16_t any = 0;

    for (int k = 0; k < n; k++)
        any |= s16[k];
    return !any;
}

/* How a plane of n samples is stored, its 16-bit form in s16. */
static int plane_form(int16_t *s16, const float *src, int n)
{
    if (!pack_s16(s16, src, n))
        return PLANE_FLOAT;
    return all_zero(s16, n) ? PLANE_ZERO : PLANE_S16;
}

/* pack_one()'s reading back, eight at a time as well. */
static void unpack_s16(float *dst, const int16_t *src, int n)
{
    int k = 0;

    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++)
            dst[k + j] = src[k + j] * (1.0f / 32768);
    for (; k < n; k++)
        dst[k] = src[k] * (1.0f / 32768);
}

/* Room for nb S16 planes of n samples. */
static int alloc_s16(PassCache *pc, int nb, int n)
{
    if (nb > PASSCACHE_MAX_PLANES)
        return AVERROR(EINVAL);
    av_fast_malloc(&pc->s16, &pc->s16_size, (size_t)nb * n * sizeof(int16_t));
    return pc->s16 ? 0 : AVERROR(ENOMEM);
}

/*
 * A block in the file: its length (int32), how each plane is stored (a
 * byte per plane), then the planes, each as float, S16 or nothing on its
 * own: a bus of resampled or mixed stems stays float while a 16-bit one
 * beside it is halved and a silent one takes no room.
 */
int passcache_write(PassCache *pc, float *const *planes, int nb, int n)
{
    struct iovec iov[PASSCACHE_MAX_PLANES + 2];
    uint8_t how[PASSCACHE_MAX_PLANES];
    int32_t len = n;
    int64_t bytes = sizeof(len) + nb;
    int ret, cnt = 2;

    if ((ret = alloc_s16(pc, nb, n)) < 0)
        return ret;
    iov[0] = (struct iovec){ &len, sizeof(len) };
    iov[1] = (struct iovec){ how, nb };
    for (int i = 0; i < nb; i++) {
        int16_t *s16 = pc->s16 + (size_t)i * n;
        how[i] = plane_form(s16, planes[i], n);
        if (how[i] == PLANE_ZERO)
            continue;
        iov[cnt] = how[i] == PLANE_S16 ?
            (struct iovec){ s16, (size_t)n * sizeof(*s16) } :
            (struct iovec){ planes[i], (size_t)n * sizeof(float) };
        bytes += iov[cnt++].iov_len;
    }
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

int passcache_rewind(PassCache *pc, int release)
{
    if (pc->released)
        return AVERROR(EINVAL);
    if (lseek(pc->fd, 0, SEEK_SET) < 0)
        return AVERROR(errno);
    pc->release = release;
    pc->read_pos = 0;
    return 0;
}

/*
 * In a releasing pass, the whole steps read so far leave the file: its
 * pages are freed at once (a punched range of an unnamed file is never
 * written back), and the pass's output is written into them instead of
 * pages the kernel must find anew. Where the filesystem cannot punch
 * holes nothing is given back, and the cache can still be read again.
 */
static void release_read(PassCache *pc)
{
#ifdef FALLOC_FL_PUNCH_HOLE
    int64_t end = pc->read_pos / RELEASE_STEP * RELEASE_STEP;

    if (!pc->release || end - pc->released < RELEASE_STEP)
        return;
    if (fallocate(pc->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  pc->released, end - pc->released) < 0) {
        pc->release = 0;
        return;
    }
    pc->released = end;
#endif
}

int passcache_read(PassCache *pc, float *const *planes, int nb, int max)
{
    struct iovec iov[PASSCACHE_MAX_PLANES + 2];
    uint8_t how[PASSCACHE_MAX_PLANES];
    int32_t len;
    int64_t bytes;
    int ret, cnt = 0;

    if ((ret = alloc_s16(pc, nb, max)) < 0)
        return ret;
    iov[0] = (struct iovec){ &len, sizeof(len) };
    iov[1] = (struct iovec){ how, nb };
    if ((ret = transfer(pc->fd, iov, 2, 0)) < 0)
        return ret == AVERROR_EOF ? 0 : ret;
    if (len <= 0 || len > max)
        return AVERROR_BUG;
    bytes = sizeof(len) + nb;
    for (int i = 0; i < nb; i++) {
        if (how[i] == PLANE_S16)
            iov[cnt++] = (struct iovec){ pc->s16 + (size_t)i * max,
                                         len * sizeof(int16_t) };
        else if (how[i] == PLANE_FLOAT)
            iov[cnt++] = (struct iovec){ planes[i], len * sizeof(float) };
        else if (how[i] != PLANE_ZERO)
            return AVERROR_BUG;
        if (how[i] != PLANE_ZERO)
            bytes += iov[cnt - 1].iov_len;
    }
    if ((ret = transfer(pc->fd, iov, cnt, 0)) < 0)
        return ret == AVERROR_EOF ? AVERROR_BUG : ret;
    pc->read_pos += bytes;
    release_read(pc);
    for (int i = 0; i < nb; i++)
        if (how[i] == PLANE_S16)
            unpack_s16(planes[i], pc->s16 + (size_t)i * max, len);
        else if (how[i] == PLANE_ZERO)
            memset(planes[i], 0, len * sizeof(float));
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
    av_freep(&(*pc)->s16);
    av_freep(pc);
}
