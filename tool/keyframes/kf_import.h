/*
 * The readers behind kf_read() (keyframes_io.h), one per format it
 * imports. Each reads an edited envelope for rendering at sample_rate
 * (> 0) with the checks kf_read() documents.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_KF_IMPORT_H
#define DD_KF_IMPORT_H

#include <stddef.h>

#include "dialogueduck.h"

/**
 * JSON as kf_write exports it ("t" in samples at the file's
 * "sample_rate", or "t_s" in seconds). *kf is malloc'ed. Returns 0, or
 * negative with "path: where: what" in err.
 */
int kf_read_json(const char *path, int sample_rate, DDKeyframe **kf,
                 size_t *nb, char *err, size_t errlen);

/** "time_s,gain_db" CSV with that header; as kf_read_json() otherwise. */
int kf_read_csv(const char *path, int sample_rate, DDKeyframe **kf,
                size_t *nb, char *err, size_t errlen);

#endif /* DD_KF_IMPORT_H */
