/*
 * Fuzz target: the JSON reader (tool/util/json_reader.h) on arbitrary bytes.
 * A parse either succeeds with a well-formed tree or fails with a
 * "line L, column C: ..." message; the tree is walked and freed.
 *
 * This file is part of dialogueduck.
 *
 * dialogueduck is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"

#define REQUIRE(cond) do {                                              \
        if (!(cond)) {                                                  \
            fprintf(stderr, "fuzz_json: contract broken: %s (%s:%d)\n", \
                    #cond, __FILE__, __LINE__);                         \
            abort();                                                    \
        }                                                               \
    } while (0)

/* Touch every node so ASan sees any bad pointer or length. */
static size_t walk(const JsonValue *v, int depth)
{
    size_t n = 1;

    REQUIRE(depth < 100000);
    REQUIRE(json_type_name(v->type) != NULL);
    switch (v->type) {
    case JSON_STRING:
        REQUIRE(v->string);
        n += strlen(v->string);
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < v->nb_items; i++) {
            REQUIRE(v->keys && v->keys[i]);
            /* json_get finds a member by each of its names (the first
             * of duplicates), of the same type */
            REQUIRE(json_get(v, v->keys[i]) != NULL);
        }
        /* fall through */
    case JSON_ARRAY:
        for (size_t i = 0; i < v->nb_items; i++)
            n += walk(&v->items[i], depth + 1);
        break;
    default:
        break;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    JsonValue *v = NULL;
    char err[256] = "";
    /* exact-size copy: ASan flags any read past the end of the text */
    char *text = malloc(size ? size : 1);
    int ret;

    memcpy(text, data, size);
    ret = json_parse(text, size, &v, err, sizeof(err));
    if (ret < 0) {
        REQUIRE(strncmp(err, "line ", 5) == 0);
    } else {
        REQUIRE(v != NULL);
        walk(v, 0);
        REQUIRE(json_get(v, "\x01 no such key") == NULL);
        json_free(v);
    }
    free(text);
    return 0;
}
