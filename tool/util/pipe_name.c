/*
 * "-", "pipe:" and "pipe:N" as ffmpeg reads them.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <limits.h>
#include <string.h>

#include "pipe_name.h"

int pipe_name_fd(const char *name, int dash_fd)
{
    long fd = 0;

    if (!strcmp(name, "-") || !strcmp(name, "pipe:"))
        return dash_fd;
    if (strncmp(name, "pipe:", 5))
        return -1;
    for (const char *p = name + 5; *p; p++) {
        if (*p < '0' || *p > '9' || fd > INT_MAX / 10)
            return -1;
        fd = fd * 10 + (*p - '0');
    }
    return fd <= INT_MAX ? (int)fd : -1;
}
