/*
 * A whole file in memory, for the readers that parse text (CSV, JSON).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_TEXT_FILE_H
#define DD_TEXT_FILE_H

#include <stddef.h>

/**
 * Read path into a malloc'ed buffer (NUL-terminated; *len excludes it).
 * Returns 0, or -1 with "path: what" in err.
 */
int text_file_read(const char *path, char **text, size_t *len, char *err,
                   size_t errlen);

#endif /* DD_TEXT_FILE_H */
