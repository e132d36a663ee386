/*
 * Spectral ducking metrics: what ducking a band, instead of the whole
 * music, keeps of the music and whether it still unmasks the voice.
 * Broadband and spectral renders of the same scene are compared over the
 * scene's speech (the phrases of its truth file), per 10 ms frame and per
 * auditory band (24 bands, ERB-spaced, 150 Hz - 8 kHz):
 *
 *   drop     K-weighted loudness of the music during lines, ducked
 *            against original, LU (BS.1770 weighting, energy sum)
 *   kept     how many LU more of the music the spectral render keeps
 *            during lines than the broadband one
 *   unmask   masking protection: the share of speech frames in which every
 *            band where the dialogue has energy (within 30 dB of its
 *            loudest band, above -70 dBFS) has the dialogue at least
 *            UNMASK dB above the music
 *   step     largest change of a band's gain between consecutive frames,
 *            dB (bands with music above -70 dBFS and within 30 dB of the
 *            music's loudest band, in both frames)
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: spectral_score --unmask DB TRUTH CH DIALOGUE ORIGINAL BROADBAND
 *            SPECTRAL [TRUTH CH DIALOGUE ORIGINAL BROADBAND SPECTRAL...]
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
#define PI     3.14159265358979323846

typedef struct Scene {
    double drop_bb, drop_sp;    /* LU */
    long frames, prot[3];       /* unmasked frames: original, bb, spectral */
    double step[2];
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

/* ERB-rate scale (Glasberg & Moore): band edges in FFT bins. */
static int edge[NBANDS + 1];

static void make_bands(void)
{
    double lo = 21.4 * log10(1 + 0.00437 * 150), hi = 21.4 * log10(1 + 0.00437 * 8000);
    for (int b = 0; b <= NBANDS; b++) {
        double e = lo + (hi - lo) * b / NBANDS;
        double f = (pow(10, e / 21.4) - 1) / 0.00437;
        edge[b] = (int)lround(f * NFFT / RATE);
    }
}

/* Band energies of the mono signal x around frame start s (Hann). */
static void bands(const float *x, int stride, long n, long s, double *e)
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

/* Every band where the dialogue has energy is UNMASK dB over the music. */
static int unmasked(const double *d, const double *m, double unmask)
{
    double top = 0;
    for (int b = 0; b < NBANDS; b++)
        top = fmax(top, d[b]);
    for (int b = 0; b < NBANDS; b++)
        if (d[b] > FLOOR && d[b] > top * 1e-3 &&
            10 * log10(d[b] / (m[b] + 1e-30)) < unmask)
            return 0;
    return 1;
}

static void score_scene(char **f, double unmask, Scene *sc)
{
    long nd, no, nb, ns;
    int dch = atoi(f[1]) > 0 ? atoi(f[1]) : 1;
    float *d = raw_f32_read("spectral_score", f[2], &nd);
    float *o = raw_f32_read("spectral_score", f[3], &no);
    float *bb = raw_f32_read("spectral_score", f[4], &nb);
    float *sp = raw_f32_read("spectral_score", f[5], &ns);
    long n = no / 2, frames = n / HOP;
    char *speech = read_speech(f[0], frames);
    double eo[NBANDS], ed[NBANDS], eb[2][NBANDS], prev[2][NBANDS];
    double ko, kb, ks, top;
    int have_prev = 0;

    memset(sc, 0, sizeof(*sc));
    if (nb != no || ns != no) {
        fprintf(stderr, "spectral_score: %s: renders differ in length\n", f[4]);
        exit(1);
    }
    ko = kweighted(o, 2, n, speech);
    kb = kweighted(bb, 2, n, speech);
    ks = kweighted(sp, 2, n, speech);
    sc->drop_bb = 10 * log10(kb / ko);
    sc->drop_sp = 10 * log10(ks / ko);
    for (long k = 0; k < frames; k++) {
        if (!speech[k]) {
            have_prev = 0;
            continue;
        }
        bands(d, dch, nd / dch, k * HOP, ed);
        bands(o, 2, n, k * HOP, eo);
        bands(bb, 2, n, k * HOP, eb[0]);
        bands(sp, 2, n, k * HOP, eb[1]);
        sc->frames++;
        sc->prot[0] += unmasked(ed, eo, unmask);
        top = 0;
        for (int b = 0; b < NBANDS; b++)
            top = fmax(top, eo[b]);
        for (int s = 0; s < 2; s++) {
            sc->prot[1 + s] += unmasked(ed, eb[s], unmask);
            for (int b = 0; b < NBANDS && have_prev; b++)
                if (eo[b] > FLOOR && eo[b] > top * MUSIC_RANGE &&
                    prev[s][b] > 0 && eb[s][b] > 0)
                    sc->step[s] = fmax(sc->step[s], fabs(10 * log10(
                        eb[s][b] / eo[b] / prev[s][b])));
            for (int b = 0; b < NBANDS; b++)
                prev[s][b] = eo[b] > FLOOR && eo[b] > top * MUSIC_RANGE ?
                             eb[s][b] / eo[b] : 0;
        }
        have_prev = 1;
    }
    free(d);
    free(o);
    free(bb);
    free(sp);
    free(speech);
}

