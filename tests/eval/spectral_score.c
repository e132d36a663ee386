/*
 * Spectral ducking metrics: what ducking a band (fixed, or carved under
 * the voice), instead of the whole music, keeps of the music and whether
 * it still unmasks the voice. Broadband, fixed-band and adaptive renders
 * of the same scene are compared over the scene's speech (the phrases of
 * its truth file), per 10 ms frame and per auditory band (24 bands,
 * ERB-spaced, 150 Hz - 8 kHz: the carver's bands, measured through the
 * carver's 2048-point Hann window, centred on the 10 ms frame):
 *
 *   drop     K-weighted loudness of the music during lines, ducked
 *            against original, LU (BS.1770 weighting, energy sum)
 *   kept     how many LU more of the music a spectral render keeps
 *            during lines than the broadband one
 *   unmask   masking protection: the share of speech frames in which every
 *            band where the dialogue has energy (within 30 dB of its
 *            loudest band, above -70 dBFS) has the dialogue at least
 *            UNMASK dB above the music
 *   reach    the same share where every such band has the dialogue UNMASK
 *            dB over the music or the music lowered to the depth (its
 *            band within 1 dB of DEPTH under the original's): what a
 *            ducker that never goes deeper than the depth can deliver
 *            (unmask counts a band that would need more than the depth as
 *            a failure whatever the ducker does)
 *   step     largest change of a band's gain between consecutive frames,
 *            dB: the gain is the ratio of the render's band energy to the
 *            original's, read only where the original's band holds energy
 *            enough for that ratio to be a gain (band_levels(): over
 *            -70 dBFS, within 30 dB of the whole frame's music, 10 dB
 *            over what may reach it from beyond its edges) and holds
 *            steady (steady(): within 4 dB over 50 ms either side: no
 *            onset, whose spreading in time by a short-time render the
 *            ratio would read). The largest step's time and band with -v.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: spectral_score [-v] --unmask DB --depth DB TRUTH CH DIALOGUE ORIGINAL
 *            BROADBAND BAND ADAPTIVE [TRUTH CH DIALOGUE ORIGINAL BROADBAND
 *            BAND ADAPTIVE...]
 *
 * DIALOGUE is raw float32 48 kHz interleaved with CH channels, read as
 * their mean (what the engine detects from by default). The music files
 * are raw float32 48 kHz stereo interleaved.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw_f32.h"

#define RATE   48000
#define HOP    480              /* 10 ms */
#define NFFT   2048
#define NBANDS 24
#define FLOOR  1e-7             /* -70 dBFS in energy */
#define TOTAL_RANGE 1e-3        /* step: bands within 30 dB of the frame's
                                   whole music */
#define OWN_MARGIN 10.0         /* step: a band's energy over what leaks in
                                   from beyond its edges (10 dB) */
#define STEADY 4.0              /* step: dB the original's band may move
                                   within SPAN frames of the two */
#define SPAN   5                /* step: frames (50 ms) either side */
#define AT_DEPTH 1.0            /* reach: dB from the depth that count as
                                   at the depth (what a band's energy ratio
                                   reads of a band held at the depth) */
#define PI     3.14159265358979323846

#define NR 3                    /* renders: broadband, band, adaptive */

typedef struct Scene {
    double drop[NR];            /* LU */
    long frames, prot[NR + 1];  /* unmasked frames: original, renders */
    long reach[NR];             /* frames unmasked or at the depth */
    double step[NR];            /* dB */
    double step_at[NR];         /* s: where the largest step is */
    int step_band[NR];          /* and in which band */
} Scene;

/* In-place radix-2 complex FFT of NFFT points. */
static void fft(double *re, double *im, int n)
{
    static double cs[NFFT / 2], sn[NFFT / 2];
    if (!cs[0])
        for (int k = 0; k < NFFT / 2; k++) {
            cs[k] = cos(-2 * PI * k / NFFT);
            sn[k] = sin(-2 * PI * k / NFFT);
        }
    for (int i = 1, j = 0; i < n; i++) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (int len = 2; len <= n; len <<= 1) {
        for (int i = 0; i < n; i += len)
            for (int k = 0; k < len / 2; k++) {
                double c = cs[k * (n / len)], s = sn[k * (n / len)];
                double *ur = &re[i + k], *ui = &im[i + k];
                double vr = re[i + k + len / 2] * c - im[i + k + len / 2] * s;
                double vi = re[i + k + len / 2] * s + im[i + k + len / 2] * c;
                re[i + k + len / 2] = *ur - vr;
                im[i + k + len / 2] = *ui - vi;
                *ur += vr;
                *ui += vi;
            }
    }
}

/* ERB-rate scale (Glasberg & Moore): band edges in FFT bins, rounded as
 * the carver rounds them. The carver's frames at 48 kHz are these (2048
 * points, Hann window for the energies), so a band here is the band the
 * carver measures and carves: what reach misses is the carver's. */
