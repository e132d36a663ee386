/*
 * The channel policy (dd_channel_detect, dd_channel_placement): which
 * dialogue channel drives detection and where each lands in the output,
 * layout by layout. The filter and the program both use it; fate.sh
 * compares the two end to end.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "dialogueduck.h"

#define FL  DD_CHAN_FRONT_LEFT
#define FR  DD_CHAN_FRONT_RIGHT
#define FC  DD_CHAN_FRONT_CENTER
#define LFE DD_CHAN_LOW_FREQUENCY
#define BL  DD_CHAN_BACK_LEFT
#define BR  DD_CHAN_BACK_RIGHT
#define SL  DD_CHAN_SIDE_LEFT
#define SR  DD_CHAN_SIDE_RIGHT

static const int mono[] = { FC };
static const int stereo[] = { FL, FR };
static const int s51[] = { FL, FR, FC, LFE, SL, SR };
static const int s71[] = { FL, FR, FC, LFE, BL, BR, SL, SR };
static const int three[] = { FL, FR, BL };
static const int unknown[] = { DD_CHAN_UNKNOWN, DD_CHAN_UNKNOWN, DD_CHAN_UNKNOWN };

static float map[8 * 8];

static int near(float a, double b)
{
    return fabs(a - b) < 1e-6;
}

/* Gain of dialogue channel d into output channel o. */
static float g(int nb_out, int d, int o)
{
    return map[d * nb_out + o];
}

static double row_sum(int nb_out, int d)
{
    double sum = 0;

    for (int o = 0; o < nb_out; o++)
        sum += g(nb_out, d, o);
    return sum;
}

int main(void)
{
    CHECK(dd_channel_detect(mono, 1) == -1, "mono: the mean");
    CHECK(dd_channel_detect(stereo, 2) == -1, "stereo: the mean");
    CHECK(dd_channel_detect(s51, 6) == 2, "5.1: the centre");
    CHECK(dd_channel_detect(s71, 8) == 2, "7.1: the centre");
    CHECK(dd_channel_detect(three, 3) == -1, "3 channels, no centre: the mean");

    memset(map, 0x7f, sizeof(map));
    dd_channel_placement(map, stereo, 2, mono, 1);
    CHECK(near(g(2, 0, 0), M_SQRT1_2) && near(g(2, 0, 1), M_SQRT1_2),
          "mono on stereo: front pair at -3 dB");
    dd_channel_placement(map, s51, 6, mono, 1);
    CHECK(near(g(6, 0, 2), 1) && near(row_sum(6, 0), 1), "mono on 5.1: centre only");
    dd_channel_placement(map, mono, 1, mono, 1);
    CHECK(near(g(1, 0, 0), 1), "mono on mono: as is");

    dd_channel_placement(map, stereo, 2, stereo, 2);
    CHECK(near(g(2, 0, 0), 1) && near(g(2, 1, 1), 1) &&
          near(g(2, 0, 1), 0) && near(g(2, 1, 0), 0), "stereo on stereo: identity");
    dd_channel_placement(map, s71, 8, stereo, 2);
    CHECK(near(g(8, 0, 0), 1) && near(g(8, 1, 1), 1) && near(row_sum(8, 0), 1),
          "stereo on 7.1: the fronts");
    dd_channel_placement(map, mono, 1, stereo, 2);
    CHECK(near(g(1, 0, 0), 0.5) && near(g(1, 1, 0), 0.5), "stereo on mono: average");

    dd_channel_placement(map, stereo, 2, s51, 6);
    CHECK(near(g(2, 2, 0), M_SQRT1_2) && near(g(2, 2, 1), M_SQRT1_2),
          "5.1 on stereo: centre to the front pair at -3 dB");
    CHECK(near(g(2, 4, 0), M_SQRT1_2) && near(g(2, 4, 1), 0) &&
          near(g(2, 5, 1), M_SQRT1_2) && near(g(2, 5, 0), 0),
          "5.1 on stereo: sides to their front side at -3 dB");
    CHECK(near(row_sum(2, 3), 0), "5.1 on stereo: LFE dropped");
    dd_channel_placement(map, s51, 6, s51, 6);
    CHECK(near(g(6, 2, 2), 1) && near(g(6, 4, 4), 1) && near(row_sum(6, 3), 0),
          "5.1 on 5.1: identity but the LFE");
    dd_channel_placement(map, s71, 8, s51, 6);
    CHECK(near(g(8, 4, 6), 1) && near(g(8, 5, 7), 1) && near(g(8, 2, 2), 1),
          "5.1 on 7.1: sides to sides, centre to centre");
    dd_channel_placement(map, s51, 6, s71, 8);
    CHECK(near(g(6, 4, 0), M_SQRT1_2) && near(g(6, 5, 1), M_SQRT1_2) &&
          near(g(6, 6, 4), 1) && near(g(6, 7, 5), 1),
          "7.1 on 5.1: backs to the front sides, sides to sides");
    dd_channel_placement(map, mono, 1, s51, 6);
    CHECK(near(g(1, 0, 0), 0.2) && near(g(1, 3, 0), 0) && near(g(1, 5, 0), 0.2),
          "5.1 on mono: the average of the five, no LFE");

    dd_channel_placement(map, unknown, 3, unknown, 3);
    CHECK(near(g(3, 0, 0), 1) && near(g(3, 1, 1), 1) && near(g(3, 2, 2), 1) &&
          near(row_sum(3, 0), 1), "unknown positions: by index");
    dd_channel_placement(map, stereo, 2, unknown, 3);
    CHECK(near(g(2, 0, 0), 1) && near(g(2, 1, 1), 1) && near(row_sum(2, 2), 0),
          "unknown positions beyond the output: dropped");

    return check_summary();
}
