/*
 * Unit tests for the SVG plot: a two-hour programme stays small and
 * decimated, the file is well-formed (xmllint) and deterministic, and
 * headless Chromium renders it to a PNG that holds every curve in its
 * colour (pixels counted after ffmpeg decodes the PNG to raw RGB).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "plot_svg.h"

#define SR 48000

static char dir[64];

static char *path_in(const char *name)
{
    static char buf[8][256];
    static int n;
    char *p = buf[n++ & 7];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

/* A deterministic scene: lines of 1-8 s separated by 2-20 s of music. */
typedef struct Scene {
    uint8_t *act;
    size_t nb_act;
    int64_t *edges;             /* act as the program keeps it: runs */
    size_t nb_edges;
    DDKeyframe *kf;
    size_t nb_kf;
    float *before, *after;
    size_t nb_st;
    PlotData d;
} Scene;

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* The hops where act changes, the first from 0 to 1 (Analysis's runs). */
static void make_edges(Scene *s)
{
    s->edges = malloc(sizeof(*s->edges) * (s->nb_act + 1));
    for (size_t i = 0; i < s->nb_act; i++)
        if (!s->act[i] != !(s->nb_edges & 1))
            s->edges[s->nb_edges++] = (int64_t)i;
}

static void make_scene(Scene *s, double seconds, double st_interval)
{
    uint32_t seed = 12345;
    size_t hops = (size_t)(seconds * 100);
    size_t h = 200;

    memset(s, 0, sizeof(*s));
    s->act = calloc(hops, 1);
    s->kf = malloc(sizeof(*s->kf) * (hops / 100 + 8));
    while (h < hops) {
        size_t len = 100 + lcg(&seed) % 700, gap = 200 + lcg(&seed) % 1800;
        double depth = -12.0 - (lcg(&seed) % 60) / 10.0;
        if (h + len + 100 >= hops)
            break;
        for (size_t i = h; i < h + len; i++)
            s->act[i] = (i % 37) != 0; /* short pauses between words */
        s->kf[s->nb_kf++] = (DDKeyframe){ (int64_t)(h - 20) * 480, 0.0 };
        s->kf[s->nb_kf++] = (DDKeyframe){ (int64_t)h * 480, depth };
        s->kf[s->nb_kf++] = (DDKeyframe){ (int64_t)(h + len + 60) * 480, depth };
        s->kf[s->nb_kf++] = (DDKeyframe){ (int64_t)(h + len + 140) * 480, 0.0 };
        h += len + gap;
    }
    s->nb_act = hops;
    make_edges(s);
    s->nb_st = (size_t)(seconds / st_interval);
    s->before = malloc(sizeof(float) * s->nb_st);
    s->after = malloc(sizeof(float) * s->nb_st);
    for (size_t i = 0; i < s->nb_st; i++) {
        size_t hop = (size_t)(i * st_interval * 100);
        double wobble = 3 * sin(i * 0.37) + (lcg(&seed) % 100) / 50.0;
        int speech = hop < hops && s->act[hop];
        s->before[i] = -18 + wobble + (speech ? 1 : 0);
        s->after[i] = speech ? -23 + wobble / 2 : -20 + wobble;
    }
    s->before[0] = -INFINITY; /* silence at the start: a gap in the line */
    s->after[0] = NAN;
    s->d = (PlotData){
        .sample_rate = SR, .duration = (int64_t)(seconds * SR),
        .act_edges = s->edges, .nb_act_edges = s->nb_edges,
        .nb_activity = (int64_t)s->nb_act,
        .kf = s->kf, .nb_kf = s->nb_kf,
        .st_before = s->before, .st_after = s->after, .nb_st = s->nb_st,
        .st_interval = st_interval, .target_lufs = -23.0,
        .title = "film <reel 1> & score",
    };
}

static void free_scene(Scene *s)
{
    free(s->act);
    free(s->edges);
    free(s->kf);
    free(s->before);
    free(s->after);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) ? -1 : (long)st.st_size;
}

/* Largest number of coordinate pairs in one <path d="...">. */
static long max_path_points(const char *path)
{
    FILE *fp = fopen(path, "r");
    long best = 0, cur = 0;
    int c, in_d = 0, prev = 0, prev2 = 0;
    if (!fp)
        return -1;
    while ((c = fgetc(fp)) != EOF) {
        if (!in_d && prev2 == 'd' && prev == '=' && c == '"') {
            in_d = 1;
            cur = 0;
        } else if (in_d && c == '"') {
            in_d = 0;
            if (cur > best)
                best = cur;
        } else if (in_d && c == ',') {
            cur++;
        }
        prev2 = prev;
        prev = c;
    }
    fclose(fp);
    return best;
}

/* Chromium screenshot, decoded to rgb24 by ffmpeg. Returns the pixels. */
static uint8_t *render(const char *svg, const char *png, int *w, int *h)
{
    const char *rgb = path_in("shot.rgb");
    uint8_t *px;
    FILE *fp;
    long n;

    *w = 1600;
    *h = 900;
    if (sh("cd '%s' && HOME='%s' timeout 120 chromium --headless --no-sandbox "
           "--disable-gpu --disable-quic --no-first-run "
           "--disable-background-networking --disable-component-update "
           "--disable-sync --user-data-dir='%s/profile' --hide-scrollbars "
           "--screenshot='%s' --window-size=1600,900 'file://%s' "
           ">/dev/null 2>&1", dir, dir, dir, png, svg) != 0)
        return NULL;
    if (sh("ffmpeg -nostdin -hide_banner -loglevel error -y -i '%s' "
           "-f rawvideo -pix_fmt rgb24 '%s'", png, rgb) != 0)
        return NULL;
    px = malloc((size_t)*w * *h * 3);
    fp = fopen(rgb, "rb");
    n = fp ? (long)fread(px, 1, (size_t)*w * *h * 3, fp) : 0;
    if (fp)
        fclose(fp);
    if (n != (long)*w * *h * 3) {
        free(px);
        return NULL;
    }
    return px;
}

