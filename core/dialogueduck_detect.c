/*
 * dialogueduck engine: the dialogue detector
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
 * Where is dialogue? Level alone is not enough: room tone, breaths and
 * clicks must not duck the music, quiet first syllables must. Per 10 ms hop:
 *
 * - speech-band (150 Hz - 4 kHz) energy against an adaptive noise floor
 *   makes a hop a candidate;
 * - voicing (normalized autocorrelation in the 70-400 Hz pitch range on a
 *   1 kHz low-passed, decimated signal) confirms speech: breaths, noise
 *   bursts and clicks are not periodic;
 * - once confirmed, the onset walks back to where the energy first left the
 *   noise floor, which is where the first (often unvoiced) syllable starts;
 * - the region ends after a hangover of hops near the floor.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define VBUF          1024   /* decimated voicing samples kept (power of 2) */
#define EBUF          128    /* hop energies kept for walk-back (power of 2) */
#define ON_SNR        8.0    /* dB over the floor: candidate hop */
#define WALK_SNR      2.0    /* dB over the floor: still part of the onset */
#define WALK_GAP      3      /* hops under that margin the walk-back crosses */
#define OFF_SNR       6.0    /* dB over the floor: speech goes on */
#define VOICED_CORR   0.5    /* normalized autocorrelation peak: voiced */
#define CONFIRM_HOPS  4      /* voiced candidate hops ... */
#define CONFIRM_SPAN  8      /* ... within this many hops confirm speech */
#define HANGOVER_HOPS 25     /* hops near the floor that end a region */
#define FLOOR_RISE    0.02   /* dB per hop the floor may rise out of speech */
#define FLOOR_RISE_SPEECH 0.002
#define FLOOR_FALL    0.5    /* fraction of the way down per hop */
#define ENERGY_MIN_DB -120.0

struct DDDetector {
    int hop, pos;              /* samples per hop, position in the hop */
    int64_t hops;              /* completed hops */
    double threshold;          /* dBFS */
    int max_walkback;

    DDBiquad band_hp, band_lp; /* speech band */
    int band_decim, band_pos;  /* block averages down to about 16 kHz */
    double band_acc;
    int acc_n;                 /* band samples in this hop */
    DDBiquad voice_lp1, voice_lp2; /* at the voicing rate, about 8 kHz */
    int decim, decim_pos;
    double decim_acc;
    int win, lag_min, lag_max; /* voicing window and lags, decimated */
    float vbuf[VBUF];
    unsigned vpos;

    double acc;                /* band energy accumulated in this hop */
    double floor_db;
    double energy[EBUF];       /* band energy per hop, dB */
    unsigned voiced_bits;      /* voiced candidate flags, newest in bit 0 */

    int in_speech;
    int64_t last_above;        /* last hop above OFF_SNR in speech */
    int64_t prev_end;          /* end hop of the previous region */
};

int dd_detector_create(DDDetector **out, int sample_rate, double threshold,
                       int max_walkback_hops, const DDAllocator *al)
{
    DDDetector *d = dd_alloc(al, sizeof(*d));
    int brate, vrate;

    *out = NULL;
    if (!d)
        return DD_ERROR_NOMEM;
    d->hop = dd_hop_size(sample_rate);
    d->threshold = threshold;
    d->max_walkback = max_walkback_hops < EBUF - 1 ? max_walkback_hops
                                                   : EBUF - 1;
    /* The band is measured at about 16 kHz: block averages (a null at the
     * low rate, where aliases would land) then 150 Hz - 4 kHz. Voicing is
     * read at about 8 kHz: block averages of the band, then a 4th-order
     * Butterworth at 1 kHz. Cheap where it runs at the input rate. */
    d->band_decim = sample_rate / 16000 > 1 ? sample_rate / 16000 : 1;
    brate = sample_rate / d->band_decim;
    dd_biquad_highpass(&d->band_hp, 150.0, 0.7071, brate);
    dd_biquad_lowpass(&d->band_lp, 4000.0, 0.7071, brate);
    d->decim = brate / 8000 > 1 ? brate / 8000 : 1;
    vrate = brate / d->decim;
    dd_biquad_lowpass(&d->voice_lp1, 1000.0, 0.5412, vrate);
    dd_biquad_lowpass(&d->voice_lp2, 1000.0, 1.3066, vrate);
    d->win = vrate * 3 / 100;
    d->lag_min = vrate / 400;
    d->lag_max = vrate / 70;
    if (d->lag_min < 1)
        d->lag_min = 1;
    if (d->win + d->lag_max > VBUF)
        d->lag_max = VBUF - d->win;
    d->floor_db = threshold;
    d->prev_end = -1;
    for (int i = 0; i < EBUF; i++)
        d->energy[i] = ENERGY_MIN_DB;
    *out = d;
    return DD_OK;
}

void dd_detector_free(DDDetector **d, const DDAllocator *al)
{
    dd_free(al, *d);
    *d = NULL;
}

void dd_detector_set_threshold(DDDetector *d, double threshold)
{
    d->threshold = threshold;
}

int64_t dd_detector_hops(const DDDetector *d)
{
    return d->hops;
}

int dd_detector_in_speech(const DDDetector *d)
{
    return d->in_speech;
}

/* Whether the newest win + lag_max decimated samples are periodic in the
 * pitch range: some lag's normalized autocorrelation exceeds VOICED_CORR.
 * Only the answer matters, so the scan stops at the first such lag. */
