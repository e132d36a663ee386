/*
 * Batch manifests (CSV, JSON Lines), job command lines and the up-to-date
 * check against a report.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_job.h"
#include "batch_manifest.h"
#include "batch_uptodate.h"
#include "check.h"

static int parse_csv(BatchManifest *m, const char *text, char *err, size_t n)
{
    return batch_manifest_parse_csv(m, text, strlen(text), err, n);
}

static int parse_jsonl(BatchManifest *m, const char *text, char *err, size_t n)
{
    return batch_manifest_parse_jsonl(m, text, strlen(text), err, n);
}

/* The command joined with single spaces, for compact comparisons. */
static const char *joined(const BatchCommand *c)
{
    static char buf[2048];
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < c->argc; i++)
        n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", c->argv[i]);
    return buf;
}

static void test_csv(void)
{
    BatchManifest m;
    char err[256] = "";
    const char *csv =
        "dialogue,music,output,Depth,spectral\r\n"
        "a.wav,b.wav;c.wav,out/a.wav,-12,yes\r\n"
        "\r\n"
        "# a comment line\n"
        "\"d, 1.wav\",\"e \"\"x\"\".wav\",out/d.wav,,no\n"
        "\"f\nmultiline.wav\",g.wav,out/f.wav\n";
    int ret = parse_csv(&m, csv, err, sizeof(err));
    CHECK(ret == 0, "parse: %s", err);
    CHECK(m.nb_jobs == 3, "%d jobs", m.nb_jobs);
    if (m.nb_jobs == 3) {
        const BatchField *f = batch_job_field(&m.jobs[0], "music");
        CHECK(f && f->nb_values == 2 && !strcmp(f->values[1], "c.wav"), "split stems");
        CHECK(m.jobs[0].line == 2 && m.jobs[1].line == 5 && m.jobs[2].line == 6,
              "lines %d %d %d", m.jobs[0].line, m.jobs[1].line, m.jobs[2].line);
        CHECK(m.jobs[1].index == 1, "index");
        f = batch_job_field(&m.jobs[1], "dialogue");
        CHECK(f && !strcmp(f->values[0], "d, 1.wav"), "quoted comma");
        f = batch_job_field(&m.jobs[1], "music");
        CHECK(f && !strcmp(f->values[0], "e \"x\".wav"), "escaped quote: %s",
              f ? f->values[0] : "");
        CHECK(!batch_job_field(&m.jobs[1], "depth"), "empty cell left out");
        CHECK(batch_job_field(&m.jobs[0], "depth"), "column names folded to lower case");
        f = batch_job_field(&m.jobs[2], "dialogue");
        CHECK(f && !strcmp(f->values[0], "f\nmultiline.wav"), "newline in quotes");
    }
    batch_manifest_free(&m);

    /* A byte order mark is not part of the first column's name. */
    ret = parse_csv(&m, "\xEF\xBB\xBF" "dialogue,output\nd.wav,o.wav\n", err, sizeof(err));
    CHECK(ret == 0 && m.nb_jobs == 1 && batch_job_field(&m.jobs[0], "dialogue"),
          "BOM: %s", err);
    batch_manifest_free(&m);

    /* Repeated stem columns add stems. */
    ret = parse_csv(&m, "music,music,dialogue,output\nm1,m2,d,o\n", err, sizeof(err));
    CHECK(ret == 0 && m.nb_jobs == 1 &&
          batch_job_field(&m.jobs[0], "music")->nb_values == 2, "repeated column");
    batch_manifest_free(&m);

    /* Errors name the line. */
    ret = parse_csv(&m, "dialogue,output\na,b,c\n", err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "line 2"), "too many cells: %s", err);
    ret = parse_csv(&m, "dialogue,output\n\"a,b\n", err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "unterminated"), "unterminated: %s", err);
    ret = parse_csv(&m, "depth,depth,output\n", err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "twice"), "repeated option column: %s", err);
    ret = parse_csv(&m, "", err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "header"), "empty: %s", err);
}

