/*
 * `dialogueduck batch MANIFEST`: many jobs from a CSV or JSON Lines
 * manifest, run by local workers or one task by index (array jobs).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_BATCH_H
#define DD_BATCH_H

/** argv[0] is "batch". Returns the process exit code. */
int batch_main(int argc, char **argv);

#endif /* DD_BATCH_H */
