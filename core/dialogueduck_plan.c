/*
 * dialogueduck engine: the planner, from speech regions to keyframes
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
 * Each region becomes four keyframes, as an editor sets them by hand:
 *
 *   (fade_start, 0) (fade_end, depth) (release_start, depth) (release_end, 0)
 *
 * The fade-down ends a short pre-roll before the first syllable; the music
 * stays down for `hold` after the line, then fades up over `release`.
 * A line that starts before the release has begun merges with the previous
 * region (no pumping between words); one that starts during the release
 * cuts it short where it stands. The release keyframes therefore stay
 * provisional until the rendering frontier has passed them; the gain is
 * linear in dB between keyframes, so a release cut short keeps the slope
 * of the part already rendered.
 *
 * A line confirmed late (a whisper, a quiet onset) may leave less than the
 * attack between the rendering frontier and the pre-roll: the fade then
 * starts at the frontier, gives up the pre-roll and then shortens so that
 * it still ends by the first syllable, down to the steepest smooth slope
 * (DD_FADE_MAX_SLOPE); only when even that does not fit does it end after
 * the onset.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define KF_CAP      4096
#define REGION_CAP  1024

enum { IDLE, OPEN, PENDING };

struct DDPlanner {
    int sample_rate;
    int64_t preroll, attack, release, hold;
    int64_t frontier;

    DDKeyframe kf[KF_CAP];
    int nb_kf, nb_final;
    DDRegion regions[REGION_CAP];
    int nb_regions;

    int state;
    DDRegion cur;
    int64_t fade_end;
    DDKeyframe rel_start;      /* release start; it may be read already */
    int rel_added;             /* keyframes the release queued (1 or 2) */
};

static int64_t seconds(double s, int sample_rate)
{
    return llrint(s * sample_rate);
}

void dd_planner_set_params(DDPlanner *pl, const DDParams *p)
{
    pl->attack  = seconds(p->attack, pl->sample_rate);
    pl->release = seconds(p->release, pl->sample_rate);
    pl->hold    = seconds(p->hold, pl->sample_rate);
    if (pl->attack < 1)
        pl->attack = 1;
    if (pl->release < 1)
        pl->release = 1;
}

int dd_planner_create(DDPlanner **out, const DDParams *p, int sample_rate,
                      const DDAllocator *al)
{
    DDPlanner *pl = dd_alloc(al, sizeof(*pl));

    *out = NULL;
    if (!pl)
        return DD_ERROR_NOMEM;
    pl->sample_rate = sample_rate;
    pl->preroll = seconds(DD_PREROLL_S, sample_rate);
    pl->frontier = INT64_MIN;
    dd_planner_set_params(pl, p);
    *out = pl;
    return DD_OK;
}

void dd_planner_free(DDPlanner **pl, const DDAllocator *al)
{
    dd_free(al, *pl);
    *pl = NULL;
}

static int push_kf(DDPlanner *pl, int64_t t, double gain_db)
{
    if (pl->nb_kf) {
        DDKeyframe *last = &pl->kf[pl->nb_kf - 1];
        if (t < last->t)
            t = last->t;
        if (t == last->t && gain_db == last->gain_db)
            return DD_OK;
    }
    if (pl->nb_kf >= KF_CAP)
        return DD_ERROR_STATE;
    pl->kf[pl->nb_kf++] = (DDKeyframe){ .t = t, .gain_db = gain_db };
    return DD_OK;
}

static int push_region(DDPlanner *pl)
{
    if (pl->nb_regions >= REGION_CAP)
        return DD_ERROR_STATE;
    pl->regions[pl->nb_regions++] = pl->cur;
    return DD_OK;
}

/* The release of the pending region can no longer change. */
static int release_final(DDPlanner *pl)
{
    pl->nb_final = pl->nb_kf;
    pl->state = IDLE;
    return push_region(pl);
}

void dd_planner_set_frontier(DDPlanner *pl, int64_t frontier)
{
    pl->frontier = frontier;
    if (pl->state != PENDING)
        return;
    /* the release end is the last keyframe queued; the release start
     * before it becomes final (readable) once the frontier passes it */
    if (frontier >= pl->kf[pl->nb_kf - 1].t)
        release_final(pl);
    else if (frontier > pl->rel_start.t)
        pl->nb_final = pl->nb_kf - 1;
}

/* The attack, or, when the fade must start late, what is left before the
 * onset: the pre-roll goes first, then the attack shortens, but never to a
 * slope steeper than DD_FADE_MAX_SLOPE for a change of delta_db. */
