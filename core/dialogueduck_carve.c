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
 * 150 Hz to 8 kHz the music is brought to `unmask` dB (plus a 2.5 dB
 * margin) under the dialogue, never deeper than `depth`, and left alone
 * where the dialogue has no energy (under -80 dBFS, or 40 dB under its
 * loudest band: wider than the 30 dB the eval counts, because a frame
 * a little later than ours sees the dialogue's weak bands stronger).
 *
 * An STFT of about 43 ms (2048 points at 48 kHz, half overlap,
 * sqrt-Hann analysis and synthesis windows, whose squares sum to one)
 * gives the band energies of the dialogue and of the music (the mean of
 * its channels, as a listener hears the mix) in the same frames, measured
 * through a Hann window (the square of the synthesis window: less leakage
 * from loud bands into weak ones). 43 ms, not 21: the lowest bands are
 * 50 Hz wide, and a 21 ms frame's bins (47 Hz, a main lobe of +-94 Hz)
 * read the music's bass there, not the band. These are the frames and
 * bands the eval's scorer (tests/eval/spectral_score.c) measures with.
 * Each transform is complex and carries
 * two real signals: the dialogue and the music for the energies (skipped
 * when the dialogue frame is too weak for any band to count: between
 * clips), two music channels for the carving (the per-bin factors are
 * real and even, so they apply to the packed spectrum as it is, in the
 * FFT's own bin order). The gains are spread onto the bins between band
 * centres (positions computed at creation), never shallower inside a
 * band than the band's; the lowest band's gain also covers the two bins
 * under it, which its Hann-windowed energy takes in (the main lobe),
 * so the bass that reads as music in that band comes down with it. The
 * gain of a band at frame k is the lowest that any of the next `ahead`
 * frames asks for, relaxed by the fall rate per frame of distance, and
 * moves at most that fall rate down or the rise rate up per 10 ms: the
 * cut is in place when a syllable starts, and the bands breathe without
 * musical noise. A band is never more than SPREAD dB shallower than its
 * neighbours.
 *
 * The rates leave room for the envelope. What the listener gets in a
 * band is 1 - (1 - e)(1 - c) / (1 - d) (e the envelope's gain, c the
 * carver's, d the depth's), and its change in dB is at most the change
 * of e plus that of c (each term's factor is <= 1). The envelope falls
 * at most 1 dB per 10 ms (the planner's steepest late fade,
 * DD_FADE_MAX_SLOPE; |depth| / attack when a user sets an attack shorter
 * than that allows) and rises at |depth| / release: the carver takes
 * what is left of STEP dB per 10 ms (down: FALL; up: within
 * RISE_MIN..RISE), so that the two moving at once, in a fade that meets
 * a syllable, stay under STEP.
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
#define RANGE    1e-4           /* bands within 40 dB of the loudest */
#define AHEAD    0.3            /* s the gains look ahead */
#define STEP     1.5            /* dB per 10 ms: the most a band moves,
                                   envelope and carver together */
#define FALL     (STEP - DD_FADE_MAX_SLOPE / 100.0) /* dB per 10 ms, down:
                                   0.5, AHEAD covers a 15 dB cut */
#define RISE     0.3            /* dB per 10 ms, up, at most */
#define RISE_MIN 0.1            /* dB per 10 ms, up, at least */
#define SPREAD   6.0            /* dB between neighbouring bands */
#define DB_LN    0.11512925464970228  /* ln(10) / 20: dB to a gain by exp() */
#define MARGIN   2.5            /* dB over unmask: a frame's energy is not
                                   the same as a listener's (frames
                                   elsewhere in time, gains overlap-added) */
#define LOBE     2              /* bins: the Hann window's main lobe */

struct DDCarve {
    int n, hop, ahead, latency, channels, dchannels, center, sample_rate;
    int mask;                   /* ring size - 1 (a power of two) */
    DDFFT *fft;
    const int *pos;             /* pos[k]: where the FFT leaves bin k */
    float *win, *hann;          /* sqrt-Hann (synthesis), Hann (energies) */
    int edge[NBANDS + 1];       /* band edges in bins */
    float **x, **mid;           /* rings: music, output */
    float *d, *xm;              /* rings: dialogue, music (mono) */
    float *re, *im;             /* a frame: n complex values (one block) */
    float *fac;                 /* per-bin factors, in the FFT's order */
    int *seg;                   /* bins 0..n/2: the band centre on the left
                                   (0: the 0 dB point below the first,
                                   b + 1: band b), -1 outside */
    int *own;                   /* bins 0..n/2: their band, -1 outside */
    float *wt;                  /* bins 0..n/2: weight of the right centre */
    double step[NBANDS + 1];    /* per segment: wt from one bin to the next */
    float *req;                 /* (ahead + 1) frames of NBANDS gains, dB */
    float gain[NBANDS];         /* the gains of the last frame written */
    float fgain[NBANDS];        /* the gains fac was computed for */
    int fac_ok;                 /* fac is for fgain and depth */
    double fall, rise;          /* dB per hop */
    double depth, target;       /* dB; linear energy ratio */
    double scale;               /* 1 / (1 - depth as a gain) */
    int64_t q;                  /* samples pushed, with a hop of zeros first */
};

static int frame_size(int sample_rate)
{
    int n = 64;

    while (n < 0.04 * sample_rate)
        n *= 2;
    return n;
}

int dd_carve_latency_for(int sample_rate)
{
    int hop = frame_size(sample_rate) / 2;

    return (int)lrint(AHEAD * sample_rate / hop + 2) * hop;
}

/*
 * Where each bin takes its gain from: the gain in dB is interpolated
 * between the bands' centres, falling to 0 dB half a band beyond the
 * outer ones (seg, wt), and never shallower inside a band than the
 * band's (own): a deeper band reaches its edge, and its neighbour slopes
 * up from there (no sharp step for the windows to smear). The lowest
 * band owns the LOBE bins under it too.
 */
static void bin_tables(DDCarve *c)
{
    double x0 = 0.5 * c->edge[0];
    int band = -1;

    for (int k = 0; k <= c->n / 2; k++)
        c->seg[k] = c->own[k] = -1;
    for (int b = 0; b <= NBANDS; b++) {
        double x1 = b < NBANDS ? 0.5 * (c->edge[b] + c->edge[b + 1]) :
                    1.5 * c->edge[NBANDS] - 0.5 * c->edge[NBANDS - 1];
        c->step[b] = x1 > x0 ? 1.0 / (x1 - x0) : 0.0;
        for (int k = (int)ceil(x0); k < x1 && k <= c->n / 2; k++) {
            while (band < NBANDS && k >= c->edge[band + 1])
                band++;
            c->seg[k] = b;
            c->wt[k] = x1 > x0 ? (float)((k - x0) / (x1 - x0)) : 1.0f;
            c->own[k] = band < 0 && k >= c->edge[0] - LOBE ? 0 :
                        band >= 0 && band < NBANDS ? band : -1;
        }
        x0 = x1;
    }
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
    bin_tables(c);
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
    c->sample_rate = sample_rate;
    c->q = c->hop;
}

int dd_carve_create(DDCarve **out, int sample_rate, int channels,
                    int dchannels, int center, const DDParams *p,
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
    dd_carve_set(c, p);
    if ((ret = dd_fft_create(&c->fft, c->n, al)) < 0) {
        dd_carve_free(&c, al);
        return ret;
    }
    c->pos = dd_fft_order(c->fft);
    c->win = dd_alloc_array(al, c->n, sizeof(*c->win));
    c->hann = dd_alloc_array(al, c->n, sizeof(*c->hann));
    c->re = dd_alloc_array(al, 2 * (size_t)c->n, sizeof(*c->re));
    c->im = c->re ? c->re + c->n : NULL;
    c->fac = dd_alloc_array(al, c->n, sizeof(*c->fac));
    c->seg = dd_alloc_array(al, c->n / 2 + 1, sizeof(*c->seg));
    c->own = dd_alloc_array(al, c->n / 2 + 1, sizeof(*c->own));
    c->wt = dd_alloc_array(al, c->n / 2 + 1, sizeof(*c->wt));
    c->req = dd_alloc_array(al, (size_t)(c->ahead + 1) * NBANDS,
                            sizeof(*c->req));
    c->d = dd_alloc_array(al, c->mask + 1, sizeof(*c->d));
    c->xm = dd_alloc_array(al, c->mask + 1, sizeof(*c->xm));
    c->x = alloc_rings(al, channels, c->mask + 1);
    c->mid = alloc_rings(al, channels, c->mask + 1);
    if (!c->win || !c->hann || !c->re || !c->fac ||
        !c->seg || !c->own || !c->wt || !c->req || !c->d || !c->xm ||
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
    dd_free(al, c->re);
    dd_free(al, c->fac);
    dd_free(al, c->seg);
    dd_free(al, c->own);
    dd_free(al, c->wt);
    dd_free(al, c->req);
    dd_free(al, c->d);
    dd_free(al, c->xm);
    free_rings(al, c->x, c->channels);
    free_rings(al, c->mid, c->channels);
    dd_free(al, c);
    *pc = NULL;
}

void dd_carve_set(DDCarve *c, const DDParams *p)
{
    double per_hop = c->hop * 100.0 / c->sample_rate;  /* 10 ms to a hop */
    double up = p->release > 0.0 ? STEP + p->depth / (p->release * 100.0) :
                RISE_MIN;   /* what the release leaves of STEP */

    up = up < RISE_MIN ? RISE_MIN : up > RISE ? RISE : up;
    c->depth = p->depth;
    c->target = pow(10.0, (p->unmask + MARGIN) / 10.0);
    c->scale = 1.0 / (1.0 - pow(10.0, p->depth / 20.0));
    c->fall = FALL * per_hop;
    c->rise = up * per_hop;
    c->fac_ok = 0;
}

int dd_carve_latency(const DDCarve *c)
{
    return c->latency;
}

/* The frame of n samples from at of ring r (NULL: zeros), windowed by
 * w, into z. */
static void load(const DDCarve *c, float *z, const float *r, int64_t at,
                 const float *w)
{
    for (int i = 0; i < c->n; i++)
        z[i] = r ? r[(at + i) & c->mask] * w[i] : 0.0f;
}

/* The dialogue frame from at (Hann window) into the real parts of
 * the frame; 0 if no band of it can reach FLOOR. Parseval: the bands
 * (positive frequencies) hold at most half the frame's energy, so they
 * sum to at most 2 / n times the windowed samples' (half of that, to
 * leave float rounding out of the decision). */
static int load_dialogue(DDCarve *c, int64_t at)
{
    double sum = 0.0;

    for (int i = 0; i < c->n; i++) {
        float v = c->d[(at + i) & c->mask] * c->hann[i];
        c->re[i] = v;
        sum += (double)v * v;
    }
    return sum * 2.0 / c->n >= 0.5 * FLOOR;
}

/* Band energies of the real (ed) and imaginary (em) signals packed in
 * the transformed frame, per 1/N as a listener's meter of the same
 * frame would read them: Z[k] +- conj Z[n - k] is twice either's bin. */
static void energies(const DDCarve *c, double *ed, double *em)
{
    const float *re = c->re, *im = c->im;

    for (int b = 0; b < NBANDS; b++) {
        double sd = 0.0, sm = 0.0;
        for (int k = c->edge[b]; k < c->edge[b + 1]; k++) {
            int p = c->pos[k], q = c->pos[c->n - k];
            double dr = (double)re[p] + re[q], di = (double)im[p] - im[q];
            double mr = (double)im[p] + im[q], mi = (double)re[p] - re[q];
            sd += dr * dr + di * di;
            sm += mr * mr + mi * mi;
        }
        ed[b] = sd / ((double)c->n * c->n);
        em[b] = sm / ((double)c->n * c->n);
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

    memset(req, 0, NBANDS * sizeof(*req));
    if (c->depth >= 0.0 || !load_dialogue(c, c->q - c->n))
        return;
    load(c, c->im, c->xm, c->q - c->n, c->hann);
    dd_fft_forward(c->fft, c->re, c->im);
    energies(c, ed, em);
    for (int b = 0; b < NBANDS; b++)
        top = ed[b] > top ? ed[b] : top;
    for (int b = 0; b < NBANDS; b++)
        any |= ed[b] > FLOOR && ed[b] > top * RANGE;
    if (!any)
        return;
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
    double low[NBANDS] = { 0 };
    int cut = 0;

    for (int i = 0; i <= c->ahead; i++) {
        const float *r = c->req + ((k + i) % (c->ahead + 1)) * NBANDS;
        for (int b = 0; b < NBANDS; b++) {
            double v = r[b] + c->fall * i;
            low[b] = v < low[b] ? v : low[b];
        }
    }
    for (int b = 0; b < NBANDS; b++) {
        double m = low[b], prev = c->gain[b];
        m = m < prev - c->fall ? prev - c->fall : m;
        m = m > prev + c->rise ? prev + c->rise : m;
        m = m < c->depth ? c->depth : m;
        c->gain[b] = m < 0.0 ? (float)m : 0.0f;
        cut |= c->gain[b] < 0.0f;
    }
    return cut;
}

/* Per-bin factors (1 - gain) / (1 - depth) into fac, at bins k and
 * n - k (the FFT's order), from the tables of bin_tables(); kept while
 * the gains stay. Inside a segment the gain in dB is linear in the bin: as a
 * factor, a geometric sequence (one exp() per segment, not per bin). */
static void bin_factors(DDCarve *c)
{
    double g[NBANDS + 2] = { 0 }, own[NBANDS], lin = 1.0, ratio = 1.0;
    int prev = -1;

    if (c->fac_ok && !memcmp(c->fgain, c->gain, sizeof(c->gain)))
        return;
    memcpy(c->fgain, c->gain, sizeof(c->gain));
    c->fac_ok = 1;
    for (int b = 0; b < NBANDS; b++) {
        g[b + 1] = c->gain[b];
        own[b] = exp(c->gain[b] * DB_LN);
    }
    for (int k = 0; k <= c->n / 2; k++) {
        int s = c->seg[k], b = c->own[k];
        float v = 0.0f;
        if (s < 0) {
            c->fac[c->pos[k]] = c->fac[c->pos[(c->n - k) % c->n]] = v;
            continue;
        }
        if (s != prev) {
            lin = exp((g[s] + (g[s + 1] - g[s]) * c->wt[k]) * DB_LN);
            ratio = exp((g[s + 1] - g[s]) * c->step[s] * DB_LN);
            prev = s;
        } else {
            lin *= ratio;
        }
        v = (float)((1.0 - (b >= 0 && own[b] < lin ? own[b] : lin)) *
                    c->scale);
        c->fac[c->pos[k]] = c->fac[c->pos[(c->n - k) % c->n]] = v;
    }
}

/* The inverse transform in the frame, windowed, into rings m0 (real
 * parts) and m1 (imaginary, unless NULL): added over hop samples from s0,
 * stored over the next hop from s1. */
static void overlap_add(DDCarve *c, float *m0, float *m1, int s0, int s1)
{
    const float *w = c->win, *w1 = c->win + c->hop;
    float norm = 1.0f / c->n;

    for (int i = 0; i < c->hop; i++) {
        m0[s0 + i] += c->re[i] * w[i] * norm;
        m0[s1 + i] = c->re[c->hop + i] * w1[i] * norm;
    }
    for (int i = 0; m1 && i < c->hop; i++) {
        m1[s0 + i] += c->im[i] * w[i] * norm;
        m1[s1 + i] = c->im[c->hop + i] * w1[i] * norm;
    }
}

/* Frame k (from sample k * hop) of every channel, two at a time: their
 * spectrum times the factors, back and windowed, overlap-added into mid
 * (cut 0: zeros). */
static void synthesize(DDCarve *c, int64_t k, int cut)
{
    int64_t at = k * c->hop;
    int s0 = (int)(at & c->mask), s1 = (int)((at + c->hop) & c->mask);

    if (cut)
        bin_factors(c);
    for (int ch = 0; ch < c->channels; ch += 2) {
        float *m0 = c->mid[ch];
        float *m1 = ch + 1 < c->channels ? c->mid[ch + 1] : NULL;
        if (!cut) {
            memset(m0 + s1, 0, c->hop * sizeof(*m0));
            if (m1)
                memset(m1 + s1, 0, c->hop * sizeof(*m1));
            continue;
        }
        load(c, c->re, c->x[ch], at, c->win);
        load(c, c->im, m1 ? c->x[ch + 1] : NULL, at, c->win);
        dd_fft_forward(c->fft, c->re, c->im);
        for (int i = 0; i < c->n; i++) {
            c->re[i] *= c->fac[i];
            c->im[i] *= c->fac[i];
        }
        dd_fft_inverse(c->fft, c->re, c->im);
        overlap_add(c, m0, m1, s0, s1);
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

/* The mean of channels planes at i. */
static float mean_at(const float *const *p, int channels, int i)
{
    float v = 0.0f;

    for (int ch = 0; ch < channels; ch++)
        v += p[ch][i];
    return v / channels;
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
        c->xm[slot + i] = in ? mean_at(in, c->channels, offset + i) : 0.0f;
        c->d[slot + i] = !dlg ? 0.0f : c->center >= 0 ?
                         dlg[c->center][offset + i] :
                         mean_at(dlg, c->dchannels, offset + i);
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
