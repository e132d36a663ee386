/*
 * Ducking quality scorer: compares ducked music against the original per
 * 10 ms frame and scores the applied gain against a scene's ground truth
 * (the metrics of design.md, "Quality, measured").
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: score [-v] [--goals] --name SYSTEM --depth DB
 *              TRUTH ORIGINAL DUCKED [TRUTH ORIGINAL DUCKED...]
 *
 * ORIGINAL and DUCKED are raw float32 little-endian, 48 kHz, stereo
 * interleaved. Prints one table row per scene and a total row; -v adds
 * per-event diagnostics (late onsets, pumps, breath ducks, the largest
 * step); --goals adds a PASS/FAIL line per goal.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw_f32.h"

#define FRAME     960           /* 10 ms of 48 kHz stereo, in floats */
#define SUB       96            /* 1 ms: the step's resolution */
#define SUBS      (FRAME / SUB)
#define SILENT_DB -60.0         /* original music frames below: skipped */
#define NO_GAIN   1e9           /* marks a skipped frame */
#define MAX_ITEMS 4096
#define OVERHANG_GOAL 190       /* frames: hold + release + 0.5 s */

typedef struct Item {
    char kind[8];
    int start, end;             /* frames */
    char note[32];
} Item;

typedef struct Totals {
    int onsets, protected;
    long speech, covered;
    long far, kept;
    int pauses, pumps;
    int breaths, breath_ducks;
    double max_step;
    double overhang;    /* s the music stays under -1 dB after a phrase */
    int scenes;
    /* margins: the worst case seen, passing or not */
    double worst_onset, worst_pause, worst_breath, worst_far;
    int worst_onset_at;
} Totals;

static int verbose;

/* Gains over speech frames, for the median depth actually reached. */
static double *speech_gain;
static long nb_speech_gain, speech_gain_cap;

static void push_speech_gain(double g)
{
    if (nb_speech_gain == speech_gain_cap) {
        speech_gain_cap = speech_gain_cap ? 2 * speech_gain_cap : 4096;
        speech_gain = realloc(speech_gain,
                              speech_gain_cap * sizeof(*speech_gain));
        if (!speech_gain)
            exit(1);
    }
    speech_gain[nb_speech_gain++] = g;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of speech_gain[from..]; sorts that part. */
static double median_from(long from)
{
    long n = nb_speech_gain - from;
    if (n <= 0)
        return 0;
    qsort(speech_gain + from, n, sizeof(*speech_gain), cmp_double);
    return speech_gain[from + n / 2];
}

static int read_truth(const char *path, Item *it, int max)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "score: cannot open %s\n", path);
        exit(1);
    }
    char line[256];
    int n = 0;
    while (fgets(line, sizeof(line), f) && n < max) {
        double s, e;
        Item *t = &it[n];
        t->note[0] = 0;
        if (line[0] == '#')
            continue;
        if (sscanf(line, "%7s %lf %lf %31s", t->kind, &s, &e, t->note) < 3)
            continue;
        t->start = (int)floor(s * 100 + 0.5);
        t->end = (int)floor(e * 100 + 0.5);
        n++;
    }
    fclose(f);
    return n;
}

/* Gain in dB per frame of len floats, NO_GAIN where the original is
 * near silent. */
static double *frame_gains(const float *orig, const float *duck, long n,
                           int len, int *nframes)
{
    int nf = n / len;
    double *g = malloc((nf ? nf : 1) * sizeof(*g));
    if (!g)
        exit(1);
    for (int f = 0; f < nf; f++) {
        double eo = 0, ed = 0;
        for (int i = 0; i < len; i++) {
            double o = orig[(long)f * len + i];
            double d = duck[(long)f * len + i];
            eo += o * o;
            ed += d * d;
        }
        if (10 * log10(eo / len + 1e-30) < SILENT_DB)
            g[f] = NO_GAIN;
        else
            g[f] = fmax(10 * log10(ed / eo + 1e-30), -120);
    }
    *nframes = nf;
    return g;
}

