/*
 * Command line of the dialogueduck program: options, --help, --version
 * and the exit codes.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#ifndef DD_CLI_H
#define DD_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "dialogueduck.h"

/* Exit codes by category (listed in --help and the README). */
enum {
    EXIT_OK       = 0,
    EXIT_USAGE    = 1, /**< bad option or value */
    EXIT_INPUT    = 2, /**< missing, unreadable or unusable input */
    EXIT_OUTPUT   = 3, /**< output exists, equals an input, cannot be written */
    EXIT_INTERNAL = 4, /**< anything else (out of memory, library failure) */
};

/* How much the program says on stderr (CliOptions.verbosity); -loglevel
 * maps ffmpeg's level names onto these. */
enum {
    VERB_ERROR,   /**< one-line errors only */
    VERB_WARNING, /**< and warnings (damaged input, ...) */
    VERB_INFO,    /**< and progress and the closing summary: the default */
    VERB_VERBOSE, /**< and what was opened and decided */
};

/* True-peak ceilings accepted by --true-peak, dBTP. */
#define TRUE_PEAK_MIN -20.0
#define TRUE_PEAK_MAX   0.0

#define CLI_MAX_INPUTS 64
#define CLI_MAX_STEMS  64
#define CLI_MAX_CODEC_OPTS 32

enum StemRole {
    STEM_DIALOGUE,
    STEM_MUSIC,
    STEM_EFFECTS,
};

typedef struct CliStem {
    enum StemRole role;
    const char *arg;      /**< as given: a path or INPUT:STREAMSPEC */
    const char *path;     /**< the file to open (a pipe's name: see file) */
    const char *file;     /**< a pipe's copy to open instead (spool.h), or NULL */
    const char *spec;     /**< stream specifier, NULL: first audio stream */
    int input_index;      /**< index into -i inputs, -1 for a file of its own */
} CliStem;

enum LoudnessGateOpt {
    GATE_PROGRAM,
    GATE_DIALOGUE,
};

/* --cache: whether pass 2 reads what pass 1 decoded from a temporary
 * file (passcache.h) or decodes again. */
enum CacheOpt {
    CACHE_AUTO,     /**< when a stem is compressed (open.c) */
    CACHE_ON,
    CACHE_OFF,
};

typedef struct CliOptions {
    const char *inputs[CLI_MAX_INPUTS];  /**< -i FILE */
    const char *input_files[CLI_MAX_INPUTS]; /**< a pipe's copy, or NULL */
    int nb_inputs;
    CliStem stems[CLI_MAX_STEMS];
    int nb_stems;

    const char *output;       /**< -o */
    const char *format;       /**< -f: -o's muxer, NULL: from the extension */
    const char *music_out;    /**< --music-out */
    const char *report;       /**< --report */
    const char *keyframes;    /**< --keyframes */
    const char *keyframes_format;
    const char *apply_keyframes;
    const char *plot;         /**< --plot */
    int keep_stems;
    int analyze_only;         /**< --analyze-only, or nothing to render
                                   (no -o, no --music-out) */

    DDParams params;

    double target_lufs;       /**< NAN: --loudness off */
    const char *loudness_arg;
    double true_peak;         /**< dBTP ceiling */
    int gate;                 /**< enum LoudnessGateOpt */

    const char *codec;
    int64_t bitrate;          /**< bit/s, 0: codec default */
    int sample_rate;          /**< -ar, 0: the stems' */
    int sample_fmt;           /**< --sample-fmt (AVSampleFormat), -1: chosen */
    const char *codec_opts[CLI_MAX_CODEC_OPTS]; /**< --codec-opt KEY=VALUE */
    int nb_codec_opts;
    int threads;              /**< 0: automatic */
    int overwrite;            /**< -y */
    int no_overwrite;         /**< -n */
    int verbosity;            /**< VERB_* */
    int av_log_level;         /**< for the FFmpeg libraries (AV_LOG_*) */
    int nostats;              /**< -nostats: no progress line */
    int strict;               /**< --strict: damaged input is an error */
    int cache;                /**< enum CacheOpt */
    int dual_mono;            /**< --dual-mono: mono measured on two speakers */

    int argc;                 /**< the full command line, for the report */
    char **argv;
} CliOptions;

/* How an option behaves, beyond its name (CliOption.flags). */
enum {
    CLI_NOARG   = 1 << 0, /**< takes no value */
    CLI_PER_JOB = 1 << 1, /**< batch: a manifest column, never a default */
    CLI_WRITES  = 1 << 2, /**< names a file the run writes */
    CLI_ACTION  = 1 << 3, /**< prints and exits (--help, --version) */
    CLI_FFMPEG  = 1 << 4, /**< also spelled with one dash, as ffmpeg does */
    CLI_SECONDS = 1 << 5, /**< a duration: 0.2, 200ms, 1.5s, 00:01:02.500 */
    CLI_OPTARG  = 1 << 6, /**< with CLI_NOARG: may take one of the words
                               cli_option_word() accepts (--spectral
                               adaptive, --spectral=adaptive) */
};

/**
 * One program option. The table of them is the one list that cli_parse(),
 * batch mode (defaults, manifest columns) and the --help check read.
 */
typedef struct CliOption {
    const char *name;     /**< long name without "--"; NULL: short only */
    int short_name;       /**< the letter of -X, 0 if none */
    int id;               /**< what getopt_long() returns for it */
    unsigned flags;       /**< CLI_* above */
    double min, max;      /**< range of a number stored at offset */
    size_t offset;        /**< where in CliOptions a ranged double goes, 0: none */
    const char *ffmpeg;   /**< ffmpeg's name for it (-NAME), or NULL */
} CliOption;

extern const CliOption cli_options[];
extern const int cli_nb_options;

/** The option by long name, or by letter for a one-letter name; NULL. */
const CliOption *cli_option_find(const char *name);

/** 1 if word is a value the flag option name may take (CLI_OPTARG). */
int cli_option_word(const char *name, const char *word);

/**
 * Parse argv into o. Returns -1 to continue, or an exit code to return at
 * once (after --help, --version, or a usage error printed on stderr).
 */
int cli_parse(CliOptions *o, int argc, char **argv);

/** --help on stdout (tool/cli_help.c). */
void cli_print_help(void);

/** Whether the progress line may be shown (it still needs a terminal). */
int cli_show_progress(const CliOptions *o);

/** Role name: "dialogue", "music", "effects". */
const char *cli_role_name(enum StemRole role);

#endif /* DD_CLI_H */
