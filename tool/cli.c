/*
 * Command line of the dialogueduck program.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/log.h>
#include <libavutil/parseutils.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>

#include "config.h"
#include "cli.h"
#include "loudness.h"

enum {
    OPT_MUSIC_OUT = 256,
    OPT_KEEP_STEMS,
    OPT_DEPTH,
    OPT_BELOW,
    OPT_LOOKAHEAD,
    OPT_ATTACK,
    OPT_RELEASE,
    OPT_HOLD,
    OPT_THRESHOLD,
    OPT_SENSITIVITY,
    OPT_SPECTRAL,
    OPT_BAND,
    OPT_UNMASK,
    OPT_LOUDNESS,
    OPT_TRUE_PEAK,
    OPT_GATE,
    OPT_CODEC,
    OPT_BITRATE,
    OPT_REPORT,
    OPT_THREADS,
    OPT_KEYFRAMES,
    OPT_KEYFRAMES_FORMAT,
    OPT_APPLY_KEYFRAMES,
    OPT_PLOT,
    OPT_VERSION,
    OPT_HIDE_BANNER,
    OPT_LOGLEVEL,
    OPT_NOSTATS,
    OPT_STRICT,
    OPT_SAMPLE_RATE,
    OPT_SAMPLE_FMT,
    OPT_CODEC_OPT,
    OPT_DUAL_MONO,
    OPT_ANALYZE_ONLY,
    OPT_FORMAT,
    OPT_CACHE,
};

#define PARAM(f) offsetof(CliOptions, params.f)
#define OPT(name, letter, id, flags) { name, letter, id, flags, 0, 0, 0, NULL }
#define RANGED(name, id, lo, hi, offset) { name, 0, id, 0, lo, hi, offset, NULL }
#define FFOPT(name, ffname, id) { name, 0, id, 0, 0, 0, 0, ffname }
#define SECONDS(name, id, lo, hi, offset) \
    { name, 0, id, CLI_SECONDS, lo, hi, offset, NULL }

const CliOption cli_options[] = {
    OPT("dialogue",         'd', 'd',                  CLI_PER_JOB),
    OPT("music",            'm', 'm',                  CLI_PER_JOB),
    OPT("effects",          'e', 'e',                  CLI_PER_JOB),
    OPT("input",            'i', 'i',                  CLI_PER_JOB),
    OPT("output",           'o', 'o',                  CLI_PER_JOB | CLI_WRITES),
    OPT("music-out",        0,   OPT_MUSIC_OUT,        CLI_WRITES),
    OPT("keep-stems",       0,   OPT_KEEP_STEMS,       CLI_NOARG),
    RANGED("depth", OPT_DEPTH,
           DD_DEPTH_MIN, DD_DEPTH_MAX, PARAM(depth)),
    RANGED("below", OPT_BELOW,
           DD_BELOW_MIN, DD_BELOW_MAX, PARAM(below)),
    SECONDS("lookahead", OPT_LOOKAHEAD,
           DD_LOOKAHEAD_MIN, DD_LOOKAHEAD_MAX, PARAM(lookahead)),
    SECONDS("attack", OPT_ATTACK,
           DD_ATTACK_MIN, DD_ATTACK_MAX, PARAM(attack)),
    SECONDS("release", OPT_RELEASE,
           DD_RELEASE_MIN, DD_RELEASE_MAX, PARAM(release)),
    SECONDS("hold", OPT_HOLD,
           DD_HOLD_MIN, DD_HOLD_MAX, PARAM(hold)),
    RANGED("threshold", OPT_THRESHOLD,
           DD_THRESHOLD_MIN, DD_THRESHOLD_MAX, PARAM(threshold)),
    OPT("sensitivity",      0,   OPT_SENSITIVITY,      0),
    OPT("spectral",         0,   OPT_SPECTRAL,         CLI_NOARG | CLI_OPTARG),
    OPT("band",             0,   OPT_BAND,             0),
    RANGED("unmask", OPT_UNMASK,
           DD_UNMASK_MIN, DD_UNMASK_MAX, PARAM(unmask)),
    OPT("loudness",         0,   OPT_LOUDNESS,         0),
    RANGED("true-peak", OPT_TRUE_PEAK,
           TRUE_PEAK_MIN, TRUE_PEAK_MAX, offsetof(CliOptions, true_peak)),
    OPT("gate",             0,   OPT_GATE,             0),
    OPT("dual-mono",        0,   OPT_DUAL_MONO,        CLI_NOARG),
    FFOPT("format",         "f",                       OPT_FORMAT),
    FFOPT("codec",          "c:a",                     OPT_CODEC),
    FFOPT("bitrate",        "b:a",                     OPT_BITRATE),
    FFOPT("sample-rate",    "ar",                      OPT_SAMPLE_RATE),
    OPT("sample-fmt",       0,   OPT_SAMPLE_FMT,       0),
    OPT("codec-opt",        0,   OPT_CODEC_OPT,        0),
    OPT("report",           0,   OPT_REPORT,           CLI_PER_JOB | CLI_WRITES),
    OPT("analyze-only",     0,   OPT_ANALYZE_ONLY,     CLI_NOARG),
    OPT("threads",          0,   OPT_THREADS,          0),
    OPT("cache",            0,   OPT_CACHE,            0),
    OPT("keyframes",        0,   OPT_KEYFRAMES,        CLI_WRITES),
    OPT("keyframes-format", 0,   OPT_KEYFRAMES_FORMAT, 0),
    OPT("apply-keyframes",  0,   OPT_APPLY_KEYFRAMES,  0),
    OPT("plot",             0,   OPT_PLOT,             CLI_WRITES),
    OPT(NULL,               'y', 'y',                  CLI_NOARG),
    OPT(NULL,               'n', 'n',                  CLI_NOARG),
    OPT("strict",           0,   OPT_STRICT,           CLI_NOARG),
    OPT("quiet",            'q', 'q',                  CLI_NOARG),
    OPT("verbose",          'v', 'v',                  CLI_NOARG),
    OPT("loglevel",         0,   OPT_LOGLEVEL,         CLI_FFMPEG),
    OPT("nostats",          0,   OPT_NOSTATS,          CLI_NOARG | CLI_FFMPEG),
    OPT("hide_banner",      0,   OPT_HIDE_BANNER,      CLI_NOARG | CLI_FFMPEG),
    OPT("help",             'h', 'h',                  CLI_NOARG | CLI_ACTION),
    OPT("version",          0,   OPT_VERSION,
        CLI_NOARG | CLI_ACTION | CLI_FFMPEG),
};

const int cli_nb_options = sizeof(cli_options) / sizeof(cli_options[0]);

const CliOption *cli_option_find(const char *name)
{
    for (int i = 0; i < cli_nb_options; i++) {
        const CliOption *c = &cli_options[i];
        if ((c->name && !strcmp(name, c->name)) ||
            (c->short_name && name[0] == c->short_name && !name[1]))
            return c;
    }
    return NULL;
}

const char *cli_role_name(enum StemRole role)
{
    switch (role) {
    case STEM_DIALOGUE: return "dialogue";
    case STEM_MUSIC:    return "music";
    case STEM_EFFECTS:  return "effects";
    }
    return "?";
}

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("dialogueduck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see --help)\n", stderr);
    return EXIT_USAGE;
}

/* A finite number using the whole string. */
static int parse_number(const char *s, double *v)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return -1;
    *v = strtod(s, &end);
    return *end || !isfinite(*v) ? -1 : 0;
}

