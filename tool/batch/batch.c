/*
 * `dialogueduck batch MANIFEST`: many jobs from a CSV or JSON Lines
 * manifest, run by local workers, one by index (array jobs), or submitted
 * to Slurm as an array.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "batch_job.h"
#include "batch_manifest.h"
#include "batch_pool.h"
#include "batch_slurm.h"
#include "batch_summary.h"
#include "batch_uptodate.h"
#include "cli.h"
#include "clock.h"

/* Exit codes of batch mode. A bad option or manifest is a usage error as
 * for a single run; a single job (--task) exits with the job's own code,
 * so an array task's state says what went wrong. */
#define BATCH_EXIT_OK     EXIT_OK
#define BATCH_EXIT_USAGE  EXIT_USAGE  /* bad option or manifest: nothing run */
#define BATCH_EXIT_FAILED 5           /* one or more of several jobs failed */

/* Environment variables --task env reads, first set wins. */
static const char *const task_env_vars[] = {
    "SLURM_ARRAY_TASK_ID",        /* Slurm --array */
    "JOB_COMPLETION_INDEX",       /* Kubernetes Indexed Job */
    "AWS_BATCH_JOB_ARRAY_INDEX",  /* AWS Batch array job */
};

typedef struct BatchOpts {
    const char *manifest;
    int workers;              /* 0: number of online cores */
    const char *task;         /* NULL: all jobs */
    int force;
    int dry_run;
    int slurm;
    const char *summary;
    const char *output_dir;
    BatchDefaults defaults;
    char **task_args;         /* arguments repeated in each Slurm task */
    int nb_task_args;
    char **sbatch_args;
    int nb_sbatch_args;
} BatchOpts;

typedef struct BatchRun {
    BatchCommand *cmds;
    BatchJobResult *results;  /* indexed by job */
    int first, last;          /* the jobs this run accounts for */
    int task;                 /* --task's job, or -1 */
    int *to_run;              /* the jobs that are not up to date */
    int nb_to_run;
    int nb_selected;          /* jobs handed to the workers */
    int finished;
    int start_failed;         /* the workers could not be started */
} BatchRun;

static void usage(FILE *fp)
{
    fputs(
"Usage: dialogueduck batch MANIFEST [batch options] [program options]\n"
"\n"
"Runs one dialogueduck job per manifest record. MANIFEST is CSV with a header\n"
"row, JSON Lines (one object per line) or a JSON array of objects.\n"
"Columns/keys: input, dialogue, music, effects (stems; several files in one\n"
"cell separated by ';', or a JSON array),\n"
"output (required), report (default OUTPUT" BATCH_REPORT_SUFFIX "), and any program\n"
"option by its long name (depth, below, loudness, spectral, ...). Keys starting\n"
"with x- are notes and are ignored. Program options given here are defaults for\n"
"every job; a manifest value overrides them.\n"
"\n"
"A job is skipped when its output and report exist and the report records the\n"
"same command and inputs of the same size and modification time.\n"
"\n"
"Batch options:\n"
"  -j, --jobs N          run N jobs at once (default: number of cores); with\n"
"                        --slurm, at most N array tasks at once (default: all)\n"
"  --task N              run job N alone; jobs count from 0 (the first record\n"
"                        after the CSV header is 0)\n"
"  --task env            take N from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX\n"
"                        or AWS_BATCH_JOB_ARRAY_INDEX (first one set)\n"
"  --task env:VAR        take N from the environment variable VAR\n"
"  --force               run jobs even when they are up to date\n"
"  --output-dir DIR      put relative output and report paths under DIR;\n"
"                        absolute paths and .. in the manifest are refused\n"
"  --allow-any-path      accept them (with --output-dir)\n"
"  --summary FILE.json   write the run's summary as JSON\n"
"  --dry-run             print what would run (with --slurm: the job script)\n"
"                        and the summary of what is up to date\n"
"  --slurm [OPTS] [--]   submit the manifest to Slurm as an array job; the\n"
"                        arguments after --slurm, up to '--', go to sbatch\n"
"                        (except --dry-run); sbatch prints the job id\n"
"  -h, --help            this help\n"
"\n"
"Exit status: 0 every job done or up to date; 1 bad option or manifest\n"
"(nothing run); 5 one or more jobs failed (with --task: the job's own exit\n"
"status) or sbatch failed; 128+N stopped by signal N (run again to finish).\n", fp);
}

