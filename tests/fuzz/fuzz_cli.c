/*
 * Fuzz target: the command-line parser (cli_parse, tool/cli.h). The input
 * is split at NUL bytes into arguments; a few option names are spliced
 * in by index to reach deep states quickly. Parsing only: nothing runs.
 * A successful parse must leave a consistent CliOptions.
 *
 * This file is part of dialogueduck.
 *
 * dialogueduck is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ARGS 48

#define REQUIRE(cond) do {                                              \
        if (!(cond)) {                                                  \
            fprintf(stderr, "fuzz_cli: contract broken: %s (%s:%d)\n",  \
                    #cond, __FILE__, __LINE__);                         \
            abort();                                                    \
        }                                                               \
    } while (0)

/*
 * An argument that is a single byte 0x01..0x1f or 0x80..0xff stands for a
 * word: every spelling of every option in cli_options[] (--name, -X, and
 * ffmpeg's -name), then a few values that reach deep states.
 */
static const char *const values[] = {
    "0:a:1", "-", "pipe:", "pipe:0", "200ms", "00:00:01.500", "quiet",
};

#define MAX_WORDS (4 * 64 + sizeof(values) / sizeof(values[0]))

static const char *words[MAX_WORDS];
static int nb_words;

static void add_word(const char *fmt, const char *name)
{
    char buf[64];

    REQUIRE(nb_words < (int)MAX_WORDS);
    snprintf(buf, sizeof(buf), fmt, name);
    words[nb_words++] = strdup(buf);
}

/* Built once from the option table, so that no option is left out. */
static void build_words(void)
{
    if (nb_words)
        return;
    for (int i = 0; i < cli_nb_options; i++) {
        const CliOption *c = &cli_options[i];
        if (c->name)
            add_word("--%s", c->name);
        if (c->short_name)
            add_word("-%s", (char[]){ (char)c->short_name, 0 });
        if (c->ffmpeg)
            add_word("-%s", c->ffmpeg);
        if (c->name && (c->flags & CLI_FFMPEG))
            add_word("-%s", c->name);
    }
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        words[nb_words++] = values[i];
}

#ifdef FUZZ_CLI_LIST_WORDS
/* tests/tool/test_fuzz_cli_words.sh: the words, one a line. */
int main(void)
{
    build_words();
    for (int i = 0; i < nb_words; i++)
        puts(words[i]);
    return 0;
}
#endif

static int is_word_byte(unsigned char b)
{
    return (b && b < 0x20) || b >= 0x80;
}

/* glibc getopt keeps a pointer into the previous argv between calls;
 * optind = 0 makes the next call start afresh. */
static void reset_getopt(void)
{
    static char arg0[] = "x";
    char *argv[] = { arg0, NULL };

    optind = 0;
    getopt_long(1, argv, "", NULL, NULL);
}

static int in_range(double v, double lo, double hi)
{
    return v >= lo && v <= hi;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static CliOptions o;
    char *buf = malloc(size + 1), *argv[MAX_ARGS + 2];
    int argc = 0, ret;
    size_t start = 0;

    build_words();
    memcpy(buf, data, size);
    buf[size] = 0;
    argv[argc++] = "dialogueduck";
    for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
        if (buf[i])
            continue;
        if (i - start == 1 && is_word_byte(buf[start]))
            argv[argc++] = (char *)words[(unsigned char)buf[start] %
                                         nb_words];
        else
            argv[argc++] = buf + start;
        start = i + 1;
    }
    argv[argc] = NULL;

    reset_getopt();
    ret = cli_parse(&o, argc, argv);
    REQUIRE(ret == -1 || (ret >= EXIT_OK && ret <= EXIT_INTERNAL));
    if (ret == -1) {
        int dialogue = 0, music = 0;

        REQUIRE(o.nb_stems >= 2 && o.nb_stems <= CLI_MAX_STEMS);
        REQUIRE(o.nb_inputs >= 0 && o.nb_inputs <= CLI_MAX_INPUTS);
        for (int i = 0; i < o.nb_stems; i++) {
            const CliStem *s = &o.stems[i];
            /* an empty path, from -d '' or -i '', is a usage error
             * (tests/tool/test_regress_cli.sh) */
            REQUIRE(s->path && *s->path);
            REQUIRE(s->input_index >= -1 && s->input_index < o.nb_inputs);
            REQUIRE(s->input_index < 0 || s->path == o.inputs[s->input_index]);
            REQUIRE(!s->spec || *s->spec);
            dialogue += s->role == STEM_DIALOGUE;
            music += s->role == STEM_MUSIC;
        }
        REQUIRE(dialogue >= 1 && music >= 1);
        REQUIRE(o.output || o.music_out || o.keyframes || o.report || o.plot);
        REQUIRE(dd_params_check(&o.params) == DD_OK);
        REQUIRE(isnan(o.target_lufs) || in_range(o.target_lufs, -70, 0));
        REQUIRE(isfinite(o.true_peak));
        REQUIRE(o.threads >= 0 && o.threads <= 64);
        REQUIRE(o.bitrate >= 0);
    }
    free(buf);
    return 0;
}