/*
 * Largest gain change over 10 ms, read on 1 ms gains. A 10 ms frame's
 * gain is the music's energy-weighted mean gain over the frame, so during
 * a fade it leans to wherever the music's energy sits in the frame, and
 * two frames can read up to twice the change the gain made (a transient
 * at the start of one and the end of the next). On 1 ms frames that error
 * is a tenth; a gain constant over each 10 ms frame reads as before.
 * *at: the 1 ms frame where the step ends.
 */
static double max_step(const float *orig, const float *duck, long n, int *at)
{
    int ns;
    double *g = frame_gains(orig, duck, n, SUB, &ns);
    double m = 0;

    *at = -1;
    for (int k = SUBS; k < ns; k++) {
        if (g[k] == NO_GAIN || g[k - SUBS] == NO_GAIN)
            continue;
        if (fabs(g[k] - g[k - SUBS]) > m) {
            m = fabs(g[k] - g[k - SUBS]);
            *at = k;
        }
    }
    free(g);
    return m;
}

static double at(const double *g, int nf, int f)
{
    return f >= 0 && f < nf ? g[f] : NO_GAIN;
}

/* Largest gain over [a, b), skipping silent frames; -inf if none. */
static double max_gain(const double *g, int nf, int a, int b)
{
    double m = -INFINITY;
    for (int f = a; f < b; f++)
        if (at(g, nf, f) != NO_GAIN)
            m = fmax(m, g[f]);
    return m;
}

static double min_gain(const double *g, int nf, int a, int b)
{
    double m = INFINITY;
    for (int f = a; f < b; f++)
        if (at(g, nf, f) != NO_GAIN)
            m = fmin(m, g[f]);
    return m;
}

static void print_row(const char *name, const Totals *t, double median)
{
    printf("%-26s %4d/%-4d %7.1f%% %7.1f%% %4d/%-4d %4d/%-4d %7.2f %7.1f "
           "%5.2f\n",
           name,
           t->protected, t->onsets,
           t->speech ? 100.0 * t->covered / t->speech : 0.0,
           t->far ? 100.0 * t->kept / t->far : 0.0,
           t->pumps, t->pauses, t->breath_ducks, t->breaths, t->max_step,
           median, t->overhang);
}

