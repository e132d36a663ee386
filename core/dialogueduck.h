/*
 * dialogueduck: automatic ducking of music under dialogue
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

/**
 * @file
 * The ducking engine shared by the dialogueduck program and the
 * dialogueduck FFmpeg filter.
 *
 * Data flow:
 *
 *   dialogue PCM -> detector -> activity per 10 ms hop
 *   activity (+ music loudness) -> planner -> keyframes (time, gain dB)
 *   keyframes + music PCM -> renderer -> ducked music
 *
 * Three objects expose that flow:
 *
 * - DDAnalyzer: detector + planner. Fed dialogue (and, for relative depth,
 *   music) it emits keyframes; a keyframe becomes final no later than
 *   lookahead seconds after the audio that decides it was fed.
 * - DDRenderer: applies a keyframe list to music, sample exact, with the
 *   gain interpolated linearly in dB between keyframes (so a fade cut
 *   short by a new line stays on the line it started on).
 * - DDEngine: analyzer + music delay line + renderer, for one-pass
 *   streaming (the filter). Its output lags its input by the lookahead.
 *
 * Conventions: opaque state, caller-owned planar float buffers, all
 * allocation at creation through the DDAllocator hooks, negative DD_ERROR_*
 * codes on failure. No clocks, threads or randomness: the same input gives
 * bit-identical output.
 */

#ifndef DIALOGUEDUCK_H
#define DIALOGUEDUCK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DD_VERSION_MAJOR 0
#define DD_VERSION_MINOR 1
#define DD_VERSION_MICRO 0

/*
 * Error codes, all negative and outside what errno and FFmpeg's AVERROR
 * use (-1..-4095, and tags of four bytes of at least 0x20 each), so a
 * caller that carries both kinds in one int can tell them apart with
 * DD_IS_ERROR().
 */
#define DD_OK             0
#define DD_ERROR_NOMEM   -10001 /**< an allocation failed */
#define DD_ERROR_INVAL   -10002 /**< a parameter is out of range */
#define DD_ERROR_ORDER   -10003 /**< keyframes not in time order */
#define DD_ERROR_STATE   -10004 /**< call not allowed in this state */
/** 1 if err is one of the DD_ERROR_* codes above. */
#define DD_IS_ERROR(err) ((err) <= DD_ERROR_NOMEM && (err) >= DD_ERROR_STATE)

/* Parameter ranges, shared by the filter's AVOptions and the CLI. */
#define DD_DEPTH_MIN      -60.0   /**< dB */
#define DD_DEPTH_MAX        0.0
#define DD_DEPTH_DEFAULT  -15.0
#define DD_BELOW_MIN        0.0   /**< LU; 0 disables relative depth */
#define DD_BELOW_MAX       40.0
#define DD_BELOW_DEFAULT    0.0
#define DD_LOOKAHEAD_MIN    0.0   /**< s */
#define DD_LOOKAHEAD_MAX    2.0
/**
 * Default lookahead (dd_params_default(), the filter's): a line the
 * detector confirms late (a whisper, a quiet first syllable, a child's
 * voice) still gets its whole fade-down before the onset. It is the
 * filter's latency; 1.5 s is half of loudnorm's 3 s and inaudible in a
 * file, and a live chain that needs less sets it lower. Words said one at
 * a time and whispers in street noise are confirmed up to 1.5 s after
 * their first syllable (tests/eval/README.md, "The filter's lookahead").
 */
#define DD_LOOKAHEAD_DEFAULT 1.5   /**< s */
/**
 * Default lookahead for a program that analyses the whole file before it
 * renders (the dialogueduck program): latency does not bind it, so it
 * takes the longest, and a line confirmed up to 2 s late still gets its
 * whole fade-down.
 */
