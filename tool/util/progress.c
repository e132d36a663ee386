/*
 * Progress on stderr when it is a terminal.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "hms.h"
#include "progress.h"

void progress_begin(Progress *p, const char *label, double total_s,
                    int enabled)
{
    p->enabled = enabled && isatty(STDERR_FILENO);
    p->label = label;
    p->total = total_s;
    p->start = clock_seconds();
    p->last_print = 0;
    p->printed = 0;
}

void progress_update(Progress *p, double done_s)
{
    double now, elapsed, speed;
    char hms[HMS_LEN];
    if (!p->enabled)
        return;
    now = clock_seconds();
    if (now - p->last_print < 0.1)
        return;
    p->last_print = now;
    elapsed = now - p->start;
    speed = elapsed > 0 ? done_s / elapsed : 0;
    if (p->total > 0) {
        double frac = done_s / p->total;
        double eta = speed > 0 ? (p->total - done_s) / speed : 0;
        if (frac > 1)
            frac = 1;
        if (eta < 0)
            eta = 0;
        fprintf(stderr, "\r%-9s %3d%%  %6.1fx realtime  ETA %.8s   ",
                p->label, (int)(frac * 100), speed,
                hms_format(hms, sizeof(hms), eta));
    } else {
        fprintf(stderr, "\r%-9s %8.1f s  %6.1fx realtime   ", p->label,
                done_s, speed);
    }
    p->printed = 1;
}

void progress_end(Progress *p)
{
    if (p->enabled && p->printed)
        fprintf(stderr, "\r%50s\r", "");
    p->printed = 0;
}
