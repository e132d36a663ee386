/*
 * dialogueduck engine: adaptive carving of the music under the voice
 *
 * This file is part of dialogueduck.
 *
 * dialogueduck is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * dialogueduck is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with dialogueduck; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
 */

/*
 * Adaptive mode lowers the music, band by band, only as much as it masks
 * the dialogue there: in each of 24 bands on the ERB-rate scale from
 * 150 Hz to 8 kHz the music is brought to `unmask` dB (plus a 0.5 dB
 * margin) under the dialogue, never deeper than `depth`, and left alone
 * where the dialogue has no energy (under -80 dBFS, or 50 dB under its
 * loudest band: wide, because a frame a little longer or later than ours
 * sees the dialogue's weak bands stronger).
 *
 * An STFT of about 20 ms (1024 points at 48 kHz, half overlap,
 * sqrt-Hann analysis and synthesis windows, whose squares sum to one)
 * gives the band energies of the dialogue and of the music (the mean of
 * its channels, as a listener hears the mix) in the same frames, measured
 * through a Hann window (the square of the synthesis window: less leakage
 * from loud bands into weak ones). The gains are spread onto the bins
 * between band centres, never shallower inside a band than the band's. The
 * gain of a band at frame k is the lowest that any of the next `ahead`
 * frames asks for, relaxed by the fall rate per frame of distance, and
 * moves at most FALL dB down or RISE dB up per 10 ms: the cut is in
 * place when a syllable starts, and the bands breathe without musical
 * noise. A band is never more than SPREAD dB shallower than its
 * neighbours.
 *
 * The carver writes mid = (x - carved) / (1 - depth): the renderer's
 * x + (g - 1) * mid (as for the fixed band) is then the carved music
 * where the broadband envelope is at depth, the music itself where it is
 * at 0 dB (outside lines: bit-transparent), and a cross-fade of the two,
 * in phase, during its fades. x - carved is the resynthesis of the
 * spectrum times (1 - gain), so bins the carver leaves alone give exact
 * zeros.
 *
 * It reads the dialogue (ahead + 2) hops ahead of the music it writes:
 * that is its latency, hidden in the engine's lookahead like the band's.
 * Frames are cut at fixed sample positions: the output depends on the
 * samples only, never on the block sizes. Exact zeros in give exact zeros
 * out; no state decays.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define NBANDS   24
#define BAND_LO  150.0          /* Hz */
#define BAND_HI  8000.0
#define FLOOR    1e-8           /* -80 dBFS, energy per band */
#define RANGE    1e-5           /* bands within 50 dB of the loudest */
#define AHEAD    0.3            /* s the gains look ahead: FALL * AHEAD
                                   covers a 36 dB cut */
#define FALL     1.2            /* dB per 10 ms, down */
#define RISE     0.3            /* dB per 10 ms, up */
#define SPREAD   6.0            /* dB between neighbouring bands */
#define MARGIN   0.5            /* dB over unmask: a 21 ms frame's energy
                                   is not the same as a listener's */

struct DDCarve {
    int n, hop, ahead, latency, channels, dchannels, center;
    int mask;                   /* ring size - 1 (a power of two) */
    DDFFT *fft;
    float *win, *hann;          /* sqrt-Hann (synthesis), Hann (energies) */
    int edge[NBANDS + 1];       /* band edges in bins */
    float **x, **mid, *d;       /* rings: music, output, dialogue (mono) */
    float *frame, *fac;         /* n; per-bin factor, n / 2 + 1 */
    float *req;                 /* (ahead + 1) frames of NBANDS gains, dB */
    float gain[NBANDS];         /* the gains of the last frame written */
    double fall, rise;          /* dB per hop */
    double depth, target;       /* dB; linear energy ratio */
    int64_t q;                  /* samples pushed, with a hop of zeros first */
};

static int frame_size(int sample_rate)
{
    int n = 64;

    while (n < 0.02 * sample_rate)
        n *= 2;
    return n;
}

int dd_carve_latency_for(int sample_rate)
{
    int hop = frame_size(sample_rate) / 2;

    return (int)lrint(AHEAD * sample_rate / hop + 2) * hop;
}

