/*
 * dialogueduck: duck music stems under dialogue, mix, normalize loudness,
 * remux.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "atomic_file.h"
#include "batch.h"
#include "cli.h"
#include "clock.h"
#include "export.h"
#include "hms.h"
#include "keyframes_io.h"
#include "output.h"
#include "pipe_name.h"
#include "pipeline.h"
#include "report.h"
#include "spool.h"

#define ERR_LEN 1024

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!strcmp(a, b))
        return 1;
    return !stat(a, &sa) && !stat(b, &sb) &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The directory an output goes to exists and takes new files. */
static int dir_writable(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        return !access(".", W_OK | X_OK);
    if (slash == path)
        return !access("/", W_OK | X_OK);
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    return !access(dir, W_OK | X_OK);
}

/*
 * Outputs are checked before any work: the directory must take new files,
 * an existing file needs -y, a file that is also an input is never
 * overwritten, and no two outputs share a name.
 */
static int check_outputs(const CliOptions *o)
{
    const char *outs[] = { o->output, o->music_out, o->report, o->keyframes,
                           o->plot };
    const int nb_outs = sizeof(outs) / sizeof(outs[0]);
    struct stat st;

    char err[ERR_LEN];

    if (output_check_destination(o->output ? o->output : "", o->format, err,
                                 sizeof(err)) < 0) {
        fprintf(stderr, "dialogueduck: %s\n", err);
        return EXIT_USAGE;
    }
    /* -c:a: an encoder the container takes */
    if ((o->output &&
         output_check_codec(o->output, o->format, o->codec, err,
                            sizeof(err)) < 0) ||
        (o->music_out &&
         output_check_codec(o->music_out, NULL, music_out_codec(o), err,
                            sizeof(err)) < 0)) {
        fprintf(stderr, "dialogueduck: %s\n", err);
        return EXIT_USAGE;
    }
    for (int i = 0; i < nb_outs; i++) {
        const char *out = outs[i];
        if (!out)
            continue;
        if (out == o->output && pipe_name_fd(out, 1) >= 0)
            continue; /* streamed: nothing on disk to check */
        if (out == o->music_out && pipe_name_fd(out, 1) >= 0) {
            fprintf(stderr, "dialogueduck: --music-out %s: only -o can be a "
                    "pipe\n", out);
            return EXIT_USAGE;
        }
        for (int j = 0; j < o->nb_inputs; j++)
            if (same_file(out, o->inputs[j]))
                goto is_input;
        for (int j = 0; j < o->nb_stems; j++)
            if (same_file(out, o->stems[j].path))
                goto is_input;
        if (o->apply_keyframes && same_file(out, o->apply_keyframes))
            goto is_input;
        for (int j = 0; j < i; j++)
            if (outs[j] && same_file(out, outs[j])) {
                fprintf(stderr, "dialogueduck: %s: given for two outputs\n",
                        out);
                return EXIT_USAGE;
            }
        if (!dir_writable(out)) {
            fprintf(stderr, "dialogueduck: %s: cannot write there: %s\n", out,
                    strerror(errno));
            return EXIT_OUTPUT;
        }
        if (!stat(out, &st)) {
            if (S_ISDIR(st.st_mode)) {
                fprintf(stderr, "dialogueduck: %s: is a directory\n", out);
                return EXIT_OUTPUT;
            }
            /* the finished file is renamed into place: that would replace
             * a device or a pipe, not write into it */
            if (!S_ISREG(st.st_mode)) {
                fprintf(stderr, "dialogueduck: %s: not a regular file; "
                        "refusing to replace it\n", out);
                return EXIT_OUTPUT;
            }
            if (!o->overwrite) {
                fprintf(stderr, "dialogueduck: %s: already exists (use -y to "
                        "overwrite)\n", out);
                return EXIT_OUTPUT;
            }
        }
        continue;
is_input:
        fprintf(stderr, "dialogueduck: %s: is also an input; refusing to "
                "overwrite it\n", out);
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    CliOptions opt;
    Spool spool = { 0 };
    Pipeline p;
    char err[ERR_LEN] = "", hms[HMS_LEN];
    double t0 = clock_seconds();
    int ret;

    if (argc > 1 && !strcmp(argv[1], "batch"))
        return batch_main(argc - 1, argv + 1);

    av_log_set_level(AV_LOG_QUIET);
    if ((ret = cli_parse(&opt, argc, argv)) >= 0)
        return ret;
    av_log_set_level(opt.av_log_level);
    if ((ret = check_outputs(&opt)) != EXIT_OK)
        return ret;
    if (opt.keyframes &&
        kf_format_from_name(opt.keyframes, opt.keyframes_format) < 0) {
        fprintf(stderr, "dialogueduck: %s: unknown keyframe format '%s' "
                "(json, csv, cmd, xml, fcpxml, txt)\n", opt.keyframes,
                opt.keyframes_format ? opt.keyframes_format : "");
        return EXIT_USAGE;
    }

    atomic_install_signal_handlers();
    /* A full disk, a file size limit or a closed pipe is a write error to
     * report and clean up after, not a reason to die. */
    signal(SIGXFSZ, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    if ((ret = spool_inputs(&spool, &opt, err, sizeof(err))) != EXIT_OK) {
        fprintf(stderr, "dialogueduck: %s\n", err);
        spool_free(&spool);
        return ret;
    }
    ret = pipeline_run(&p, &opt, err, sizeof(err));
    if (ret == EXIT_OK)
        ret = export_write(&p, err, sizeof(err));
    if (ret == EXIT_OK && opt.report &&
        report_write(opt.report, &p, clock_seconds() - t0, err, sizeof(err)) < 0)
        ret = EXIT_OUTPUT;
    if (ret != EXIT_OK)
        fprintf(stderr, "dialogueduck: %s\n", err[0] ? err : "failed");
    else if (opt.verbosity >= VERB_INFO && opt.output)
        fprintf(stderr, "dialogueduck: %s: %s, %zu duck regions, "
                "gain %+.2f dB%s\n", opt.output,
                hms_format(hms, sizeof(hms),
                           (double)pipeline_samples(&p) / p.session.work_rate),
                p.analysis.nb_regions, p.norm.gain_db,
                p.norm.limiter_used ? ", true-peak limited" : "");
    pipeline_free(&p);
    spool_free(&spool);
    return ret;
}
