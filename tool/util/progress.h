/*
 * Progress on stderr (percent, speed as x realtime, ETA), only when
 * stderr is a terminal: logs of unattended runs stay clean.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_PROGRESS_H
#define DD_PROGRESS_H

typedef struct Progress {
    int enabled;
    const char *label;
    double total;        /**< s of media, 0 if unknown */
    double start;        /**< wall clock at begin */
    double last_print;
    int printed;
} Progress;

/** enabled = 0 forces it off (-q); else on when stderr is a terminal. */
void progress_begin(Progress *p, const char *label, double total_s,
                    int enabled);
/** done_s seconds of media processed; prints at most 10 times a second. */
void progress_update(Progress *p, double done_s);
/** Clears the line. */
void progress_end(Progress *p);

#endif /* DD_PROGRESS_H */
