/*
 * Runs the core streaming engine (DDEngine, as the FFmpeg filter does) on
 * raw float stems, so the evaluation can score the engine itself next to
 * the dialogueduck program.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: engine_run [--depth DB] [--spectral|--adaptive] DIALOGUE_CHANNELS
 *            DIALOGUE MUSIC OUT
 *        engine_run --regions DIALOGUE_CHANNELS DIALOGUE
 *
 * The second form prints the analyzer's duck regions (start and end of
 * the detected dialogue in seconds, depth), for diagnostics.
 *
 * All files are raw float32 little-endian at 48 kHz, interleaved; the
 * music is stereo. OUT gets the ducked music, as long as MUSIC and
 * aligned with it (the engine's lookahead delay is flushed at the end).
 * Default parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogueduck.h"

#include "raw_f32.h"

#define RATE  48000
#define BLOCK 1024
#define MCH   2

static int print_regions(int dch, const float *dlg, long frames)
{
    DDParams p;
    dd_params_default(&p);
    DDAnalyzer *a;
    int ret = dd_analyzer_create(&a, &p, RATE, dch, -1, 0, NULL);
    if (ret < 0) {
        fprintf(stderr, "engine_run: %s\n", dd_strerror(ret));
        return 1;
    }
    float *buf[8];
    for (int c = 0; c < dch; c++)
        buf[c] = malloc(BLOCK * sizeof(float));
    DDRegion r[64];
    for (long pos = 0; ret >= 0; pos += BLOCK) {
        int n = frames - pos < BLOCK ? (int)(frames - pos) : BLOCK;
        if (n <= 0) {
            ret = dd_analyzer_finish(a);
        } else {
            for (int i = 0; i < n; i++)
                for (int c = 0; c < dch; c++)
                    buf[c][i] = dlg[(pos + i) * dch + c];
            ret = dd_analyzer_feed_dialogue(a, (const float *const *)buf, n);
        }
        int got;
        while ((got = dd_analyzer_read_regions(a, r, 64)) > 0)
            for (int i = 0; i < got; i++)
                printf("region %.3f %.3f %.1f\n", (double)r[i].start / RATE,
                       (double)r[i].end / RATE, r[i].depth);
        if (n <= 0)
            break;
    }
    if (ret < 0)
        fprintf(stderr, "engine_run: %s\n", dd_strerror(ret));
    dd_analyzer_free(&a);
    for (int c = 0; c < dch; c++)
        free(buf[c]);
    return ret < 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--regions")) {
        int dch = atoi(argv[2]);
        long nd;
        if (dch < 1 || dch > 8)
            return 2;
        float *dlg = raw_f32_read("engine_run", argv[3], &nd);
        int ret = print_regions(dch, dlg, nd / dch);
        free(dlg);
        return ret;
    }
    double depth = DD_DEPTH_DEFAULT;
    if (argc > 2 && !strcmp(argv[1], "--depth")) {
        depth = atof(argv[2]);
        argc -= 2;
        argv += 2;
    }
    int spectral = argc > 1 && !strcmp(argv[1], "--spectral") ?
                   DD_SPECTRAL_BAND :
                   argc > 1 && !strcmp(argv[1], "--adaptive") ?
                   DD_SPECTRAL_ADAPTIVE : DD_SPECTRAL_OFF;
    argc -= spectral != DD_SPECTRAL_OFF;
    argv += spectral != DD_SPECTRAL_OFF;
    if (argc != 5) {
        fprintf(stderr, "usage: engine_run [--depth DB] [--spectral|--adaptive] DIALOGUE_CHANNELS "
                "DIALOGUE MUSIC OUT\n");
        return 2;
    }
    int dch = atoi(argv[1]);
    if (dch < 1 || dch > 8) {
        fprintf(stderr, "engine_run: bad channel count %s\n", argv[1]);
        return 2;
    }
    long nd, nm;
    float *dlg = raw_f32_read("engine_run", argv[2], &nd);
    float *mus = raw_f32_read("engine_run", argv[3], &nm);
    long frames = nm / MCH, dframes = nd / dch;

    DDParams p;
    dd_params_default(&p);
    p.spectral = spectral;
    p.depth = depth;
    DDEngine *e;
    int ret = dd_engine_create(&e, &p, RATE, MCH, dch, -1, NULL);
    if (ret < 0) {
        fprintf(stderr, "engine_run: %s\n", dd_strerror(ret));
        return 1;
    }
    int64_t la = dd_lookahead_samples(&p, RATE);
    int cap = BLOCK > la ? BLOCK : (int)la;
    float *mbuf[MCH], *obuf[MCH], *dbuf[8];
    for (int c = 0; c < MCH; c++) {
        mbuf[c] = malloc(BLOCK * sizeof(float));
        obuf[c] = malloc(cap * sizeof(float));
    }
    for (int c = 0; c < dch; c++)
        dbuf[c] = malloc(BLOCK * sizeof(float));
    FILE *out = fopen(argv[4], "wb");
    if (!out) {
        fprintf(stderr, "engine_run: cannot write %s\n", argv[4]);
        return 1;
    }
    float *il = malloc(cap * MCH * sizeof(float));
    long written = 0;
    for (long pos = 0;; pos += BLOCK) {
        int n = frames - pos < BLOCK ? (int)(frames - pos) : BLOCK;
        int got;
        if (n > 0) {
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < MCH; c++)
                    mbuf[c][i] = mus[(pos + i) * MCH + c];
                for (int c = 0; c < dch; c++)
                    dbuf[c][i] = pos + i < dframes ? dlg[(pos + i) * dch + c]
                                                   : 0;
            }
            got = dd_engine_process(e, (const float *const *)mbuf,
                                    (const float *const *)dbuf, n, obuf);
        } else {
            got = dd_engine_flush(e, obuf);
        }
        if (got < 0) {
            fprintf(stderr, "engine_run: %s\n", dd_strerror(got));
            return 1;
        }
        for (int i = 0; i < got; i++)
            for (int c = 0; c < MCH; c++)
                il[i * MCH + c] = obuf[c][i];
        if (fwrite(il, sizeof(float) * MCH, got, out) != (size_t)got) {
            fprintf(stderr, "engine_run: cannot write %s\n", argv[4]);
            return 1;
        }
        written += got;
        if (n <= 0)
            break;
    }
    if (fclose(out))
        return 1;
    if (written != frames)
        fprintf(stderr, "engine_run: wrote %ld samples for %ld in\n",
                written, frames);
    dd_engine_free(&e);
    for (int c = 0; c < MCH; c++) {
        free(mbuf[c]);
        free(obuf[c]);
    }
    for (int c = 0; c < dch; c++)
        free(dbuf[c]);
    free(il);
    free(dlg);
    free(mus);
    return 0;
}
