/*
 * Evaluation scene builder: lays out speech clips as phrases on a room
 * tone bed, adds breath-like noise bursts between phrases and quiet word
 * onsets, levels the music bed, and writes the ground truth.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: scene_build SPEC CLIPDIR MUSIC_IN OUT_DIALOGUE OUT_MUSIC OUT_TRUTH
 *
 * All audio here is raw float32 little-endian at 48 kHz: clips and the
 * dialogue mono, music stereo interleaved. run.sh decodes the Debian
 * recordings into that form with ffmpeg and encodes the results.
 *
 * The hard set adds what production dialogue stems carry (scene lines
 * `hum`, `bed`, `applause`, `walla`, `gap S event`, and the phrase
 * modifier `whisper`): buzz that starts mid-line, street or HVAC noise and
 * music bleed under the whole stem, applause and crowd walla from a time
 * on, non-speech recordings (rings, alarms, foley) between lines,
 * and whispered lines made from real speech (its spectral envelope, by
 * linear prediction, over noise instead of the voice).
 *
 * The ground truth comes from the clean clips themselves: per 10 ms frame
 * energy against a threshold derived from the clip's own noise floor and
 * peak. A phrase onset is the first frame of the first run of speech
 * frames; quiet onsets are attenuated afterwards and keep the onset of the
 * clean clip, because a listener still hears the first syllable there.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE      48000
#define FRAME     480            /* 10 ms */
#define MAX_ITEMS 4096
#define MAX_CLIPS 8

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Frames of speech needed in a row to count as speech (not a click). */
#define MIN_RUN   4
/* Below-threshold runs at least this long inside a clip are pauses. */
#define MIN_PAUSE_FRAMES 15

typedef struct Clip {
    float *x;
    int64_t n;
    int on, off;        /* speech frames [on, off) in the clip */
    double thr_db;      /* speech threshold, dB */
    double rms_db;      /* level of the speech frames */
    uint8_t *speech;    /* per-frame speech flag, pauses filled */
    int nframes;
} Clip;

typedef struct Truth {
    char kind[8];
    int64_t start, end; /* frames */
    char note[32];
} Truth;

static Truth truth[MAX_ITEMS];
static int nb_truth;

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "scene_build: %s%s%s\n", msg, arg ? ": " : "",
            arg ? arg : "");
    exit(1);
}

static void add_truth(const char *kind, int64_t s, int64_t e, const char *note)
{
    if (nb_truth >= MAX_ITEMS)
        die("too many ground-truth items", NULL);
    Truth *t = &truth[nb_truth++];
    snprintf(t->kind, sizeof(t->kind), "%s", kind);
    snprintf(t->note, sizeof(t->note), "%s", note ? note : "");
    t->start = s;
    t->end = e;
}

static float *read_raw(const char *path, int64_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open", path);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    float *x = malloc(sz > 0 ? sz : 1);
    if (!x || fread(x, 1, sz, f) != (size_t)sz)
        die("cannot read", path);
    fclose(f);
    *n = sz / sizeof(float);
    return x;
}

static void write_raw(const char *path, const float *x, int64_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(x, sizeof(float), n, f) != (size_t)n || fclose(f))
        die("cannot write", path);
}

/* Deterministic noise: xorshift64*, uniform in [-1, 1). */
static uint64_t rng_state = 88172645463325252ULL;

static double white(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t v = rng_state * 2685821657736338717ULL;
    return (double)(v >> 11) / (double)(1ULL << 52) - 1.0;
}

