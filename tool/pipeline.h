/*
 * The program's stages in order, each taking what the previous ones
 * returned: open (open.h) → analysis (analysis.h, pass 1) → normalize
 * (normalize.h) → render (render.h, pass 2); then export (export.h) and
 * the report (report.h) read the results. Memory is bounded by the block
 * size and the lookahead, never the programme's length (the keyframes,
 * regions and 1 byte per 10 ms of activity are the only things that grow).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_PIPELINE_H
#define DD_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "cli.h"
#include "normalize.h"
#include "open.h"
#include "render.h"

/** What each stage returned. */
typedef struct Pipeline {
    const CliOptions *opt;
    Session session;
    Analysis analysis;
    Normalization norm;
    Rendered render;
    int rendered;       /**< 0: analysis only (render holds nothing) */
} Pipeline;

/**
 * Open, analyse, normalize and render. EXIT_OK or an exit code from cli.h
 * with the one-line message in err. pipeline_free() in every case.
 */
int pipeline_run(Pipeline *p, const CliOptions *opt, char *err, size_t errlen);
void pipeline_free(Pipeline *p);

/** Samples of the mix: rendered, or analysed when nothing was rendered. */
int64_t pipeline_samples(const Pipeline *p);

#endif /* DD_PIPELINE_H */
