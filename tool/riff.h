/*
 * RIFF/RF64 WAVE chunks FFmpeg does not handle: the iXML chunk a
 * recorder writes (production metadata: scene, take, tape, track names)
 * is neither given by libavformat's wav demuxer nor written by its muxer.
 * So it is read from the source file here, and appended to a finished WAV
 * output here (word-aligned, with the RIFF size, or an RF64 file's ds64
 * size, fixed), before the output is renamed into place. A pipe cannot be
 * patched: outputs written to one do not get it.
 *
 * Bounded: a chunk over the caller's limit, a size past the end of the
 * file or more than RIFF_MAX_CHUNKS chunks is not followed; nothing is
 * read past the end of the file.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_RIFF_H
#define DD_RIFF_H

#include <stddef.h>
#include <stdint.h>

/** The most chunks walked before the chunk sought is given up on. */
#define RIFF_MAX_CHUNKS 4096

/** The largest iXML chunk carried (production metadata is a few KiB). */
#define RIFF_IXML_MAX (1 << 20)

/**
 * Find the first chunk id (4 characters) of the RIFF or RF64 WAVE file
 * path. 1: found, *data (malloc'd, free() it) and *size set; 0: the file
 * is not a WAVE file or has no such chunk; -1: there is one but it is not
 * carried (over max bytes, cut short by the end of the file, unreadable,
 * past RIFF_MAX_CHUNKS), and why says so.
 */
int riff_read_chunk(const char *path, const char *id, size_t max,
                    uint8_t **data, size_t *size, char *why, size_t whylen);

/**
 * Append chunk id of size bytes (and a pad byte when size is odd) to the
 * finished RIFF or RF64 WAVE file path, and fix the file's RIFF size (an
 * RF64 file's ds64 RIFF size). A RIFF file the chunk takes past 4 GiB is
 * made RF64 where FFmpeg's rf64=auto left room for a ds64 chunk (a 28-byte
 * JUNK chunk after "WAVE"). 0; or -1 with why set, the file possibly
 * changed (remove it) when *written is set, unchanged when not (a RIFF
 * file the chunk would take past 4 GiB without that room, a file that is
 * not a WAVE).
 */
int riff_append_chunk(const char *path, const char *id, const uint8_t *data,
                      size_t size, int *written, char *why, size_t whylen);

#endif /* DD_RIFF_H */
