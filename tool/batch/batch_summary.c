/*
 * The end of a batch run: totals on stderr and as JSON.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <stdio.h>

#include "atomic_file.h"
#include "batch_summary.h"
#include "json_writer.h"

const char *batch_state_name(BatchState st)
{
    switch (st) {
    case BATCH_DONE:        return "done";
    case BATCH_SKIPPED:     return "skipped";
    case BATCH_FAILED:      return "failed";
    case BATCH_INTERRUPTED: return "interrupted";
    default:                return "not run";
    }
}

void batch_summary_totals(const BatchSummary *s, BatchTotals *t)
{
    *t = (BatchTotals){ 0 };
    for (int i = 0; i < s->nb_results; i++) {
        const BatchJobResult *r = &s->results[i];
        double audio = r->audio_seconds > 0 ? r->audio_seconds : 0;
        switch (r->state) {
        case BATCH_DONE:
            t->done++;
            t->audio_seconds += audio;
            break;
        case BATCH_SKIPPED:
            t->skipped++;
            t->skipped_audio_seconds += audio;
            break;
        case BATCH_FAILED:      t->failed++;      break;
        case BATCH_INTERRUPTED: t->interrupted++; break;
        default:                t->pending++;     break;
        }
        t->job_seconds += r->seconds;
        t->cpu_seconds += r->cpu_seconds;
        if (r->max_rss_kib > t->max_rss_kib)
            t->max_rss_kib = r->max_rss_kib;
    }
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

void batch_summary_print(const BatchSummary *s, FILE *fp)
{
    BatchTotals t;
    batch_summary_totals(s, &t);
    fprintf(fp, "batch: %d job%s: %d done, %d skipped, %d failed",
            s->nb_results, s->nb_results == 1 ? "" : "s",
            t.done, t.skipped, t.failed);
    if (t.interrupted || t.pending)
        fprintf(fp, ", %d interrupted, %d not run", t.interrupted, t.pending);
    fputc('\n', fp);
    if (t.done)
        fprintf(fp, "batch: %.3f h of audio in %.1f s with %d worker%s: %.1fx realtime"
                " (%.1fx per job, peak %.0f MiB per job)\n",
                t.audio_seconds / 3600, s->wall_seconds, s->workers,
                s->workers == 1 ? "" : "s", ratio(t.audio_seconds, s->wall_seconds),
                ratio(t.audio_seconds, t.job_seconds), t.max_rss_kib / 1024.0);
    for (int i = 0; i < s->nb_results; i++) {
        const BatchJobResult *r = &s->results[i];
        if (r->state == BATCH_FAILED)
            fprintf(fp, "batch: FAILED job %d (line %d) %s: exit %d%s%s\n",
                    r->job, r->line, r->output, r->exit_code,
                    r->reason[0] ? ": " : "", r->reason);
    }
    if (s->signal)
        fprintf(fp, "batch: interrupted by signal %d; run again to finish the rest\n",
                s->signal);
}

static void write_json(const BatchSummary *s, FILE *fp)
{
    BatchTotals t;
    JsonWriter w;

    batch_summary_totals(s, &t);
    json_init(&w, fp, 1);
    json_object_begin(&w);
    json_kv_string(&w, "manifest", s->manifest);
    json_kv_int(&w, "manifest_jobs", s->nb_manifest_jobs);
    json_kv_int(&w, "jobs", s->nb_results);
    json_kv_int(&w, "done", t.done);
    json_kv_int(&w, "skipped", t.skipped);
    json_kv_int(&w, "failed", t.failed);
    json_kv_int(&w, "interrupted", t.interrupted);
    json_kv_int(&w, "not_run", t.pending);
    json_kv_int(&w, "signal", s->signal);
    json_kv_int(&w, "workers", s->workers);
    json_kv_double(&w, "wall_seconds", s->wall_seconds, 3);
    json_kv_double(&w, "audio_seconds", t.audio_seconds, 3);
    json_kv_double(&w, "audio_hours", t.audio_seconds / 3600, 6);
    json_kv_double(&w, "skipped_audio_seconds", t.skipped_audio_seconds, 3);
    /* Throughput of the run, and of one job on its own (for sizing). */
    json_kv_double(&w, "xrealtime", ratio(t.audio_seconds, s->wall_seconds), 2);
    json_kv_double(&w, "xrealtime_per_job", ratio(t.audio_seconds, t.job_seconds), 2);
    json_kv_double(&w, "job_seconds", t.job_seconds, 3);
    json_kv_double(&w, "cpu_seconds", t.cpu_seconds, 3);
    json_kv_double(&w, "audio_hours_per_cpu_hour", ratio(t.audio_seconds, t.cpu_seconds), 2);
    json_kv_double(&w, "max_rss_mib", t.max_rss_kib / 1024.0, 1);
    json_key(&w, "results");
    json_array_begin(&w);
    for (int i = 0; i < s->nb_results; i++) {
        const BatchJobResult *r = &s->results[i];
        json_object_begin(&w);
        json_kv_int(&w, "job", r->job);
        json_kv_int(&w, "line", r->line);
        json_kv_string(&w, "output", r->output);
        json_kv_string(&w, "status", batch_state_name(r->state));
        json_kv_int(&w, "exit_code", r->exit_code);
        json_kv_double(&w, "seconds", r->seconds, 3);
        json_kv_double(&w, "cpu_seconds", r->cpu_seconds, 3);
        json_kv_double(&w, "max_rss_mib", r->max_rss_kib / 1024.0, 1);
        if (r->audio_seconds >= 0)
            json_kv_double(&w, "audio_seconds", r->audio_seconds, 3);
        else
            json_kv_string(&w, "audio_seconds", NULL);
        json_kv_string(&w, "reason", r->reason[0] ? r->reason : NULL);
        json_object_end(&w);
    }
    json_array_end(&w);
    json_object_end(&w);
}

int batch_summary_write(const BatchSummary *s, const char *path)
{
    AtomicFile af;
    int ret = atomic_open(&af, path);
    if (ret < 0)
        return ret;
    write_json(s, af.fp);
    return atomic_commit(&af);
}
