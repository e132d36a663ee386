/*
 * The program's --music-out is the FFmpeg filter's mix=0 output: the
 * two-pass pipeline (analysis, then rendering from the keyframe list) must
 * give the same samples as the one-pass DDEngine the filter runs. Float
 * WAV stems in, float WAV out, compared sample for sample.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "dialogueduck.h"
#include "pipeline.h"

#define RATE 48000

static void put32(FILE *f, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        fputc((v >> (8 * i)) & 0xff, f);
}

static void put16(FILE *f, uint16_t v)
{
    fputc(v & 0xff, f);
    fputc(v >> 8, f);
}

/* A 32-bit float WAV of interleaved samples. */
static int write_wav(const char *path, const float *x, int channels, int n)
{
    FILE *f = fopen(path, "wb");
    uint32_t bytes = (uint32_t)n * channels * 4;
    if (!f)
        return -1;
    fputs("RIFF", f); put32(f, 36 + bytes); fputs("WAVE", f);
    fputs("fmt ", f); put32(f, 16); put16(f, 3); put16(f, channels);
    put32(f, RATE); put32(f, RATE * channels * 4); put16(f, channels * 4);
    put16(f, 32);
    fputs("data", f); put32(f, bytes);
    fwrite(x, 4, (size_t)n * channels, f);
    return fclose(f);
}

/* The float samples of a WAV's data chunk; *n counts floats. */
static float *read_wav(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char h[12], c[8];
    float *x = NULL;
    if (!f)
        return NULL;
    if (fread(h, 1, 12, f) != 12)
        goto end;
    while (fread(c, 1, 8, f) == 8) {
        uint32_t size = c[4] | c[5] << 8 | c[6] << 16 | (uint32_t)c[7] << 24;
        if (!memcmp(c, "data", 4)) {
            x = malloc(size ? size : 4);
            *n = fread(x, 4, size / 4, f);
            break;
        }
        fseek(f, size + (size & 1), SEEK_CUR);
    }
end:
    fclose(f);
    return x;
}

/* The mix less the engine's ducked music at sample k, summed over the
 * channels. */
static double residual(const float *x, float *const *ep, int channels, int k)
{
    double r = 0;
    for (int c = 0; c < channels; c++)
        r += (double)x[(size_t)channels * k + c] - ep[c][k];
    return r;
}

/*
 * The program's mix less the engine's ducked music is the dialogue, in its
 * own time: fitted as g * d (the dialogue's placement gains, summed over
 * the channels), the residual stays at rounding level. Dialogue and music
 * a few samples apart fail this.
 */
static void check_mix(const char *mixp, float *const *ep, const float *d,
                      int channels, int n)
{
    size_t nb = 0;
    float *x = read_wav(mixp, &nb);
    double dd = 0, rd = 0, g, worst = 0;
    int ok = x && nb == (size_t)channels * n;

    CHECK(ok, "mix holds %zu floats, want %zu", nb, (size_t)channels * n);
    for (int k = 0; ok && k < n; k++) {
        rd += residual(x, ep, channels, k) * d[k];
        dd += (double)d[k] * d[k];
    }
    g = dd > 0 ? rd / dd : 0;
    for (int k = 0; ok && k < n; k++)
        worst = fmax(worst, fabs(residual(x, ep, channels, k) - g * d[k]));
    CHECK(ok && g > 0.5 && worst < 1e-5, "mix - music = %.3f x dialogue, "
          "residual %.3g", g, worst);
    free(x);
}

/*
 * One case: music of `channels` channels, the given extra options; the
 * engine gets the same parameters.
 */
