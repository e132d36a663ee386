/*
 * The RFC 4180 reader (see csv_reader.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdlib.h>
#include <string.h>

#include "av_error.h"
#include "csv_reader.h"
#include "str_list.h"

/* Spreadsheets often save UTF-8 with a byte order mark: not part of the
 * first column's name. */
size_t csv_skip_bom(const char *t, size_t len)
{
    return len >= 3 && !memcmp(t, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

void csv_record_clear(CsvRecord *r)
{
    str_list_free(r->cells, r->nb_cells);
    r->cells = NULL;
    r->nb_cells = 0;
}

int csv_skip_blank_lines(const char *t, size_t len, size_t *pos, int *line)
{
    while (*pos < len) {
        size_t p = *pos;
        while (p < len && (t[p] == ' ' || t[p] == '\t' || t[p] == '\r'))
            p++;
        if (p < len && t[p] != '\n' && t[p] != '#')
            return 1;
        while (p < len && t[p] != '\n')
            p++;
        *pos = p + (p < len);
        (*line)++;
    }
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The quoted field at *pos (which holds '"'), "" read as one quote, added
 * to r; *pos moves past it and the blanks after it. */
static int quoted_field(const char *t, size_t len, size_t *pos, int *line,
                        CsvRecord *r, char *err, size_t errlen)
{
    size_t p = *pos + 1, n = 0, cap = 0;
    int start_line = *line, ret;
    char *buf = NULL;

    for (;;) {
        if (p >= len) {
            free(buf);
            return set_err(err, errlen, "line %d: unterminated quoted field",
                           start_line);
        }
        if (t[p] == '"') {
            if (p + 1 < len && t[p + 1] == '"')
                p++;
            else
                break;
        }
        if (t[p] == '\n')
            (*line)++;
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap = cap * 2 + 64);
            if (!nb) {
                free(buf);
                return set_err(err, errlen, "out of memory");
            }
            buf = nb;
        }
        buf[n++] = t[p++];
    }
    p++; /* closing quote */
    while (p < len && is_blank(t[p]))
        p++;
    if (p < len && t[p] != ',' && t[p] != '\n') {
        free(buf);
        return set_err(err, errlen, "line %d: unexpected '%c' after a closing quote",
                       *line, t[p]);
    }
    ret = str_list_add(&r->cells, &r->nb_cells, buf ? buf : "", n);
    free(buf);
    if (ret < 0)
        return set_err(err, errlen, "out of memory");
    *pos = p;
    return 0;
}

/* The unquoted field at *pos, trimmed, added to r; *pos moves to the ','
 * or the end of the line after it. */
static int plain_field(const char *t, size_t len, size_t *pos, CsvRecord *r,
                       char *err, size_t errlen)
{
    size_t s = *pos, p = s, e;

    while (p < len && t[p] != ',' && t[p] != '\n')
        p++;
    e = p;
    while (e > s && is_blank(t[e - 1]))
        e--;
    if (str_list_add(&r->cells, &r->nb_cells, t + s, e - s) < 0)
        return set_err(err, errlen, "out of memory");
    *pos = p;
    return 0;
}

int csv_next_record(const char *t, size_t len, size_t *pos, int *line,
                    CsvRecord *r, char *err, size_t errlen)
{
    if (!csv_skip_blank_lines(t, len, pos, line))
        return 0;
    r->line = *line;
    for (;;) {
        size_t p = *pos;
        int ret;
        while (p < len && (t[p] == ' ' || t[p] == '\t'))
            p++;
        if (p < len && t[p] == '"')
            ret = quoted_field(t, len, &p, line, r, err, errlen);
        else
            ret = plain_field(t, len, &p, r, err, errlen);
        if (ret < 0)
            return -1;
        if (p < len && t[p] == ',') {
            *pos = p + 1;
            continue;
        }
        /* end of record: newline or end of text */
        if (p < len)
            (*line)++;
        *pos = p + (p < len);
        return 1;
    }
}
