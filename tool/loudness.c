/*
 * Loudness measurement. The integrated loudness is gated here over the
 * 100 ms segment energies of our own K-weighting (kweight.c), read from
 * the caller's planar buffers, and so is the loudness range
 * (loudness_range.c); libebur128 measures only what reads its own
 * windows: the short-term history, and at rates whose 100 ms it rounds,
 * the blocks and the range. Those run on a worker thread
 * where asked (the K-weighting alone costs less than handing chunks over).
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ebur128.h>
#include <libavutil/error.h>

#include "kweight.h"
#include "limiter.h"
#include "loudness.h"
#include "loudness_range.h"
#include "peak.h"

/* Frames per chunk measured at once (and handed to the worker). */
#define CHUNK 4096
/* Chunks queued for the worker thread: bounds the memory it may lag by. */
#define QUEUE_LEN 8

/*
 * BS.1770 gating, kept here rather than in libebur128: libebur128 keeps a
 * list node per 400 ms block (memory grows with duration, ~3.5 MB per two
 * hours) or, in histogram mode, rounds each block to its bin (~0.05 LU
 * off). Here each block adds its energy to a bin of GATE_STEP LU: memory is
 * fixed and the sums are exact; only the relative gate's decision for
 * blocks within GATE_STEP of the threshold is rounded.
 */
#define GATE_MIN   -70.0             /* absolute gate, LUFS */
#define GATE_MAX    10.0
#define GATE_STEP   0.01             /* LU per bin */
#define GATE_BINS   8000             /* (GATE_MAX - GATE_MIN) / GATE_STEP */

typedef struct Gate {
    double energy[GATE_BINS];        /* sum of block energies per bin */
    uint32_t count[GATE_BINS];
} Gate;

/* Energies of consecutive 100 ms segments (LOUDNESS_RECORD). */
typedef struct Levels {
    double *e;
    uint8_t *parts;             /* the programme's: LOUDNESS_LEVEL_PARTS
                                   shares per segment, or NULL */
    size_t nb, cap;
    int dropped;                /* longer than LEVELS_MAX: not kept */
} Levels;

/* Two hours of 100 ms segments (0.6 MB per gate). A longer programme's
 * dry passes measure in full, so memory does not grow with duration. */
#define LEVELS_MAX (2 * 3600 * 10)

struct LoudnessLevels {
    Levels prog, dlg;
};

/*
 * A gauge measuring a mix against a reference (loudness_meter_set_reference):
 * the reference's segments scaled by the gain, except where frames were
 * flagged touched; there the K-weighting measures them, from one segment
 * before (it settles in well under 100 ms) to one segment after.
 */
typedef struct Delta {
    const Levels *ref;
    double g2;                       /* the gain, squared */
    float *ring[2];                  /* previous and current segment,
                                      * planar (plane c at c * step) */
    int64_t seg_start;               /* frame the current segment starts at */
    int64_t active_until;            /* segments measured up to this one */
    int active;
} Delta;

/*
 * One measurement (the programme, or its dialogue frames): the
 * K-weighting whose segments are gated (own), or a libebur128 state whose
 * momentary loudness is (rates whose 100 ms it rounds); the libebur128
 * state also where its loudness range or short-term history is read.
 */
typedef struct Gauge {
    int on;
    int own;                         /* segments from kw */
    KWeight kw;
    ebur128_state *st;               /* NULL where not needed */
    int64_t fed;
    int64_t next_block;              /* frame at which the next block ends */
    Gate *gate;
    LoudnessRange *range;            /* own, where the range is asked for */
    /* energy of the last four 100 ms segments (see gauge_block()) */
    double seg[4];
    int64_t nb_seg;
    Levels rec;                      /* LOUDNESS_RECORD */
    int parts_on;                    /* record the segments' parts */
    int part;                        /* parts of this segment read */
    double part_read;                /* kweight_energy() at the last part */
    float part_e[LOUDNESS_LEVEL_PARTS];
    Delta delta;
} Gauge;

typedef struct Chunk {
    float *data;        /* CHUNK * channels, planar (plane c at c * CHUNK) */
    int nb;
    int dialogue;
    int touched;
} Chunk;