static int die_usage(const char *fmt, const char *arg)
{
    fputs("batch: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see dialogueduck batch --help)\n", stderr);
    return BATCH_EXIT_USAGE;
}

static int push_arg(char ***list, int *n, const char *s)
{
    char **l = realloc(*list, (*n + 1) * sizeof(*l));
    if (!l)
        return -1;
    *list = l;
    l[(*n)++] = (char *)s;
    return 0;
}

static int parse_int(const char *s, int *v)
{
    char *end;
    long n;
    errno = 0;
    n = strtol(s, &end, 10);
    if (!*s || *end || errno || n < 0 || n > INT_MAX)
        return -1;
    *v = (int)n;
    return 0;
}

/* A program option given as a default: --name VALUE, --name=VALUE or a
 * flag. Returns the number of argv entries used, or -1. */
static int parse_default(BatchOpts *o, char **argv, int argc, int i)
{
    const CliOption *opt;
    const char *arg = argv[i];
    const char *name = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    char key[128];
    size_t n = eq ? (size_t)(eq - name) : strlen(name);

    if (!n || n >= sizeof(key) || (arg[1] != '-' && n != 1)) {
        die_usage("unknown option %s", arg);
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        key[k] = name[k] == '_' ? '-' : name[k];
    key[n] = 0;
    if ((opt = cli_option_find(key)) && (opt->flags & CLI_PER_JOB)) {
        die_usage("%s is per job: give it in the manifest", arg);
        return -1;
    }
    if (eq) {
        if (batch_defaults_add(&o->defaults, key, eq + 1) < 0)
            return -1;
    } else if (batch_is_flag_option(key)) {
        if (batch_defaults_add(&o->defaults, key, NULL) < 0)
            return -1;
    } else {
        if (i + 1 >= argc) {
            die_usage("%s needs a value", arg);
            return -1;
        }
        if (batch_defaults_add(&o->defaults, key, argv[i + 1]) < 0)
            return -1;
        return 2;
    }
    return 1;
}

static int parse_args(BatchOpts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int n;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            if (++i >= argc || parse_int(argv[i], &o->workers) < 0 || !o->workers)
                return die_usage("%s needs a number of jobs >= 1", a);
        } else if (!strncmp(a, "-j", 2) && a[2]) {
            if (parse_int(a + 2, &o->workers) < 0 || !o->workers)
                return die_usage("bad job count in %s", a);
        } else if (!strcmp(a, "--task")) {
            if (++i >= argc)
                return die_usage("%s needs N, env or env:VAR", a);
            o->task = argv[i];
        } else if (!strcmp(a, "--force")) {
            o->force = 1;
        } else if (!strcmp(a, "--allow-any-path")) {
            o->defaults.allow_any_path = 1;
        } else if (!strcmp(a, "--dry-run")) {
            o->dry_run = 1;
        } else if (!strcmp(a, "--summary") || !strcmp(a, "--output-dir")) {
            if (++i >= argc)
                return die_usage("%s needs a file name", a);
            *(a[2] == 's' ? &o->summary : &o->output_dir) = argv[i];
        } else if (!strcmp(a, "--slurm")) {
            o->slurm = 1;
            for (i++; i < argc && strcmp(argv[i], "--"); i++) {
                if (!strcmp(argv[i], "--dry-run"))
                    o->dry_run = 1; /* ours, not sbatch's */
                else if (push_arg(&o->sbatch_args, &o->nb_sbatch_args, argv[i]) < 0)
                    return BATCH_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            if ((n = parse_default(o, argv, argc, i)) < 0)
                return BATCH_EXIT_USAGE;
            /* Program options travel to each Slurm task as given. */
            for (int k = 0; k < n; k++)
                if (push_arg(&o->task_args, &o->nb_task_args, argv[i + k]) < 0)
                    return BATCH_EXIT_USAGE;
            i += n - 1;
        } else if (!o->manifest) {
            o->manifest = a;
        } else {
            return die_usage("unexpected argument %s (one manifest per run)", a);
        }
    }
    if (!o->manifest)
        return die_usage("%s", "no manifest given");
    if (o->slurm && o->task)
        return die_usage("%s", "--slurm submits every job; --task is for one task");
    return 0;
}

