/*
 * A whole file in memory, for the readers that parse text (CSV, JSON).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_file.h"

int text_file_read(const char *path, char **text, size_t *len, char *err,
                   size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n;

    *text = NULL;
    *len = 0;
    if (!fp) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    do {
        if (cap - *len < 65536 + 1) {
            char *t = realloc(buf, cap + 65536 + cap / 2);
            if (!t) {
                free(buf);
                fclose(fp);
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
            }
            buf = t;
            cap += 65536 + cap / 2;
        }
        n = fread(buf + *len, 1, cap - *len - 1, fp);
        *len += n;
    } while (n > 0);
    if (ferror(fp)) {
        snprintf(err, errlen, "%s: read error", path);
        free(buf);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    buf[*len] = 0;
    *text = buf;
    return 0;
}
