/*
 * dialogueduck engine internals shared between the core's source files
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

#ifndef DIALOGUEDUCK_INTERNAL_H
#define DIALOGUEDUCK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dialogueduck.h"
#include "dialogueduck_dsp.h"

#define DD_PI 3.14159265358979323846

/* Allocation through the caller's hooks (or calloc/free). */
void *dd_alloc(const DDAllocator *al, size_t size);
void *dd_alloc_array(const DDAllocator *al, size_t nmemb, size_t size);
void dd_free(const DDAllocator *al, void *ptr);

/* ---- biquad filters ------------------------------------------------ */

typedef struct DDBiquad {
    double b0, b1, b2, a1, a2; /* normalized, a0 == 1 */
    double z1, z2;             /* transposed direct form II state */
} DDBiquad;

void dd_biquad_lowpass(DDBiquad *f, double fc, double q, int sample_rate);
void dd_biquad_highpass(DDBiquad *f, double fc, double q, int sample_rate);
/* The two stages of the BS.1770 K-weighting filter at any sample rate. */
void dd_biquad_kweight_shelf(DDBiquad *f, int sample_rate);
void dd_biquad_kweight_highpass(DDBiquad *f, int sample_rate);

static inline double dd_biquad_run(DDBiquad *f, double x)
{
    double y = f->b0 * x + f->z1;
    f->z1 = f->b1 * x - f->a1 * y + f->z2;
    f->z2 = f->b2 * x - f->a2 * y;
    return y;
}

/*
 * IIR state left to decay on exact zeros (digital silence between clips)
 * turns subnormal, and subnormal arithmetic is 10-100 times slower. Once
 * per hop, state under DD_FLUSH (-400 dB, nothing any output can show) is
 * set to exact zero instead; the caller's FP environment is never touched.
 */
#define DD_FLUSH 1e-20

static inline void dd_flush(double *v)
{
    if (*v < DD_FLUSH && *v > -DD_FLUSH)
        *v = 0.0;
}

static inline void dd_biquad_flush(DDBiquad *f)
{
    dd_flush(&f->z1);
    dd_flush(&f->z2);
}

/* Peak position of three neighbouring values, relative to the middle
 * (a parabola through them; 0 where they do not bend down). */
static inline double dd_parabola(double a, double b, double c)
{
    double den = a - 2.0 * b + c;

    return den < 0.0 ? 0.5 * (a - c) / den : 0.0;
}

/* ---- mains comb: hum, buzz and whine out of a band (dialogueduck_mains.c) */

#define DD_PITCH_MIN_HZ 70     /* a voice's pitch, lowest ... */
#define DD_PITCH_MAX_HZ 500    /* ... and highest read */
#define DD_VOICING_HZ 1000.0   /* the voicing signal's low-pass */
#define DD_MAINS_RING 1024     /* samples kept: a 50 Hz period up to 51 kHz */
#define DD_MAINS_N    3        /* combs: 50 Hz, 60 Hz, a period found */
#define DD_MAINS_FOUND 2       /* the comb at the period found in the floor */
#define DD_MAINS_FFT  (2 * DD_MAINS_RING)

typedef struct DDFFT DDFFT;

typedef struct DDMainsComb {
    double ring[DD_MAINS_RING]; /* the band's last samples */
    uint64_t pos;              /* samples written */
    int zeros;                 /* the last samples that were 0.0, up to
                                  the ring's length */
    int whole[DD_MAINS_N];     /* each period: whole samples (0: off) ... */
    double frac[DD_MAINS_N];   /* ... and the fraction over them */
    double acc[DD_MAINS_N];    /* energy of y(t) - y(t - period) summed */
    int lag_lo, lag_hi;        /* periods looked for in the floor */
    DDFFT *fft;
    double power[DD_MAINS_FFT]; /* the floor's power spectrum, averaged
                                   (in dd_fft_order()) */
    int heard;                 /* floor spectra averaged into it */
    int rate;
    int pitch_lo, pitch_hi;    /* lags of the voice's pitch range */
    int pitched;               /* the floor, as the voicing reads it,
                                  correlates in that range: a whine under
                                  about 1 kHz (comb DD_MAINS_FOUND on) */
    float re[DD_MAINS_FFT], im[DD_MAINS_FFT];
} DDMainsComb;

/* A comb that takes out what repeats every period of 50 Hz, one of 60 Hz,
 * and one that looks for a period in the floor (off until it finds one),
 * at the band's rate. DD_ERROR_INVAL if the ring cannot hold them. */
int dd_mains_init(DDMainsComb *c, int rate, const DDAllocator *al);
void dd_mains_uninit(DDMainsComb *c, const DDAllocator *al);
/* n band samples y (n <= DD_MAINS_RING / 4) through the combs: their
 * outputs' energies into c->acc[], and found[] the band through comb
 * DD_MAINS_FOUND at the power broadband sound had (the band itself while
 * it is off). */
void dd_mains_run(DDMainsComb *c, const double *y, int n, double *found);
/* Whether the last n samples through comb k each had a period of the
 * band before them (the output of the first period is the band itself). */