static void test_jsonl(void)
{
    BatchManifest m;
    char err[256] = "";
    const char *jl =
        "{\"dialogue\": \"a.wav\", \"music\": [\"b.wav\", \"c.wav\"], \"output\": \"o1.wav\","
        " \"depth\": -12.5, \"spectral\": true, \"true_peak\": -2, \"below\": null}\n"
        "\n"
        "{\"input\": \"film.mov\", \"dialogue\": \"0:a:0\", \"output\": \"o2.mov\", \"spectral\": false}\n";
    int ret = parse_jsonl(&m, jl, err, sizeof(err));
    CHECK(ret == 0, "parse: %s", err);
    CHECK(m.nb_jobs == 2, "%d jobs", m.nb_jobs);
    if (m.nb_jobs == 2) {
        const BatchField *f = batch_job_field(&m.jobs[0], "depth");
        CHECK(f && !strcmp(f->values[0], "-12.5"), "number: %s", f ? f->values[0] : "");
        f = batch_job_field(&m.jobs[0], "true-peak");
        CHECK(f && !strcmp(f->values[0], "-2"), "key folding, integer");
        CHECK(!batch_job_field(&m.jobs[0], "below"), "null left out");
        f = batch_job_field(&m.jobs[0], "spectral");
        CHECK(f && f->is_bool, "bool");
        CHECK(m.jobs[1].line == 3, "line %d", m.jobs[1].line);
    }
    batch_manifest_free(&m);

    ret = parse_jsonl(&m, "{\"output\": \"a\"}\n[1]\n", err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "line 2"), "not an object: %s", err);
    ret = parse_jsonl(&m, "{\"output\": {\"x\": 1}}\n", err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "line 1"), "nested object: %s", err);
    ret = parse_jsonl(&m, "{\"output\": \"a\",\n", err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "line 1"), "broken JSON: %s", err);
}

static void test_command(void)
{
    BatchManifest m;
    BatchDefaults d = { 0 };
    BatchCommand c;
    char err[256] = "";
    const char *jl =
        "{\"dialogue\": \"a.wav\", \"music\": [\"b.wav\", \"c.wav\"], \"output\": \"o1.wav\","
        " \"depth\": -12.5, \"spectral\": true, \"x-note\": \"scene 1\"}\n"
        "{\"input\": \"film.mov\", \"dialogue\": \"0:a:0\", \"output\": \"/abs/o2.mov\","
        " \"spectral\": false, \"report\": \"r2.json\"}\n"
        "{\"dialogue\": \"a.wav\"}\n";
    int ret = parse_jsonl(&m, jl, err, sizeof(err));
    CHECK(ret == 0 && m.nb_jobs == 3, "parse: %s", err);
    if (ret < 0)
        return;
    batch_defaults_add(&d, "depth", "-20");
    batch_defaults_add(&d, "loudness", "ebu");
    batch_defaults_add(&d, "spectral", NULL);
    batch_defaults_add(&d, "q", NULL);
    d.output_dir = "farm";

    ret = batch_command_build(&c, &m.jobs[0], &d, err, sizeof(err));
    CHECK(ret == 0, "build: %s", err);
    if (!ret) {
        const char *want = "dialogueduck -d a.wav -m b.wav -m c.wav --depth -12.5 "
                           "--loudness ebu --spectral -q --report farm/o1.wav.report.json "
                           "-o farm/o1.wav -y";
        CHECK(!strcmp(joined(&c), want), "got  %s\nwant %s", joined(&c), want);
        CHECK(!strcmp(c.output, "farm/o1.wav") &&
              !strcmp(c.report, "farm/o1.wav.report.json"), "paths");
        batch_command_free(&c);
    }
    /* an absolute output leaves --output-dir: refused, naming the line */
    ret = batch_command_build(&c, &m.jobs[1], &d, err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "line 2") && strstr(err, "/abs/o2.mov") &&
          strstr(err, "--allow-any-path"), "absolute output: %s", err);
    d.allow_any_path = 1;
    ret = batch_command_build(&c, &m.jobs[1], &d, err, sizeof(err));
    CHECK(ret == 0, "build: %s", err);
    if (!ret) {
        const char *want = "dialogueduck -i film.mov -d 0:a:0 --depth -20 "
                           "--loudness ebu -q --report farm/r2.json -o /abs/o2.mov -y";
        CHECK(!strcmp(joined(&c), want), "got  %s\nwant %s", joined(&c), want);
        batch_command_free(&c);
    }
    d.allow_any_path = 0;
    ret = batch_command_build(&c, &m.jobs[2], &d, err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "line 3") && strstr(err, "output"), "no output: %s", err);
    batch_manifest_free(&m);

    /* CSV yes/no columns. */
    ret = parse_csv(&m, "dialogue,output,spectral\na,o,maybe\n", err, sizeof(err));
    CHECK(ret == 0, "parse");
    ret = batch_command_build(&c, &m.jobs[0], NULL, err, sizeof(err));
    CHECK(ret < 0 && strstr(err, "yes/no"), "bad bool: %s", err);
    batch_manifest_free(&m);
    batch_defaults_free(&d);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static void write_report(const char *path, const BatchCommand *c,
                         const char *input, double mtime, long size)
{
    FILE *fp = fopen(path, "w");
    struct stat st;
    long out_size = stat(c->output, &st) ? -1 : (long)st.st_size;
    if (!fp)
        return;
    fputs("{\"command\": [", fp);
    for (int i = 1; i < c->argc; i++)
        fprintf(fp, "%s\"%s\"", i > 1 ? ", " : "", c->argv[i]);
    fprintf(fp, "], \"inputs\": [{\"path\": \"%s\", \"size\": %ld, \"mtime\": %.9f}],"
            " \"output\": {\"size\": %ld}, \"duration\": 12.5}\n",
            input, size, mtime, out_size);
    fclose(fp);
}

