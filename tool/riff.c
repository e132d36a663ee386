/*
 * RIFF/RF64 WAVE chunks read from a source and appended to an output
 * (riff.h).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavutil/intreadwrite.h>

#include "riff.h"

/* The file's form: RIFF, or RF64 (EBU Tech 3306) / BW64 (ITU-R BS.2088)
 * whose 64-bit sizes are in the ds64 chunk that comes first. */
typedef struct RiffForm {
    int64_t file_size;
    int rf64;
    uint64_t data_size;       /* RF64: the data chunk's size */
} RiffForm;

/* Read n bytes at pos; 0, or -1 if the file ends first. */
static int read_at(FILE *f, int64_t pos, void *buf, size_t n)
{
    if (fseeko(f, pos, SEEK_SET) < 0 || fread(buf, 1, n, f) != n)
        return -1;
    return 0;
}

/* 1 for a WAVE file (form set), 0 for anything else. */
static int read_form(FILE *f, RiffForm *form)
{
    struct stat st;
    uint8_t h[12 + 8 + 16];

    memset(form, 0, sizeof(*form));
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) ||
        read_at(f, 0, h, 12) < 0 || memcmp(h + 8, "WAVE", 4))
        return 0;
    form->file_size = st.st_size;
    if (!memcmp(h, "RIFF", 4))
        return 1;
    if (memcmp(h, "RF64", 4) && memcmp(h, "BW64", 4))
        return 0;
    /* ds64: RIFF size, data size, sample count (64 bits each), table */
    if (read_at(f, 0, h, sizeof(h)) < 0 || memcmp(h + 12, "ds64", 4) ||
        AV_RL32(h + 16) < 16)
        return 0;
    form->rf64 = 1;
    form->data_size = AV_RL64(h + 28);
    return 1;
}

/* Where chunk id starts (its header), 0 if there is none. -1 with why
 * set when the walk cannot go on to it. */
static int64_t find_chunk(FILE *f, const RiffForm *form, const char *id,
                          uint64_t *size, char *why, size_t whylen)
{
    int64_t pos = 12;
    uint8_t h[8];

    for (int n = 0; n < RIFF_MAX_CHUNKS; n++) {
        if (pos + 8 > form->file_size || read_at(f, pos, h, 8) < 0)
            return 0;
        *size = AV_RL32(h + 4);
        if (form->rf64 && *size == 0xffffffff && !memcmp(h, "data", 4))
            *size = form->data_size;
        if (!memcmp(h, id, 4))
            return pos;
        /* a chunk cut short by the end of the file is the last one */
        if (*size > (uint64_t)(form->file_size - pos - 8))
            return 0;
        pos += 8 + *size + (*size & 1);
    }
    snprintf(why, whylen, "not looked for past the first %d chunks",
             RIFF_MAX_CHUNKS);
    return -1;
}

int riff_read_chunk(const char *path, const char *id, size_t max,
                    uint8_t **data, size_t *size, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    RiffForm form;
    uint64_t sz = 0;
    int64_t pos;
    int ret = 0;

    *data = NULL;
    *size = 0;
    why[0] = '\0';
    if (!f)
        return 0;
    if (!read_form(f, &form) ||
        (pos = find_chunk(f, &form, id, &sz, why, whylen)) == 0)
        goto done;
    ret = -1;
    if (pos < 0)
        goto done;
    if (sz > max)
        snprintf(why, whylen, "%" PRIu64 " bytes, over the %zu-byte limit",
                 sz, max);
    else if (sz > (uint64_t)(form.file_size - pos - 8))
        snprintf(why, whylen, "cut short: %" PRIu64 " bytes declared, %"
                 PRId64 " in the file", sz, form.file_size - pos - 8);
    else if (!(*data = malloc(sz ? sz : 1)))
        snprintf(why, whylen, "%s", strerror(ENOMEM));
    else if (read_at(f, pos + 8, *data, sz) < 0)
        snprintf(why, whylen, "cannot be read");
    else {
        *size = sz;
        ret = 1;
    }
    if (ret < 0) {
        free(*data);
        *data = NULL;
    }
done:
    fclose(f);
    return ret;
}

