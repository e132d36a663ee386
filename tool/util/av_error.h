/*
 * One-line error messages. The program carries three kinds of failure
 * in an int: FFmpeg's AVERROR codes (-errno or a tag), the engine's
 * DD_ERROR_* codes (kept outside that range, see dialogueduck.h), and
 * its own -1 with the message already written. Every message about a
 * code is written here, so an interrupted system call reads as one and
 * an engine refusal as the engine's.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_AV_ERROR_H
#define DD_AV_ERROR_H

#include <stddef.h>

/**
 * Write "path: what: reason" (or "path: what" when ret >= 0) to err and
 * return ret, or fallback when ret >= 0 (a failure without an AVERROR).
 */
int av_error_msg(char *err, size_t errlen, int ret, int fallback,
                 const char *path, const char *what);

/**
 * The text of a negative code from either the engine (DD_ERROR_*) or the
 * FFmpeg libraries (AVERROR); buf holds it when it is not static.
 */
const char *error_text(int ret, char *buf, size_t size);

/** printf into err; returns -1. */
int set_err(char *err, size_t errlen, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* DD_AV_ERROR_H */
