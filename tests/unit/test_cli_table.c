/*
 * The program's option table (cli_options[] in tool/cli.c) is the one
 * list of options: getopt's tables are built from it, batch mode asks it
 * which options are flags, per-job or output files, and --help must name
 * every option in it and nothing else. This checks the three readers
 * against the table, and that each ranged option parses into its field
 * and refuses values outside its range.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_job.h"
#include "check.h"
#include "cli.h"

static char help[16384];

static void capture_help(void)
{
    FILE *tmp = tmpfile();
    int saved = dup(STDOUT_FILENO);
    size_t n;

    fflush(stdout);
    dup2(fileno(tmp), STDOUT_FILENO);
    cli_print_help();
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    rewind(tmp);
    n = fread(help, 1, sizeof(help) - 1, tmp);
    help[n] = 0;
    fclose(tmp);
}

/* "--name" followed by a character that cannot continue a name. */
static int help_names(const char *opt)
{
    for (const char *p = help; (p = strstr(p, opt)); p++) {
        char after = p[strlen(opt)];
        if (!isalnum((unsigned char)after) && after != '-' && after != '_')
            return 1;
    }
    return 0;
}

static void help_matches_table(void)
{
    char opt[64];

    capture_help();
    for (int i = 0; i < cli_nb_options; i++) {
        const CliOption *c = &cli_options[i];
        if (c->name) {
            snprintf(opt, sizeof(opt), "--%s", c->name);
            CHECK(help_names(opt), "--help does not name %s", opt);
        }
        if (c->short_name) {
            snprintf(opt, sizeof(opt), "-%c", c->short_name);
            CHECK(help_names(opt), "--help does not name %s", opt);
        }
    }
    /* every --word in the help is in the table */
    for (const char *p = help; (p = strstr(p, "--")); p += 2) {
        size_t n = 0;
        while (isalnum((unsigned char)p[2 + n]) || p[2 + n] == '-' ||
               p[2 + n] == '_')
            n++;
        if (!n)
            continue;
        snprintf(opt, sizeof(opt), "%.*s", (int)n, p + 2);
        CHECK(cli_option_find(opt) != NULL, "--help names --%s, which is "
              "not in the table", opt);
    }
}

static void batch_reads_table(void)
{
    for (int i = 0; i < cli_nb_options; i++) {
        const CliOption *c = &cli_options[i];
        const char *name = c->name;
        char letter[2] = { (char)c->short_name, 0 };
        int flag = (c->flags & CLI_NOARG) && !(c->flags & CLI_ACTION);
        if (!name)
            name = letter;
        CHECK(batch_is_flag_option(name) == flag, "batch: %s flag %d",
              name, !flag);
        CHECK(cli_option_find(name) == c, "find %s", name);
    }
    CHECK(!batch_is_flag_option("depth") && batch_is_flag_option("y") &&
          batch_is_flag_option("spectral") && !batch_is_flag_option("help"),
          "flags");
    CHECK(cli_option_find("no-such-option") == NULL, "unknown option found");
}

static int parse(CliOptions *o, const char *opt, const char *value)
{
    char a0[] = "dialogueduck", d[] = "-d", dv[] = "d.wav", m[] = "-m";
    char mv[] = "m.wav", out[] = "-o", ov[] = "x.wav", q[] = "-q";
    char name[64], val[64], ad[] = "--spectral=adaptive";
    char *argv[] = { a0, q, d, dv, m, mv, out, ov, name, val, ad, NULL };

    snprintf(name, sizeof(name), "--%s", opt);
    snprintf(val, sizeof(val), "%s", value);
    /* --unmask is for adaptive carving only */
    return cli_parse(o, strcmp(opt, "unmask") ? 10 : 11, argv);
}

/* --spectral, --spectral band|adaptive, --spectral=MODE, and --unmask. */
static int parse_words(CliOptions *o, char *w1, char *w2, char *w3)
{
    char a0[] = "dialogueduck", d[] = "-d", dv[] = "d.wav", m[] = "-m";
    char mv[] = "m.wav", out[] = "-o", ov[] = "x.wav", q[] = "-q";
    char *argv[] = { a0, q, d, dv, m, mv, out, ov, w1, w2, w3, NULL };

    return cli_parse(o, 8 + !!w1 + (w1 && w2) + (w1 && w2 && w3), argv);
}

