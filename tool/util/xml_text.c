/*
 * Text helpers for the XML and SVG writers.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xml_text.h"

void xml_put_escaped(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':  fputs("&amp;", fp);  break;
        case '<':  fputs("&lt;", fp);   break;
        case '>':  fputs("&gt;", fp);   break;
        case '"':  fputs("&quot;", fp); break;
        case '\'': fputs("&apos;", fp); break;
        default:
            /* Control characters are not allowed in XML 1.0 at all. */
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
                fputc(*s, fp);
        }
    }
}

static void put_url_encoded(FILE *fp, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
            fputc(*p, fp);
        else
            fprintf(fp, "%%%02X", *p);
    }
}

void xml_put_file_url(FILE *fp, const char *path, int localhost)
{
    char *abs = realpath(path, NULL);
    char cwd[PATH_MAX];

    fputs(localhost ? "file://localhost" : "file://", fp);
    if (abs) {
        put_url_encoded(fp, abs);
        free(abs);
    } else if (path[0] != '/' && getcwd(cwd, sizeof(cwd))) {
        put_url_encoded(fp, cwd);
        fputc('/', fp);
        put_url_encoded(fp, path);
    } else {
        put_url_encoded(fp, path);
    }
}

const char *xml_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