/* The new RIFF size at offset 4, or an RF64 file's in its ds64 chunk. */
static int write_riff_size(FILE *f, const RiffForm *form, int64_t end)
{
    uint8_t b[8];

    if (form->rf64) {
        AV_WL64(b, end - 8);
        return fseeko(f, 20, SEEK_SET) < 0 || fwrite(b, 1, 8, f) != 8 ? -1 : 0;
    }
    AV_WL32(b, end - 8);
    return fseeko(f, 4, SEEK_SET) < 0 || fwrite(b, 1, 4, f) != 4 ? -1 : 0;
}

/*
 * A RIFF file a chunk takes past 4 GiB becomes RF64 where its header has
 * room: the 28-byte JUNK chunk FFmpeg's wav muxer (rf64=auto) reserves for
 * ds64 right after "WAVE". The ds64 RIFF size is set afterwards. 0; -1
 * with nothing written when there is no room; -2 on a write error.
 */
static int make_rf64(FILE *f, RiffForm *form)
{
    uint8_t ds64[8 + 28], fmt[8 + 14], hdr[8] = "RF64";
    uint64_t data_size = 0, fmt_size = 0;
    int64_t fmt_pos;
    char why[64];
    int block;

    if (read_at(f, 12, ds64, sizeof(ds64)) < 0 || memcmp(ds64, "JUNK", 4) ||
        AV_RL32(ds64 + 4) != 28 ||
        find_chunk(f, form, "data", &data_size, why, sizeof(why)) <= 0 ||
        (fmt_pos = find_chunk(f, form, "fmt ", &fmt_size, why,
                              sizeof(why))) <= 0 ||
        fmt_size < 14 || read_at(f, fmt_pos, fmt, sizeof(fmt)) < 0 ||
        !(block = AV_RL16(fmt + 8 + 12)))
        return -1;
    memset(ds64 + 8, 0, 28);
    memcpy(ds64, "ds64", 4);
    AV_WL64(ds64 + 16, data_size);
    AV_WL64(ds64 + 24, data_size / block);
    AV_WL32(hdr + 4, 0xffffffff);
    if (fseeko(f, 0, SEEK_SET) < 0 || fwrite(hdr, 1, 8, f) != 8 ||
        fseeko(f, 12, SEEK_SET) < 0 || fwrite(ds64, 1, 36, f) != 36)
        return -2;
    form->rf64 = 1;
    return 0;
}

int riff_append_chunk(const char *path, const char *id, const uint8_t *data,
                      size_t size, int *written, char *why, size_t whylen)
{
    static const uint8_t zero[1];
    FILE *f = fopen(path, "r+b");
    RiffForm form;
    uint8_t h[8];
    int64_t end;
    size_t pad;
    int ret = -1;

    *written = 0;
    if (!f) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    if (!read_form(f, &form)) {
        snprintf(why, whylen, "not a WAVE file");
        goto done;
    }
    /* the last chunk's pad byte, if the file lacks it */
    pad = form.file_size & 1;
    end = form.file_size + pad + 8 + (int64_t)size + (size & 1);
    if (size > 0xfffffffe || (!form.rf64 && end - 8 > 0xffffffffLL &&
                              (ret = make_rf64(f, &form)) == -1)) {
        snprintf(why, whylen, "it would take the RIFF file past 4 GiB "
                 "(and it has no room for an RF64 header)");
        goto done;
    }
    *written = 1;
    if (ret == -2) {
        ret = -1;
        snprintf(why, whylen, "%s", strerror(errno));
        goto done;
    }
    ret = -1;
    memcpy(h, id, 4);
    AV_WL32(h + 4, size);
    if (fseeko(f, form.file_size, SEEK_SET) < 0 ||
        fwrite(zero, 1, pad, f) != pad ||
        fwrite(h, 1, 8, f) != 8 || fwrite(data, 1, size, f) != size ||
        fwrite(zero, 1, size & 1, f) != (size & 1) ||
        write_riff_size(f, &form, end) < 0 || fflush(f) == EOF) {
        snprintf(why, whylen, "%s", strerror(errno));
        goto done;
    }
    ret = 0;
done:
    if (fclose(f) == EOF && ret == 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        ret = -1;
    }
    return ret;
}
