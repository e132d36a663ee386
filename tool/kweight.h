/*
 * BS.1770 K-weighting and the energy of 100 ms segments, the loudness
 * meter's hot loop (loudness.c): planar float in, no interleaving, two
 * channels per loop so that their recursions overlap. libebur128 runs the
 * same filter one channel at a time through its state in memory, at
 * several times the cost; it stays the reference of the unit test
 * (test_kweight) and measures what needs its own windows (loudness range,
 * the short-term history).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_KWEIGHT_H
#define DD_KWEIGHT_H

/** Channels a KWeight filters (the loudness meter's limit). */
#define KWEIGHT_MAX_CHANNELS 64

typedef struct KWeight {
    int channels;
    double shelf[5];                  /* b0 b1 b2 a1 a2 of the pre-filter */
    double hp[2];                     /* a1 a2 of the RLB high-pass */
    double weight[KWEIGHT_MAX_CHANNELS]; /* BS.1770 weight, 0: not measured */
    /* per channel: x[n-1] x[n-2] of the input, y[n-1] y[n-2] of the
     * pre-filter (the high-pass's input), z[n-1] z[n-2] of the output */
    double state[KWEIGHT_MAX_CHANNELS][6];
    double sum[KWEIGHT_MAX_CHANNELS]; /* squared output since the last read */
} KWeight;

/**
 * Set up the filter for a sample rate; weight[c] is channel c's BS.1770
 * weight (1 for L, R, C; 1.41 for surrounds; 2 for dual mono; 0 leaves
 * the channel out). 0, or -1 for a bad rate or channel count.
 */
int kweight_init(KWeight *k, int sample_rate, int channels,
                 const double *weight);

/**
 * Filter n frames of each plane from offset on. With accumulate, their
 * squared output adds to the current segment's energy; without, they
 * only move the filter's state (a warm-up).
 */
void kweight_add(KWeight *k, const float *const *planes, int offset, int n,
                 int accumulate);

/**
 * The weighted mean square of the output accumulated since the last
 * call, over `frames` frames (BS.1770's block energy before the log),
 * and a new segment begins.
 */
double kweight_segment(KWeight *k, int frames);

/**
 * The weighted squared output accumulated since the last
 * kweight_segment(), not divided by frames and not reset: reading it at
 * points inside a segment splits the segment's energy into parts.
 */
double kweight_energy(const KWeight *k);

/** Subnormal values in the filter's state (for tests: never any). */
int kweight_subnormal_state(const KWeight *k);

#endif /* DD_KWEIGHT_H */