int main(int argc, char **argv)
{
    double unmask;
    Scene sc, tot = { 0 };
    int nsc = 0;

    if (argc < 9 || strcmp(argv[1], "--unmask") || (argc - 3) % 6) {
        fprintf(stderr, "usage: spectral_score --unmask DB TRUTH CH DIALOGUE "
                "ORIGINAL BROADBAND SPECTRAL [...]\n");
        return 2;
    }
    unmask = atof(argv[2]);
    make_bands();
    printf("%-26s %8s %8s %7s %8s %8s %8s %7s %7s\n", "scene", "drop bb",
           "drop sp", "kept", "unmask0", "unmaskbb", "unmasksp", "step bb",
           "step sp");
    for (int i = 3; i < argc; i += 6) {
        char name[256], *slash;
        snprintf(name, sizeof(name), "%s", argv[i]);
        if ((slash = strrchr(name, '/')))
            *slash = 0;     /* the scene's directory */
        slash = strrchr(name, '/');
        score_scene(argv + i, unmask, &sc);
        printf("%-26.26s %6.1f LU %6.1f LU %4.1f LU %7.1f%% %7.1f%% %7.1f%% "
               "%4.1f dB %4.1f dB\n", slash ? slash + 1 : name,
               sc.drop_bb, sc.drop_sp, sc.drop_sp - sc.drop_bb,
               100.0 * sc.prot[0] / (sc.frames ? sc.frames : 1),
               100.0 * sc.prot[1] / (sc.frames ? sc.frames : 1),
               100.0 * sc.prot[2] / (sc.frames ? sc.frames : 1),
               sc.step[0], sc.step[1]);
        tot.drop_bb += sc.drop_bb;
        tot.drop_sp += sc.drop_sp;
        tot.frames += sc.frames;
        for (int k = 0; k < 3; k++)
            tot.prot[k] += sc.prot[k];
        tot.step[0] = fmax(tot.step[0], sc.step[0]);
        tot.step[1] = fmax(tot.step[1], sc.step[1]);
        nsc++;
    }
    printf("%-26s %6.1f LU %6.1f LU %4.1f LU %7.1f%% %7.1f%% %7.1f%% "
           "%4.1f dB %4.1f dB\n", "all (drops: mean)", tot.drop_bb / nsc,
           tot.drop_sp / nsc, (tot.drop_sp - tot.drop_bb) / nsc,
           100.0 * tot.prot[0] / (tot.frames ? tot.frames : 1),
           100.0 * tot.prot[1] / (tot.frames ? tot.frames : 1),
           100.0 * tot.prot[2] / (tot.frames ? tot.frames : 1),
           tot.step[0], tot.step[1]);
    return 0;
}
