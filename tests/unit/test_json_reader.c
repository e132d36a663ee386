/*
 * Unit tests for the JSON reader: values, escapes, error positions, and a
 * round trip through the JSON writer.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "json_reader.h"
#include "json_writer.h"

static JsonValue *parse(const char *s, char *err, size_t errlen)
{
    JsonValue *v = NULL;
    if (json_parse(s, strlen(s), &v, err, errlen) < 0)
        return NULL;
    return v;
}

/* Expects s to fail with a message containing want. */
static void expect_error(const char *s, const char *want)
{
    char err[256] = "";
    JsonValue *v = parse(s, err, sizeof(err));
    CHECK(!v, "'%s' should not parse", s);
    CHECK(strstr(err, want) != NULL, "'%s': got \"%s\", want \"%s\"", s, err, want);
    json_free(v);
}

static void test_values(void)
{
    char err[256];
    JsonValue *v = parse(" {\"a\": [1, -2.5e3, 0.125, true, false, null],"
                         " \"s\": \"x\\\"y\\\\z\\n\\u00e9\\ud83c\\udfb5/\","
                         " \"o\": {}, \"e\": [] } ", err, sizeof(err));
    const JsonValue *a, *s;

    CHECK(v != NULL, "%s", err);
    if (!v)
        return;
    CHECK(v->type == JSON_OBJECT && v->nb_items == 4, "object of 4");
    a = json_get(v, "a");
    CHECK(a && a->type == JSON_ARRAY && a->nb_items == 6, "array of 6");
    if (a && a->nb_items == 6) {
        CHECK(a->items[0].type == JSON_NUMBER && a->items[0].number == 1, "1");
        CHECK(a->items[1].number == -2500, "-2.5e3 -> %g", a->items[1].number);
        CHECK(a->items[2].number == 0.125, "0.125");
        CHECK(a->items[3].type == JSON_BOOL && a->items[3].boolean == 1, "true");
        CHECK(a->items[4].type == JSON_BOOL && a->items[4].boolean == 0, "false");
        CHECK(a->items[5].type == JSON_NULL, "null");
    }
    s = json_get(v, "s");
    CHECK(s && s->type == JSON_STRING &&
          !strcmp(s->string, "x\"y\\z\n\xc3\xa9\xf0\x9f\x8e\xb5/"),
          "escapes decoded: %s", s ? s->string : "(none)");
    CHECK(json_get(v, "o") && json_get(v, "o")->type == JSON_OBJECT &&
          json_get(v, "o")->nb_items == 0, "empty object");
    CHECK(json_get(v, "e") && json_get(v, "e")->nb_items == 0, "empty array");
    CHECK(json_get(v, "missing") == NULL, "missing key");
    CHECK(json_get(a, "a") == NULL, "json_get on an array");
    json_free(v);

    v = parse("42", err, sizeof(err));
    CHECK(v && v->type == JSON_NUMBER && v->number == 42, "bare number");
    json_free(v);
    v = parse("\xef\xbb\xbf\"bom\"", err, sizeof(err));
    CHECK(v && v->type == JSON_STRING && !strcmp(v->string, "bom"), "BOM skipped");
    json_free(v);
}

static void test_errors(void)
{
    expect_error("", "line 1, column 1: expected a value, found end of input");
    expect_error("{\"a\": 1,\n  \"b\" 2}", "line 2, column 7: expected ':'");
    expect_error("[1, 2,]", "line 1, column 7: expected a value");
    expect_error("[1 2]", "line 1, column 4: expected ',' or ']'");
    expect_error("{\"a\": 1 \"b\": 2}", "expected ',' or '}'");
    expect_error("{a: 1}", "expected a member name");
    expect_error("01", "unexpected '1' after the value");
    expect_error("1.", "digit expected after '.'");
    expect_error("1e", "digit expected in exponent");
    expect_error("-", "invalid number");
    expect_error("+1", "expected a value");
    expect_error("NaN", "expected a value");
    expect_error("1e999", "out of range");
    expect_error("\"abc", "unterminated string");
    expect_error("\"a\tb\"", "control character");
    expect_error("\"\\x\"", "invalid escape");
    expect_error("\"\\u12g4\"", "invalid hex digit");
    expect_error("\"\\ud800\"", "unpaired surrogate");
    expect_error("\"\xff\"", "invalid UTF-8");
    expect_error("\"\xc3\xa9\" x", "line 1, column 5: unexpected 'x'");
    expect_error("tru", "expected a value");
    expect_error("[] []", "unexpected '['");

    /* Deep nesting is refused, not a stack overflow. */
    {
        char deep[2001];
        memset(deep, '[', 2000);
        deep[2000] = 0;
        expect_error(deep, "nesting deeper than");
    }
}

