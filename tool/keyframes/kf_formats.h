/*
 * The writers behind kf_write(), one per export format. Each writes the
 * whole document to fp and returns 0 or a negative value with err set.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_KF_FORMATS_H
#define DD_KF_FORMATS_H

#include <stdio.h>

#include "keyframes_io.h"

int kf_write_json(FILE *fp, const KfDoc *doc, char *err, size_t errlen);
int kf_write_csv(FILE *fp, const KfDoc *doc, char *err, size_t errlen);
int kf_write_cmd(FILE *fp, const KfDoc *doc, char *err, size_t errlen);
int kf_write_xmeml(FILE *fp, const KfDoc *doc, char *err, size_t errlen);
int kf_write_fcpxml(FILE *fp, const KfDoc *doc, char *err, size_t errlen);
int kf_write_labels(FILE *fp, const KfDoc *doc, char *err, size_t errlen);

/** The editor frame rate of doc, defaulting to 25/1. */
void kf_frame_rate(const KfDoc *doc, int *num, int *den);

/** Sample t as whole frames at num/den fps, rounded to nearest. */
int64_t kf_samples_to_frames(int64_t t, int sample_rate, int num, int den);

#endif /* DD_KF_FORMATS_H */
