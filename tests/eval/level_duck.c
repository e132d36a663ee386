/*
 * Reference for the evaluation: an offline level-threshold ducker in the
 * manner of Audacity's Auto Duck (dialogue level over a threshold, pauses
 * shorter than a maximum bridged, fades placed outside the region). It
 * shows what level alone does with quiet onsets and breaths.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: level_duck THRESHOLD_DB DEPTH_DB DIALOGUE_CHANNELS DIALOGUE MUSIC OUT
 *
 * Raw float32 little-endian at 48 kHz, interleaved; the music is stereo.
 * Auto Duck's other defaults are kept: maximum pause 1 s, outer fades
 * 0.5 s (down before the region, up after it), no inner fades.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw_f32.h"

#define RATE      48000
#define FRAME     480
#define MCH       2
#define MAX_PAUSE 100   /* frames */
#define FADE      0.5   /* s */

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: level_duck THRESHOLD_DB DEPTH_DB "
                "DIALOGUE_CHANNELS DIALOGUE MUSIC OUT\n");
        return 2;
    }
    double thr = atof(argv[1]), depth = pow(10, atof(argv[2]) / 20);
    int dch = atoi(argv[3]);
    if (dch < 1)
        return 2;
    long nd, nm;
    float *dlg = raw_f32_read("level_duck", argv[4], &nd);
    float *mus = raw_f32_read("level_duck", argv[5], &nm);
    long n = nm / MCH, dn = nd / dch;
    int nf = n / FRAME + 1;
    char *act = calloc(nf, 1);
    float *gain = malloc(n * sizeof(*gain));
    if (!act || !gain)
        return 1;

    for (int f = 0; f < nf; f++) {
        double e = 0;
        for (long i = (long)f * FRAME; i < (long)(f + 1) * FRAME && i < dn;
             i++)
            for (int c = 0; c < dch; c++)
                e += (double)dlg[i * dch + c] * dlg[i * dch + c];
        act[f] = 10 * log10(e / (FRAME * dch) + 1e-30) > thr;
    }
    /* bridge pauses shorter than the maximum */
    for (int f = 0, last = -1; f < nf; f++) {
        if (!act[f])
            continue;
        if (last >= 0 && f - last - 1 > 0 && f - last - 1 < MAX_PAUSE)
            memset(act + last + 1, 1, f - last - 1);
        last = f;
    }
    for (long i = 0; i < n; i++)
        gain[i] = 1;
    long fade = (long)(FADE * RATE);
    for (int f = 0; f < nf;) {
        if (!act[f]) {
            f++;
            continue;
        }
        int e = f;
        while (e < nf && act[e])
            e++;
        long s0 = (long)f * FRAME, s1 = (long)e * FRAME;
        for (long i = s0 - fade; i < s1 + fade; i++) {
            if (i < 0 || i >= n)
                continue;
            double g;
            if (i < s0)
                g = 1 + (depth - 1) * (double)(i - (s0 - fade)) / fade;
            else if (i < s1)
                g = depth;
            else
                g = depth + (1 - depth) * (double)(i - s1) / fade;
            if (g < gain[i])
                gain[i] = g;
        }
        f = e;
    }
    for (long i = 0; i < n; i++)
        for (int c = 0; c < MCH; c++)
            mus[i * MCH + c] *= gain[i];
    if (raw_f32_write("level_duck", argv[6], mus, n * MCH))
        return 1;
    free(act);
    free(gain);
    free(dlg);
    free(mus);
    return 0;
}