#define DD_LOOKAHEAD_OFFLINE_DEFAULT DD_LOOKAHEAD_MAX
#define DD_ATTACK_MIN       0.01  /**< s, fade-down duration */
#define DD_ATTACK_MAX       2.0
#define DD_ATTACK_DEFAULT   0.2
#define DD_RELEASE_MIN      0.01  /**< s, fade-up duration */
#define DD_RELEASE_MAX      5.0
#define DD_RELEASE_DEFAULT  0.8
#define DD_HOLD_MIN         0.0   /**< s, music stays down this long after a line */
#define DD_HOLD_MAX         5.0
#define DD_HOLD_DEFAULT     0.6
#define DD_THRESHOLD_MIN  -80.0   /**< dBFS, the speech gate (DDParams.threshold) */
#define DD_THRESHOLD_MAX  -10.0
#define DD_THRESHOLD_DEFAULT -50.0
#define DD_BAND_LOW_MIN    100.0  /**< Hz, lower edge of the spectral band */
#define DD_BAND_LOW_MAX   1000.0
#define DD_BAND_LOW_DEFAULT 300.0
#define DD_BAND_HIGH_MIN  1000.0  /**< Hz, upper edge; at least 2 x band_low */
#define DD_BAND_HIGH_MAX 20000.0
#define DD_BAND_HIGH_DEFAULT 3400.0
#define DD_UNMASK_MIN       0.0   /**< dB, adaptive mode's dialogue-to-music target */
#define DD_UNMASK_MAX      30.0
#define DD_UNMASK_DEFAULT  10.0

/** Values of DDParams.spectral. */
#define DD_SPECTRAL_OFF      0 /**< broadband: the whole music is ducked */
#define DD_SPECTRAL_BAND     1 /**< the fixed speech band only */
#define DD_SPECTRAL_ADAPTIVE 2 /**< carved band by band under the voice */

/** Samples per analysis hop are sample_rate / DD_HOPS_PER_SECOND. */
#define DD_HOPS_PER_SECOND 100

typedef struct DDParams {
    double depth;      /**< gain during dialogue, dB (<= 0) */
    double below;      /**< LU; > 0: music kept this far under the
                            dialogue's loudness, never deeper than depth */
    double lookahead;  /**< s; the fade-down ends at the first syllable */
    double attack;     /**< s, fade-down duration */
    double release;    /**< s, fade-up duration */
    double hold;       /**< s, music stays down this long after a line
                            ends; shorter pauses are bridged */
    double threshold;  /**< dBFS; the speech gate: nothing under it is
                            speech, nor anything 17 dB under the
                            level of the lines heard (until one is,
                            of the loudest sound), where that is
                            lower: a quiet stem needs no setting */
    int spectral;      /**< DD_SPECTRAL_*: 1 (band) ducks only the
                            speech band of the music; 2 (adaptive) lowers
                            the music in each of 24 auditory bands from
                            150 Hz to 8 kHz only as far as it masks the
                            dialogue there (to unmask dB under it), never
                            deeper than depth nor than the broadband
                            envelope, which still decides where lines are
                            (gain 1 outside them); see
                            dd_renderer_create_adaptive() */
    double band_low;   /**< Hz; spectral mode: the music from here to
                            band_high is lowered by the gain (within 1 dB
                            down to -30 dB; the band reaches about -50 dB
                            at most), the music below band_low / 3 and
                            above band_high * 40 / 17 (up to Nyquist) is
                            kept within 0.2 dB, monotonic in between.
                            Measured at depth -15, default band: 0.0 dB
                            at 100 Hz, -4.6 at 200, -14.9 at 300, -15.0
                            at 1 k, -14.9 at 3.4 k, -8.3 at 5 k, 0.0 at
                            8 k */
    double band_high;  /**< Hz; see band_low */
    double unmask;     /**< dB; adaptive mode: the dialogue-to-music
                            ratio each band is carved to */
} DDParams;

/** One point of the gain envelope. */
typedef struct DDKeyframe {
    int64_t t;      /**< sample index at the working sample rate */
    double gain_db; /**< gain at t; a multiple of 0.1 dB except where a new
                         line cut a fade-up short */
} DDKeyframe;

