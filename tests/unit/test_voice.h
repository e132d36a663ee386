/*
 * The voiced sound the engine tests (and the engine fuzzer) feed as
 * dialogue: harmonics of f0 with a 1/k spectrum, the pitch moving +-8 %
 * at 3 Hz as intonation does. A fixed pitch would be a tone, which the
 * detector must not take for a voice.
 */
#ifndef DD_TEST_VOICE_H
#define DD_TEST_VOICE_H

#include <math.h>

static inline double glide_voice(double t, double f0, int harmonics)
{
    double ph = 2.0 * M_PI * f0 * (t - 0.08 / (2.0 * M_PI * 3.0) *
                                   cos(2.0 * M_PI * 3.0 * t));
    double s = 0.0;

    for (int k = 1; k <= harmonics; k++)
        s += sin(k * ph) / k;
    return s;
}

#endif
