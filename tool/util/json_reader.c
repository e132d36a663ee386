/*
 * A small JSON parser (RFC 8259): recursive descent into a tree.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "text_file.h"
#include "utf8_text.h"

/* Nesting deeper than this is refused rather than risking the stack. */
#define MAX_NESTING 256

typedef struct Parser {
    const char *text;
    size_t len;
    size_t pos;
    int depth;
    char *err;
    size_t errlen;
    int failed;
} Parser;

/* Records the first error only, with the line and column of pos. */
static int fail_at(Parser *p, size_t pos, const char *fmt, ...)
{
    int line = 1, col = 1;
    va_list ap;
    char what[160];

    if (p->failed)
        return -1;
    p->failed = 1;
    for (size_t i = 0; i < pos && i < p->len; i++) {
        if (p->text[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)p->text[i] & 0xc0) != 0x80) {
            col++; /* count characters, not UTF-8 continuation bytes */
        }
    }
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "line %d, column %d: %s", line, col, what);
    return -1;
}

static int peek(const Parser *p)
{
    return p->pos < p->len ? (unsigned char)p->text[p->pos] : -1;
}

static void skip_space(Parser *p)
{
    while (p->pos < p->len) {
        char c = p->text[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

/* A printable description of the character at pos, for messages. */
static const char *describe(const Parser *p, char *buf, size_t size)
{
    int c = peek(p);
    if (c < 0)
        snprintf(buf, size, "end of input");
    else if (c >= 0x20 && c < 0x7f)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02x", c);
    return buf;
}

static int parse_value(Parser *p, JsonValue *v);

static int match_word(Parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n))
        return 0;
    p->pos += n;
    return 1;
}

static int parse_number(Parser *p, JsonValue *v)
{
    size_t start = p->pos, i = p->pos;
    const char *s = p->text;
    char buf[64], *end;

    if (i < p->len && s[i] == '-')
        i++;
    if (i < p->len && s[i] == '0') {
        i++;
    } else if (i < p->len && s[i] >= '1' && s[i] <= '9') {
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return fail_at(p, i, "invalid number");
    }
    if (i < p->len && s[i] == '.') {
        i++;
        if (i >= p->len || s[i] < '0' || s[i] > '9')
            return fail_at(p, i, "invalid number: digit expected after '.'");
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= p->len || s[i] < '0' || s[i] > '9')
            return fail_at(p, i, "invalid number: digit expected in exponent");
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i - start >= sizeof(buf))
        return fail_at(p, start, "number too long");
    /* The grammar above already excludes locale-specific forms. */
    memcpy(buf, s + start, i - start);
    buf[i - start] = 0;
    errno = 0;
    v->number = strtod(buf, &end);
    if (end != buf + (i - start))
        return fail_at(p, start, "invalid number");
    if (errno == ERANGE && isinf(v->number))
        return fail_at(p, start, "number out of range");
    v->type = JSON_NUMBER;
    p->pos = i;
    return 0;
}

static int hex4(Parser *p, size_t at, unsigned *out)
{
    unsigned u = 0;
    if (p->len - at < 4)
        return fail_at(p, at, "truncated \\u escape");
    for (int k = 0; k < 4; k++) {
        char c = p->text[at + k];
        u <<= 4;
        if (c >= '0' && c <= '9')      u |= c - '0';
        else if (c >= 'a' && c <= 'f') u |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') u |= c - 'A' + 10;
        else return fail_at(p, at + k, "invalid hex digit in \\u escape");
    }
    *out = u;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = cp;
        return 1;
    } else if (cp < 0x800) {
        o[0] = 0xc0 | (cp >> 6);
        o[1] = 0x80 | (cp & 0x3f);
        return 2;
    } else if (cp < 0x10000) {
        o[0] = 0xe0 | (cp >> 12);
        o[1] = 0x80 | ((cp >> 6) & 0x3f);
        o[2] = 0x80 | (cp & 0x3f);
        return 3;
    }
    o[0] = 0xf0 | (cp >> 18);
    o[1] = 0x80 | ((cp >> 12) & 0x3f);
    o[2] = 0x80 | ((cp >> 6) & 0x3f);
    o[3] = 0x80 | (cp & 0x3f);
    return 4;
}

/* The code point of the \u escape whose hex digits start at *i (a
 * surrogate pair is one); *i moves past the escape. */