/** One duck region, the span where the music is at its depth. */
typedef struct DDRegion {
    int64_t start;  /**< first sample of detected dialogue (after walk-back) */
    int64_t end;    /**< sample after the last sample of dialogue */
    double depth;   /**< gain applied in the region, dB */
} DDRegion;

typedef struct DDAllocator {
    void *(*alloc)(void *opaque, size_t size); /**< zeroed memory or NULL */
    void (*free)(void *opaque, void *ptr);
    void *opaque;
} DDAllocator;

/** Fill p with the defaults above. */
void dd_params_default(DDParams *p);

/** DD_OK if every field is in range, else DD_ERROR_INVAL. */
int dd_params_check(const DDParams *p);

/** A static English description of an error code. */
const char *dd_strerror(int err);

/**
 * Lookahead in samples at a sample rate, as the engine rounds it: the delay
 * of the engine's output behind its input. In spectral mode it is at least
 * the latency of the band filter (9.5 ms at 48 kHz with the default band),
 * so the filter hides inside any lookahead longer than that; in adaptive
 * mode at least the carver's (341 ms at 48 kHz: it reads the dialogue
 * that far ahead of the music it writes).
 */
int64_t dd_lookahead_samples(const DDParams *p, int sample_rate);

/* ---- Analyzer: detector + planner ---- */

typedef struct DDAnalyzer DDAnalyzer;

/**
 * @param dialogue_channels number of dialogue channels (>= 1)
 * @param center            index of the dialogue channel to detect from
 *                          (the centre of 5.1/7.1), or -1 to use the mean
 *                          of all channels
 * @param music_channels    music channels fed to dd_analyzer_feed_music()
 *                          (for relative depth), 0 if none will be fed
 * @param alloc             NULL for malloc/free
 */
int dd_analyzer_create(DDAnalyzer **out, const DDParams *p, int sample_rate,
                       int dialogue_channels, int center, int music_channels,
                       const DDAllocator *alloc);
void dd_analyzer_free(DDAnalyzer **a);

/**
 * Feed music for relative depth (params.below > 0). The music must be fed
 * ahead of or level with the dialogue: a decision at sample t uses the
 * music fed up to t.
 */
int dd_analyzer_feed_music(DDAnalyzer *a, const float *const *music,
                           int nb_samples);

/**
 * Feed planar dialogue. Keyframes and regions queue inside the analyzer
 * (up to 4096 and 1024): read them at least every minute of audio fed, or
 * feeding fails with DD_ERROR_STATE.
 */
int dd_analyzer_feed_dialogue(DDAnalyzer *a, const float *const *dialogue,
                              int nb_samples);

/** Most dialogue channels the s16 feeds take (their sums stay exact). */
#define DD_S16_CHANNELS_MAX 256

/**
 * dd_analyzer_feed_dialogue() with interleaved signed 16-bit dialogue, as
 * PCM stems carry it: the same as feeding the samples divided by 32768 as
 * float planes, without converting them. DD_ERROR_INVAL with more than
 * DD_S16_CHANNELS_MAX dialogue channels.
 */
int dd_analyzer_feed_dialogue_s16(DDAnalyzer *a, const int16_t *dialogue,
                                  int nb_samples);

/** End of dialogue: everything after it is silence; commits all keyframes. */
int dd_analyzer_finish(DDAnalyzer *a);

/**
 * Every keyframe with t < the returned sample index has been made final and
 * can be read. Rendering up to that index is safe.
 */
int64_t dd_analyzer_committed(const DDAnalyzer *a);

/** Move up to max final keyframes into kf, oldest first; returns count. */
int dd_analyzer_read_keyframes(DDAnalyzer *a, DDKeyframe *kf, int max);

/** Move up to max final regions into r, oldest first; returns count. */
int dd_analyzer_read_regions(DDAnalyzer *a, DDRegion *r, int max);