static double frame_db(const float *x, int64_t n)
{
    double e = 0;
    for (int64_t i = 0; i < n; i++)
        e += (double)x[i] * x[i];
    return 10 * log10(e / (n > 0 ? n : 1) + 1e-20);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * Finds speech in a clean clip: threshold 12 dB over the noise floor (10th
 * percentile of frame levels) but no lower than 35 dB under the peak, runs
 * of at least MIN_RUN frames, below-threshold runs shorter than
 * MIN_PAUSE_FRAMES filled in (syllable gaps are not pauses).
 */
static void analyse_clip(Clip *c, const char *name)
{
    int nf = c->n / FRAME;
    double *db = malloc(nf * sizeof(*db)), *sorted = malloc(nf * sizeof(*db));
    c->speech = calloc(nf ? nf : 1, 1);
    if (!db || !sorted || !c->speech)
        die("out of memory", NULL);
    c->nframes = nf;
    for (int i = 0; i < nf; i++)
        sorted[i] = db[i] = frame_db(c->x + (int64_t)i * FRAME, FRAME);
    qsort(sorted, nf, sizeof(*sorted), cmp_double);
    double floor_db = sorted[nf / 10], peak = sorted[nf - 1];
    c->thr_db = fmax(floor_db + 12, peak - 35);

    int run = 0;
    for (int i = 0; i <= nf; i++) {
        if (i < nf && db[i] > c->thr_db) {
            run++;
            continue;
        }
        if (run >= MIN_RUN)
            memset(c->speech + i - run, 1, run);
        run = 0;
    }
    c->on = -1;
    for (int i = 0; i < nf; i++)
        if (c->speech[i]) {
            if (c->on < 0)
                c->on = i;
            c->off = i + 1;
        }
    if (c->on < 0)
        die("no speech found in clip", name);
    /*
     * The threshold finds the phrase reliably but cuts off a soft first
     * consonant and a fading last one: walk out (up to 100 ms) while the
     * level stays 6 dB over the noise floor, so the truth holds the whole
     * word.
     */
    double out_db = fmax(floor_db + 6, peak - 50); /* digital silence */
    for (int k = 0; k < 10 && c->on > 0 && db[c->on - 1] > out_db; k++)
        c->speech[--c->on] = 1;
    for (int k = 0; k < 10 && c->off < nf && db[c->off] > out_db; k++)
        c->speech[c->off++] = 1;
    /* fill short gaps */
    int last = c->on;
    for (int i = c->on; i < c->off; i++) {
        if (!c->speech[i])
            continue;
        if (i - last > 1 && i - last - 1 < MIN_PAUSE_FRAMES)
            memset(c->speech + last + 1, 1, i - last - 1);
        last = i;
    }
    double e = 0;
    int cnt = 0;
    for (int i = c->on; i < c->off; i++)
        if (db[i] > c->thr_db) {
            e += pow(10, db[i] / 10);
            cnt++;
        }
    c->rms_db = 10 * log10(e / cnt);
    free(db);
    free(sorted);
}

#define LPC_N     960            /* 20 ms analysis frames, 50 % overlap */
#define LPC_ORDER 24

/* Levinson-Durbin: predictor a[1..p] from autocorrelation r; returns the
 * prediction error power. */
static double levinson(const double *r, double *a, int p)
{
    double err = r[0], tmp[LPC_ORDER + 1];
    memset(a, 0, (p + 1) * sizeof(*a));
    for (int i = 1; i <= p && err > 0; i++) {
        double k = r[i];
        for (int j = 1; j < i; j++)
            k -= a[j] * r[i - j];
        k /= err;
        memcpy(tmp, a, (p + 1) * sizeof(*a));
        a[i] = k;
        for (int j = 1; j < i; j++)
            a[j] = tmp[j] - k * tmp[i - j];
        err *= 1 - k * k;
    }
    return err;
}

/*
 * A whisper from a voiced recording: per 20 ms frame (sqrt-Hann windows,
 * 50 % overlap), white noise through the frame's all-pole envelope, at
 * the frame's energy. Formants and syllables stay, the pitch goes.
 */
static void whisperize(float *x, int64_t n)
{
    float *y = calloc(n + LPC_N, sizeof(*y));
    double w[LPC_N], buf[LPC_N], out[LPC_N], r[LPC_ORDER + 1], a[LPC_ORDER + 1];
    if (!y)
        die("out of memory", NULL);
    for (int i = 0; i < LPC_N; i++)
        w[i] = sin(M_PI * (i + 0.5) / LPC_N);
    for (int64_t s = 0; s + LPC_N <= n; s += LPC_N / 2) {
        double e_in = 0, e_out = 0;
        for (int i = 0; i < LPC_N; i++) {
            buf[i] = x[s + i] * w[i];
            e_in += buf[i] * buf[i];
        }
        if (e_in < 1e-12)
            continue;
        for (int k = 0; k <= LPC_ORDER; k++) {
            r[k] = 0;
            for (int i = k; i < LPC_N; i++)
                r[k] += buf[i] * buf[i - k];
        }
        r[0] *= 1.0 + 1e-6; /* white-noise correction: a stable filter */
        levinson(r, a, LPC_ORDER);
        for (int i = 0; i < LPC_N; i++) {
            double v = white();
            for (int k = 1; k <= LPC_ORDER && k <= i; k++)
                v += a[k] * out[i - k];
            out[i] = v;
        }
        for (int i = 0; i < LPC_N; i++) {
            out[i] *= w[i];
            e_out += out[i] * out[i];
        }
        for (int i = 0; i < LPC_N; i++)
            y[s + i] += out[i] * sqrt(e_in / (e_out + 1e-30));
    }
    memcpy(x, y, n * sizeof(*x));
    free(y);
}

/*
 * A radio's futz (a walkie-talkie's or a radio play's EQ): a 4th-order
 * high-pass at FUTZ_HP_HZ (two 2nd-order Butterworth sections in a row)
 * and a 2nd-order low-pass at FUTZ_LP_HZ. Its own filters: the scenes
 * owe nothing to the code they test. The band a voice's first formant fills goes,
 * the second's stays.
 */
#define FUTZ_HP_HZ 800.0
#define FUTZ_LP_HZ 3000.0

typedef struct Biquad { double b0, b1, b2, a1, a2, x1, x2, y1, y2; } Biquad;

static Biquad biquad(double fc, int high)
{
    double w = tan(M_PI * fc / RATE), q = sqrt(0.5);
    double a0 = 1.0 + w / q + w * w;
    Biquad f = { 0 };
    f.b0 = (high ? 1.0 : w * w) / a0;
    f.b1 = (high ? -2.0 : 2.0 * w * w) / a0;
    f.b2 = f.b0;
    f.a1 = 2.0 * (w * w - 1.0) / a0;
    f.a2 = (1.0 - w / q + w * w) / a0;
    return f;
}

static double biquad_run(Biquad *f, double x)
{
    double y = f->b0 * x + f->b1 * f->x1 + f->b2 * f->x2 - f->a1 * f->y1 -
               f->a2 * f->y2;
    f->x2 = f->x1;
    f->x1 = x;
    f->y2 = f->y1;
    f->y1 = y;
    return y;
}

static void futz(float *x, int64_t n)
{
    Biquad f[3] = { biquad(FUTZ_HP_HZ, 1), biquad(FUTZ_HP_HZ, 1),
                    biquad(FUTZ_LP_HZ, 0) };
    for (int64_t i = 0; i < n; i++) {
        double y = x[i];
        for (int k = 0; k < 3; k++)
            y = biquad_run(&f[k], y);
        x[i] = (float)y;
    }
}

static float *load_raw_token(const char *clipdir, const char *name,
                             int64_t *n)
{
    char path[4096], flat[1024];
    snprintf(flat, sizeof(flat), "%s", name);
    for (char *p = flat; *p; p++)
        if (*p == '/')
            *p = '_';
    snprintf(path, sizeof(path), "%s/%s.f32", clipdir, flat);
    return read_raw(path, n);
}

static Clip load_clip(const char *clipdir, const char *name, int whisper,
                      int futzed)
{
    Clip c = { 0 };
    c.x = load_raw_token(clipdir, name, &c.n);
    if (whisper)
        whisperize(c.x, c.n);
    if (futzed)
        futz(c.x, c.n);
    analyse_clip(&c, name);
    return c;
}

/* Scene state while laying out. */
static float *dlg;
static int64_t dlg_cap;
static int64_t cursor;       /* frame where the next item starts */
static double speech_level = -20, breath_level = -16;
static double room_level = -56;
static char room_color[16] = "pink";
static int nb_breath;

static void ensure(int64_t samples)
{
    if (samples <= dlg_cap)
        return;
    int64_t cap = samples * 2;
    float *p = realloc(dlg, cap * sizeof(*dlg));
    if (!p)
        die("out of memory", NULL);
    memset(p + dlg_cap, 0, (cap - dlg_cap) * sizeof(*dlg));
    dlg = p;
    dlg_cap = cap;
}

/* Raised-cosine edge of length len at position i (0..len). */
static double edge(int64_t i, int64_t len)
{
    if (i <= 0)
        return 0;
    if (i >= len)
        return 1;
    return 0.5 - 0.5 * cos(M_PI * i / len);
}

/*
 * Places a clip so that its first speech frame lands on frame at_frame.
 * Copies 40 ms before the onset and 60 ms after the offset, faded in and
 * out over those margins: the clip's own noise floor must not extend the
 * phrase.
 * quiet_db > 0 attenuates the first 300 ms of speech by that much,
 * ramping back to full level over 150 ms.
 */
static void place_clip(const Clip *c, int64_t at_frame, double quiet_db,
                       double level_offset)
{
    int64_t pre = RATE * 40 / 1000, post = RATE * 60 / 1000;
    int64_t src0 = (int64_t)c->on * FRAME - pre;
    int64_t src1 = (int64_t)c->off * FRAME + post;
    if (src0 < 0)
        src0 = 0;
    if (src1 > c->n)
        src1 = c->n;
    int64_t dst0 = at_frame * FRAME - ((int64_t)c->on * FRAME - src0);
    if (dst0 < 0)
        die("clip placed before the scene start", NULL);
    ensure(dst0 + (src1 - src0) + RATE);
    double g = pow(10, (speech_level + level_offset - c->rms_db) / 20);
    int64_t q_end = at_frame * FRAME + RATE * 300 / 1000;
    int64_t q_ramp = RATE * 150 / 1000;
    for (int64_t i = src0; i < src1; i++) {
        int64_t d = dst0 + (i - src0);
        /* fade the clip's own noise in and out over the margins */
        double w = edge(i - src0, pre) * edge(src1 - i, post);
        if (quiet_db > 0) {
            double a = d < q_end ? 1 : 1 - edge(d - q_end, q_ramp);
            w *= pow(10, -quiet_db * a / 20);
        }
        dlg[d] += g * w * c->x[i];
    }
}

/*
 * A breath-like burst: band-limited noise (a 2nd-order band-pass around
 * 1.2 kHz over a gentle high-pass, roughly the spectrum of an exhale)
 * under a fast-rise, slow-fall envelope, at breath_level relative to the
 * speech level (RMS over the burst).
 */
static void place_breath(int64_t at_frame, double dur)
{
    int64_t n = (int64_t)(dur * RATE), d0 = at_frame * FRAME;
    ensure(d0 + n + RATE);
    float *tmp = calloc(n, sizeof(*tmp));
    if (!tmp)
        die("out of memory", NULL);
    double f0 = 900 + 600 * (nb_breath % 3), q = 0.8;
    double w0 = 2 * M_PI * f0 / RATE, alpha = sin(w0) / (2 * q);
    double b0 = alpha, b2 = -alpha;
    double a0 = 1 + alpha, a1 = -2 * cos(w0), a2 = 1 - alpha;
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0, e = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = white();
        double y = (b0 * x + b2 * x2 - a1 * y1 - a2 * y2) / a0;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        double t = (double)i / n;
        double env = t < 0.3 ? sin(M_PI / 2 * t / 0.3)
                             : pow(cos(M_PI / 2 * (t - 0.3) / 0.7), 1.5);
        tmp[i] = y * env * env;
        e += (double)tmp[i] * tmp[i];
    }
    double rms_db = 10 * log10(e / n + 1e-20);
    double g = pow(10, (speech_level + breath_level - rms_db) / 20);
    for (int64_t i = 0; i < n; i++)
        dlg[d0 + i] += g * tmp[i];
    free(tmp);
    nb_breath++;
    add_truth("breath", at_frame, at_frame + (n + FRAME - 1) / FRAME, NULL);
}

