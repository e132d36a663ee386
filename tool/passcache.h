/*
 * The pass cache: the buses pass 1 decoded (dialogue, music, effects of
 * every block), kept in a temporary file so that pass 2 and normalize's
 * dry passes read them back, as planar float exactly as the stages read
 * them, instead of demuxing, decoding and resampling the stems again.
 * Reading back is a copy from the page cache; decoding AAC, MP3 or Opus
 * again costs a decoder's work, so the session caches when a stem is
 * compressed (open.c decides, --cache overrides).
 *
 * The file never has a name anyone can see: it is opened with O_TMPFILE,
 * or created with mkstemp() and unlinked at once with SIGINT, SIGTERM and
 * SIGHUP blocked in between. Whatever way the process ends (success,
 * error, a signal, SIGKILL, a crash) the kernel frees it; nothing is left
 * behind. Memory: the caller's block buffers and one block of 16-bit
 * planes (one writev(2) or readv(2) per block). Disk: 2 bytes per sample
 * per bus channel for a block's plane whose every sample is a 16-bit
 * value (decoded 16-bit PCM and FLAC; read back to the bit), none for
 * one that is all +0.0 (digital silence), else 4 (float), at most `budget` bytes, past which writing fails and the
 * caller drops the cache and decodes again. Writing fails as well once
 * the filesystem's free space falls under `min_free` (checked every 256
 * MiB): others writing to it (the output, other jobs) get the cache's
 * space back. The last pass gives back what it has read as it goes (see
 * passcache_rewind()): the page cache stays the size of the cache rather
 * than the cache plus the output, and the output's pages are the ones
 * the cache freed; on a virtual machine whose freed memory goes back to
 * the host, new pages cost several times what reused ones do (README,
 * Performance).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_PASSCACHE_H
#define DD_PASSCACHE_H

#include <stdint.h>

/* Planes per block, at most (the buses' channels together). */
#define PASSCACHE_MAX_PLANES 96

typedef struct PassCache PassCache;

/**
 * An empty cache in directory dir holding at most budget bytes, while
 * the filesystem keeps min_free bytes free.
 * 0, or a negative AVERROR (nothing created).
 */
int passcache_open(PassCache **pc, const char *dir, int64_t budget,
                   int64_t min_free);

/**
 * Append a block: n samples of each of nb planes. 0, or a negative
 * AVERROR: a write error, or AVERROR(ENOSPC) past the budget or under
 * min_free.
 */
int passcache_write(PassCache *pc, float *const *planes, int nb, int n);

/**
 * Read from the first block again. With release set, the pass that
 * starts is the cache's last reader: what it has read leaves the file as
 * it goes (in 1 MiB steps), so the page cache the cache held is freed
 * for the pass's own output instead of growing by the output's size.
 * 0, or a negative AVERROR: AVERROR(EINVAL) once a releasing pass has
 * given anything back (the cache cannot be read again).
 */
int passcache_rewind(PassCache *pc, int release);

/**
 * The next block into nb planes of at least max samples: its length, 0
 * after the last block, or a negative AVERROR (also when the block does
 * not fit).
 */
int passcache_read(PassCache *pc, float *const *planes, int nb, int max);

/** Bytes written. */
int64_t passcache_size(const PassCache *pc);

/** Close (the file goes with its descriptor). Safe on NULL. */
void passcache_free(PassCache **pc);

#endif /* DD_PASSCACHE_H */