static void run_case(const char *dir, int channels, double below, int spectral)
{
    char dlg[256], mus[256], out[256], mixp[256], below_s[32];
    const int n = 8 * RATE;
    float *d = calloc(n, sizeof(float));
    float *m = calloc((size_t)channels * n, sizeof(float));
    float *mp[8], *ep[8];
    uint32_t seed = 12345;
    DDEngine *e = NULL;
    DDParams p;
    int got = 0, ret;

    snprintf(dlg, sizeof(dlg), "%s/dlg.wav", dir);
    snprintf(mus, sizeof(mus), "%s/music.wav", dir);
    snprintf(out, sizeof(out), "%s/out.wav", dir);
    snprintf(mixp, sizeof(mixp), "%s/mix.wav", dir);
    snprintf(below_s, sizeof(below_s), "%g", below);
    for (int c = 0; c < channels; c++) {
        mp[c] = calloc(n, sizeof(float));
        ep[c] = calloc(n + RATE, sizeof(float));
    }

    /* Dialogue: two lines of a buzzy voice around 180 Hz whose pitch
     * glides +-8 % at 3 Hz (a fixed pitch is a tone, not a voice, to the
     * detector); music: noise. */
    for (int k = 0; k < n; k++) {
        double t = (double)k / RATE;
        double ph = 2 * M_PI * 180 * (t - 0.08 / (2 * M_PI * 3) *
                                      cos(2 * M_PI * 3 * t));
        int on = (t > 1.5 && t < 3.2) || (t > 4.1 && t < 6.0);
        d[k] = on ? 0.3f * (float)pow(fabs(sin(ph)), 4) : 0.0f;
        for (int c = 0; c < channels; c++) {
            seed = seed * 1664525u + 1013904223u;
            m[(size_t)channels * k + c] = mp[c][k] =
                0.1f * ((float)(seed >> 8) / (1 << 24) - 0.5f);
        }
    }
    CHECK(!write_wav(dlg, d, 1, n) && !write_wav(mus, m, channels, n),
          "writing stems");

    /* The filter's engine, one pass. */
    dd_params_default(&p);
    p.below = below;
    p.spectral = spectral;
    ret = dd_engine_create(&e, &p, RATE, channels, 1, -1, NULL);
    CHECK(ret == DD_OK, "dd_engine_create: %d", ret);
    if (e) {
        for (int k = 0; k < n; k += 1000) {
            int len = n - k < 1000 ? n - k : 1000;
            const float *dv[1] = { d + k }, *mv[8];
            float *ov[8];
            for (int c = 0; c < channels; c++) {
                mv[c] = mp[c] + k;
                ov[c] = ep[c] + got;
            }
            ret = dd_engine_process(e, mv, dv, len, ov);
            if (ret < 0)
                break;
            got += ret;
        }
        {
            float *ov[8];
            for (int c = 0; c < channels; c++)
                ov[c] = ep[c] + got;
            ret = dd_engine_flush(e, ov);
            if (ret > 0)
                got += ret;
        }
        dd_engine_free(&e);
    }
    CHECK(got == n, "engine gave %d samples of %d", got, n);

    /* The program's two passes. */
    {
        char *argv[] = { "dialogueduck", "-q", "-d", dlg, "-m", mus,
                         "-o", mixp,
                         "--music-out", out, "--loudness", "off",
                         "--below", below_s, spectral ? "--spectral" : NULL,
                         spectral == DD_SPECTRAL_ADAPTIVE ? "adaptive" : NULL,
                         NULL };
        CliOptions o;
        Pipeline pl;
        char err[1024] = "";
        int code = cli_parse(&o, 14 + !!spectral +
                             (spectral == DD_SPECTRAL_ADAPTIVE), argv);
        CHECK(code == -1, "cli_parse: %d", code);
        code = pipeline_run(&pl, &o, err, sizeof(err));
        CHECK(code == EXIT_OK, "pipeline: %d %s", code, err);
        pipeline_free(&pl);
    }

    {
        size_t nb = 0, diff = 0, first = 0, want = (size_t)channels * n;
        float *x = read_wav(out, &nb);
        double worst = 0, a = 0, b = 0;
        CHECK(x && nb == want, "%d channels: music-out holds %zu floats, "
              "want %zu", channels, nb, want);
        for (size_t i = 0; x && i < nb && i < want; i++) {
            float ref = ep[i % channels][i / channels];
            if (x[i] != ref) {
                if (!diff++)
                    first = i / channels;
                if (fabs(x[i] - ref) > worst)
                    worst = fabs(x[i] - ref);
            }
        }
        CHECK(diff == 0, "%d channels, below %g, spectral %d: %zu samples "
              "differ from the engine (first at %zu, worst %.3g = %.1f dBFS)",
              channels, below, spectral, diff, first, worst,
              20 * log10(worst + 1e-30));
        /* and the music was ducked at all (fixed depth: relative depth may
         * find this quiet music low enough already) */
        for (int k = (int)(2.0 * RATE); x && nb == want && k < (int)(3.0 * RATE); k++)
            a += (double)x[(size_t)channels * k] * x[(size_t)channels * k],
            b += (double)mp[0][k] * mp[0][k];
        /* (adaptive: only the bands the voice masks, and two thirds of
         * white noise lie above 8 kHz, where carving never reaches) */
        CHECK(x && (below > 0 || a < b * (spectral == DD_SPECTRAL_ADAPTIVE ?
                                          0.99 : 0.5)),
              "%d channels: music under the line moved "
              "%.1f dB", channels, 10 * log10(a / b));
        free(x);
    }
    check_mix(mixp, ep, d, channels, n);

    unlink(dlg);
    unlink(mixp);
    unlink(mus);
    unlink(out);
    for (int c = 0; c < channels; c++) {
        free(mp[c]);
        free(ep[c]);
    }
    free(d);
    free(m);
}

int main(void)
{
    char dir[] = "/tmp/dd_music_out.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    run_case(dir, 2, 0, 0);     /* stereo, fixed depth */
    run_case(dir, 6, 0, 0);     /* 5.1 */
    run_case(dir, 2, 8, 0);     /* relative depth */
    /* The renderer holds spectral music back by its latency: the program
     * flushes it and keeps its output as long and as aligned as the
     * engine's. */
    run_case(dir, 2, 8, 1);     /* relative depth, spectral */
    /* Adaptive carving: the renderer also reads the dialogue bus, in both
     * passes, as the engine reads its dialogue input. */
    run_case(dir, 2, 0, DD_SPECTRAL_ADAPTIVE);
    run_case(dir, 6, 8, DD_SPECTRAL_ADAPTIVE);
    rmdir(dir);
    return check_summary();
}
