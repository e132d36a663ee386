/*
 * Ducks the music under speech segments found by another detector (the
 * Silero VAD anchor of the evaluation), with the envelope the engine
 * draws: the segments go through the engine's own planner (regions ->
 * keyframes: fade-down, hold, release, pauses bridged) and renderer, at
 * the default depth, attack, hold and release, so that only the detector
 * differs from the engine's rows.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: segments_duck [--preroll S] SEGMENTS MUSIC OUT
 *
 * SEGMENTS has one "START END" line per segment, in seconds, in time
 * order. MUSIC and OUT are raw float32 little-endian, 48 kHz stereo,
 * interleaved. The fade-down ends S seconds (default 0.3) before each
 * segment's start instead of the engine's own pre-roll: a neural
 * detector fires late, and this is the margin an offline user of one
 * would give it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogueduck.h"
#include "dialogueduck_internal.h"

#include "raw_f32.h"

#define PROG  "segments_duck"
#define RATE  48000
#define BLOCK 4096
#define MCH   2

static int fail(const char *what, int err)
{
    fprintf(stderr, PROG ": %s: %s\n", what, dd_strerror(err));
    return 1;
}

/* How far before an onset the planner ends its fade-down, read from the
 * planner itself (a lone line, far from the start). */
static int64_t planner_preroll(const DDParams *p)
{
    DDPlanner *pl;
    const DDKeyframe *kf;
    int nb, nb_final;
    int64_t onset = 10 * RATE, pre;

    if (dd_planner_create(&pl, p, RATE, NULL) < 0 ||
        dd_planner_onset(pl, onset, p->depth) < 0)
        exit(fail("planner", DD_ERROR_NOMEM));
    kf = dd_planner_keyframes(pl, &nb, &nb_final);
    pre = onset - kf[nb - 1].t;
    dd_planner_free(&pl, NULL);
    return pre;
}

/* Feeds every segment of path to the planner, each onset shifted so that
 * its fade-down ends preroll samples before the segment's start. */
static int plan_segments(DDPlanner *pl, const char *path, double depth,
                         int64_t shift)
{
    FILE *f = fopen(path, "r");
    double s, e, last = 0;
    int n, line = 0, ret = 0;

    if (!f) {
        fprintf(stderr, PROG ": cannot open %s\n", path);
        return 1;
    }
    while (!ret && (n = fscanf(f, "%lf %lf", &s, &e)) == 2) {
        line++;
        if (!(s >= last && e > s && e < 1e6)) {
            fprintf(stderr, PROG ": %s:%d: segment %g %g is not after the "
                    "one before, or ends before it starts\n", path, line, s, e);
            ret = 1;
        } else if ((n = dd_planner_onset(pl, llrint(s * RATE) - shift,
                                         depth)) < 0 ||
                   (n = dd_planner_offset(pl, llrint(e * RATE))) < 0) {
            ret = fail(path, n);
        }
        last = e;
    }
    if (!ret && n != EOF) {
        fprintf(stderr, PROG ": %s:%d: not a \"START END\" line\n", path,
                line + 1);
        ret = 1;
    }
    fclose(f);
    return ret;
}

/* Renders the music (interleaved, in place) with the planner's keyframes. */
static int render(const DDKeyframe *kf, int nb, float *mus, long frames)
{
    DDRenderer *r;
    float buf[MCH][BLOCK], *planar[MCH] = { buf[0], buf[1] };
    int ret;

    if ((ret = dd_renderer_create(&r, RATE, MCH, DD_SPECTRAL_OFF, NULL)) < 0 ||
        (ret = dd_renderer_set_keyframes(r, kf, nb)) < 0)
        return fail("renderer", ret);
    for (long pos = 0; pos < frames && ret >= 0; pos += BLOCK) {
        int n = frames - pos < BLOCK ? (int)(frames - pos) : BLOCK;
        float *x = mus + pos * MCH;
        for (int i = 0; i < n * MCH; i++)
            buf[i % MCH][i / MCH] = x[i];
        ret = dd_renderer_process(r, (const float *const *)planar, planar, n);
        for (int i = 0; i < n * MCH; i++)
            x[i] = buf[i % MCH][i / MCH];
    }
    dd_renderer_free(&r);
    return ret < 0 ? fail("renderer", ret) : 0;
}

int main(int argc, char **argv)
{
    double preroll = 0.3;
    DDParams p;
    DDPlanner *pl;
    const DDKeyframe *kf;
    long nm;
    int nb, nb_final, ret;

    if (argc > 2 && !strcmp(argv[1], "--preroll")) {
        preroll = atof(argv[2]);
        argc -= 2;
        argv += 2;
    }
    if (argc != 4 || !(preroll >= 0 && preroll <= 2)) {
        fprintf(stderr, "usage: " PROG " [--preroll S (0-2)] SEGMENTS MUSIC "
                "OUT\n");
        return 2;
    }
    dd_params_default(&p);
    if ((ret = dd_planner_create(&pl, &p, RATE, NULL)) < 0)
        return fail("planner", ret);
    ret = plan_segments(pl, argv[1], p.depth,
                        llrint(preroll * RATE) - planner_preroll(&p));
    if (!ret && (ret = dd_planner_finish(pl)) < 0)
        ret = fail("planner", ret);
    if (!ret) {
        float *mus = raw_f32_read(PROG, argv[2], &nm);
        kf = dd_planner_keyframes(pl, &nb, &nb_final);
        ret = render(kf, nb, mus, nm / MCH) ||
              raw_f32_write(PROG, argv[3], mus, nm / MCH * MCH);
        free(mus);
    }
    dd_planner_free(&pl, NULL);
    return ret;
}
