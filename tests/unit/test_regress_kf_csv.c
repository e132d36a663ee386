/*
 * Regression test from the kf_roundtrip fuzz target: a keyframe gain off
 * the 0.1 dB grid (a fade-up cut short by a new line) exported to CSV must
 * read back unchanged, as the JSON export does. put_db() wrote every gain
 * within 0.05 dB of 0 as "0.0", so -0.0073 dB came back as 0 dB.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "keyframes_io.h"

int main(void)
{
    static const DDKeyframe kf[] = {
        { 0, 0.0 }, { 4160, -0.0073456772977921123 }, { 9000, -0.04 },
        { 20000, -15.0 }, { 30000, -0.049999 }, { 40000, 0.0 },
    };
    const size_t nb = sizeof(kf) / sizeof(kf[0]);
    const char *ext[] = { "csv", "json" };
    KfDoc doc = { .sample_rate = 44100, .duration = 44100, .kf = kf,
                  .nb_kf = nb, .music_path = "music.wav",
                  .music_channels = 2 };
    char dir[] = "/tmp/ddregress.XXXXXX", path[64], err[256];

    dd_params_default(&doc.params);
    if (!mkdtemp(dir))
        return 1;
    for (int e = 0; e < 2; e++) {
        DDKeyframe *back = NULL;
        size_t n = 0;

        snprintf(path, sizeof(path), "%s/kf.%s", dir, ext[e]);
        CHECK(kf_write(path, kf_format_from_name(path, NULL), &doc, err,
                       sizeof(err)) == 0, "%s", err);
        CHECK(kf_read(path, doc.sample_rate, &back, &n, err, sizeof(err)) == 0,
              "%s", err);
        CHECK(n == nb, "%s: %zu keyframes read", ext[e], n);
        for (size_t i = 0; i < n && i < nb; i++)
            CHECK(back[i].t == kf[i].t &&
                  fabs(back[i].gain_db - kf[i].gain_db) < 1e-9,
                  "%s: keyframe %zu: wrote %lld %.17g dB, read %lld %.17g dB",
                  ext[e], i, (long long)kf[i].t, kf[i].gain_db,
                  (long long)back[i].t, back[i].gain_db);
        free(back);
        unlink(path);
    }
    rmdir(dir);
    return check_summary();
}
