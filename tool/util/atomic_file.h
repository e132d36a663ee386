/*
 * Output files written under a temporary name in the destination
 * directory and renamed into place only when complete. Temporary files
 * still open are removed when the process is interrupted (SIGINT/SIGTERM)
 * or exits without committing them.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_ATOMIC_FILE_H
#define DD_ATOMIC_FILE_H

#include <stdio.h>

typedef struct AtomicFile {
    char *final_path;
    char *tmp_path;
    FILE *fp;        /**< open for writing ("wb") after atomic_open */
} AtomicFile;

/**
 * Create "<dir>/.<name>.XXXXXX" next to path (so pass the output format
 * explicitly: the temporary name has no meaningful extension) and open it. Returns 0,
 * or -errno with nothing created.
 */
int atomic_open(AtomicFile *af, const char *path);

/**
 * Only reserve the temporary name (created empty, fp NULL) for writers
 * that open the file themselves, such as libavformat's avio_open().
 */
int atomic_reserve(AtomicFile *af, const char *path);

/** Close and rename into place. Returns 0 or -errno (file removed). */
int atomic_commit(AtomicFile *af);

/**
 * For stdio writers: check the stream for write errors, then commit. On
 * failure the file is removed and err holds "path: reason". 0 or -1.
 */
int atomic_finish(AtomicFile *af, char *err, size_t errlen);

/** Close and remove the temporary file. Safe to call twice. */
void atomic_abort(AtomicFile *af);

/**
 * Install SIGINT/SIGTERM handlers that remove every pending temporary file
 * and exit with 128 + signal (130, 143).
 */
void atomic_install_signal_handlers(void);

#endif /* DD_ATOMIC_FILE_H */