struct LoudnessMeter {
    Gauge prog;
    Gauge dlg;              /* fed only dialogue frames; off if not asked */
    TruePeakMeter *tp;      /* LOUDNESS_TRUE_PEAK */
    int sample_rate;
    int channels;
    int step;               /* frames per 100 ms, as libebur128 rounds it */
    int by_segment;         /* a 400 ms block is exactly 4 segments */
    int touched;            /* loudness_meter_set_touched() */
    unsigned flags;
    int error;              /* sticky AVERROR */
    uint32_t peak_bits;     /* largest |sample| so far, as float bits */
    float *inter;           /* CHUNK interleaved frames for libebur128, or
                             * NULL where no gauge has a libebur128 state */

    /* short-term history, one value every 100 ms of program */
    float *hist;
    size_t nb_hist, cap_hist;

    /* threaded: a ring of QUEUE_LEN chunks */
    Chunk queue[QUEUE_LEN];
    int head, count;        /* ring: oldest queued chunk, queued chunks */
    Chunk *filling;         /* slot being filled by the caller, or NULL */
    int busy;               /* the worker is measuring a dequeued chunk */
    int quit;
    int thread_started;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;    /* signalled on every queue state change */
};

/*
 * BS.1770 weights: L, R, C 1.0; surrounds 1.41; LFE excluded. Sides and
 * backs both count as surrounds (also in 7.1), as FFmpeg's ebur128 filter
 * weights them, so that the independent meter agrees with ours.
 */
static int ebur128_channel_for(enum AVChannel ch)
{
    switch (ch) {
    case AV_CHAN_FRONT_LEFT:    return EBUR128_LEFT;
    case AV_CHAN_FRONT_RIGHT:   return EBUR128_RIGHT;
    case AV_CHAN_FRONT_CENTER:  return EBUR128_CENTER;
    case AV_CHAN_LOW_FREQUENCY:
    case AV_CHAN_LOW_FREQUENCY_2:
        return EBUR128_UNUSED;
    case AV_CHAN_BACK_LEFT:
    case AV_CHAN_SIDE_LEFT:     return EBUR128_LEFT_SURROUND;
    case AV_CHAN_BACK_RIGHT:
    case AV_CHAN_SIDE_RIGHT:    return EBUR128_RIGHT_SURROUND;
    default:                    return EBUR128_CENTER; /* weight 1.0 */
    }
}

/* The weight libebur128 gives a channel of that kind. */
static double ebur128_weight(int kind)
{
    switch (kind) {
    case EBUR128_UNUSED:         return 0.0;
    case EBUR128_LEFT_SURROUND:
    case EBUR128_RIGHT_SURROUND: return 1.41;
    case EBUR128_DUAL_MONO:      return 2.0;
    default:                     return 1.0;
    }
}

/* Each channel's kind (EBUR128_*) from the layout. */
static void channel_kinds(int *kind, const AVChannelLayout *layout,
                          int channels, unsigned flags)
{
    AVChannelLayout def = { 0 };
    const AVChannelLayout *l = layout;

    if (!l || l->order == AV_CHANNEL_ORDER_UNSPEC) {
        av_channel_layout_default(&def, channels);
        l = &def;
    }
    for (int i = 0; i < channels; i++) {
        enum AVChannel ch = av_channel_layout_channel_from_index(l, i);
        /* mono is one front centre channel: weight 1, like a left alone;
         * or, as asked, the same signal on two loudspeakers */
        kind[i] = channels != 1 ? ebur128_channel_for(ch) :
                  flags & LOUDNESS_DUAL_MONO ? EBUR128_DUAL_MONO : EBUR128_LEFT;
    }
    av_channel_layout_uninit(&def);
}

static int history_push(LoudnessMeter *m, float v)
{
    if (m->nb_hist == m->cap_hist) {
        size_t cap = m->cap_hist ? 2 * m->cap_hist : 1024;
        float *h = realloc(m->hist, cap * sizeof(*h));
        if (!h)
            return AVERROR(ENOMEM);
        m->hist = h;
        m->cap_hist = cap;
    }
    m->hist[m->nb_hist++] = v;
    return 0;
}

/* A segment's energy, and its parts where parts is not NULL. */
static int levels_push(Levels *l, double e, const float *parts)
{
    if (l->dropped)
        return 0;
    if (l->nb == LEVELS_MAX) {
        free(l->e);
        free(l->parts);
        *l = (Levels){ .dropped = 1 };
        return 0;
    }
    if (l->nb == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        double *n = realloc(l->e, cap * sizeof(*n));
        uint8_t *p;
        if (!n)
            return AVERROR(ENOMEM);
        l->e = n;
        if (parts) {
            if (!(p = realloc(l->parts, cap * LOUDNESS_LEVEL_PARTS *
                                        sizeof(*p))))
                return AVERROR(ENOMEM);
            l->parts = p;
        }
        l->cap = cap;
    }
    if (parts) {
        double sum = 0;
        for (int k = 0; k < LOUDNESS_LEVEL_PARTS; k++)
            sum += parts[k];
        for (int k = 0; k < LOUDNESS_LEVEL_PARTS; k++)
            l->parts[l->nb * LOUDNESS_LEVEL_PARTS + k] =
                sum > 0 ? (uint8_t)lrint(parts[k] / sum * UINT8_MAX) : 0;
    }
    l->e[l->nb++] = e;
    return 0;
}