/* What the writer writes, the reader reads back the same. */
static void test_writer_round_trip(void)
{
    char path[] = "/tmp/dd_json_rt.XXXXXX", err[256];
    int fd = mkstemp(path);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    JsonWriter w;
    JsonValue *v = NULL;
    const JsonValue *x;

    CHECK(fp != NULL, "temp file");
    if (!fp)
        return;
    json_init(&w, fp, 1);
    json_object_begin(&w);
    json_kv_string(&w, "name", "tab\there \"quoted\" \x01");
    json_kv_int(&w, "big", 9007199254740993LL);
    json_kv_double(&w, "gain", -15.04, 1);
    json_key(&w, "list");
    json_array_begin(&w);
    for (int i = 0; i < 3; i++)
        json_int(&w, i * 48000);
    json_array_end(&w);
    json_object_end(&w);
    fclose(fp);

    CHECK(json_parse_file(path, &v, err, sizeof(err)) == 0, "%s", err);
    x = json_get(v, "name");
    CHECK(x && !strcmp(x->string, "tab\there \"quoted\" \x01"), "string");
    x = json_get(v, "gain");
    CHECK(x && x->number == -15.0, "gain rounded to 0.1 dB: %g", x ? x->number : NAN);
    x = json_get(v, "list");
    CHECK(x && x->nb_items == 3 && x->items[2].number == 96000, "list");
    json_free(v);

    fp = fopen(path, "w");
    fputs("{\n  \"a\": 1,\n  \"b\": ]\n}\n", fp);
    fclose(fp);
    CHECK(json_parse_file(path, &v, err, sizeof(err)) < 0 && !v, "bad file");
    CHECK(strstr(err, path) && strstr(err, "line 3, column 8"), "%s", err);
    unlink(path);

    CHECK(json_parse_file("/nonexistent/x.json", &v, err, sizeof(err)) < 0,
          "missing file");
    CHECK(strstr(err, "/nonexistent/x.json: ") != NULL, "%s", err);
}

/*
 * Deterministic mutations of a valid document (byte changes, insertions
 * of JSON punctuation, truncation): every result either parses or fails
 * with a positioned message, and never crashes (run under SANITIZE=1 for
 * memory errors).
 */
static void test_mutations(void)
{
    static const char doc[] =
        "{\"sample_rate\": 48000, \"keyframes\": [{\"t\": 0, \"gain_db\": 0.0},"
        " {\"t\": 9600, \"gain_db\": -15.5e0}], \"s\": \"a\\u00e9\\n\\ud83c\\udfb5\","
        " \"n\": [true, false, null, -0.25, [], {}]}";
    static const char punct[] = "{}[],:\"\\-.e0u ";
    uint32_t seed = 1;
    char buf[sizeof(doc) + 8], err[256];
    int parsed = 0, refused = 0, bad_msg = 0;

    for (int iter = 0; iter < 20000; iter++) {
        size_t len = sizeof(doc) - 1;
        int edits = 1 + iter % 4;
        memcpy(buf, doc, len);
        for (int e = 0; e < edits; e++) {
            size_t pos;
            seed = seed * 1664525u + 1013904223u;
            pos = (seed >> 8) % len;
            switch ((seed >> 4) & 3) {
            case 0: buf[pos] = (char)(seed >> 16); break;
            case 1: buf[pos] = punct[(seed >> 16) % (sizeof(punct) - 1)]; break;
            case 2: len = pos + 1; break;
            case 3:
                memmove(buf + pos + 1, buf + pos, len - pos);
                buf[pos] = punct[(seed >> 16) % (sizeof(punct) - 1)];
                len++;
                if (len > sizeof(doc) - 1)
                    len = sizeof(doc) - 1;
                break;
            }
        }
        {
            JsonValue *v = NULL;
            if (json_parse(buf, len, &v, err, sizeof(err)) == 0) {
                parsed++;
                json_free(v);
            } else {
                refused++;
                if (v || strncmp(err, "line ", 5))
                    bad_msg++;
            }
        }
    }
    printf("mutations: %d parsed, %d refused\n", parsed, refused);
    CHECK(parsed > 100 && refused > 10000, "%d parsed, %d refused",
          parsed, refused);
    CHECK(bad_msg == 0, "%d refusals without a positioned message", bad_msg);
}

int main(void)
{
    test_values();
    test_mutations();
    test_errors();
    test_writer_round_trip();
    return check_summary();
}
