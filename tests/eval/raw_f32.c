/*
 * Whole raw 32-bit float files, as the eval's tools exchange them.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdio.h>
#include <stdlib.h>

#include "raw_f32.h"

float *raw_f32_read(const char *prog, const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    long sz;
    float *x;

    if (!f) {
        fprintf(stderr, "%s: cannot open %s\n", prog, path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    x = malloc(sz > 0 ? sz : 1);
    if (!x || fread(x, 1, sz, f) != (size_t)sz) {
        fprintf(stderr, "%s: cannot read %s\n", prog, path);
        exit(1);
    }
    fclose(f);
    *n = sz / sizeof(float);
    return x;
}

int raw_f32_write(const char *prog, const char *path, const float *x, long n)
{
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(x, sizeof(*x), n, f) != (size_t)n || fclose(f)) {
        fprintf(stderr, "%s: cannot write %s\n", prog, path);
        return 1;
    }
    return 0;
}
