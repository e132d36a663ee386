/*
 * Fuzz target: the batch manifest reader (tool/batch/batch_manifest.h), CSV
 * and JSON Lines, on arbitrary bytes, and the commands built from what it
 * accepts under --output-dir. The first byte picks the format. Contracts:
 * a parse fails with a message naming a line, or gives jobs whose fields
 * all have a key and values; a command built under --output-dir "out"
 * writes its output, its report and every extra output inside out/ (no
 * absolute path, no .. component), or is refused naming the line.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_job.h"
#include "batch_manifest.h"

#define REQUIRE(cond) do {                                                  \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz_manifest: contract broken: %s (%s:%d)\n", \
                    #cond, __FILE__, __LINE__);                             \
            abort();                                                        \
        }                                                                   \
    } while (0)

static int inside_out(const char *path)
{
    if (strncmp(path, "out/", 4))
        return 0;
    for (const char *p = path; (p = strstr(p, "..")); p += 2)
        if (p[-1] == '/' && (!p[2] || p[2] == '/'))
            return 0;
    return 1;
}

static void check_command(const BatchJob *job)
{
    static const char *const writes[] = {
        "--report", "-o", "--music-out", "--keyframes", "--plot",
    };
    BatchDefaults d = { .output_dir = "out" };
    BatchCommand c;
    char err[512] = "";

    if (batch_command_build(&c, job, &d, err, sizeof(err)) < 0) {
        REQUIRE(strstr(err, "line ") || strstr(err, "out of memory"));
        return;
    }
    REQUIRE(c.output && c.report && inside_out(c.output) &&
            inside_out(c.report));
    for (int i = 1; i + 1 < c.argc; i++)
        for (size_t k = 0; k < sizeof(writes) / sizeof(writes[0]); k++)
            if (!strcmp(c.argv[i], writes[k]))
                REQUIRE(inside_out(c.argv[i + 1]));
    batch_command_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    BatchManifest m = { 0 };
    char err[512] = "";
    char *text;
    int ret;

    if (!size)
        return 0;
    /* exact-size copy: ASan flags any read past the end of the text */
    text = malloc(size - 1 ? size - 1 : 1);
    memcpy(text, data + 1, size - 1);
    ret = data[0] & 1 ?
          batch_manifest_parse_jsonl(&m, text, size - 1, err, sizeof(err)) :
          batch_manifest_parse_csv(&m, text, size - 1, err, sizeof(err));
    if (ret < 0) {
        REQUIRE(strstr(err, "line ") || strstr(err, "memory") || err[0]);
    } else {
        for (int j = 0; j < m.nb_jobs; j++) {
            const BatchJob *job = &m.jobs[j];
            REQUIRE(job->index == j && job->line >= 1);
            for (int f = 0; f < job->nb_fields; f++) {
                REQUIRE(job->fields[f].key && job->fields[f].nb_values >= 1);
                for (int v = 0; v < job->fields[f].nb_values; v++)
                    REQUIRE(job->fields[f].values[v]);
            }
            check_command(job);
        }
    }
    batch_manifest_free(&m);
    free(text);
    return 0;
}