/* The job index for --task: a number or the scheduler's environment. */
static int resolve_task(const char *spec, int *index)
{
    const char *var = NULL, *val = NULL;
    if (!strcmp(spec, "env")) {
        for (size_t i = 0; i < sizeof(task_env_vars) / sizeof(task_env_vars[0]); i++)
            if ((val = getenv(var = task_env_vars[i])))
                break;
        if (!val) {
            fprintf(stderr, "batch: --task env: none of SLURM_ARRAY_TASK_ID, "
                    "JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set\n");
            return -1;
        }
    } else if (!strncmp(spec, "env:", 4)) {
        if (!(val = getenv(var = spec + 4))) {
            fprintf(stderr, "batch: --task %s: %s is not set\n", spec, var);
            return -1;
        }
    } else {
        val = spec;
    }
    if (parse_int(val, index) < 0) {
        fprintf(stderr, "batch: --task: '%s'%s%s is not a job number\n",
                val, var ? " from " : "", var ? var : "");
        return -1;
    }
    return 0;
}

/* mkdir -p of the directory holding path. */
static int make_parent_dirs(const char *path)
{
    char *dir = strdup(path), *slash;
    int ret = 0;
    if (!dir)
        return -1;
    if ((slash = strrchr(dir, '/')) && slash != dir) {
        *slash = 0;
        for (char *p = dir + 1; ; p++) {
            if (*p == '/' || !*p) {
                char c = *p;
                *p = 0;
                if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
                    ret = -1;
                    break;
                }
                if (!(*p = c))
                    break;
            }
        }
    }
    free(dir);
    return ret;
}

/* The last non-empty line of a job's log: usually its error message. */
static void last_line(const char *log, size_t len, char *out, size_t size)
{
    size_t e = len, s;
    while (e > 0 && (log[e - 1] == '\n' || log[e - 1] == '\r'))
        e--;
    s = e;
    while (s > 0 && log[s - 1] != '\n')
        s--;
    snprintf(out, size, "%.*s", (int)(e - s), log + s);
}

static void print_command(FILE *fp, char *const *argv)
{
    for (int i = 0; argv[i]; i++)
        fprintf(fp, "%s%s", i ? " " : "", argv[i]);
    fputc('\n', fp);
}

static void on_job_done(void *opaque, int job, const BatchResult *r,
                        const char *log, size_t loglen)
{
    BatchRun *run = opaque;
    BatchJobResult *res = &run->results[job];
    const char *p = log;

    res->exit_code = r->status;
    res->seconds = r->seconds;
    res->cpu_seconds = r->cpu_seconds;
    res->max_rss_kib = r->max_rss_kib;
    res->state = r->status == 0 ? BATCH_DONE :
                 r->interrupted ? BATCH_INTERRUPTED : BATCH_FAILED;
    if (res->state == BATCH_DONE)
        res->audio_seconds = batch_report_duration(run->cmds[job].report);
    else
        last_line(log, loglen, res->reason, sizeof(res->reason));
    run->finished++;

    /* The job's own messages, each line marked with the job. */
    while (loglen && *p) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        fprintf(stderr, "[job %d] %.*s\n", job, n, p);
        if (!nl)
            break;
        p = nl + 1;
    }
    if (res->state == BATCH_DONE)
        fprintf(stderr, "batch: [%d/%d] job %d %s: done in %.2f s",
                run->finished, run->nb_selected, job, res->output, r->seconds);
    else
        fprintf(stderr, "batch: [%d/%d] job %d %s: %s (exit %d) after %.2f s",
                run->finished, run->nb_selected, job, res->output,
                res->state == BATCH_FAILED ? "FAILED" : "interrupted",
                r->status, r->seconds);
    if (res->state == BATCH_DONE && res->audio_seconds > 0 && r->seconds > 0)
        fprintf(stderr, " (%.1fx realtime)", res->audio_seconds / r->seconds);
    fputc('\n', stderr);
}

/* Absolute path of this program, for the Slurm job script. */
static char *self_path(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    const char *deleted = " (deleted)";
    if (n <= 0)
        return NULL;
    buf[n] = 0;
    if ((size_t)n > strlen(deleted) && !strcmp(buf + n - strlen(deleted), deleted))
        buf[n - strlen(deleted)] = 0;
    return strdup(buf);
}

