/*
 * The RIFF/RF64 chunk reader and appender (tool/riff.c) on WAVE files
 * built here byte by byte: the iXML chunk found after the data chunk, in
 * an RF64 file (data size in ds64), refused when over the limit or cut
 * short, never read past the end; appended word-aligned with the RIFF size
 * (RF64: the ds64 RIFF size) set to the file's size - 8; a RIFF file the
 * chunk would take past 4 GiB left as it was. The large files are sparse:
 * they take no disk space.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/intreadwrite.h>

#include "check.h"
#include "riff.h"

static char dir[4096];
static char path[4200];

static void put(FILE *f, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        fputc((v >> (8 * i)) & 0xff, f);
}

static uint64_t get(FILE *f, long pos, int bytes)
{
    uint64_t v = 0;
    fseek(f, pos, SEEK_SET);
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)(fgetc(f) & 0xff) << (8 * i);
    return v;
}

static void chunk(FILE *f, const char *id, const void *data, uint32_t size)
{
    fwrite(id, 1, 4, f);
    put(f, size, 4);
    fwrite(data, 1, size, f);
    if (size & 1)
        fputc(0, f);
}

/* A WAVE file: header (RIFF or RF64 with ds64), fmt, 3 bytes of data
 * (odd: a pad byte follows), then the chunk `tail` of tail_size bytes
 * declared as `declared` bytes. */
static long make_wave(int rf64, const char *tail, uint32_t tail_size,
                      uint32_t declared)
{
    static const uint8_t fmt[16] = { 1, 0, 1, 0, 0x80, 0xbb, 0, 0,
                                     0, 0x77, 1, 0, 2, 0, 16, 0 };
    FILE *f = fopen(path, "wb");
    long size;

    fwrite(rf64 ? "RF64" : "RIFF", 1, 4, f);
    put(f, rf64 ? 0xffffffff : 0, 4);
    fwrite("WAVE", 1, 4, f);
    if (rf64) {
        fwrite("ds64", 1, 4, f);
        put(f, 28, 4);
        put(f, 0, 8);          /* RIFF size, set below */
        put(f, 3, 8);          /* data size */
        put(f, 1, 8);
        put(f, 0, 4);
    }
    chunk(f, "fmt ", fmt, sizeof(fmt));
    if (rf64) {
        fwrite("data", 1, 4, f);
        put(f, 0xffffffff, 4);
        fwrite("abc", 1, 3, f);
        fputc(0, f);
    } else {
        chunk(f, "data", "abc", 3);
    }
    if (tail) {
        fwrite("iXML", 1, 4, f);
        put(f, declared, 4);
        fwrite(tail, 1, tail_size, f);
    }
    size = ftell(f);
    if (rf64) {
        fseek(f, 20, SEEK_SET);
        put(f, size - 8, 8);
    } else {
        fseek(f, 4, SEEK_SET);
        put(f, size - 8, 4);
    }
    fclose(f);
    return size;
}

