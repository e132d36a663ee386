/*
 * Fuzz target: keyframes exported with kf_write (JSON and CSV) and read
 * back with kf_read must be the same envelope: the same sample times and
 * the same gains (the export promises exact gains, so an edited-and-
 * reimported envelope renders the same samples). The input describes the
 * sample rate and the keyframes: time steps and gains, on the 0.1 dB grid
 * or anywhere in [-60, 0] dB.
 *
 * This file is part of dialogueduck.
 *
 * dialogueduck is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyframes_io.h"

#define MAX_KF 512

static const int rates[8] = { 48000, 44100, 8000, 96000, 192000, 22050,
                              11025, 768000 };

static void report(const char *what, size_t i, const DDKeyframe *a,
                   const DDKeyframe *b, int sr)
{
    fprintf(stderr, "fuzz_kf_roundtrip: %s: keyframe %zu at %d Hz: "
            "wrote t=%lld gain=%.17g, read t=%lld gain=%.17g\n", what, i, sr,
            (long long)a->t, a->gain_db, (long long)b->t, b->gain_db);
    abort();
}

static void roundtrip(const KfDoc *doc, const char *ext)
{
    char path[128], err[512];
    DDKeyframe *kf = NULL;
    size_t nb = 0;

    snprintf(path, sizeof(path), "%s/ddfuzz-rt-%d.%s",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), ext);
    if (kf_write(path, kf_format_from_name(path, NULL), doc, err,
                 sizeof(err)) < 0) {
        fprintf(stderr, "fuzz_kf_roundtrip: write: %s\n", err);
        abort();
    }
    if (kf_read(path, doc->sample_rate, &kf, &nb, err, sizeof(err)) < 0) {
        fprintf(stderr, "fuzz_kf_roundtrip: %s export does not read back: "
                "%s\n", ext, err);
        abort();
    }
    if (nb != doc->nb_kf) {
        fprintf(stderr, "fuzz_kf_roundtrip: %s: %zu keyframes written, %zu "
                "read\n", ext, doc->nb_kf, nb);
        abort();
    }
    for (size_t i = 0; i < nb; i++) {
        if (kf[i].t != doc->kf[i].t)
            report(ext, i, &doc->kf[i], &kf[i], doc->sample_rate);
        if (fabs(kf[i].gain_db - doc->kf[i].gain_db) > 1e-9)
            report(ext, i, &doc->kf[i], &kf[i], doc->sample_rate);
    }
    free(kf);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static DDKeyframe kf[MAX_KF];
    KfDoc doc = { 0 };
    size_t n = 0, pos = 1;
    int64_t t = 0;

    if (size < 1)
        return 0;
    doc.sample_rate = rates[data[0] & 7];
    /* 5 bytes a keyframe: 2 of time step (samples), 3 of gain */
    while (pos + 5 <= size && n < MAX_KF) {
        unsigned step = data[pos] | data[pos + 1] << 8;
        uint32_t g = data[pos + 2] | data[pos + 3] << 8 |
                     (uint32_t)data[pos + 4] << 16;
        t += (int64_t)step * (data[0] & 8 ? 97 : 1);
        kf[n].t = t;
        if (g & 1)   /* off the grid: a fade-up cut short */
            kf[n].gain_db = -60.0 * (g >> 1) / (double)0x7fffff;
        else         /* the 0.1 dB grid */
            kf[n].gain_db = -(double)((g >> 1) % 601) / 10.0;
        n++;
        pos += 5;
    }
    dd_params_default(&doc.params);
    doc.kf = kf;
    doc.nb_kf = n;
    doc.duration = t + doc.sample_rate;
    doc.music_path = "music.wav";
    doc.music_channels = 2;
    roundtrip(&doc, "json");
    roundtrip(&doc, "csv");
    return 0;
}