static int run_slurm(BatchOpts *o, int nb_jobs)
{
    char cwd[PATH_MAX], *exe = self_path(), *manifest = realpath(o->manifest, NULL);
    char *outdir = NULL;
    BatchSlurm s = { 0 };
    int ret = BATCH_EXIT_USAGE;

    if (!exe || !manifest || !getcwd(cwd, sizeof(cwd))) {
        fprintf(stderr, "batch: cannot resolve the program, manifest or working directory\n");
        goto end;
    }
    /* Each task gets the batch options that concern one job. */
    if (o->output_dir) {
        if (make_parent_dirs(o->output_dir) < 0 ||
            (mkdir(o->output_dir, 0777) < 0 && errno != EEXIST) ||
            !(outdir = realpath(o->output_dir, NULL))) {
            fprintf(stderr, "batch: %s: %s\n", o->output_dir, strerror(errno));
            goto end;
        }
        if (push_arg(&o->task_args, &o->nb_task_args, "--output-dir") < 0 ||
            push_arg(&o->task_args, &o->nb_task_args, outdir) < 0)
            goto end;
    }
    if (o->force && push_arg(&o->task_args, &o->nb_task_args, "--force") < 0)
        goto end;
    if (o->defaults.allow_any_path &&
        push_arg(&o->task_args, &o->nb_task_args, "--allow-any-path") < 0)
        goto end;
    s.exe = exe;
    s.manifest = manifest;
    s.workdir = cwd;
    s.task_args = o->task_args;
    s.nb_task_args = o->nb_task_args;
    s.sbatch_args = o->sbatch_args;
    s.nb_sbatch_args = o->nb_sbatch_args;
    s.nb_jobs = nb_jobs;
    s.limit = o->workers ? o->workers : nb_jobs;
    if (o->dry_run) {
        ret = batch_slurm_write_script(stdout, &s) < 0 ? BATCH_EXIT_FAILED : 0;
    } else {
        ret = batch_slurm_submit(&s);
        if (ret)
            fprintf(stderr, "batch: sbatch failed (exit %d)\n", ret);
        ret = ret ? BATCH_EXIT_FAILED : 0;
    }
end:
    free(exe);
    free(manifest);
    free(outdir);
    return ret;
}

typedef struct PathRef {
    char *path;         /* absolute, lexically normalized */
    int job;
    int reads;          /* 1: an input of the job, 0: a file it writes */
} PathRef;

/* cwd/path with "//", "." and ".." resolved on the text alone, so that
 * "a.wav", "./a.wav" and "x/../a.wav" compare equal. */
static char *normalize_path(const char *path, const char *cwd)
{
    size_t n = strlen(cwd) + strlen(path) + 3, len = 0;
    char *src = malloc(n), *dst = malloc(n), *tok, *save = NULL;

    if (!src || !dst) {
        free(src);
        free(dst);
        return NULL;
    }
    snprintf(src, n, "%s/%s", path[0] == '/' ? "" : cwd, path);
    dst[0] = '\0';
    for (tok = strtok_r(src, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..")) {
            while (len > 0 && dst[--len] != '/')
                ;
            dst[len] = '\0';
            continue;
        }
        len += snprintf(dst + len, n - len, "/%s", tok);
    }
    if (!len)
        strcpy(dst, "/");
    free(src);
    return dst;
}

static int cmp_path_ref(const void *a, const void *b)
{
    const PathRef *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : x->job - y->job;
}

/* Every file a command reads (stems) and writes (-o, --report and the
 * extra outputs). Returns the number added, or -1. */
static int command_paths(const BatchCommand *c, int job, const char *cwd,
                         PathRef *refs)
{
    static const char *const writes[] = {
        "-o", "--report", "--music-out", "--keyframes", "--plot",
    };
    static const char *const reads[] = { "-i", "-d", "-m", "-e" };
    int n = 0;

    for (int i = 1; i + 1 < c->argc; i++) {
        int w = 0, r = 0;
        for (size_t k = 0; k < sizeof(writes) / sizeof(writes[0]); k++)
            w |= !strcmp(c->argv[i], writes[k]);
        for (size_t k = 0; k < sizeof(reads) / sizeof(reads[0]); k++)
            r |= !strcmp(c->argv[i], reads[k]);
        if (!w && !r)
            continue;
        if (!(refs[n].path = normalize_path(c->argv[++i], cwd)))
            return -1;
        refs[n].job = job;
        refs[n++].reads = r;
    }
    return n;
}

/* Two references to one file that cannot both stand: two jobs writing it,
 * or a job writing what a job reads. */
static int paths_clash(const BatchManifest *m, const PathRef *a,
                       const PathRef *b)
{
    if (a->reads && b->reads)
        return 0;
    if (!a->reads && !b->reads) {
        if (a->job == b->job)
            return 0;   /* the program itself refuses this one */
        fprintf(stderr, "batch: lines %d and %d write the same file %s\n",
                m->jobs[a->job].line, m->jobs[b->job].line, a->path);
    } else {
        const PathRef *w = a->reads ? b : a, *r = a->reads ? a : b;
        fprintf(stderr, "batch: line %d writes %s, which line %d reads\n",
                m->jobs[w->job].line, w->path, m->jobs[r->job].line);
    }
    return 1;
}

