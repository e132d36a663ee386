/*
 * The program's stages in order.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <string.h>

#include "pipeline.h"

int pipeline_run(Pipeline *p, const CliOptions *opt, char *err, size_t errlen)
{
    int ret;

    memset(p, 0, sizeof(*p));
    p->opt = opt;
    ret = session_open(&p->session, opt, err, errlen);
    if (ret == EXIT_OK)
        ret = analysis_run(&p->analysis, &p->session, err, errlen);
    if (ret != EXIT_OK)
        return ret;
    normalize_decide(&p->norm, &p->analysis, &p->session);
    ret = normalize_correct(&p->norm, &p->session, &p->analysis, err, errlen);
    if (ret == EXIT_OK)
        ret = render_write(&p->session, &p->analysis, &p->norm, &p->render,
                           err, errlen);
    return ret;
}

void pipeline_free(Pipeline *p)
{
    session_free(&p->session);
    analysis_free(&p->analysis);
}