/* A duration as ffmpeg reads one: 0.2, 200ms, 1.5s, 00:01:02.500. */
static int parse_seconds(const char *s, double *v)
{
    int64_t us;
    if (!*s || isspace((unsigned char)*s) || av_parse_time(&us, s, 1) < 0)
        return -1;
    *v = us / 1e6;
    return 0;
}

static int parse_ranged(const char *opt, const char *s, double lo, double hi,
                        int seconds, double *v)
{
    if (seconds && parse_seconds(s, v) < 0)
        return usage_error("%s: '%s' is not a duration (such as 0.2, 200ms, "
                           "1.5s, 00:00:01.500)", opt, s);
    if (!seconds && parse_number(s, v) < 0)
        return usage_error("%s: '%s' is not a number", opt, s);
    if (*v < lo || *v > hi) {
        return usage_error("%s: %s is out of range [%g..%g]", opt, s, lo, hi);
    }
    return 0;
}

/* "192k", "1.5M", "128000". */
static int parse_bitrate(const char *s, int64_t *v)
{
    char *end;
    double x = strtod(s, &end);
    if (end == s || !isfinite(x))
        return -1;
    if (*end == 'k' || *end == 'K')
        x *= 1e3, end++;
    else if (*end == 'M' || *end == 'm')
        x *= 1e6, end++;
    if (*end || x < 1000 || x > 1e8)
        return -1;
    *v = (int64_t)llround(x);
    return 0;
}

