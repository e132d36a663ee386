/*
 * The one clock the program reads: monotonic wall time, for timings in
 * reports and summaries and for progress speed. Never used to decide what
 * is computed, so outputs stay deterministic.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_CLOCK_H
#define DD_CLOCK_H

/** Monotonic wall clock, seconds from an arbitrary origin. */
double clock_seconds(void);

#endif /* DD_CLOCK_H */
