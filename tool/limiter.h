/*
 * A lookahead true-peak limiter: 4x oversampled (polyphase FIR) peak
 * detection, gain reduction only where the ceiling would be crossed.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_LIMITER_H
#define DD_LIMITER_H

#include <stdint.h>

#define LIMITER_LOOKAHEAD_DEFAULT 0.0015 /**< s: the gain ramps down over it */
#define LIMITER_RELEASE_DEFAULT   0.1    /**< s: time constant of the recovery */

/**
 * The release heads for 1 + LIMITER_RELEASE_OVERSHOOT and stops at 1, so
 * that it ends in finite time (about 4 time constants from -6 dB) and the
 * gain is exactly 1 again, instead of creeping towards 1 forever.
 */
#define LIMITER_RELEASE_OVERSHOOT 0.01

/**
 * Peaks are held this far under the ceiling inside the limiter, so that
 * other meters (whose interpolators differ from ours: content near the
 * Nyquist frequency reads up to ~0.25 dB apart) and the gain modulation
 * itself still read at or under the ceiling.
 */
#define LIMITER_HEADROOM_DB 0.15

typedef struct TruePeakLimiter TruePeakLimiter;

typedef struct LimiterStats {
    int64_t samples;          /**< samples (per channel) output so far */
    int64_t samples_limited;  /**< of those, with gain < 1 */
    double max_reduction_db;  /**< largest reduction, dB (>= 0) */
    /**
     * Largest true peak of the input seen by the detector (linear). Exact
     * where the input came near the ceiling; elsewhere the detector only
     * proved it was under limiter_overshoot_bound() * sample peak.
     */
    double input_peak;
} LimiterStats;

/**
 * @param ceiling_dbtp  true-peak ceiling (dBTP), e.g. -1
 * @param lookahead     s, the attack window (LIMITER_LOOKAHEAD_DEFAULT)
 * @param release       s, the release time constant (LIMITER_RELEASE_DEFAULT)
 * All memory is allocated here; processing allocates nothing.
 * @return 0 or a negative AVERROR
 */
int limiter_create(TruePeakLimiter **out, int sample_rate, int channels,
                   double ceiling_dbtp, double lookahead, double release);
void limiter_free(TruePeakLimiter **l);

/**
 * Latency in samples: the output lags the input by this much. The limiter
 * compensates it itself (see limiter_process()); callers need it only to
 * size buffers or to account for timestamps.
 */
int limiter_latency(const TruePeakLimiter *l);

/**
 * Push nb_samples of planar float audio, write limited audio to out and
 * return how many samples were written. Output sample k is input sample k
 * (times the gain): the first limiter_latency() samples pushed are held
 * back, so early calls return fewer samples than pushed, and
 * limiter_flush() returns the rest. in and out may be the same buffers.
 * Where the gain is 1 the samples are copied unchanged (bit exact): a
 * signal whose true peak stays under the ceiling passes untouched.
 */
int limiter_process(TruePeakLimiter *l, const float *const *in, float **out,
                    int nb_samples);

/**
 * End of input: write the held-back samples (at most limiter_latency()
 * per channel) to out and return their count.
 */
int limiter_flush(TruePeakLimiter *l, float **out);

void limiter_get_stats(const TruePeakLimiter *l, LimiterStats *st);

/**
 * The largest ratio of the detector's interpolated peak to the sample
 * peak of its input window (the L1 norm of the worst interpolation
 * phase: about 2.5, +7.9 dB). A signal whose sample peak p satisfies
 * p * limiter_overshoot_bound() <= ceiling is proven never to trigger
 * the limiter. The detector uses this per sample to skip the FIR.
 */
double limiter_overshoot_bound(void);

/**
 * Cheap whole-file check: returns 0 when a mix whose sample peak (linear,
 * before gain) is sample_peak, scaled by gain_db, provably stays under
 * the ceiling as the limiter measures it, so the limiter can be skipped;
 * 1 when limiting may be needed.
 */
int limiter_needed(double sample_peak, double gain_db, double ceiling_dbtp);

/**
 * Values of the limiter's state that are subnormal (fpclassify), for
 * tests: the state is delay lines holding input samples, minima and
 * averages of gains in (0, 1], and a release towards 1; nothing decays
 * towards zero, so after any input that is not itself subnormal this is 0.
 */
int limiter_subnormal_state(const TruePeakLimiter *l);

/* ---------------------------------------------------------------- */
/* True-peak meter                                                   */

/**
 * The limiter's detector as a meter: the largest 4x-interpolated peak
 * (BS.1770 true peak) of everything added. It runs the interpolation only
 * where a window's sample peak times limiter_overshoot_bound() could beat
 * the peak found so far, so on programme material it costs little more
 * than a sample-peak scan (libebur128's true-peak mode interpolates every
 * sample). Its 32-tap-per-phase filter also reads content near the
 * Nyquist frequency more accurately than shorter ones.
 */
typedef struct TruePeakMeter TruePeakMeter;

int truepeak_meter_create(TruePeakMeter **out, int channels);
void truepeak_meter_free(TruePeakMeter **m);
void truepeak_meter_add(TruePeakMeter *m, const float *const *planar, int nb);
/** Same, from interleaved samples. */
void truepeak_meter_add_interleaved(TruePeakMeter *m, const float *x, int nb);
/** Largest true peak over all channels so far (linear, 1.0 = 0 dBTP). */
double truepeak_meter_peak(const TruePeakMeter *m);
/** Samples either side of a point that truepeak_meter_around() reads. */
#define TRUEPEAK_REACH 16

/**
 * The detector at one point: the largest of |x[0]| and the interpolated
 * values on the segments either side of it, reading
 * x[-TRUEPEAK_REACH .. TRUEPEAK_REACH]. Adds nothing to the meter.
 */
double truepeak_meter_around(const TruePeakMeter *m, const float *x);

/** Subnormal values in the meter's state (tests; see limiter_subnormal_state()). */
int truepeak_meter_subnormal_state(const TruePeakMeter *m);

/** Subnormal values among n floats / doubles (fpclassify), for the above. */
int limiter_count_subnormal_f(const float *x, int n);
int limiter_count_subnormal_d(const double *x, int n);

#endif /* DD_LIMITER_H */