static int add_stem(CliOptions *o, enum StemRole role, const char *arg)
{
    if (o->nb_stems >= CLI_MAX_STEMS)
        return usage_error("too many stems (at most %d)", CLI_MAX_STEMS);
    if (!*arg)
        return usage_error("empty %s stem", cli_role_name(role));
    o->stems[o->nb_stems++] = (CliStem){ .role = role, .arg = arg,
                                         .path = arg, .input_index = -1 };
    return 0;
}

/*
 * With -i inputs, "N:SPEC" names stream SPEC of input N (and "N" alone its
 * first audio stream); anything else is a file of its own.
 */
static int resolve_stem(CliOptions *o, CliStem *s)
{
    const char *p = s->arg;
    char *end;
    long idx;

    if (!o->nb_inputs || !isdigit((unsigned char)*p))
        return 0;
    idx = strtol(p, &end, 10);
    if (*end != ':' && *end)
        return 0;
    if (idx >= o->nb_inputs) {
        return usage_error("%s: there is no input %ld (%d given with -i)",
                           s->arg, idx, o->nb_inputs);
    }
    s->input_index = (int)idx;
    s->path = o->inputs[idx];
    s->spec = *end == ':' ? end + 1 : NULL;
    if (s->spec && !*s->spec)
        s->spec = NULL;
    return 0;
}

/* getopt_long()'s view of the table. */
static void getopt_tables(struct option *lo, char *shorts)
{
    int nl = 0, ns = 0;

    shorts[ns++] = ':';
    for (int i = 0; i < cli_nb_options; i++) {
        const CliOption *c = &cli_options[i];
        int has_arg = c->flags & CLI_OPTARG ? optional_argument :
                      c->flags & CLI_NOARG ? no_argument : required_argument;
        if (c->name)
            lo[nl++] = (struct option){ c->name, has_arg, NULL, c->id };
        if (c->short_name) {
            shorts[ns++] = (char)c->short_name;
            if (has_arg == required_argument)
                shorts[ns++] = ':';
        }
    }
    lo[nl] = (struct option){ NULL, 0, NULL, 0 };
    shorts[ns] = 0;
}

typedef struct ParseState {
    int have_dialogue, have_music;
    int threshold_set;    /* 1: --threshold, 2: --sensitivity */
    int band_set;
    int unmask_set;
} ParseState;

/* Options kept as the string given. */
static const char **string_field(CliOptions *o, int id)
{
    switch (id) {
    case 'o':                  return &o->output;
    case OPT_MUSIC_OUT:        return &o->music_out;
    case OPT_REPORT:           return &o->report;
    case OPT_KEYFRAMES:        return &o->keyframes;
    case OPT_KEYFRAMES_FORMAT: return &o->keyframes_format;
    case OPT_APPLY_KEYFRAMES:  return &o->apply_keyframes;
    case OPT_PLOT:             return &o->plot;
    case OPT_CODEC:            return &o->codec;
    case OPT_FORMAT:           return &o->format;
    }
    return NULL;
}

/* ffmpeg's -loglevel names: what each shows of ours and of FFmpeg's. */
static const struct LogLevel {
    const char *name;
    int verbosity;
    int av_level;
} log_levels[] = {
    { "quiet",   VERB_ERROR,   AV_LOG_QUIET   },
    { "panic",   VERB_ERROR,   AV_LOG_PANIC   },
    { "fatal",   VERB_ERROR,   AV_LOG_FATAL   },
    { "error",   VERB_ERROR,   AV_LOG_ERROR   },
    { "warning", VERB_WARNING, AV_LOG_WARNING },
    { "info",    VERB_INFO,    AV_LOG_INFO    },
    { "verbose", VERB_VERBOSE, AV_LOG_VERBOSE },
    { "debug",   VERB_VERBOSE, AV_LOG_DEBUG   },
    { "trace",   VERB_VERBOSE, AV_LOG_TRACE   },
};

static const struct LogLevel *find_log_level(const char *name)
{
    for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
        if (!strcmp(name, log_levels[i].name))
            return &log_levels[i];
    return NULL;
}