static void score_scene(const char *truth_path, const char *orig_path,
                        const char *duck_path, double depth, Totals *tot)
{
    static Item it[MAX_ITEMS];
    int ni = read_truth(truth_path, it, MAX_ITEMS);
    long no, nd;
    float *orig = raw_f32_read("score", orig_path, &no);
    float *duck = raw_f32_read("score", duck_path, &nd);
    if (nd < no) {
        /* A short output counts as silence (fully ducked) where missing. */
        fprintf(stderr, "score: %s is %ld samples shorter than the "
                "original\n", duck_path, (no - nd) / 2);
        float *p = realloc(duck, no * sizeof(*duck));
        if (!p)
            exit(1);
        memset(p + nd, 0, (no - nd) * sizeof(*p));
        duck = p;
    }
    int nf;
    double *g = frame_gains(orig, duck, no, FRAME, &nf);
    long first_gain = nb_speech_gain;
    Totals t = { 0 };
    /* the scene's name is the directory holding its truth file */
    char scene[64], path[4096];
    snprintf(path, sizeof(path), "%s", truth_path);
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = 0;
    slash = strrchr(path, '/');
    snprintf(scene, sizeof(scene), "%.63s", slash ? slash + 1 : path);

    /* frames more than 2 s from any phrase */
    char *near = calloc(nf ? nf : 1, 1);
    for (int i = 0; i < ni; i++) {
        if (strcmp(it[i].kind, "phrase"))
            continue;
        for (int f = it[i].start - 200; f < it[i].end + 200; f++)
            if (f >= 0 && f < nf)
                near[f] = 1;
    }

    for (int i = 0; i < ni; i++) {
        Item *x = &it[i];
        if (!strcmp(x->kind, "phrase")) {
            /* up to the last ducked frame before the music is back;
             * silent music (a module that has ended) is not ducked */
            int back = x->end, ducked = x->end;
            for (; back < nf && (g[back] == NO_GAIN || g[back] < -1); back++)
                if (g[back] != NO_GAIN)
                    ducked = back + 1;
            t.overhang = fmax(t.overhang, (ducked - x->end) / 100.0);
            if (verbose && ducked - x->end > OVERHANG_GOAL)
                printf("  %-22s phrase %6.2f-%.2f s %-9s overhang %.2f s\n",
                       scene, x->start / 100.0, x->end / 100.0, x->note,
                       (ducked - x->end) / 100.0);
            /* onset: max gain over the first 100 ms */
            double m = max_gain(g, nf, x->start, x->start + 10);
            t.onsets++;
            if (m != -INFINITY && (t.onsets == 1 || m > t.worst_onset)) {
                t.worst_onset = m;
                t.worst_onset_at = x->start;
            }
            if (m == -INFINITY || m <= depth + 3) {
                t.protected++;
                continue;
            }
            if (!verbose)
                continue;
            /* how late: first frame at or after the onset in range */
            int f = x->start;
            while (f < x->start + 300 && f < nf &&
                   (g[f] == NO_GAIN || g[f] > depth + 3))
                f++;
            printf("  %-22s onset %7.2f s %-9s late: gain %+.1f dB at "
                   "onset, max %+.1f dB in first 100 ms, depth+3 reached "
                   "at +%d ms%s\n", scene, x->start / 100.0, x->note,
                   at(g, nf, x->start) == NO_GAIN ? 0 : g[x->start], m,
                   (f - x->start) * 10,
                   f >= x->start + 300 ? " (or never)" : "");
        } else if (!strcmp(x->kind, "speech")) {
            for (int f = x->start; f < x->end && f < nf; f++) {
                if (g[f] == NO_GAIN)
                    continue;
                t.speech++;
                push_speech_gain(g[f]);
                if (fabs(g[f] - depth) <= 3)
                    t.covered++;
            }
        } else if (!strcmp(x->kind, "pause")) {
            double m = max_gain(g, nf, x->start, x->end);
            t.pauses++;
            if (m != -INFINITY && (t.pauses == 1 || m > t.worst_pause))
                t.worst_pause = m;
            if (m > depth + 6) {
                t.pumps++;
                if (verbose)
                    printf("  %-22s pump  %7.2f-%.2f s (%s): gain rises to "
                           "%+.1f dB\n", scene, x->start / 100.0,
                           x->end / 100.0, x->note, m);
            }
        } else if (!strcmp(x->kind, "breath") ||
                   !strcmp(x->kind, "event")) {
            /*
             * From 0.5 s before (lookahead) to 1 s after (release), but
             * never within 2 s of a phrase: a phrase's own fades are not
             * the breath's fault.
             */
            int a = x->start - 50, b = x->end + 100;
            for (int k = 0; k < ni; k++) {
                if (strcmp(it[k].kind, "phrase"))
                    continue;
                if (it[k].end <= x->start && a < it[k].end + 200)
                    a = it[k].end + 200;
                if (it[k].start >= x->end && b > it[k].start - 200)
                    b = it[k].start - 200;
            }
            double m = min_gain(g, nf, a, b > a ? b : a + 1);
            t.breaths++;
            if (m != INFINITY && (t.breaths == 1 || m < t.worst_breath))
                t.worst_breath = m;
            if (m < -3) {
                t.breath_ducks++;
                if (verbose)
                    printf("  %-22s %s %6.2f-%.2f s %s ducked: gain down "
                           "to %+.1f dB\n", scene, x->kind, x->start / 100.0,
                           x->end / 100.0, x->note, m);
            }
        }
    }
    /* music kept: a false duck near a breath also lowers it, on purpose */
    int first_bad = -1;
    for (int f = 0; f < nf; f++) {
        if (near[f] || g[f] == NO_GAIN)
            continue;
        t.far++;
        if (t.far == 1 || g[f] < t.worst_far)
            t.worst_far = g[f];
        if (g[f] >= -1)
            t.kept++;
        else if (first_bad < 0)
            first_bad = f;
    }
    int step_at;
    t.max_step = max_step(orig, duck, no, &step_at);
    if (verbose && first_bad >= 0)
        printf("  %-22s music not kept at %d of %ld far frames, first at "
               "%.2f s (gain %+.1f dB)\n", scene, (int)(t.far - t.kept),
               t.far, first_bad / 100.0, g[first_bad]);
    if (verbose && step_at > 0)
        printf("  %-22s max step %.2f dB at %.3f s\n",
               scene, t.max_step, step_at / 1000.0);
    if (verbose)
        printf("  %-22s margins: worst onset %+.1f dB (at %.2f s, goal <= "
               "%+.1f), worst pause %+.1f dB (goal <= %+.1f), lowest gain "
               "near a breath %+.1f dB (goal >= -3), lowest far from "
               "phrases %+.1f dB\n", scene, t.worst_onset,
               t.worst_onset_at / 100.0, depth + 3, t.worst_pause, depth + 6,
               t.worst_breath, t.worst_far);
    print_row(scene, &t, median_from(first_gain));

    tot->onsets += t.onsets;
    tot->protected += t.protected;
    tot->speech += t.speech;
    tot->covered += t.covered;
    tot->far += t.far;
    tot->kept += t.kept;
    tot->pauses += t.pauses;
    tot->pumps += t.pumps;
    tot->breaths += t.breaths;
    tot->breath_ducks += t.breath_ducks;
    tot->max_step = fmax(tot->max_step, t.max_step);
    tot->overhang = fmax(tot->overhang, t.overhang);
    tot->scenes++;
    free(near);
    free(g);
    free(orig);
    free(duck);
}

