/*
 * A streaming JSON writer for reports, keyframe exports and summaries.
 * Commas, nesting and string escaping are handled here; numbers are
 * printed with a fixed precision so that output is reproducible.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_JSON_WRITER_H
#define DD_JSON_WRITER_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct JsonWriter {
    FILE *fp;
    int depth;
    int need_comma[JSON_MAX_DEPTH];
    int after_key;
    int indent;      /**< 1: pretty-print with 2-space indent */
} JsonWriter;

void json_init(JsonWriter *w, FILE *fp, int indent);

void json_object_begin(JsonWriter *w);
void json_object_end(JsonWriter *w);
void json_array_begin(JsonWriter *w);
void json_array_end(JsonWriter *w);

/** Object member name; the next value call writes its value. */
void json_key(JsonWriter *w, const char *key);

void json_string(JsonWriter *w, const char *s);   /**< NULL writes null */
void json_int(JsonWriter *w, int64_t v);
/** A number with `decimals` digits after the point; NaN/Inf write null. */
void json_double(JsonWriter *w, double v, int decimals);
void json_bool(JsonWriter *w, int v);
void json_null(JsonWriter *w);

/* key + value shorthands */
void json_kv_string(JsonWriter *w, const char *key, const char *s);
void json_kv_int(JsonWriter *w, const char *key, int64_t v);
void json_kv_double(JsonWriter *w, const char *key, double v, int decimals);
void json_kv_bool(JsonWriter *w, const char *key, int v);

/**
 * The raw bytes of s as a string, percent-encoded (%XX for bytes outside
 * printable ASCII and for %): a string that is not UTF-8 is written with
 * U+FFFD in its place, and this keeps what it was.
 */
void json_string_bytes(JsonWriter *w, const char *s);

/**
 * key: s, and when s is not UTF-8 also "<key>_bytes": its raw bytes
 * (json_string_bytes), so that a reader can find the file again.
 */
void json_kv_path(JsonWriter *w, const char *key, const char *s);

#endif /* DD_JSON_WRITER_H */
