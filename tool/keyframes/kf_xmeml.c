/*
 * Keyframes as Final Cut Pro 7 XML (xmeml version 4), the interchange
 * format Premiere Pro and DaVinci Resolve import: one sequence holding the
 * music clip, one clip item per channel (linked, as FCP 7 lays out a
 * multichannel file), each with an "Audio Levels" filter whose "level"
 * parameter carries the keyframes. xmeml levels are linear gain factors
 * (1 = 0 dB, at most 3.98109 = +12 dB) and keyframe times ("when") are
 * whole frames at the sequence timebase: the finest time the format has.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "kf_timeline.h"
#include "kf_xmeml.h"
#include "xml_text.h"

#define MAX_TRACKS 8

static void put_rate(FILE *fp, const char *indent, int num, int den)
{
    /* NTSC rates are written as their nominal timebase plus a flag. */
    int ntsc = den == 1001;
    int timebase = (int)((num + den / 2) / den);
    fprintf(fp, "%s<rate>\n%s  <timebase>%d</timebase>\n"
            "%s  <ntsc>%s</ntsc>\n%s</rate>\n",
            indent, indent, timebase, indent, ntsc ? "TRUE" : "FALSE", indent);
}

static void put_level(FILE *fp, double gain_db)
{
    fprintf(fp, "%.6f", pow(10.0, gain_db / 20.0));
}

static void put_levels_filter(FILE *fp, const KfDoc *doc, int num, int den,
                              int64_t nb_frames)
{
    const char *in = "            ";
    int64_t prev = -1;

    fprintf(fp, "%s<filter>\n%s  <effect>\n"
            "%s    <name>Audio Levels</name>\n"
            "%s    <effectid>audiolevels</effectid>\n"
            "%s    <effectcategory>audiolevels</effectcategory>\n"
            "%s    <effecttype>audiolevels</effecttype>\n"
            "%s    <mediatype>audio</mediatype>\n"
            "%s    <parameter>\n"
            "%s      <parameterid>level</parameterid>\n"
            "%s      <name>Level</name>\n"
            "%s      <valuemin>0</valuemin>\n"
            "%s      <valuemax>3.98109</valuemax>\n"
            "%s      <value>", in, in, in, in, in, in, in, in, in, in, in, in, in);
    put_level(fp, doc->nb_kf ? doc->kf[0].gain_db : 0.0);
    fputs("</value>\n", fp);
    for (size_t i = 0; i < doc->nb_kf; i++) {
        int64_t when = kf_samples_to_frames(doc->kf[i].t, doc->sample_rate,
                                            num, den);
        if (when > nb_frames)
            when = nb_frames;
        /* Two keyframes on one frame: the later one stands for both. */
        if (i + 1 < doc->nb_kf &&
            kf_samples_to_frames(doc->kf[i + 1].t, doc->sample_rate,
                                 num, den) <= when)
            continue;
        if (when <= prev)
            continue;
        prev = when;
        fprintf(fp, "%s      <keyframe>\n%s        <when>%" PRId64 "</when>\n"
                "%s        <value>", in, in, when, in);
        put_level(fp, doc->kf[i].gain_db);
        fprintf(fp, "</value>\n%s      </keyframe>\n", in);
    }
    fprintf(fp, "%s    </parameter>\n%s  </effect>\n%s</filter>\n", in, in, in);
}

/* The music file, described once (in the first track), then referenced. */
static void put_file(FILE *fp, const KfDoc *doc, const KfClip *k)
{
    fputs("            <file id=\"file-1\">\n"
          "              <name>", fp);
    xml_put_escaped(fp, k->name);
    fputs("</name>\n              <pathurl>", fp);
    xml_put_file_url(fp, k->music, 1);
    fputs("</pathurl>\n", fp);
    put_rate(fp, "              ", k->num, k->den);
    fprintf(fp, "              <duration>%" PRId64 "</duration>\n"
            "              <media>\n"
            "                <audio>\n"
            "                  <samplecharacteristics>\n"
            "                    <depth>24</depth>\n"
            "                    <samplerate>%d</samplerate>\n"
            "                  </samplecharacteristics>\n"
            "                  <channelcount>%d</channelcount>\n"
            "                </audio>\n"
            "              </media>\n"
            "            </file>\n", k->nb_frames, doc->sample_rate,
            k->channels);
}

