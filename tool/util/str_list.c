/*
 * Growing lists of malloc'ed strings (see str_list.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdlib.h>
#include <string.h>

#include "str_list.h"

int str_list_add(char ***list, int *n, const char *s, size_t len)
{
    char **l = realloc(*list, (*n + 1) * sizeof(*l));
    if (!l)
        return -1;
    *list = l;
    if (!(l[*n] = strndup(s, len)))
        return -1;
    (*n)++;
    return 0;
}

void str_list_free(char **list, int n)
{
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}