static int64_t fade_length(const DDPlanner *pl, int64_t fade_start,
                           int64_t onset, double delta_db)
{
    int64_t left = onset - pl->preroll - fade_start;
    int64_t steepest = llrint(ceil(fabs(delta_db) / DD_FADE_MAX_SLOPE *
                                   pl->sample_rate));

    if (left >= pl->attack)
        return pl->attack;
    left = onset - fade_start;
    if (left > pl->attack)
        left = pl->attack;
    if (left < steepest)
        left = steepest;
    return left < pl->attack ? left : pl->attack;
}

/*
 * Where the fade-down ends when the stream starts inside or just before a
 * line: a shorter fade from the first sample still ends before the onset,
 * or the stream starts ducked (nothing was heard before it).
 */
static int64_t seek_fade_end(const DDPlanner *pl, int64_t onset)
{
    return onset > pl->preroll ? onset - pl->preroll : 0;
}

int dd_planner_onset(DDPlanner *pl, int64_t onset, double depth)
{
    int64_t fade_start = onset - pl->preroll - pl->attack;
    int64_t fade_end;
    double start_gain = 0.0;
    int ret, seek;

    if (fade_start < pl->frontier)
        fade_start = pl->frontier;
    /* the stream starts inside or just before a line (a seek) */
    seek = fade_start < 0;
    if (seek)
        fade_start = 0;

    if (pl->state == OPEN)
        return DD_OK; /* the detector never nests regions */
    if (pl->state == PENDING) {
        const DDKeyframe *rs = &pl->rel_start;
        DDKeyframe *re = &pl->kf[pl->nb_kf - 1];
        if (fade_start <= rs->t) {
            /* the line goes on: drop the release, reopen the region; the
             * release start is still queued as fade_start >= frontier */
            pl->nb_kf -= pl->rel_added;
            if (pl->nb_final > pl->nb_kf)
                pl->nb_final = pl->nb_kf;
            pl->state = OPEN;
            return DD_OK;
        }
        if (fade_start < re->t) {
            /* cut the release short, on the line it is following */
            start_gain = rs->gain_db + (re->gain_db - rs->gain_db) *
                         (double)(fade_start - rs->t) / (double)(re->t - rs->t);
            *re = (DDKeyframe){ .t = fade_start, .gain_db = start_gain };
        }
        if ((ret = release_final(pl)) < 0)
            return ret;
    }

    fade_end = seek ? seek_fade_end(pl, onset)
                    : fade_start + fade_length(pl, fade_start, onset,
                                               depth - start_gain);
    if ((fade_end > fade_start &&
         (ret = push_kf(pl, fade_start, start_gain)) < 0) ||
        (ret = push_kf(pl, fade_end, depth)) < 0)
        return ret;
    pl->nb_final = pl->nb_kf;
    pl->fade_end = fade_end;
    pl->cur = (DDRegion){ .start = onset, .end = onset, .depth = depth };
    pl->state = OPEN;
    return DD_OK;
}

int dd_planner_offset(DDPlanner *pl, int64_t end)
{
    int64_t rs = end + pl->hold;
    int ret;

    if (pl->state != OPEN)
        return DD_OK;
    if (rs < pl->fade_end)
        rs = pl->fade_end;
    if (rs < pl->frontier)
        rs = pl->frontier;
    pl->cur.end = end;
    pl->rel_added = pl->nb_kf;
    if ((ret = push_kf(pl, rs, pl->cur.depth)) < 0 ||
        (ret = push_kf(pl, rs + pl->release, 0.0)) < 0)
        return ret;
    pl->rel_added = pl->nb_kf - pl->rel_added;
    pl->rel_start = (DDKeyframe){ .t = rs, .gain_db = pl->cur.depth };
    pl->state = PENDING;
    dd_planner_set_frontier(pl, pl->frontier);
    return DD_OK;
}

int dd_planner_finish(DDPlanner *pl)
{
    if (pl->state == PENDING)
        return release_final(pl);
    pl->nb_final = pl->nb_kf;
    return DD_OK;
}

const DDKeyframe *dd_planner_keyframes(const DDPlanner *pl, int *nb,
                                       int *nb_final)
{
    *nb = pl->nb_kf;
    *nb_final = pl->nb_final;
    return pl->kf;
}

void dd_planner_pop_keyframes(DDPlanner *pl, int n)
{
    if (n > pl->nb_final)
        n = pl->nb_final;
    if (n <= 0)
        return;
    memmove(pl->kf, pl->kf + n, (pl->nb_kf - n) * sizeof(*pl->kf));
    pl->nb_kf -= n;
    pl->nb_final -= n;
}

int dd_planner_read_regions(DDPlanner *pl, DDRegion *r, int max)
{
    int n = pl->nb_regions < max ? pl->nb_regions : max;

    memcpy(r, pl->regions, n * sizeof(*r));
    memmove(pl->regions, pl->regions + n,
            (pl->nb_regions - n) * sizeof(*pl->regions));
    pl->nb_regions -= n;
    return n;
}
