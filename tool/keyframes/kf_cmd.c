/*
 * Keyframes as an FFmpeg sendcmd script driving a volume filter named
 * "duck":
 *
 *   ffmpeg -i music.wav -af "asendcmd=f=duck.cmd,volume@duck" out.wav
 *
 * Stock volume cannot interpolate, so each transition is written as a
 * staircase of constant gains, one step per 10 ms hop, each step at the
 * curve's value in the middle of its span: the staircase is then within
 * half a step of the renderer's curve (kf_curve.h). Constant values work with the
 * volume filter's default eval=once (a command re-evaluates the
 * expression) as well as with eval=frame. Commands take effect at the
 * first audio frame starting at or after their time, so the envelope is
 * reproduced to the frame size of the stream.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "kf_curve.h"
#include "kf_cmd.h"

typedef struct CmdOut {
    FILE *fp;
    int sample_rate;
    double last;   /* last gain written, NAN before the first */
} CmdOut;

/* One "TIME volume@duck volume GAINdB;" line, skipped if unchanged. */
static void put_step(CmdOut *o, int64_t t, double gain_db)
{
    int64_t whole = t / o->sample_rate, rest = t % o->sample_rate;
    /* 0.01 dB steps: far below audibility, and repeats collapse. */
    double g = round(gain_db * 100.0) / 100.0;

    if (g == o->last)
        return;
    o->last = g;
    /* sendcmd parses times to the microsecond. */
    fprintf(o->fp, "%" PRId64 ".%06" PRId64 " volume@duck volume %.2fdB;\n",
            whole, (rest * 1000000 + o->sample_rate / 2) / o->sample_rate,
            g == 0.0 ? 0.0 : g);
}

int kf_write_cmd(FILE *fp, const KfDoc *doc, char *err, size_t errlen)
{
    CmdOut o = { .fp = fp, .sample_rate = doc->sample_rate, .last = NAN };
    int64_t hop = dd_hop_size(doc->sample_rate);
    const DDKeyframe *kf = doc->kf;
    size_t nb = doc->nb_kf, hint = 0;

    (void)err;
    (void)errlen;
    fputs("# dialogueduck gain envelope for FFmpeg:\n"
          "#   -af \"asendcmd=f=THIS_FILE,volume@duck\"\n", fp);
    fprintf(fp, "# %zu keyframes, %d Hz, transitions in %" PRId64
            "-sample steps\n", nb, doc->sample_rate, hop);

    /* Before the first keyframe the gain is held at its value. Two
     * commands never share a time: their order would be unspecified. */
    if (!nb || kf[0].t > 0)
        put_step(&o, 0, nb ? kf[0].gain_db : 0.0);
    for (size_t i = 0; i < nb; i++) {
        int64_t t0 = kf[i].t, t1;
        if (i + 1 < nb && kf[i + 1].t == t0)
            continue; /* a step: the later keyframe wins */
        if (i + 1 == nb || kf[i + 1].gain_db == kf[i].gain_db) {
            put_step(&o, t0, kf[i].gain_db);
            continue;
        }
        t1 = kf[i + 1].t;
        for (int64_t t = t0; t < t1; t += hop) {
            int64_t end = t + hop < t1 ? t + hop : t1;
            put_step(&o, t, kf_curve_gain_db(kf, nb, 0.5 * (t + end), &hint));
        }
    }
    return 0;
}
