/*
 * Growing lists of malloc'ed strings (a char ** and its count), as the
 * readers build them: the cells of a CSV record, the values of a
 * manifest field.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_STR_LIST_H
#define DD_STR_LIST_H

#include <stddef.h>

/**
 * Append a copy of the first len bytes of s (up to a NUL) to the *n
 * strings of *list. Returns 0, or -1 with the strings as they were.
 */
int str_list_add(char ***list, int *n, const char *s, size_t len);

/** Free the n strings of list and list itself (NULL is fine). */
void str_list_free(char **list, int n);

#endif /* DD_STR_LIST_H */
