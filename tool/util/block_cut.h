/*
 * Test hook: cut the input into blocks of seeded random lengths.
 *
 * Every stage after decoding must give the same samples however the input
 * is cut into blocks (a read-ahead thread under load hands over different
 * amounts each run). With DIALOGUEDUCK_TEST_BLOCKS=SEED in the environment
 * the reader asks for a pseudo-random block length in [1, max] each time,
 * from a generator seeded with SEED, so a test can prove that the output
 * does not depend on the cut. Unset, blocks are always max long.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_BLOCK_CUT_H
#define DD_BLOCK_CUT_H

/** The length of the next block to read, in [1, max]. */
int block_cut_next(int max);

#endif /* DD_BLOCK_CUT_H */
