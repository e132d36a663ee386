/*
 * Text helpers for the XML and SVG writers.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utf8_text.h"
#include "xml_text.h"

void xml_put_escaped(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        int n = utf8_seq_len(p);
        switch (*p) {
        case '&':  fputs("&amp;", fp);  break;
        case '<':  fputs("&lt;", fp);   break;
        case '>':  fputs("&gt;", fp);   break;
        case '"':  fputs("&quot;", fp); break;
        case '\'': fputs("&apos;", fp); break;
        default:
            /* Control characters are not allowed in XML 1.0 at all; bytes
             * that are not UTF-8 become U+FFFD (the file URL keeps them) */
            if (!n)
                fputs("&#xFFFD;", fp);
            else if (*p >= 0x20 || *p == '\t' || *p == '\n')
                fwrite(p, 1, n, fp);
        }
        p += n ? n : 1;
    }
}

static void put_url_encoded(FILE *fp, const char *s)
{
    text_put_percent(fp, s, "/-._~");
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
