/*
 * Keyframes as Final Cut Pro 7 XML, xmeml 4 (kf_xmeml.c): the writer
 * kf_write() calls for that format.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_KF_XMEML_H
#define DD_KF_XMEML_H

#include <stddef.h>
#include <stdio.h>

#include "keyframes_io.h"

/** Write the whole document to fp. Returns 0, or negative with err set. */
int kf_write_xmeml(FILE *fp, const KfDoc *doc, char *err, size_t errlen);

#endif /* DD_KF_XMEML_H */