static void goal(const char *what, int pass)
{
    printf("%s  %s\n", pass ? "PASS" : "FAIL", what);
}

int main(int argc, char **argv)
{
    const char *name = "system";
    double depth = -15;
    int goals = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else if (!strcmp(argv[i], "--goals"))
            goals = 1;
        else if (!strcmp(argv[i], "--name") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "--depth") && i + 1 < argc)
            depth = atof(argv[++i]);
        else
            break;
    }
    if (i >= argc || (argc - i) % 3) {
        fprintf(stderr, "usage: score [-v] [--goals] --name SYSTEM --depth DB"
                " TRUTH ORIGINAL DUCKED...\n");
        return 2;
    }
    printf("\n== %s (depth %g dB)\n", name, depth);
    printf("%-26s %9s %8s %8s %9s %9s %7s %7s %5s\n", "scene", "onsets",
           "cover", "kept", "pumps", "breaths", "step", "speech", "over");
    Totals tot = { 0 };
    for (; i < argc; i += 3)
        score_scene(argv[i], argv[i + 1], argv[i + 2], depth, &tot);
    print_row("TOTAL", &tot, median_from(0));
    if (goals) {
        double cov = tot.speech ? 100.0 * tot.covered / tot.speech : 0;
        double kept = tot.far ? 100.0 * tot.kept / tot.far : 0;
        char buf[128];
        snprintf(buf, sizeof(buf), "every onset protected (%d/%d)",
                 tot.protected, tot.onsets);
        goal(buf, tot.protected == tot.onsets);
        snprintf(buf, sizeof(buf), "coverage >= 98 %% (%.1f %%)", cov);
        goal(buf, cov >= 98);
        snprintf(buf, sizeof(buf), "music kept >= 98 %% (%.1f %%)", kept);
        goal(buf, kept >= 98);
        snprintf(buf, sizeof(buf), "0 pumps (%d)", tot.pumps);
        goal(buf, tot.pumps == 0);
        snprintf(buf, sizeof(buf), "0 breath false ducks (%d)",
                 tot.breath_ducks);
        goal(buf, tot.breath_ducks == 0);
        snprintf(buf, sizeof(buf), "max step <= 1.5 dB per 10 ms (%.2f dB)",
                 tot.max_step);
        goal(buf, tot.max_step <= 1.5);
        /* defaults: hold 0.6 s + release 0.8 s + 0.5 s */
        snprintf(buf, sizeof(buf), "worst overhang <= %.1f s (%.2f s)",
                 OVERHANG_GOAL / 100.0, tot.overhang);
        goal(buf, tot.overhang <= OVERHANG_GOAL / 100.0);
    }
    return 0;
}
