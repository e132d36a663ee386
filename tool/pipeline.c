/*
 * The program's stages in order.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hms.h"
#include "pipeline.h"

/*
 * The damage of every stem read from the same file as stems[i] (a video's
 * dialogue and music streams are one input); with warn, marks them warned.
 */
static int64_t input_file_damage(Session *s, int i, int warn, double *first)
{
    int64_t n = 0;

    *first = NAN;
    for (int j = i; j < s->nb_stems; j++) {
        InputStem *in = &s->stems[j];
        if (strcmp(in->path, s->stems[i].path))
            continue;
        in->damage_warned |= warn;
        if (!input_damage(in))
            continue;
        n += input_damage(in);
        if (isnan(*first) || in->first_damage < *first)
            *first = in->first_damage;
    }
    return n;
}

/*
 * Damaged audio (packets the decoder rejected or concealed): one warning
 * per input file, or with --strict an input error. Called once every
 * stem has been decoded to its end.
 */
static int check_damage(Session *s, char *err, size_t errlen)
{
    char at[HMS_LEN];

    for (int i = 0; i < s->nb_stems; i++) {
        const InputStem *in = &s->stems[i];
        double first;
        int64_t n;
        if (in->damage_warned)
            continue;
        if (!(n = input_file_damage(s, i, 0, &first)))
            continue;
        input_file_damage(s, i, 1, &first);
        hms_format(at, sizeof(at), first);
        if (s->opt->strict) {
            snprintf(err, errlen, "%s: damaged audio: %lld packet%s the "
                     "decoder rejected or concealed, the first at %s "
                     "(--strict)", in->path, (long long)n, n > 1 ? "s" : "",
                     at);
            return EXIT_INPUT;
        }
        if (s->opt->verbosity >= VERB_WARNING)
            fprintf(stderr, "dialogueduck: warning: %s: damaged audio: %lld "
                    "packet%s the decoder rejected or concealed, the first "
                    "at %s\n", in->path, (long long)n, n > 1 ? "s" : "", at);
    }
    return EXIT_OK;
}

int pipeline_run(Pipeline *p, const CliOptions *opt, char *err, size_t errlen)
{
    int ret;

    memset(p, 0, sizeof(*p));
    p->opt = opt;
    ret = session_open(&p->session, opt, err, errlen);
    if (ret == EXIT_OK)
        ret = analysis_run(&p->analysis, &p->session, err, errlen);
    /* --strict decodes every stem in the analysis: fail before writing */
    if (ret == EXIT_OK && opt->strict)
        ret = check_damage(&p->session, err, errlen);
    if (ret != EXIT_OK)
        return ret;
    normalize_decide(&p->norm, &p->analysis, &p->session);
    if (opt->analyze_only)
        return check_damage(&p->session, err, errlen);
    p->rendered = 1;
    ret = normalize_correct(&p->norm, &p->session, &p->analysis, &p->render,
                            err, errlen);
    if (ret == EXIT_OK && !p->norm.written)
        ret = render_write(&p->session, &p->analysis, &p->norm, &p->render,
                           err, errlen);
    if (ret == EXIT_OK)
        ret = check_damage(&p->session, err, errlen);
    return ret;
}

void pipeline_free(Pipeline *p)
{
    session_free(&p->session);
    analysis_free(&p->analysis);
}

int64_t pipeline_samples(const Pipeline *p)
{
    return p->rendered ? p->render.total : p->analysis.total;
}