/* Track c (from 1): one clip of channel c with the levels keyframes. */
static void put_track(FILE *fp, const KfDoc *doc, const KfClip *k, int c)
{
    fprintf(fp, "        <track>\n"
            "          <clipitem id=\"clipitem-%d\">\n"
            "            <name>", c);
    xml_put_escaped(fp, k->name);
    fprintf(fp, "</name>\n"
            "            <enabled>TRUE</enabled>\n"
            "            <duration>%" PRId64 "</duration>\n", k->nb_frames);
    put_rate(fp, "            ", k->num, k->den);
    fprintf(fp, "            <start>0</start>\n"
            "            <end>%" PRId64 "</end>\n"
            "            <in>0</in>\n"
            "            <out>%" PRId64 "</out>\n", k->nb_frames, k->nb_frames);
    if (c == 1)
        put_file(fp, doc, k);
    else
        fputs("            <file id=\"file-1\"/>\n", fp);
    fprintf(fp, "            <sourcetrack>\n"
            "              <mediatype>audio</mediatype>\n"
            "              <trackindex>%d</trackindex>\n"
            "            </sourcetrack>\n", c);
    put_levels_filter(fp, doc, k->num, k->den, k->nb_frames);
    for (int l = 1; l <= k->channels && k->channels > 1; l++)
        fprintf(fp, "            <link>\n"
                "              <linkclipref>clipitem-%d</linkclipref>\n"
                "              <mediatype>audio</mediatype>\n"
                "              <trackindex>%d</trackindex>\n"
                "              <clipindex>1</clipindex>\n"
                "            </link>\n", l, l);
    fputs("          </clipitem>\n"
          "          <enabled>TRUE</enabled>\n"
          "          <locked>FALSE</locked>\n"
          "        </track>\n", fp);
}

int kf_write_xmeml(FILE *fp, const KfDoc *doc, char *err, size_t errlen)
{
    KfClip k;

    (void)err;
    (void)errlen;
    kf_clip(doc, &k);
    if (k.channels > MAX_TRACKS)
        k.channels = MAX_TRACKS;

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<!DOCTYPE xmeml>\n"
          "<xmeml version=\"4\">\n"
          "  <sequence id=\"sequence-1\">\n"
          "    <name>", fp);
    xml_put_escaped(fp, k.name);
    fprintf(fp, " (ducked)</name>\n    <duration>%" PRId64 "</duration>\n",
            k.nb_frames);
    put_rate(fp, "    ", k.num, k.den);
    fputs("    <media>\n"
          "      <video>\n"
          "        <format>\n"
          "          <samplecharacteristics>\n", fp);
    put_rate(fp, "            ", k.num, k.den);
    fprintf(fp, "            <width>1920</width>\n"
            "            <height>1080</height>\n"
            "          </samplecharacteristics>\n"
            "        </format>\n"
            "      </video>\n"
            "      <audio>\n"
            "        <numOutputChannels>%d</numOutputChannels>\n"
            "        <format>\n"
            "          <samplecharacteristics>\n"
            "            <depth>24</depth>\n"
            "            <samplerate>%d</samplerate>\n"
            "          </samplecharacteristics>\n"
            "        </format>\n", k.channels, doc->sample_rate);
    for (int c = 1; c <= k.channels; c++)
        put_track(fp, doc, &k, c);
    fputs("      </audio>\n"
          "    </media>\n"
          "  </sequence>\n"
          "</xmeml>\n", fp);
    return 0;
}
