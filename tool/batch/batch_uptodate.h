/*
 * Is a batch job already done? A job is up to date when its output and
 * its report exist, the report's "command" is exactly the argv the batch
 * would run now, and every input the report lists still has the recorded
 * size and modification time.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_BATCH_UPTODATE_H
#define DD_BATCH_UPTODATE_H

#include <stddef.h>

#include "batch_job.h"

/**
 * Returns 1 when c's job is up to date, 0 when it must run (the reason,
 * such as "input a.wav changed", is written to why). When up to date,
 * *duration gets the audio duration the report records (seconds, or -1).
 */
int batch_up_to_date(const BatchCommand *c, double *duration,
                     char *why, size_t whylen);

/** Audio duration in seconds recorded by a report, or -1 if unknown. */
double batch_report_duration(const char *report);

#endif /* DD_BATCH_UPTODATE_H */