/**
 * Speech activity of the dialogue so far, one byte per hop (1 = speech),
 * for reports and plots: copies hops [first, first + n) that are final
 * and still buffered; returns the count copied.
 */
int dd_analyzer_read_activity(DDAnalyzer *a, int64_t first, uint8_t *act,
                              int n);

/* ---- Renderer: keyframes -> gain -> music ---- */

typedef struct DDRenderer DDRenderer;

/**
 * A renderer for the envelope and the spectral mode of p (spectral,
 * band_low, band_high; the other fields are not used). In spectral mode
 * the output lags the input by dd_renderer_latency() samples: see
 * dd_renderer_process() and dd_renderer_flush().
 */
int dd_renderer_create_params(DDRenderer **out, const DDParams *p,
                              int sample_rate, int channels,
                              const DDAllocator *alloc);

/**
 * A renderer for adaptive mode (p->spectral == DD_SPECTRAL_ADAPTIVE, which
 * dd_renderer_create_params() refuses): it carves the music under the
 * dialogue, given with each block to dd_renderer_process_dialogue(). The
 * keyframes are the broadband envelope: they say where and how far the
 * carving applies (the carved music where the envelope is at p->depth,
 * the music itself at 0 dB). Output lags input by dd_renderer_latency().
 *
 * @param dialogue_channels channels of the dialogue given (>= 1)
 * @param center            the dialogue channel to listen to, -1 for the
 *                          mean of all (as dd_analyzer_create())
 */
int dd_renderer_create_adaptive(DDRenderer **out, const DDParams *p,
                                int sample_rate, int channels,
                                int dialogue_channels, int center,
                                const DDAllocator *alloc);

/** dd_renderer_create_params() with the default band edges. */
int dd_renderer_create(DDRenderer **out, int sample_rate, int channels,
                       int spectral, const DDAllocator *alloc);
void dd_renderer_free(DDRenderer **r);

/**
 * Append a keyframe; times must not decrease. The renderer keeps a window
 * of up to 1024 keyframes ahead of its position (DD_ERROR_STATE when full):
 * before rendering a block, add every keyframe up to and including the first
 * one at or after the block's end. Before the first keyframe the gain is
 * the first keyframe's, after the last one the last one's.
 * Returns DD_ERROR_ORDER if kf->t is before the previous keyframe or before
 * the samples already rendered.
 */
int dd_renderer_add_keyframe(DDRenderer *r, const DDKeyframe *kf);

/**
 * Render from a complete, caller-owned keyframe list instead (the
 * program's render pass, an imported envelope). kf must stay valid while
 * the renderer is used. Only before the first dd_renderer_process().
 */
int dd_renderer_set_keyframes(DDRenderer *r, const DDKeyframe *kf, size_t nb);

/** Gain in dB at sample t given the keyframes added so far. */
double dd_renderer_gain_db(const DDRenderer *r, int64_t t);

/**
 * Samples by which the output of dd_renderer_process() lags its input:
 * 0 for broadband ducking; in spectral mode the band filter's half length
 * (it reads that far ahead). A caller keeps the dialogue it mixes with
 * the music delayed by as much.
 */
int dd_renderer_latency(const DDRenderer *r);

/**
 * Apply the envelope to the next nb_samples of music. in and out may be
 * the same buffers. Returns the number of samples written to out (at most
 * nb_samples): nb_samples, except in spectral mode, where the output lags
 * by dd_renderer_latency() and the first calls write fewer. The rendered
 * position, which keyframe times refer to, is that of the output.
 */
int dd_renderer_process(DDRenderer *r, const float *const *in, float **out,
                        int nb_samples);

/**
 * dd_renderer_process() for an adaptive renderer: dialogue holds the
 * nb_samples of dialogue that go with the music in (NULL: silence). An
 * adaptive renderer takes no other call to render; any other renderer
 * ignores the dialogue.
 */
