/*
 * Text helpers for the XML and SVG writers: escaping and file:// URLs.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_XML_TEXT_H
#define DD_XML_TEXT_H

#include <stdio.h>

/** Write s with &, <, >, " and ' escaped (valid in text and attributes). */
void xml_put_escaped(FILE *fp, const char *s);

/**
 * Write a file:// URL for path: made absolute (resolved against the current
 * directory when the file does not exist) and percent-encoded.
 * localhost: 1 writes "file://localhost/..." as Final Cut Pro 7 XML does.
 * The URL holds letters, digits, "/-._~", ':' and %XX escapes only, so it
 * goes into XML text and attributes as it is.
 */
void xml_put_file_url(FILE *fp, const char *path, int localhost);

/** The last component of path (after the last '/'). */
const char *xml_basename(const char *path);

#endif /* DD_XML_TEXT_H */