/* Where an event sits on its frame (place_event). */
enum { EVENT_CENTRED, EVENT_ENDS, EVENT_STARTS };

/*
 * A non-speech recording (ring, alarm, chime, foley) centred on a frame,
 * ending on it or starting on it (place), at rel_db to the speech level
 * (RMS over its frames within 30 dB of its loudest). The truth spans its
 * frames within 40 dB of the loudest and is scored like a breath.
 */
static void place_event(const char *clipdir, const char *name,
                        int64_t frame, int place, double rel_db)
{
    int64_t n;
    float *x = load_raw_token(clipdir, name, &n);
    int nf = n / FRAME, first = -1, last = 0, cnt = 0;
    double peak = -200, e = 0;
    for (int i = 0; i < nf; i++)
        peak = fmax(peak, frame_db(x + (int64_t)i * FRAME, FRAME));
    for (int i = 0; i < nf; i++) {
        double db = frame_db(x + (int64_t)i * FRAME, FRAME);
        if (db > peak - 40) {
            if (first < 0)
                first = i;
            last = i;
        }
        if (db > peak - 30) {
            e += pow(10, db / 10);
            cnt++;
        }
    }
    if (first < 0 || !cnt)
        die("silent event recording", name);
    int64_t len = last + 1 - first;
    int64_t at = place == EVENT_ENDS   ? frame - len :
                 place == EVENT_STARTS ? frame : frame - len / 2;
    double g = pow(10, (speech_level + rel_db - 10 * log10(e / cnt)) / 20);
    ensure((at + len) * FRAME + RATE);
    for (int64_t i = 0; i < len * FRAME; i++)
        dlg[at * FRAME + i] += g * x[(int64_t)first * FRAME + i];
    const char *base = strrchr(name, '/');
    add_truth("event", at, at + len, base ? base + 1 : name);
    free(x);
}

