/*
 * Loudness measurement (EBU R128 / ITU-R BS.1770 through libebur128) and
 * the normalization gain derived from it.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_LOUDNESS_H
#define DD_LOUDNESS_H

#include <stddef.h>
#include <stdint.h>

#include <libavutil/channel_layout.h>

/* Target presets for --loudness, in LUFS (LKFS). */
#define LOUDNESS_EBU        -23.0   /**< EBU R128 */
#define LOUDNESS_ATSC       -24.0   /**< ATSC A/85 */
#define LOUDNESS_STREAMING  -16.0
#define LOUDNESS_NETFLIX    -27.0   /**< dialogue gated */
#define LOUDNESS_TRUE_PEAK_DEFAULT -1.0 /**< dBTP ceiling */

/* Flags for loudness_meter_create(). */
enum {
    /**
     * Also measure true peak (4x oversampled, BS.1770), with the
     * limiter's detector (TruePeakMeter in limiter.h): it interpolates
     * only where a new maximum is possible, so it adds little to the
     * plain measurement.
     */
    LOUDNESS_TRUE_PEAK = 1 << 0,
    /**
     * Also measure the dialogue-gated loudness: a second meter fed only the
     * frames flagged as dialogue.
     */
    LOUDNESS_DIALOGUE  = 1 << 1,
    /** Record the short-term (3 s) loudness every 100 ms, for plots. */
    LOUDNESS_HISTORY   = 1 << 2,
    /**
     * Where libebur128 measures (LOUDNESS_RANGE, LOUDNESS_HISTORY, rates
     * whose 100 ms it rounds), run the measurement on a worker thread:
     * loudness_meter_add() copies the frames into a bounded queue and
     * returns. Results are identical to the unthreaded meter (the same
     * frames are measured in the same order); only the wall time differs.
     * Otherwise ignored: the meter's own K-weighting costs less than
     * handing the frames over.
     */
    LOUDNESS_THREAD    = 1 << 3,
    /** A mono programme is measured as played on two loudspeakers
     *  (libebur128's EBUR128_DUAL_MONO: +3 dB), as ffmpeg-normalize's
     *  and rsgain's --dual-mono. */
    LOUDNESS_DUAL_MONO = 1 << 4,
    /**
     * Keep the energy of every 100 ms segment for loudness_meter_take_levels()
     * (8 bytes per segment and gate, about 0.6 MB per gate for two hours,
     * and the programme's LOUDNESS_LEVEL_PARTS parts of each, 0.7 MB;
     * nothing is kept for a longer programme, whose dry passes then
     * measure in full: memory stays flat).
     */
    LOUDNESS_RECORD    = 1 << 5,
    /** Also measure the loudness range (EBU Tech 3342 LRA) of the
     *  program, by libebur128 (EBUR128_MODE_LRA, its histogram: fixed
     *  memory) in the same pass. */
    LOUDNESS_RANGE     = 1 << 6,
};

/** Parts each recorded 100 ms segment is cut in (loudness_levels_parts()):
 *  part k spans frames step * k / PARTS to step * (k + 1) / PARTS. */
#define LOUDNESS_LEVEL_PARTS 10

/** Which gate loudness_meter_integrated() reports. */
enum LoudnessGate {
    LOUDNESS_GATE_PROGRAM  = 0, /**< BS.1770 gating over everything */
    LOUDNESS_GATE_DIALOGUE = 1, /**< only frames flagged as dialogue */
};

/** Interval of the short-term history, seconds. */
#define LOUDNESS_HISTORY_INTERVAL 0.1

typedef struct LoudnessMeter LoudnessMeter;

/**
 * Memory is fixed at creation (about 100 KB per gated measurement), except
 * for the LOUDNESS_HISTORY values.
 * @param sample_rate  Hz
 * @param layout       the channel layout, so that surrounds get their
 *                     BS.1770 weight (+1.5 dB) and LFE is left out; NULL or
 *                     an unspecified order falls back to the native layout
 *                     for the channel count (FL FR FC LFE BL/SL BR/SR ...)
 * @param channels     channel count (must match layout when given)
 * @param flags        LOUDNESS_* flags
 * @return 0 or a negative AVERROR
 */
int loudness_meter_create(LoudnessMeter **out, int sample_rate,
                          const AVChannelLayout *layout, int channels,
                          unsigned flags);
void loudness_meter_free(LoudnessMeter **m);

/**
 * Feed nb_samples of planar float audio. dialogue != 0 flags the frames
 * as dialogue for LOUDNESS_DIALOGUE (split the call where the flag
 * changes; the engine's activity has 10 ms resolution). The program
 * measurement sees every frame either way.
 * @return 0 or a negative AVERROR
 */
int loudness_meter_add(LoudnessMeter *m, const float *const *planar,
                       int nb_samples, int dialogue);

/**
 * What a LOUDNESS_RECORD meter measured: the energy of each 100 ms
 * segment, program and dialogue gated, to measure the same mix again
 * after a gain and a few local changes (loudness_meter_set_reference()).
 */
typedef struct LoudnessLevels LoudnessLevels;