/* The energy of the 100 ms segment that just ended. */
static int segment_energy(LoudnessMeter *m, Gauge *g, double *e)
{
    Delta *d = &g->delta;
    double measured = kweight_segment(&g->kw, m->step);

    *e = d->ref && !d->active ? d->g2 * d->ref->e[g->nb_seg] : measured;
    if (d->ref) {
        float *t = d->ring[0];
        d->ring[0] = d->ring[1];
        d->ring[1] = t;
        d->seg_start = g->fed;
        if (d->active && g->nb_seg + 1 >= d->active_until)
            d->active = 0;
    }
    if (!(m->flags & LOUDNESS_RECORD))
        return 0;
    g->part = 0;
    g->part_read = 0;
    return levels_push(&g->rec, *e, g->parts_on ? g->part_e : NULL);
}

/* A 400 ms block of the given loudness and energy into the gate's bins. */
static void gate_add(Gate *gt, double lufs, double e)
{
    int bin;

    if (!(lufs >= GATE_MIN))
        return; /* the absolute gate (and silence, -inf) */
    bin = (int)((lufs - GATE_MIN) / GATE_STEP);
    if (bin >= GATE_BINS)
        bin = GATE_BINS - 1;
    gt->energy[bin] += e;
    gt->count[bin]++;
}

/*
 * A 400 ms gating block ends every 100 ms once 400 ms have been fed
 * (BS.1770's 75 % overlap). Its energy is the mean of its four 100 ms
 * segments', each summed once as it ends. Where libebur128's 100 ms
 * window is not a quarter of its momentary one (rates ending in 5 to
 * 9 Hz), libebur128's momentary loudness is read.
 */
static int gauge_block(LoudnessMeter *m, Gauge *g)
{
    double lufs, e;

    if (g->own) {
        int ret = segment_energy(m, g, &e);
        if (ret < 0)
            return ret;
        if (g->range)
            loudness_range_add(g->range, e);
        g->seg[g->nb_seg++ % 4] = e;
        if (g->nb_seg < 4)
            return 0;
        e = (g->seg[0] + g->seg[1] + g->seg[2] + g->seg[3]) / 4;
        lufs = e > 0 ? 10 * log10(e) - 0.691 : -HUGE_VAL;
    } else {
        if (g->fed < 4 * (int64_t)m->step)
            return 0;
        if (ebur128_loudness_momentary(g->st, &lufs) != EBUR128_SUCCESS)
            return AVERROR_BUG;
        e = pow(10, (lufs + 0.691) / 10);
    }
    gate_add(g->gate, lufs, e);
    return 0;
}

/*
 * Delta gauge: keep the current segment's frames (and the previous
 * segment's) and, on touched frames, start measuring from the previous
 * segment on (filtered only, to settle the K-weighting). Returns 1 when
 * these n frames need no more feeding, 0 when they are to be measured.
 */
static int delta_frames(LoudnessMeter *m, Gauge *g, const float *const *x,
                        int offset, int n, int touched)
{
    Delta *d = &g->delta;
    int at = (int)(g->fed - d->seg_start);
    const float *planes[KWEIGHT_MAX_CHANNELS];

    for (int c = 0; c < m->channels; c++)
        memcpy(d->ring[1] + (size_t)c * m->step + at, x[c] + offset,
               sizeof(float) * n);
    /* beyond the reference (a longer mix): measured */
    touched |= g->nb_seg >= (int64_t)d->ref->nb;
    if (touched)
        d->active_until = g->nb_seg + 2;
    if (d->active)
        return 0;
    if (!touched)
        return 1;
    d->active = 1;
    if (g->nb_seg > 0) {
        for (int c = 0; c < m->channels; c++)
            planes[c] = d->ring[0] + (size_t)c * m->step;
        kweight_add(&g->kw, planes, 0, m->step, 0);
    }
    for (int c = 0; c < m->channels; c++)
        planes[c] = d->ring[1] + (size_t)c * m->step;
    kweight_add(&g->kw, planes, 0, at + n, 1);
    return 1;
}