static int parse_log_level(CliOptions *o, const char *arg)
{
    const struct LogLevel *l = find_log_level(arg);
    if (!l)
        return usage_error("-loglevel: '%s' is not quiet, panic, fatal, "
                           "error, warning, info, verbose, debug or trace",
                           arg);
    o->verbosity = l->verbosity;
    o->av_log_level = l->av_level;
    return 0;
}

static void print_version(void)
{
    unsigned v[] = { avformat_version(), avcodec_version(),
                     avutil_version(), swresample_version() };
    const char *names[] = { "libavformat", "libavcodec", "libavutil",
                            "libswresample" };
    printf("dialogueduck %s\n", DD_VERSION_STRING);
    printf("built with FFmpeg %s\n", av_version_info());
    for (int i = 0; i < 4; i++)
        printf("%-14s %u.%u.%u\n", names[i], AV_VERSION_MAJOR(v[i]),
               AV_VERSION_MINOR(v[i]), AV_VERSION_MICRO(v[i]));
}

/* Options without a value. Returns -1 to go on, or an exit code. */
static int parse_flag(CliOptions *o, int id)
{
    switch (id) {
    case OPT_KEEP_STEMS:  o->keep_stems = 1; break;
    case 'y':             o->overwrite = 1; break;
    case 'n':             o->no_overwrite = 1; break;
    case OPT_STRICT:      o->strict = 1; break;
    case OPT_DUAL_MONO:   o->dual_mono = 1; break;
    case OPT_ANALYZE_ONLY: o->analyze_only = 1; break;
    case OPT_NOSTATS:     o->nostats = 1; break;
    case OPT_HIDE_BANNER: break; /* there is no banner to hide */
    case 'q':             parse_log_level(o, "quiet"); break;
    case 'v':
        o->verbosity = VERB_VERBOSE;
        o->av_log_level = AV_LOG_WARNING;
        break;
    case 'h':             cli_print_help(); return EXIT_OK;
    case OPT_VERSION:     print_version(); return EXIT_OK;
    }
    return -1;
}

static int parse_loudness(CliOptions *o, const char *arg)
{
    if (loudness_parse_target(arg, &o->target_lufs) < 0)
        return usage_error("--loudness: '%s' is not off, ebu, atsc, "
                           "streaming, netflix or a LUFS value", arg);
    if (!isnan(o->target_lufs) &&
        (o->target_lufs < -70 || o->target_lufs > 0))
        return usage_error("--loudness: %s is out of range "
                           "[-70..0] LUFS", arg);
    o->loudness_arg = arg;
    return 0;
}

/* "LOW-HIGH" in Hz: each edge within its range, HIGH at least 2 x LOW. */
static int parse_band(DDParams *p, const char *arg)
{
    char low[64];
    const char *dash = *arg ? strchr(arg + 1, '-') : NULL;
    int ret;

    if (!dash || dash - arg >= (ptrdiff_t)sizeof(low))
        return usage_error("--band: '%s' is not LOW-HIGH in Hz such as "
                           "300-3400", arg);
    snprintf(low, sizeof(low), "%.*s", (int)(dash - arg), arg);
    if ((ret = parse_ranged("--band LOW", low, DD_BAND_LOW_MIN,
                            DD_BAND_LOW_MAX, 0, &p->band_low)) ||
        (ret = parse_ranged("--band HIGH", dash + 1, DD_BAND_HIGH_MIN,
                            DD_BAND_HIGH_MAX, 0, &p->band_high)))
        return ret;
    if (p->band_high < 2.0 * p->band_low)
        return usage_error("--band: %s: HIGH must be at least 2 x LOW", arg);
    return 0;
}

