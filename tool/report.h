/*
 * The --report JSON: the command line, inputs (path, size, mtime, so that
 * batch runs can tell whether a job is up to date), streams used,
 * parameters, duck regions, loudness before and after, limiter activity
 * and timings.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_REPORT_H
#define DD_REPORT_H

#include <stddef.h>

#include "pipeline.h"

/** Write the report atomically. 0, or negative with err set. */
int report_write(const char *path, const Pipeline *p, double t_total,
                 char *err, size_t errlen);

#endif /* DD_REPORT_H */