/* Pixels within a small distance of an sRGB colour, in a row band. */
static long count_colour(const uint8_t *px, int w, int y0, int y1,
                         unsigned rgb)
{
    int r = rgb >> 16, g = (rgb >> 8) & 255, b = rgb & 255;
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = px + ((size_t)y * w + x) * 3;
            if (abs(p[0] - r) + abs(p[1] - g) + abs(p[2] - b) <= 24)
                n++;
        }
    return n;
}

static void test_feature_film(void)
{
    Scene s;
    char err[256];
    const char *a = path_in("film.svg"), *b = path_in("film2.svg");
    long size, pts;

    make_scene(&s, 2 * 3600.0, 0.1);
    CHECK(s.nb_kf > 1000 && s.nb_st == 72000, "scene: %zu keyframes", s.nb_kf);
    CHECK(plot_svg_write(a, &s.d, err, sizeof(err)) == 0, "%s", err);
    CHECK(plot_svg_write(b, &s.d, err, sizeof(err)) == 0, "%s", err);
    CHECK(sh("cmp -s '%s' '%s'", a, b) == 0, "same input, same file");
    size = file_size(a);
    CHECK(size > 10000 && size < 300 * 1024, "2-hour plot is %ld bytes", size);
    pts = max_path_points(a);
    CHECK(pts > 100 && pts <= 2100, "longest curve has %ld points", pts);
    CHECK(sh("xmllint --noout '%s'", a) == 0, "well-formed SVG");
    CHECK(sh("test \"$(xmllint --xpath 'string(//*[local-name()=\"title\"])' '%s')\""
             " = 'film <reel 1> & score (2:00:00)'", a) == 0, "title escaped");
    printf("2-hour plot: %ld bytes, %zu keyframes, longest path %ld points\n",
           size, s.nb_kf, pts);
    free_scene(&s);
}

static void test_render(void)
{
    Scene s;
    char err[256];
    const char *svg = path_in("scene.svg"), *png = path_in("scene.png");
    uint8_t *px;
    int w, h;

    make_scene(&s, 120.0, 0.1);
    CHECK(plot_svg_write(svg, &s.d, err, sizeof(err)) == 0, "%s", err);
    px = render(svg, png, &w, &h);
    CHECK(px != NULL, "chromium/ffmpeg rendering of %s", svg);
    if (px) {
        /* Each element in its own panel (rows from plot_svg.c's layout). */
        long act = count_colour(px, w, 70, 93, 0xf28e1c);
        long gain = count_colour(px, w, 130, 401, 0x1f6fb4);
        long kf = count_colour(px, w, 130, 401, 0x0a2a57);
        long before = count_colour(px, w, 450, 811, 0x8a8a8a);
        long after = count_colour(px, w, 450, 811, 0xd62728);
        long target = count_colour(px, w, 450, 811, 0x2ca02c);
        long text = count_colour(px, w, 811, 900, 0x333333);
        long white = count_colour(px, w, 0, h, 0xffffff);
        CHECK(act > 5000, "activity band: %ld px", act);
        CHECK(gain > 1500, "gain curve: %ld px", gain);
        CHECK(kf > 200, "keyframe marks: %ld px", kf);
        CHECK(before > 1500, "loudness before: %ld px", before);
        CHECK(after > 1500, "loudness after: %ld px", after);
        CHECK(target > 500, "target line: %ld px", target);
        CHECK(text > 100, "time axis labels: %ld px", text);
        CHECK(white > (long)w * h / 2, "mostly white background: %ld px", white);
        printf("rendered: activity %ld, gain %ld, keyframes %ld, before %ld, "
               "after %ld, target %ld px\n", act, gain, kf, before, after,
               target);
        free(px);
    }
    free_scene(&s);
}

static void test_edge_cases(void)
{
    char err[256];
    PlotData d = { .sample_rate = SR, .duration = SR / 2, .target_lufs = NAN };
    CHECK(plot_svg_write(path_in("empty.svg"), &d, err, sizeof(err)) == 0,
          "no data: %s", err);
    CHECK(sh("xmllint --noout '%s'", path_in("empty.svg")) == 0, "empty valid");
    CHECK(sh("! grep -q target '%s'", path_in("empty.svg")) == 0,
          "no target line without a target");
    d.sample_rate = 0;
    CHECK(plot_svg_write(path_in("bad.svg"), &d, err, sizeof(err)) < 0 &&
          access(path_in("bad.svg"), F_OK) != 0, "invalid data refused");
    d.sample_rate = SR;
    CHECK(plot_svg_write("/nonexistent/p.svg", &d, err, sizeof(err)) < 0 &&
          strstr(err, "/nonexistent/p.svg"), "%s", err);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/dd_plot.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_feature_film();
    test_render();
    test_edge_cases();
    if (!getenv("DD_TEST_KEEP"))
        sh("rm -rf '%s'", dir);
    else
        printf("outputs kept in %s\n", dir);
    return check_summary();
}