/* Options with a value that is not a plain string or a ranged number. */
static int parse_special(CliOptions *o, ParseState *st, int id, const char *arg)
{
    int ret;
    double v;

    switch (id) {
    case OPT_SENSITIVITY:
        if ((ret = parse_ranged("--sensitivity", arg, 0, 100, 0, &v)))
            return ret;
        /* 0: the least sensitive gate, 100: the most sensitive. */
        o->params.threshold = DD_THRESHOLD_MAX -
            v / 100.0 * (DD_THRESHOLD_MAX - DD_THRESHOLD_MIN);
        st->threshold_set |= 2;
        return 0;
    case OPT_LOUDNESS:
        return parse_loudness(o, arg);
    case OPT_BAND:
        st->band_set = 1;
        return parse_band(&o->params, arg);
    case OPT_LOGLEVEL:
        return parse_log_level(o, arg);
    case OPT_SAMPLE_RATE:
        if ((ret = parse_ranged("--sample-rate", arg, 8000, 384000, 0, &v)))
            return ret;
        if (v != floor(v))
            return usage_error("--sample-rate: '%s' is not a whole number",
                               arg);
        o->sample_rate = (int)v;
        return 0;
    case OPT_SAMPLE_FMT:
        if ((o->sample_fmt = av_get_sample_fmt(arg)) == AV_SAMPLE_FMT_NONE)
            return usage_error("--sample-fmt: '%s' is not a sample format "
                               "(u8, s16, s32, s64, flt, dbl, or one of "
                               "those with p)", arg);
        return 0;
    case OPT_CODEC_OPT:
        if (o->nb_codec_opts >= CLI_MAX_CODEC_OPTS)
            return usage_error("too many --codec-opt (at most %d)",
                               CLI_MAX_CODEC_OPTS);
        if (!strchr(arg, '=') || arg[0] == '=')
            return usage_error("--codec-opt: '%s' is not KEY=VALUE", arg);
        o->codec_opts[o->nb_codec_opts++] = arg;
        return 0;
    case OPT_GATE:
        if (!strcmp(arg, "program"))
            o->gate = GATE_PROGRAM;
        else if (!strcmp(arg, "dialogue"))
            o->gate = GATE_DIALOGUE;
        else
            return usage_error("--gate: '%s' is not program or dialogue", arg);
        return 0;
    case OPT_CACHE:
        if (!strcmp(arg, "auto"))
            o->cache = CACHE_AUTO;
        else if (!strcmp(arg, "on"))
            o->cache = CACHE_ON;
        else if (!strcmp(arg, "off"))
            o->cache = CACHE_OFF;
        else
            return usage_error("--cache: '%s' is not auto, on or off", arg);
        return 0;
    case OPT_BITRATE:
        if (parse_bitrate(arg, &o->bitrate) < 0)
            return usage_error("--bitrate: '%s' is not a bit rate "
                               "such as 192k", arg);
        return 0;
    case OPT_THREADS:
        if ((ret = parse_ranged("--threads", arg, 0, 64, 0, &v)))
            return ret;
        if (v != floor(v))
            return usage_error("--threads: '%s' is not a whole number", arg);
        o->threads = (int)v;
        return 0;
    }
    return 0;
}

static int parse_input(CliOptions *o, const char *arg)
{
    if (o->nb_inputs >= CLI_MAX_INPUTS)
        return usage_error("too many inputs (at most %d)", CLI_MAX_INPUTS);
    if (!*arg)
        return usage_error("empty input path after -i");
    o->inputs[o->nb_inputs++] = arg;
    return 0;
}

int cli_option_word(const char *name, const char *word)
{
    return !strcmp(name, "spectral") && word &&
           (!strcmp(word, "band") || !strcmp(word, "adaptive"));
}

/* --spectral, --spectral MODE, --spectral=MODE. -1 to go on, or an exit
 * code. */
static int parse_spectral(CliOptions *o, const char *arg)
{
    if (arg && !cli_option_word("spectral", arg))
        return usage_error("--spectral: '%s' is not band or adaptive", arg);
    o->params.spectral = arg && !strcmp(arg, "adaptive") ?
                         DD_SPECTRAL_ADAPTIVE : DD_SPECTRAL_BAND;
    return -1;
}

/* One option from getopt. Returns -1 to go on, or an exit code. */
static int parse_option(CliOptions *o, ParseState *st, int c, const char *arg)
{
    const char **str = string_field(o, c);
    int ret = 0;

    if (str) {
        *str = arg;
        return -1;
    }
    for (int i = 0; i < cli_nb_options; i++) {
        const CliOption *opt = &cli_options[i];
        char name[64];
        if (opt->id != c)
            continue;
        if (c == OPT_SPECTRAL)
            return parse_spectral(o, arg);
        if (opt->flags & CLI_NOARG)
            return parse_flag(o, c);
        if (!opt->offset)
            break;
        snprintf(name, sizeof(name), "--%s", opt->name);
        ret = parse_ranged(name, arg, opt->min, opt->max,
                           !!(opt->flags & CLI_SECONDS),
                           (double *)((char *)o + opt->offset));
        st->threshold_set |= c == OPT_THRESHOLD;
        st->unmask_set |= c == OPT_UNMASK;
        return ret ? ret : -1;
    }
    switch (c) {
    case 'd':
    case 'm':
    case 'e':
        ret = add_stem(o, c == 'd' ? STEM_DIALOGUE :
                          c == 'm' ? STEM_MUSIC : STEM_EFFECTS, arg);
        st->have_dialogue |= c == 'd';
        st->have_music |= c == 'm';
        break;
    case 'i':
        ret = parse_input(o, arg);
        break;
    default:
        ret = parse_special(o, st, c, arg);
    }
    return ret ? ret : -1;
}