static int edge[NBANDS + 1];

static void make_bands(void)
{
    double lo = 21.4 * log10(1 + 0.00437 * 150), hi = 21.4 * log10(1 + 0.00437 * 8000);
    for (int b = 0; b <= NBANDS; b++) {
        double e = lo + (hi - lo) * b / NBANDS;
        double f = (pow(10, e / 21.4) - 1) / 0.00437;
        edge[b] = (int)lrint(f * NFFT / RATE);
    }
}

/* Band energies of the mono signal x around frame start s (Hann); the
 * bins' energies into pw (NULL: not wanted). */
static void bands(const float *x, int stride, long n, long s, double *e,
                  double *pw)
{
    static double re[NFFT], im[NFFT], win[NFFT];
    if (!win[1])
        for (int k = 0; k < NFFT; k++)
            win[k] = 0.5 - 0.5 * cos(2 * PI * k / NFFT);
    for (int k = 0; k < NFFT; k++) {
        long i = s + HOP / 2 - NFFT / 2 + k;
        double w = win[k];
        double v = 0;
        if (i >= 0 && i < n)
            for (int c = 0; c < stride; c++)
                v += x[i * stride + c];
        re[k] = w * v / stride;
        im[k] = 0;
    }
    fft(re, im, NFFT);
    for (int k = 0; pw && k < NFFT / 2; k++)
        pw[k] = (re[k] * re[k] + im[k] * im[k]) / (NFFT * NFFT / 4.0);
    for (int b = 0; b < NBANDS; b++) {
        e[b] = 0;
        for (int k = edge[b]; k < edge[b + 1] || k == edge[b]; k++)
            e[b] += (re[k] * re[k] + im[k] * im[k]) / (NFFT * NFFT / 4.0);
    }
}

/* BS.1770 K-weighting at 48 kHz: the weighted energy of both channels of
 * x summed over the speech frames (the filters run over all of x). */
static double kweighted(const float *x, int ch, long n, const char *speech)
{
    static const double b1[3] = { 1.53512485958697, -2.69169618940638,
                                  1.19839281085285 };
    static const double a1[3] = { 1, -1.69065929318241, 0.73248077421585 };
    static const double b2[3] = { 1, -2, 1 };
    static const double a2[3] = { 1, -1.99004745483398, 0.99007225036621 };
    double sum = 0;

    for (int c = 0; c < 2; c++) {
        double z1[2] = { 0 }, z2[2] = { 0 };
        for (long i = 0; i < n; i++) {
            double v = x[i * ch + c];
            double y = b1[0] * v + z1[0];
            z1[0] = b1[1] * v - a1[1] * y + z1[1];
            z1[1] = b1[2] * v - a1[2] * y;
            v = y;
            y = b2[0] * v + z2[0];
            z2[0] = b2[1] * v - a2[1] * y + z2[1];
            z2[1] = b2[2] * v - a2[2] * y;
            if (speech[i / HOP])
                sum += y * y;
        }
    }
    return sum;
}

/* Speech frames from the truth file's phrases. */
static char *read_speech(const char *path, long frames)
{
    FILE *f = fopen(path, "r");
    char line[256], kind[16];
    char *sp = calloc(frames + 1, 1);
    double s, e;

    if (!f || !sp) {
        fprintf(stderr, "spectral_score: cannot read %s\n", path);
        exit(1);
    }
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "%15s %lf %lf", kind, &s, &e) == 3 &&
            !strcmp(kind, "phrase"))
            for (long k = (long)(s * 100); k < (long)(e * 100) && k < frames; k++)
                if (k >= 0)
                    sp[k] = 1;
    fclose(f);
    return sp;
}

/* Every band where the dialogue (d) has energy is UNMASK dB over the
 * music (m), or (with o, the original music's bands) has the music
 * lowered to the depth, DEPTH dB (AT_DEPTH dB of slack) under o. */
static int unmasked(const double *d, const double *m, double unmask,
                    const double *o, double depth)
{
    double top = 0;
    for (int b = 0; b < NBANDS; b++)
        top = fmax(top, d[b]);
    for (int b = 0; b < NBANDS; b++)
        if (d[b] > FLOOR && d[b] > top * 1e-3 &&
            10 * log10(d[b] / (m[b] + 1e-30)) < unmask &&
            !(o && 10 * log10((m[b] + 1e-30) / (o[b] + 1e-30)) <=
                   depth + AT_DEPTH))
            return 0;
    return 1;
}

/* What can reach band b from beyond its edges (pw: the frame's bin
 * energies): through the Hann window, a quarter (-6 dB) of a component
 * centred on the bin next to an edge and about 3 % (-15 dB) of one
 * between the next two; through a short-time render, the residue of a
 * gain that changes across a loud component (the bass under the first
 * band), a few per cent of the four bins beyond each edge. */