/*
 * K-weight n frames into the current segment; where the segment's parts
 * are recorded, read the energy at each part's end (the segment's
 * energy itself is the same sum, read when it ends).
 */
static void gauge_kweight(LoudnessMeter *m, Gauge *g, const float *const *x,
                          int offset, int n)
{
    int pos = (int)(g->fed - (g->next_block - m->step));

    while (g->parts_on && n > 0) {
        int end = m->step * (g->part + 1) / LOUDNESS_LEVEL_PARTS;
        int k = end - pos < n ? end - pos : n;
        double e;
        kweight_add(&g->kw, x, offset, k, 1);
        pos += k;
        offset += k;
        n -= k;
        if (pos < end)
            return;
        e = kweight_energy(&g->kw);
        g->part_e[g->part++] = (float)(e - g->part_read);
        g->part_read = e;
    }
    kweight_add(&g->kw, x, offset, n, 1);
}

/*
 * Feed frames [offset, offset + nb) of the planes (and, where the gauge
 * has a libebur128 state, the same frames interleaved in inter) to a
 * gauge, closing gating blocks on the way. hist: also record the
 * short-term loudness at each 100 ms point.
 */
static int gauge_add(LoudnessMeter *m, Gauge *g, const float *const *x,
                     const float *inter, int offset, int nb, int hist,
                     int touched)
{
    while (nb > 0) {
        int n = nb, ret;
        if (g->fed + n > g->next_block)
            n = (int)(g->next_block - g->fed);
        ret = n && g->delta.ref ? delta_frames(m, g, x, offset, n, touched) :
              !n;
        if (!ret && g->own)
            gauge_kweight(m, g, x, offset, n);
        if (n && g->st &&
            ebur128_add_frames_float(g->st, inter + (size_t)offset * m->channels,
                                     n) != EBUR128_SUCCESS)
            return AVERROR(ENOMEM);
        g->fed += n;
        offset += n;
        nb -= n;
        if (g->fed < g->next_block)
            break;
        g->next_block += m->step;
        if ((ret = gauge_block(m, g)) < 0)
            return ret;
        if (hist) {
            double st;
            if (ebur128_loudness_shortterm(g->st, &st) != EBUR128_SUCCESS)
                return AVERROR_BUG;
            if ((ret = history_push(m, (float)st)) < 0)
                return ret;
        }
    }
    return 0;
}

/* BS.1770 integrated loudness from the gated blocks. */
static double gate_integrated(const Gate *gt)
{
    double sum = 0, rel;
    uint64_t n = 0;
    int first;

    for (int i = 0; i < GATE_BINS; i++) {
        sum += gt->energy[i];
        n += gt->count[i];
    }
    if (!n)
        return -HUGE_VAL;
    /* relative gate: 10 LU under the loudness of the absolute-gated blocks */
    rel = 10 * log10(sum / n) - 0.691 - 10;
    first = rel <= GATE_MIN ? 0 : (int)ceil((rel - GATE_MIN) / GATE_STEP);
    sum = 0;
    n = 0;
    for (int i = first < 0 ? 0 : first; i < GATE_BINS; i++) {
        sum += gt->energy[i];
        n += gt->count[i];
    }
    return n ? 10 * log10(sum / n) - 0.691 : -HUGE_VAL;
}

/* Planar frames to libebur128's interleaved layout. */
static void interleave(float *dst, const float *const *src, int nb,
                       int channels)
{
    for (int c = 0; c < channels; c++) {
        const float *s = src[c];
        float *d = dst + c;
        for (int i = 0; i < nb; i++, d += channels)
            *d = s[i];
    }
}

/* Measure nb <= CHUNK frames (on the worker, if any). */
static int measure(LoudnessMeter *m, const float *const *x, int nb,
                   int dialogue, int touched)
{
    int ret;

    if (m->inter)
        interleave(m->inter, x, nb, m->channels);
    ret = gauge_add(m, &m->prog, x, m->inter, 0, nb,
                    !!(m->flags & LOUDNESS_HISTORY), touched);
    if (m->tp)
        truepeak_meter_add(m->tp, x, nb);
    if (ret >= 0 && dialogue && m->dlg.on)
        ret = gauge_add(m, &m->dlg, x, m->inter, 0, nb, 0, touched);
    return ret;
}

static void chunk_planes(const LoudnessMeter *m, const Chunk *c,
                         const float **planes)
{
    for (int i = 0; i < m->channels; i++)
        planes[i] = c->data + (size_t)i * CHUNK;
}