static void make_bands(DDCarve *c, int sample_rate)
{
    double hi = BAND_HI < 0.45 * sample_rate ? BAND_HI : 0.45 * sample_rate;
    double elo = 21.4 * log10(1 + 0.00437 * BAND_LO);
    double ehi = 21.4 * log10(1 + 0.00437 * hi);

    for (int b = 0; b <= NBANDS; b++) {
        double e = elo + (ehi - elo) * b / NBANDS;
        double f = (pow(10, e / 21.4) - 1) / 0.00437;
        c->edge[b] = (int)lrint(f * c->n / sample_rate);
    }
    for (int i = 0; i < c->n; i++) {
        c->win[i] = (float)sin(DD_PI * i / c->n);
        c->hann[i] = c->win[i] * c->win[i];
    }
}

static float **alloc_rings(const DDAllocator *al, int channels, int n)
{
    float **r = dd_alloc_array(al, channels, sizeof(*r));

    for (int i = 0; r && i < channels; i++)
        if (!(r[i] = dd_alloc_array(al, n, sizeof(**r))))
            return r;       /* dd_carve_free() frees what was made */
    return r;
}

static int rings_ok(float **r, int channels)
{
    for (int i = 0; r && i < channels; i++)
        if (!r[i])
            return 0;
    return r != NULL;
}

static void free_rings(const DDAllocator *al, float **r, int channels)
{
    for (int i = 0; r && i < channels; i++)
        dd_free(al, r[i]);
    dd_free(al, r);
}

static void set_sizes(DDCarve *c, int sample_rate, int channels,
                      int dchannels, int center)
{
    int size = 1;

    c->n = frame_size(sample_rate);
    c->hop = c->n / 2;
    c->latency = dd_carve_latency_for(sample_rate);
    c->ahead = c->latency / c->hop - 2;
    while (size < c->latency + c->n)
        size *= 2;
    c->mask = size - 1;
    c->channels = channels;
    c->dchannels = dchannels;
    c->center = center < dchannels ? center : -1;
    c->fall = FALL * c->hop * 100.0 / sample_rate;
    c->rise = RISE * c->hop * 100.0 / sample_rate;
    c->q = c->hop;
}

int dd_carve_create(DDCarve **out, int sample_rate, int channels,
                    int dchannels, int center, double depth, double unmask,
                    const DDAllocator *al)
{
    DDCarve *c;
    int ret;

    *out = NULL;
    if (sample_rate < 1000 || channels < 1 || dchannels < 1)
        return DD_ERROR_INVAL;
    if (!(c = dd_alloc(al, sizeof(*c))))
        return DD_ERROR_NOMEM;
    set_sizes(c, sample_rate, channels, dchannels, center);
    dd_carve_set(c, depth, unmask);
    if ((ret = dd_fft_create(&c->fft, c->n, al)) < 0) {
        dd_carve_free(&c, al);
        return ret;
    }
    c->win = dd_alloc_array(al, c->n, sizeof(*c->win));
    c->hann = dd_alloc_array(al, c->n, sizeof(*c->hann));
    c->frame = dd_alloc_array(al, c->n, sizeof(*c->frame));
    c->fac = dd_alloc_array(al, c->n / 2 + 1, sizeof(*c->fac));
    c->req = dd_alloc_array(al, (size_t)(c->ahead + 1) * NBANDS,
                            sizeof(*c->req));
    c->d = dd_alloc_array(al, c->mask + 1, sizeof(*c->d));
    c->x = alloc_rings(al, channels, c->mask + 1);
    c->mid = alloc_rings(al, channels, c->mask + 1);
    if (!c->win || !c->hann || !c->frame || !c->fac || !c->req || !c->d ||
        !rings_ok(c->x, channels) || !rings_ok(c->mid, channels)) {
        dd_carve_free(&c, al);
        return DD_ERROR_NOMEM;
    }
    make_bands(c, sample_rate);
    *out = c;
    return DD_OK;
}

void dd_carve_free(DDCarve **pc, const DDAllocator *al)
{
    DDCarve *c = *pc;

    if (!c)
        return;
    dd_fft_free(&c->fft, al);
    dd_free(al, c->win);
    dd_free(al, c->hann);
    dd_free(al, c->frame);
    dd_free(al, c->fac);
    dd_free(al, c->req);
    dd_free(al, c->d);
    free_rings(al, c->x, c->channels);
    free_rings(al, c->mid, c->channels);
    dd_free(al, c);
    *pc = NULL;
}

void dd_carve_set(DDCarve *c, double depth, double unmask)
{
    c->depth = depth;
    c->target = pow(10.0, (unmask + MARGIN) / 10.0);
}

