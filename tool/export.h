/*
 * Stage 5, export: the gain envelope for editors (--keyframes, formats in
 * tool/keyframes/) and the picture of the programme (--plot), from the
 * analysis and the normalization, after the render.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_EXPORT_H
#define DD_EXPORT_H

#include <stddef.h>

#include "pipeline.h"

/** EXIT_OK or an exit code from cli.h with the message in err. */
int export_write(const Pipeline *p, char *err, size_t errlen);

#endif /* DD_EXPORT_H */