static void test_read(void)
{
    static const char xml[] = "<BWFXML><SCENE>12</SCENE></BWFXML>";
    uint8_t *data;
    size_t size;
    char why[128];
    int ret;

    for (int rf64 = 0; rf64 <= 1; rf64++) {
        make_wave(rf64, xml, sizeof(xml) - 1, sizeof(xml) - 1);
        ret = riff_read_chunk(path, "iXML", 1024, &data, &size, why,
                              sizeof(why));
        CHECK(ret == 1 && size == sizeof(xml) - 1 &&
              !memcmp(data, xml, size), "rf64 %d: %d, %zu bytes", rf64, ret,
              size);
        free(data);
        ret = riff_read_chunk(path, "bext", 1024, &data, &size, why,
                              sizeof(why));
        CHECK(ret == 0 && !data, "rf64 %d: no bext: %d", rf64, ret);
        /* over the limit */
        ret = riff_read_chunk(path, "iXML", 16, &data, &size, why,
                              sizeof(why));
        CHECK(ret == -1 && !data && strstr(why, "limit"), "%d: %s", ret, why);
    }
    /* declared longer than what the file holds */
    make_wave(0, xml, sizeof(xml) - 1, 5000);
    ret = riff_read_chunk(path, "iXML", 1 << 20, &data, &size, why,
                          sizeof(why));
    CHECK(ret == -1 && !data && strstr(why, "cut short"), "%d: %s", ret, why);
    /* a chunk header cut short, and a file that is no WAVE */
    make_wave(0, NULL, 0, 0);
    {
        FILE *f = fopen(path, "ab");
        fwrite("iXM", 1, 3, f);
        fclose(f);
    }
    ret = riff_read_chunk(path, "iXML", 1024, &data, &size, why, sizeof(why));
    CHECK(ret == 0 && !data, "a cut chunk header: %d", ret);
    {
        FILE *f = fopen(path, "wb");
        fputs("fLaC and more bytes than a header", f);
        fclose(f);
    }
    ret = riff_read_chunk(path, "iXML", 1024, &data, &size, why, sizeof(why));
    CHECK(ret == 0 && !data, "not a WAVE: %d", ret);
    /* more chunks than are walked before it */
    make_wave(0, NULL, 0, 0);
    {
        FILE *f = fopen(path, "ab");
        for (int i = 0; i < RIFF_MAX_CHUNKS; i++)
            chunk(f, "JUNK", "", 0);
        chunk(f, "iXML", xml, sizeof(xml) - 1);
        fclose(f);
    }
    ret = riff_read_chunk(path, "iXML", 1024, &data, &size, why, sizeof(why));
    CHECK(ret == -1 && !data && strstr(why, "first 4096 chunks"), "%d: %s",
          ret, why);
}

/* Append an odd-sized chunk; the RIFF (ds64) size is the file's - 8. */
static void test_append(void)
{
    static const char xml[] = "<BWFXML>od</BWFXML>"; /* 19 bytes */
    char why[128];
    uint8_t *data;
    size_t size;
    int written, ret;

    for (int rf64 = 0; rf64 <= 1; rf64++) {
        long before = make_wave(rf64, NULL, 0, 0), after;
        FILE *f;

        ret = riff_append_chunk(path, "iXML", (const uint8_t *)xml,
                                sizeof(xml) - 1, &written, why, sizeof(why));
        CHECK(ret == 0, "rf64 %d: %s", rf64, why);
        f = fopen(path, "rb");
        fseek(f, 0, SEEK_END);
        after = ftell(f);
        CHECK(after == before + 8 + 20, "rf64 %d: %ld -> %ld bytes", rf64,
              before, after);
        CHECK(get(f, rf64 ? 20 : 4, rf64 ? 8 : 4) == (uint64_t)after - 8,
              "rf64 %d: RIFF size", rf64);
        if (rf64)
            CHECK(get(f, 4, 4) == 0xffffffff, "RF64 keeps -1 as RIFF size");
        CHECK(get(f, after - 1, 1) == 0, "the pad byte");
        fclose(f);
        ret = riff_read_chunk(path, "iXML", 1024, &data, &size, why,
                              sizeof(why));
        CHECK(ret == 1 && size == sizeof(xml) - 1 && !memcmp(data, xml, size),
              "rf64 %d: read back: %d", rf64, ret);
        free(data);
    }
}

/* A file whose last chunk lacks its pad byte gets one before the chunk. */
static void test_unpadded(void)
{
    static const char xml[] = "<BWFXML/>";
    long before = make_wave(0, NULL, 0, 0);
    char why[128];
    uint8_t *data;
    size_t size;
    int written, ret;
    FILE *f = fopen(path, "ab");

    fwrite("LIST", 1, 4, f);
    put(f, 1, 4);
    fputc('x', f);
    fclose(f);
    ret = riff_append_chunk(path, "iXML", (const uint8_t *)xml,
                            sizeof(xml) - 1, &written, why, sizeof(why));
    CHECK(ret == 0, "%s", why);
    f = fopen(path, "rb");
    CHECK(get(f, before + 9, 1) == 0, "the pad byte added");
    CHECK(get(f, before + 10, 4) == AV_RL32("iXML"), "the chunk word-aligned");
    fclose(f);
    ret = riff_read_chunk(path, "iXML", 1024, &data, &size, why, sizeof(why));
    CHECK(ret == 1 && size == sizeof(xml) - 1 && !memcmp(data, xml, size),
          "read back: %d", ret);
    free(data);
}

