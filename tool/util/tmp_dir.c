/*
 * The scratch directory (tmp_dir.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdlib.h>

#include "tmp_dir.h"

const char *tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}
