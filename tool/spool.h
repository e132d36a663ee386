/*
 * Inputs read from a pipe ("-", "pipe:", "pipe:N"): the program reads
 * every stem twice (analysis, then render), and a pipe can be read once,
 * so each pipe is copied once to a temporary file, in the output's
 * directory or else TMPDIR, which the stems then open. The copies are
 * registered with atomic_file.h, so that SIGINT/SIGTERM removes them
 * too; spool_free() removes them on every other exit.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_SPOOL_H
#define DD_SPOOL_H

#include <stddef.h>

#include "atomic_file.h"
#include "cli.h"

#define SPOOL_MAX 8

typedef struct Spool {
    AtomicFile files[SPOOL_MAX];
    int fds[SPOOL_MAX];     /**< the descriptor each file was read from */
    int nb;
} Spool;

/**
 * Copy every pipe among o's inputs and stems to a temporary file (each
 * descriptor once) and give it to the inputs and stems that name the pipe
 * (input_files[], CliStem.file; their paths keep the name, for messages
 * and the report). EXIT_OK, or an
 * exit code from cli.h with the message in err.
 */
int spool_inputs(Spool *sp, CliOptions *o, char *err, size_t errlen);

/** Remove the temporary files. Safe on a zeroed or freed Spool. */
void spool_free(Spool *sp);

#endif /* DD_SPOOL_H */