/* Every clash is refused before anything runs. Sorted, so that a manifest
 * of many thousand lines is checked at once. */
static int check_unique_outputs(const BatchManifest *m, const BatchCommand *cmds)
{
    size_t cap = 0, nb = 0;
    PathRef *refs;
    char cwd[PATH_MAX];
    int ret = 0;

    if (!getcwd(cwd, sizeof(cwd)))
        return -1;
    for (int i = 0; i < m->nb_jobs; i++)
        cap += (size_t)cmds[i].argc / 2 + 1;
    if (!(refs = calloc(cap, sizeof(*refs))))
        return -1;
    for (int i = 0; i < m->nb_jobs && ret >= 0; i++) {
        int n = command_paths(&cmds[i], i, cwd, refs + nb);
        if (n < 0)
            ret = -1;
        else
            nb += n;
    }
    if (ret >= 0)
        qsort(refs, nb, sizeof(*refs), cmp_path_ref);
    /* per run of one path: its first writer against every other reference
     * (linear even when thousands of jobs read one music file) */
    for (size_t i = 0, end; ret >= 0 && i < nb; i = end) {
        size_t w = nb;
        for (end = i; end < nb && !strcmp(refs[i].path, refs[end].path); end++)
            if (w == nb && !refs[end].reads)
                w = end;
        for (size_t k = i; w < nb && k < end; k++)
            if (k != w && paths_clash(m, &refs[w], &refs[k])) {
                ret = -1;
                break;
            }
    }
    for (size_t i = 0; i < nb; i++)
        free(refs[i].path);
    free(refs);
    return ret;
}

/* The manifest's commands, every line checked before anything runs. */
static int load_jobs(const BatchOpts *o, BatchManifest *m, BatchRun *run)
{
    char err[1024];

    if (batch_manifest_load(m, o->manifest, err, sizeof(err)) < 0) {
        fprintf(stderr, "batch: %s\n", err);
        return -1;
    }
    if (!(run->cmds = calloc(m->nb_jobs, sizeof(*run->cmds))) ||
        !(run->results = calloc(m->nb_jobs, sizeof(*run->results))) ||
        !(run->to_run = calloc(m->nb_jobs, sizeof(*run->to_run))))
        return -1;
    for (int i = 0; i < m->nb_jobs; i++)
        if (batch_command_build(&run->cmds[i], &m->jobs[i], &o->defaults,
                                err, sizeof(err)) < 0) {
            fprintf(stderr, "batch: %s: %s\n", o->manifest, err);
            return -1;
        }
    return check_unique_outputs(m, run->cmds);
}

/* The jobs this run accounts for: all, or the one --task names. */
static int select_range(const BatchOpts *o, const BatchManifest *m,
                        BatchRun *run)
{
    run->first = 0;
    run->last = m->nb_jobs - 1;
    if (!o->task)
        return 0;
    if (resolve_task(o->task, &run->task) < 0)
        return -1;
    if (run->task >= m->nb_jobs) {
        fprintf(stderr, "batch: --task %d: %s has jobs 0 to %d\n",
                run->task, o->manifest, m->nb_jobs - 1);
        return -1;
    }
    run->first = run->last = run->task;
    return 0;
}

/* Up to date, or to run (a dry run prints its command instead). */
static void select_jobs(const BatchOpts *o, const BatchManifest *m,
                        BatchRun *run)
{
    for (int i = run->first; i <= run->last; i++) {
        BatchJobResult *r = &run->results[i];
        char why[256] = "";
        r->job = i;
        r->line = m->jobs[i].line;
        r->output = run->cmds[i].output;
        r->audio_seconds = -1;
        if (!o->force && batch_up_to_date(&run->cmds[i], &r->audio_seconds,
                                          why, sizeof(why))) {
            r->state = BATCH_SKIPPED;
            snprintf(r->reason, sizeof(r->reason), "up to date");
            fprintf(stderr, "batch: job %d %s: up to date, skipped\n", i, r->output);
        } else {
            snprintf(r->reason, sizeof(r->reason), "%s",
                     o->force ? "forced" : why);
            if (o->dry_run) {
                fprintf(stdout, "# job %d (line %d): %s\n", i, r->line, r->reason);
                print_command(stdout, run->cmds[i].argv);
            }
            run->to_run[run->nb_to_run++] = i;
        }
    }
}