/* Layers over the whole stem from a start time on: buzz, or a recording
 * (street, HVAC, music bleed) looped. Laid down at the end, like the room
 * tone, when the length is known. */
#define MAX_LAYERS 8
#define MAX_VOICES 16
enum { LAYER_HUM, LAYER_BED, LAYER_APPLAUSE, LAYER_WALLA, LAYER_WIND };
typedef struct Layer {
    int kind;
    double f0, level;   /* hum: buzz at f0 with harmonics to 4 kHz */
    int64_t start, end; /* samples; end 0: to the end of the stem */
    char tok[MAX_VOICES][256]; /* bed: the recording; walla: the voices */
    int nb_tok;
} Layer;
static Layer layers[MAX_LAYERS];
static int nb_layers;

static Layer *add_layer(int kind, double level, double start, double end)
{
    if (nb_layers >= MAX_LAYERS)
        die("too many hum/bed/applause/walla/wind lines", NULL);
    Layer *l = &layers[nb_layers++];
    l->kind = kind;
    l->level = level;
    l->start = (int64_t)(start * RATE);
    l->end = (int64_t)(end * RATE);
    if (l->end && l->end <= l->start)
        die("a layer must end after it starts", NULL);
    return l;
}

/*
 * Applause: CLAPPERS people clapping 3-6 times a second each, every clap a
 * 20 ms burst of noise with a 3-8 ms decay through a resonance at 0.5-2.5
 * kHz (the cupped hands), the clappers' rates and the claps' timing,
 * strength and resonance random. Rises over 0.3 s, dies away over its
 * last 1.5 s as applause does.
 */