int dd_renderer_process_dialogue(DDRenderer *r, const float *const *in,
                                 const float *const *dialogue, float **out,
                                 int nb_samples);

/**
 * End of the music: writes the samples still held back (at most
 * dd_renderer_latency()) to out and returns their count; the music is
 * taken as silent after its end.
 */
int dd_renderer_flush(DDRenderer *r, float **out);

/* ---- Engine: one-pass streaming (analyzer + delay + renderer) ---- */

typedef struct DDEngine DDEngine;

int dd_engine_create(DDEngine **out, const DDParams *p, int sample_rate,
                     int music_channels, int dialogue_channels, int center,
                     const DDAllocator *alloc);
void dd_engine_free(DDEngine **e);

/**
 * Push nb_samples of music and dialogue (same count; feed silence for a
 * dialogue that has ended). Writes ducked music to out (nb_samples
 * capacity per channel) and returns how many samples were written: the
 * output lags the input by dd_lookahead_samples(), so the first calls
 * return fewer samples than pushed. out may be the music planes
 * themselves (ducking in place): every sample is read before its place
 * is written.
 */
int dd_engine_process(DDEngine *e, const float *const *music,
                      const float *const *dialogue, int nb_samples,
                      float **out);

/**
 * dd_engine_process() with interleaved signed 16-bit dialogue: the output
 * is the one of dd_engine_process() on the samples divided by 32768, and
 * the dialogue is never converted. DD_ERROR_INVAL in adaptive spectral
 * mode (the carver reads float planes) and with more than
 * DD_S16_CHANNELS_MAX dialogue channels.
 */
int dd_engine_process_s16(DDEngine *e, const float *const *music,
                          const int16_t *dialogue, int nb_samples,
                          float **out);

/**
 * End of input: writes the remaining delayed samples (at most the
 * latency) to out and returns their count. Call with out capacity of
 * dd_lookahead_samples().
 */
int dd_engine_flush(DDEngine *e, float **out);

/**
 * An engine for 16-bit stems: music, dialogue and output are interleaved
 * signed 16-bit samples (dd_engine_process_pcm16()), and the music waits
 * in the lookahead delay as it came. The output is the one of
 * dd_engine_process() on the samples divided by 32768, converted as
 * libswresample converts float to s16 (times 32768, rounded to nearest,
 * clipped); a stretch of music at unity gain is copied as it came.
 *
 * @param mix NULL: the ducked music alone. Else dialogue_channels x
 *            music_channels gains, mix[d * music_channels + m] that of
 *            dialogue channel d in music channel m (as
 *            dd_channel_placement() fills them; copied): the dialogue,
 *            delayed with the music, is added to the ducked music before
 *            the conversion, as (music + each channel's gain times its
 *            sample, in channel order) in float.
 * @return as dd_engine_create(); DD_ERROR_INVAL in the spectral modes (the
 *         band and the carver work on float planes) and with more than
 *         DD_S16_CHANNELS_MAX dialogue channels. The engine takes no
 *         dd_engine_process(), dd_engine_process_s16() or
 *         dd_engine_flush() (DD_ERROR_STATE).
 */
int dd_engine_create_pcm16(DDEngine **out, const DDParams *p,
                           int sample_rate, int music_channels,
                           int dialogue_channels, int center,
                           const float *mix, const DDAllocator *alloc);

/**
 * dd_engine_process() for an engine from dd_engine_create_pcm16(), on
 * interleaved s16 music and dialogue, to interleaved s16 out (nb_samples
 * frames of capacity; out may be music).
 */
int dd_engine_process_pcm16(DDEngine *e, const int16_t *music,
                            const int16_t *dialogue, int nb_samples,
                            int16_t *out);

/** dd_engine_flush() for a pcm16 engine. */
int dd_engine_flush_pcm16(DDEngine *e, int16_t *out);