static void spectral_option(void)
{
    static CliOptions o;
    char sp[] = "--spectral", band[] = "band", ad[] = "adaptive";
    char eq[] = "--spectral=adaptive", bad[] = "--spectral=wide";
    char word[] = "wide", un[] = "--unmask", six[] = "6";
    FILE *null = fopen("/dev/null", "w");
    int saved = dup(STDERR_FILENO), ret;

    ret = parse_words(&o, sp, NULL, NULL);
    CHECK(ret == -1 && o.params.spectral == DD_SPECTRAL_BAND, "--spectral");
    ret = parse_words(&o, sp, band, NULL);
    CHECK(ret == -1 && o.params.spectral == DD_SPECTRAL_BAND,
          "--spectral band");
    ret = parse_words(&o, sp, ad, NULL);
    CHECK(ret == -1 && o.params.spectral == DD_SPECTRAL_ADAPTIVE,
          "--spectral adaptive");
    ret = parse_words(&o, eq, un, six);
    CHECK(ret == -1 && o.params.spectral == DD_SPECTRAL_ADAPTIVE &&
          o.params.unmask == 6, "--spectral=adaptive --unmask 6");
    fflush(stderr);
    dup2(fileno(null), STDERR_FILENO);     /* usage errors out of the way */
    CHECK(parse_words(&o, bad, NULL, NULL) == EXIT_USAGE,
          "--spectral=wide accepted");
    CHECK(parse_words(&o, sp, word, NULL) == EXIT_USAGE,
          "--spectral wide accepted");
    CHECK(parse_words(&o, un, six, NULL) == EXIT_USAGE,
          "--unmask without --spectral adaptive accepted");
    CHECK(parse_words(&o, sp, un, six) == EXIT_USAGE,
          "--unmask with --spectral band accepted");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(null);
}

static void ranged_options(void)
{
    static CliOptions o;
    FILE *null = fopen("/dev/null", "w");
    int saved = dup(STDERR_FILENO);
    char v[64];

    fflush(stderr);
    dup2(fileno(null), STDERR_FILENO);     /* usage errors out of the way */
    for (int i = 0; i < cli_nb_options; i++) {
        const CliOption *c = &cli_options[i];
        double *field = (double *)((char *)&o + c->offset);
        int ret;
        if (!c->offset)
            continue;
        snprintf(v, sizeof(v), "%.17g", c->max);
        ret = parse(&o, c->name, v);
        CHECK(ret == -1 && *field == c->max, "--%s %s: %d", c->name, v, ret);
        snprintf(v, sizeof(v), "%.17g", c->min - 1.0);
        CHECK(parse(&o, c->name, v) == EXIT_USAGE, "--%s %s accepted",
              c->name, v);
        CHECK(parse(&o, c->name, "x") == EXIT_USAGE, "--%s x accepted",
              c->name);
    }
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(null);
}

/* --band LOW-HIGH (with --spectral): both edges, or a usage error. */
static int parse_band(CliOptions *o, const char *value, int spectral)
{
    char a0[] = "dialogueduck", d[] = "-d", dv[] = "d.wav", m[] = "-m";
    char mv[] = "m.wav", out[] = "-o", ov[] = "x.wav", q[] = "-q";
    char name[] = "--band", sp[] = "--spectral", val[64];
    char *argv[] = { a0, q, d, dv, m, mv, out, ov, name, val, sp, NULL };

    snprintf(val, sizeof(val), "%s", value);
    return cli_parse(o, spectral ? 11 : 10, argv);
}

static void band_option(void)
{
    static const char *const bad[] = {
        "300", "300-", "-3400", "x-3400", "300-y", "50-3400", "1001-5000",
        "300-900", "300-20001", "600-1100", "300-3400-5000", "",
    };
    static CliOptions o;
    FILE *null = fopen("/dev/null", "w");
    int saved = dup(STDERR_FILENO), ret;

    ret = parse_band(&o, "200-5000", 1);
    CHECK(ret == -1 && o.params.band_low == 200 && o.params.band_high == 5000,
          "--band 200-5000: %d, %g-%g", ret, o.params.band_low,
          o.params.band_high);
    ret = parse_band(&o, "100-20000", 1);
    CHECK(ret == -1 && o.params.band_low == DD_BAND_LOW_MIN &&
          o.params.band_high == DD_BAND_HIGH_MAX, "--band 100-20000: %d", ret);
    CHECK(parse(&o, "depth", "-10") == -1 &&
          o.params.band_low == DD_BAND_LOW_DEFAULT &&
          o.params.band_high == DD_BAND_HIGH_DEFAULT, "band defaults");
    fflush(stderr);
    dup2(fileno(null), STDERR_FILENO);     /* usage errors out of the way */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(parse_band(&o, bad[i], 1) == EXIT_USAGE, "--band '%s' "
              "accepted", bad[i]);
    CHECK(parse_band(&o, "200-5000", 0) == EXIT_USAGE,
          "--band without --spectral accepted");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(null);
}

int main(void)
{
    help_matches_table();
    batch_reads_table();
    ranged_options();
    band_option();
    spectral_option();
    return check_summary();
}