int dd_mains_primed(const DDMainsComb *c, int k, int n);
/* The ring holds floor only (no speech, no event): reads it for a period
 * that repeats, a whine's or a hum's, and sets comb DD_MAINS_FOUND to it.
 * 1: that comb's period changed (its output so far is another's). */
int dd_mains_listen(DDMainsComb *c);

/* ---- detector: dialogue -> speech regions --------------------------- */

typedef struct DDDetector DDDetector;

/* What the detector reports after each hop. */
typedef struct DDDetectEvent {
    int hop_done;      /* 1: a hop completed; the fields below are valid */
    int onset;         /* 1: a region starts at onset_hop */
    int64_t onset_hop;
    int offset;        /* 1: the open region ends before end_hop */
    int64_t end_hop;
} DDDetectEvent;

int dd_detector_create(DDDetector **out, int sample_rate, double threshold,
                       int max_walkback_hops, const DDAllocator *al);
void dd_detector_free(DDDetector **d, const DDAllocator *al);
void dd_detector_set_threshold(DDDetector *d, double threshold);
/* Hops after a line's onset by which a start confirmed on a glide alone
 * may still be emitted: the detector holds it back until then for more
 * evidence (0: never held). */
void dd_detector_set_hold(DDDetector *d, int hops);
/* Feed the mono detection signal up to the end of a hop: returns the
 * samples consumed; ev->hop_done tells whether a hop completed, and then
 * *ev holds its outcome. */
int dd_detector_process(DDDetector *d, const float *x, int n,
                        DDDetectEvent *ev);
/* Close an open region at the end of the stream. */
void dd_detector_finish(DDDetector *d, DDDetectEvent *ev);
int64_t dd_detector_hops(const DDDetector *d);
int dd_detector_in_speech(const DDDetector *d);
/* Count of the detector's filter and accumulator state values that are
 * subnormal (for the test that digital silence leaves none). */
int dd_detector_subnormal_state(const DDDetector *d);

/* ---- planner: regions -> keyframes ---------------------------------- */

/* s: the fade-down ends this long before a line's walked-back onset. The
 * walk-back stops where the energy first stood WALK_SNR over the floor; a
 * quiet or breathy first sound, or one under applause, rises slower
 * and stays under that for a tenth of a second and more (on the tune
 * scenes: 80 ms for h18's line 16 dB under, after an impact, 160 ms for
 * h15's line under applause; 60 ms and 100 ms protected neither, 150 ms
 * to 250 ms both). The music is then down 150 ms before the line, where
 * an editor's keyframe would be anyway. */
#define DD_PREROLL_S 0.15

/* dB per second: the steepest fade-down the planner makes of a late line
 * (1 dB per 10 ms; measured per 10 ms frame through the music's energy,
 * a 1.25 dB ramp reads up to 1.7 dB). The carver leaves room for it. */
#define DD_FADE_MAX_SLOPE 100.0

typedef struct DDPlanner DDPlanner;

int dd_planner_create(DDPlanner **out, const DDParams *p, int sample_rate,
                      const DDAllocator *al);
void dd_planner_free(DDPlanner **pl, const DDAllocator *al);
void dd_planner_set_params(DDPlanner *pl, const DDParams *p);
/* The earliest sample a new fade may still change (rendering frontier). */
void dd_planner_set_frontier(DDPlanner *pl, int64_t frontier);
int dd_planner_onset(DDPlanner *pl, int64_t onset, double depth);
int dd_planner_offset(DDPlanner *pl, int64_t end);
/* No more events: make every keyframe final. */
int dd_planner_finish(DDPlanner *pl);

/* Keyframes queued: the first nb_final are final, the rest provisional. */
const DDKeyframe *dd_planner_keyframes(const DDPlanner *pl, int *nb,
                                       int *nb_final);
void dd_planner_pop_keyframes(DDPlanner *pl, int n);
int dd_planner_read_regions(DDPlanner *pl, DDRegion *r, int max);

/* ---- renderer core --------------------------------------------------- */

/* ---- speech band: zero-phase FIR band-pass, see dialogueduck_band.c -- */

typedef struct DDBand DDBand;

/* The band's delay in samples for these edges (Hz) at a sample rate. */
int dd_band_latency_for(double low, double high, int sample_rate);
int dd_band_create(DDBand **out, double low, double high, int sample_rate,
                   int channels, const DDAllocator *al);
void dd_band_free(DDBand **b, const DDAllocator *al);
int dd_band_latency(const DDBand *b);
/*
 * Push n samples per channel (in NULL: silence). For each, band[c][i] gets
 * the band at position (samples pushed before) + i - latency, and xd[c][i]
 * (unless xd is NULL) the input there; both 0 before position 0.
 */
void dd_band_push(DDBand *b, const float *const *in, int n, float **xd,
                  float **band);

/* ---- FFT, see dialogueduck_fft.c ------------------------------------- */