#define CLAPPERS 48
static void applause_signal(float *tmp, int64_t n)
{
    memset(tmp, 0, n * sizeof(*tmp));
    for (int c = 0; c < CLAPPERS; c++) {
        double period = RATE / (3.0 + 3.0 * (white() * 0.5 + 0.5));
        double t = period * (white() * 0.5 + 0.5);
        while (t < n) {
            double fc = 500 + 2000 * (white() * 0.5 + 0.5);
            double tau = RATE * (0.003 + 0.005 * (white() * 0.5 + 0.5));
            double amp = 0.5 + 0.5 * (white() * 0.5 + 0.5);
            /* two-pole resonator, Q about 2 */
            double r = exp(-M_PI * fc / 2 / RATE);
            double a1 = 2 * r * cos(2 * M_PI * fc / RATE), a2 = -r * r;
            double y1 = 0, y2 = 0;
            int64_t at = (int64_t)t;
            for (int64_t i = 0; i < RATE / 50 && at + i < n; i++) {
                double y = amp * exp(-i / tau) * white() + a1 * y1 + a2 * y2;
                y2 = y1;
                y1 = y;
                tmp[at + i] += y;
            }
            t += period * (1 + 0.15 * white());
        }
    }
    for (int64_t i = 0; i < n; i++) {
        double up = fmin(1.0, i / (0.3 * RATE));
        double down = fmin(1.0, (n - i) / (1.5 * RATE));
        tmp[i] *= up * down * down;
    }
}

/*
 * Walla: a crowd talking, each of the voices saying one recording after
 * the other, in turn, from a random point, with random pauses of 0-1 s:
 * overlapped speech, no word of it intelligible.
 */
static void walla_signal(const Layer *l, const char *clipdir, float *tmp,
                         int64_t n)
{
    float *x[MAX_VOICES];
    int64_t m[MAX_VOICES];

    memset(tmp, 0, n * sizeof(*tmp));
    for (int k = 0; k < l->nb_tok; k++)
        x[k] = load_raw_token(clipdir, l->tok[k], &m[k]);
    for (int v = 0; v < l->nb_tok; v++) {
        int k = v;
        int64_t at = -(int64_t)(m[k] * (white() * 0.5 + 0.5));
        while (at < n) {
            for (int64_t i = 0; i < m[k]; i++)
                if (at + i >= 0 && at + i < n)
                    tmp[at + i] += x[k][i];
            at += m[k] + (int64_t)(RATE * (white() * 0.5 + 0.5));
            k = (k + 1 + (v & 1)) % l->nb_tok;
        }
    }
    for (int k = 0; k < l->nb_tok; k++)
        free(x[k]);
}

/*
 * Wind on the microphone: noise low-passed twice at 300 Hz (air on the
 * capsule rumbles; its tail reaches 1 kHz) under a gust envelope, a
 * random level that wanders at 0.2-2 Hz, 8 dB either way (one standard
 * deviation): gusts rise and fall 10-20 dB within a second, as a
 * syllable's energy does, with most of their energy under 1 kHz, as a
 * vowel's, but no voice.
 */
static void wind_signal(float *tmp, int64_t n)
{
    double a = exp(-2 * M_PI * 300.0 / RATE), b = exp(-2 * M_PI * 1.0 / RATE);
    double lp1 = 0, lp2 = 0, s1 = 0, s2 = 0, e = 0, sd;

    for (int64_t i = 0; i < n; i++) {
        s1 = b * s1 + (1 - b) * white();
        s2 = b * s2 + (1 - b) * s1;
        tmp[i] = s2;
        e += s2 * s2;
    }
    sd = sqrt(e / n) + 1e-30;
    for (int64_t i = 0; i < n; i++) {
        lp1 = a * lp1 + (1 - a) * white();
        lp2 = a * lp2 + (1 - a) * lp1;
        tmp[i] = lp2 * pow(10, 8 * tmp[i] / sd / 20);
    }
}

/* A layer's signal: applause, walla, wind, buzz (every harmonic of f0 under
 * 4 kHz at 1/sqrt(k), fixed phases) or a recording looped. */
static void layer_signal(const Layer *l, const char *clipdir, float *tmp,
                         int64_t n)
{
    if (l->kind == LAYER_APPLAUSE) {
        applause_signal(tmp, n);
        return;
    }
    if (l->kind == LAYER_WALLA) {
        walla_signal(l, clipdir, tmp, n);
        return;
    }
    if (l->kind == LAYER_WIND) {
        wind_signal(tmp, n);
        return;
    }
    if (l->kind == LAYER_HUM) {
        double ph[128];
        int nh = 0;
        for (int k = 1; k * l->f0 < 4000 && nh < 128; k++)
            ph[nh++] = M_PI * white();
        for (int64_t i = 0; i < n; i++) {
            double t = (double)i / RATE, v = 0;
            for (int k = 1; k <= nh; k++)
                v += sin(2 * M_PI * l->f0 * k * t + ph[k - 1]) / sqrt(k);
            tmp[i] = v;
        }
        return;
    }
    int64_t m;
    float *x = load_raw_token(clipdir, l->tok[0], &m);
    for (int64_t i = 0; i < n; i++)
        tmp[i] = x[i % m];
    free(x);
}

