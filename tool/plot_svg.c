/*
 * An SVG picture of a mix. Three panels share one time axis: dialogue
 * activity as a band, the music gain envelope (dB) with its keyframes,
 * and the short-term loudness of the mix before and after with the
 * target. Curves carry their names at their right end, so there is no
 * legend to look up.
 *
 * The file stays small for a feature film: activity is drawn as merged
 * runs (at most one per pixel pair), each curve as at most ~2000 points
 * (min and max per column where the data is denser than the columns),
 * and keyframe marks that fall on the same pixel are drawn once.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "kf_curve.h"
#include "plot_svg.h"
#include "xml_text.h"

#define W        1600
#define H        900
#define LEFT     90.0
#define RIGHT    1420.0     /* right edge of the plot area; labels after */
#define ACT_TOP  70.0
#define ACT_BOT  92.0
#define GAIN_TOP 130.0
#define GAIN_BOT 400.0
#define LOUD_TOP 450.0
#define LOUD_BOT 810.0
#define COLUMNS  1000       /* decimation columns: <= 2 points each */

#define COL_ACTIVITY "#f28e1c"
#define COL_GAIN     "#1f6fb4"
#define COL_KEYFRAME "#0a2a57"
#define COL_BEFORE   "#8a8a8a"
#define COL_AFTER    "#d62728"
#define COL_TARGET   "#2ca02c"
#define COL_GRID     "#e4e4e4"
#define COL_TEXT     "#333333"

typedef struct Plot {
    FILE *fp;
    double seconds;      /* programme length */
    int pts;             /* points written in the current path */
    double last_x, last_y;
    int pending;         /* a point held back while a flat run continues */
    double pend_x, pend_y;
} Plot;

static double x_of(const Plot *p, double s)
{
    return LEFT + (RIGHT - LEFT) * (p->seconds > 0 ? s / p->seconds : 0);
}

static double y_of(double v, double lo, double hi, double top, double bot)
{
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return bot - (bot - top) * (v - lo) / (hi - lo);
}

/* Polyline output with horizontal runs collapsed to their two ends. */
static void path_point(Plot *p, double x, double y)
{
    if (p->pts >= 1 && y == p->last_y && (!p->pending || p->pend_y == y)) {
        p->pending = 1;          /* extend the flat run */
        p->pend_x = x;
        p->pend_y = y;
        return;
    }
    if (p->pending) {
        fprintf(p->fp, " %.1f,%.1f", p->pend_x, p->pend_y);
        p->pending = 0;
    }
    fprintf(p->fp, p->pts ? " %.1f,%.1f" : "M%.1f,%.1f", x, y);
    p->pts++;
    p->last_x = x;
    p->last_y = y;
}

static void path_break(Plot *p)
{
    if (p->pending)
        fprintf(p->fp, " %.1f,%.1f", p->pend_x, p->pend_y);
    p->pending = 0;
    p->pts = 0;
}

static void path_begin(Plot *p, const char *color, double width,
                       const char *extra)
{
    fprintf(p->fp, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\""
            " stroke-linejoin=\"round\"%s d=\"", color, width, extra);
    p->pts = 0;
    p->pending = 0;
}

static void path_end(Plot *p)
{
    path_break(p);
    fputs("\"/>\n", p->fp);
}

static void text(FILE *fp, double x, double y, const char *anchor,
                 const char *color, int size, const char *s)
{
    fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\""
            " font-size=\"%d\">", x, y, anchor, color, size);
    xml_put_escaped(fp, s);
    fputs("</text>\n", fp);
}

static void format_time(char *buf, size_t size, double s, int decimals)
{
    long whole = (long)floor(s + 1e-9);
    double frac = s - whole;
    snprintf(buf, size, "%ld:%02ld:%02ld", whole / 3600, whole / 60 % 60,
             whole % 60);
    if (decimals) {
        char f[16];
        snprintf(f, sizeof(f), "%.*f", decimals, frac);
        strncat(buf, f + 1, size - strlen(buf) - 1);
    }
}

/* Vertical grid and h:mm:ss labels at a round step, about ten of them. */
static void draw_time_axis(Plot *p)
{
    static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60,
                                     120, 300, 600, 900, 1800, 3600, 7200,
                                     14400 };
    double step = steps[sizeof(steps) / sizeof(steps[0]) - 1];
    char buf[32];

    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (p->seconds / steps[i] <= 12) {
            step = steps[i];
            break;
        }
    for (int i = 0; i * step <= p->seconds + 1e-9; i++) {
        double x = x_of(p, i * step);
        fprintf(p->fp, "<path stroke=\"" COL_GRID "\" d=\"M%.1f,%.1fV%.1f\"/>\n",
                x, ACT_TOP, LOUD_BOT);
        format_time(buf, sizeof(buf), i * step, step < 1 ? 1 : 0);
        text(p->fp, x, LOUD_BOT + 20, "middle", COL_TEXT, 13, buf);
    }
    text(p->fp, (LEFT + RIGHT) / 2, LOUD_BOT + 44, "middle", COL_TEXT, 14,
         "time (h:mm:ss)");
}

