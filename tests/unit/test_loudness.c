/*
 * Unit tests of the loudness meter: EBU Tech 3341 style cases, BS.1770
 * channel weights, dialogue gating, the short-term history, the worker
 * thread giving identical results, measuring again against recorded
 * levels, target parsing and gain.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>
#include <libavutil/error.h>

#include "check.h"
#include "loudness.h"

#define SR 48000

/* A 1 kHz sine at peak level db (dBFS) in the channels set in mask. */
static void tone(float **pl, int channels, unsigned mask, int n, double db,
                 double freq)
{
    double a = pow(10, db / 20);
    for (int c = 0; c < channels; c++)
        for (int i = 0; i < n; i++)
            pl[c][i] = mask & (1u << c) ? a * sin(2 * M_PI * freq * i / SR) : 0;
}

static float **planes(int channels, int n)
{
    float **p = malloc(sizeof(*p) * channels);
    for (int c = 0; c < channels; c++)
        p[c] = calloc(n, sizeof(float));
    return p;
}

static void free_pl(float **p, int channels)
{
    for (int c = 0; c < channels; c++)
        free(p[c]);
    free(p);
}

/* Feed seconds of a tone in blocks of 1000 samples (odd on purpose). */
static void feed_tone(LoudnessMeter *m, int channels, unsigned mask,
                      double seconds, double db, int dialogue)
{
    int n = (int)(seconds * SR);
    float **pl = planes(channels, n);
    tone(pl, channels, mask, n, db, 1000);
    for (int i = 0; i < n; i += 1000) {
        const float *p[8];
        for (int c = 0; c < channels; c++)
            p[c] = pl[c] + i;
        loudness_meter_add(m, p, n - i < 1000 ? n - i : 1000, dialogue);
    }
    free_pl(pl, channels);
}

static double measure_tone(int channels, const AVChannelLayout *layout,
                           unsigned mask, double db)
{
    LoudnessMeter *m;
    double lufs = NAN;

    if (loudness_meter_create(&m, SR, layout, channels, 0) < 0)
        return NAN;
    feed_tone(m, channels, mask, 10, db, 0);
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &lufs);
    loudness_meter_free(&m);
    return lufs;
}

static void test_tech3341(void)
{
    LoudnessMeter *m;
    double l;

    /* case 1: stereo 1 kHz at -23 dBFS reads -23 LUFS; case 2: -33 */
    l = measure_tone(2, NULL, 3, -23);
    CHECK(fabs(l + 23) <= 0.1, "-23 dBFS stereo tone read %.2f LUFS", l);
    l = measure_tone(2, NULL, 3, -33);
    CHECK(fabs(l + 33) <= 0.1, "-33 dBFS stereo tone read %.2f LUFS", l);

    /* case 5: 20 s at -26, 20.1 s at -20, 20 s at -26 dBFS: -23 LUFS
     * (the relative gate leaves nothing out here; it is about summing) */
    loudness_meter_create(&m, SR, NULL, 2, 0);
    feed_tone(m, 2, 3, 20, -26, 0);
    feed_tone(m, 2, 3, 20.1, -20, 0);
    feed_tone(m, 2, 3, 20, -26, 0);
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &l);
    CHECK(fabs(l + 23) <= 0.1, "case 5 read %.2f LUFS", l);
    loudness_meter_free(&m);

    /* case 3 style: the relative gate drops a quiet part: 10 s at -36,
     * 60 s at -23, 10 s at -36 dBFS reads -23 */
    loudness_meter_create(&m, SR, NULL, 2, 0);
    feed_tone(m, 2, 3, 10, -36, 0);
    feed_tone(m, 2, 3, 60, -23, 0);
    feed_tone(m, 2, 3, 10, -36, 0);
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &l);
    CHECK(fabs(l + 23) <= 0.1, "gated case read %.2f LUFS", l);
    /* sample peak of a -23 dBFS sine */
    double sp = loudness_meter_sample_peak(m);
    CHECK(fabs(20 * log10(sp) + 23) < 0.01, "sample peak %.3f dBFS",
          20 * log10(sp));
    CHECK(isnan(loudness_meter_true_peak(m)), "true peak without the flag");
    loudness_meter_free(&m);

    /* silence reads -inf */
    loudness_meter_create(&m, SR, NULL, 2, 0);
    feed_tone(m, 2, 0, 5, -23, 0);
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &l);
    CHECK(isinf(l) && l < 0, "silence read %g", l);
    loudness_meter_free(&m);
}

