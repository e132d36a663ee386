/*
 * The RFC 4180 reader for every CSV the program reads (batch manifests,
 * keyframe envelopes): ',' separated, "" quoting, CRLF or LF, quoted
 * fields that span lines, blank and '#' lines skipped, a byte order mark
 * left out. One reader, so that a cell spreadsheets quote reads the same
 * in a manifest and in an edited envelope.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_CSV_READER_H
#define DD_CSV_READER_H

#include <stddef.h>

typedef struct CsvRecord {
    char **cells;
    int nb_cells;
    int line;        /**< line the record starts on */
} CsvRecord;

/**
 * The next record of text from *pos (blank and '#' lines skipped; *line
 * counts lines). Cells are trimmed of blanks outside quotes. Returns 1
 * with a record in r, 0 at the end, -1 with "line N: what" in err.
 */
int csv_next_record(const char *t, size_t len, size_t *pos, int *line,
                    CsvRecord *r, char *err, size_t errlen);

void csv_record_clear(CsvRecord *r);

/** Length of a UTF-8 byte order mark at the start of t (0 or 3). */
size_t csv_skip_bom(const char *t, size_t len);

/**
 * Skip blank lines and lines starting with '#' from *pos (*line counts
 * them); the JSON Lines reader skips the same lines. Returns 0 at the end
 * of the text, 1 at the start of a line with content.
 */
int csv_skip_blank_lines(const char *t, size_t len, size_t *pos, int *line);

#endif /* DD_CSV_READER_H */