static int voiced_hop(const DDDetector *d)
{
    unsigned start = d->vpos - d->win - d->lag_max;
    double e0 = 0.0, e1 = 0.0;

    for (int n = 0; n < d->win; n++) {
        double x = d->vbuf[(start + n) & (VBUF - 1)];
        double y = d->vbuf[(start + n + d->lag_min) & (VBUF - 1)];
        e0 += x * x;
        e1 += y * y;
    }
    if (e0 <= 0.0)
        return 0;
    for (int k = d->lag_min; k <= d->lag_max; k++) {
        double xy = 0.0;
        for (int n = 0; n < d->win; n++)
            xy += (double)d->vbuf[(start + n) & (VBUF - 1)] *
                  d->vbuf[(start + n + k) & (VBUF - 1)];
        if (xy > 0.0 && e1 > 0.0 && xy > VOICED_CORR * sqrt(e0 * e1))
            return 1;
        /* slide the lagged window's energy by one sample */
        {
            double out = d->vbuf[(start + k) & (VBUF - 1)];
            double in  = d->vbuf[(start + k + d->win) & (VBUF - 1)];
            e1 += in * in - out * out;
        }
    }
    return 0;
}

static int popcount(unsigned v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static double hop_energy(const DDDetector *d, int64_t hop)
{
    return d->energy[hop & (EBUF - 1)];
}

/* Walk back from the confirming hop to where the energy left the floor.
 * A soft first consonant flickers around the floor: a dip of up to
 * WALK_GAP hops does not stop the walk. */
static int64_t walk_back(const DDDetector *d, int64_t confirm)
{
    int64_t h, onset = confirm, limit = confirm - d->max_walkback;

    if (limit < d->prev_end)
        limit = d->prev_end;
    if (limit < 0)
        limit = 0;
    for (h = confirm - 1; h >= limit && onset - h <= WALK_GAP + 1; h--)
        if (hop_energy(d, h) > d->floor_db + WALK_SNR)
            onset = h;
    return onset;
}

static void end_hop(DDDetector *d, DDDetectEvent *ev)
{
    int64_t h = d->hops;
    double e = 10.0 * log10(d->acc / (d->acc_n ? d->acc_n : 1) + 1e-12);
    int candidate, voiced = 0;

    if (e < ENERGY_MIN_DB)
        e = ENERGY_MIN_DB;
    d->energy[h & (EBUF - 1)] = e;
    d->acc = 0.0;
    d->acc_n = 0;
    memset(ev, 0, sizeof(*ev));

    candidate = e > d->floor_db + ON_SNR && e > d->threshold;
    if (!d->in_speech) {
        if (candidate)
            voiced = voiced_hop(d);
        d->voiced_bits = (d->voiced_bits << 1 | voiced) &
                         ((1u << CONFIRM_SPAN) - 1);
        if (popcount(d->voiced_bits) >= CONFIRM_HOPS) {
            d->in_speech = 1;
            d->last_above = h;
            d->voiced_bits = 0;
            ev->onset = 1;
            ev->onset_hop = walk_back(d, h);
        }
    } else if (e > d->floor_db + OFF_SNR) {
        d->last_above = h;
    } else if (h - d->last_above >= HANGOVER_HOPS) {
        d->in_speech = 0;
        d->prev_end = d->last_above + 1;
        ev->offset = 1;
        ev->end_hop = d->prev_end;
    }

    /* The floor follows quiet hops down quickly and creeps up slowly, more
     * slowly still inside speech so that a long line does not lift it. */
    if (e < d->floor_db)
        d->floor_db += FLOOR_FALL * (e - d->floor_db);
    else
        d->floor_db += d->in_speech ? FLOOR_RISE_SPEECH : FLOOR_RISE;
    if (d->floor_db < ENERGY_MIN_DB)
        d->floor_db = ENERGY_MIN_DB;
    d->hops++;
}

/* One band-rate sample: speech-band energy and the voicing signal. */
static void band_sample(DDDetector *d, double x)
{
    double b = dd_biquad_run(&d->band_lp, dd_biquad_run(&d->band_hp, x));

    d->acc += b * b;
    d->acc_n++;
    d->decim_acc += b;
    if (++d->decim_pos >= d->decim) {
        double v = d->decim_acc / d->decim;
        v = dd_biquad_run(&d->voice_lp2, dd_biquad_run(&d->voice_lp1, v));
        d->vbuf[d->vpos++ & (VBUF - 1)] = v;
        d->decim_pos = 0;
        d->decim_acc = 0.0;
    }
}

int dd_detector_process(DDDetector *d, const float *x, int n,
                        DDDetectEvent *ev)
{
    int m = d->hop - d->pos < n ? d->hop - d->pos : n; /* up to the hop end */

    for (int i = 0; i < m;) {
        int k = d->band_decim - d->band_pos;
        double acc = d->band_acc;

        if (k > m - i)
            k = m - i;
        for (int j = 0; j < k; j++)
            acc += x[i + j];
        i += k;
        d->band_pos += k;
        if (d->band_pos < d->band_decim) {
            d->band_acc = acc;
        } else {
            band_sample(d, acc / d->band_decim);
            d->band_pos = 0;
            d->band_acc = 0.0;
        }
    }
    d->pos += m;
    ev->hop_done = d->pos >= d->hop;
    if (ev->hop_done) {
        d->pos = 0;
        end_hop(d, ev);
        ev->hop_done = 1;
    }
    return m;
}

void dd_detector_finish(DDDetector *d, DDDetectEvent *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (d->in_speech) {
        d->in_speech = 0;
        d->prev_end = d->last_above + 1;
        ev->offset = 1;
        ev->end_hop = d->prev_end;
    }
}
