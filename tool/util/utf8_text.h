/*
 * Byte strings that may not be UTF-8 (file names on old media shares are
 * often Latin-1), written into text formats that must be: JSON and XML
 * writers replace what is not UTF-8 with U+FFFD, and keep the raw bytes
 * percent-encoded where the format has room for them.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_UTF8_TEXT_H
#define DD_UTF8_TEXT_H

#include <stdio.h>

/**
 * Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when the
 * bytes there are not one (stray continuation, overlong form, surrogate,
 * above U+10FFFF, cut short). s must not point at the terminating NUL.
 */
int utf8_seq_len(const unsigned char *s);

/** 1 when the whole string is well-formed UTF-8. */
int utf8_valid(const char *s);

/**
 * Write s percent-encoded: letters, digits, the bytes in keep and nothing
 * else as themselves, every other byte as %XX.
 */
void text_put_percent(FILE *fp, const char *s, const char *keep);

/** Decode %XX in place (the inverse of text_put_percent). 0, or -1 if
 *  malformed or decoding to a NUL byte. */
int text_percent_decode(char *s);

#endif /* DD_UTF8_TEXT_H */
