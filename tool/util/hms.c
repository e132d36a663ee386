/*
 * Times as a person reads them: HH:MM:SS.mmm, as ffmpeg prints them.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "hms.h"

const char *hms_format(char *buf, size_t len, double seconds)
{
    int64_t ms;
    const char *sign = seconds < 0 ? "-" : "";

    if (!isfinite(seconds)) {
        snprintf(buf, len, "--:--:--.---");
        return buf;
    }
    ms = (int64_t)llround(fabs(seconds) * 1000);
    snprintf(buf, len, "%s%02lld:%02d:%02d.%03d", sign,
             (long long)(ms / 3600000), (int)(ms / 60000 % 60),
             (int)(ms / 1000 % 60), (int)(ms % 1000));
    return buf;
}