static void test_channel_weights(void)
{
    AVChannelLayout l51 = AV_CHANNEL_LAYOUT_5POINT1;
    AVChannelLayout l71 = AV_CHANNEL_LAYOUT_7POINT1;
    double front, sl, lfe, back, mono;

    /* one channel at -20 dBFS: -23.01 LUFS at weight 1 */
    front = measure_tone(6, &l51, 1 << 0, -20);           /* FL */
    sl = measure_tone(6, &l51, 1 << 4, -20);              /* SL */
    lfe = measure_tone(6, &l51, 1 << 3, -20);             /* LFE */
    back = measure_tone(8, &l71, 1 << 4, -20);            /* 7.1 BL */
    CHECK(fabs(front + 23.01) < 0.1, "5.1 FL read %.2f", front);
    /* surrounds weigh 1.41 (+1.49 dB) */
    CHECK(fabs(sl - front - 1.49) < 0.05, "5.1 SL %.2f vs FL %.2f", sl, front);
    CHECK(fabs(back - front - 1.49) < 0.05, "7.1 BL %.2f vs FL %.2f", back,
          front);
    CHECK(isinf(lfe), "LFE counted: %.2f", lfe);
    /* an unspecified layout falls back to the native one for 6 channels */
    double unspec = measure_tone(6, NULL, 1 << 4, -20);
    CHECK(fabs(unspec - sl) < 0.01, "default 6-channel layout %.2f vs %.2f",
          unspec, sl);
    /* mono counts once */
    mono = measure_tone(1, NULL, 1, -20);
    CHECK(fabs(mono - front) < 0.01, "mono %.2f vs one front %.2f", mono,
          front);
}

static void test_dialogue_gate(void)
{
    LoudnessMeter *m;
    double prog, dlg;

    loudness_meter_create(&m, SR, NULL, 2, LOUDNESS_DIALOGUE);
    /* dialogue at -20 LUFS, 4 s lines; music between at -30 */
    for (int i = 0; i < 5; i++) {
        feed_tone(m, 2, 3, 4, -20, 1);
        feed_tone(m, 2, 3, 6, -30, 0);
    }
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &prog);
    loudness_meter_integrated(m, LOUDNESS_GATE_DIALOGUE, &dlg);
    CHECK(fabs(dlg + 20) <= 0.1, "dialogue gated read %.2f LUFS", dlg);
    /* program: 40 % at -20 and 60 % at -30 */
    double expect = 10 * log10(0.4 * pow(10, -2.0) + 0.6 * pow(10, -3.0));
    CHECK(fabs(prog - expect) < 0.3, "program read %.2f, expect %.2f", prog,
          expect);
    loudness_meter_free(&m);

    /* no dialogue at all: -inf, and gain 0 */
    loudness_meter_create(&m, SR, NULL, 2, LOUDNESS_DIALOGUE);
    feed_tone(m, 2, 3, 5, -20, 0);
    loudness_meter_integrated(m, LOUDNESS_GATE_DIALOGUE, &dlg);
    CHECK(isinf(dlg), "no dialogue read %g", dlg);
    CHECK(loudness_gain_db(-27, dlg) == 0, "gain for no dialogue");
    loudness_meter_free(&m);

    /* the gate must have been asked for */
    loudness_meter_create(&m, SR, NULL, 2, 0);
    CHECK(loudness_meter_integrated(m, LOUDNESS_GATE_DIALOGUE, &dlg) < 0,
          "dialogue gate without the flag");
    loudness_meter_free(&m);
}

