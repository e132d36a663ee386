/*
 * A streaming JSON writer.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <inttypes.h>
#include <math.h>

#include "json_writer.h"
#include "utf8_text.h"

void json_init(JsonWriter *w, FILE *fp, int indent)
{
    *w = (JsonWriter){ .fp = fp, .indent = indent };
}

static void newline(JsonWriter *w)
{
    if (!w->indent)
        return;
    fputc('\n', w->fp);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->fp);
}

/* Separator before a value or a key at the current level. */
static void before_item(JsonWriter *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (w->need_comma[w->depth])
            fputc(',', w->fp);
        w->need_comma[w->depth] = 1;
        newline(w);
    }
}

static void open_level(JsonWriter *w, int c)
{
    before_item(w);
    fputc(c, w->fp);
    if (w->depth < JSON_MAX_DEPTH - 1)
        w->depth++;
    w->need_comma[w->depth] = 0;
}

static void close_level(JsonWriter *w, int c)
{
    int had_items = w->need_comma[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (had_items)
        newline(w);
    fputc(c, w->fp);
    if (w->depth == 0)
        fputc('\n', w->fp);
}

void json_object_begin(JsonWriter *w) { open_level(w, '{'); }
void json_object_end(JsonWriter *w)   { close_level(w, '}'); }
void json_array_begin(JsonWriter *w)  { open_level(w, '['); }
void json_array_end(JsonWriter *w)    { close_level(w, ']'); }

/* Bytes that are not UTF-8 become U+FFFD: JSON text is UTF-8. */
static void write_escaped(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', fp);
    while (*p) {
        int n = utf8_seq_len(p);
        switch (*p) {
        case '"':  fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp);  break;
        case '\r': fputs("\\r", fp);  break;
        case '\t': fputs("\\t", fp);  break;
        default:
            if (!n)
                fputs("\\ufffd", fp);
            else if (*p < 0x20 || *p == 0x7f)
                fprintf(fp, "\\u%04x", *p);
            else
                fwrite(p, 1, n, fp);
        }
        p += n ? n : 1;
    }
    fputc('"', fp);
}

void json_key(JsonWriter *w, const char *key)
{
    before_item(w);
    write_escaped(w->fp, key);
    fputs(w->indent ? ": " : ":", w->fp);
    w->after_key = 1;
}

void json_string(JsonWriter *w, const char *s)
{
    before_item(w);
    if (s)
        write_escaped(w->fp, s);
    else
        fputs("null", w->fp);
}

void json_int(JsonWriter *w, int64_t v)
{
    before_item(w);
    fprintf(w->fp, "%" PRId64, v);
}

void json_double(JsonWriter *w, double v, int decimals)
{
    before_item(w);
    if (!isfinite(v))
        fputs("null", w->fp);
    else
        fprintf(w->fp, "%.*f", decimals, v == 0.0 ? 0.0 : v); /* no "-0.0" */
}

void json_bool(JsonWriter *w, int v)
{
    before_item(w);
    fputs(v ? "true" : "false", w->fp);
}

void json_null(JsonWriter *w)
{
    before_item(w);
    fputs("null", w->fp);
}

void json_kv_string(JsonWriter *w, const char *key, const char *s)
{
    json_key(w, key);
    json_string(w, s);
}

void json_kv_int(JsonWriter *w, const char *key, int64_t v)
{
    json_key(w, key);
    json_int(w, v);
}

void json_kv_double(JsonWriter *w, const char *key, double v, int decimals)
{
    json_key(w, key);
    json_double(w, v, decimals);
}

void json_kv_bool(JsonWriter *w, const char *key, int v)
{
    json_key(w, key);
    json_bool(w, v);
}

/* Printable ASCII but the quote, the backslash and the percent sign. */
#define BYTES_KEEP " !#$&'()*+,-./:;<=>?@[]^_`{|}~"

void json_string_bytes(JsonWriter *w, const char *s)
{
    before_item(w);
    fputc('"', w->fp);
    text_put_percent(w->fp, s, BYTES_KEEP);
    fputc('"', w->fp);
}

void json_kv_path(JsonWriter *w, const char *key, const char *s)
{
    char k[64];

    json_kv_string(w, key, s);
    if (!s || utf8_valid(s))
        return;
    snprintf(k, sizeof(k), "%s_bytes", key);
    json_key(w, k);
    json_string_bytes(w, s);
}
