/*
 * A third-party C program using the installed libdialogueduck: built by
 * tests/tool/test_library.sh with only `pkg-config --cflags --libs
 * dialogueduck`, against the static and the shared library. It uses the
 * public API the way an application would (parameters, errors, the
 * renderer from hand-set keyframes, the one-pass engine, allocation
 * hooks) and checks what it gets back. Prints "N passed, N failed".
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dialogueduck.h>

static int passed, failed;

#define CHECK(cond, what) do {                                      \
        if (cond) passed++;                                         \
        else { failed++; fprintf(stderr, "FAIL: %s\n", what); }     \
    } while (0)

static int nb_allocs, nb_frees;

static void *count_alloc(void *opaque, size_t size)
{
    (void)opaque;
    nb_allocs++;
    return calloc(1, size);
}

static void count_free(void *opaque, void *ptr)
{
    (void)opaque;
    if (ptr)
        nb_frees++;
    free(ptr);
}

static void params_and_errors(void)
{
    DDParams p;

    dd_params_default(&p);
    CHECK(dd_params_check(&p) == DD_OK, "defaults are in range");
    CHECK(p.depth == DD_DEPTH_DEFAULT, "default depth");
    p.depth = 3.0;
    CHECK(dd_params_check(&p) == DD_ERROR_INVAL, "positive depth refused");
    CHECK(DD_IS_ERROR(DD_ERROR_INVAL) && !DD_IS_ERROR(-4),
          "engine codes apart from errno");
    CHECK(dd_strerror(DD_ERROR_STATE) != NULL, "error text");
    CHECK(dd_hop_size(48000) == 48000 / DD_HOPS_PER_SECOND, "hop at 48 kHz");
    CHECK(dd_hop_size(50) == 1, "hop at least one sample");
    CHECK(dd_round_db(-6.04) == -6.0, "0.1 dB grid");
}

/* Hand-set keyframes: 0 dB at 0, -20 dB from 4800 on. */
static void renderer(void)
{
    static const DDKeyframe kf[] = { { 0, 0.0 }, { 4800, -20.0 } };
    enum { N = 9600 };
    static float in[2][N], out[2][N];
    const float *inp[2] = { in[0], in[1] };
    float *outp[2] = { out[0], out[1] };
    DDRenderer *r = NULL;
    int ret;

    for (int c = 0; c < 2; c++)
        for (int i = 0; i < N; i++)
            in[c][i] = 0.5f;
    ret = dd_renderer_create(&r, 48000, 2, 0, NULL);
    CHECK(ret == DD_OK && r, "renderer created");
    if (ret < 0)
        return;
    CHECK(dd_renderer_set_keyframes(r, kf, 2) == DD_OK, "keyframes set");
    CHECK(dd_renderer_process(r, inp, outp, N) >= 0, "rendered");
    CHECK(out[0][0] == 0.5f, "0 dB at the first keyframe");
    CHECK(fabs(out[1][N - 1] - 0.05) < 1e-5, "-20 dB after the last");
    CHECK(fabs(dd_renderer_gain_db(r, 2400) + 10.0) < 1e-9,
          "linear in dB between keyframes");
    CHECK(dd_envelope_db(&kf[0], &kf[1], 1, 2400) ==
          dd_renderer_gain_db(r, 2400), "dd_envelope_db draws the same");
    dd_renderer_free(&r);
    CHECK(r == NULL, "free clears the pointer");
}

/* Silent dialogue: the engine delays the music by the lookahead and
 * leaves it untouched; every sample pushed comes out. */
static void engine(void)
{
    /* 2 s pushed, longer than the default lookahead; the flush returns
     * up to DD_LOOKAHEAD_MAX (2 s) */
    enum { RATE = 48000, BLOCK = 1000, BLOCKS = 2 * RATE / BLOCK };
    static float music[BLOCK], dlg[BLOCK], out[2 * RATE];
    const float *m[1] = { music }, *d[1] = { dlg };
    float *o[1];
    DDAllocator al = { count_alloc, count_free, NULL };
    DDEngine *e = NULL;
    DDParams p;
    long total = 0, changed = 0;
    int ret, n;

    for (int i = 0; i < BLOCK; i++)
        music[i] = 0.25f;
    dd_params_default(&p);
    ret = dd_engine_create(&e, &p, RATE, 1, 1, -1, &al);
    CHECK(ret == DD_OK && nb_allocs > 0, "engine created through the hooks");
    if (ret < 0)
        return;
    for (int b = 0; b < BLOCKS; b++) {
        o[0] = out;
        n = dd_engine_process(e, m, d, BLOCK, o);
        CHECK(n >= 0 && n <= BLOCK, "process returns a sample count");
        for (int i = 0; n > 0 && i < n; i++)
            changed += out[i] != 0.25f && (total + i) >=
                       dd_lookahead_samples(&p, RATE);
        total += n > 0 ? n : 0;
    }
    CHECK(total == (long)BLOCK * BLOCKS - dd_lookahead_samples(&p, RATE),
          "output lags by the lookahead");
    o[0] = out;
    n = dd_engine_flush(e, o);
    CHECK(n == dd_lookahead_samples(&p, RATE), "flush returns the rest");
    CHECK(changed == 0, "music untouched without dialogue");
    CHECK(dd_engine_gain_db(e) == 0.0 && !dd_engine_active(e), "no duck");
    dd_engine_free(&e);
    CHECK(nb_allocs == nb_frees, "every allocation freed through the hooks");
}

int main(void)
{
    printf("libdialogueduck %d.%d.%d\n", DD_VERSION_MAJOR, DD_VERSION_MINOR,
           DD_VERSION_MICRO);
    params_and_errors();
    renderer();
    engine();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