int dd_carve_latency(const DDCarve *c)
{
    return c->latency;
}

/* The frame of n samples from at in ring r (NULL: the mean of the music
 * channels), windowed by w, into c->frame, transformed. */
static void load(DDCarve *c, const float *r, int64_t at, const float *w)
{
    for (int i = 0; i < c->n; i++) {
        int slot = (int)((at + i) & c->mask);
        float v = 0.0f;
        if (r) {
            v = r[slot];
        } else {
            for (int ch = 0; ch < c->channels; ch++)
                v += c->x[ch][slot];
            v /= c->channels;
        }
        c->frame[i] = v * w[i];
    }
    dd_fft_forward(c->fft, c->frame);
}

/* Band energies of c->frame (Hann window), per 1/N as a listener's
 * meter of the same frame would read them. */
static void energies(const DDCarve *c, double *e)
{
    const float *f = c->frame;

    for (int b = 0; b < NBANDS; b++) {
        double s = 0.0;
        for (int k = c->edge[b]; k < c->edge[b + 1]; k++)
            s += (double)f[2 * k] * f[2 * k] + (double)f[2 * k + 1] * f[2 * k + 1];
        e[b] = s * 4.0 / ((double)c->n * c->n);
    }
}

/* Limit each band to SPREAD dB above its neighbours, both ways. */
static void spread(float *g)
{
    for (int b = 1; b < NBANDS; b++)
        if (g[b] > g[b - 1] + SPREAD)
            g[b] = (float)(g[b - 1] + SPREAD);
    for (int b = NBANDS - 2; b >= 0; b--)
        if (g[b] > g[b + 1] + SPREAD)
            g[b] = (float)(g[b + 1] + SPREAD);
}

/* The gains the frame ending at q asks for, into req. */
static void analyse(DDCarve *c, float *req)
{
    double ed[NBANDS], em[NBANDS], top = 0.0;
    int any = 0;

    load(c, c->d, c->q - c->n, c->hann);
    energies(c, ed);
    for (int b = 0; b < NBANDS; b++)
        top = ed[b] > top ? ed[b] : top;
    for (int b = 0; b < NBANDS; b++)
        any |= ed[b] > FLOOR && ed[b] > top * RANGE;
    memset(req, 0, NBANDS * sizeof(*req));
    if (!any || c->depth >= 0.0)
        return;
    load(c, NULL, c->q - c->n, c->hann);
    energies(c, em);
    for (int b = 0; b < NBANDS; b++) {
        double g;
        if (!(ed[b] > FLOOR && ed[b] > top * RANGE) || !(em[b] > 0.0))
            continue;
        g = 10.0 * log10(ed[b] / (em[b] * c->target));
        g = g < c->depth ? c->depth : g;
        req[b] = g < 0.0 ? (float)g : 0.0f;
    }
    spread(req);
}

/* The gains of frame k: the deepest of the next frames asks for, relaxed
 * by the fall rate per frame away, then rate limited. 1 if any is < 0. */
static int frame_gains(DDCarve *c, int64_t k)
{
    int cut = 0;

    for (int b = 0; b < NBANDS; b++) {
        double m = 0.0, prev = c->gain[b];
        for (int i = 0; i <= c->ahead; i++) {
            double v = c->req[((k + i) % (c->ahead + 1)) * NBANDS + b] +
                       c->fall * i;
            m = v < m ? v : m;
        }
        m = m < prev - c->fall ? prev - c->fall : m;
        m = m > prev + c->rise ? prev + c->rise : m;
        m = m < c->depth ? c->depth : m;
        c->gain[b] = m < 0.0 ? (float)m : 0.0f;
        cut |= c->gain[b] < 0.0f;
    }
    return cut;
}

/* Per-bin factors (1 - gain) / (1 - depth). The gain in dB is
 * interpolated between the bands' centres, falling to 0 dB half a band
 * beyond the outer ones, and never shallower inside a band than the
 * band's: a deeper band reaches its edge, and its neighbour slopes up
 * from there (no sharp step for the windows to smear). */
