/*
 * Keyframe export to editors and tools (JSON, CSV, FFmpeg asendcmd,
 * Final Cut Pro 7 XML, FCPXML, Audacity labels) and import of edited
 * envelopes (JSON, CSV).
 *
 * Between keyframes the gain is linear in dB (as the renderer draws it);
 * it is held before the first and after the last. Times are sample exact
 * wherever the format allows, gains are printed to 0.1 dB, and nothing
 * depends on the clock: the same input gives the same file.
 *
 *   .json    {"format": "dialogueduck-keyframes", "version": 1,
 *             "sample_rate": 48000, "time_base": "1/48000",
 *             "duration": samples, "music": path, "params": {...},
 *             "regions": [{"start": samples, "end": samples,
 *                          "depth_db": dB}, ...],
 *             "keyframes": [{"t": samples, "gain_db": dB}, ...]}
 *            every time is a sample index in time_base.
 *   .csv     "time_s,gain_db", seconds to 1 ns (exact back to samples).
 *   .cmd     FFmpeg sendcmd script: -af "asendcmd=f=FILE,volume@duck";
 *            transitions as 10 ms steps (volume cannot interpolate).
 *   .xml     xmeml 4: Audio Levels "level" keyframes, linear gain factors
 *            at whole frames of the timeline rate.
 *   .fcpxml  FCPXML 1.9: adjust-volume "amount" keyframes in dB at
 *            rational times "N/rate s", curve="linear".
 *   .txt     Audacity label track: start, end (s) and depth per region.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_KEYFRAMES_IO_H
#define DD_KEYFRAMES_IO_H

#include <stddef.h>
#include <stdint.h>

#include "dialogueduck.h"

enum KfFormat {
    KF_FORMAT_JSON,
    KF_FORMAT_CSV,
    KF_FORMAT_CMD,      /**< FFmpeg asendcmd script driving volume@duck */
    KF_FORMAT_XMEML,    /**< Final Cut Pro 7 XML, .xml */
    KF_FORMAT_FCPXML,   /**< .fcpxml */
    KF_FORMAT_LABELS,   /**< Audacity label track, .txt */
};

/** What an export describes. */
typedef struct KfDoc {
    int sample_rate;            /**< working rate; keyframe times are in it */
    int64_t duration;           /**< programme length in samples */
    DDParams params;
    const DDKeyframe *kf;
    size_t nb_kf;
    const DDRegion *regions;
    size_t nb_regions;
    const char *music_path;     /**< the music clip, for editor formats */
    int music_channels;
    /** Editor timeline frame rate (.xml, .fcpxml); 0/0 means 25/1. Times
     *  in .xml are whole frames of it (the format has no finer unit). */
    int frame_rate_num, frame_rate_den;
} KfDoc;

/**
 * Format by name ("json", "csv", "cmd", "xml", "fcpxml", "txt") when
 * forced is not NULL, else from the extension of path. -1 if unknown.
 */
int kf_format_from_name(const char *path, const char *forced);

/** Write doc to path (atomically). 0, or negative with a message in err. */
int kf_write(const char *path, int format, const KfDoc *doc,
             char *err, size_t errlen);

/**
 * Read an edited envelope (JSON or CSV, by extension) for rendering at
 * sample_rate. JSON is what kf_write exports: keyframe "t" is a sample
 * index at the file's "sample_rate" (rescaled if it differs); a keyframe
 * may give "t_s" (seconds) instead. CSV is "time_s,gain_db" with that
 * header. Times must not decrease; gains must be finite and within
 * [DD_DEPTH_MIN, 0] dB. *kf is malloc'ed, sorted by time. On error returns negative
 * and err names the line or field at fault.
 */
int kf_read(const char *path, int sample_rate, DDKeyframe **kf, size_t *nb,
            char *err, size_t errlen);

#endif /* DD_KEYFRAMES_IO_H */