static void test_up_to_date(void)
{
    char dir[] = "/tmp/ddbatchXXXXXX", in[256], out[256], csv[1024], why[256];
    BatchManifest m;
    BatchCommand c;
    struct stat st;
    double dur, mtime;
    int ret;

    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    snprintf(in, sizeof(in), "%s/in.wav", dir);
    snprintf(out, sizeof(out), "%s/out.wav", dir);
    snprintf(csv, sizeof(csv), "dialogue,output\n%s,%s\n", in, out);
    write_file(in, "dialogue");
    ret = parse_csv(&m, csv, why, sizeof(why));
    CHECK(ret == 0 && batch_command_build(&c, &m.jobs[0], NULL, why, sizeof(why)) == 0,
          "build");
    if (ret)
        return;

    CHECK(!batch_up_to_date(&c, &dur, why, sizeof(why)) && strstr(why, "no output"),
          "%s", why);
    write_file(out, "mix");
    CHECK(!batch_up_to_date(&c, &dur, why, sizeof(why)) && strstr(why, "no report"),
          "%s", why);
    stat(in, &st);
    mtime = st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9;
    write_report(c.report, &c, in, mtime, (long)st.st_size);
    CHECK(batch_up_to_date(&c, &dur, why, sizeof(why)) == 1, "up to date: %s", why);
    CHECK(dur == 12.5, "duration %g", dur);
    CHECK(batch_report_duration(c.report) == 12.5, "report duration");

    /* Whole seconds from a coarse clock also match. */
    write_report(c.report, &c, in, (double)st.st_mtim.tv_sec, (long)st.st_size);
    CHECK(batch_up_to_date(&c, &dur, why, sizeof(why)) == 1, "whole seconds: %s", why);

    write_report(c.report, &c, in, mtime - 1, (long)st.st_size);
    CHECK(!batch_up_to_date(&c, &dur, why, sizeof(why)) && strstr(why, "changed"),
          "mtime: %s", why);
    write_report(c.report, &c, in, mtime, (long)st.st_size + 1);
    CHECK(!batch_up_to_date(&c, &dur, why, sizeof(why)) && strstr(why, "changed"),
          "size: %s", why);

    /* An output cut short (a crash before its data was on disk) has not
     * the size the report recorded. */
    write_report(c.report, &c, in, mtime, (long)st.st_size);
    write_file(out, "mi");
    CHECK(!batch_up_to_date(&c, &dur, why, sizeof(why)) && strstr(why, "size"),
          "truncated output: %s", why);
    write_file(out, "mix");

    /* A different command (another option) is not up to date. */
    free(c.argv[c.argc - 1]);
    c.argv[c.argc - 1] = strdup("-q");
    write_report(c.report, &c, in, mtime, (long)st.st_size);
    free(c.argv[c.argc - 1]);
    c.argv[c.argc - 1] = strdup("-y");
    CHECK(!batch_up_to_date(&c, &dur, why, sizeof(why)) && strstr(why, "differ"),
          "command: %s", why);

    write_file(c.report, "{not json");
    CHECK(!batch_up_to_date(&c, &dur, why, sizeof(why)) && strstr(why, "unreadable"),
          "broken report: %s", why);

    unlink(c.report);
    unlink(out);
    unlink(in);
    rmdir(dir);
    batch_command_free(&c);
    batch_manifest_free(&m);
}

int main(void)
{
    test_csv();
    test_jsonl();
    test_command();
    test_up_to_date();
    return check_summary();
}
