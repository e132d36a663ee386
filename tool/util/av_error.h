/*
 * One-line error messages for failed libav* calls: "PATH: WHAT: REASON".
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

#endif /* DD_AV_ERROR_H */
