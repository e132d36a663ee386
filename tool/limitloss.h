/*
 * What the true-peak limiter will take from the loudness, predicted in
 * the analysis pass. Linear gain then a limiter: where the limiter acts
 * the programme loses loudness, more the higher the gain, so the gain
 * that lands on a loud target is found by measuring. Measuring costs a
 * pass over the whole programme (decode, render, limit); predicting costs
 * two numbers per 10 ms block of the mix the analysis renders anyway: the
 * block's true peak (the limiter's detector around each channel's largest
 * sample) and its energy. The limiter's gain is then simulated block by
 * block for any gain (requirement, release), and the recorded 100 ms
 * loudness segments are scaled by what it leaves of each. The write pass
 * still measures what it delivers: a prediction that misses costs that
 * pass again, never a wrong loudness.
 *
 * Memory: a byte per 10 ms block here and one in the loudness levels
 * (0.7 MB each for two hours), as long as the levels are kept (two
 * hours); past that nothing is predicted.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_LIMITLOSS_H
#define DD_LIMITLOSS_H

#include <stddef.h>

#include "loudness.h"

typedef struct LimitLoss LimitLoss;

/**
 * @param sample_rate  Hz; a rate whose 100 ms is not a whole number of
 *                     samples predicts nothing (AVERROR(ENOSYS))
 * @return 0 or a negative AVERROR
 */
int limitloss_create(LimitLoss **out, int sample_rate, int channels);
void limitloss_free(LimitLoss **l);

/** The next n samples of the mix before gain (planar float). 0 or AVERROR. */
int limitloss_add(LimitLoss *l, const float *const *x, int n);

/**
 * The programme loudness (LUFS) of the mix whose segments ref recorded,
 * after gain_db and a limiter holding true peaks under ceiling_dbtp
 * (less the limiter's headroom). AVERROR(ENOSYS) where it cannot be
 * predicted (levels not kept, or more audio than the blocks kept).
 */
int limitloss_loudness(const LimitLoss *l, const LoudnessLevels *ref,
                       double gain_db, double ceiling_dbtp, double *lufs);

/**
 * The gain (dB) whose predicted loudness is target_lufs, starting from
 * gain_db (the linear gain). 0 or a negative AVERROR (ENOSYS as above,
 * or ERANGE where no gain reaches it).
 */
int limitloss_gain(const LimitLoss *l, const LoudnessLevels *ref,
                   double target_lufs, double ceiling_dbtp, double *gain_db);

#endif /* DD_LIMITLOSS_H */