static double leak_in(const double *pw, int b)
{
    int lo = edge[b], hi = edge[b + 1] > lo ? edge[b + 1] : lo + 1;
    double far = pw[lo - 3] + pw[lo - 4] + pw[hi + 2] + pw[hi + 3];

    return 0.25 * (pw[lo - 1] + pw[hi]) + 0.03 * (pw[lo - 2] + pw[hi + 1]) +
           0.03 * far;
}

/* The original's band levels of frame t (eo: its band energies) into
 * lv, dB, NAN where the band does not hold energy enough for the ratio
 * of a render's band to it to read a gain: over -70 dBFS, within 30 dB
 * of the whole frame's music (every bin, the bass under the first band
 * too) and 10 dB over what leak_in() says may come from beyond its
 * edges. Under that, a ducked band holds mostly the residue of louder
 * music elsewhere, and its ratio moves with that music, not the gain. */
static void band_levels(const float *x, long n, long t, double *eo,
                        double *lv)
{
    static double pw[NFFT / 2];
    double total = 0;

    bands(x, 2, n, t * HOP, eo, pw);
    for (int k = 0; k < NFFT / 2; k++)
        total += pw[k];
    for (int b = 0; b < NBANDS; b++)
        lv[b] = eo[b] > FLOOR && eo[b] > total * TOTAL_RANGE &&
                eo[b] > OWN_MARGIN * leak_in(pw, b) ? 10 * log10(eo[b]) : NAN;
}

/* Whether band b's gain may be read between frames t - 1 and t: the
 * band counts (band_levels()) in every frame from t - 1 - SPAN to
 * t + SPAN, within STEADY dB of frame t's level. Near an onset in the
 * band, a frame's ratio reads how the render spreads the onset in time
 * (a short-time render moves some of it up to a frame earlier: its
 * pre-echo), not the gain. */
static int steady(double (*lv)[NBANDS], long frames, long t, int b)
{
    for (long j = t - 1 - SPAN; j <= t + SPAN; j++)
        if (j >= 0 && j < frames &&
            !(fabs(lv[j][b] - lv[t][b]) <= STEADY))
            return 0;
    return 1;
}

/* The original's band energies (eo) and levels (lv) of every frame within
 * SPAN of speech. */
static void original_bands(const float *x, long n, const char *speech,
                           double (*eo)[NBANDS], double (*lv)[NBANDS])
{
    long frames = n / HOP;

    for (long t = 0; t < frames; t++) {
        int near = 0;
        for (long j = t - SPAN; j <= t + SPAN; j++)
            near |= j >= 0 && j < frames && speech[j];
        for (int b = 0; b < NBANDS; b++)
            lv[t][b] = NAN;
        if (near)
            band_levels(x, n, t, eo[t], lv[t]);
    }
}

static void score_frames(float *const *f, int dch, long nd, long n,
                         const char *speech, const double *limits,
                         Scene *sc)
{
    long frames = n / HOP;
    double (*eo)[NBANDS] = calloc(frames + 1, sizeof(*eo));
    double (*lv)[NBANDS] = calloc(frames + 1, sizeof(*lv));
    double ed[NBANDS], er[NBANDS], g[NR][NBANDS] = { { 0 } };

    if (!eo || !lv) {
        fprintf(stderr, "spectral_score: out of memory\n");
        exit(1);
    }
    original_bands(f[1], n, speech, eo, lv);
    for (long k = 0; k < frames; k++) {
        if (!speech[k])
            continue;
        bands(f[0], dch, nd / dch, k * HOP, ed, NULL);
        sc->frames++;
        sc->prot[0] += unmasked(ed, eo[k], limits[0], NULL, 0);
        for (int r = 0; r < NR; r++) {
            bands(f[2 + r], 2, n, k * HOP, er, NULL);
            sc->prot[1 + r] += unmasked(ed, er, limits[0], NULL, 0);
            sc->reach[r] += unmasked(ed, er, limits[0], eo[k], limits[1]);
            for (int b = 0; b < NBANDS; b++) {
                double prev = g[r][b];
                g[r][b] = 10 * log10((er[b] + 1e-30) / (eo[k][b] + 1e-30));
                if (k > 0 && speech[k - 1] && steady(lv, frames, k, b) &&
                    fabs(g[r][b] - prev) > sc->step[r]) {
                    sc->step[r] = fabs(g[r][b] - prev);
                    sc->step_at[r] = k / 100.0;
                    sc->step_band[r] = b;
                }
            }
        }
    }
    free(eo);
    free(lv);
}