static void test_history_and_thread(void)
{
    LoudnessMeter *a, *b;
    const float *ha, *hb;
    size_t na, nb;
    double la, lb, da, db_;
    unsigned flags = LOUDNESS_HISTORY | LOUDNESS_DIALOGUE | LOUDNESS_TRUE_PEAK;

    loudness_meter_create(&a, SR, NULL, 2, flags);
    loudness_meter_create(&b, SR, NULL, 2, flags | LOUDNESS_THREAD);
    for (int i = 0; i < 3; i++) {
        feed_tone(a, 2, 3, 2.55, -20, 1);
        feed_tone(b, 2, 3, 2.55, -20, 1);
        feed_tone(a, 2, 3, 3, -28, 0);
        feed_tone(b, 2, 3, 3, -28, 0);
    }
    ha = loudness_meter_history(a, &na);
    hb = loudness_meter_history(b, &nb);
    /* 16.65 s: a value every 100 ms */
    CHECK(na == 166, "history has %zu values", na);
    CHECK(na == nb && !memcmp(ha, hb, na * sizeof(*ha)),
          "threaded history differs");
    /* 2.55 s into the second -20 line: the 3 s window holds 0.45 s of
     * -28 and 2.55 s of -20 */
    double expect = 10 * log10((0.45 * pow(10, -2.8) + 2.55 * pow(10, -2.0)) / 3);
    CHECK(fabs(ha[80] - expect) < 0.1, /* value 80 is at 8.1 s */
          "short-term %.2f, expect %.2f", ha[80], expect);
    loudness_meter_integrated(a, LOUDNESS_GATE_PROGRAM, &la);
    loudness_meter_integrated(b, LOUDNESS_GATE_PROGRAM, &lb);
    loudness_meter_integrated(a, LOUDNESS_GATE_DIALOGUE, &da);
    loudness_meter_integrated(b, LOUDNESS_GATE_DIALOGUE, &db_);
    CHECK(la == lb && da == db_, "threaded %.4f/%.4f vs %.4f/%.4f", lb, db_,
          la, da);
    CHECK(fabs(da + 20) < 0.1, "dialogue %.2f", da);
    double tp = loudness_meter_true_peak(a);
    CHECK(fabs(20 * log10(tp) + 20) < 0.05, "true peak %.2f dBTP",
          20 * log10(tp));
    CHECK(loudness_meter_true_peak(b) == tp, "threaded true peak");
    loudness_meter_free(&a);
    loudness_meter_free(&b);
    CHECK(!a && !b, "free clears the pointer");
}

static void test_targets(void)
{
    double v;

    CHECK(!loudness_parse_target("ebu", &v) && v == -23, "ebu");
    CHECK(!loudness_parse_target("ATSC", &v) && v == -24, "atsc");
    CHECK(!loudness_parse_target("streaming", &v) && v == -16, "streaming");
    CHECK(!loudness_parse_target("-14", &v) && v == -14, "-14");
    CHECK(!loudness_parse_target("-16.5", &v) && v == -16.5, "-16.5");
    CHECK(!loudness_parse_target("off", &v) && isnan(v), "off");
    CHECK(loudness_parse_target("loud", &v) < 0, "loud accepted");
    CHECK(loudness_parse_target("3", &v) < 0, "+3 LUFS accepted");
    CHECK(loudness_parse_target("-14x", &v) < 0, "-14x accepted");
    CHECK(loudness_parse_target("", &v) < 0, "empty accepted");

    CHECK(loudness_gain_db(-23, -17.5) == -5.5, "gain down");
    CHECK(loudness_gain_db(-16, -20) == 4, "gain up");
    CHECK(loudness_gain_db(NAN, -20) == 0, "off: no gain");
    CHECK(fabs(loudness_db_to_linear(-6.0206) - 0.5) < 1e-4, "db to linear");
    CHECK(fabs(loudness_linear_to_db(0.1) + 20) < 1e-9, "linear to db");
    CHECK(isinf(loudness_linear_to_db(0)), "0 to db");

    /* measuring, applying the gain, measuring again lands on the target */
    LoudnessMeter *m;
    double l1, l2, g;
    int n = 8 * SR;
    float **pl = planes(2, n);
    tone(pl, 2, 3, n, -31.3, 440);
    loudness_meter_create(&m, SR, NULL, 2, 0);
    loudness_meter_add(m, (const float *const *)pl, n, 0);
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &l1);
    loudness_meter_free(&m);
    g = loudness_db_to_linear(loudness_gain_db(-23, l1));
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < n; i++)
            pl[c][i] *= g;
    loudness_meter_create(&m, SR, NULL, 2, 0);
    loudness_meter_add(m, (const float *const *)pl, n, 0);
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &l2);
    loudness_meter_free(&m);
    CHECK(fabs(l2 + 23) < 0.01, "normalized to %.3f LUFS", l2);
    free_pl(pl, 2);

    /* bad arguments */
    AVChannelLayout st = AV_CHANNEL_LAYOUT_STEREO;
    CHECK(loudness_meter_create(&m, SR, &st, 6, 0) < 0 && !m,
          "layout/channel mismatch accepted");
    CHECK(loudness_meter_create(&m, 0, NULL, 2, 0) < 0, "rate 0 accepted");
}

