/*
 * BS.1770 K-weighting written for speed (see kweight.h).
 *
 * The filter is two biquads in direct form I: the pre-filter's high shelf
 * (about +4 dB above 1.7 kHz), then the RLB high-pass (38 Hz), whose
 * input history is the shelf's output history. The coefficients are
 * BS.1770's analogue prototypes mapped to the sample rate by the bilinear
 * transform, the parameters libebur128 and FFmpeg's ebur128 filter use,
 * so the three meters agree at every rate. Each output waits on the
 * previous one through one multiply and one add only (the other terms are
 * summed first); two channels share a loop as the two lanes of one
 * vector (GCC's vector extension: the same operations in the same order
 * as the scalar loop, lane by lane, so the same bits), which halves the
 * instructions and lets the processor overlap the recursions.
 *
 * State below 1e-30 (300 dB under full scale) is flushed to zero after
 * each call: on digital silence the filter decays into subnormal numbers
 * otherwise, which costs a hundred times the arithmetic.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <string.h>

#include "kweight.h"

#define FLUSH_BELOW 1e-30

/* Pre-filter (high shelf) and RLB high-pass, BS.1770-4 */
#define SHELF_F0   1681.974450955533
#define SHELF_GAIN 3.999843853973347  /* dB */
#define SHELF_Q    0.7071752369554196
#define SHELF_VB   0.4996667741545416 /* band gain, as a power of Vh */
#define HP_F0      38.13547087602444
#define HP_Q       0.5003270373238773

int kweight_init(KWeight *k, int sample_rate, int channels,
                 const double *weight)
{
    double K, vh, vb, a0;

    if (sample_rate <= 0 || channels < 1 || channels > KWEIGHT_MAX_CHANNELS)
        return -1;
    memset(k, 0, sizeof(*k));
    k->channels = channels;
    memcpy(k->weight, weight, channels * sizeof(*weight));

    K = tan(M_PI * SHELF_F0 / sample_rate);
    vh = pow(10.0, SHELF_GAIN / 20.0);
    vb = pow(vh, SHELF_VB);
    a0 = 1.0 + K / SHELF_Q + K * K;
    k->shelf[0] = (vh + vb * K / SHELF_Q + K * K) / a0;
    k->shelf[1] = 2.0 * (K * K - vh) / a0;
    k->shelf[2] = (vh - vb * K / SHELF_Q + K * K) / a0;
    k->shelf[3] = 2.0 * (K * K - 1.0) / a0;
    k->shelf[4] = (1.0 - K / SHELF_Q + K * K) / a0;

    K = tan(M_PI * HP_F0 / sample_rate);
    a0 = 1.0 + K / HP_Q + K * K;
    k->hp[0] = 2.0 * (K * K - 1.0) / a0;
    k->hp[1] = (1.0 - K / HP_Q + K * K) / a0;
    return 0;
}

static void flush_state(double *s)
{
    for (int i = 0; i < 6; i++)
        if (fabs(s[i]) < FLUSH_BELOW)
            s[i] = 0.0;
}

/*
 * One sample through both biquads. The terms that do not wait on the
 * last output are summed first: the recursion is one multiply-add long.
 */
#define KW_STEP(T, in, x1, x2, y1, y2, z1, z2, acc) do {                  \
        T x_ = (in), y_, z_;                                               \
        y_ = (b0 * x_ + b1 * x1 + b2 * x2 - a2 * y2) - a1 * y1;            \
        z_ = ((y_ - 2.0 * y1 + y2) - h2 * z2) - h1 * z1;                   \
        x2 = x1; x1 = x_; y2 = y1; y1 = y_; z2 = z1; z1 = z_;              \
        acc += z_ * z_;                                                    \
    } while (0)

typedef double KWPair __attribute__((vector_size(2 * sizeof(double))));

/* Channels c and d (d may equal c: one channel) for n frames. */
static void filter_pair(KWeight *k, int c, int d, const float *p,
                        const float *q, int n, int accumulate)
{
    const double b0 = k->shelf[0], b1 = k->shelf[1], b2 = k->shelf[2];
    const double a1 = k->shelf[3], a2 = k->shelf[4];
    const double h1 = k->hp[0], h2 = k->hp[1];
    double *s = k->state[c], *t = k->state[d];

    if (c == d) {
        double x1 = s[0], x2 = s[1], y1 = s[2], y2 = s[3], z1 = s[4], z2 = s[5];
        double sum = 0.0;
        for (int i = 0; i < n; i++)
            KW_STEP(double, p[i], x1, x2, y1, y2, z1, z2, sum);
        s[0] = x1; s[1] = x2; s[2] = y1; s[3] = y2; s[4] = z1; s[5] = z2;
        flush_state(s);
        if (accumulate)
            k->sum[c] += sum;
        return;
    }
    {
        KWPair x1 = { s[0], t[0] }, x2 = { s[1], t[1] };
        KWPair y1 = { s[2], t[2] }, y2 = { s[3], t[3] };
        KWPair z1 = { s[4], t[4] }, z2 = { s[5], t[5] };
        KWPair sum = { 0.0, 0.0 };
        for (int i = 0; i < n; i++) {
            KWPair in = { p[i], q[i] };
            KW_STEP(KWPair, in, x1, x2, y1, y2, z1, z2, sum);
        }
        s[0] = x1[0]; s[1] = x2[0]; s[2] = y1[0]; s[3] = y2[0];
        s[4] = z1[0]; s[5] = z2[0];
        t[0] = x1[1]; t[1] = x2[1]; t[2] = y1[1]; t[3] = y2[1];
        t[4] = z1[1]; t[5] = z2[1];
        flush_state(s);
        flush_state(t);
        if (accumulate) {
            k->sum[c] += sum[0];
            k->sum[d] += sum[1];
        }
    }
}

void kweight_add(KWeight *k, const float *const *planes, int offset, int n,
                 int accumulate)
{
    int pending = -1;

    if (n <= 0)
        return;
    /* measured channels in pairs; an odd one alone */
    for (int c = 0; c < k->channels; c++) {
        if (!(k->weight[c] > 0))
            continue;
        if (pending < 0) {
            pending = c;
            continue;
        }
        filter_pair(k, pending, c, planes[pending] + offset,
                    planes[c] + offset, n, accumulate);
        pending = -1;
    }
    if (pending >= 0)
        filter_pair(k, pending, pending, planes[pending] + offset,
                    planes[pending] + offset, n, accumulate);
}

double kweight_energy(const KWeight *k)
{
    double e = 0.0;

    for (int c = 0; c < k->channels; c++)
        e += k->weight[c] * k->sum[c];
    return e;
}

double kweight_segment(KWeight *k, int frames)
{
    double e = kweight_energy(k);

    for (int c = 0; c < k->channels; c++)
        k->sum[c] = 0.0;
    return frames > 0 ? e / frames : 0.0;
}

int kweight_subnormal_state(const KWeight *k)
{
    int n = 0;

    for (int c = 0; c < k->channels; c++) {
        for (int i = 0; i < 6; i++)
            n += fpclassify(k->state[c][i]) == FP_SUBNORMAL;
        n += fpclassify(k->sum[c]) == FP_SUBNORMAL;
    }
    return n;
}