/* Horizontal grid lines with value labels, and the panel's title. */
static void draw_value_axis(Plot *p, double lo, double hi, double step,
                            double top, double bot, const char *unit,
                            const char *title)
{
    char buf[32];
    for (double v = ceil(lo / step) * step; v <= hi + 1e-9; v += step) {
        double y = y_of(v, lo, hi, top, bot);
        fprintf(p->fp, "<path stroke=\"" COL_GRID "\" d=\"M%.1f,%.1fH%.1f\"/>\n",
                LEFT, y, RIGHT);
        snprintf(buf, sizeof(buf), "%g %s", v == 0 ? 0.0 : v, unit);
        text(p->fp, LEFT - 8, y + 4, "end", COL_TEXT, 12, buf);
    }
    fprintf(p->fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
            " fill=\"none\" stroke=\"#b0b0b0\"/>\n", LEFT, top, RIGHT - LEFT,
            bot - top);
    text(p->fp, LEFT, top - 8, "start", COL_TEXT, 14, title);
}

/* End of dialogue run k (the edge after its start, or the known end). */
static int64_t run_end(const PlotData *d, size_t k)
{
    return k + 1 < d->nb_act_edges ? d->act_edges[k + 1] : d->nb_activity;
}

static void draw_activity(Plot *p, const PlotData *d)
{
    /* Gaps shorter than a pixel would not show: merge across them. */
    double hop_s = 1.0 / DD_HOPS_PER_SECOND;
    int64_t min_gap = (int64_t)ceil(p->seconds / (RIGHT - LEFT) / hop_s);
    size_t k = 0, runs = 0;

    fprintf(p->fp, "<path fill=\"" COL_ACTIVITY "\" d=\"");
    /* runs start at the even edges */
    for (; k < d->nb_act_edges; k += 2) {
        int64_t start = d->act_edges[k], end = run_end(d, k);
        while (k + 2 < d->nb_act_edges && d->act_edges[k + 2] - end < min_gap) {
            k += 2;
            end = run_end(d, k);
        }
        {
            double x0 = x_of(p, start * hop_s), x1 = x_of(p, end * hop_s);
            if (x1 - x0 < 1.0)
                x1 = x0 + 1.0; /* a lone word stays visible */
            fprintf(p->fp, "%sM%.1f,%.1fH%.1fV%.1fH%.1fZ", runs ? " " : "",
                    x0, ACT_TOP, x1, ACT_BOT, x0);
        }
        runs++;
    }
    fputs("\"/>\n", p->fp);
    fprintf(p->fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
            " fill=\"none\" stroke=\"#b0b0b0\"/>\n", LEFT, ACT_TOP, RIGHT - LEFT,
            ACT_BOT - ACT_TOP);
    text(p->fp, RIGHT + 10, (ACT_TOP + ACT_BOT) / 2 + 5, "start", COL_ACTIVITY,
         14, "dialogue");
    text(p->fp, LEFT, ACT_TOP - 8, "start", COL_TEXT, 14, "dialogue detected");
}

