/*
 * Times as a person reads them: HH:MM:SS.mmm, as ffmpeg prints them.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_HMS_H
#define DD_HMS_H

#include <stddef.h>

/* Long enough for any time hms_format() writes. */
#define HMS_LEN 32

/** seconds as "HH:MM:SS.mmm" (rounded to the millisecond) into buf. */
const char *hms_format(char *buf, size_t len, double seconds);

#endif /* DD_HMS_H */