static void add_layers(const char *clipdir, int64_t n)
{
    for (int k = 0; k < nb_layers; k++) {
        const Layer *l = &layers[k];
        int64_t len = (l->end && l->end < n ? l->end : n) - l->start;
        int64_t fade = RATE / 50;
        if (len <= 0)
            continue;
        float *tmp = malloc(len * sizeof(*tmp));
        if (!tmp)
            die("out of memory", NULL);
        layer_signal(l, clipdir, tmp, len);
        double e = 0;
        for (int64_t i = 0; i < len; i++)
            e += (double)tmp[i] * tmp[i];
        double g = pow(10, l->level / 20) / sqrt(e / len + 1e-30);
        for (int64_t i = 0; i < len; i++)
            dlg[l->start + i] += g * tmp[i] * edge(i, fade);
        free(tmp);
    }
}

/* Room tone over the whole stem: pink (Paul Kellet's filter) or brown. */
static void add_room_tone(int64_t n)
{
    double b[7] = { 0 }, br = 0, e = 0;
    float *tmp = malloc(n * sizeof(*tmp));
    if (!tmp)
        die("out of memory", NULL);
    for (int64_t i = 0; i < n; i++) {
        double w = white(), y;
        if (!strcmp(room_color, "brown")) {
            br = 0.995 * br + 0.05 * w;
            y = br;
        } else {
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.1538520;
            b[3] = 0.86650 * b[3] + w * 0.3104856;
            b[4] = 0.55000 * b[4] + w * 0.5329522;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            y = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362;
            b[6] = w * 0.115926;
        }
        tmp[i] = y;
        e += y * y;
    }
    double g = pow(10, room_level / 20) / sqrt(e / n);
    for (int64_t i = 0; i < n; i++)
        dlg[i] += g * tmp[i];
    free(tmp);
}

/*
 * A reverberant room (`reverb T60 WET_DB`): the lines, breaths and events
 * through a Schroeder reverberator, four feedback combs in parallel
 * (29.7-43.7 ms, each with its gain set for the reverberation time T60
 * and a one-pole low-pass in its loop: high frequencies die first, as in
 * a room), then two all-passes (5 and 1.7 ms) that diffuse the echoes;
 * added under the dry signal at WET_DB (RMS over the whole stem: -6 dB
 * is a distant microphone in a live room). Room tone and layers are
 * added after it, dry. Fixed delays: the same room for every seed.
 */
static double reverb_t60, reverb_wet_db;

static void add_reverb(int64_t n)
{
    static const double comb_ms[4] = { 29.7, 37.1, 41.1, 43.7 };
    static const double allpass_ms[2] = { 5.0, 1.7 };
    const double damp = 0.3, ap_gain = 0.7;
    double *wet = calloc(n, sizeof(*wet)), *buf;
    double e_dry = 0, e_wet = 0, g;

    buf = malloc(RATE / 10 * sizeof(*buf));
    if (!wet || !buf)
        die("out of memory", NULL);
    for (int c = 0; c < 4; c++) {
        int len = (int)lrint(comb_ms[c] * RATE / 1000);
        double fb = pow(10, -3 * comb_ms[c] / 1000 / reverb_t60), lp = 0;

        memset(buf, 0, len * sizeof(*buf));
        for (int64_t i = 0, p = 0; i < n; i++, p = p + 1 == len ? 0 : p + 1) {
            double y = buf[p];

            lp = (1 - damp) * y + damp * lp;
            buf[p] = dlg[i] + fb * lp;
            wet[i] += y;
        }
    }
    for (int a = 0; a < 2; a++) {
        int len = (int)lrint(allpass_ms[a] * RATE / 1000);

        memset(buf, 0, len * sizeof(*buf));
        for (int64_t i = 0, p = 0; i < n; i++, p = p + 1 == len ? 0 : p + 1) {
            double b = buf[p], y = b - ap_gain * wet[i];

            buf[p] = wet[i] + ap_gain * y;
            wet[i] = y;
        }
    }
    for (int64_t i = 0; i < n; i++) {
        e_dry += (double)dlg[i] * dlg[i];
        e_wet += wet[i] * wet[i];
    }
    g = pow(10, reverb_wet_db / 20) * sqrt(e_dry / (e_wet + 1e-30));
    for (int64_t i = 0; i < n; i++)
        dlg[i] += g * wet[i];
    free(buf);
    free(wet);
}

static int64_t sec_to_frames(double s)
{
    return (int64_t)floor(s * 100 + 0.5);
}

/*
 * One phrase: clips separated by pauses (silence between the last speech
 * frame of one clip and the first of the next). Records the phrase, its
 * speech spans and its pauses (inserted ones and those inside clips).
 */
