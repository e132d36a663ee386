/*
 * Whole raw 32-bit float files, as the eval's tools exchange them.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_EVAL_RAW_F32_H
#define DD_EVAL_RAW_F32_H

/** Read all of path; *n gets the float count. Exits naming prog on error. */
float *raw_f32_read(const char *prog, const char *path, long *n);

/** Write n floats to path; returns 0, or 1 after a line naming prog. */
int raw_f32_write(const char *prog, const char *path, const float *x, long n);

#endif /* DD_EVAL_RAW_F32_H */
