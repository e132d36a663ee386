/*
 * Names that stand for a pipe rather than a file, as ffmpeg reads them:
 * "-", "pipe:" and "pipe:N" (file descriptor N). One reader, for the
 * inputs that are spooled (spool.h) and the output that streams.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_PIPE_NAME_H
#define DD_PIPE_NAME_H

/**
 * The file descriptor name stands for: dash_fd for "-" and "pipe:"
 * (0 for an input, 1 for an output), N for "pipe:N"; -1 when name is a
 * file's.
 */
int pipe_name_fd(const char *name, int dash_fd);

#endif /* DD_PIPE_NAME_H */