static void phrase(char **tok, int ntok, const char *clipdir)
{
    double quiet = 0, pause = 0.4, level = 0;
    Clip clips[MAX_CLIPS];
    int nc = 0, whisper = 0, futzed = 0;
    for (int i = 0; i < ntok; i++) {
        if (!strncmp(tok[i], "quiet=", 6))
            quiet = atof(tok[i] + 6);
        else if (!strncmp(tok[i], "pause=", 6))
            pause = atof(tok[i] + 6);
        else if (!strncmp(tok[i], "level=", 6))
            level = atof(tok[i] + 6);
        else if (!strcmp(tok[i], "whisper"))
            whisper = 1;
        else if (!strcmp(tok[i], "voiced"))
            whisper = 0;
        else if (!strcmp(tok[i], "futz"))
            futzed = 1;
        else if (nc < MAX_CLIPS)
            clips[nc++] = load_clip(clipdir, tok[i], whisper, futzed);
        else
            die("too many clips in a phrase", tok[i]);
    }
    if (!nc)
        die("phrase without clips", NULL);
    if (pause >= 0.6)
        die("pauses inside a phrase must be shorter than 0.6 s", NULL);
    int64_t start = cursor;
    char note[32] = "";
    if (quiet > 0)
        snprintf(note, sizeof(note), "quiet=%g", quiet);
    else if (whisper)
        snprintf(note, sizeof(note), "whisper");
    else if (level != 0)
        snprintf(note, sizeof(note), "level=%g", level);
    else if (futzed)
        snprintf(note, sizeof(note), "futz");
    int first = nb_truth;
    add_truth("phrase", 0, 0, note);
    for (int k = 0; k < nc; k++) {
        Clip *c = &clips[k];
        if (k)
            cursor += sec_to_frames(pause);
        place_clip(c, cursor, k == 0 ? quiet : 0, level);
        /* speech spans and in-clip pauses */
        int s = -1;
        for (int i = c->on; i <= c->off; i++) {
            int sp = i < c->off && c->speech[i];
            if (sp && s < 0)
                s = i;
            if (!sp && s >= 0) {
                add_truth("speech", cursor + s - c->on, cursor + i - c->on,
                          NULL);
                s = -1;
            }
        }
        for (int i = c->on, p = -1; i < c->off; i++) {
            if (!c->speech[i] && p < 0)
                p = i;
            if (c->speech[i] && p >= 0) {
                add_truth("pause", cursor + p - c->on, cursor + i - c->on,
                          "in-clip");
                p = -1;
            }
        }
        if (k)
            add_truth("pause", cursor - sec_to_frames(pause), cursor,
                      "between-clips");
        cursor += c->off - c->on;
        free(c->x);
        free(c->speech);
    }
    truth[first].start = start;
    truth[first].end = cursor;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: scene_build SPEC CLIPDIR MUSIC_IN "
                "OUT_DIALOGUE OUT_MUSIC OUT_TRUTH\n");
        return 2;
    }
    FILE *spec = fopen(argv[1], "r");
    if (!spec)
        die("cannot open", argv[1]);
    double music_level = -20, tail = 4;
    char line[4096];
    cursor = sec_to_frames(3);
    while (fgets(line, sizeof(line), spec)) {
        char *tok[64];
        int n = 0;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        for (char *p = strtok(line, " \t\r\n"); p && n < 64;
             p = strtok(NULL, " \t\r\n"))
            tok[n++] = p;
        if (!n)
            continue;
        if (!strcmp(tok[0], "seed") && n == 2)
            rng_state ^= strtoull(tok[1], NULL, 10) * 0x9E3779B97F4A7C15ULL;
        else if (!strcmp(tok[0], "speech_level") && n == 2)
            speech_level = atof(tok[1]);
        else if (!strcmp(tok[0], "breath_level") && n == 2)
            breath_level = atof(tok[1]);
        else if (!strcmp(tok[0], "music_level") && n == 2)
            music_level = atof(tok[1]);
        else if (!strcmp(tok[0], "room") && n == 3) {
            snprintf(room_color, sizeof(room_color), "%s", tok[1]);
            room_level = atof(tok[2]);
        } else if (!strcmp(tok[0], "lead") && n == 2)
            cursor = sec_to_frames(atof(tok[1]));
        else if (!strcmp(tok[0], "tail") && n == 2)
            tail = atof(tok[1]);
        else if (!strcmp(tok[0], "reverb") && n == 3 && atof(tok[1]) > 0) {
            reverb_t60 = atof(tok[1]);
            reverb_wet_db = atof(tok[2]);
        } else if (!strcmp(tok[0], "phrase"))
            phrase(tok + 1, n - 1, argv[2]);
        else if (!strcmp(tok[0], "hum") && n == 4)
            add_layer(LAYER_HUM, atof(tok[2]), atof(tok[3]), 0)->f0 =
                atof(tok[1]);
        else if (!strcmp(tok[0], "bed") && n == 4) {
            Layer *l = add_layer(LAYER_BED, atof(tok[2]), atof(tok[3]), 0);
            snprintf(l->tok[0], sizeof(l->tok[0]), "%s", tok[1]);
            l->nb_tok = 1;
        } else if (!strcmp(tok[0], "wind") && n == 4)
            add_layer(LAYER_WIND, atof(tok[1]), atof(tok[2]), atof(tok[3]));
        else if (!strcmp(tok[0], "applause") && n == 4)
            add_layer(LAYER_APPLAUSE, atof(tok[1]), atof(tok[2]),
                      atof(tok[3]));
        else if (!strcmp(tok[0], "walla") && n >= 5 &&
                 n - 4 <= MAX_VOICES) {
            Layer *l = add_layer(LAYER_WALLA, atof(tok[1]), atof(tok[2]),
                                 atof(tok[3]));
            for (int k = 4; k < n; k++)
                snprintf(l->tok[l->nb_tok++], sizeof(l->tok[0]), "%s",
                         tok[k]);
        }
        else if (!strcmp(tok[0], "gap") && (n == 5 || n == 6) &&
                 !strcmp(tok[2], "event")) {
            int64_t g = sec_to_frames(atof(tok[1]));
            /* lead=T: the event ends T s before the next phrase (a line
             * right after a footstep run or an explosion's tail);
             * trail=T: it starts T s after the phrase before (a chime or
             * a door right after a line) */
            if (n == 6 && strncmp(tok[5], "lead=", 5) &&
                strncmp(tok[5], "trail=", 6))
                die("gap S event RECORDING DB [lead=T|trail=T]", tok[5]);
            if (n == 6 && tok[5][0] == 'l')
                place_event(argv[2], tok[3],
                            cursor + g - sec_to_frames(atof(tok[5] + 5)),
                            EVENT_ENDS, atof(tok[4]));
            else if (n == 6)
                place_event(argv[2], tok[3],
                            cursor + sec_to_frames(atof(tok[5] + 6)),
                            EVENT_STARTS, atof(tok[4]));
            else
                place_event(argv[2], tok[3], cursor + g / 2, EVENT_CENTRED,
                            atof(tok[4]));
            cursor += g;
        } else if (!strcmp(tok[0], "gap") && (n == 2 || n == 3)) {
            int64_t g = sec_to_frames(atof(tok[1]));
            if (n == 3) {
                /* burst in the middle of the gap, 200-500 ms long */
                double dur = 0.20 + 0.10 * (nb_breath % 4);
                if (g < sec_to_frames(5))
                    die("a gap with a breath must be at least 5 s", NULL);
                place_breath(cursor + g / 2 - sec_to_frames(dur / 2), dur);
            }
            cursor += g;
        } else if (!strcmp(tok[0], "music") || !strcmp(tok[0], "music_start")
                   || !strcmp(tok[0], "music_loop")
                   || !strcmp(tok[0], "dialogue_rate")
                   || !strcmp(tok[0], "dialogue_channels")
                   || !strcmp(tok[0], "title"))
            ; /* read by run.sh */
        else
            die("bad spec line", tok[0]);
    }
    fclose(spec);

    int64_t frames = cursor + sec_to_frames(tail);
    int64_t n = frames * FRAME;
    ensure(n);
    if (reverb_t60 > 0)
        add_reverb(n);
    add_room_tone(n);
    add_layers(argv[2], n);
    double peak = 0;
    for (int64_t i = 0; i < n; i++)
        peak = fmax(peak, fabs(dlg[i]));
    if (peak >= 1)
        die("dialogue clips: lower speech_level", NULL);
    write_raw(argv[4], dlg, n);

    /* Music: first n stereo samples, leveled to music_level dBFS RMS. */
    int64_t mn;
    float *m = read_raw(argv[3], &mn);
    if (mn < 2 * n)
        die("music segment shorter than the scene", argv[3]);
    double e = 0, mpeak = 0;
    for (int64_t i = 0; i < 2 * n; i++)
        e += (double)m[i] * m[i];
    double g = pow(10, music_level / 20) / sqrt(e / (2 * n) + 1e-20);
    for (int64_t i = 0; i < 2 * n; i++) {
        m[i] *= g;
        mpeak = fmax(mpeak, fabs(m[i]));
    }
    if (mpeak >= 1)
        die("music clips at this music_level: lower it", argv[1]);
    write_raw(argv[5], m, 2 * n);
    free(m);

    FILE *t = fopen(argv[6], "w");
    if (!t)
        die("cannot write", argv[6]);
    fprintf(t, "# ground truth, 10 ms frames: kind start_s end_s [note]\n");
    fprintf(t, "duration %.2f\n", frames / 100.0);
    for (int i = 0; i < nb_truth; i++)
        fprintf(t, "%s %.2f %.2f%s%s\n", truth[i].kind,
                truth[i].start / 100.0, truth[i].end / 100.0,
                truth[i].note[0] ? " " : "", truth[i].note);
    if (fclose(t))
        die("cannot write", argv[6]);
    free(dlg);
    return 0;
}
