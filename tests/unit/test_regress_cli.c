/*
 * Regression test from the cli fuzz target: cli_parse() must start afresh
 * on every call. With glibc, optind = 1 keeps getopt's position inside the
 * previous argv: after "-hq" returned at 'h' (help), the next parse went
 * on with the old 'q' and came back quiet.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"

int main(void)
{
    static CliOptions o;
    char a0[] = "dialogueduck", hq[] = "-hq";
    char d[] = "-d", dv[] = "dlg.wav", m[] = "-m", mv[] = "music.wav";
    char out[] = "-o", ov[] = "mix.wav";
    char *first[] = { a0, hq, NULL };
    char *second[] = { a0, d, dv, m, mv, out, ov, NULL };
    FILE *null = fopen("/dev/null", "w");
    int saved = dup(STDOUT_FILENO), ret;

    /* --help text out of the way */
    fflush(stdout);
    dup2(fileno(null), STDOUT_FILENO);
    ret = cli_parse(&o, 2, first);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    CHECK(ret == EXIT_OK, "-hq: %d", ret);

    ret = cli_parse(&o, 7, second);
    CHECK(ret == -1, "second parse: %d", ret);
    CHECK(o.verbosity == VERB_INFO, "second parse took -q from the first argv "
          "(verbosity %d)", o.verbosity);
    CHECK(o.nb_stems == 2 && o.output && !o.music_out, "second parse: "
          "%d stems", o.nb_stems);
    fclose(null);
    return check_summary();
}
