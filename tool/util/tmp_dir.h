/*
 * Where the program puts scratch files it reads back itself (the copies
 * of piped inputs when -o names no directory, the pass cache): TMPDIR, as
 * mkstemp(3) users and ffmpeg's two-pass logs do, else /tmp.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_TMP_DIR_H
#define DD_TMP_DIR_H

/** $TMPDIR when set and not empty, else "/tmp". */
const char *tmp_dir(void);

#endif /* DD_TMP_DIR_H */
