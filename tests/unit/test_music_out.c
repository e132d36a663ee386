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

int main(void)
{
    char dir[] = "/tmp/dd_music_out.XXXXXX", dlg[256], mus[256], out[256];
    const int n = 8 * RATE;
    float *d = calloc(n, sizeof(float)), *m = calloc(2 * (size_t)n, sizeof(float));
    float *m0 = calloc(n, sizeof(float)), *m1 = calloc(n, sizeof(float));
    float *e0 = calloc(n + RATE, sizeof(float)), *e1 = calloc(n + RATE, sizeof(float));
    uint32_t seed = 12345;
    DDEngine *e = NULL;
    DDParams p;
    int got = 0, ret;

    if (!mkdtemp(dir) || !d || !m || !m0 || !m1 || !e0 || !e1)
        return 1;
    snprintf(dlg, sizeof(dlg), "%s/dlg.wav", dir);
    snprintf(mus, sizeof(mus), "%s/music.wav", dir);
    snprintf(out, sizeof(out), "%s/out.wav", dir);

    /* Dialogue: two lines of a buzzy 180 Hz tone; music: stereo noise. */
    for (int k = 0; k < n; k++) {
        double t = (double)k / RATE;
        int on = (t > 1.5 && t < 3.2) || (t > 4.1 && t < 6.0);
        d[k] = on ? 0.3f * (float)pow(fabs(sin(2 * M_PI * 180 * t)), 4) : 0.0f;
        for (int c = 0; c < 2; c++) {
            seed = seed * 1664525u + 1013904223u;
            m[2 * k + c] = 0.1f * ((float)(seed >> 8) / (1 << 24) - 0.5f);
        }
        m0[k] = m[2 * k];
        m1[k] = m[2 * k + 1];
    }
    CHECK(!write_wav(dlg, d, 1, n) && !write_wav(mus, m, 2, n), "writing stems");

    /* The filter's engine, one pass. */
    dd_params_default(&p);
    ret = dd_engine_create(&e, &p, RATE, 2, 1, -1, NULL);
    CHECK(ret == DD_OK, "dd_engine_create: %d", ret);
    if (e) {
        const float *dp[1] = { d }, *mp[2] = { m0, m1 };
        float *op[2] = { e0, e1 };
        for (int k = 0; k < n; k += 1000) {
            int len = n - k < 1000 ? n - k : 1000;
            const float *dv[1] = { dp[0] + k }, *mv[2] = { mp[0] + k, mp[1] + k };
            float *ov[2] = { op[0] + got, op[1] + got };
            ret = dd_engine_process(e, mv, dv, len, ov);
            if (ret < 0)
                break;
            got += ret;
        }
        {
            float *ov[2] = { op[0] + got, op[1] + got };
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
                         "--music-out", out, "--loudness", "off", NULL };
        CliOptions o;
        Pipeline pl;
        char err[1024] = "";
        int code = cli_parse(&o, 10, argv);
        CHECK(code == -1, "cli_parse: %d", code);
        code = pipeline_open(&pl, &o, err, sizeof(err));
        if (code == EXIT_OK)
            code = pipeline_analyze(&pl, err, sizeof(err));
        if (code == EXIT_OK)
            code = pipeline_render(&pl, err, sizeof(err));
        CHECK(code == EXIT_OK, "pipeline: %d %s", code, err);
        pipeline_free(&pl);
    }

    {
        size_t nb = 0, diff = 0, first = 0;
        float *x = read_wav(out, &nb);
        double worst = 0;
        CHECK(x && nb == 2 * (size_t)n, "music-out holds %zu floats, want %d",
              nb, 2 * n);
        for (size_t i = 0; x && i < nb && i < 2 * (size_t)n; i++) {
            float ref = (i & 1) ? e1[i / 2] : e0[i / 2];
            if (x[i] != ref) {
                if (!diff++)
                    first = i / 2;
                if (fabs(x[i] - ref) > worst)
                    worst = fabs(x[i] - ref);
            }
        }
        CHECK(diff == 0, "%zu samples differ from the engine (first at %zu, "
              "worst %.3g = %.1f dBFS)", diff, first, worst,
              20 * log10(worst + 1e-30));
        /* and the music was ducked at all */
        {
            double a = 0, b = 0;
            for (int k = (int)(2.0 * RATE); k < (int)(3.0 * RATE); k++)
                a += (double)x[2 * k] * x[2 * k], b += (double)m0[k] * m0[k];
            CHECK(x && 10 * log10(a / b) < -12, "music under the line moved "
                  "%.1f dB", 10 * log10(a / b));
        }
        free(x);
    }

    unlink(dlg);
    unlink(mus);
    unlink(out);
    rmdir(dir);
    free(d); free(m); free(m0); free(m1); free(e0); free(e1);
    return check_summary();
}
