/*
 * The pass cache's storage (tool/passcache.c): a plane whose every
 * sample is k / 32768 is stored as 16-bit integers, half the bytes
 * (passcache_size() shows it); any other plane as float, beside 16-bit
 * ones in the same block: one sample off the grid (the last one, past
 * the eight-at-a-time loop), -0.0, NaN, +1.0 (32768 does not fit), a
 * 24-bit value and a denormal. A plane of +0.0 only (digital silence)
 * takes no bytes; one with a single sample off zero, or all -0.0, is not
 * taken for silence; a block of silent planes only has its header alone.
 * Every block reads back identical to the
 * bit, -32768 and the block lengths included; a block longer than the
 * reader's buffers is an error, the end is 0. A releasing pass (the last
 * reader) still reads every block of a cache many release steps long to
 * the bit, and gives back what it read: the cache cannot be rewound
 * after it, while after an ordinary pass it can.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/error.h>

#include "check.h"
#include "passcache.h"

#define NB 3
#define N 4099 /* not a multiple of eight: the tail loop runs too */

static float in[NB][N], out[NB][N];

static uint32_t rng = 12345;

static int next_s16(void)
{
    rng = rng * 1103515245 + 12345;
    return (int)((rng >> 8) & 0xffff) - 32768;
}

/* Every plane on the 16-bit grid, the extremes included. */
static void fill_grid(int n)
{
    for (int i = 0; i < NB; i++)
        for (int k = 0; k < n; k++)
            in[i][k] = next_s16() / 32768.0f;
    in[0][0] = -1.0f;
    in[1][1] = 32767 / 32768.0f;
}

/* Write planes of n samples; the bytes the block took. */
static int64_t put(PassCache *pc, int n)
{
    float *planes[NB] = { in[0], in[1], in[2] };
    int64_t before = passcache_size(pc);

    CHECK(passcache_write(pc, planes, NB, n) == 0, "write %d", n);
    return passcache_size(pc) - before;
}

/* A block's bytes with nb_float float planes, nb_zero silent ones and
 * the others 16-bit. */
static int64_t block_bytes(int n, int nb_float, int nb_zero)
{
    return 4 + NB + (int64_t)n * (2 * (NB - nb_float - nb_zero) +
                                  4 * nb_float);
}

/* Every block of seed's grid data, read back to the bit; 1 if all. */
static int read_all(PassCache *pc, uint32_t seed, int blocks)
{
    float *planes[NB] = { out[0], out[1], out[2] };
    int ok = 1;

    rng = seed;
    for (int b = 0; b < blocks; b++) {
        fill_grid(N);
        ok &= passcache_read(pc, planes, NB, N) == N &&
              !memcmp(in, out, sizeof(in));
    }
    return ok && passcache_read(pc, planes, NB, N) == 0;
}

/* About 5 MiB (five release steps): read twice, the second time releasing. */
static void test_release(const char *dir)
{
    const uint32_t seed = 777;
    const int blocks = 200;
    PassCache *pc;

    if (passcache_open(&pc, dir, INT64_MAX / 4, 0) < 0) {
        CHECK(0, "passcache_open (release)");
        return;
    }
    rng = seed;
    for (int b = 0; b < blocks; b++) {
        fill_grid(N);
        put(pc, N);
    }
    CHECK(passcache_rewind(pc, 0) == 0 && read_all(pc, seed, blocks),
          "an ordinary pass reads every block back");
    CHECK(passcache_rewind(pc, 1) == 0 && read_all(pc, seed, blocks),
          "a releasing pass reads every block back to the bit");
    CHECK(passcache_rewind(pc, 0) == AVERROR(EINVAL),
          "after a releasing pass the cache is given back");
    passcache_free(&pc);
}

int main(void)
{
    static float blocks[12][NB][N];
    int lens[12], nb = 0;
    const float off_grid[] = { 0.5f / 32768, -0.0f, NAN, 1.0f,
                               1.0f / (1 << 23), 1e-40f };
    float *planes[NB] = { out[0], out[1], out[2] };
    char dir[] = "/tmp/ddpasscache.XXXXXX";
    PassCache *pc;
    int n;

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    if (passcache_open(&pc, dir, INT64_MAX / 4, 0) < 0) {
        fprintf(stderr, "cannot open a cache in %s\n", dir);
        rmdir(dir);
        return 1;
    }

    /* on the grid: every plane halved */
    fill_grid(N);
    CHECK(put(pc, N) == block_bytes(N, 0, 0), "16-bit block not halved");
    memcpy(blocks[nb], in, sizeof(in));
    lens[nb++] = N;

    /* one sample off the grid in one plane: that plane alone is float */
    for (size_t v = 0; v < sizeof(off_grid) / sizeof(off_grid[0]); v++) {
        int plane = v % NB, at = v ? (int)(v * 97) % N : N - 1;
        fill_grid(N);
        in[plane][at] = off_grid[v];
        CHECK(put(pc, N) == block_bytes(N, 1, 0), "value %zu (%g) at %d: "
              "not one float plane", v, off_grid[v], at);
        memcpy(blocks[nb], in, sizeof(in));
        lens[nb++] = N;
    }

    /* digital silence: plane 1 all +0.0 takes nothing */
    fill_grid(N);
    memset(in[1], 0, sizeof(in[1]));
    CHECK(put(pc, N) == block_bytes(N, 0, 1), "a silent plane stored");
    memcpy(blocks[nb], in, sizeof(in));
    lens[nb++] = N;

    /* silence but for the last sample (past the eight-at-a-time loop),
     * and all -0.0: neither is silence */
    fill_grid(N);
    memset(in[0], 0, sizeof(in[0]));
    in[0][N - 1] = 1.0f / 32768;
    for (int k = 0; k < N; k++)
        in[2][k] = -0.0f;
    CHECK(put(pc, N) == block_bytes(N, 1, 0), "one sample off silence, or "
          "-0.0, stored as silence");
    memcpy(blocks[nb], in, sizeof(in));
    lens[nb++] = N;

    /* every plane silent: the header alone, and it reads back */
    memset(in, 0, sizeof(in));
    CHECK(put(pc, N) == block_bytes(N, 0, NB), "a silent block stored");
    memcpy(blocks[nb], in, sizeof(in));
    lens[nb++] = N;

    /* a short block (a cut, or the end) */
    fill_grid(5);
    CHECK(put(pc, 5) == block_bytes(5, 0, 0), "5-sample block");
    memcpy(blocks[nb], in, sizeof(in));
    lens[nb++] = 5;

    CHECK(passcache_rewind(pc, 0) == 0, "rewind");
    for (int b = 0; b < nb; b++) {
        memset(out, 0x55, sizeof(out));
        n = passcache_read(pc, planes, NB, N);
        CHECK(n == lens[b], "block %d: length %d, want %d", b, n, lens[b]);
        for (int i = 0; i < NB && n == lens[b]; i++)
            CHECK(!memcmp(out[i], blocks[b][i], n * sizeof(float)),
                  "block %d plane %d: not read back to the bit", b, i);
    }
    CHECK(passcache_read(pc, planes, NB, N) == 0, "no end after the blocks");

    /* a reader whose buffers are shorter than the block */
    CHECK(passcache_rewind(pc, 0) == 0, "rewind");
    CHECK(passcache_read(pc, planes, NB, N - 1) < 0, "a block too long read");

    passcache_free(&pc);
    passcache_free(&pc);
    test_release(dir);
    rmdir(dir);
    return check_summary();
}
