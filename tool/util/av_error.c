/*
 * One-line error messages for failed libav* calls.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdio.h>

#include <libavutil/error.h>

#include "av_error.h"

int av_error_msg(char *err, size_t errlen, int ret, int fallback,
                 const char *path, const char *what)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];

    if (ret < 0) {
        av_strerror(ret, buf, sizeof(buf));
        snprintf(err, errlen, "%s: %s: %s", path, what, buf);
        return ret;
    }
    snprintf(err, errlen, "%s: %s", path, what);
    return fallback;
}
