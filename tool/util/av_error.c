/*
 * One-line error messages for failed libav* and engine calls.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdarg.h>
#include <stdio.h>

#include <libavutil/error.h>

#include "av_error.h"
#include "dialogueduck.h"

const char *error_text(int ret, char *buf, size_t size)
{
    if (DD_IS_ERROR(ret))
        return dd_strerror(ret);
    av_strerror(ret, buf, size);
    return buf;
}

int av_error_msg(char *err, size_t errlen, int ret, int fallback,
                 const char *path, const char *what)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];

    if (ret < 0) {
        snprintf(err, errlen, "%s: %s: %s", path, what,
                 error_text(ret, buf, sizeof(buf)));
        return ret;
    }
    snprintf(err, errlen, "%s: %s", path, what);
    return fallback;
}

int set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}
