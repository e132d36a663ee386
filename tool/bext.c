/*
 * Broadcast WAV bext carried from a source to an output (bext.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/mathematics.h>

#include "bext.h"
#include "config.h"

/* bext fields: the muxer's key, and the generic key the demuxer may give
 * it under (libavformat/wavdec.c's wav_metadata_conv). */
static const struct {
    const char *key, *generic;
} fields[] = {
    { "description",          "comment"       },
    { "originator",           "encoded_by"    },
    { "originator_reference", NULL            },
    { "origination_date",     "date"          },
    { "origination_time",     "creation_time" },
    { "umid",                 NULL            },
};

static const char *get(const AVDictionary *d, const char *key)
{
    const AVDictionaryEntry *e = key ? av_dict_get(d, key, NULL, 0) : NULL;
    return e ? e->value : NULL;
}

int bext_present(const AVDictionary *src)
{
    return get(src, "time_reference") != NULL;
}

/* The source's history, each line ended by CR LF (EBU R98), and ours. */
static int coding_history(AVDictionary **dst, const char *old,
                          const BextTarget *t)
{
    const char *mode = t->channels == 1 ? "mono" :
                       t->channels == 2 ? "stereo" : "multichannel";
    size_t len = old ? strlen(old) : 0;
    char line[160], *all;
    int ret;

    snprintf(line, sizeof(line), "A=PCM,F=%d,W=%d,M=%s,T=dialogueduck %s: "
             "%s\r\n", t->sample_rate, t->bits, mode, DD_VERSION_STRING,
             t->what);
    while (len && (old[len - 1] == '\n' || old[len - 1] == '\r' ||
                   old[len - 1] == '\0'))
        len--;
    if (!(all = malloc(len + 2 + strlen(line) + 1)))
        return AVERROR(ENOMEM);
    snprintf(all, len + 2 + strlen(line) + 1, "%.*s%s%s", (int)len,
             len ? old : "", len ? "\r\n" : "", line);
    ret = av_dict_set(dst, "coding_history", all, AV_DICT_DONT_STRDUP_VAL);
    return ret;
}

int bext_carry(AVDictionary **dst, const AVDictionary *src, int src_rate,
               const BextTarget *t)
{
    int64_t tr = strtoll(get(src, "time_reference"), NULL, 10);
    char num[32];
    int ret;

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *v = get(src, fields[i].key);
        if (!v)
            v = get(src, fields[i].generic);
        if (v && (ret = av_dict_set(dst, fields[i].key, v, 0)) < 0)
            return ret;
    }
    /* samples since midnight at the output's rate */
    if (src_rate > 0 && t->sample_rate != src_rate)
        tr = av_rescale(tr, t->sample_rate, src_rate);
    snprintf(num, sizeof(num), "%" PRId64, tr);
    if ((ret = av_dict_set(dst, "time_reference", num, 0)) < 0)
        return ret;
    return coding_history(dst, get(src, "coding_history"), t);
}
