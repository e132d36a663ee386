/*
 * dialogueduck engine: the channel policy
 *
 * This file is part of dialogueduck.
 *
 * dialogueduck is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * dialogueduck is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with dialogueduck; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
 */

/*
 * Which dialogue channel drives detection, and where each dialogue channel
 * lands in the output layout. The FFmpeg filter and the dialogueduck
 * program both ask here, so that the same stems give the same mix in both.
 * Layouts are arrays of DD_CHAN_* speaker positions, which are FFmpeg's
 * AVChannel numbers: the glue passes what libavutil reports, with no
 * FFmpeg header in the engine.
 */

#include <string.h>

#include "dialogueduck.h"

#define MINUS_3DB 0.70710678118654752440f /* 1 / sqrt(2) */

static int find_channel(const int *layout, int n, int ch)
{
    for (int i = 0; i < n; i++)
        if (layout[i] == ch)
            return i;
    return -1;
}

static int is_left(int ch)
{
    return ch == DD_CHAN_SIDE_LEFT || ch == DD_CHAN_BACK_LEFT ||
           ch == DD_CHAN_FRONT_LEFT_OF_CENTER || ch == DD_CHAN_WIDE_LEFT;
}

static int is_right(int ch)
{
    return ch == DD_CHAN_SIDE_RIGHT || ch == DD_CHAN_BACK_RIGHT ||
           ch == DD_CHAN_FRONT_RIGHT_OF_CENTER || ch == DD_CHAN_WIDE_RIGHT;
}

int dd_channel_detect(const int *layout, int nb_channels)
{
    /* the front centre of a 5.1 or 7.1 stem is where speech lives; in
     * narrower layouts it is the whole of a mono stem or absent */
    if (nb_channels < 3)
        return -1;
    return find_channel(layout, nb_channels, DD_CHAN_FRONT_CENTER);
}

/* Everything into a mono output as an average of the channels that are
 * not LFE (of all of them if that is all there is). */
static void place_on_mono(float *map, const int *dialogue, int nd)
{
    int n = 0;

    for (int d = 0; d < nd; d++)
        n += dialogue[d] != DD_CHAN_LOW_FREQUENCY;
    for (int d = 0; d < nd; d++)
        if (!n || dialogue[d] != DD_CHAN_LOW_FREQUENCY)
            map[d] = 1.0f / (n ? n : nd);
}

static void place_channel(float *row, int ch, int d, int same, int nm,
                          int fl, int fr)
{
    if (ch == DD_CHAN_LOW_FREQUENCY)
        return;
    if (same >= 0) {
        row[same] = 1.0f;
    } else if (ch == DD_CHAN_FRONT_CENTER) {
        row[fl] = MINUS_3DB;
        row[fr] = MINUS_3DB;
    } else if (is_left(ch)) {
        row[fl] = MINUS_3DB;
    } else if (is_right(ch)) {
        row[fr] = MINUS_3DB;
    } else if (d < nm) {
        row[d] = 1.0f;
    }
}

void dd_channel_placement(float *map, const int *out, int nb_out,
                          const int *dialogue, int nb_dialogue)
{
    const int fc = find_channel(out, nb_out, DD_CHAN_FRONT_CENTER);
    int fl = find_channel(out, nb_out, DD_CHAN_FRONT_LEFT);
    int fr = find_channel(out, nb_out, DD_CHAN_FRONT_RIGHT);

    memset(map, 0, (size_t)nb_dialogue * nb_out * sizeof(*map));
    if (fl < 0 || fr < 0) {
        fl = 0;
        fr = nb_out > 1 ? 1 : 0;
    }
    if (nb_out == 1) {
        place_on_mono(map, dialogue, nb_dialogue);
    } else if (nb_dialogue == 1) {
        /* a mono stem is the centre: there, or phantom between the fronts */
        place_channel(map, DD_CHAN_FRONT_CENTER, 0, fc, nb_out, fl, fr);
    } else {
        for (int d = 0; d < nb_dialogue; d++)
            place_channel(map + (size_t)d * nb_out, dialogue[d], d,
                          dialogue[d] < 0 ? -1 :
                          find_channel(out, nb_out, dialogue[d]),
                          nb_out, fl, fr);
    }
}