/*
 * The meter gates blocks itself (fixed memory); it must agree with
 * libebur128's own list-based gating on material where both gates bite:
 * segments of noise at levels from -80 to -5 dBFS, at 44.1 kHz so the
 * 100 ms step is not a round number of samples either.
 */
/* sr 44100 reads 100 ms segments, 22055 Hz the momentary loudness. */
/* n frames of noise at amplitude a (the right channel `right` times the
 * left) into the meter and into libebur128, interleaved for it. */
static void feed_noise(LoudnessMeter *m, ebur128_state *st, float *l, float *r,
                       float *il, int n, double a, double right,
                       uint32_t *rng)
{
    const float *p[2] = { l, r };

    for (int i = 0; i < n; i++) {
        *rng = *rng * 1664525u + 1013904223u;
        l[i] = a * ((*rng >> 8) / 8388608.0 - 1);
        r[i] = right * l[i];
        il[2 * i] = l[i];
        il[2 * i + 1] = r[i];
    }
    loudness_meter_add(m, p, n, 0);
    ebur128_add_frames_float(st, il, n);
}

static void gating_matches_libebur128(int sr)
{
    const int seg = sr / 3;
    ebur128_state *st = ebur128_init(2, sr, EBUR128_MODE_I);
    LoudnessMeter *m;
    float *l = malloc(sizeof(float) * seg), *r = malloc(sizeof(float) * seg);
    float *il = malloc(sizeof(float) * 2 * seg);
    uint32_t rng = 7;
    double ref, ours;

    loudness_meter_create(&m, sr, NULL, 2, 0);
    for (int k = 0; k < 180; k++) /* odd lengths too */
        feed_noise(m, st, l, r, il, seg - k % 5,
                   pow(10, (-80 + (k * 37 % 76)) / 20.0), 0.5, &rng);
    ebur128_loudness_global(st, &ref);
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &ours);
    CHECK(fabs(ours - ref) < 0.005, "%d Hz: gated %.4f, libebur128 %.4f", sr,
          ours, ref);
    loudness_meter_free(&m);
    ebur128_destroy(&st);
    free(l);
    free(r);
    free(il);
}

/*
 * A mix measured again against the analysis's levels: the gain alone, and
 * the gain with local changes (as a limiter makes) flagged touched, read
 * as the full measurement does; unflagged changes are not seen (the
 * reference is really used). sr 44100: frames per 100 ms as libebur128
 * rounds them; 22055 Hz: it rounds them otherwise, so no levels.
 */
#define REF_N (20 * 44100)

static float ref_sample(int c, int i)
{
    /* a 440 Hz tone whose level steps every 1.3 s, quieter on the right */
    double a = pow(10, (-8 - 8 * ((i / 57330) % 4)) / 20.0) * (c ? 0.5 : 1);
    return a * sin(2 * M_PI * 440 * i / 44100.0);
}

