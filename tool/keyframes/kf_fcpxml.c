/*
 * Keyframes as FCPXML 1.9 (Final Cut Pro X): a project whose spine holds
 * the music as an asset clip with an adjust-volume "amount" keyframe
 * animation. FCPXML times are rationals in seconds, so keyframes are
 * written as "samples/rate s" and stay sample exact; values are in dB,
 * with linear interpolation as the engine renders them.
 * Clip and sequence lengths are whole frames, as Final Cut Pro requires
 * of edit points.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <inttypes.h>
#include <stdio.h>

#include "kf_fcpxml.h"
#include "kf_timeline.h"
#include "xml_text.h"

static void put_time(FILE *fp, int64_t t, int rate)
{
    if (t == 0)
        fputs("0s", fp);
    else
        fprintf(fp, "%" PRId64 "/%ds", t, rate);
}

/* FCPXML names the usual audio rates instead of giving a number. */
static const char *audio_rate_name(int sample_rate)
{
    switch (sample_rate) {
    case 32000:  return "32k";
    case 44100:  return "44.1k";
    case 88200:  return "88.2k";
    case 96000:  return "96k";
    case 176400: return "176.4k";
    case 192000: return "192k";
    default:     return "48k";
    }
}

/* The timeline format and the music file as an asset. */
static void put_resources(FILE *fp, const KfDoc *doc, const KfClip *k)
{
    fprintf(fp, "  <resources>\n"
            "    <format id=\"r1\" frameDuration=\"%d/%ds\" width=\"1920\""
            " height=\"1080\"/>\n"
            "    <asset id=\"r2\" name=\"", k->den, k->num);
    xml_put_escaped(fp, k->name);
    fputs("\" start=\"0s\" duration=\"", fp);
    put_time(fp, doc->duration, doc->sample_rate);
    fprintf(fp, "\" hasAudio=\"1\" audioSources=\"1\" audioChannels=\"%d\""
            " audioRate=\"%d\">\n"
            "      <media-rep kind=\"original-media\" src=\"",
            k->channels, doc->sample_rate);
    xml_put_file_url(fp, k->music, 0);
    fputs("\"/>\n"
          "    </asset>\n"
          "  </resources>\n", fp);
}

/* The volume keyframes of the clip, in dB at sample-exact times. */
static void put_keyframes(FILE *fp, const KfDoc *doc)
{
    for (size_t i = 0; i < doc->nb_kf; i++) {
        double g = doc->kf[i].gain_db;
        fputs("                    <keyframe time=\"", fp);
        put_time(fp, doc->kf[i].t, doc->sample_rate);
        /* The engine's gain is linear in dB between keyframes; FCPXML's
         * default curve would be smooth. */
        fprintf(fp, "\" value=\"%.1fdB\" curve=\"linear\"/>\n",
                g > -0.05 && g < 0.05 ? 0.0 : g);
    }
}

int kf_write_fcpxml(FILE *fp, const KfDoc *doc, char *err, size_t errlen)
{
    KfClip k;

    (void)err;
    (void)errlen;
    kf_clip(doc, &k);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<!DOCTYPE fcpxml>\n"
          "<fcpxml version=\"1.9\">\n", fp);
    put_resources(fp, doc, &k);
    fputs("  <library>\n"
          "    <event name=\"dialogueduck\">\n"
          "      <project name=\"", fp);
    xml_put_escaped(fp, k.name);
    fprintf(fp, " (ducked)\">\n"
            "        <sequence format=\"r1\" duration=\"%" PRId64 "/%ds\""
            " tcStart=\"0s\" tcFormat=\"NDF\" audioLayout=\"%s\""
            " audioRate=\"%s\">\n"
            "          <spine>\n"
            "            <asset-clip ref=\"r2\" name=\"",
            k.nb_frames * k.den, k.num, k.channels == 1 ? "mono" :
            k.channels == 2 ? "stereo" : "surround",
            audio_rate_name(doc->sample_rate));
    xml_put_escaped(fp, k.name);
    fprintf(fp, "\" offset=\"0s\" start=\"0s\" duration=\"%" PRId64 "/%ds\""
            " audioRole=\"music\">\n"
            "              <adjust-volume>\n"
            "                <param name=\"amount\">\n"
            "                  <keyframeAnimation>\n", k.nb_frames * k.den, k.num);
    put_keyframes(fp, doc);
    fputs("                  </keyframeAnimation>\n"
          "                </param>\n"
          "              </adjust-volume>\n"
          "            </asset-clip>\n"
          "          </spine>\n"
          "        </sequence>\n"
          "      </project>\n"
          "    </event>\n"
          "  </library>\n"
          "</fcpxml>\n", fp);
    return 0;
}