static void make_output_dirs(const BatchRun *run)
{
    for (int k = 0; k < run->nb_to_run; k++) {
        const BatchCommand *c = &run->cmds[run->to_run[k]];
        if (make_parent_dirs(c->output) < 0 || make_parent_dirs(c->report) < 0) {
            /* Not fatal here: the job reports the error for its file. */
            fprintf(stderr, "batch: cannot create the directory of %s: %s\n",
                    c->output, strerror(errno));
        }
    }
}

/* The selected jobs on the local workers. Returns the signal that stopped
 * the run (0: none), or -1 if the run could not be set up. */
static int run_jobs(const BatchOpts *o, const BatchManifest *m, BatchRun *run)
{
    char ***argvs = calloc(m->nb_jobs, sizeof(*argvs));
    int stop;

    if (!argvs)
        return -1;
    for (int i = 0; i < m->nb_jobs; i++)
        argvs[i] = run->cmds[i].argv;
    run->nb_selected = run->nb_to_run;
    /* /proc/self/exe: the very binary running now, even if the file
     * on disk is replaced during a long run. */
    stop = run->nb_to_run ?
        batch_pool_run("/proc/self/exe", (char **const *)argvs, run->to_run,
                       run->nb_to_run, o->workers, on_job_done, run) : 0;
    free(argvs);
    if (stop < 0) {
        stop = 0;
        run->start_failed = 1;
    }
    return stop;
}

/* The summary (stderr, --summary) and the exit status of the run. A dry
 * run still gives it: after an array job, it is the account of the whole
 * manifest (done jobs show as up to date). */
static int finish(const BatchOpts *o, const BatchManifest *m,
                  BatchRun *run, int stop, double t0)
{
    BatchSummary sum = { 0 };
    BatchTotals t;
    int ret;

    sum.signal = stop;
    sum.manifest = o->manifest;
    sum.nb_manifest_jobs = m->nb_jobs;
    sum.workers = o->workers < run->nb_to_run ? o->workers :
                  (run->nb_to_run ? run->nb_to_run : 1);
    sum.wall_seconds = clock_seconds() - t0;
    sum.results = run->results + run->first;
    sum.nb_results = run->last - run->first + 1;
    batch_summary_print(&sum, stderr);
    if (o->summary) {
        int e = batch_summary_write(&sum, o->summary);
        if (e < 0)
            fprintf(stderr, "batch: %s: %s\n", o->summary, strerror(-e));
    }
    batch_summary_totals(&sum, &t);
    ret = sum.signal ? 128 + sum.signal :
          t.failed || run->start_failed ? BATCH_EXIT_FAILED : BATCH_EXIT_OK;
    if (o->dry_run)
        fprintf(stderr, "batch: dry run: %d to run\n", t.pending);
    if (run->task >= 0 && run->results[run->task].state == BATCH_FAILED)
        ret = run->results[run->task].exit_code;
    return ret;
}

static void free_run(BatchRun *run, int nb_jobs)
{
    if (run->cmds)
        for (int i = 0; i < nb_jobs; i++)
            batch_command_free(&run->cmds[i]);
    free(run->cmds);
    free(run->results);
    free(run->to_run);
}

int batch_main(int argc, char **argv)
{
    BatchOpts o = { 0 };
    BatchManifest m = { 0 };
    BatchRun run = { .task = -1 };
    double t0 = clock_seconds();
    int ret, stop = 0;

    if ((ret = parse_args(&o, argc, argv)))
        goto end;
    o.defaults.output_dir = o.output_dir;
    ret = BATCH_EXIT_USAGE;
    if (load_jobs(&o, &m, &run) < 0)
        goto end;
    if (o.slurm) {
        ret = run_slurm(&o, m.nb_jobs);
        goto end;
    }
    if (select_range(&o, &m, &run) < 0)
        goto end;
    if (!o.workers)
        o.workers = batch_online_cpus();
    select_jobs(&o, &m, &run);
    if (!o.dry_run) {
        make_output_dirs(&run);
        if ((stop = run_jobs(&o, &m, &run)) < 0)
            goto end;
    }
    ret = finish(&o, &m, &run, stop, t0);
end:
    free_run(&run, m.nb_jobs);
    batch_manifest_free(&m);
    batch_defaults_free(&o.defaults);
    free(o.task_args);
    free(o.sbatch_args);
    return ret;
}