static int unicode_escape(Parser *p, size_t *i, unsigned *out)
{
    unsigned cp, lo;

    if (hex4(p, *i, &cp) < 0)
        return -1;
    *i += 4;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (*i + 1 >= p->pos || p->text[*i] != '\\' ||
            p->text[*i + 1] != 'u' || hex4(p, *i + 2, &lo) < 0 ||
            lo < 0xdc00 || lo > 0xdfff)
            return fail_at(p, *i - 6, "unpaired surrogate in \\u escape");
        *i += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return fail_at(p, *i - 6, "unpaired surrogate in \\u escape");
    }
    if (cp == 0)
        return fail_at(p, *i - 6, "\\u0000 is not supported in strings");
    *out = cp;
    return 0;
}

/* The escape at *i (a backslash), decoded to o + *n; both move past it. */
static int decode_escape(Parser *p, size_t *i, char *o, size_t *n)
{
    unsigned char c = p->text[*i + 1];
    unsigned cp = 0;

    *i += 2;
    switch (c) {
    case '"':  o[(*n)++] = '"';  break;
    case '\\': o[(*n)++] = '\\'; break;
    case '/':  o[(*n)++] = '/';  break;
    case 'b':  o[(*n)++] = '\b'; break;
    case 'f':  o[(*n)++] = '\f'; break;
    case 'n':  o[(*n)++] = '\n'; break;
    case 'r':  o[(*n)++] = '\r'; break;
    case 't':  o[(*n)++] = '\t'; break;
    case 'u':
        if (unicode_escape(p, i, &cp) < 0)
            return -1;
        *n += put_utf8(o + *n, cp);
        break;
    default:
        return fail_at(p, *i - 2, "invalid escape '\\%c'", c);
    }
    return 0;
}

/* The text from start up to the closing quote (at p->pos), decoded into
 * o: UTF-8 as it is (once checked), escapes as what they stand for. */
static int decode_string(Parser *p, size_t start, char *o)
{
    size_t n = 0;

    for (size_t i = start; i < p->pos;) {
        unsigned char c = p->text[i];
        if (c < 0x20)
            return fail_at(p, i, "control character 0x%02x in string", c);
        if (c == '\\') {
            if (decode_escape(p, &i, o, &n) < 0)
                return -1;
            continue;
        }
        /* the closing quote stops a sequence cut short */
        size_t l = utf8_seq_len((const unsigned char *)p->text + i);
        if (!l)
            return fail_at(p, i, "invalid UTF-8 in string");
        memcpy(o + n, p->text + i, l);
        n += l;
        i += l;
    }
    o[n] = 0;
    return 0;
}

/* Parses a string at pos (which holds '"') into a malloc'ed buffer. */
static int parse_string(Parser *p, char **out)
{
    size_t start = ++p->pos;
    char *o;

    /* The decoded string is never longer than its source. */
    while (p->pos < p->len && p->text[p->pos] != '"') {
        if (p->text[p->pos] == '\\')
            p->pos++;
        p->pos++;
    }
    if (p->pos >= p->len)
        return fail_at(p, start - 1, "unterminated string");
    o = malloc(p->pos - start + 1);
    if (!o)
        return fail_at(p, start, "out of memory");
    if (decode_string(p, start, o) < 0) {
        free(o);
        return -1;
    }
    p->pos++; /* closing quote */
    *out = o;
    return 0;
}

/* Appends a zeroed slot to an array/object being built. */
static JsonValue *grow(Parser *p, JsonValue *v, size_t *cap, int with_key)
{
    if (v->nb_items == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        JsonValue *items = realloc(v->items, ncap * sizeof(*items));
        if (!items) {
            fail_at(p, p->pos, "out of memory");
            return NULL;
        }
        v->items = items;
        if (with_key) {
            char **keys = realloc(v->keys, ncap * sizeof(*keys));
            if (!keys) {
                fail_at(p, p->pos, "out of memory");
                return NULL;
            }
            v->keys = keys;
        }
        *cap = ncap;
    }
    memset(&v->items[v->nb_items], 0, sizeof(v->items[0]));
    if (with_key)
        v->keys[v->nb_items] = NULL;
    return &v->items[v->nb_items++];
}

/* Past the opening bracket at pos: 0 when close follows at once (the
 * container is empty and read), 1 when items follow. */
static int open_container(Parser *p, JsonValue *v, JsonType type, int close)
{
    v->type = type;
    p->pos++;
    skip_space(p);
    if (peek(p) == close) {
        p->pos++;
        return 0;
    }
    return 1;
}

/* After an item: 1 past a ',' (another item follows), 0 past the closing
 * bracket, -1 for anything else. */
static int next_item(Parser *p, int close, const char *kind)
{
    char what[32];

    skip_space(p);
    if (peek(p) == ',') {
        p->pos++;
        return 1;
    }
    if (peek(p) == close) {
        p->pos++;
        return 0;
    }
    return fail_at(p, p->pos, "expected ',' or '%c' in %s, found %s", close,
                   kind, describe(p, what, sizeof(what)));
}

