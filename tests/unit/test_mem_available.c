/*
 * mem_available() (tool/util/mem_available.c), what the pass cache is
 * sized against: where /proc/meminfo exists, the MemAvailable figure,
 * at least the free memory less what the kernel keeps back (a reading a
 * moment later may differ: within a tenth of the total memory), and never
 * more than the machine's memory.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "mem_available.h"

int main(void)
{
    int64_t page = sysconf(_SC_PAGESIZE);
    int64_t total = sysconf(_SC_PHYS_PAGES) * page;
    int64_t free_mem = sysconf(_SC_AVPHYS_PAGES) * page;
    int64_t avail = mem_available();

    CHECK(avail > 0, "%lld bytes", (long long)avail);
    CHECK(avail <= total, "%lld bytes of %lld", (long long)avail,
          (long long)total);
    if (access("/proc/meminfo", R_OK) == 0)
        CHECK(avail >= free_mem - total / 10, "MemAvailable %lld bytes, "
              "free %lld", (long long)avail, (long long)free_mem);
    return check_summary();
}
