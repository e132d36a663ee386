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
 *            dB (bands with music above -70 dBFS and within 30 dB of the
 *            music's loudest band; bins within 30 dB of the loudest bin in both frames):
 *            the change of each bin's gain
 *            |ducked / original|^2, averaged over the band with the
 *            original's energy as weight, over the bins where the
 *            render's gain is flat enough for a 43 ms window to measure
 *            it (see flat_bins()), so that a filter that does not change
 *            reads 0 dB whatever the music does.
 *            (The ratio of band energies used before read up to 10.9 dB
 *            for the fixed band, and so does a render of the band at one
 *            constant gain over the whole scene: the music moving between
 *            the top and the bottom of a band across the band's slopes
 *            changes that ratio, not the gain.)
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: spectral_score --unmask DB --depth DB TRUTH CH DIALOGUE ORIGINAL
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
#define MUSIC_RANGE 1e-3        /* step: bands within 30 dB of the music's
                                   loudest (weaker ones are window leakage) */
#define BIN_RANGE 1e-3          /* step: bins within 30 dB of the loudest
                                   bin in both frames (under that, what a
                                   frame holds of a bin is the filters'
                                   residue of louder ones: the pre-echo of
                                   an onset, the band's images of the bass,
                                   50 dB down) */
#define AT_DEPTH 1.0            /* reach: dB from the depth that count as
                                   at the depth (what a band's energy ratio
                                   reads of a band held at the depth) */
#define PI     3.14159265358979323846

#define NR 3                    /* renders: broadband, band, adaptive */

typedef struct Scene {
    double drop[NR];            /* LU */
    long frames, prot[NR + 1];  /* unmasked frames: original, renders */
    long reach[NR];             /* frames unmasked or at the depth */
    double step[NR];
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

/* Per-bin gains of a render, dB, where the original has energy and the
 * render's gain can be measured (flat; NAN elsewhere): po original, pr
 * render. */
static void bin_gains(const double *po, const double *pr, const char *flat,
                      double *g)
{
    for (int k = 0; k < NFFT / 2; k++)
        g[k] = flat[k] && po[k] > 1e-12 && pr[k] > 0 ?
               10 * log10(pr[k] / po[k]) : NAN;
}

/*
 * Where a render's gain can be measured per bin: a Hann window mixes the
 * bins within 2 of each other, so where the gain slopes (the fixed band's
 * transitions: 10 dB over 100 Hz, 4 bins) the ratio of one bin reads the
 * music's spectrum as much as the gain. flat[r][k] is 1 where the render's
 * gain over all speech frames stays within 1 dB over bins k - 2 .. k + 2.
 */
static void flat_bins(float *const *f, long n, const char *speech,
                      char flat[NR][NFFT / 2])
{
    static double so[NFFT / 2], sr[NR][NFFT / 2], p[NFFT / 2];
    double e[NBANDS], h[NFFT / 2];

    memset(so, 0, sizeof(so));
    memset(sr, 0, sizeof(sr));
    for (long t = 0; t < n / HOP; t++) {
        if (!speech[t])
            continue;
        bands(f[1], 2, n, t * HOP, e, p);
        for (int k = 0; k < NFFT / 2; k++)
            so[k] += p[k];
        for (int r = 0; r < NR; r++) {
            bands(f[2 + r], 2, n, t * HOP, e, p);
            for (int k = 0; k < NFFT / 2; k++)
                sr[r][k] += p[k];
        }
    }
    for (int r = 0; r < NR; r++) {
        for (int k = 0; k < NFFT / 2; k++)
            h[k] = so[k] > 0 && sr[r][k] > 0 ? 10 * log10(sr[r][k] / so[k])
                                              : NAN;
        for (int k = 0; k < NFFT / 2; k++) {
            flat[r][k] = k >= 2 && k < NFFT / 2 - 2 && !isnan(h[k]);
            for (int j = k - 2; flat[r][k] && j <= k + 2; j++)
                flat[r][k] = !isnan(h[j]) && fabs(h[j] - h[k]) <= 1.0;
        }
    }
}

/*
 * The largest change of a band's gain between two frames: the per-bin
 * gain changes averaged over the band, each bin weighted by the energy of
 * the original in the weaker of the two frames (bins the music leaves
 * empty hold only leakage from their neighbours).
 */
static double band_step(const double *g0, const double *g1,
                        const double *w0, const double *w1, int band_ok(int))
{
    double worst = 0, floor0 = 0, floor1 = 0;

    for (int k = 0; k < NFFT / 2; k++) {
        floor0 = fmax(floor0, w0[k] * BIN_RANGE);
        floor1 = fmax(floor1, w1[k] * BIN_RANGE);
    }
    for (int b = 0; b < NBANDS; b++) {
        double sum = 0, wsum = 0;
        if (!band_ok(b))
            continue;
        for (int k = edge[b]; k < edge[b + 1] || k == edge[b]; k++)
            if (!isnan(g0[k]) && !isnan(g1[k]) &&
                w0[k] > floor0 && w1[k] > floor1) {
                double w = fmin(w0[k], w1[k]);
                sum += w * (g1[k] - g0[k]);
                wsum += w;
            }
        if (wsum > 0)
            worst = fmax(worst, fabs(sum / wsum));
    }
    return worst;
}

/* Bands with music above -70 dBFS and within 30 dB of its loudest band in
 * the frame being scored (set before band_step()). */
static double cur_eo[NBANDS], cur_top;

static int music_band(int b)
{
    return cur_eo[b] > FLOOR && cur_eo[b] > cur_top * MUSIC_RANGE;
}

static void score_frames(float *const *f, int dch, long nd, long n,
                         const char *speech, const double *limits,
                         Scene *sc)
{
    static double po[2][NFFT / 2], pr[NFFT / 2], g[NR][2][NFFT / 2];
    static char flat[NR][NFFT / 2];
    double ed[NBANDS], er[NBANDS];
    int have_prev = 0, cur = 0;

    flat_bins(f, n, speech, flat);
    for (long k = 0; k < n / HOP; k++) {
        if (!speech[k]) {
            have_prev = 0;
            continue;
        }
        bands(f[0], dch, nd / dch, k * HOP, ed, NULL);
        bands(f[1], 2, n, k * HOP, cur_eo, po[cur]);
        sc->frames++;
        sc->prot[0] += unmasked(ed, cur_eo, limits[0], NULL, 0);
        cur_top = 0;
        for (int b = 0; b < NBANDS; b++)
            cur_top = fmax(cur_top, cur_eo[b]);
        for (int r = 0; r < NR; r++) {
            bands(f[2 + r], 2, n, k * HOP, er, pr);
            sc->prot[1 + r] += unmasked(ed, er, limits[0], NULL, 0);
            sc->reach[r] += unmasked(ed, er, limits[0], cur_eo, limits[1]);
            bin_gains(po[cur], pr, flat[r], g[r][cur]);
            if (have_prev)
                sc->step[r] = fmax(sc->step[r], band_step(g[r][!cur],
                                                          g[r][cur],
                                                          po[!cur], po[cur],
                                                          music_band));
        }
        cur = !cur;
        have_prev = 1;
    }
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

int main(int argc, char **argv)
{
    double limits[2];
    Scene sc, tot = { 0 };
    int nsc = 0, group = 4 + NR;

    if (argc < 5 + group || strcmp(argv[1], "--unmask") ||
        strcmp(argv[3], "--depth") || (argc - 5) % group) {
        fprintf(stderr, "usage: spectral_score --unmask DB --depth DB TRUTH "
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