/* Without -d, the first audio stream of the first -i, listed first. */
static int default_dialogue(CliOptions *o)
{
    CliStem s;
    int ret;

    if (!o->nb_inputs)
        return usage_error("no dialogue stem: give -d FILE or -i FILE");
    if ((ret = add_stem(o, STEM_DIALOGUE, "0")))
        return ret;
    s = o->stems[o->nb_stems - 1];
    memmove(&o->stems[1], &o->stems[0],
            (o->nb_stems - 1) * sizeof(o->stems[0]));
    o->stems[0] = s;
    return resolve_stem(o, &o->stems[0]);
}

/* What the options must add up to once all are read. */
static int check_complete(CliOptions *o, const ParseState *st)
{
    int ret;

    if (st->threshold_set == 3)
        return usage_error("--threshold and --sensitivity set the same "
                           "thing; give one");
    for (int i = 0; i < o->nb_stems; i++)
        if ((ret = resolve_stem(o, &o->stems[i])))
            return ret;
    if (!st->have_dialogue && (ret = default_dialogue(o)))
        return ret;
    if (!st->have_music)
        return usage_error("no music stem: give -m STEM");
    if (!o->output && !o->music_out && !o->keyframes && !o->report &&
        !o->plot)
        return usage_error("no output: give -o FILE (or --music-out, "
                           "--keyframes, --report, --plot)");
    if (o->overwrite && o->no_overwrite)
        return usage_error("-y (overwrite) and -n (never overwrite) "
                           "contradict each other; give one");
    if (o->keep_stems && !o->output)
        return usage_error("--keep-stems needs -o");
    if (o->analyze_only && (o->output || o->music_out))
        return usage_error("--analyze-only renders nothing; it takes no -o "
                           "or --music-out");
    /* nothing to render: the analysis is all there is to do */
    o->analyze_only |= !o->output && !o->music_out;
    if (st->band_set && o->params.spectral != DD_SPECTRAL_BAND)
        return usage_error("--band needs --spectral (band)");
    if (st->unmask_set && o->params.spectral != DD_SPECTRAL_ADAPTIVE)
        return usage_error("--unmask needs --spectral adaptive");
    if (o->format && !o->output)
        return usage_error("-f needs -o");
    if (o->keyframes_format && !o->keyframes)
        return usage_error("--keyframes-format needs --keyframes");
    if (dd_params_check(&o->params) != DD_OK)
        return usage_error("the ducking parameters are inconsistent");
    return -1;
}

int cli_show_progress(const CliOptions *o)
{
    return o->verbosity >= VERB_INFO && !o->nostats;
}

/* The option of "--name" or "--name=value", exactly; NULL if none. */
static const CliOption *long_option(const char *arg)
{
    size_t n = strcspn(arg, "=");
    for (int i = 0; i < cli_nb_options; i++)
        if (cli_options[i].name && strlen(cli_options[i].name) == n &&
            !strncmp(arg, cli_options[i].name, n))
            return &cli_options[i];
    return NULL;
}

/* The option ffmpeg spells "-NAME" (exactly), or NULL. */
static const CliOption *ffmpeg_option(const char *name)
{
    const CliOption *c = long_option(name);
    if (c && (c->flags & CLI_FFMPEG) && !strchr(name, '='))
        return c;
    for (int i = 0; i < cli_nb_options; i++)
        if (cli_options[i].ffmpeg && !strcmp(name, cli_options[i].ffmpeg))
            return &cli_options[i];
    return NULL;
}

/* "--name" for an option ffmpeg spells "-name" (stored once per option). */
static char *double_dash(const CliOption *c)
{
    static char spelled[sizeof(cli_options) / sizeof(cli_options[0])][32];
    char *s = spelled[c - cli_options];
    snprintf(s, sizeof(spelled[0]), "--%s", c->name);
    return s;
}

/*
 * How many of the following arguments a short-option cluster takes; *bad
 * is set to the cluster when one of its letters is no option.
 */
