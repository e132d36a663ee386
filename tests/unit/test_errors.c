/*
 * Error domains: the engine's DD_ERROR_* codes and FFmpeg's AVERROR codes
 * travel in the same int through the program, so they must not share a
 * value. They once did (DD_ERROR_STATE was -4, which is AVERROR(EINTR) on
 * Linux), and an interrupted system call was reported as "call not
 * allowed in this state". This checks both ways: every errno and every
 * AVERROR tag reads as itself, every engine code as the engine's.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <string.h>

#include <libavutil/error.h>

#include "av_error.h"
#include "check.h"
#include "dialogueduck.h"

static const int dd_codes[] = {
    DD_ERROR_NOMEM, DD_ERROR_INVAL, DD_ERROR_ORDER, DD_ERROR_STATE,
};

static const int av_tags[] = {
    AVERROR_BSF_NOT_FOUND, AVERROR_BUG, AVERROR_BUFFER_TOO_SMALL,
    AVERROR_DECODER_NOT_FOUND, AVERROR_DEMUXER_NOT_FOUND,
    AVERROR_ENCODER_NOT_FOUND, AVERROR_EOF, AVERROR_EXIT,
    AVERROR_EXTERNAL, AVERROR_FILTER_NOT_FOUND, AVERROR_INVALIDDATA,
    AVERROR_MUXER_NOT_FOUND, AVERROR_OPTION_NOT_FOUND, AVERROR_PATCHWELCOME,
    AVERROR_PROTOCOL_NOT_FOUND, AVERROR_STREAM_NOT_FOUND, AVERROR_BUG2,
    AVERROR_UNKNOWN, AVERROR_EXPERIMENTAL, AVERROR_INPUT_CHANGED,
    AVERROR_OUTPUT_CHANGED, AVERROR_HTTP_BAD_REQUEST,
    AVERROR_HTTP_UNAUTHORIZED, AVERROR_HTTP_FORBIDDEN,
    AVERROR_HTTP_NOT_FOUND, AVERROR_HTTP_OTHER_4XX,
    AVERROR_HTTP_SERVER_ERROR,
};

#define NB(a) (int)(sizeof(a) / sizeof((a)[0]))

static void domains_apart(void)
{
    int overlaps = 0;

    /* the kernel's errno values end at 4095 (MAX_ERRNO) */
    for (int e = 1; e <= 4095; e++)
        overlaps += DD_IS_ERROR(AVERROR(e));
    CHECK(overlaps == 0, "%d errno values read as engine codes", overlaps);
    for (int i = 0; i < NB(av_tags); i++)
        CHECK(!DD_IS_ERROR(av_tags[i]), "AVERROR tag %d reads as an engine "
              "code", av_tags[i]);
    for (int i = 0; i < NB(dd_codes); i++) {
        CHECK(DD_IS_ERROR(dd_codes[i]), "%d not recognised", dd_codes[i]);
        CHECK(dd_codes[i] < -4095, "%d is in the errno range", dd_codes[i]);
        CHECK(strcmp(dd_strerror(dd_codes[i]), "unknown error"),
              "%d has no text", dd_codes[i]);
    }
    CHECK(!DD_IS_ERROR(DD_OK) && !DD_IS_ERROR(0), "success is an error");
}

/* The messages the program prints for an interrupted system call. */
static void eintr_reported_as_such(void)
{
    char buf[AV_ERROR_MAX_STRING_SIZE], err[256];
    const char *t = error_text(AVERROR(EINTR), buf, sizeof(buf));

    CHECK(!strcmp(t, strerror(EINTR)), "AVERROR(EINTR) reads '%s'", t);
    t = error_text(DD_ERROR_STATE, buf, sizeof(buf));
    CHECK(!strcmp(t, "call not allowed in this state"),
          "DD_ERROR_STATE reads '%s'", t);
    t = error_text(AVERROR_EOF, buf, sizeof(buf));
    CHECK(!strcmp(t, "End of file"), "AVERROR_EOF reads '%s'", t);

    CHECK(av_error_msg(err, sizeof(err), AVERROR(EINTR), -1, "in.wav",
                       "reading") == AVERROR(EINTR), "return value");
    CHECK(strstr(err, "in.wav: reading: ") == err &&
          strstr(err, strerror(EINTR)) && !strstr(err, "state"),
          "message: '%s'", err);
    CHECK(av_error_msg(err, sizeof(err), DD_ERROR_NOMEM, -1, "x", "render")
          == DD_ERROR_NOMEM && !strcmp(err, "x: render: out of memory"),
          "engine code through av_error_msg: '%s'", err);
    CHECK(set_err(err, sizeof(err), "line %d: %s", 7, "bad") == -1 &&
          !strcmp(err, "line 7: bad"), "set_err: '%s'", err);
}

int main(void)
{
    domains_apart();
    eintr_reported_as_such();
    return check_summary();
}
