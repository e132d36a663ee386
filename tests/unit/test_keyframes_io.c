/*
 * Unit tests for keyframe export and import. Each export is read back by
 * an independent reader: xmllint (XPath) for the XML formats, jq for JSON,
 * stock ffmpeg (asendcmd + volume) for the .cmd script; JSON and CSV also
 * go back through kf_read.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "keyframes_io.h"
#include "kf_curve.h"

#define SR 48000

static char dir[64];

/* Two duck regions, four keyframes each, as the planner emits them. */
static const DDKeyframe test_kf[] = {
    { 48000,  0.0 }, { 57600, -15.0 }, { 144000, -15.0 }, { 182400, 0.0 },
    { 240000, 0.0 }, { 249600, -18.3 }, { 300000, -18.3 }, { 338400, 0.0 },
};
static const DDRegion test_regions[] = {
    { 57600, 134400, -15.0 }, { 249600, 290000, -18.3 },
};
#define NB_KF (sizeof(test_kf) / sizeof(test_kf[0]))

static KfDoc test_doc(void)
{
    KfDoc d = {
        .sample_rate = SR, .duration = 10 * SR,
        .kf = test_kf, .nb_kf = NB_KF,
        .regions = test_regions, .nb_regions = 2,
        .music_path = "/srv/media/score & theme.wav", .music_channels = 2,
    };
    dd_params_default(&d.params);
    return d;
}