static void draw_gain(Plot *p, const PlotData *d)
{
    double lo = 0, hi = 0, sr = d->sample_rate;
    size_t hint = 0, k = 0;
    double last_mx = -1, last_my = -1;
    char buf[64];

    for (size_t i = 0; i < d->nb_kf; i++)
        lo = fmin(lo, d->kf[i].gain_db);
    lo = fmax(DD_DEPTH_MIN, fmin(-24, floor((lo - 3) / 6) * 6));
    hi = 3;
    draw_value_axis(p, lo, hi, lo < -36 ? 12 : 6, GAIN_TOP, GAIN_BOT, "dB",
                    "music gain (dB), keyframes marked");

    /* Per column: the curve's extremes over the column's span, which for
     * a curve monotonic between keyframes are at the span's ends or at
     * the keyframes inside it. */
    path_begin(p, COL_GAIN, 2, "");
    for (int c = 0; c < COLUMNS; c++) {
        double t0 = p->seconds * c / COLUMNS * sr;
        double t1 = p->seconds * (c + 1) / COLUMNS * sr;
        double g0 = kf_curve_gain_db(d->kf, d->nb_kf, t0, &hint);
        double g1 = kf_curve_gain_db(d->kf, d->nb_kf, t1, &hint);
        double mn = fmin(g0, g1), mx = fmax(g0, g1);
        double xa = x_of(p, t0 / sr), xb = x_of(p, t1 / sr);
        while (k < d->nb_kf && d->kf[k].t < t0)
            k++;
        for (size_t j = k; j < d->nb_kf && d->kf[j].t < t1; j++) {
            mn = fmin(mn, d->kf[j].gain_db);
            mx = fmax(mx, d->kf[j].gain_db);
        }
        if (c == 0)
            path_point(p, xa, y_of(g0, lo, hi, GAIN_TOP, GAIN_BOT));
        if (mn != mx && mn != fmin(g0, g1)) /* a dip inside the column */
            path_point(p, (xa + xb) / 2, y_of(mn, lo, hi, GAIN_TOP, GAIN_BOT));
        else if (mn != mx && mx != fmax(g0, g1))
            path_point(p, (xa + xb) / 2, y_of(mx, lo, hi, GAIN_TOP, GAIN_BOT));
        path_point(p, xb, y_of(g1, lo, hi, GAIN_TOP, GAIN_BOT));
    }
    path_end(p);

    /* Keyframe marks: zero-length round-capped segments, one per pixel. */
    fputs("<path fill=\"none\" stroke=\"" COL_KEYFRAME "\" stroke-width=\"6\""
          " stroke-linecap=\"round\" d=\"", p->fp);
    for (size_t i = 0; i < d->nb_kf; i++) {
        double x = round(x_of(p, d->kf[i].t / sr));
        double y = round(y_of(d->kf[i].gain_db, lo, hi, GAIN_TOP, GAIN_BOT));
        if (x == last_mx && y == last_my)
            continue;
        fprintf(p->fp, "M%.0f,%.0fh0", x, y);
        last_mx = x;
        last_my = y;
    }
    fputs("\"/>\n", p->fp);

    snprintf(buf, sizeof(buf), "music gain");
    text(p->fp, RIGHT + 10, y_of(d->nb_kf ? d->kf[d->nb_kf - 1].gain_db : 0,
                                 lo, hi, GAIN_TOP, GAIN_BOT) + 5,
         "start", COL_GAIN, 14, buf);
    snprintf(buf, sizeof(buf), "%zu keyframes", d->nb_kf);
    text(p->fp, RIGHT, GAIN_TOP - 8, "end", COL_KEYFRAME, 13, buf);
}

static int valid_st(float v)
{
    return isfinite(v) && v > -200;
}

/* One loudness curve, min/max per column when denser than the columns.
 * Returns the y of its last point (for the label), or NAN. */
static double draw_loudness_curve(Plot *p, const PlotData *d, const float *st,
                                  const char *color, double lo, double hi)
{
    double last_y = NAN;
    size_t n = d->nb_st;

    if (!st || !n)
        return NAN;
    path_begin(p, color, 2, "");
    if (n <= 2 * COLUMNS) {
        for (size_t i = 0; i < n; i++) {
            if (!valid_st(st[i])) {
                path_break(p);
                continue;
            }
            last_y = y_of(st[i], lo, hi, LOUD_TOP, LOUD_BOT);
            path_point(p, x_of(p, (i + 0.5) * d->st_interval), last_y);
        }
    } else {
        for (int c = 0; c < COLUMNS; c++) {
            size_t a = n * c / COLUMNS, b = n * (c + 1) / COLUMNS;
            float mn = INFINITY, mx = -INFINITY;
            size_t imn = a, imx = a;
            for (size_t i = a; i < b; i++) {
                if (!valid_st(st[i]))
                    continue;
                if (st[i] < mn) { mn = st[i]; imn = i; }
                if (st[i] > mx) { mx = st[i]; imx = i; }
            }
            if (mn > mx) {
                path_break(p);
                continue;
            }
            /* In time order, so the line goes where the data went. */
            if (imn <= imx) {
                path_point(p, x_of(p, (imn + 0.5) * d->st_interval),
                           y_of(mn, lo, hi, LOUD_TOP, LOUD_BOT));
                last_y = y_of(mx, lo, hi, LOUD_TOP, LOUD_BOT);
                if (mx != mn)
                    path_point(p, x_of(p, (imx + 0.5) * d->st_interval), last_y);
                else
                    last_y = y_of(mn, lo, hi, LOUD_TOP, LOUD_BOT);
            } else {
                path_point(p, x_of(p, (imx + 0.5) * d->st_interval),
                           y_of(mx, lo, hi, LOUD_TOP, LOUD_BOT));
                last_y = y_of(mn, lo, hi, LOUD_TOP, LOUD_BOT);
                path_point(p, x_of(p, (imn + 0.5) * d->st_interval), last_y);
            }
        }
    }
    path_end(p);
    return last_y;
}