/**
 * Hand over the levels recorded so far (*out is set to NULL, and 0
 * returned, where none were recorded: no LOUDNESS_RECORD, or a sample
 * rate whose 100 ms libebur128 rounds). 0 or a negative AVERROR.
 */
int loudness_meter_take_levels(LoudnessMeter *m, LoudnessLevels **out);
void loudness_levels_free(LoudnessLevels **l);

/** 100 ms segments of the programme recorded (0 for NULL). */
size_t loudness_levels_count(const LoudnessLevels *l);

/** Where the programme's K-weighted energy of each 100 ms segment lies:
 *  the segment cut in LOUDNESS_LEVEL_PARTS equal parts (the last ones a
 *  frame longer where they do not divide), each part's share of the
 *  segment's energy in units of 1 / UINT8_MAX (all 0 for silence): part
 *  k of segment i is element i * LOUDNESS_LEVEL_PARTS + k. NULL where
 *  not recorded. */
const uint8_t *loudness_levels_parts(const LoudnessLevels *l);

/**
 * The programme's integrated loudness (BS.1770 gating, as the meter
 * gates) of the recorded mix times gain (linear), with the energy of
 * segment i also times scale[i] (i < nb_scale; scale may be NULL when
 * nb_scale is 0): a mix a limiter changed locally, predicted without
 * measuring it again. 0 or a negative AVERROR.
 */
int loudness_levels_integrated(const LoudnessLevels *l, const float *scale,
                               size_t nb_scale, double gain, double *lufs);

/**
 * Measure a mix that is the reference's mix times gain except where the
 * frames are flagged touched (loudness_meter_set_touched()): the
 * untouched 100 ms segments take the reference's energy times gain
 * squared, and libebur128 runs only from one segment before a touched
 * frame to one segment after (its K-weighting settles within that, to
 * about 1e-9 of the energy). The frames fed must be the reference's, in
 * the same segments, with the same dialogue flags. Call before the first
 * add. 0, or AVERROR(ENOSYS) where the meter cannot (levels not
 * recorded, a dialogue gate without dialogue levels, a history): then it
 * measures everything as usual.
 */
int loudness_meter_set_reference(LoudnessMeter *m, const LoudnessLevels *ref,
                                 float gain);

/** Flag the frames added from now on as touched (1) or not (0). */
void loudness_meter_set_touched(LoudnessMeter *m, int touched);

/**
 * Wait until every frame fed so far has been measured (a no-op without
 * LOUDNESS_THREAD). The readouts below call it themselves.
 */
int loudness_meter_sync(LoudnessMeter *m);

/**
 * Integrated loudness in LUFS over everything fed so far, program or
 * dialogue gated. -HUGE_VAL for silence (or no dialogue). Returns 0, or
 * AVERROR(EINVAL) when the dialogue gate was not enabled.
 */
int loudness_meter_integrated(LoudnessMeter *m, enum LoudnessGate gate,
                              double *lufs);

/** Largest absolute sample over all channels (linear, 1.0 = 0 dBFS). */
double loudness_meter_sample_peak(LoudnessMeter *m);

/**
 * Loudness range (LRA) in LU over everything fed so far. Returns 0, or
 * AVERROR(EINVAL) without LOUDNESS_RANGE.
 */
int loudness_meter_range(LoudnessMeter *m, double *lu);

/**
 * Largest true peak over all channels (linear), or NAN without
 * LOUDNESS_TRUE_PEAK.
 */
double loudness_meter_true_peak(LoudnessMeter *m);

/**
 * Short-term loudness history (LOUDNESS_HISTORY): value i is the short-term
 * loudness (LUFS, -HUGE_VAL for silence) at (i + 1) * 100 ms. The pointer
 * stays valid until the next add or free. 4 bytes per 100 ms (about
 * 290 KB for two hours).
 */
const float *loudness_meter_history(LoudnessMeter *m, size_t *count);

/**
 * Subnormal values in the meter's own state (K-weighting, gating sums,
 * history, the true-peak detector), for tests. libebur128's state is
 * opaque; libebur128 sets flush-to-zero around its filter on SSE2
 * targets, so its decay on digital silence stays at full speed.
 */
int loudness_meter_subnormal_state(LoudnessMeter *m);

/* ---------------------------------------------------------------- */
/* Normalization gain                                                */

/**
 * Parse a --loudness value: "ebu", "atsc", "streaming", "netflix", a number
 * in LUFS ("-14", "-16.5"), or "off" (*lufs = NAN). 0 or AVERROR(EINVAL).
 */
int loudness_parse_target(const char *s, double *lufs);

/**
 * The linear normalization gain in dB: target - measured. 0 when the
 * measurement is -inf (silence) or the target is NAN (off). Linear gain
 * only: a dynamic leveller would undo the ducking.
 */
double loudness_gain_db(double target_lufs, double measured_lufs);

/** 10^(db / 20). */
double loudness_db_to_linear(double db);

/** 20 log10(lin); -HUGE_VAL for 0. */
double loudness_linear_to_db(double lin);

#endif /* DD_LOUDNESS_H */