static void bin_factors(DDCarve *c)
{
    double scale = 1.0 / (1.0 - pow(10.0, c->depth / 20.0));
    double x0 = 0.5 * c->edge[0], g0 = 0.0;
    int band = -1;

    memset(c->fac, 0, (c->n / 2 + 1) * sizeof(*c->fac));
    for (int b = 0; b <= NBANDS; b++) {
        double x1 = b < NBANDS ? 0.5 * (c->edge[b] + c->edge[b + 1]) :
                    1.5 * c->edge[NBANDS] - 0.5 * c->edge[NBANDS - 1];
        double g1 = b < NBANDS ? c->gain[b] : 0.0;
        for (int k = (int)ceil(x0); k < x1 && k <= c->n / 2; k++) {
            double g = x1 > x0 ? g0 + (g1 - g0) * (k - x0) / (x1 - x0) : g1;
            while (band < NBANDS && k >= c->edge[band + 1])
                band++;
            if (band >= 0 && band < NBANDS && c->gain[band] < g)
                g = c->gain[band];
            c->fac[k] = (float)((1.0 - pow(10.0, g / 20.0)) * scale);
        }
        x0 = x1;
        g0 = g1;
    }
}

/* Frame k (from sample k * hop) of every channel: its spectrum times the
 * factors, back and windowed, overlap-added into mid (cut 0: zeros). */
static void synthesize(DDCarve *c, int64_t k, int cut)
{
    int64_t at = k * c->hop;
    int s0 = (int)(at & c->mask), s1 = (int)((at + c->hop) & c->mask);
    float norm = 2.0f / c->n;

    if (cut)
        bin_factors(c);
    for (int ch = 0; ch < c->channels; ch++) {
        float *m = c->mid[ch], *f = c->frame;
        if (!cut) {
            memset(m + s1, 0, c->hop * sizeof(*m));
            continue;
        }
        load(c, c->x[ch], at, c->win);
        f[0] *= c->fac[0];
        f[1] *= c->fac[c->n / 2];
        for (int i = 1; i < c->n / 2; i++) {
            f[2 * i] *= c->fac[i];
            f[2 * i + 1] *= c->fac[i];
        }
        dd_fft_inverse(c->fft, f);
        for (int i = 0; i < c->hop; i++) {
            m[s0 + i] += f[i] * c->win[i] * norm;
            m[s1 + i] = f[c->hop + i] * c->win[c->hop + i] * norm;
        }
    }
}

/* A hop boundary: analyse the newest frame, write the one `ahead` back. */
static void hop_done(DDCarve *c)
{
    int64_t j = c->q / c->hop - 2, k = j - c->ahead;

    if (j < 0)
        return;
    analyse(c, c->req + (j % (c->ahead + 1)) * NBANDS);
    if (k >= 0)
        synthesize(c, k, frame_gains(c, k));
}

/* n samples (within one hop) of the inputs at offset into the rings. */
static void take(DDCarve *c, const float *const *in, const float *const *dlg,
                 int offset, int n)
{
    int slot = (int)(c->q & c->mask);

    for (int ch = 0; ch < c->channels; ch++)
        if (in)
            memcpy(c->x[ch] + slot, in[ch] + offset, n * sizeof(float));
        else
            memset(c->x[ch] + slot, 0, n * sizeof(float));
    for (int i = 0; i < n; i++) {
        float v = 0.0f;
        if (dlg && c->center >= 0) {
            v = dlg[c->center][offset + i];
        } else if (dlg) {
            for (int ch = 0; ch < c->dchannels; ch++)
                v += dlg[ch][offset + i];
            v /= c->dchannels;
        }
        c->d[slot + i] = v;
    }
}

void dd_carve_push(DDCarve *c, const float *const *in,
                   const float *const *dlg, int n, float **xd, float **mid)
{
    for (int done = 0; done < n;) {
        int run = c->hop - (int)(c->q % c->hop), slot;
        int64_t pos;

        run = run < n - done ? run : n - done;
        take(c, in, dlg, done, run);
        /* the output of these inputs: latency back, before the hop prefix */
        pos = c->q - c->hop - c->latency;
        slot = (int)((pos + c->hop) & c->mask);
        for (int ch = 0; ch < c->channels; ch++) {
            if (pos < 0) {
                memset(mid[ch] + done, 0, run * sizeof(float));
                if (xd)
                    memset(xd[ch] + done, 0, run * sizeof(float));
                continue;
            }
            memcpy(mid[ch] + done, c->mid[ch] + slot, run * sizeof(float));
            if (xd)
                memcpy(xd[ch] + done, c->x[ch] + slot, run * sizeof(float));
        }
        c->q += run;
        done += run;
        if (c->q % c->hop == 0)
            hop_done(c);
    }
}
