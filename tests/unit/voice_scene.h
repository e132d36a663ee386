/*
 * The scene test_spectral and test_carve render: dialogue of two lines of
 * a buzzy tone with syllables, music of noise. Included after the test
 * defines SR and its noise().
 */
#ifndef DD_TEST_VOICE_SCENE_H
#define DD_TEST_VOICE_SCENE_H

#include <math.h>

static void make_scene(float *d, float *m, int n)
{
    for (int k = 0; k < n; k++) {
        double t = (double)k / SR;
        int on = (t > 1.0 && t < 2.2) || (t > 3.1 && t < 4.0);
        /* the pitch glides (+-8 % at 3 Hz) as speech does: the detector
         * takes a fixed one for a ring or a beep */
        double ph = 2 * M_PI * 180 * (t - 0.08 / (6 * M_PI) * cos(6 * M_PI * t));
        d[k] = on ? 0.3f * (float)(pow(fabs(sin(ph)), 4) *
                                   (0.6 + 0.4 * sin(2 * M_PI * 4 * t)))
                  : 0.0f;
        m[k] = 0.5f * noise();
    }
}

#endif