static int cluster_values(const char *arg, const char **bad)
{
    for (const char *p = arg + 1; *p; p++) {
        const CliOption *c = cli_option_find((char[]){ *p, 0 });
        if (!c || !c->short_name) {
            *bad = arg;
            return 0;
        }
        if (!(c->flags & CLI_NOARG))
            return !p[1];
    }
    return 0;
}

/*
 * ffmpeg's spellings, before getopt sees them: "-hide_banner", "-version",
 * "-loglevel L", "-nostats" become their "--" forms, "-c:a", "-b:a", "-ar"
 * the options they stand for (CliOption.ffmpeg), and "-v L" with a
 * level name becomes "--loglevel L" (getopt would read "-hide_banner" as
 * -h). Values of options are skipped, never rewritten. Returns the first
 * "-word" with a letter that is no option (getopt names the letter only),
 * or NULL.
 */
static const char *ffmpeg_spellings(int argc, char **args)
{
    const char *bad = NULL;

    for (int i = 1; i < argc && !bad; i++) {
        const char *a = args[i];
        const CliOption *c;
        if (!strcmp(a, "--"))
            break;
        if (a[0] != '-' || !a[1])
            continue;
        if (a[1] == '-') {
            c = long_option(a + 2);
            i += c && !(c->flags & CLI_NOARG) && !strchr(a, '=');
        } else if ((c = ffmpeg_option(a + 1))) {
            args[i] = double_dash(c);
            i += !(c->flags & CLI_NOARG);
        } else if (!strcmp(a, "-v") && i + 1 < argc &&
                   find_log_level(args[i + 1])) {
            args[i++] = double_dash(long_option("loglevel"));
        } else {
            i += cluster_values(a, &bad);
        }
    }
    return bad;
}

/* "unknown option -foo", or "-z in -yz" when the cluster starts well. */
static int unknown_short(int letter, const char *word)
{
    if (!word)
        return usage_error("unknown option -%c", letter);
    if (word[1] == letter)
        return usage_error("unknown option %s", word);
    return usage_error("unknown option -%c in %s", letter, word);
}

int cli_parse(CliOptions *o, int argc, char **argv)
{
    struct option long_options[sizeof(cli_options) / sizeof(cli_options[0]) + 1];
    char shorts[2 * sizeof(cli_options) / sizeof(cli_options[0]) + 2];
    ParseState st = { 0 };
    const char *bad_word;
    char *args[argc + 1];
    int c, ret;

    memset(o, 0, sizeof(*o));
    dd_params_default(&o->params);
    /* the whole file is read before rendering: latency does not bind us */
    o->params.lookahead = DD_LOOKAHEAD_OFFLINE_DEFAULT;
    o->target_lufs = LOUDNESS_EBU;
    o->loudness_arg = "ebu";
    o->true_peak = LOUDNESS_TRUE_PEAK_DEFAULT;
    o->gate = GATE_PROGRAM;
    o->verbosity = VERB_INFO;
    o->sample_fmt = AV_SAMPLE_FMT_NONE;
    /* our own messages are one line each; the libraries stay quiet
     * unless asked for */
    o->av_log_level = AV_LOG_QUIET;
    o->argc = argc;
    o->argv = argv;

    if (argc < 2)
        return usage_error("usage: dialogueduck -d DIALOGUE -m MUSIC -o OUTPUT");
    memcpy(args, argv, (argc + 1) * sizeof(*args));
    bad_word = ffmpeg_spellings(argc, args);
    getopt_tables(long_options, shorts);
    opterr = 0;
    /* 0, not 1: glibc then forgets its position inside a previous argv
     * (a second parse would otherwise go on with "-hq"'s 'q') */
    optind = 0;
    while ((c = getopt_long(argc, args, shorts, long_options, NULL)) != -1) {
        if (c == ':')
            return usage_error("%s needs a value", args[optind - 1]);
        if (c == '?') {
            if (optopt)
                return unknown_short(optopt, bad_word);
            return usage_error("unknown option %s", args[optind - 1]);
        }
        /* "--spectral adaptive": the mode as the next word */
        if (!optarg && optind < argc && c == OPT_SPECTRAL &&
            cli_option_word("spectral", args[optind]))
            optarg = args[optind++];
        if ((ret = parse_option(o, &st, c, optarg)) >= 0)
            return ret;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'; stems are given with "
                           "-d, -m, -e", args[optind]);
    return check_complete(o, &st);
}