/** Current gain in dB of the last sample written, for metadata. */
double dd_engine_gain_db(const DDEngine *e);

/** 1 if the last sample written is inside a duck region. */
int dd_engine_active(const DDEngine *e);

/**
 * Change parameters mid-stream (filter commands). lookahead, spectral,
 * band_low and band_high cannot change; depth, below, attack, release,
 * hold and threshold apply to regions decided from now on, depth and
 * unmask to the carving of the dialogue fed from now on.
 */
int dd_engine_set_params(DDEngine *e, const DDParams *p);

/* ---- Facts shared with exporters, editors and the program ---- */

/** Samples per analysis hop at a sample rate (at least 1). */
int dd_hop_size(int sample_rate);

/** Round a gain to the 0.1 dB grid that keyframes use. */
double dd_round_db(double db);

/**
 * Gain in dB at sample t, as the renderer draws it, from a keyframe at or
 * before t (prev; NULL for "before the first keyframe") followed by
 * kf[0..nb): linear in dB between keyframes, held before the first and
 * after the last; 0 dB without keyframes.
 */
double dd_envelope_db(const DDKeyframe *prev, const DDKeyframe *kf, int nb,
                      int64_t t);


/* ---- Channel policy, shared by the filter and the program ---- */

/**
 * Speaker positions of a layout, numbered as FFmpeg's enum AVChannel (the
 * first 18 are also the bits of a WAVE channel mask). A layout is an array
 * of these, one per channel in order; any other value (DD_CHAN_UNKNOWN, or
 * a position not listed) is a channel with no known position.
 */
enum DDChannel {
    DD_CHAN_UNKNOWN               = -1,
    DD_CHAN_FRONT_LEFT            = 0,
    DD_CHAN_FRONT_RIGHT           = 1,
    DD_CHAN_FRONT_CENTER          = 2,
    DD_CHAN_LOW_FREQUENCY         = 3,
    DD_CHAN_BACK_LEFT             = 4,
    DD_CHAN_BACK_RIGHT            = 5,
    DD_CHAN_FRONT_LEFT_OF_CENTER  = 6,
    DD_CHAN_FRONT_RIGHT_OF_CENTER = 7,
    DD_CHAN_BACK_CENTER           = 8,
    DD_CHAN_SIDE_LEFT             = 9,
    DD_CHAN_SIDE_RIGHT            = 10,
    DD_CHAN_WIDE_LEFT             = 31,
    DD_CHAN_WIDE_RIGHT            = 32,
};

/**
 * The dialogue channel the detector listens to.
 *
 * @param layout      speaker positions of the dialogue stem
 * @param nb_channels number of entries in layout
 * @return the index of the front centre of a stem of 3 channels or more
 *         (5.1, 7.1: where speech lives), else -1: the mean of all
 *         channels. Pass it as the center of dd_engine_create() or
 *         dd_analyzer_create().
 */
int dd_channel_detect(const int *layout, int nb_channels);

/**
 * How dialogue lands in an output layout: out[o] += map[d * nb_out + o] *
 * dialogue[d]. A mono stem goes to the front centre, or to the front pair
 * at -3 dB; a channel the output also has goes to itself; a centre the
 * output lacks goes to the front pair at -3 dB, a side or back channel to
 * its front side at -3 dB; the LFE of a dialogue stem is dropped; a mono
 * output gets the average of the other channels. Channels with no known
 * position go to the output channel of the same index, if any.
 *
 * @param map         nb_dialogue * nb_out gains, written completely
 * @param out         speaker positions of the output (the music's layout)
 * @param nb_out      number of output channels (>= 1)
 * @param dialogue    speaker positions of the dialogue stem
 * @param nb_dialogue number of dialogue channels (>= 1)
 */
void dd_channel_placement(float *map, const int *out, int nb_out,
                          const int *dialogue, int nb_dialogue);

#ifdef __cplusplus
}
#endif

#endif /* DIALOGUEDUCK_H */