/* frames changed, as a limiter would: two spans, one at the very start */
static int ref_changed(int i)
{
    return i < 3000 || (i >= 300000 && i < 330000);
}

/* Feed the mix times gain (changed spans scaled by 0.25 if change) in
 * blocks of 1000 frames; flag blocks holding changed frames if flag. */
static void ref_feed(LoudnessMeter *m, float gain, int change, int flag)
{
    float l[1000], r[1000];
    const float *p[2] = { l, r };

    for (int i = 0; i < REF_N; i += 1000) {
        int n = REF_N - i < 1000 ? REF_N - i : 1000, touched = 0;
        for (int k = 0; k < n; k++) {
            float f = change && ref_changed(i + k) ? 0.25f : 1.0f;
            touched |= change && ref_changed(i + k);
            l[k] = ref_sample(0, i + k) * gain * f;
            r[k] = ref_sample(1, i + k) * gain * f;
        }
        if (flag)
            loudness_meter_set_touched(m, touched);
        loudness_meter_add(m, p, n, (i / 44100) % 3 == 0);
    }
}

static void ref_read(LoudnessMeter *m, double *prog, double *dlg)
{
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, prog);
    loudness_meter_integrated(m, LOUDNESS_GATE_DIALOGUE, dlg);
}

/* Measure the changed mix against lv: flag the changes or not. */
static void ref_against(const LoudnessLevels *lv, unsigned flags, int flag,
                        double *prog, double *dlg)
{
    LoudnessMeter *m;

    loudness_meter_create(&m, 44100, NULL, 2, flags);
    CHECK(loudness_meter_set_reference(m, lv, 1.5f) == 0, "reference set");
    ref_feed(m, 1.5f, 1, flag);
    ref_read(m, prog, dlg);
    loudness_meter_free(&m);
}

static void test_reference(void)
{
    unsigned flags = LOUDNESS_DIALOGUE;
    LoudnessMeter *m;
    LoudnessLevels *lv = NULL;
    double fp, fd, rp, rd, tp, td, up, ud;

    loudness_meter_create(&m, 44100, NULL, 2, flags | LOUDNESS_RECORD);
    ref_feed(m, 1, 0, 0);
    CHECK(loudness_meter_take_levels(m, &lv) == 0 && lv, "levels taken");
    loudness_meter_free(&m);

    /* the full measurement of the changed mix */
    loudness_meter_create(&m, 44100, NULL, 2, flags);
    ref_feed(m, 1.5f, 1, 0);
    ref_read(m, &fp, &fd);
    loudness_meter_free(&m);

    ref_against(lv, flags, 1, &rp, &rd);
    CHECK(fabs(rp - fp) < 1e-6 && fabs(rd - fd) < 1e-6,
          "against the reference %.9f/%.9f, measured %.9f/%.9f", rp, rd,
          fp, fd);
    ref_against(lv, flags | LOUDNESS_THREAD, 1, &tp, &td);
    CHECK(tp == rp && td == rd, "threaded %.9f/%.9f vs %.9f/%.9f", tp, td,
          rp, rd);
    ref_against(lv, flags, 0, &up, &ud);
    CHECK(fabs(up - fp) > 0.01, "unflagged changes read %.9f, measured %.9f",
          up, fp);

    /* a history cannot come from the reference; nor levels at 22055 Hz */
    loudness_meter_create(&m, 44100, NULL, 2, LOUDNESS_HISTORY);
    CHECK(loudness_meter_set_reference(m, lv, 1) == AVERROR(ENOSYS),
          "reference with a history");
    loudness_meter_free(&m);
    loudness_levels_free(&lv);
    CHECK(!lv, "levels freed");
    loudness_meter_create(&m, 22055, NULL, 2, LOUDNESS_RECORD);
    CHECK(loudness_meter_take_levels(m, &lv) == 0 && !lv,
          "no levels where 100 ms is rounded");
    CHECK(loudness_meter_set_reference(m, lv, 1) == AVERROR(ENOSYS),
          "no reference without levels");
    loudness_meter_free(&m);
}