/* A curve's name in the right margin, at the height where it ends. */
typedef struct Label {
    double y;
    const char *color;
    char text[48];
} Label;

/* Sort by height and push apart so that no two labels overlap. */
static void place_labels(Label *l, int n, double min_gap)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && l[j].y < l[j - 1].y; j--) {
            Label t = l[j];
            l[j] = l[j - 1];
            l[j - 1] = t;
        }
    for (int pass = 0; pass < 8; pass++)
        for (int i = 1; i < n; i++)
            if (l[i].y - l[i - 1].y < min_gap) {
                double mid = (l[i].y + l[i - 1].y) / 2;
                l[i - 1].y = mid - min_gap / 2;
                l[i].y = mid + min_gap / 2;
            }
}

static void draw_loudness(Plot *p, const PlotData *d)
{
    double top = -100, bottom = 0, lo, hi, y;
    Label labels[3];
    int nb_labels = 0;

    for (size_t i = 0; i < d->nb_st; i++) {
        for (int k = 0; k < 2; k++) {
            const float *st = k ? d->st_after : d->st_before;
            if (st && valid_st(st[i])) {
                top = fmax(top, st[i]);
                bottom = fmin(bottom, st[i]);
            }
        }
    }
    if (isfinite(d->target_lufs)) {
        top = fmax(top, d->target_lufs);
        bottom = fmin(bottom, d->target_lufs);
    }
    if (top <= -100) {
        top = -10;
        bottom = -60;
    }
    /* Round to 10 LU, at least 30 LU tall, at most 60. */
    hi = fmin(10, ceil((top + 2) / 10) * 10);
    lo = fmin(hi - 30, fmax(hi - 60, floor((bottom - 3) / 10) * 10));
    draw_value_axis(p, lo, hi, 10, LOUD_TOP, LOUD_BOT, "LUFS",
                    "short-term loudness of the mix (LUFS, 3 s window)");

    y = draw_loudness_curve(p, d, d->st_before, COL_BEFORE, lo, hi);
    if (isfinite(y))
        labels[nb_labels++] = (Label){ y, COL_BEFORE, "mix before ducking" };
    y = draw_loudness_curve(p, d, d->st_after, COL_AFTER, lo, hi);
    if (isfinite(y))
        labels[nb_labels++] = (Label){ y, COL_AFTER, "mix after ducking" };
    /* The target goes on top, so dense curves cannot hide it. */
    if (isfinite(d->target_lufs)) {
        y = y_of(d->target_lufs, lo, hi, LOUD_TOP, LOUD_BOT);
        fprintf(p->fp, "<path stroke=\"" COL_TARGET "\" stroke-width=\"2\""
                " stroke-dasharray=\"8 5\" d=\"M%.1f,%.1fH%.1f\"/>\n",
                LEFT, y, RIGHT);
        labels[nb_labels] = (Label){ y, COL_TARGET, "" };
        snprintf(labels[nb_labels].text, sizeof(labels[0].text),
                 "target %.1f LUFS", d->target_lufs);
        nb_labels++;
    }
    place_labels(labels, nb_labels, 16);
    for (int i = 0; i < nb_labels; i++)
        text(p->fp, RIGHT + 10, labels[i].y + 5, "start", labels[i].color, 14,
             labels[i].text);
}

int plot_svg_write(const char *path, const PlotData *d, char *err,
                   size_t errlen)
{
    AtomicFile af;
    Plot p = { 0 };
    char buf[256], dur[32];
    int ret;

    if (d->sample_rate <= 0 || d->duration < 0) {
        snprintf(err, errlen, "%s: invalid sample rate or duration", path);
        return -1;
    }
    ret = atomic_open(&af, path);
    if (ret < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(-ret));
        return -1;
    }
    p.fp = af.fp;
    p.seconds = (double)d->duration / d->sample_rate;
    if (p.seconds <= 0)
        p.seconds = 1;

    fprintf(p.fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
            " viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Liberation Sans,"
            " Arial, sans-serif\">\n"
            "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
            W, H, W, H, W, H);
    format_time(dur, sizeof(dur), p.seconds, 0);
    snprintf(buf, sizeof(buf), "%s (%s)", d->title ? d->title : "dialogueduck",
             dur);
    fprintf(p.fp, "<title>");
    xml_put_escaped(p.fp, buf);
    fprintf(p.fp, "</title>\n");
    text(p.fp, LEFT, 32, "start", "#000000", 20, buf);

    draw_time_axis(&p);
    draw_activity(&p, d);
    draw_gain(&p, d);
    draw_loudness(&p, d);
    fputs("</svg>\n", p.fp);

    return atomic_finish(&af, err, errlen);
}