static void *worker(void *arg)
{
    LoudnessMeter *m = arg;

    pthread_mutex_lock(&m->lock);
    for (;;) {
        while (!m->count && !m->quit)
            pthread_cond_wait(&m->cond, &m->lock);
        if (!m->count)
            break;
        Chunk *c = &m->queue[m->head];
        const float *planes[KWEIGHT_MAX_CHANNELS];
        int failed = m->error;
        m->busy = 1;
        pthread_mutex_unlock(&m->lock);

        /* after an error the queue is only drained */
        chunk_planes(m, c, planes);
        int ret = failed ? 0 : measure(m, planes, c->nb, c->dialogue,
                                         c->touched);

        pthread_mutex_lock(&m->lock);
        if (ret < 0 && !m->error)
            m->error = ret;
        m->head = (m->head + 1) % QUEUE_LEN;
        m->count--;
        m->busy = 0;
        pthread_cond_broadcast(&m->cond);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/*
 * A gauge: the K-weighting where it gives the segments (own), a
 * libebur128 state in mode where one is asked for (0: none), the gating
 * bins.
 */
static int gauge_init(Gauge *g, int own, int mode, const int *kind,
                      int channels, int sample_rate)
{
    double w[KWEIGHT_MAX_CHANNELS];

    g->on = 1;
    g->own = own;
    for (int i = 0; i < channels; i++)
        w[i] = ebur128_weight(kind[i]);
    if (kweight_init(&g->kw, sample_rate, channels, w) < 0)
        return AVERROR(EINVAL);
    if (!(g->gate = calloc(1, sizeof(Gate))))
        return AVERROR(ENOMEM);
    if (!mode)
        return 0;
    if (!(g->st = ebur128_init(channels, sample_rate, mode)))
        return AVERROR(ENOMEM);
    for (int i = 0; i < channels; i++)
        if (ebur128_set_channel(g->st, i, kind[i]) != EBUR128_SUCCESS)
            return AVERROR(EINVAL);
    return 0;
}

/* The worker thread and its chunks. */
static int start_queue(LoudnessMeter *m)
{
    for (int i = 0; i < QUEUE_LEN; i++) {
        m->queue[i].data = malloc(sizeof(float) * CHUNK * m->channels);
        if (!m->queue[i].data)
            return AVERROR(ENOMEM);
    }
    if (pthread_mutex_init(&m->lock, NULL))
        return AVERROR(ENOMEM);
    if (pthread_cond_init(&m->cond, NULL)) {
        pthread_mutex_destroy(&m->lock);
        return AVERROR(ENOMEM);
    }
    if (pthread_create(&m->thread, NULL, worker, m)) {
        pthread_cond_destroy(&m->cond);
        pthread_mutex_destroy(&m->lock);
        return AVERROR(ENOMEM); /* its stack could not be mapped */
    }
    m->thread_started = 1;
    return 0;
}

/*
 * The gauges. Segments come from the K-weighting wherever libebur128's
 * 100 ms is a quarter of its momentary window (m->by_segment), and so
 * does the loudness range; libebur128's state is kept where its windows
 * are read: the 3 s short-term history (2.3 MB at 48 kHz stereo, for
 * plots), or the momentary blocks and the range (its histogram: fixed
 * memory) at other rates.
 */
static int create_gauges(LoudnessMeter *m, const AVChannelLayout *layout)
{
    int kind[KWEIGHT_MAX_CHANNELS];
    unsigned f = m->flags;
    int own = m->by_segment, ret;
    int mode = (f & LOUDNESS_HISTORY ? EBUR128_MODE_S : 0) |
               (f & LOUDNESS_RANGE && !own ?
                EBUR128_MODE_LRA | EBUR128_MODE_HISTOGRAM : 0) |
               (own ? 0 : EBUR128_MODE_M);

    channel_kinds(kind, layout, m->channels, f);
    if ((ret = gauge_init(&m->prog, own, mode, kind, m->channels,
                          m->sample_rate)) < 0 ||
        (f & LOUDNESS_DIALOGUE &&
         (ret = gauge_init(&m->dlg, own, own ? 0 : EBUR128_MODE_M, kind,
                           m->channels, m->sample_rate)) < 0))
        return ret;
    if (own && f & LOUDNESS_RANGE &&
        (ret = loudness_range_create(&m->prog.range)) < 0)
        return ret;
    m->prog.parts_on = own && f & LOUDNESS_RECORD;
    if (m->prog.st &&
        !(m->inter = malloc(sizeof(float) * CHUNK * m->channels)))
        return AVERROR(ENOMEM);
    return 0;
}

int loudness_meter_create(LoudnessMeter **out, int sample_rate,
                          const AVChannelLayout *layout, int channels,
                          unsigned flags)
{
    LoudnessMeter *m;
    int ret;

    *out = NULL;
    if (sample_rate < 8000 || sample_rate > 384000 || channels < 1 ||
        channels > KWEIGHT_MAX_CHANNELS ||
        (layout && layout->order != AV_CHANNEL_ORDER_UNSPEC &&
         layout->nb_channels != channels))
        return AVERROR(EINVAL);

    m = calloc(1, sizeof(*m));
    if (!m)
        return AVERROR(ENOMEM);
    m->sample_rate = sample_rate;
    m->channels = channels;
    m->flags = flags;
    m->step = (sample_rate + 5) / 10;   /* libebur128's 100 ms */
    /* libebur128's momentary window is 4 * step frames; its other
     * windows are rate * ms / 1000 frames, rounded down */
    m->by_segment = m->step == sample_rate / 10;
    m->prog.next_block = m->dlg.next_block = m->step;

    /*
     * True peak from the limiter's detector rather than libebur128's
     * EBUR128_MODE_TRUE_PEAK: same definition (4x interpolation), but it
     * interpolates only where a new maximum is possible, about 20x less
     * work on programme material, and reads high frequencies better.
     */
    if ((flags & LOUDNESS_TRUE_PEAK &&
         (ret = truepeak_meter_create(&m->tp, channels)) < 0) ||
        (ret = create_gauges(m, layout)) < 0 ||
        (flags & LOUDNESS_THREAD && m->inter && (ret = start_queue(m)) < 0)) {
        loudness_meter_free(&m);
        return ret;
    }
    *out = m;
    return 0;
}

void loudness_meter_free(LoudnessMeter **pm)
{
    LoudnessMeter *m = *pm;

    if (!m)
        return;
    if (m->thread_started) {
        pthread_mutex_lock(&m->lock);
        m->quit = 1;
        pthread_cond_broadcast(&m->cond);
        pthread_mutex_unlock(&m->lock);
        pthread_join(m->thread, NULL);
        pthread_cond_destroy(&m->cond);
        pthread_mutex_destroy(&m->lock);
    }
    for (int i = 0; i < QUEUE_LEN; i++)
        free(m->queue[i].data);
    for (int i = 0; i < 2; i++) {
        Gauge *g = i ? &m->dlg : &m->prog;
        if (g->st)
            ebur128_destroy(&g->st);
        free(g->gate);
        loudness_range_free(&g->range);
        free(g->rec.e);
        free(g->rec.parts);
        free(g->delta.ring[0]);
        free(g->delta.ring[1]);
    }
    truepeak_meter_free(&m->tp);
    free(m->inter);
    free(m->hist);
    free(m);
    *pm = NULL;
}

/* Threaded: hand the slot being filled to the worker. */
static void publish(LoudnessMeter *m)
{
    pthread_mutex_lock(&m->lock);
    m->count++;
    m->filling = NULL;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
}

/* Threaded: wait for a free slot, then it is ours until published. */
static int take_slot(LoudnessMeter *m, int dialogue)
{
    int ret;

    pthread_mutex_lock(&m->lock);
    while (m->count == QUEUE_LEN && !m->error)
        pthread_cond_wait(&m->cond, &m->lock);
    ret = m->error;
    if (!ret)
        m->filling = &m->queue[(m->head + m->count) % QUEUE_LEN];
    pthread_mutex_unlock(&m->lock);
    if (ret)
        return ret;
    m->filling->nb = 0;
    m->filling->dialogue = dialogue;
    m->filling->touched = m->touched;
    return 0;
}

/* Threaded: copy frames [done, done + n) into chunks for the worker. */
static int queue_frames(LoudnessMeter *m, const float *const *planar,
                        int done, int n, int dialogue)
{
    while (n > 0) {
        int k, ret;
        /* a chunk holds frames of one kind: a new flag starts a new one */
        if (m->filling && (m->filling->dialogue != dialogue ||
                           m->filling->touched != m->touched))
            publish(m);
        if (!m->filling && (ret = take_slot(m, dialogue)) < 0)
            return ret;
        /* fill chunks to CHUNK frames: fewer hand-overs than one per call */
        k = n < CHUNK - m->filling->nb ? n : CHUNK - m->filling->nb;
        for (int c = 0; c < m->channels; c++)
            memcpy(m->filling->data + (size_t)c * CHUNK + m->filling->nb,
                   planar[c] + done, sizeof(float) * k);
        m->filling->nb += k;
        if (m->filling->nb == CHUNK)
            publish(m);
        done += k;
        n -= k;
    }
    return 0;
}

int loudness_meter_add(LoudnessMeter *m, const float *const *planar,
                       int nb_samples, int dialogue)
{
    const float *x[KWEIGHT_MAX_CHANNELS];
    uint32_t peak;

    if (nb_samples <= 0)
        return 0;
    peak = peak_bits(planar, 0, nb_samples, m->channels);
    if (peak > m->peak_bits)
        m->peak_bits = peak;
    /* threaded, the worker's error is read under the lock (take_slot()) */
    if (m->thread_started)
        return queue_frames(m, planar, 0, nb_samples, !!dialogue);
    if (m->error)
        return m->error;
    for (int done = 0; done < nb_samples; done += CHUNK) {
        int n = nb_samples - done < CHUNK ? nb_samples - done : CHUNK, ret;
        for (int c = 0; c < m->channels; c++)
            x[c] = planar[c] + done;
        if ((ret = measure(m, x, n, !!dialogue, m->touched)) < 0)
            return m->error = ret;
    }
    return 0;
}

void loudness_meter_set_touched(LoudnessMeter *m, int touched)
{
    m->touched = !!touched;
}

static int delta_init(LoudnessMeter *m, Gauge *g, const Levels *ref,
                      double g2)
{
    Delta *d = &g->delta;

    if (!g->on)
        return 0;
    for (int i = 0; i < 2; i++)
        if (!(d->ring[i] = malloc(sizeof(float) * m->step * m->channels)))
            return AVERROR(ENOMEM);
    d->ref = ref;
    d->g2 = g2;
    return 0;
}

int loudness_meter_set_reference(LoudnessMeter *m, const LoudnessLevels *ref,
                                 float gain)
{
    double g2 = (double)gain * gain;
    int ret;

    /* the short-term history and the loudness range read libebur128's
     * own windows, which then must see every frame */
    if (!ref || !m->by_segment || m->prog.fed || m->dlg.fed ||
        m->flags & (LOUDNESS_HISTORY | LOUDNESS_RANGE) ||
        (m->dlg.on && !ref->dlg.nb))
        return AVERROR(ENOSYS);
    if ((ret = delta_init(m, &m->prog, &ref->prog, g2)) < 0 ||
        (ret = delta_init(m, &m->dlg, &ref->dlg, g2)) < 0)
        return ret;
    return 0;
}

int loudness_meter_take_levels(LoudnessMeter *m, LoudnessLevels **out)
{
    LoudnessLevels *l;
    int ret;

    *out = NULL;
    if (!(m->flags & LOUDNESS_RECORD) || !m->by_segment ||
        m->prog.rec.dropped || m->dlg.rec.dropped)
        return 0;
    if ((ret = loudness_meter_sync(m)) < 0)
        return ret;
    if (!(l = calloc(1, sizeof(*l))))
        return AVERROR(ENOMEM);
    l->prog = m->prog.rec;
    l->dlg = m->dlg.rec;
    memset(&m->prog.rec, 0, sizeof(m->prog.rec));
    memset(&m->dlg.rec, 0, sizeof(m->dlg.rec));
    *out = l;
    return 0;
}

size_t loudness_levels_count(const LoudnessLevels *l)
{
    return l ? l->prog.nb : 0;
}

const uint8_t *loudness_levels_parts(const LoudnessLevels *l)
{
    return l ? l->prog.parts : NULL;
}

int loudness_levels_integrated(const LoudnessLevels *l, const float *scale,
                               size_t nb_scale, double gain, double *lufs)
{
    double g2 = gain * gain, seg[4];
    Gate *gt;

    *lufs = NAN;
    if (!l)
        return AVERROR(EINVAL);
    if (!(gt = calloc(1, sizeof(*gt))))
        return AVERROR(ENOMEM);
    /* the blocks as gauge_block() forms them, from the scaled segments */
    for (size_t i = 0; i < l->prog.nb; i++) {
        double e;
        seg[i % 4] = g2 * l->prog.e[i] * (i < nb_scale ? scale[i] : 1);
        if (i < 3)
            continue;
        e = (seg[0] + seg[1] + seg[2] + seg[3]) / 4;
        gate_add(gt, e > 0 ? 10 * log10(e) - 0.691 : -HUGE_VAL, e);
    }
    *lufs = gate_integrated(gt);
    free(gt);
    return 0;
}

void loudness_levels_free(LoudnessLevels **pl)
{
    if (!*pl)
        return;
    free((*pl)->prog.e);
    free((*pl)->prog.parts);
    free((*pl)->dlg.e);
    free(*pl);
    *pl = NULL;
}

int loudness_meter_sync(LoudnessMeter *m)
{
    int ret;

    if (!m->thread_started)
        return m->error;
    if (m->filling && m->filling->nb)
        publish(m);
    pthread_mutex_lock(&m->lock);
    while (m->count || m->busy)
        pthread_cond_wait(&m->cond, &m->lock);
    ret = m->error;
    pthread_mutex_unlock(&m->lock);
    return ret;
}

int loudness_meter_integrated(LoudnessMeter *m, enum LoudnessGate gate,
                              double *lufs)
{
    const Gauge *g = gate == LOUDNESS_GATE_DIALOGUE ? &m->dlg : &m->prog;
    int ret;

    *lufs = NAN;
    if (!g->on)
        return AVERROR(EINVAL);
    if ((ret = loudness_meter_sync(m)) < 0)
        return ret;
    *lufs = gate_integrated(g->gate);
    return 0;
}

int loudness_meter_range(LoudnessMeter *m, double *lu)
{
    int ret;

    *lu = NAN;
    if (!(m->flags & LOUDNESS_RANGE))
        return AVERROR(EINVAL);
    if ((ret = loudness_meter_sync(m)) < 0)
        return ret;
    if (m->prog.range)
        *lu = loudness_range_read(m->prog.range);
    else if (ebur128_loudness_range(m->prog.st, lu) != EBUR128_SUCCESS)
        return AVERROR_BUG;
    return 0;
}

double loudness_meter_sample_peak(LoudnessMeter *m)
{
    float peak;

    /* written by the caller's thread only: no sync needed */
    memcpy(&peak, &m->peak_bits, sizeof(peak));
    return peak;
}

double loudness_meter_true_peak(LoudnessMeter *m)
{
    if (!m->tp)
        return NAN;
    loudness_meter_sync(m);
    return truepeak_meter_peak(m->tp);
}

const float *loudness_meter_history(LoudnessMeter *m, size_t *count)
{
    loudness_meter_sync(m);
    *count = m->nb_hist;
    return m->hist;
}

static int gauge_subnormal(const Gauge *g)
{
    if (!g->on)
        return 0;
    return limiter_count_subnormal_d(g->gate->energy, GATE_BINS) +
           kweight_subnormal_state(&g->kw);
}

int loudness_meter_subnormal_state(LoudnessMeter *m)
{
    loudness_meter_sync(m);
    return gauge_subnormal(&m->prog) + gauge_subnormal(&m->dlg) +
           (m->tp ? truepeak_meter_subnormal_state(m->tp) : 0) +
           limiter_count_subnormal_f(m->hist, (int)m->nb_hist);
}

int loudness_parse_target(const char *s, double *lufs)
{
    static const struct { const char *name; double lufs; } presets[] = {
        { "ebu",       LOUDNESS_EBU },
        { "r128",      LOUDNESS_EBU },
        { "atsc",      LOUDNESS_ATSC },
        { "streaming", LOUDNESS_STREAMING },
        { "netflix",   LOUDNESS_NETFLIX },
    };
    char *end;
    double v;

    if (!strcasecmp(s, "off")) {
        *lufs = NAN;
        return 0;
    }
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
        if (!strcasecmp(s, presets[i].name)) {
            *lufs = presets[i].lufs;
            return 0;
        }
    }
    errno = 0;
    v = strtod(s, &end);
    /* a target above 0 LUFS or below -70 LUFS (the absolute gate) is
     * meaningless */
    if (end == s || *end || errno || !isfinite(v) || v > 0 || v < -70)
        return AVERROR(EINVAL);
    *lufs = v;
    return 0;
}

double loudness_gain_db(double target_lufs, double measured_lufs)
{
    if (isnan(target_lufs) || !isfinite(measured_lufs))
        return 0;
    return target_lufs - measured_lufs;
}

double loudness_db_to_linear(double db)
{
    return pow(10.0, db / 20.0);
}

double loudness_linear_to_db(double lin)
{
    return lin > 0 ? 20.0 * log10(lin) : -HUGE_VAL;
}
