/*
 * Memory the system could give (mem_available.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "mem_available.h"

int64_t mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[128];
    int64_t kib = -1;
    long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);

    while (f && kib < 0 && fgets(line, sizeof(line), f))
        if (sscanf(line, "MemAvailable: %" SCNd64 " kB", &kib) != 1)
            kib = -1;
    if (f)
        fclose(f);
    if (kib >= 0)
        return kib * 1024;
    return pages > 0 && size > 0 ? (int64_t)pages * size : 0;
}
