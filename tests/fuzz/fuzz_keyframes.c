/*
 * Fuzz target: reading an edited keyframe envelope (kf_read, JSON or CSV)
 * from a file holding arbitrary bytes. The first byte picks the format
 * and the working sample rate. A successful read must satisfy the
 * documented contract: times sorted, gains finite and within
 * [DD_DEPTH_MIN, 0] dB.
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

#define REQUIRE(cond) do {                                              \
        if (!(cond)) {                                                  \
            fprintf(stderr, "fuzz_keyframes: contract broken: %s "      \
                    "(%s:%d)\n", #cond, __FILE__, __LINE__);            \
            abort();                                                    \
        }                                                               \
    } while (0)

static const int rates[8] = { 48000, 44100, 8000, 96000, 192000, 22050, 1, 0 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], err[512] = "";
    DDKeyframe *kf = (DDKeyframe *)1;
    size_t nb = 12345;
    int sr, ret;
    FILE *f;

    if (!size)
        return 0;
    sr = rates[data[0] & 7];
    snprintf(path, sizeof(path), "%s/ddfuzz-kf-%d.%s",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(),
             data[0] & 0x80 ? "csv" : "json");
    f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);

    ret = kf_read(path, sr, &kf, &nb, err, sizeof(err));
    if (ret < 0) {
        REQUIRE(kf == NULL && nb == 0);
        /* the message names the file */
        REQUIRE(strncmp(err, path, strlen(path)) == 0);
    } else {
        REQUIRE(sr > 0);
        REQUIRE(nb == 0 || kf != NULL);
        for (size_t i = 0; i < nb; i++) {
            REQUIRE(isfinite(kf[i].gain_db));
            REQUIRE(kf[i].gain_db >= DD_DEPTH_MIN && kf[i].gain_db <= 0.0);
            REQUIRE(kf[i].t >= 0);
            REQUIRE(i == 0 || kf[i].t >= kf[i - 1].t);
        }
        free(kf);
    }
    unlink(path);
    return 0;
}