/* A complex FFT of n points; n: a power of two >= 8. */
int dd_fft_create(DDFFT **out, int n, const DDAllocator *al);
void dd_fft_free(DDFFT **f, const DDAllocator *al);
/* In place on n complex values, real parts in re, imaginary in im (two
 * arrays that do not overlap). Forward: exp(-2 pi i k t / n), bin k left
 * at index dd_fft_order(f)[k]. */
void dd_fft_forward(const DDFFT *f, float *re, float *im);
/* Back from that order to n values in time order, scaled by n. */
void dd_fft_inverse(const DDFFT *f, float *re, float *im);
/* n indices: where dd_fft_forward() leaves each bin. */
const int *dd_fft_order(const DDFFT *f);

/* ---- adaptive carving, see dialogueduck_carve.c ----------------------- */

typedef struct DDCarve DDCarve;

/* The carver's delay in samples at a sample rate. */
int dd_carve_latency_for(int sample_rate);
/* center: the dialogue channel to listen to, -1 for the mean of all. */
int dd_carve_create(DDCarve **out, int sample_rate, int channels,
                    int dialogue_channels, int center, const DDParams *p,
                    const DDAllocator *al);
void dd_carve_free(DDCarve **c, const DDAllocator *al);
/* Depth, target (unmask) and rates (from depth, attack and release) for
 * the frames analysed from now on. */
void dd_carve_set(DDCarve *c, const DDParams *p);
int dd_carve_latency(const DDCarve *c);
/*
 * Push n samples per channel of music (in) and dialogue (dlg; either NULL:
 * silence). As dd_band_push(): mid[c][i] gets (music - carved music) /
 * (1 - depth) at position (samples pushed before) + i - latency, xd[c][i]
 * (unless xd is NULL) the music there; both 0 before position 0.
 */
void dd_carve_push(DDCarve *c, const float *const *in,
                   const float *const *dlg, int n, float **xd, float **mid);

/*
 * Apply the envelope to nb_samples of planar music starting at sample t0.
 * With band (spectral mode: band[c][i] is the speech band of in[c][i])
 * only the band is scaled.
 */
void dd_apply_envelope(const DDKeyframe *prev, const DDKeyframe *kf, int nb,
                       int64_t t0, const float *const *in, float **out,
                       int channels, int nb_samples,
                       const float *const *band);
/* Dialogue mixed into an s16 render: nd interleaved channels at the same
 * samples as the music, map[d * channels + m] the gain of dialogue channel
 * d in music channel m (as dd_channel_placement() fills it). Where no
 * music channel gets more than one dialogue channel, src[m] is the one of
 * music channel m and gain[m] its gain (0 and 0.0 for none), else both
 * are NULL (see dd_mix_sources()). */
typedef struct DDMixS16 {
    const int16_t *dlg;
    const float *map;
    int nd;
    const int *src;
    const float *gain;
    int unit;       /* every gain[m] is 1: at unity music gain the sum
                       of two integers */
} DDMixS16;

/* Fill src and gain (channels each) for DDMixS16 from map; 0 if a music
 * channel gets more than one dialogue channel (they are then not used),
 * 2 if every music channel gets one at a gain of 1, else 1. */
int dd_mix_sources(const float *map, int nd, int channels, int *src,
                   float *gain);

/*
 * The same for interleaved s16 music (no band), to interleaved s16 in out
 * (which may be in): the output of dd_apply_envelope() on in / 32768, with
 * mix (unless NULL) the dialogue / 32768 times its gains added to it in
 * channel order, converted as libswresample converts float: times 32768,
 * rounded to nearest, clipped. The steady runs go through dsp.
 */
void dd_apply_envelope_s16(const DDKeyframe *prev, const DDKeyframe *kf,
                           int nb, int64_t t0, const int16_t *in,
                           int16_t *out, int channels, int nb_samples,
                           const DDMixS16 *mix, const DDDSP *dsp);

/* ---- analyzer internals for the engine ------------------------------- */

DDPlanner *dd_analyzer_planner(DDAnalyzer *a);
const DDDetector *dd_analyzer_detector(const DDAnalyzer *a);
int dd_analyzer_set_params(DDAnalyzer *a, const DDParams *p);

/* The detection signal of n dialogue samples from float planes (from
 * offset) and from interleaved s16: equal for equal samples (x / 32768). */
void dd_analyzer_mono(const DDAnalyzer *a, const float *const *dialogue,
                      int offset, int n, float *x);
/* dd_dsp_init()'s mono_s16x2 (the analyzer does a run's rest with it). */
void dd_mono_s16x2_c(float *dst, const int16_t *src, float scale,
                     ptrdiff_t len);

/* The 16-bit loops the analyzer calls from now on: an engine's table,
 * which its host may fill after creation (the analyzer's own C table
 * until then). */
void dd_analyzer_set_dsp(DDAnalyzer *a, const DDDSP *dsp);

void dd_analyzer_mono_s16(const DDAnalyzer *a, const int16_t *dialogue, int n,
                          float *x);

#endif /* DIALOGUEDUCK_INTERNAL_H */
