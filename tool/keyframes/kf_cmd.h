/*
 * Keyframes as an FFmpeg asendcmd script driving volume@duck (kf_cmd.c): the writer
 * kf_write() calls for that format.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_KF_CMD_H
#define DD_KF_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "keyframes_io.h"

/** Write the whole document to fp. Returns 0, or negative with err set. */
int kf_write_cmd(FILE *fp, const KfDoc *doc, char *err, size_t errlen);

#endif /* DD_KF_CMD_H */