/*
 * Memory stays flat: past two hours (LOUDNESS_RECORD's limit) no levels
 * are kept, the reference is refused and the measurement is in full; a
 * range meter (LRA) refuses a reference too (libebur128 must see all).
 */
static void test_levels_bounded(void)
{
    static float x[8000];
    const float *p[1] = { x };
    LoudnessMeter *m;
    LoudnessLevels *lv = NULL;
    double lufs;
    int64_t n = 0;

    for (int i = 0; i < 8000; i++)
        x[i] = (float)(0.1 * sin(2 * M_PI * 1000 * i / 8000.0));
    loudness_meter_create(&m, 8000, NULL, 1, LOUDNESS_RECORD);
    for (; n < 2 * 3600 + 1; n++)
        loudness_meter_add(m, p, 8000, 0);
    CHECK(loudness_meter_take_levels(m, &lv) == 0 && !lv,
          "no levels kept past two hours");
    loudness_meter_integrated(m, LOUDNESS_GATE_PROGRAM, &lufs);
    /* 1 kHz at -20 dBFS peak: -23.01 LUFS (a 0 dBFS sine reads -3.01) */
    CHECK(fabs(lufs + 23.01) < 0.05, "still measured: %.2f LUFS", lufs);
    loudness_meter_free(&m);

    loudness_meter_create(&m, 8000, NULL, 1, LOUDNESS_RECORD);
    for (int s = 0; s < 20; s++)
        loudness_meter_add(m, p, 8000, 0);
    CHECK(loudness_meter_take_levels(m, &lv) == 0 && lv, "levels for 20 s");
    loudness_meter_free(&m);
    loudness_meter_create(&m, 8000, NULL, 1, LOUDNESS_RANGE);
    CHECK(loudness_meter_set_reference(m, lv, 1) == AVERROR(ENOSYS),
          "no reference for a range meter");
    loudness_meter_free(&m);
    loudness_levels_free(&lv);
}

static void test_gating_matches_libebur128(void)
{
    gating_matches_libebur128(44100);
    gating_matches_libebur128(22055);
}

/*
 * The loudness range from the meter's own 100 ms segments
 * (loudness_range.c) against libebur128's histogram mode, fed the same
 * frames: noise rising from -60 to -5 dBFS over 90 s, in odd-length
 * pieces of about a seventh of a second (on a ramp, where the blocks
 * fall decides which bins the percentiles land in). 44.1 kHz reads the segments, 22055 Hz
 * libebur128 itself (its 100 ms is rounded there).
 */
static void range_matches_libebur128(int sr)
{
    const int piece = sr / 7, n = 90 * 7;
    ebur128_state *st = ebur128_init(2, sr, EBUR128_MODE_LRA |
                                     EBUR128_MODE_HISTOGRAM);
    LoudnessMeter *m;
    float *l = malloc(sizeof(float) * piece), *r = malloc(sizeof(float) * piece);
    float *il = malloc(sizeof(float) * 2 * piece);
    uint32_t rng = 11;
    double ref, ours;

    loudness_meter_create(&m, sr, NULL, 2, LOUDNESS_RANGE);
    for (int k = 0; k < n; k++)
        feed_noise(m, st, l, r, il, piece - k % 3,
                   pow(10, (-60 + 55.0 * k / n) / 20.0), 0.7, &rng);
    ebur128_loudness_range(st, &ref);
    CHECK(loudness_meter_range(m, &ours) == 0 && ours == ref && ref > 10,
          "%d Hz: loudness range %.4f LU, libebur128 %.4f LU", sr, ours, ref);
    loudness_meter_free(&m);
    ebur128_destroy(&st);
    free(l);
    free(r);
    free(il);
}

static void test_range_matches_libebur128(void)
{
    range_matches_libebur128(44100);
    range_matches_libebur128(22055);
}

int main(void)
{
    test_gating_matches_libebur128();
    test_range_matches_libebur128();
    test_tech3341();
    test_channel_weights();
    test_dialogue_gate();
    test_history_and_thread();
    test_reference();
    test_levels_bounded();
    test_targets();
    return check_summary();
}
