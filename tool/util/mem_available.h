/*
 * How much memory the system could give without swapping: Linux's
 * MemAvailable (free memory plus the page cache and slabs it can
 * reclaim), the figure the kernel's writeback limits are taken of. Free
 * memory alone (sysconf _SC_AVPHYS_PAGES) shrinks as the page cache
 * fills with whatever was read last, so a decision taken on it changes
 * from one run to the next on an idle machine.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_MEM_AVAILABLE_H
#define DD_MEM_AVAILABLE_H

#include <stdint.h>

/** Bytes: MemAvailable from /proc/meminfo, else the free memory, else 0. */
int64_t mem_available(void);

#endif /* DD_MEM_AVAILABLE_H */