static int parse_array(Parser *p, JsonValue *v)
{
    size_t cap = 0;
    int more = open_container(p, v, JSON_ARRAY, ']');

    while (more > 0) {
        JsonValue *item = grow(p, v, &cap, 0);
        if (!item || parse_value(p, item) < 0)
            return -1;
        more = next_item(p, ']', "array");
    }
    return more;
}

/* One "key": value member of the object being read. */
static int parse_member(Parser *p, JsonValue *v, size_t *cap)
{
    JsonValue *item;
    char *key, what[32];

    skip_space(p);
    if (peek(p) != '"')
        return fail_at(p, p->pos, "expected a member name in quotes, found %s",
                       describe(p, what, sizeof(what)));
    if (parse_string(p, &key) < 0)
        return -1;
    item = grow(p, v, cap, 1);
    if (!item) {
        free(key);
        return -1;
    }
    v->keys[v->nb_items - 1] = key;
    skip_space(p);
    if (peek(p) != ':')
        return fail_at(p, p->pos, "expected ':' after member name \"%s\", found %s",
                       key, describe(p, what, sizeof(what)));
    p->pos++;
    return parse_value(p, item);
}

static int parse_object(Parser *p, JsonValue *v)
{
    size_t cap = 0;
    int more = open_container(p, v, JSON_OBJECT, '}');

    while (more > 0) {
        if (parse_member(p, v, &cap) < 0)
            return -1;
        more = next_item(p, '}', "object");
    }
    return more;
}

static int parse_value(Parser *p, JsonValue *v)
{
    char what[32];
    int c, ret;

    skip_space(p);
    c = peek(p);
    if (c == '{' || c == '[') {
        if (++p->depth > MAX_NESTING)
            return fail_at(p, p->pos, "nesting deeper than %d levels", MAX_NESTING);
        ret = c == '{' ? parse_object(p, v) : parse_array(p, v);
        p->depth--;
        return ret;
    }
    if (c == '"') {
        v->type = JSON_STRING;
        return parse_string(p, &v->string);
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(p, v);
    if (match_word(p, "true")) {
        v->type = JSON_BOOL;
        v->boolean = 1;
        return 0;
    }
    if (match_word(p, "false")) {
        v->type = JSON_BOOL;
        return 0;
    }
    if (match_word(p, "null")) {
        v->type = JSON_NULL;
        return 0;
    }
    return fail_at(p, p->pos, "expected a value, found %s",
                   describe(p, what, sizeof(what)));
}

static void free_contents(JsonValue *v)
{
    for (size_t i = 0; i < v->nb_items; i++) {
        free_contents(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
}

int json_parse(const char *text, size_t len, JsonValue **out,
               char *err, size_t errlen)
{
    Parser p = { .text = text, .len = len, .err = err, .errlen = errlen };
    JsonValue *v = calloc(1, sizeof(*v));
    char what[32];

    *out = NULL;
    if (err && errlen)
        err[0] = 0;
    if (!v)
        return fail_at(&p, 0, "out of memory");
    /* A UTF-8 byte order mark is tolerated, as RFC 8259 allows. */
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        p.pos = 3;
    if (parse_value(&p, v) == 0) {
        skip_space(&p);
        if (p.pos < p.len)
            fail_at(&p, p.pos, "unexpected %s after the value",
                    describe(&p, what, sizeof(what)));
    }
    if (p.failed) {
        json_free(v);
        return -1;
    }
    *out = v;
    return 0;
}

int json_parse_file(const char *path, JsonValue **out, char *err,
                    size_t errlen)
{
    char *text, msg[256];
    size_t len;
    int ret;

    *out = NULL;
    if (text_file_read(path, &text, &len, err, errlen) < 0)
        return -1;
    ret = json_parse(text, len, out, msg, sizeof(msg));
    if (ret < 0)
        snprintf(err, errlen, "%s: %s", path, msg);
    free(text);
    return ret;
}

void json_free(JsonValue *v)
{
    if (!v)
        return;
    free_contents(v);
    free(v);
}

const JsonValue *json_get(const JsonValue *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->nb_items; i++)
        if (!strcmp(obj->keys[i], key))
            return &obj->items[i];
    return NULL;
}

const char *json_type_name(JsonType t)
{
    switch (t) {
    case JSON_NULL:   return "null";
    case JSON_BOOL:   return "a boolean";
    case JSON_NUMBER: return "a number";
    case JSON_STRING: return "a string";
    case JSON_ARRAY:  return "an array";
    case JSON_OBJECT: return "an object";
    }
    return "?";
}
