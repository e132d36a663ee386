/*
 * Stage 1, open: the stems (inputs and stream selection), the working
 * rate and layouts, how each stem lands on its role's bus, the block
 * buffers, and the outputs, created before the long passes so that an
 * unwritable destination fails at once. The later stages read blocks of
 * the three buses through session_read_block().
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_OPEN_H
#define DD_OPEN_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "input.h"
#include "mix.h"
#include "output.h"
#include "passcache.h"

/** Samples per block processed at once. */
#define PIPELINE_BLOCK 4096

/* Channel counts above this are refused (pointer arrays live on the stack). */
#define MAX_CHANNELS 32

enum SessionCacheState {
    SESSION_CACHE_NONE,            /**< every pass decodes */
    SESSION_CACHE_WRITING,         /**< pass 1 fills the cache */
    SESSION_CACHE_COMPLETE,        /**< pass 1 ended: the cache holds it all */
    SESSION_CACHE_READING,         /**< a later pass reads the cache */
};

typedef struct Session {
    const CliOptions *opt;

    InputStem stems[CLI_MAX_STEMS];
    int nb_stems;
    int work_rate;
    int hop;                       /**< samples per activity hop */
    double duration;               /**< s, the longest stem (progress) */
    AVChannelLayout out_layout;    /**< the mix: the widest stem's layout */
    AVChannelLayout dlg_layout;    /**< dialogue as the analyzer sees it */
    int center;                    /**< dialogue channel detected from, -1 mean */
    MixMatrix to_bus[CLI_MAX_STEMS]; /**< stem -> its role's sum */
    MixMatrix dlg_to_out;
    int has_effects;
    int source_stem;               /**< stem whose codec the output keeps */

    /* one block: the stem read, the three buses, dialogue in the output
     * layout, the mix and the rendered music */
    AudioBuf in, dlg, dout, music, fx, mix, tmp;

    /* the buses of pass 1 for the later passes (passcache.h) */
    PassCache *cache;
    int cache_state;               /**< enum SessionCacheState */

    OutputFile *out, *music_out;
    char codec_name[64], format_name[64];
    char music_codec_name[64];
    double seconds;                /**< wall clock spent opening */
} Session;

/** EXIT_OK or an exit code from cli.h with the message in err. */
int session_open(Session *s, const CliOptions *opt, char *err, size_t errlen);
void session_free(Session *s);

/**
 * Read the next block of every stem (of the dialogue only if asked) into
 * the dialogue, music and effects buses; shorter stems are padded with
 * silence. Returns the block length, 0 when every stem has ended, or
 * negative with err set. After session_rewind() with a complete cache,
 * the blocks come from the cache: the same samples, cut as pass 1 cut
 * them. Reading the dialogue only drops the cache (it would be partial).
 */
int session_read_block(Session *s, int dialogue_only, char *err, size_t errlen);

/** The dialogue bus of the last block in the output layout (dout). */
void session_dialogue_to_out(Session *s, int n);

/** mix = dout + music + fx for the first n samples. */
void session_mix(Session *s, float *const *music, int n);

/**
 * Rewind for another pass: to the cache's start when pass 1 filled it,
 * else every stem (decoded again). last: the pass is expected to be the
 * last (the write pass): the cache gives back what it has read as it
 * goes (passcache_rewind()), and should a pass follow after all, it
 * decodes the stems again. EXIT_OK or EXIT_INPUT.
 */
int session_rewind(Session *s, int last, char *err, size_t errlen);

/** "WHAT failed: REASON" in err for an engine or libav code; EXIT_INTERNAL. */
/** The encoder --music-out asks for: -c:a's, none for a WAV (float). */
const char *music_out_codec(const CliOptions *o);

int internal_error(char *err, size_t errlen, const char *what, int ret);

#endif /* DD_OPEN_H */