static const uint8_t xml100[100];

/* Make the file big bytes (sparse) and append a 100-byte chunk to it. */
static int grow_and_append(off_t big, int *written, char *why, size_t whylen)
{
    if (truncate(path, big) < 0) {
        snprintf(why, whylen, "truncate failed");
        return -2;
    }
    return riff_append_chunk(path, "iXML", xml100, sizeof(xml100), written,
                             why, whylen);
}

/* A RIFF file near 4 GiB without room for RF64 is left as it was; an
 * RF64 one past 4 GiB takes the chunk (sparse files). */
static void test_large(void)
{
    off_t big = 0xffffffffLL - 50;
    struct stat st;
    char why[128];
    int written, ret;
    FILE *f;

    make_wave(0, NULL, 0, 0);
    ret = grow_and_append(big, &written, why, sizeof(why));
    CHECK(ret == -1 && !written && strstr(why, "4 GiB"), "%d: %s", ret, why);
    CHECK(stat(path, &st) == 0 && st.st_size == big, "left as it was");

    make_wave(1, NULL, 0, 0);
    big = 0x100000000LL + 1000;
    ret = grow_and_append(big, &written, why, sizeof(why));
    CHECK(ret == 0, "RF64 over 4 GiB: %s", why);
    f = fopen(path, "rb");
    CHECK(get(f, 20, 8) == (uint64_t)big + 108 - 8, "ds64 RIFF size");
    fclose(f);
}

/* FFmpeg's rf64=auto header (JUNK reserved for ds64), the data filling the
 * file up to 50 bytes under 4 GiB: the chunk makes it RF64. */
static void test_to_rf64(void)
{
    static const uint8_t fmt[16] = { 1, 0, 2, 0, 0x80, 0xbb, 0, 0,
                                     0, 0xee, 2, 0, 4, 0, 16, 0 };
    off_t big = 0xffffffffLL - 50;
    char why[128];
    uint8_t *data;
    size_t size;
    int written, ret;
    FILE *f = fopen(path, "wb");

    fwrite("RIFF", 1, 4, f);
    put(f, big - 8, 4);
    fwrite("WAVEJUNK", 1, 8, f);
    put(f, 28, 4);
    for (int i = 0; i < 28; i++)
        fputc(0, f);
    chunk(f, "fmt ", fmt, sizeof(fmt));
    fwrite("data", 1, 4, f);
    put(f, big - ftell(f) - 4, 4);
    fclose(f);
    ret = grow_and_append(big, &written, why, sizeof(why));
    CHECK(ret == 0, "RIFF to RF64: %s", why);
    f = fopen(path, "rb");
    CHECK(get(f, 0, 4) == AV_RL32("RF64") && get(f, 4, 4) == 0xffffffff &&
          get(f, 12, 4) == AV_RL32("ds64") && get(f, 16, 4) == 28,
          "RF64 header");
    /* the odd data chunk's pad byte, the chunk: 1 + 8 + 100 bytes */
    CHECK(get(f, 20, 8) == (uint64_t)big + 109 - 8, "ds64 RIFF size");
    CHECK(get(f, 28, 8) == (uint64_t)big - 80, "ds64 data size %" PRIu64,
          get(f, 28, 8));
    CHECK(get(f, 36, 8) == ((uint64_t)big - 80) / 4, "ds64 sample count");
    fclose(f);
    ret = riff_read_chunk(path, "iXML", 1024, &data, &size, why, sizeof(why));
    CHECK(ret == 1 && size == sizeof(xml100), "read back: %d %s", ret, why);
    free(data);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, sizeof(dir), "%s/test_riff.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof(path), "%s/t.wav", dir);
    test_read();
    test_append();
    test_unpadded();
    test_large();
    test_to_rf64();
    unlink(path);
    rmdir(dir);
    return check_summary();
}
