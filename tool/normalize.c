/*
 * Stage 3, normalize.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <math.h>
#include <stdio.h>

#include <libavutil/common.h>

#include "limiter.h"
#include "limitloss.h"
#include "loudness.h"
#include "normalize.h"
#include "render.h"

void normalize_decide(Normalization *nz, const Analysis *an,
                      const Session *s)
{
    const CliOptions *o = s->opt;

    nz->measured_lufs = an->measured ? an->lufs_program : NAN;
    nz->gain_db = 0.0;
    nz->limiter_used = 0;
    nz->corrections = 0;
    nz->verify = nz->written = 0;
    if (an->measured && o->gate == GATE_DIALOGUE) {
        if (isfinite(an->lufs_dialogue))
            nz->measured_lufs = an->lufs_dialogue;
        else if (o->verbosity >= VERB_WARNING)
            fprintf(stderr, "dialogueduck: warning: no dialogue found; "
                    "loudness measured over the whole programme\n");
    }
    if (!isnan(o->target_lufs)) {
        nz->gain_db = loudness_gain_db(o->target_lufs, nz->measured_lufs);
        /* the true peak after the gain says whether limiting is needed;
         * without it (no measurement) fall back on the sample-peak bound */
        if (an->true_peak > 0.0)
            nz->limiter_used = an->true_peak * loudness_db_to_linear(nz->gain_db) >
                               loudness_db_to_linear(o->true_peak - LIMITER_HEADROOM_DB);
        else
            nz->limiter_used = limiter_needed(an->sample_peak, nz->gain_db,
                                              o->true_peak);
    }
    if (o->verbosity >= VERB_VERBOSE)
        fprintf(stderr, "dialogueduck: analysis: %.3f s, %zu regions, %zu "
                "keyframes, %.2f LUFS, gain %+.2f dB, limiter %s\n",
                (double)an->total / s->work_rate, an->nb_regions,
                an->nb_kf, nz->measured_lufs, nz->gain_db,
                nz->limiter_used ? "on" : "off");
}

/*
 * Linear gain then a limiter: where the limiter acts, the programme loses
 * loudness, and loses more the higher the gain. The analysis predicts
 * the loss (limitloss.h), and the first check is at the gain that
 * prediction calls for; checks measure the result and correct the gain
 * until it is within 0.1 LU of the target; each costs a pass, and only
 * loud targets on peaky material need them.
 *
 * The first correction after a check models the loss: nothing below
 * the gain at which the analysed true peak reaches the limiter's
 * ceiling, then growing with the excess gain e over it as
 * e^LOSS_EXPONENT. The first check gives the loss L at e; the model's
 * slope of loudness over gain there is 1 - LOSS_EXPONENT * L / e. Measured on music peaking at 0 dBFS
 * (targets -16 to -10 LUFS, excess 3 to 15 dB) the exponent was 1.3 to
 * 1.45; with slope 1 a correction fell short by a third of the loss and
 * cost one more pass. Later corrections take the secant through the last
 * two passes.
 */
#define LOUDNESS_TOLERANCE 0.1
#define MAX_CORRECTIONS    3
#define LOSS_EXPONENT      1.4

int normalize_on_target(double target_lufs, double lufs)
{
    return !isfinite(lufs) || fabs(target_lufs - lufs) <= LOUDNESS_TOLERANCE;
}

/* The model's slope at the first check (1 where it does not apply). */
static double first_slope(const Normalization *nz, const Analysis *an,
                          const CliOptions *o, double lufs)
{
    double onset, excess;

    if (!(an->true_peak > 0))
        return 1.0;
    onset = o->true_peak - LIMITER_HEADROOM_DB -
            loudness_linear_to_db(an->true_peak);
    excess = nz->gain_db - onset;
    if (!(excess > 0))
        return 1.0;
    /* the loss: what the linear gain would give less what was delivered */
    return 1.0 - LOSS_EXPONENT * (nz->measured_lufs + nz->gain_db - lufs) /
                 excess;
}

/*
 * The gain the analysis's prediction of the limiter's loss calls for
 * (limitloss.h): where it holds, the first check passes and no dry pass
 * is needed. 1 when the gain was raised by it.
 */
static int predict_gain(Normalization *nz, const Analysis *an,
                        const CliOptions *o)
{
    double g = nz->gain_db;

    if (!an->loss || limitloss_gain(an->loss, an->levels, o->target_lufs,
                                    o->true_peak, &g) < 0 ||
        !(g > nz->gain_db))
        return 0;
    nz->gain_db = g;
    nz->corrections++;
    if (o->verbosity >= VERB_VERBOSE)
        fprintf(stderr, "dialogueduck: limiting predicted; gain raised to "
                "%+.2f dB\n", nz->gain_db);
    return 1;
}

/*
 * One check of the gain: a dry pass, or (verify) the write pass, which
 * finishes the outputs if the loudness is on target and otherwise starts
 * them again. A check of the linear gain is dry: it almost always misses
 * by the limiter's loss, and a dry pass encodes nothing; after a
 * correction (predicted or measured) the check usually passes, and the
 * write pass it would be followed by is the same pass at the same gain.
 * Either way the gains tried are the same, so a file and a pipe get the
 * same samples.
 */
static int check_gain(Normalization *nz, Session *s, const Analysis *an,
                      Rendered *rd, int dry, double *lufs, char *err,
                      size_t errlen)
{
    int code;

    nz->verify = !dry && output_can_reopen(s->out) && !s->music_out;
    if (!nz->verify)
        return render_dry(s, an, nz, lufs, err, errlen);
    code = render_write(s, an, nz, rd, err, errlen);
    nz->verify = 0;
    nz->written = code == EXIT_OK && !rd->again;
    *lufs = rd->checked_lufs;
    return code;
}

int normalize_correct(Normalization *nz, Session *s, const Analysis *an,
                      Rendered *rd, char *err, size_t errlen)
{
    const CliOptions *o = s->opt;
    double prev_gain = 0.0, prev_lufs = NAN;
    int predicted = 0;

    if (nz->limiter_used && s->out && !isnan(o->target_lufs))
        predicted = predict_gain(nz, an, o);
    for (int i = 0; i < MAX_CORRECTIONS && nz->limiter_used && s->out &&
                    !isnan(o->target_lufs); i++) {
        double lufs, slope;
        int code = check_gain(nz, s, an, rd, i == 0 && !predicted, &lufs,
                              err, errlen);

        if (code != EXIT_OK)
            return code;
        if (nz->written || normalize_on_target(o->target_lufs, lufs))
            break;
        if (isfinite(prev_lufs) && nz->gain_db != prev_gain)
            slope = (lufs - prev_lufs) / (nz->gain_db - prev_gain);
        else
            slope = first_slope(nz, an, o, lufs);
        slope = av_clipd(slope, 0.2, 1.0);
        prev_gain = nz->gain_db;
        prev_lufs = lufs;
        nz->gain_db += (o->target_lufs - lufs) / slope;
        nz->corrections++;
        if (o->verbosity >= VERB_VERBOSE)
            fprintf(stderr, "dialogueduck: limiting left %.2f LUFS; gain "
                    "raised to %+.2f dB\n", lufs, nz->gain_db);
    }
    return EXIT_OK;
}