static char *path_in(const char *name)
{
    static char buf[8][256];
    static int n;
    char *p = buf[n++ & 7];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

/* Output of a shell command, trailing newline removed ("" on failure). */
static const char *run(const char *fmt, ...)
{
    static char out[4096];
    char cmd[2048];
    va_list ap;
    FILE *fp;
    size_t n;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    out[0] = 0;
    fp = popen(cmd, "r");
    if (!fp)
        return out;
    n = fread(out, 1, sizeof(out) - 1, fp);
    out[n] = 0;
    if (pclose(fp) != 0)
        out[0] = 0;
    while (n && out[n - 1] == '\n')
        out[--n] = 0;
    return out;
}

static int same_files(const char *a, const char *b)
{
    return !strcmp(run("cmp -s '%s' '%s' && echo same", a, b), "same");
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
}

static void test_format_names(void)
{
    CHECK(kf_format_from_name("a/duck.json", NULL) == KF_FORMAT_JSON, "json");
    CHECK(kf_format_from_name("duck.CSV", NULL) == KF_FORMAT_CSV, "csv");
    CHECK(kf_format_from_name("duck.cmd", NULL) == KF_FORMAT_CMD, "cmd");
    CHECK(kf_format_from_name("duck.xml", NULL) == KF_FORMAT_XMEML, "xml");
    CHECK(kf_format_from_name("duck.fcpxml", NULL) == KF_FORMAT_FCPXML, "fcpxml");
    CHECK(kf_format_from_name("duck.txt", NULL) == KF_FORMAT_LABELS, "txt");
    CHECK(kf_format_from_name("duck.txt", "json") == KF_FORMAT_JSON, "forced");
    CHECK(kf_format_from_name("dir.v2/duck", NULL) == -1, "no extension");
    CHECK(kf_format_from_name("duck.wav", NULL) == -1, "unknown");
    CHECK(kf_format_from_name("x", "aaf") == -1, "unknown forced");
}

/* Each format twice: the same input gives the same bytes. */
static void test_deterministic(void)
{
    static const char *names[] = { "json", "csv", "cmd", "xml", "fcpxml", "txt" };
    KfDoc d = test_doc();
    char err[512];

    for (int i = 0; i < 6; i++) {
        char a[64], b[64];
        snprintf(a, sizeof(a), "a.%s", names[i]);
        snprintf(b, sizeof(b), "b.%s", names[i]);
        CHECK(kf_write(path_in(a), kf_format_from_name(a, NULL), &d, err,
                       sizeof(err)) == 0, "%s", err);
        CHECK(kf_write(path_in(b), kf_format_from_name(b, NULL), &d, err,
                       sizeof(err)) == 0, "%s", err);
        CHECK(same_files(path_in(a), path_in(b)), "%s differs between runs",
              names[i]);
    }
    CHECK(kf_write("/nonexistent/dir/a.json", KF_FORMAT_JSON, &d, err,
                   sizeof(err)) < 0, "unwritable directory");
    CHECK(strstr(err, "/nonexistent/dir/a.json: ") != NULL, "%s", err);
    CHECK(kf_write(path_in("c.json"), 99, &d, err, sizeof(err)) < 0 &&
          access(path_in("c.json"), F_OK) != 0, "bad format, nothing written");
    {
        DDKeyframe bad[2] = { { 100, -3.0 }, { 50, 0.0 } };
        KfDoc b = d;
        b.kf = bad;
        b.nb_kf = 2;
        CHECK(kf_write(path_in("d.json"), KF_FORMAT_JSON, &b, err,
                       sizeof(err)) < 0 && access(path_in("d.json"), F_OK) != 0,
              "unordered keyframes refused");
        CHECK(strstr(err, "out of order") != NULL, "%s", err);
    }
}

static void test_json(void)
{
    DDKeyframe *kf = NULL;
    size_t nb = 0;
    char err[512];
    const char *p = path_in("a.json");

    /* Independent reader: jq. */
    CHECK(!strcmp(run("jq -r '.sample_rate, .time_base, (.keyframes|length),"
                      " .keyframes[1].t, .keyframes[5].gain_db,"
                      " (.regions|length), .regions[1].start, .params.depth,"
                      " .music' '%s' | paste -sd' '", p),
                  "48000 1/48000 8 57600 -18.3 2 249600 -15 /srv/media/score & theme.wav"),
          "jq read: %s", run("jq -c . '%s' | head -c 300", p));

    /* Our reader: the exact keyframes. */
    CHECK(kf_read(p, SR, &kf, &nb, err, sizeof(err)) == 0, "%s", err);
    CHECK(nb == NB_KF, "%zu keyframes read back", nb);
    for (size_t i = 0; i < nb && i < NB_KF; i++)
        CHECK(kf[i].t == test_kf[i].t && kf[i].gain_db == test_kf[i].gain_db,
              "keyframe %zu: %" PRId64 " %g", i, kf[i].t, kf[i].gain_db);
    free(kf);

    /* Read at another rate: rescaled to the nearest sample. */
    CHECK(kf_read(p, 44100, &kf, &nb, err, sizeof(err)) == 0, "%s", err);
    CHECK(nb == NB_KF && kf[1].t == 52920 && kf[5].t == 229320,
          "rescaled to 44.1 kHz: %" PRId64, nb > 1 ? kf[1].t : -1);
    free(kf);

    /* Hand-written: seconds instead of samples, no sample_rate. */
    write_file(path_in("h.json"), "{\"keyframes\": [{\"t_s\": 1.5, \"gain_db\": 0},"
               " {\"t_s\": 1.7, \"gain_db\": -12.5}]}");
    CHECK(kf_read(path_in("h.json"), SR, &kf, &nb, err, sizeof(err)) == 0,
          "%s", err);
    CHECK(nb == 2 && kf[0].t == 72000 && kf[1].t == 81600 &&
          kf[1].gain_db == -12.5, "t_s read");
    free(kf);
}

static void test_csv(void)
{
    DDKeyframe *kf = NULL;
    size_t nb = 0;
    char err[512];
    const char *p = path_in("a.csv");

    CHECK(!strcmp(run("head -n 3 '%s' | paste -sd' '", p),
                  "time_s,gain_db 1.000000000,0.0 1.200000000,-15.0"),
          "csv text: %s", run("head -n 3 '%s' | paste -sd' '", p));
    /* Independent reader: awk counts rows and fields. */
    CHECK(!strcmp(run("awk -F, 'NR>1 && NF==2 {n++} END {print n}' '%s'", p),
                  "8"), "awk rows");
    CHECK(kf_read(p, SR, &kf, &nb, err, sizeof(err)) == 0, "%s", err);
    CHECK(nb == NB_KF, "%zu keyframes", nb);
    for (size_t i = 0; i < nb && i < NB_KF; i++)
        CHECK(kf[i].t == test_kf[i].t && kf[i].gain_db == test_kf[i].gain_db,
              "csv keyframe %zu", i);
    free(kf);

    /* Odd sample times survive the seconds round trip at every rate. */
    {
        static const int rates[] = { 8000, 22050, 44100, 48000, 96000, 192000 };
        for (int r = 0; r < 6; r++) {
            DDKeyframe odd[3] = { { 1, -1.0 }, { rates[r] * 3601LL + 7, -2.0 },
                                  { rates[r] * 7000LL - 1, -3.0 } };
            KfDoc d = test_doc();
            d.sample_rate = rates[r];
            d.kf = odd;
            d.nb_kf = 3;
            kf_write(path_in("odd.csv"), KF_FORMAT_CSV, &d, err, sizeof(err));
            CHECK(kf_read(path_in("odd.csv"), rates[r], &kf, &nb, err,
                          sizeof(err)) == 0 && nb == 3 && kf[0].t == odd[0].t &&
                  kf[1].t == odd[1].t && kf[2].t == odd[2].t,
                  "sample exact CSV at %d Hz", rates[r]);
            free(kf);
        }
    }
}

static void test_labels(void)
{
    const char *p = path_in("a.txt");
    CHECK(!strcmp(run("cat '%s' | tr '\\t' '|' | paste -sd' '", p),
                  "1.200000|2.800000|duck -15.0 dB 5.200000|6.041667|duck -18.3 dB"),
          "labels: %s", run("cat '%s'", p));
}

static void test_xmeml(void)
{
    const char *p = path_in("a.xml");

    CHECK(!strcmp(run("xmllint --noout '%s' 2>&1 && echo valid", p), "valid"),
          "xmllint: %s", run("xmllint --noout '%s' 2>&1", p));
    CHECK(!strcmp(run("xmllint --xpath 'count(//clipitem)' '%s'", p), "2"),
          "one clip item per channel");
    CHECK(!strcmp(run("xmllint --xpath 'count((//clipitem)[1]/filter/effect"
                      "[effectid=\"audiolevels\"]/parameter[parameterid=\"level\"]"
                      "/keyframe)' '%s'", p), "8"), "8 level keyframes");
    /* 57600 samples = 1.2 s = frame 30 at 25 fps; -15 dB = 0.177828 */
    CHECK(!strcmp(run("xmllint --xpath 'string((//clipitem)[1]//keyframe[2]/when)'"
                      " '%s'", p), "30"), "keyframe 2 at frame 30");
    CHECK(!strcmp(run("xmllint --xpath 'string((//clipitem)[2]//keyframe[2]/value)'"
                      " '%s'", p), "0.177828"), "keyframe 2 level linear");
    CHECK(!strcmp(run("xmllint --xpath 'string(//keyframe[6]/value)' '%s'", p),
                  "0.121619"), "-18.3 dB linear");
    CHECK(!strcmp(run("xmllint --xpath 'string(/xmeml/sequence/rate/timebase)'"
                      " '%s'", p), "25"), "timebase");
    CHECK(!strcmp(run("xmllint --xpath 'string(/xmeml/sequence/duration)' '%s'",
                      p), "250"), "duration in frames");
    CHECK(!strcmp(run("xmllint --xpath 'string(//file/pathurl)' '%s'", p),
                  "file://localhost/srv/media/score%20%26%20theme.wav"),
          "pathurl: %s", run("xmllint --xpath 'string(//file/pathurl)' '%s'", p));

    /* NTSC rate: 29.97 is timebase 30 with the flag; frames at 30000/1001. */
    {
        KfDoc d = test_doc();
        char err[256];
        d.frame_rate_num = 30000;
        d.frame_rate_den = 1001;
        d.music_channels = 1;
        CHECK(kf_write(path_in("n.xml"), KF_FORMAT_XMEML, &d, err,
                       sizeof(err)) == 0, "%s", err);
        CHECK(!strcmp(run("xmllint --xpath 'concat(/xmeml/sequence/rate/ntsc,"
                          "\" \",count(//clipitem),\" \",//keyframe[2]/when)' '%s'",
                          path_in("n.xml")), "TRUE 1 36"), "ntsc: %s",
              run("xmllint --xpath 'concat(/xmeml/sequence/rate/ntsc,\" \","
                  "count(//clipitem),\" \",//keyframe[2]/when)' '%s'",
                  path_in("n.xml")));
    }
}

/*
 * The containment rules of the FCPXML DTD for the elements the exporter
 * writes (from Apple's published FCPXML DTD; attributes as CDATA, the
 * version not fixed), so xmllint can check the structure.
 */
static const char fcpxml_dtd[] =
    "<!ELEMENT fcpxml (resources?, library)>\n"
    "<!ATTLIST fcpxml version CDATA #REQUIRED>\n"
    "<!ELEMENT resources (asset | format)*>\n"
    "<!ELEMENT format EMPTY>\n"
    "<!ATTLIST format id ID #REQUIRED frameDuration CDATA #IMPLIED"
    " width CDATA #IMPLIED height CDATA #IMPLIED>\n"
    "<!ELEMENT asset (media-rep+)>\n"
    "<!ATTLIST asset id ID #REQUIRED name CDATA #IMPLIED start CDATA #IMPLIED"
    " duration CDATA #IMPLIED hasAudio CDATA #IMPLIED audioSources CDATA #IMPLIED"
    " audioChannels CDATA #IMPLIED audioRate CDATA #IMPLIED>\n"
    "<!ELEMENT media-rep EMPTY>\n"
    "<!ATTLIST media-rep kind (original-media | proxy-media) 'original-media'"
    " src CDATA #REQUIRED>\n"
    "<!ELEMENT library (event)*>\n"
    "<!ELEMENT event (project)*>\n"
    "<!ATTLIST event name CDATA #IMPLIED>\n"
    "<!ELEMENT project (sequence)>\n"
    "<!ATTLIST project name CDATA #IMPLIED>\n"
    "<!ELEMENT sequence (spine)>\n"
    "<!ATTLIST sequence format IDREF #REQUIRED duration CDATA #IMPLIED"
    " tcStart CDATA #IMPLIED tcFormat (DF | NDF) #IMPLIED"
    " audioLayout (mono | stereo | surround) #IMPLIED"
    " audioRate (32k | 44.1k | 48k | 88.2k | 96k | 176.4k | 192k) #IMPLIED>\n"
    "<!ELEMENT spine (asset-clip)*>\n"
    "<!ELEMENT asset-clip (adjust-volume?)>\n"
    "<!ATTLIST asset-clip ref IDREF #REQUIRED name CDATA #IMPLIED"
    " offset CDATA #IMPLIED start CDATA #IMPLIED duration CDATA #IMPLIED"
    " audioRole CDATA #IMPLIED>\n"
    "<!ELEMENT adjust-volume (param*)>\n"
    "<!ATTLIST adjust-volume amount CDATA '0dB'>\n"
    "<!ELEMENT param (keyframeAnimation?)>\n"
    "<!ATTLIST param name CDATA #REQUIRED>\n"
    "<!ELEMENT keyframeAnimation (keyframe*)>\n"
    "<!ELEMENT keyframe EMPTY>\n"
    "<!ATTLIST keyframe time CDATA #REQUIRED value CDATA #REQUIRED"
    " interp (linear | ease | easeIn | easeOut) 'linear'"
    " curve (linear | smooth) 'smooth'>\n";

static void test_fcpxml(void)
{
    const char *p = path_in("a.fcpxml");
    const char *kfs = "//asset-clip/adjust-volume/param[@name=\"amount\"]"
                      "/keyframeAnimation/keyframe";

    CHECK(!strcmp(run("xmllint --noout '%s' 2>&1 && echo valid", p), "valid"),
          "xmllint: %s", run("xmllint --noout '%s' 2>&1", p));
    write_file(path_in("fcpxml.dtd"), fcpxml_dtd);
    CHECK(!strcmp(run("xmllint --noout --dtdvalid '%s' '%s' 2>&1 && echo valid",
                      path_in("fcpxml.dtd"), p), "valid"), "DTD: %s",
          run("xmllint --noout --dtdvalid '%s' '%s' 2>&1", path_in("fcpxml.dtd"), p));
    CHECK(!strcmp(run("xmllint --xpath 'count(%s)' '%s'", kfs, p), "8"),
          "8 adjust-volume keyframes");
    CHECK(!strcmp(run("xmllint --xpath 'count(%s[@curve=\"linear\"])' '%s'",
                      kfs, p), "8"), "linear like the renderer");
    CHECK(!strcmp(run("xmllint --xpath 'concat((%s)[2]/@time,\" \",(%s)[2]/@value)'"
                      " '%s'", kfs, kfs, p), "57600/48000s -15.0dB"),
          "keyframe 2: %s", run("xmllint --xpath 'concat((%s)[2]/@time,\" \","
                                "(%s)[2]/@value)' '%s'", kfs, kfs, p));
    CHECK(!strcmp(run("xmllint --xpath 'string(//asset-clip/@ref)' '%s'", p),
                  run("xmllint --xpath 'string(//asset/@id)' '%s'", p)),
          "clip refers to the asset");
    CHECK(!strcmp(run("xmllint --xpath 'concat(//sequence/@duration,\" \","
                      "//asset/@duration)' '%s'", p), "250/25s 480000/48000s"),
          "durations");
}

/*
 * The .cmd script through stock ffmpeg: a constant signal through
 * asendcmd + volume, read back as float; the gain per 10 ms hop is
 * compared with the renderer's curve.
 */
static void test_cmd(void)
{
    const char *cmd = path_in("a.cmd"), *raw = path_in("a.f32");
    const int frame = 1024, hop = SR / 100;
    char buf[512];
    float *pcm;
    long n;
    FILE *fp;
    double max_out = 0, max_in = 0;
    int hops_out = 0, hops_in = 0;

    snprintf(buf, sizeof(buf), "ffmpeg -nostdin -hide_banner -loglevel error -y "
             "-f lavfi -i 'aevalsrc=0.5:s=%d:d=10:n=%d' -af "
             "'asendcmd=f=%s,volume@duck' -f f32le -ac 1 '%s'",
             SR, frame, cmd, raw);
    CHECK(system(buf) == 0, "ffmpeg failed: %s", buf);
    fp = fopen(raw, "rb");
    if (!fp)
        return;
    pcm = malloc(sizeof(float) * 10 * SR);
    n = fread(pcm, sizeof(float), 10 * SR, fp);
    fclose(fp);
    CHECK(n == 10 * SR, "%ld samples", n);

    for (long h = 0; h + hop <= n; h += hop) {
        double sum = 0, expect = 0, got;
        size_t hint = 0;
        int near = 0;
        for (long i = h; i < h + hop; i++) {
            sum += pcm[i];
            expect += pow(10, kf_curve_gain_db(test_kf, NB_KF, i, &hint) / 20);
        }
        got = 20 * log10(sum / (0.5 * hop));
        expect = 20 * log10(expect / hop);
        /* Outside transitions, with one audio frame of slack each side. */
        for (size_t k = 0; k + 1 < NB_KF; k++)
            if (test_kf[k].gain_db != test_kf[k + 1].gain_db &&
                h + hop > test_kf[k].t - frame && h < test_kf[k + 1].t + frame)
                near = 1;
        if (near) {
            hops_in++;
            max_in = fmax(max_in, fabs(got - expect));
        } else {
            hops_out++;
            max_out = fmax(max_out, fabs(got - expect));
        }
    }
    free(pcm);
    CHECK(hops_out > 700 && max_out <= 0.5,
          "outside transitions: %d hops, max error %.3f dB", hops_out, max_out);
    printf("cmd via ffmpeg (1024-sample frames): outside transitions %d hops, "
           "max error %.3f dB; in transitions %d hops, max error %.3f dB\n",
           hops_out, max_out, hops_in, max_in);
}

/* Malformed imports: the message names the line or field at fault. */
static void expect_read_error(const char *name, const char *text,
                              const char *want)
{
    DDKeyframe *kf = (DDKeyframe *)1;
    size_t nb = 99;
    char err[512] = "";
    write_file(path_in(name), text);
    CHECK(kf_read(path_in(name), SR, &kf, &nb, err, sizeof(err)) < 0 &&
          !kf && !nb, "%s should be refused", name);
    CHECK(strstr(err, want) && strstr(err, name), "%s: got \"%s\", want \"%s\"",
          name, err, want);
}

static void test_import_errors(void)
{
    expect_read_error("e1.csv", "time_s,gain_db\n0,0\n1.0,abc\n",
                      "e1.csv: line 3: gain_db 'abc' is not a number");
    expect_read_error("e2.csv", "time_s,gain_db\n2,0\n1,-3\n",
                      "line 3: time 1.000000 s is before the previous keyframe");
    expect_read_error("e3.csv", "time_s,gain_db\n1,nan\n", "line 2: gain_db 'nan'");
    expect_read_error("e4.csv", "time_s,gain_db\n1,3\n",
                      "line 2: gain_db 3 is outside -60..0 dB");
    expect_read_error("e5.csv", "time_s,gain_db\n1,-61\n",
                      "line 2: gain_db -61 is outside");
    expect_read_error("e6.csv", "t,g\n1,-6\n", "line 1: expected the header");
    expect_read_error("e7.csv", "time_s,gain_db\n1,-6,3\n",
                      "line 2: expected two fields");
    expect_read_error("e8.csv", "time_s,gain_db\n-1,-6\n", "line 2: time -1 s");
    expect_read_error("e9.csv", "", "empty file");
    expect_read_error("e10.csv", "time_s,gain_db\n0x10,-6\n",
                      "line 2: time_s '0x10' is not a number");
    expect_read_error("j1.json", "{\"sample_rate\": 48000,\n \"keyframes\": [\n"
                      "  {\"t\": 0, \"gain_db\": 0},\n  {\"t\": 10 \"gain_db\": -3}]}",
                      "j1.json: line 4, column 12: expected ',' or '}'");
    expect_read_error("j2.json", "{\"sample_rate\": 48000, \"keyframes\": "
                      "[{\"t\": 0, \"gain_db\": \"-3\"}]}",
                      "keyframes[0].gain_db: expected a number, found a string");
    expect_read_error("j3.json", "{\"sample_rate\": 48000, \"keyframes\": "
                      "[{\"t\": 100, \"gain_db\": 0}, {\"t\": 50, \"gain_db\": -3}]}",
                      "keyframes[1]: time 0.001042 s is before the previous");
    expect_read_error("j4.json", "{\"sample_rate\": 48000}", "keyframes: missing");
    expect_read_error("j5.json", "{\"keyframes\": [{\"t\": 10, \"gain_db\": 0}]}",
                      "sample_rate is missing");
    expect_read_error("j6.json", "{\"sample_rate\": 48000, \"keyframes\": "
                      "[{\"t\": 10.5, \"gain_db\": 0}]}",
                      "keyframes[0].t: 10.5 is not a whole sample index");
    expect_read_error("j7.json", "{\"sample_rate\": 48000, \"keyframes\": "
                      "[{\"t\": 10, \"gain_db\": 0.5}]}",
                      "keyframes[0]: gain_db 0.5 is outside");
    expect_read_error("j8.json", "{\"sample_rate\": 48000, \"keyframes\": "
                      "[{\"gain_db\": 0}]}", "keyframes[0]: \"t\" is missing");
    expect_read_error("j9.json", "[1, 2]", "expected an object at the top level");
    expect_read_error("j10.json", "{\"sample_rate\": 48000, \"keyframes\": "
                      "[{\"t\": 1, \"t_s\": 1, \"gain_db\": 0}]}", "not both");
    expect_read_error("x.xml", "<xmeml/>", ".json or .csv files only");
    {
        DDKeyframe *kf;
        size_t nb;
        char err[256];
        CHECK(kf_read(path_in("missing.csv"), SR, &kf, &nb, err, sizeof(err)) < 0 &&
              strstr(err, "missing.csv: No such file"), "%s", err);
        /* Blank lines, comments, CRLF and an empty list are fine. */
        write_file(path_in("ok.csv"), "\xef\xbb\xbftime_s, gain_db\r\n# edited\r\n"
                   "\r\n0.5 , -6\r\n");
        CHECK(kf_read(path_in("ok.csv"), SR, &kf, &nb, err, sizeof(err)) == 0 &&
              nb == 1 && kf[0].t == 24000 && kf[0].gain_db == -6, "%s", err);
        free(kf);
        write_file(path_in("empty.json"), "{\"sample_rate\": 48000, \"keyframes\": []}");
        CHECK(kf_read(path_in("empty.json"), SR, &kf, &nb, err, sizeof(err)) == 0 &&
              nb == 0, "%s", err);
        free(kf);
    }
}

/*
 * Mutated imports: whatever kf_read accepts is in range and in order;
 * whatever it refuses comes with a message naming the file.
 */
static void test_import_mutations(void)
{
    static const char *names[] = { "a.csv", "a.json" };
    uint32_t seed = 7;
    int accepted = 0, refused = 0, bad = 0;

    for (int f = 0; f < 2; f++) {
        char *text = NULL, err[512];
        size_t len = 0;
        FILE *fp = fopen(path_in(names[f]), "rb");
        if (!fp)
            continue;
        text = malloc(1 << 16);
        len = fread(text, 1, (1 << 16) - 1, fp);
        fclose(fp);
        for (int iter = 0; iter < 1500; iter++) {
            char *m = malloc(len + 1), name[32];
            size_t n = len;
            DDKeyframe *kf = NULL;
            size_t nb = 0;
            memcpy(m, text, len);
            for (int e = 0; e <= iter % 3; e++) {
                size_t pos;
                seed = seed * 1664525u + 1013904223u;
                pos = (seed >> 8) % n;
                if ((seed >> 4) & 1)
                    m[pos] = "0123456789-.,e\n\"x:{}[] "[(seed >> 16) % 23];
                else
                    n = pos + 1;
            }
            snprintf(name, sizeof(name), "mut.%s", f ? "json" : "csv");
            fp = fopen(path_in(name), "wb");
            fwrite(m, 1, n, fp);
            fclose(fp);
            if (kf_read(path_in(name), SR, &kf, &nb, err, sizeof(err)) == 0) {
                accepted++;
                for (size_t i = 0; i < nb; i++)
                    if (kf[i].t < 0 || (i && kf[i].t < kf[i - 1].t) ||
                        !(kf[i].gain_db <= 0 && kf[i].gain_db >= -60))
                        bad++;
            } else {
                refused++;
                if (kf || !strstr(err, name))
                    bad++;
            }
            free(kf);
            free(m);
        }
        free(text);
    }
    printf("import mutations: %d accepted, %d refused\n", accepted, refused);
    CHECK(accepted > 100 && refused > 1000, "%d accepted, %d refused",
          accepted, refused);
    CHECK(bad == 0, "%d accepted out of range or refused without the name", bad);
}

static void test_curve(void)
{
    size_t hint = 0;
    DDRenderer *r = NULL;
    double worst = 0;

    /* The curve the exporters approximate is the engine's own. */
    CHECK(dd_renderer_create(&r, SR, 1, 0, NULL) == DD_OK, "renderer");
    for (size_t i = 0; r && i < NB_KF; i++)
        CHECK(dd_renderer_add_keyframe(r, &test_kf[i]) == DD_OK, "add %zu", i);
    for (int64_t t = 0; r && t < 10 * SR; t += 97)
        worst = fmax(worst, fabs(dd_renderer_gain_db(r, t) -
                                 kf_curve_gain_db(test_kf, NB_KF, t, NULL)));
    CHECK(worst < 1e-9, "kf_curve differs from dd_renderer_gain_db by %g dB",
          worst);
    dd_renderer_free(&r);

    CHECK(kf_curve_gain_db(test_kf, NB_KF, 0, &hint) == 0.0, "before first");
    CHECK(fabs(kf_curve_gain_db(test_kf, NB_KF, 52800, &hint) + 7.5) < 1e-9,
          "midpoint of the fade");
    CHECK(kf_curve_gain_db(test_kf, NB_KF, 100000, &hint) == -15.0, "hold");
    CHECK(kf_curve_gain_db(test_kf, NB_KF, 50000, &hint) > -7.5, "back in time");
    CHECK(kf_curve_gain_db(test_kf, NB_KF, 1e7, NULL) == 0.0, "after last");
    CHECK(kf_curve_gain_db(NULL, 0, 10, NULL) == 0.0, "no keyframes");
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/dd_kfio.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_format_names();
    test_deterministic();
    test_json();
    test_csv();
    test_labels();
    test_xmeml();
    test_fcpxml();
    test_cmd();
    test_import_errors();
    test_import_mutations();
    test_curve();
    if (!getenv("DD_TEST_KEEP"))
        run("rm -rf '%s' && echo ok", dir);
    else
        printf("outputs kept in %s\n", dir);
    return check_summary();
}
