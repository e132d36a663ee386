/*
 * UTF-8 validation and percent-encoding for the text writers (see
 * utf8_text.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <string.h>

#include "utf8_text.h"

int utf8_seq_len(const unsigned char *s)
{
    unsigned c = s[0];
    int n;
    unsigned lo = 0x80, hi = 0xbf;  /* allowed range of the second byte */

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 0;
    if (c == 0xe0)
        lo = 0xa0;          /* overlong */
    else if (c == 0xed)
        hi = 0x9f;          /* surrogates */
    else if (c == 0xf0)
        lo = 0x90;          /* overlong */
    else if (c == 0xf4)
        hi = 0x8f;          /* above U+10FFFF */
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = utf8_seq_len(p);
        if (!n)
            return 0;
        p += n;
    }
    return 1;
}

void text_put_percent(FILE *fp, const char *s, const char *keep)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr(keep, *p))
            fputc(*p, fp);
        else
            fprintf(fp, "%%%02X", *p);
    }
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int text_percent_decode(char *s)
{
    char *d = s;
    while (*s) {
        if (*s == '%') {
            int h, l;
            if ((h = hex_value(s[1])) < 0 || (l = hex_value(s[2])) < 0 ||
                !(h | l))
                return -1;
            *d++ = (char)(h * 16 + l);
            s += 3;
        } else {
            *d++ = *s++;
        }
    }
    *d = '\0';
    return 0;
}