/* limits: unmask, depth (dB). */
static void score_scene(char **f, const double *limits, Scene *sc)
{
    long nd, no, nr[NR];
    int dch = atoi(f[1]) > 0 ? atoi(f[1]) : 1;
    float *x[2 + NR];
    long n;
    char *speech;
    double ko;

    memset(sc, 0, sizeof(*sc));
    x[0] = raw_f32_read("spectral_score", f[2], &nd);
    x[1] = raw_f32_read("spectral_score", f[3], &no);
    for (int r = 0; r < NR; r++) {
        x[2 + r] = raw_f32_read("spectral_score", f[4 + r], &nr[r]);
        if (nr[r] != no) {
            fprintf(stderr, "spectral_score: %s: renders differ in length\n",
                    f[4 + r]);
            exit(1);
        }
    }
    n = no / 2;
    speech = read_speech(f[0], n / HOP);
    ko = kweighted(x[1], 2, n, speech);
    for (int r = 0; r < NR; r++)
        sc->drop[r] = 10 * log10(kweighted(x[2 + r], 2, n, speech) / ko);
    score_frames(x, dch, nd, n, speech, limits, sc);
    for (int i = 0; i < 2 + NR; i++)
        free(x[i]);
    free(speech);
}

static void print_row(const char *name, const Scene *sc, double div)
{
    long fr = sc->frames ? sc->frames : 1;

    printf("%-22.22s %5.1f %5.1f %5.1f %5.1f %5.1f %6.1f%% %5.1f%% %5.1f%% "
           "%5.1f%% %5.1f%% %5.1f%% %4.1f %4.1f %4.1f\n", name,
           sc->drop[0] / div, sc->drop[1] / div, sc->drop[2] / div,
           (sc->drop[1] - sc->drop[0]) / div, (sc->drop[2] - sc->drop[0]) / div,
           100.0 * sc->prot[0] / fr, 100.0 * sc->prot[1] / fr,
           100.0 * sc->prot[2] / fr, 100.0 * sc->prot[3] / fr,
           100.0 * sc->reach[0] / fr, 100.0 * sc->reach[2] / fr,
           sc->step[0], sc->step[1], sc->step[2]);
}

/* -v: where each render's largest step is. */
static void print_steps(const Scene *sc)
{
    static const char *const what[NR] = { "bb", "band", "adaptive" };

    for (int r = 0; r < NR; r++)
        if (sc->step[r] > 0)
            printf("    %-8s largest step %.2f dB at %.2f s, band %d "
                   "(%.0f-%.0f Hz)\n", what[r], sc->step[r], sc->step_at[r],
                   sc->step_band[r], edge[sc->step_band[r]] * (double)RATE / NFFT,
                   edge[sc->step_band[r] + 1] * (double)RATE / NFFT);
}

int main(int argc, char **argv)
{
    double limits[2];
    Scene sc, tot = { 0 };
    int nsc = 0, group = 4 + NR, verbose = argc > 1 && !strcmp(argv[1], "-v");

    argc -= verbose;
    argv += verbose;
    if (argc < 5 + group || strcmp(argv[1], "--unmask") ||
        strcmp(argv[3], "--depth") || (argc - 5) % group) {
        fprintf(stderr, "usage: spectral_score [-v] --unmask DB --depth DB TRUTH "
                "CH DIALOGUE ORIGINAL BROADBAND BAND ADAPTIVE [...]\n");
        return 2;
    }
    limits[0] = atof(argv[2]);
    limits[1] = atof(argv[4]);
    make_bands();
    printf("%-22s %-17s %-11s %-29s %-13s %s\n", "", "drop, LU", "kept, LU",
           "unmask", "reach", "step, dB");
    printf("%-22s %5s %5s %5s %5s %5s %7s %6s %6s %6s %6s %6s %4s %4s %4s\n",
           "scene", "bb", "band", "adapt", "band", "adapt", "orig", "bb",
           "band", "adapt", "bb", "adapt", "bb", "band", "adap");
    for (int i = 5; i < argc; i += group) {
        char name[256], *slash;
        snprintf(name, sizeof(name), "%s", argv[i]);
        if ((slash = strrchr(name, '/')))
            *slash = 0;     /* the scene's directory */
        slash = strrchr(name, '/');
        score_scene(argv + i, limits, &sc);
        print_row(slash ? slash + 1 : name, &sc, 1);
        if (verbose)
            print_steps(&sc);
        tot.frames += sc.frames;
        for (int r = 0; r < NR; r++) {
            tot.drop[r] += sc.drop[r];
            tot.reach[r] += sc.reach[r];
            tot.step[r] = fmax(tot.step[r], sc.step[r]);
        }
        for (int k = 0; k <= NR; k++)
            tot.prot[k] += sc.prot[k];
        nsc++;
    }
    print_row("all (drops: mean)", &tot, nsc);
    return 0;
}
