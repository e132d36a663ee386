/*
 * A small JSON parser (RFC 8259) building a tree, for keyframe imports,
 * batch manifests and reports read back. Errors name the line and column.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_JSON_READER_H
#define DD_JSON_READER_H

#include <stddef.h>

typedef enum JsonType {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} JsonType;

typedef struct JsonValue {
    JsonType type;
    int boolean;
    double number;
    char *string;              /**< JSON_STRING, NUL-terminated UTF-8 */
    struct JsonValue *items;   /**< JSON_ARRAY elements or JSON_OBJECT values */
    char **keys;               /**< JSON_OBJECT member names, parallel to items */
    size_t nb_items;
} JsonValue;

/**
 * Parse text[0..len). On error returns a negative value and writes
 * "line L, column C: what is wrong" to err.
 */
int json_parse(const char *text, size_t len, JsonValue **out,
               char *err, size_t errlen);

/**
 * Read and parse a whole file. On error returns a negative value and writes
 * "path: line L, column C: what is wrong" (or "path: <system error>") to err.
 */
int json_parse_file(const char *path, JsonValue **out, char *err,
                    size_t errlen);

void json_free(JsonValue *v);

/** Member of an object by name, or NULL. */
const JsonValue *json_get(const JsonValue *obj, const char *key);

/** "a number", "a string", ... for error messages. */
const char *json_type_name(JsonType t);

#endif /* DD_JSON_READER_H */
