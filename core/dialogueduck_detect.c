/*
 * dialogueduck engine: the dialogue detector
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
 * Where is dialogue? Level alone is not enough: room tone, hum, rings,
 * breaths and clicks must not duck the music, quiet and whispered first
 * syllables must. Evidence, per 10 ms hop:
 *
 * - the noise floor is the minimum of the speech-band (150 Hz - 4 kHz)
 *   energy over the last 1.5 s (minimum statistics), learned all the time,
 *   inside lines too: hum, buzz or HVAC that starts mid-line becomes floor
 *   within 1.5 s, up to LINE_RANGE under the line's loudest hop (a live
 *   room's reverberation fills a long line's pauses and is the line's; a
 *   noise closer under it becomes floor as the line ends); a hop well
 *   over the floor is a candidate. The band is
 *   also read with the 50 and the 60 Hz mains combed out (their period
 *   and every harmonic, dialogueduck_mains.c), each with a floor of its
 *   own: where a comb's floor is HUM_DB under the band's, a hum or a
 *   buzz makes half the floor or more, and the hop is read on that comb
 *   (read_track). A quiet line a few dB over a buzz stands as far over
 *   the room tone under it. A third comb takes out a period found in the
 *   floor between lines (a fan's or a camera's whine), read where it
 *   takes HUM_DB more off than the mains combs do; where that floor,
 *   low-passed as the voicing reads it, repeats in the pitch range (a
 *   whine under about 1 kHz would read as a held tone), the voicing
 *   signal is read through that comb too (listen_floor, voice_found);
 * - voicing (normalized autocorrelation in the 70-500 Hz pitch range on a
 *   1 kHz low-passed, decimated signal) confirms speech when the pitch
 *   glides: rings, alarms and beeps are periodic at a fixed period, a ring
 *   or a doorbell that switches between two tones jumps; a tone above the
 *   range (a ring, a bell, a beep at 0.5-2 kHz) correlates at two to four
 *   of its periods inside the range, but also at its own, under it, where
 *   a voice's harmonics cancel: that is not voicing, unless twice the
 *   period found correlates clearly better (a child's voice whose 2nd
 *   and 4th harmonics carry its energy under 1 kHz). A melody (a
 *   jingle, a chime, a ringtone) holds each note's period flat for 30 ms
 *   and more and slides or jumps to the next; a voice glides on. A note
 *   whose period warbles (a chorus, detuned voices) is never flat for
 *   long, but it stays voiced without a glide for STEADY_HOPS (200 ms)
 *   and more, where a voice's pitch moves within a syllable. A sound that
 *   has held a note, either way, confirms only after a glide of
 *   MELODY_HOLD hops, and not at all while it stays voiced on end for
 *   more than SUSTAIN_HOPS (300 ms): a held tone that then bends (a
 *   pad sliding into its next note, a sung or hummed note, an organ's
 *   swell) is the tone going on, where a voice breaks its voicing
 *   between words and syllables. A glide that starts with the sound
 *   (the attack of a note settling onto its pitch looks like a glide)
 *   confirms only after GLIDE_HOLD hops. A glide confirms only when
 *   voiced hops around it are cleanly periodic (CLEAN_CORR): a voice is
 *   one source, its vowels repeat at one period; a chord, a pad, a
 *   bell's inharmonic partials sliding together repeat only roughly,
 *   their best correlation in the pitch range stays under 0.8. Noise
 *   under a voice lowers its
 *   correlation too, the more the lower its SNR, so "clean" is read
 *   against the ceiling that the hop's own SNR under 1 kHz (the signal
 *   the correlation reads, over its own floor) leaves a periodic sound
 *   (clean_period): a quiet line, a child's voice with its formants
 *   above 1 kHz, over loud room tone is held to less than a chime far
 *   over the floor. So does a whisper's first formant,
 *   which rings at a period in the range and glides as the mouth moves:
 *   a rough glide during or within 0.5 s after a vowel-shaped unvoiced
 *   nucleus (out of speech nuclei count unvoiced hops only) is a
 *   whispered line; a nucleus still under way after 0.5 s is no
 *   syllable but a sustained sound (a siren, a crowd, a long jingle),
 *   and a glide voiced for 160 ms on end is no whisper's (a whisper has
 *   no voice: a motor spinning up);
 * - syllabic rhythm confirms speech that does not glide (whispers, words
 *   said one at a time, a child's words whose voicing reads only now and
 *   then): two energy nuclei of at least 80 ms, 0.12-1.2 s apart
 *   (0.8-8 Hz: syllables, or single words with pauses between them),
 *   each with a vowel's share of energy under 1 kHz (its first
 *   formant), the second 12 dB over the valley before it (syllables are
 *   deeply modulated, a roar's ripples are not). Every nucleus, in a
 *   line or out of one, starts with a syllable's onset: its 40 ms means
 *   rise 8 dB within 50 ms (6 dB for a rhythm's, and one of its two 10
 *   dB: rhythm_sharp); a gust of wind on the microphone is as deep and
 *   as slow as a syllable, and as low, but swells over a quarter of a
 *   second (onset_rise). The rhythm is read on
 *   40 ms means of the energy, as the floor is: a whisper is noise whose
 *   energy jumps by 5 dB from one hop to the next, and read hop by hop a
 *   whispered word breaks into humps too short to count, or into two by
 *   chance. Its nuclei count unvoiced hops and voiced ones at a period
 *   that holds from one hop to the next in a sound that never held a
 *   note (rhythm_counts): a word is voiced and unvoiced in turn, a ring
 *   or a jingle holds its notes and is left to the voicing rules, claps
 *   read as voiced by chance at a period that jumps. A line confirmed
 *   so is spoken when one of its last CONFIRM_SPAN hops was cleanly
 *   voiced, whispered otherwise. A breath or a click is one nucleus or
 *   too short, a splash or paper is mostly above 1 kHz;
 * - once confirmed, the onset walks back to where the energy first left the
 *   noise floor, which is where the first (often unvoiced) syllable starts;
 *   a line that opens on a sibilant (s, sh, f: 4-8 kHz, above the speech
 *   band) leaves the floor first in a band of its own, with its own floor,
 *   which the walk-back reads too; a quiet "s" under hum does not show in
 *   the speech band at all; a walk from a glide cut by its 400 ms cap
 *   goes on from a syllable nucleus found just before (a whispered first
 *   syllable, voicing found only later), and one that stops at its cap
 *   or in a stop's closure goes on from voiced hops up to 100 ms before
 *   (first_syllable); a spoken line's, from words in its voice up to 1 s
 *   apart before it, too short and flat to have confirmed alone
 *   (first_word);
 * - a whispered line's syllables are often shorter than a nucleus out of
 *   speech (80 ms): inside a line, and within a pause the planner's hold
 *   bridges after it, a vowel-shaped nucleus of 50 ms is the line going
 *   on; one that starts less than RESUME_HOPS after a line resumes it;
 * - a line ends when its evidence stops, the same evidence as its start:
 *   no hop over the floor that is within 1 s of a gliding voiced stretch
 *   (read every hop once the last evidence is 0.5 s old) or a vowel-shaped
 *   nucleus, for a hangover of 250 ms. Applause or claps under a line
 *   (chance correlation peaks at random lags) do not hold it open; nor
 *   does anything more than LINE_RANGE under the line's own level (its
 *   peak, falling 5 dB per second): applause, walla or music bleed that
 *   goes on after a line, however voice-like by chance, is far under it;
 * - a spoken line (one that glided cleanly) is spoken to its end: a
 *   nucleus goes on it, or resumes it after a pause, only when cleanly
 *   voiced (clean_period, read once, where the nucleus completes: the
 *   resonances of claps read as rough voicing now and then; after the
 *   line, only where its pitch glides too or it is at the period of the
 *   line's voice: a chime or a message tone right after a line is clean,
 *   holds its note and rings at a period of its own) or when its sound
 *   rose from the floor, unvoiced
 *   (a word of its own after a pause, whispered between spoken ones);
 *   applause that starts under the line's end makes unvoiced nuclei by
 *   chance and never lets the floor show, a whispered line's nuclei are
 *   all unvoiced and still count. Its evidence vouches for 0.5 s (voicing
 *   read over its last 160 ms), not 1 s: its syllables and glides come
 *   several times a second, and applause loud enough to stay over the
 *   floor holds it no longer than that; an unvoiced word of its own
 *   vouches for 1 s, as a whispered line's syllables do (one long
 *   syllable, a drawn-out whispered "no", is one nucleus). A line that
 *   one syllable resumed after its end (other than an unvoiced word of
 *   its own) has that syllable's word for it and no more: it vouches for
 *   250 ms, voicing unread, until another syllable comes. A word goes on
 *   in syllables; a piano note or a message tone that rang at the
 *   voice's period, a gust of wind after a whispered line, ring on with
 *   none, and held the music down up to 0.75 s longer.
 *   A spoken line that an unvoiced word of its own brought back is held
 *   back (hold_resume) until the line goes on: another syllable, the
 *   word's vowel cleanly voiced in the line's voice, or its next word
 *   within the planner's time; a game sound or an instrument's note
 *   struck right after the line ends first and shows nothing more, and
 *   the line is not resumed (it held the music down up to 0.9 s
 *   longer).
 * - a line confirmed on a glide is provisional: a jingle's note settling,
 *   a pad, a buzz, a crowd confirm as a line's first syllable does, and
 *   nothing at that hop tells them apart. Its start is held back for
 *   0.64 s after the sound stood out of the floor (ON_SNR: not from an
 *   onset walked back into loud room tone, which would spend the time
 *   before the line begins), no longer than the planner still gets its
 *   whole fade before the onset (dd_detector_set_hold: the lookahead
 *   less the pre-roll and the attack), and is committed,
 *   with the onset found when it was confirmed, once the sound shows
 *   that it goes on as speech does (line_shows: its voice breaks 12 dB
 *   under its peak, a consonant led into it, its pitch moved 15 % and
 *   turned back 4 % without holding a note, its readings on one pitch
 *   track, not jumping between a bell's partials; a glide that began in a
 *   sound voiced at its period before it, an electric piano's note
 *   drifting, is not committed by a break: the note decays through one,
 *   note_sounding); if it does not, or ends first, it is dropped, and no
 *   onset walks back into that sound again (what goes on from it commits
 *   only when its voice breaks and comes back), unless it was a
 *   whisper's and the rhythm of its words shows it was a line's first
 *   word (vindicate), or a voiced word that ended in the hold and a
 *   spoken line follows in its voice within a second (dropped_voice: a
 *   letter's name said at one pitch). Lines confirmed by the rhythm or
 *   the resume of their nuclei start at once.
 */

#include <math.h>
#include <string.h>

#include "dialogueduck_internal.h"

#define VBUF          1024   /* decimated voicing samples kept (power of 2) */
#define EBUF          256    /* hop energies kept for walk-back (power of 2):
                                a rhythm's first word (RHYTHM_MAX_HOPS
                                back) and the walk-back before it */
#define ON_SNR        8.0    /* dB over the floor: candidate hop */
#define WALK_SNR      1.0    /* dB over the floor: still part of the onset */
#define WALK_GAP      5      /* hops under that margin the walk-back crosses */
#define CLOSURE_HOPS  10     /* unvoiced hops between a first syllable and
                                the onset (first_syllable) ... */
#define FIRST_RUN     3      /* ... voiced hops that make that syllable */
#define WORD_GAP      100    /* hops from a spoken line's word to the next
                                before it (first_word) */
#define OFF_SNR       6.0    /* dB over the floor: speech goes on */
#define VOICED_CORR   0.5    /* normalized autocorrelation peak: voiced */
#define CONFIRM_HOPS  4      /* voiced candidate hops ... */
#define CONFIRM_SPAN  8      /* ... within this many hops confirm speech */
#define TONAL_SPREAD  0.35   /* decimated samples: a pitch this steady is a tone */
#define GLIDE_STEP    0.04   /* a voice's period changes less per hop */
#define FLAT_STEP     0.001  /* a held note's period changes less per hop ... */
#define FLAT_RUN      3      /* ... for this many steps in a row */
#define FLAT_MIN      0.04   /* decimated samples: a step this small is
                                flat at any period (what the parabola
                                resolves: at a chime's 16-30 samples,
                                FLAT_STEP is under it) */
#define NOTE_HOPS     10     /* voiced hops at one period before a glide,
                                in the sound it starts in: a note */
#define NOTE_RANGE    0.03   /* ... within this share of the glide's */
#define NOTE_OTHER    10     /* ... and at most one in this many elsewhere */
#define GLIDE_HOLD    6      /* hops a glide lasts before it confirms ... */
#define MELODY_HOLD   12     /* ... in a sound that held a note */
#define STEADY_HOPS   20     /* ... or whose pitch stood still this long */
#define SUSTAIN_HOPS  30     /* voiced hops on end after which such a
                                sound's glide is its own (sustained) */
#define ATTACK_HOPS   8      /* ... when it began this close to the sound's start */
#define CLEAN_CORR    0.8    /* a glide confirms when a voiced hop in
                                its span correlates this well (one
                                source), or near a whispered syllable;
                                a share of the hop's SNR ceiling */
#define NUC_NEAR_HOPS 3      /* a nucleus under way with this many hops:
                                a whispered syllable (whisper_near) */
#define WHISPER_RUN   16     /* a whisper reads voiced fewer hops in a row
                                (160 ms): a rough glide with such a run
                                is no whisper's */
#define SUB_MAX       4      /* a tone's period may be found up to 4 times */
#define OCTAVE_GAIN   0.15   /* correlation an octave under a reading
                                taken for a tone must gain: a voice read
                                at its 2nd harmonic (octave_below) */
#define TONE_MAX_HZ   2000   /* tones checked for that: up to this pitch */
#define RESUME_HOPS   60     /* a pause this short after a line: one nucleus
                                resumes it (the planner's default hold) */
#define HANGOVER_HOPS 25     /* hops without evidence that end a region */
#define EVIDENCE_HOPS 100    /* hops a voiced hop or nucleus vouches for */
#define VOICED_EVIDENCE_HOPS 50 /* ... in a spoken line (line_voiced) */
#define RESUMED_EVIDENCE_HOPS 25 /* ... by the syllable that brought a
                                whispered line back after its end, until
                                another one comes */
#define SPOKEN_RESUME_HOPS 10 /* ... a spoken line: its vowel */
#define UNVOICED_NUCLEI 2    /* a spoken line's nuclei in rhythm that read
                                unvoiced: it is whispered */
#define MS_SUB_HOPS   25     /* minimum statistics: sub-window length ... */
#define MS_NSUB       6      /* ... and count (1.5 s) */
#define MS_BIAS       1.0    /* dB from the minimum to the mean floor */
#define NUC_RISE      6.0    /* dB over the last valley: a nucleus starts */
#define NUC_FALL      6.0    /* dB under its peak: it ends */
#define RHYTHM_DEPTH  12.0   /* dB over its valley (40 ms means): a
                                nucleus that confirms a rhythm out of
                                speech */
#define NUC_LOW_DB    -10.0  /* dB of its energy under 1 kHz: a vowel */
#define VOICE_LOW_MARGIN 6.0 /* ... or this far under the lines' own share
                                (a futz'd voice: see vowel_shape) */
#define VOICE_LOW_HOPS 500   /* line hops that share is the mean of (5 s) */
#define LINE_GATE_DB  17.0   /* dB under the stem's level: no hop under
                                it is speech (see set_gate) */
#define ONSET_RISE_DB 8.0    /* dB its 40 ms means rise within ONSET_HOPS
                                at its start: a syllable's onset ... */
#define RHYTHM_RISE_DB 6.0   /* ... a rhythm's nucleus (two in rhythm) */
#define RHYTHM_SHARP_DB 10.0 /* ... one of the two (rhythm_sharp) */
#define ONSET_HOPS    5
#define ONSET_LOOK    10     /* hops before the nucleus its onset may be */
#define NUC_MIN_HOPS  8      /* candidate hops a nucleus needs (80 ms) */
#define NUC_LINE_HOPS 5      /* in a line, a syllable this long goes on it */
#define SYL_MIN_HOPS  12     /* nuclei this close are one syllable (8 Hz) */
#define SYL_MAX_HOPS  50     /* and this far apart unrelated (2 Hz) */
#define RHYTHM_MAX_HOPS 120  /* ... but words said one at a time, a
                                nucleus each, come this far apart (0.8
                                Hz): a rhythm (track_nuclei's max_gap) */
#define SMOOTH_HOPS   4      /* the floor reads 40 ms means (2 mains periods) */
#define HUM_DB        3.0    /* dB the mains comb takes off the floor: a hum */
#define HUM_HOPS      150    /* ... once it has for this long (1.5 s) */
#define HUM_HOP_DB    6.0    /* dB a comb takes off one hop: hum */
#define QUIET_DB      3.0    /* dB over the floor: floor only ... */
#define QUIET_HOPS    8      /* ... for as long as the comb's ring reaches */
#define FIND_HOPS     25     /* a period looked for in it this often */
#define SIB_HZ        4000.0 /* sibilant band: from here to the band rate's Nyquist */
#define SIB_SNR       6.0    /* dB over its floor: a sibilant in the walk-back */
#define LINE_RANGE    25.0   /* dB under the line's peak: not the line */
#define PEAK_FALL     0.05   /* dB per hop the line's peak falls (5 dB/s) */
#define ENERGY_MIN_DB -120.0
#define HOLD_HOPS     64     /* a glide's confirmation decides within this
                                many hops of where its sound stood out of
                                the floor (ON_SNR) */
#define HOLD_MIN      10     /* with fewer hops left than this it commits */
#define BREAK_DB      12.0   /* dB under the sound's peak: an unvoiced hop
                                this deep is a consonant or a pause */
#define LEAD_HOPS     3      /* such hops in a row over the floor, before
                                the confirmation: a consonant */
#define PITCH_HOPS    10     /* voiced hops at least whose periods ... */
#define PITCH_RANGE   0.15   /* ... span this share of their median */
#define PITCH_TURN    0.04   /* and turn back by this share: intonation */
#define VOICE_RANGE   1.4    /* a clean syllable this near the line's
                                voice's period (a ratio) is its speaker's */
#define VOICE_TRACK   0.25   /* weight of each clean reading in that period */
#define PITCH_JUMP    0.1    /* a step from one voiced hop's period to the
                                next over this share: another partial */
#define TRACK_SHARE   0.75   /* steps under it: one source's pitch track */

typedef struct Voicing {
    int voiced;
    double lag;                /* pitch period, decimated samples */
    double corr;               /* normalized correlation at that period */
    int tone;                  /* a tone above the pitch range: periodic,
                                  but no voicing (tone_above_range) */
} Voicing;

/* A held resume (hold_resume): under way, or ended and waiting. */
enum {
    RESUME_HELD = 1,
    RESUME_ENDED,
};

/* What confirmed a line (confirm_hop), which says where it starts and
 * whether it is spoken (start_region). */
enum {
    LINE_GLIDE = 1,            /* a gliding pitch (held: hold_region) */
    LINE_RHYTHM,               /* syllables in rhythm (rhythm_counts) */
    LINE_SYLLABLES,            /* ... after a line, as in it */
    LINE_RESUMED,              /* a syllable soon after a line: the line */
};

/* The per-sample state, copied into a local for each call of
 * dd_detector_process so that the filters run in registers. */
typedef struct Band {
    DDBiquad hp, lp;           /* speech band */
    DDBiquad sib;              /* sibilant band (high-pass) */
    double sib_acc;            /* its energy accumulated in this hop */
    int band_pos;              /* input samples in this block average */
    double band_acc;
    double acc;                /* band energy accumulated in this hop */
    int acc_n;                 /* band samples in this hop */
    DDBiquad v1, v2;           /* voicing low-pass, about 8 kHz */
    int decim_pos;
    double decim_acc;
    unsigned vpos;             /* decimated voicing samples written */
} Band;

/* Syllable nuclei found in an energy (track_nuclei): humps NUC_RISE over
 * the last valley. n->new: a nucleus in rhythm with the one before. */
typedef struct Nuclei {
    int up, len;               /* in one, its length (hops that count) */
    int64_t start, prev_start, onset; /* where they rose */
    double peak, valley;
    int64_t last;              /* hop the last nucleus was counted */
    int done;                  /* 1: a nucleus completed this hop */
    int new;                   /* 1: ... in rhythm with the one before */
    int sharp, prev_sharp;     /* it, the one before: rose RHYTHM_SHARP_DB */
} Nuclei;

/* Minimum statistics: the lowest hop energy of the last MS_NSUB
 * sub-windows and the current one, plus the bias of a minimum. */
typedef struct MinStat {
    double floor_db;
    double min[MS_NSUB];       /* minima of the last sub-windows */
    double cur;                /* minimum of the current sub-window */
    int pos, n;
} MinStat;

/* An energy of the speech band that a floor is learned on: as it is, or
 * with the mains combed out (dialogueduck_mains.c). */
typedef struct Track {
    double lin[SMOOTH_HOPS];   /* the last hop energies, linear */
    double mean_db;            /* their mean: the floor's 40 ms means, dB */
    MinStat floor;
} Track;

struct DDDetector {
    int hop, pos;              /* samples per hop, position in the hop */
    int64_t hops;              /* completed hops */
    double threshold;          /* dBFS: the gate's highest */
    double gate;               /* dBFS: no hop under it is speech */
    double loudest;            /* dB: the loudest hop before a line */
    int max_walkback;

    int band_decim;            /* block averages down to about 16 kHz */
    int decim;                 /* and on to the voicing rate */
    Band b;
    int win, lag_min, lag_max; /* voicing window and lags, decimated */
    int lag_tone;              /* shortest tone period checked */
    double vbuf[2 * VBUF];     /* each sample twice, VBUF apart: any
                                  window of up to VBUF is contiguous;
                                  float values, held as doubles so that
                                  the correlations read them as they are */

    int sibilant;              /* the band rate reaches over SIB_HZ */
    Track raw;                 /* the speech band */
    Track hum[DD_MAINS_N];     /* ... with the 50 and the 60 Hz mains
                                  combed out, and a period found in the
                                  floor (a whine) */
    DDMainsComb comb;
    double floor_db;           /* the floor of the track read this hop */
    int quiet_run;             /* hops of floor only, on end */
    int voice_found;           /* voicing read through the found comb */
    int hum_run;               /* hops a comb's floor has been HUM_DB
                                  under the band's, on end */
    MinStat sib_floor;         /* the sibilant band's floor */
    MinStat low_floor;         /* the voicing signal's floor */
    double low_db;             /* its energy over the last SMOOTH_HOPS */
    double mean_db;            /* the mean_db of the track read */
    double energy[EBUF];       /* band energy per hop, dB */
    double sib[EBUF];          /* sibilant band energy per hop, dB */
    double low[EBUF];          /* energy of the voicing signal (under
                                  1 kHz) per hop, linear */
    unsigned low_pos;          /* voicing samples read into low[] */
    unsigned voiced_bits;      /* voiced candidate flags, newest in bit 0 */
    unsigned clean_bits;       /* voiced hops with a clean period
                                  (clean_period), newest in bit 0 */
    int glide_clean;           /* the glide had clean hops in its span */
    int glide_note;            /* it began in a note (note_sounding) */
    int voiced_run;            /* voiced hops in a row (out of speech) */
    int glide_voiced_run;      /* the longest such run in the glide */
    int glide_run;             /* hops with a gliding pitch ... */
    int64_t glide_first, glide_last; /* ... the first and the last
                                  (gaps up to CONFIRM_SPAN keep the count) */
    int glide_hold;            /* glide hops that confirm */
    int melodic;               /* this sound held a note (held_note) */
    int steady;                /* voiced hops in a row, pitch not gliding */
    double lags[CONFIRM_SPAN]; /* their pitch periods */

    Nuclei nuc;                /* syllable nuclei in the hop energies */
    Nuclei rhythm;             /* ... in their 40 ms means, out of speech:
                                  a rhythm of syllables (see
                                  rhythm_counts) */

    int in_speech;
    int line_voiced;           /* the line (or the last one) glided
                                  cleanly: a spoken line */
    int word_alone;            /* its last evidence: an unvoiced word of
                                  its own (line_syllable) */
    int resumed_span;          /* hops the syllable that brought it back
                                  after its end (or, in a spoken line,
                                  after a pause) vouches for alone (not
                                  such a word when it resumed it; 0: no
                                  such syllable, or one since) */
    int pause_run;             /* hops in a row the line's sound has been
                                  under its margin (speech_goes_on) */
    int paused;                /* CLOSURE_HOPS of them since its last
                                  syllable: a pause between words */
    int unvoiced_run;          /* a spoken line's last nuclei, each in
                                  the rhythm of the one before, that read
                                  unvoiced (line_syllable) */
    double line_peak;          /* the line's level, dB (see LINE_RANGE) */
    double line_loudest;       /* its loudest hop, dB */
    double line_floor;         /* the floor where it was confirmed, dB */
    double line_lag;           /* its voice's period (geometric mean of
                                  its clean readings, VOICE_TRACK each),
                                  decimated samples; 0: none read yet */
    double syl_lag;            /* the period of the last clean syllable */
    int64_t last_above;        /* last hop with evidence in speech */
    int64_t last_evidence;     /* last voiced hop or nucleus in speech */
    int64_t prev_end;          /* end hop of the previous region */
    double voice_low;          /* the lines' share of energy under 1 kHz
                                  (linear; see learn_lines) */
    double line_energy;        /* their mean hop energy, linear */
    int voice_hops;            /* the hops both are the mean of, up to
                                  VOICE_LOW_HOPS */

    /* a provisional line (see line_shows) */
    int latency;               /* hops a glide's confirmation may wait
                                  after its onset at most: the planner's
                                  time (dd_detector_set_hold) */
    int pending;               /* 1: the region's start is held back */
    int resume_held;           /* RESUME_HELD: ... a line an unvoiced
                                  word brought back after its end
                                  (hold_resume); RESUME_ENDED: it ended
                                  before it showed more, and waits */
    int resume_shown;          /* it has gone on since as a line does */
    int64_t resume_onset;      /* its onset */
    int64_t resume_prev_end;   /* prev_end before it */
    int resume_next;           /* since: 1, its sound fell to the floor;
                                  2, then a hop read cleanly voiced in
                                  the line's voice */
    int64_t pend_onset;        /* its walked-back onset */
    int64_t pend_deadline;     /* the hop it is dropped at */
    int64_t pend_prev_end;     /* prev_end before it */
    int64_t dropped;           /* hop where the last held line was dropped:
                                  no onset walks back past it */
    int dropped_rough;         /* that line was confirmed on a rough glide
                                  (a whisper's formant) */
    double dropped_voice;      /* its period, when it was voiced and its
                                  sound had ended (a word said alone at
                                  one pitch), or 0 */
    int64_t dropped_onset;     /* its onset */
    int pend_after_drop;       /* the held line's sound goes on from a
                                  dropped one (its onset is the drop) */
    double pend_peak;          /* the sound's peak since the onset, dB */
    double pend_break;         /* after a drop: the level of its break
                                  (ENERGY_MIN_DB * 2: none yet), dB */
    double pend_lags[EBUF];    /* the periods of its voiced hops, sorted */
    int pend_nlags;
    unsigned char voiced_at[EBUF]; /* per hop: voiced (read) */
    float lag_at[EBUF];        /* per hop: the period found, or 0 */
};

static void minstat_init(MinStat *m, double floor_db)
{
    m->floor_db = m->cur = floor_db;
    for (int i = 0; i < MS_NSUB; i++)
        m->min[i] = floor_db;
}

/* The gate: the threshold, or LINE_GATE_DB under the stem's level where
 * that is lower: the mean energy of its lines' hops once a line was
 * heard, the loudest hop heard until then. The threshold alone is a
 * level: a stem delivered 20 dB under ours lost the quiet syllables of
 * its lines under it (make eval's tune half scaled by 0.1: 272 of 339
 * onsets, 81 pumps), one 30 dB under every line. Our scenes' lines sit
 * 18-28 dB over the threshold (their hops' mean energy -22 to -32
 * dBFS): the gate follows a quieter stem down, and a stem at our level
 * reads as it did; a gate 18-20 dB under the lines let the unit cases'
 * claps after a line hold 1 or 2 of 10 lines open (tests/eval/README.md,
 * "A quiet stem: the gate follows its lines"). */
static void set_gate(DDDetector *d)
{
    double level = d->voice_hops ? 10.0 * log10(d->line_energy) : d->loudest;

    d->gate = fmin(d->threshold, level - LINE_GATE_DB);
}

int dd_detector_create(DDDetector **out, int sample_rate, double threshold,
                       int max_walkback_hops, const DDAllocator *al)
{
    DDDetector *d = dd_alloc(al, sizeof(*d));
    int brate, vrate, ret;

    *out = NULL;
    if (!d)
        return DD_ERROR_NOMEM;
    d->hop = dd_hop_size(sample_rate);
    d->threshold = threshold;
    d->loudest = ENERGY_MIN_DB;
    set_gate(d);
    d->voice_low = 1.0; /* until a line is heard: NUC_LOW_DB alone */
    d->max_walkback = max_walkback_hops < EBUF - 1 ? max_walkback_hops
                                                   : EBUF - 1;
    /* The band is measured at about 16 kHz: block averages (a null at the
     * low rate, where aliases would land) then 150 Hz - 4 kHz. Voicing is
     * read at about 8 kHz: block averages of the band, then a 4th-order
     * Butterworth at 1 kHz. Cheap where it runs at the input rate. */
    d->band_decim = sample_rate / 16000 > 1 ? sample_rate / 16000 : 1;
    brate = sample_rate / d->band_decim;
    dd_biquad_highpass(&d->b.hp, 150.0, 0.7071, brate);
    dd_biquad_lowpass(&d->b.lp, 4000.0, 0.7071, brate);
    /* a sibilant band needs room over SIB_HZ: rates of 24 kHz and up */
    d->sibilant = brate >= 3 * SIB_HZ;
    if (d->sibilant)
        dd_biquad_highpass(&d->b.sib, SIB_HZ, 0.7071, brate);
    d->decim = brate / 8000 > 1 ? brate / 8000 : 1;
    vrate = brate / d->decim;
    dd_biquad_lowpass(&d->b.v1, DD_VOICING_HZ, 0.5412, vrate);
    dd_biquad_lowpass(&d->b.v2, DD_VOICING_HZ, 1.3066, vrate);
    d->win = vrate * 3 / 100;
    d->lag_min = vrate / DD_PITCH_MAX_HZ;
    d->lag_max = vrate / DD_PITCH_MIN_HZ;
    d->lag_tone = vrate / TONE_MAX_HZ;
    if (d->lag_min < 1)
        d->lag_min = 1;
    if (d->win + d->lag_max > VBUF)
        d->lag_max = VBUF - d->win;
    if ((ret = dd_mains_init(&d->comb, brate, al)) < 0) {
        dd_mains_uninit(&d->comb, al);
        dd_free(al, d);
        return ret;
    }
    /* The floors start at full scale, so that their first 1.5 s read the
     * floor of what has been heard, whatever the stem's level. From the
     * threshold, a room tone over it read as candidates for MS_NSUB
     * sub-windows (a stem 20 dB over ours: its first line walked back
     * 0.3 s into the room tone, test_gate_follows_lines); from -120 dB
     * every hop of room tone would pass for a sibilant, and the
     * walk-back run to the start of the file. */
    minstat_init(&d->raw.floor, 0.0);
    for (int k = 0; k < DD_MAINS_N; k++)
        minstat_init(&d->hum[k].floor, 0.0);
    minstat_init(&d->sib_floor, 0.0);
    minstat_init(&d->low_floor, 0.0);
    d->prev_end = -1;
    d->nuc.last = d->rhythm.last = INT64_MIN / 2;
    for (int i = 0; i < EBUF; i++)
        d->energy[i] = d->sib[i] = ENERGY_MIN_DB;
    *out = d;
    return DD_OK;
}

void dd_detector_free(DDDetector **d, const DDAllocator *al)
{
    if (*d)
        dd_mains_uninit(&(*d)->comb, al);
    dd_free(al, *d);
    *d = NULL;
}

void dd_detector_set_threshold(DDDetector *d, double threshold)
{
    d->threshold = threshold;
    set_gate(d);
}

int64_t dd_detector_hops(const DDDetector *d)
{
    return d->hops;
}

int dd_detector_in_speech(const DDDetector *d)
{
    return d->in_speech && !d->pending && d->resume_held != RESUME_HELD;
}

void dd_detector_set_hold(DDDetector *d, int hops)
{
    d->latency = hops < 0 ? 0 : hops;
}

/* The decimated voicing samples from position start on, contiguous. */
static const double *vwin(const DDDetector *d, unsigned start)
{
    return d->vbuf + (start & (VBUF - 1));
}

/* Lags correlated in one pass over the window: that many independent sums
 * instead of one chain of dependent additions. */
#define CORR_LAGS 4

/* The correlation sums of a block of consecutive lags, as lag_corr()
 * reads them: first .. first + n - 1. */
typedef struct LagBlock {
    int first, n;
    double xy[CORR_LAGS];
} LagBlock;

/* Sums of the products of the window with its copies k .. k + n - 1
 * samples later (n up to CORR_LAGS); each sum adds its products in window
 * order, as one pass per lag would. */
static void lag_sums(const DDDetector *d, unsigned start, int k, int n,
                     double *xy)
{
    const double *a = vwin(d, start), *b = a + k;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;

    if (n < CORR_LAGS) {
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int i = 0; i < d->win; i++)
                s += a[i] * b[i + j];
            xy[j] = s;
        }
        return;
    }
    for (int i = 0; i < d->win; i++) {
        const double x = a[i];
        s0 += x * b[i];
        s1 += x * b[i + 1];
        s2 += x * b[i + 2];
        s3 += x * b[i + 3];
    }
    xy[0] = s0;
    xy[1] = s1;
    xy[2] = s2;
    xy[3] = s3;
}

/* A correlation sum normalized by the energies of the window (e0) and of
 * its copy (e1). */
static double normalized(double xy, double e0, double e1)
{
    return xy > 0.0 && e1 > 0.0 ? xy / sqrt(e0 * e1) : 0.0;
}

/* Normalized correlation of the window with its copy k samples later;
 * e1 is the energy of that copy. The lags from k to lag_max are summed
 * CORR_LAGS at a time into blk, for the calls with the next lags. */
static double lag_corr(const DDDetector *d, LagBlock *blk, unsigned start,
                       int k, double e0, double e1)
{
    if (k < blk->first || k >= blk->first + blk->n) {
        blk->first = k;
        blk->n = d->lag_max - k + 1 < CORR_LAGS ? d->lag_max - k + 1
                                                 : CORR_LAGS;
        lag_sums(d, start, k, blk->n, blk->xy);
    }
    return normalized(blk->xy[k - blk->first], e0, e1);
}

/* Normalized correlation at lag k, the energy of the copy not known yet. */
static double corr_at(const DDDetector *d, unsigned start, int k, double e0)
{
    const double *b = vwin(d, start) + k;
    double e1 = 0.0, xy;

    for (int n = 0; n < d->win; n++)
        e1 += b[n] * b[n];
    lag_sums(d, start, k, 1, &xy);
    return normalized(xy, e0, e1);
}

/* Whether a period found near the top of the pitch range (peak: its
 * correlation) is 2 to SUB_MAX periods of a tone above the range: a ring,
 * a bell or a beep at 0.5-2 kHz correlates as well at its own period,
 * under lag_min, where a voice's harmonics cancel. */
static int tone_above_range(const DDDetector *d, unsigned start, double lag,
                            double peak, double e0)
{
    for (int m = 2; m <= SUB_MAX && lag < 2 * d->lag_min; m++) {
        double l = lag / m;

        if (l < d->lag_tone)
            break;
        if (corr_at(d, start, (int)l, e0) >= peak ||
            corr_at(d, start, (int)l + 1, e0) >= peak)
            return 1;
    }
    return 0;
}

/* A reading that tone_above_range turned away, read again an octave
 * under it: at twice its period. A voice whose 2nd and 4th harmonics
 * carry most of its energy under 1 kHz (a child's voice at 150-250 Hz,
 * its first formant at 600-1000 Hz, four times its pitch) correlates
 * over VOICED_CORR first at half its period, and as well or better at a
 * quarter: it reads as a tone above the range. At its own period all its
 * harmonics add up, and the correlation there is clearly higher
 * (OCTAVE_GAIN). A tone above the range (a ring, a beep, a bell)
 * repeats at every multiple of its period alike: twice the reading gains
 * nothing, and it stays turned away. The period found is 2 * lag_min or
 * more, where no tone above the range is looked for. */
static Voicing octave_below(const DDDetector *d, unsigned start, Voicing v,
                            double e0)
{
    int k0 = (int)(2.0 * v.lag + 0.5), best = 0;
    double c[5], peak = 0.0;
    Voicing r = { 0, 0.0, 0.0, 0 };

    if (k0 - 2 < d->lag_min || k0 + 2 > d->lag_max)
        return r;
    for (int i = 0; i < 5; i++) {
        c[i] = corr_at(d, start, k0 - 2 + i, e0);
        if (c[i] > peak) {
            peak = c[i];
            best = i;
        }
    }
    if (best == 0 || best == 4 || peak < v.corr + OCTAVE_GAIN)
        return r;
    r.voiced = 1;
    r.lag = k0 - 2 + best + dd_parabola(c[best - 1], peak, c[best + 1]);
    r.corr = peak;
    return r;
}

/* Whether the newest win + lag_max decimated samples are periodic in the
 * pitch range, and the period: the first correlation peak over
 * VOICED_CORR (the scan stops there), refined to a fraction of a sample.
 * A tone above the range is not voicing. */
static Voicing voiced_hop(const DDDetector *d)
{
    unsigned start = d->b.vpos - d->win - d->lag_max;
    const double *w = vwin(d, start);
    double e0 = 0.0, e1 = 0.0, c1 = 0.0, c2 = 0.0;
    Voicing v = { 0, 0.0, 0.0, 0 };
    LagBlock blk = { 0 };

    for (int n = 0; n < d->win; n++) {
        double x = w[n];
        double y = w[n + d->lag_min];
        e0 += x * x;
        e1 += y * y;
    }
    if (e0 <= 0.0)
        return v;
    for (int k = d->lag_min; k <= d->lag_max; k++) {
        double c = lag_corr(d, &blk, start, k, e0, e1);
        double out = w[k];
        double in  = w[k + d->win];

        if (v.voiced && c < c1) {
            v.lag = k - 1 + dd_parabola(c2, c1, c);
            v.corr = c1;
            if (tone_above_range(d, start, v.lag, c1, e0)) {
                v = octave_below(d, start, v, e0);
                v.tone = !v.voiced;
            }
            return v;
        }
        if (c > VOICED_CORR && !v.voiced) {
            v.voiced = 1;
            v.lag = k;
        }
        c2 = c1;
        c1 = c;
        e1 += in * in - out * out; /* slide the lagged window by one */
    }
    if (v.voiced) {
        v.lag = d->lag_max;
        v.corr = c1;
    }
    return v;
}

static int popcount(unsigned v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static double hop_energy(const DDDetector *d, int64_t hop)
{
    return d->energy[hop & (EBUF - 1)];
}

/* Energy around a hop in a ring of hop energies (dB): the mean of
 * SMOOTH_HOPS hops from one before it (none after last). */
static double mean_around(const double *ring, int64_t hop, int64_t last)
{
    double sum = 0.0;
    int n = 0;

    for (int64_t h = hop - 1; h < hop - 1 + SMOOTH_HOPS && h <= last; h++) {
        sum += pow(10.0, ring[h & (EBUF - 1)] / 10.0);
        n++;
    }
    return 10.0 * log10(sum / n);
}

/* Whether a hop belongs to the onset of a line confirmed at hop last:
 * both it and the mean around it are over the floor (buzz that peaks
 * within single hops is not), in the speech band or the sibilant band. */
static int onset_hop(const DDDetector *d, int64_t hop, int64_t last,
                     double snr)
{
    const double *sib = d->sib;

    if (fmin(hop_energy(d, hop), mean_around(d->energy, hop, last)) >
        d->floor_db + snr)
        return 1;
    return d->sibilant &&
           fmin(sib[hop & (EBUF - 1)], mean_around(sib, hop, last)) >
           d->sib_floor.floor_db + SIB_SNR;
}

/* The earliest hop a look back may read: not before the end of the line
 * before, the hop where a held line was dropped, what the rings still
 * keep. */
static int64_t back_limit(const DDDetector *d)
{
    int64_t limit = d->prev_end;

    if (limit < d->dropped)
        limit = d->dropped;
    if (limit < d->hops - (EBUF - 1))
        limit = d->hops - (EBUF - 1);
    return limit < 0 ? 0 : limit;
}

/* The earliest hop a walk back from hop `from` reaches: not further than
 * the walk-back's cap, nor back_limit. */
static int64_t walk_limit(const DDDetector *d, int64_t from)
{
    int64_t limit = back_limit(d);

    return from - d->max_walkback > limit ? from - d->max_walkback : limit;
}

/* Walk back from the confirming hop to where the energy left the floor,
 * not before limit. A soft first consonant flickers around the floor: a
 * dip of up to WALK_GAP hops does not stop the walk. A hop to walk from
 * that lies before the limit (a rhythm's first nucleus that rose before
 * the line that has ended since: the rhythm is not tracked in a line) is
 * moved up to it. */
static int64_t walk_back_to(const DDDetector *d, int64_t confirm, double snr,
                            int64_t limit)
{
    int64_t h, onset = confirm;

    if (confirm < limit)
        return limit;
    for (h = confirm - 1; h >= limit && onset - h <= WALK_GAP + 1; h--)
        if (onset_hop(d, h, confirm, snr))
            onset = h;
    return onset;
}

/* ... as far as walk_limit: an onset's walk. */
static int64_t walk_back(const DDDetector *d, int64_t confirm, double snr)
{
    return walk_back_to(d, confirm, snr, walk_limit(d, confirm));
}

/* A floor's next hop energy e, dB. */
static void update_floor(MinStat *ms, double e)
{
    double m;

    if (e < ms->cur)
        ms->cur = e;
    m = ms->cur;
    for (int i = 0; i < MS_NSUB; i++)
        m = fmin(m, ms->min[i]);
    ms->floor_db = fmax(m + MS_BIAS, ENERGY_MIN_DB);
    if (++ms->n >= MS_SUB_HOPS) {
        ms->min[ms->pos] = ms->cur;
        ms->pos = (ms->pos + 1) % MS_NSUB;
        ms->cur = e;
        ms->n = 0;
    }
}

/* The share of a nucleus's energy (from its start to this hop) under
 * 1 kHz, dB. */
static double nucleus_low_db(const DDDetector *d, const Nuclei *n)
{
    double low = 0.0, all = 0.0;
    int64_t last = d->hops;
    int64_t h = n->start > last - (EBUF - 1) ? n->start : last - (EBUF - 1);

    for (; h <= last; h++) {
        low += d->low[h & (EBUF - 1)];
        all += pow(10.0, hop_energy(d, h) / 10.0);
    }
    return 10.0 * log10(low / all + 1e-12);
}

/* Whether the nucleus has a vowel's spectral shape: a share of its energy
 * under 1 kHz, where a vowel's first formant is, whispered or not.
 * Splashes, paper, claps and hiss are mostly above. A radio's or a
 * telephone's futz takes the band under 1 kHz away from every line of
 * the stem, spoken or whispered: its spoken lines, confirmed on their
 * voicing, say how much (voice_low), and a nucleus up to
 * VOICE_LOW_MARGIN under their share is still a vowel's (h49's radio
 * voices: the share of its first lines 9-14 dB under their energy, of
 * the syllables of its quiet line and of its whispered one 10-17 dB;
 * test_futz_lines). */
static int vowel_shape(const DDDetector *d, const Nuclei *n)
{
    return nucleus_low_db(d, n) >
           fmin(NUC_LOW_DB, 10.0 * log10(d->voice_low) - VOICE_LOW_MARGIN);
}

/* In a line, a hop ON_SNR over the floor into the lines' means: its share
 * under 1 kHz (voice_low) and its energy (line_energy, and the gate), of
 * the last VOICE_LOW_HOPS once that many were heard (an exponential mean
 * from there on). */
static void learn_lines(DDDetector *d, double e)
{
    double lin;

    if (e <= d->floor_db + ON_SNR)
        return;
    lin = pow(10.0, e / 10.0);
    if (d->voice_hops < VOICE_LOW_HOPS)
        d->voice_hops++;
    d->voice_low += (fmin(d->low[d->hops & (EBUF - 1)] / lin, 1.0) -
                     d->voice_low) / d->voice_hops;
    d->line_energy += (lin - d->line_energy) / d->voice_hops;
    set_gate(d);
}

/* How sharply a nucleus started: the largest rise of its 40 ms means
 * within ONSET_HOPS (50 ms), from ONSET_LOOK hops before it to now, dB.
 * A consonant's release, a vowel's start, a whispered syllable's rise 8
 * dB and more that fast (ONSET_RISE_DB); a gust of wind swells over a
 * quarter of a second and more, 1-3 dB in 50 ms, and its energy sits
 * under 1 kHz as a vowel's does: a whispered line's syllables by every
 * other measure (h37). A rhythm's nuclei, two of them 12 dB deep in
 * rhythm, need 6 dB (a breathy whispered onset, an "h"), one of the two
 * more (rhythm_sharp). */
static double onset_rise(const DDDetector *d, const Nuclei *n)
{
    int64_t last = d->hops, h = n->start - ONSET_LOOK;
    /* the first hop whose mean ONSET_HOPS before is still in the ring */
    int64_t kept = (last > EBUF - 1 ? last - (EBUF - 1) : 0) +
                   ONSET_HOPS + 1;
    double rise = -HUGE_VAL;

    if (h < kept)
        h = kept;
    for (; h <= last; h++)
        rise = fmax(rise, mean_around(d->energy, h, last) -
                          mean_around(d->energy, h - ONSET_HOPS, last));
    return rise;
}

/* Syllable nuclei in energy e (dB, one value a hop): humps NUC_RISE over
 * the last valley with at least min_hops hops that count. Sets n->new
 * when a nucleus completes SYL_MIN_HOPS..max_gap hops after the last. */
static void track_nuclei(DDDetector *d, Nuclei *n, double e, int counts,
                         int min_hops, int max_gap)
{
    n->new = n->done = 0;
    if (!n->up) {
        n->valley = fmin(n->valley, e);
        if (counts && e > n->valley + NUC_RISE) {
            n->up = 1;
            n->len = 0;
            n->peak = e;
            n->start = d->hops;
        }
    } else if (e < n->peak - NUC_FALL) {
        n->up = 0;
        n->valley = e;
    } else {
        double rise = -HUGE_VAL;

        n->peak = fmax(n->peak, e);
        if (counts && ++n->len == min_hops && vowel_shape(d, n))
            rise = onset_rise(d, n);
        if (rise >= (n == &d->rhythm ? RHYTHM_RISE_DB : ONSET_RISE_DB)) {
            int64_t gap = d->hops - n->last;
            n->done = 1;
            n->prev_sharp = n->sharp;
            n->sharp = rise >= RHYTHM_SHARP_DB;
            n->new = gap >= SYL_MIN_HOPS && gap <= max_gap;
            n->last = d->hops;
            n->onset = n->prev_start;
            n->prev_start = n->start;
        }
    }
}

/* Voiced candidates whose pitch glides: a fixed period is a ring or a
 * beep. The spread is that of the period with its jumps (steps over
 * GLIDE_STEP from one voiced hop to the next) taken out: a ring that
 * switches between two fixed tones, or a splash's bubbles, each ringing
 * at its own period, do not glide as a voice does. Nor does one reading
 * that noise moves by a few per cent: a glide is more than its largest
 * step. */
static int pitch_moves(const DDDetector *d)
{
    double path = 0.0, lo = 0.0, hi = 0.0, prev = 0.0, big = 0.0;

    for (int i = CONFIRM_SPAN - 1; i >= 0; i--) {
        if (!(d->voiced_bits >> i & 1))
            continue;
        if (prev > 0.0 && fabs(d->lags[i] - prev) <= GLIDE_STEP * prev) {
            path += d->lags[i] - prev;
            lo = fmin(lo, path);
            hi = fmax(hi, path);
            big = fmax(big, fabs(d->lags[i] - prev));
        }
        prev = d->lags[i];
    }
    return hi - lo - big >= TONAL_SPREAD;
}

/* Whether the newest voiced hops hold a note: a period that changes by
 * less than FLAT_STEP (FLAT_MIN at short periods) from hop to hop for
 * FLAT_RUN steps in a row. An instrument (a jingle, a chime, a melody)
 * holds each note flat and jumps or slides to the next; a voice glides
 * on. */
static int held_note(const DDDetector *d)
{
    for (int i = 0; i < FLAT_RUN; i++)
        if ((d->voiced_bits >> i & 3) != 3 ||
            fabs(d->lags[i] - d->lags[i + 1]) >
            fmax(FLAT_STEP * d->lags[i + 1], FLAT_MIN))
            return 0;
    return 1;
}

/* Whether the sound a glide starts in (as far back as a walk from it
 * goes without the walk-back's cap: walk_back_to) was voiced before it at
 * the glide's period: NOTE_HOPS readings and more within NOTE_RANGE of
 * it, hardly any elsewhere. An electric piano's note (h35's, read
 * voiced a few hops every quarter of a second, at one period within
 * 2 %) drifts by a fraction of a per cent and reads as a glide, 1.2 s
 * into the note; a voice's readings before its glide are its other
 * syllables', at periods of their own. */
static int note_sounding(const DDDetector *d)
{
    int64_t from = walk_back_to(d, d->hops, WALK_SNR, back_limit(d));
    double lag0 = d->lags[0];
    int same = 0, other = 0;

    for (int64_t h = from; h < d->hops; h++) {
        double lag = d->lag_at[h & (EBUF - 1)];

        if (lag > 0.0) {
            if (fabs(lag / lag0 - 1.0) <= NOTE_RANGE)
                same++;
            else
                other++;
        }
    }
    return same >= NOTE_HOPS && other * NOTE_OTHER <= same;
}

/* Whether a voiced reading at this hop is cleanly periodic: one source.
 * Noise under a periodic sound lowers the correlation it can reach at
 * its period: with noise of power N in a signal of power E, about
 * 1 - N / E (s / (1 + s) at a power ratio s). A reading is clean when it
 * reaches CLEAN_CORR of the ceiling that the SNR of the signal it was
 * read on (the voicing signal, under 1 kHz, over its own floor) allows:
 * a chime at speech level, far over the floor, is held to about 0.8, a
 * quiet voice over loud room tone to what its SNR leaves (0.72 at 10 dB,
 * 0.67 at 8 dB). Read under 1 kHz, the SNR is that of a child's voice,
 * whose formants put more of its energy above, as well as an adult's. */
static int clean_period(const DDDetector *d, Voicing v)
{
    double snr = d->low_db - d->low_floor.floor_db;

    return v.voiced &&
           v.corr >= CLEAN_CORR * (1.0 - pow(10.0, -snr / 10.0));
}

/* Reads voicing at this hop (when asked) into the last CONFIRM_SPAN
 * hops: whether enough of them are voiced with a gliding pitch. */
static int voicing_evidence(DDDetector *d, int read)
{
    Voicing v = { 0, 0.0, 0.0, 0 };

    if (read)
        v = voiced_hop(d);
    d->voiced_bits = (d->voiced_bits << 1 | v.voiced) &
                     ((1u << CONFIRM_SPAN) - 1);
    memmove(d->lags + 1, d->lags, (CONFIRM_SPAN - 1) * sizeof(*d->lags));
    d->lags[0] = v.lag;
    d->voiced_at[d->hops & (EBUF - 1)] = v.voiced;
    d->lag_at[d->hops & (EBUF - 1)] = v.voiced ? v.lag : 0.0;
    d->clean_bits = (d->clean_bits << 1 | clean_period(d, v)) &
                    ((1u << CONFIRM_SPAN) - 1);
    return popcount(d->voiced_bits) >= CONFIRM_HOPS && pitch_moves(d);
}

/* A clean reading in a line: its voice's period moves towards it. */
static void hear_voice(DDDetector *d, double lag)
{
    d->line_lag = d->line_lag > 0.0 ?
                  d->line_lag * pow(lag / d->line_lag, VOICE_TRACK) : lag;
}

/* Whether a period `lag` is within VOICE_RANGE of a voice's: the same
 * speaker. */
static int voice_period(double lag, double voice)
{
    return fabs(log(lag / voice)) < log(VOICE_RANGE);
}

/* Whether this hop read cleanly voiced in the line's voice, or in any
 * voice when the line's was not read (a held resume's word: its vowel,
 * or the line's next word). */
static int clean_in_voice(const DDDetector *d)
{
    return (d->clean_bits & 1) &&
           (d->line_lag == 0.0 || voice_period(d->lags[0], d->line_lag));
}

/* Whether the last clean syllable is at the period of the line's voice. */
static int same_voice(const DDDetector *d)
{
    return d->line_lag > 0.0 && voice_period(d->syl_lag, d->line_lag);
}

/* Whether the nucleus that just completed rose from the floor: its
 * walk-back stopped on hops at the floor, before its cap and before the
 * end of the line that ended last. A word said on its own, after a
 * pause, does; applause or walla that goes on under and after a line
 * never lets the floor show. */
static int rose_from_floor(const DDDetector *d)
{
    return walk_back(d, d->nuc.prev_start, WALK_SNR) >
           walk_limit(d, d->nuc.prev_start) + WALK_GAP + 1;
}

/* The period of the latest cleanly voiced hop of the nucleus under way,
 * among the last CONFIRM_SPAN hops (voicing_evidence's), or 0: a word's
 * voice read on one hop an octave off, or roughly, where its nucleus
 * completes ("skirt": clean on its vowel's second hop, read at half its
 * period and roughly on the next). */
static double syllable_clean_lag(const DDDetector *d)
{
    for (int i = 0; i < CONFIRM_SPAN && i <= d->hops - d->nuc.start; i++)
        if (d->clean_bits >> i & 1)
            return d->lags[i];
    return 0.0;
}

/* Whether a vowel-shaped nucleus that just completed is a syllable of
 * the line (or of the line that ended last): a line that glided is
 * spoken, and its syllables are cleanly voiced (a clap's resonance, 0.5-
 * 1 kHz, reads as rough voicing by chance), or words of their own after a
 * pause (a word whispered between spoken ones); only a whispered line's
 * go on unvoiced whatever is around them. Applause, claps and crowd
 * noise under and after a line make nuclei of their own by chance,
 * unvoiced and in a sound that does not pause. Voicing is read at the
 * nucleus, once per syllable, and only in a spoken line. Notes in
 * word_alone whether the nucleus is an unvoiced word of its own (it
 * vouches for the line as long as a whispered line's syllables): one
 * read voiced where it completes, roughly, or as a tone above the pitch
 * range is not (a chime or a message tone that rises from the floor
 * right after a line, or in its hangover). In the line, a clean one
 * goes on it only at its voice's period (same_voice) or in a glide, as
 * after it (confirm_hop): a tone struck in the line's hangover is as
 * clean, at a period of its own. After the line, where voicing is read
 * on every hop, a nucleus read roughly where it completes is clean when
 * one of its hops was (syllable_clean_lag). In the line, UNVOICED_NUCLEI
 * nuclei in rhythm read unvoiced one after the other make it a whispered
 * line: a spoken line's vowels are voiced. */
static int line_syllable(DDDetector *d)
{
    Voicing v;
    double lag;

    if (!d->nuc.done)
        return 0;
    if (!d->line_voiced)
        return 1;
    v = voiced_hop(d);
    lag = clean_period(d, v) ? v.lag :
          d->in_speech       ? 0.0 : syllable_clean_lag(d);
    if (lag > 0.0) {
        d->word_alone = d->unvoiced_run = 0;
        d->syl_lag = lag;
        if (d->in_speech) {
            if (!same_voice(d) && !d->glide_run)
                return 0;
            hear_voice(d, lag);
        }
        return 1;
    }
    if (d->in_speech && !v.voiced && !v.tone && d->nuc.new) {
        /* vowels in rhythm, unvoiced: a whispered line that read clean
         * by chance where it was confirmed (h40: a whispered formant's
         * two clean hops); its syllables go on it from here on */
        if (++d->unvoiced_run >= UNVOICED_NUCLEI) {
            d->line_voiced = 0;
            return 1;
        }
    } else if (d->in_speech) {
        d->unvoiced_run = 0;
    }
    return d->word_alone = !v.voiced && !v.tone && rose_from_floor(d);
}

/* Whether a vowel-shaped nucleus that just completed resumes the line
 * that ended last: the sound it belongs to left the floor less than
 * RESUME_HOPS after that line's end, a pause the planner's hold bridges.
 * A whispered line's syllables are often too short or too far apart for
 * a rhythm of their own; after a pause they go on the line's rhythm. */
static int resumes(const DDDetector *d)
{
    return d->nuc.done &&
           walk_back(d, d->nuc.prev_start, WALK_SNR) - d->prev_end <=
           RESUME_HOPS;
}

/* Whether a whispered syllable is near: a vowel-shaped nucleus (out of
 * speech, of unvoiced hops) completed less than SYL_MAX_HOPS ago, or one
 * under way has NUC_NEAR_HOPS of its hops and not more than
 * SYL_MAX_HOPS. A whisper's first formant rings at a period in the pitch
 * range and glides as the mouth moves: a rough glide there is the
 * whisper's. A hump that has held for more than SYL_MAX_HOPS (slower
 * than 2 Hz) is no syllable but a sustained sound: a siren, a crowd. */
static int whisper_near(const DDDetector *d)
{
    return d->hops - d->nuc.last <= SYL_MAX_HOPS ||
           (d->nuc.up && d->nuc.len >= NUC_NEAR_HOPS &&
            d->nuc.len <= SYL_MAX_HOPS);
}

/* Whether the nucleus that completed a rhythm rose RHYTHM_DEPTH over the
 * valley before it. Syllables are deeply modulated: between them the
 * mouth closes or the voice stops, and the energy falls 12 dB and more,
 * whispered or not. A roar, a crowd or a sweep that goes on ripples by
 * chance, 6-8 dB, as fast as syllables come. */
static int syllabic_depth(const Nuclei *n)
{
    return n->peak - n->valley >= RHYTHM_DEPTH;
}

/* Whether one of the two nuclei of the rhythm that just completed rose
 * RHYTHM_SHARP_DB in 50 ms (onset_rise): of two words in a row, whispered
 * or not, one starts with a consonant's release or a vowel's start,
 * 12 dB and more (the tune half's rhythms: 12-38 dB but one, 9 dB).
 * Two gusts of wind 12 dB deep come that close now and then, rising
 * 6-10 dB in 50 ms at their steepest (h37: a line of its own between
 * two lines, another one second before the next line's first word;
 * test_wind_alone). */
static int rhythm_sharp(const Nuclei *n)
{
    return n->sharp || n->prev_sharp;
}

/* Whether a hop counts for the rhythm's nuclei (out of speech): over the
 * floor, and unvoiced, or voiced at the period of the hop before (within
 * GLIDE_STEP) in a sound that never held a note. Words said one at a
 * time, a child's words whose voicing reads only now and then, are
 * voiced and unvoiced in turn and their syllables are nuclei of both; a
 * ring, a chime or a jingle, whose notes come in as deep a rhythm,
 * holds its notes (held_note) and is left to the voicing rules; claps
 * and noise that read as voiced by chance, at a period that jumps from
 * hop to hop, do not count. */
static int rhythm_counts(const DDDetector *d, int candidate)
{
    if (!candidate || !(d->voiced_bits & 1))
        return candidate;
    return !d->melodic && (d->voiced_bits & 3) == 3 &&
           fabs(d->lags[0] - d->lags[1]) <= GLIDE_STEP * d->lags[1];
}

/* Whether the glide is that of a sustained tone: the sound held a note
 * (melodic) and the glide runs in a stretch voiced on end for more than
 * SUSTAIN_HOPS (300 ms, counted from where the voicing began, before the
 * glide too). An organ, a pad, a sung or hummed note, a buzz holds its
 * pitch and bends it (a portamento into its next note, a swell, a slow
 * vibrato) without ever letting go of its voicing; its glides are the
 * tone's, not a line's. Speech lets go of it: every unvoiced consonant,
 * every pause between words, any breath stops the voice, whatever the
 * language, and a voice that holds its pitch as long as a note does
 * (a drawn-out vowel, a called name) glides from its start, confirming
 * within GLIDE_HOLD hops, before it holds; a whisper has no voicing to
 * hold. A glide that starts after the voicing broke counts from there:
 * the next word of a line said over a held tone is still found. When
 * the tone ends, its glides end with it: their count outlives its last
 * voiced hop by CONFIRM_SPAN hops, and the hop its voicing drains out of
 * that span clears the melody, and with it this test (a xylophone's
 * run, voiced 300 ms on end, confirmed on the floor after its last
 * note). A glide that itself goes on for SUSTAIN_HOPS is a voice's all
 * the same: a tone's bend into its next note is over within 150 ms
 * (test_held_tone), a long vowel whose level start was read as a note
 * glides on (h48's Swedish "hair": its first 0.16 s read at a formant's
 * period, flat, then its pitch rose 40 % over 0.4 s;
 * test_flat_start_word). */
static int sustained(const DDDetector *d)
{
    return d->melodic && d->glide_voiced_run > SUSTAIN_HOPS;
}

/* Out of speech: does this hop confirm a line, and on what (LINE_GLIDE
 * ... LINE_RESUMED, 0: no)? A sound has held a note
 * when its period stayed flat (held_note) or it stayed voiced without a
 * glide for STEADY_HOPS. A glide confirms once it has gone on for
 * GLIDE_HOLD hops in a sound that never held a note: the
 * attack of an instrument's note slides (a synthesizer's portamento, a
 * struck string or a window still filling) and settles on the note
 * within a few hops, a voice glides on. A rough glide is a whisper's
 * (whisper_near) only when no run of voiced hops in it lasted
 * WHISPER_RUN hops: a whisper has no voice, its formant is noise
 * ringing a resonance and reads as a period a few hops in a row, now
 * and then; a sound read voiced for 160 ms on end is voiced (a voice,
 * whose glide is then asked to be clean, or a motor or a gun's barrels
 * spinning up, their pitch sweeping through the range, rough all along,
 * before the noise of their shots makes the hump's unvoiced hops). */
static int confirm_hop(DDDetector *d, double e, int candidate)
{
    int glides = voicing_evidence(d, candidate), held = held_note(d);
    int after = d->prev_end >= 0 &&
                d->hops - d->prev_end <= RESUME_HOPS + SYL_MAX_HOPS;
    int syllable = 0;

    d->steady = (d->voiced_bits & 1) && !glides ? d->steady + 1 : 0;
    d->voiced_run = d->voiced_bits & 1 ? d->voiced_run + 1 : 0;
    if (!d->voiced_bits && sustained(d))
        d->glide_run = 0; /* the tone has ended, and its glides with it */
    d->melodic = d->voiced_bits &&
                 (d->melodic || held || d->steady >= STEADY_HOPS);
    if (glides && !held) {
        if (!d->glide_run++) {
            d->glide_note = note_sounding(d);
            d->glide_first = d->hops;
            d->glide_clean = d->glide_voiced_run = 0;
            d->glide_hold = d->hops - walk_back(d, d->hops, OFF_SNR) <=
                            ATTACK_HOPS ? GLIDE_HOLD : 1;
        }
        d->glide_last = d->hops;
        d->glide_clean |= d->clean_bits != 0;
        if (d->voiced_run > d->glide_voiced_run)
            d->glide_voiced_run = d->voiced_run;
    } else if (held || d->hops - d->glide_last > CONFIRM_SPAN) {
        d->glide_run = 0;
    }
    if (after) {
        /* the syllables of the line that ended, as in it; a spoken
         * line's cleanly voiced syllable resumes it only where the pitch
         * glides or it is the line's voice's: a chime, a message tone, a
         * jingle right after a line is as clean, holds its notes and
         * rings at a period of its own */
        track_nuclei(d, &d->nuc, e, candidate, NUC_LINE_HOPS, SYL_MAX_HOPS);
        syllable = line_syllable(d) &&
                   (!d->line_voiced || d->word_alone || d->glide_run ||
                    same_voice(d));
    } else {
        track_nuclei(d, &d->nuc, e, candidate && !(d->voiced_bits & 1),
                     NUC_MIN_HOPS, SYL_MAX_HOPS);
        track_nuclei(d, &d->rhythm, d->mean_db, rhythm_counts(d, candidate),
                     NUC_MIN_HOPS, RHYTHM_MAX_HOPS);
    }
    if (d->glide_run && (!sustained(d) || d->glide_run >= SUSTAIN_HOPS) &&
        (d->glide_clean ||
         (whisper_near(d) && d->glide_voiced_run < WHISPER_RUN)) &&
        d->glide_run >= (d->melodic ? MELODY_HOLD : d->glide_hold))
        return LINE_GLIDE;
    if (!after)
        return d->rhythm.new && syllabic_depth(&d->rhythm) &&
               rhythm_sharp(&d->rhythm) ? LINE_RHYTHM : 0;
    if (d->nuc.new && syllable)
        return LINE_SYLLABLES;
    return syllable && resumes(d) ? LINE_RESUMED : 0;
}

/* A mean square in dB, never under ENERGY_MIN_DB. */
static double energy_db(double mean_square)
{
    return fmax(10.0 * log10(mean_square + 1e-12), ENERGY_MIN_DB);
}

/* This hop's level through the comb (50 or 60 Hz, a whine's) that takes
 * the most off it, dB. */
static double combed_level(const DDDetector *d)
{
    double c = energy_db(d->hum[0].lin[d->hops % SMOOTH_HOPS]);

    for (int k = 1; k < DD_MAINS_N; k++)
        c = fmin(c, energy_db(d->hum[k].lin[d->hops % SMOOTH_HOPS]));
    return c;
}

/* In speech: is there still evidence at this hop? The same as for a
 * start: a vowel-shaped nucleus (voiced, in a spoken line), or voiced
 * hops with a gliding pitch. */
static int speech_goes_on(DDDetector *d, double e)
{
    int64_t h = d->hops;
    int span = d->resumed_span ? d->resumed_span :
               d->line_voiced && !d->word_alone ? VOICED_EVIDENCE_HOPS
                                                : EVIDENCE_HOPS;
    /* voicing costs: read it once the evidence is half spent; in a spoken
     * line, whose syllables come several times a second, over the last
     * 2 * CONFIRM_SPAN hops of its evidence only, time for a glide; not
     * after one syllable that resumed the line or came after a pause in
     * it: only another syllable goes on from it */
    int read_from = d->resumed_span               ? span :
                    span == VOICED_EVIDENCE_HOPS ? span - 2 * CONFIRM_SPAN :
                                                   span / 2;
    double level = e;
    int above, glides;

    d->line_peak = fmax(d->line_peak - PEAK_FALL, e);
    d->line_loudest = fmax(d->line_loudest, e);
    /* a line an unvoiced word of its own resumed goes on only while its
     * sound is not hum: a buzz that starts in that word (read through
     * no comb until it has gone on for HUM_HOPS) held the line on for as
     * long as such a word vouches (h48: 0.84 s after its last word); a
     * whisper comes through a comb as it went in */
    if (d->word_alone) {
        double combed = combed_level(d);

        if (combed <= e - HUM_HOP_DB)
            level = combed;
    }
    above = level > d->floor_db + OFF_SNR && e > d->line_peak - LINE_RANGE;
    d->pause_run = above ? 0 : d->pause_run + 1;
    if (d->pause_run >= CLOSURE_HOPS) /* longer than a stop's closure */
        d->paused = 1;

    track_nuclei(d, &d->nuc, e, above, NUC_LINE_HOPS, SYL_MAX_HOPS);
    if (line_syllable(d)) {
        d->last_evidence = h;
        /* a spoken line's syllable after a pause vouches, as one that
         * resumed the line does, for its vowel until another comes: a
         * tone struck in the line's hangover at its voice's period
         * (h33's message tone, 0.2 s after the line's last syllable)
         * rings on with none */
        d->resumed_span = d->paused && d->line_voiced && !d->word_alone ?
                          SPOKEN_RESUME_HOPS : 0;
        d->paused = 0;
        d->resume_shown = 1;
    }
    /* a held resume's voicing is read on every hop: the word's vowel, in
     * the line's voice, shows it is the speaker's; the sound is not
     * heard as the voice until then (a game sound's clean hops would
     * move the voice's period to its own) */
    glides = voicing_evidence(d, above && (h - d->last_evidence > read_from ||
                                           d->resume_held));
    if (d->resume_held && clean_in_voice(d))
        d->resume_shown = 1;
    if ((d->clean_bits & 1) && !d->resume_held)
        hear_voice(d, d->lags[0]);
    if (glides) {
        d->last_evidence = h;
        d->line_voiced = 1;
        d->word_alone = 0;
    }
    return above && h - d->last_evidence <= span;
}

/* A whisper dropped for want of a break (its words ran on with no 12 dB
 * dip within the hold) was a line after all when the rhythm of its words
 * shows it: the line starts at its first word, from, and onsets may walk
 * back into it again. */
static int64_t vindicate(DDDetector *d, int64_t from)
{
    if (d->dropped_rough && from < d->dropped)
        d->dropped = 0;
    return from;
}

/* The first hop of the latest run of FIRST_RUN voiced hops or more
 * before `onset`, from `limit` on, that ends at most `gap` hops before
 * it, and whose periods lie within VOICE_RANGE of `lag` when one is
 * given (runs too short or at another period are passed over); -1 when
 * there is none. */
static int64_t voiced_run_before(const DDDetector *d, int64_t onset,
                                 int64_t limit, int gap, double lag)
{
    int64_t h = onset - 1, end;

    while (h >= limit) {
        int other = 0;

        while (h >= limit && !d->voiced_at[h & (EBUF - 1)])
            h--;
        if (h < limit || h < onset - 1 - gap)
            return -1;
        for (end = h; h >= limit && d->voiced_at[h & (EBUF - 1)]; h--)
            other |= lag > 0.0 &&
                     !voice_period(d->lag_at[h & (EBUF - 1)], lag);
        if (end - h >= FIRST_RUN && !other)
            return h + 1;
    }
    return -1;
}

/* Where a line whose onset was found at `onset` starts: before it, at a
 * run of FIRST_RUN voiced hops or more that ends at most CLOSURE_HOPS
 * before it, and as far back as the walk from that run's start goes. A
 * first syllable stands apart from the next by a stop's closure, at the
 * floor ("hat-tu"), and a line whose glide began well into it (a quiet
 * or breathy start) is voiced beyond the walk-back's 400 ms cap. (On
 * the standard set and the tune half this moved six onsets, each one
 * stopped at the cap: five closer to the first word, one 0.29 s before
 * it, into walla.) */
static int64_t first_syllable(const DDDetector *d, int64_t onset)
{
    int64_t run = voiced_run_before(d, onset, walk_limit(d, onset),
                                    CLOSURE_HOPS, 0.0);

    return run >= 0 ? walk_back(d, run, WALK_SNR) : onset;
}

/* ... and a spoken line, at the words before it that no region took,
 * each in the voice of the next (within VOICE_RANGE of the period read
 * first after it) and at most WORD_GAP hops before it: short words too
 * flat to glide, said apart from the rest ("hattu", a pause, the line),
 * or a child's words 0.5 s apart, its pitch falling from one to the
 * next. A line confirmed on a glide is then held from its first word
 * (hold_region): a voice that broke off between words has shown what
 * the hold waits for. (Held from the glide's own sound instead, the
 * line's evidence, read from the first word on, never showed in the
 * unit case test_words_before_line: 10 of 10 lines dropped.) */
static int64_t first_word(const DDDetector *d, int64_t onset)
{
    double lag = 0.0;
    int64_t run;

    for (int64_t h = onset; h <= d->hops && lag <= 0.0; h++)
        lag = d->lag_at[h & (EBUF - 1)];
    while ((run = voiced_run_before(d, onset, back_limit(d), WORD_GAP,
                                    lag > 0.0 ? lag : d->line_lag)) >= 0) {
        onset = walk_back(d, run, WALK_SNR);
        lag = d->lag_at[run & (EBUF - 1)];
    }
    return onset;
}

/* A line confirmed by voicing walks back from where its glide began (no
 * further back than a nucleus may be), one confirmed by its rhythm from
 * the rise of its first nucleus. A walk from a glide that ends at its cap
 * still in sound goes on from a vowel-shaped nucleus completed less than
 * SYL_MAX_HOPS before: the line's first syllable, whispered or too short
 * for a rhythm, before voicing was found (the rings keep EBUF hops). */
static void start_region(DDDetector *d, DDDetectEvent *ev, int cause)
{
    int64_t glide = d->glide_first > d->hops - SYL_MAX_HOPS ?
                    d->glide_first : d->hops - SYL_MAX_HOPS;
    int64_t from = cause == LINE_RHYTHM    ? vindicate(d, d->rhythm.onset) :
                   cause == LINE_SYLLABLES ? d->nuc.onset :
                   cause == LINE_RESUMED   ? d->nuc.prev_start : glide;

    d->in_speech = 1;
    d->pause_run = d->paused = d->unvoiced_run = 0;
    /* one syllable that brings a line back after its end (the next in
     * the rhythm of its last, or one that resumes it) vouches for it
     * only until another comes: a sound struck right after a line is
     * such a syllable too (a game sound 0.15 s after a line's last).
     * After a spoken line (line_voiced, still the last line's here) it
     * vouches for its vowel: the line's next syllable shows itself, a
     * piano note at the voice's period, a game sound or a train rings on
     * with none (0.15 s of overhang each in h35, h41, h43); a whispered
     * line's syllables come slower and weaker (test_slow_whisper: a
     * vowel every 0.75 s) */
    if (cause == LINE_SYLLABLES || (cause == LINE_RESUMED && !d->word_alone))
        d->resumed_span = d->line_voiced ? SPOKEN_RESUME_HOPS
                                         : RESUMED_EVIDENCE_HOPS;
    else
        d->resumed_span = 0;
    /* a clean glide is voiced, a rough one a whisper's formant (see
     * whisper_near); a rhythm with a clean voiced hop in its last
     * CONFIRM_SPAN is spoken; a resumed line goes on as it was */
    if (cause == LINE_GLIDE)
        d->line_voiced = d->glide_clean;
    else if (cause == LINE_RHYTHM)
        d->line_voiced = d->clean_bits != 0;
    else if (cause == LINE_SYLLABLES)
        d->line_voiced = 0;
    if (cause != LINE_RESUMED)
        d->word_alone = 0;
    d->line_peak = hop_energy(d, d->hops);
    if (cause != LINE_RESUMED) { /* the voice read at its confirmation */
        d->line_lag = d->lags[0];
        d->line_loudest = d->line_peak;
        d->line_floor = d->floor_db;
    }
    d->last_above = d->last_evidence = d->hops;
    d->voiced_bits = d->clean_bits = 0;
    d->glide_run = d->melodic = d->steady = d->voiced_run = 0;
    ev->onset = 1;
    ev->onset_hop = walk_back(d, from, WALK_SNR);
    if (cause == LINE_GLIDE && ev->onset_hop == from - d->max_walkback &&
        d->nuc.last >= ev->onset_hop - SYL_MAX_HOPS &&
        d->nuc.prev_start < ev->onset_hop &&
        d->nuc.prev_start - d->max_walkback > d->hops - EBUF)
        ev->onset_hop = walk_back(d, d->nuc.prev_start, WALK_SNR);
    if (cause == LINE_GLIDE && !d->glide_clean) {
        /* a whispered line found on its second word by a rough glide
         * (before the rhythm completes) starts at its first, a nucleus
         * of the rhythm up to RHYTHM_MAX_HOPS before that has ended: a
         * hump still up since then is one sound going on (an
         * explosion's roar, dropped once, would walk back into itself) */
        int64_t first = d->rhythm.prev_start < ev->onset_hop ?
                        d->rhythm.prev_start : d->rhythm.onset;

        if (first < ev->onset_hop && first >= ev->onset_hop - RHYTHM_MAX_HOPS &&
            !(d->rhythm.up && d->rhythm.start <= first))
            ev->onset_hop = walk_back(d, vindicate(d, first), WALK_SNR);
    }
    ev->onset_hop = first_syllable(d, ev->onset_hop);
    if (d->line_voiced && cause != LINE_RESUMED && d->line_lag > 0.0)
        ev->onset_hop = first_word(d, ev->onset_hop);
    if (ev->onset_hop < d->dropped) /* that sound was no line */
        ev->onset_hop = d->dropped;
    /* ... unless it was a word said alone at one pitch (a letter's name,
     * a picture's) and this spoken line comes in its voice within
     * WORD_GAP of its end: it was the line's first word */
    if (d->dropped_voice > 0.0 && d->line_voiced && cause != LINE_RESUMED &&
        d->line_lag > 0.0 && ev->onset_hop - d->dropped <= WORD_GAP &&
        voice_period(d->dropped_voice, d->line_lag))
        ev->onset_hop = d->dropped_onset;
    d->dropped_voice = 0.0;
}

static void end_region(DDDetector *d, DDDetectEvent *ev)
{
    d->in_speech = 0;
    d->prev_end = d->last_above + 1;
    ev->offset = 1;
    ev->end_hop = d->prev_end;
}

/* Whether, from the held line's onset to this hop, a voiced hop's period
 * and the three before it were flat (FLAT_STEP): a held note. */
static int held_since_onset(const DDDetector *d)
{
    int run = 0;
    double prev = 0.0;

    for (int64_t h = d->pend_onset; h <= d->hops; h++) {
        double lag = d->lag_at[h & (EBUF - 1)];

        if (lag > 0.0 && prev > 0.0 && fabs(lag - prev) <= FLAT_STEP * prev)
            run++;
        else
            run = 0;
        if (run >= FLAT_RUN)
            return 1;
        prev = lag;
    }
    return 0;
}

/* A voiced hop's period into the held line's sorted periods. */
static void add_lag(DDDetector *d, double lag)
{
    int i = d->pend_nlags++;

    for (; i > 0 && d->pend_lags[i - 1] > lag; i--)
        d->pend_lags[i] = d->pend_lags[i - 1];
    d->pend_lags[i] = lag;
}

/* Whether the periods of the voiced hops since the held line's onset
 * (PITCH_HOPS of them at least) span PITCH_RANGE of their median. */
static int pitch_spans(const DDDetector *d)
{
    const double *p = d->pend_lags;
    int n = d->pend_nlags;

    return n >= PITCH_HOPS && p[n - 1] - p[0] >= PITCH_RANGE * p[n / 2];
}

/* Whether the held line's voiced hops follow one pitch track: at least
 * TRACK_SHARE of the steps from one voiced reading's period to the next
 * move it by less than PITCH_JUMP (a step of an octave, a reading at the
 * voice's 2nd harmonic or under it, taken out first). A voice is one
 * source, its period moves on from hop to hop; a bell's or a coin's
 * inharmonic partials each ring at a period of their own, and as they
 * decay the readings jump from one to another: their spread and their
 * turns are the jumps'. */
static int one_track(const DDDetector *d)
{
    double prev = 0.0;
    int steps = 0, on = 0;

    for (int64_t h = d->pend_onset; h <= d->hops; h++) {
        double lag = d->lag_at[h & (EBUF - 1)], r;

        if (lag <= 0.0)
            continue;
        if (prev > 0.0) {
            r = lag / prev;
            r = r > 1.5 ? r / 2.0 : r < 0.75 ? r * 2.0 : r;
            on += fabs(r - 1.0) <= PITCH_JUMP;
            steps++;
        }
        prev = lag;
    }
    return on >= TRACK_SHARE * steps;
}

/* Whether the period of the held line's voiced hops (each the median of
 * three in a row: a reading at another harmonic is left out) moved one
 * way by PITCH_TURN and then turned back by as much: a voice rises and
 * falls within its first words (stress, intonation), a synthesizer's
 * slide, a siren's or a whoosh's sweep goes one way. */
static int pitch_turns(const DDDetector *d)
{
    double a = 0.0, b = 0.0, lo = 0.0, hi = 0.0;
    int n = 0, lo_at = 0, hi_at = 0;

    for (int64_t h = d->pend_onset; h <= d->hops; h++) {
        double lag = d->lag_at[h & (EBUF - 1)], m;

        if (lag <= 0.0)
            continue;
        m = fmax(fmin(a, b), fmin(fmax(a, b), lag)); /* median of 3 */
        a = b;
        b = lag;
        if (++n < 3)
            continue;
        if (n == 3)
            lo = hi = m;
        if (m > hi) {
            hi = m;
            hi_at = n;
        }
        if (m < lo) {
            lo = m;
            lo_at = n;
        }
        if (hi >= lo * (1.0 + PITCH_TURN) &&
            ((hi_at > lo_at && m <= hi * (1.0 - PITCH_TURN)) ||
             (lo_at > hi_at && m >= lo * (1.0 + PITCH_TURN))))
            return 1;
    }
    return 0;
}

/* Whether an unvoiced hop over the floor, BREAK_DB under the sound's
 * peak, held LEAD_HOPS in a row between the onset and this hop: a
 * consonant (s, f, t, h) before or between the voiced syllables. */
static int consonant_lead(const DDDetector *d)
{
    int run = 0;

    for (int64_t h = d->pend_onset; h <= d->hops; h++) {
        double e = hop_energy(d, h);

        if (!d->voiced_at[h & (EBUF - 1)] &&
            e > d->floor_db + OFF_SNR &&
            e <= d->pend_peak - BREAK_DB) {
            if (++run >= LEAD_HOPS)
                return 1;
        } else {
            run = 0;
        }
    }
    return 0;
}

/* Whether a held line shows, at this hop, that it goes on as speech does:
 * its voice breaks (an unvoiced hop BREAK_DB under the sound's peak: a
 * consonant, a pause, the end of a short word), or, in a line whose
 * glide was clean (a whisper has neither), a consonant led into its
 * voicing, or its pitch kept moving (PITCH_RANGE over its voiced hops,
 * turning back by PITCH_TURN) on one track without ever holding a note.
 * A glide that began in a note (glide_note) is not committed by a break:
 * the note's decay falls 12 dB under its peak as a voice's pause does.
 * A jingle holds its notes, a pad or a buzz stays voiced near one pitch,
 * a slide goes one way, a bell's partials take turns, a crowd or a
 * whoosh stays up with no break: a line, in
 * any language, breaks its voicing or moves its pitch up and down that
 * much within its first syllables. A sound that goes on
 * from a dropped one (it never fell back to the floor) was already
 * found wanting: only a break that the voice comes back from, BREAK_DB
 * over it, commits it (a word said over it); its end does not. */
static int line_shows(DDDetector *d, int first)
{
    int64_t h = d->hops;
    double e = hop_energy(d, h);

    if (!first && !d->voiced_at[h & (EBUF - 1)] &&
        e <= d->pend_peak - BREAK_DB) {
        if (!d->pend_after_drop && !d->glide_note)
            return 1;
        /* the deepest break so far (the first one replaces "none") */
        d->pend_break = d->pend_break > 2.0 * ENERGY_MIN_DB ?
                        fmin(d->pend_break, e) : e;
    }
    if (d->pend_after_drop)
        return d->pend_break > 2.0 * ENERGY_MIN_DB &&
               d->voiced_at[h & (EBUF - 1)] &&
               e >= d->pend_break + BREAK_DB;
    return d->line_voiced && !d->pend_after_drop &&
           ((first && consonant_lead(d)) ||
            (pitch_spans(d) && pitch_turns(d) && one_track(d) &&
             !held_since_onset(d)));
}

/* The hop a held line is dropped at: HOLD_HOPS after the first hop from
 * its onset on that stands ON_SNR over the floor, latency hops after the
 * onset at most. In room tone that wanders a few dB over its floor (an
 * HVAC's brown noise) the walk back from a glide runs on into it, up to
 * its cap: timed from there, a line whose voice breaks 0.4 s in would
 * be dropped before it does. */
static int64_t hold_deadline(const DDDetector *d, int64_t onset)
{
    int64_t stood_out = onset;

    while (stood_out < d->hops &&
           hop_energy(d, stood_out) <= d->floor_db + ON_SNR)
        stood_out++;
    return stood_out + HOLD_HOPS < onset + d->latency ? stood_out + HOLD_HOPS
                                                       : onset + d->latency;
}

/* Holds back the start of a region confirmed on a glide, while there is
 * time (until hold_deadline, HOLD_MIN hops at least left) and the
 * evidence is not there yet (line_shows, read at once on the hops from
 * the onset: a line confirmed with its evidence in starts at once). A
 * glide that began in a note (glide_note) is held whatever time is
 * left: it starts on what line_shows finds in that time, or is dropped
 * at the next hop, where a line confirmed too late to be held starts
 * at once (its onset walked back further than the hold reaches). */
static void hold_region(DDDetector *d, DDDetectEvent *ev)
{
    int64_t deadline = hold_deadline(d, ev->onset_hop);

    if (deadline - d->hops < HOLD_MIN && !d->glide_note)
        return;
    d->pending = 1;
    d->pend_onset = ev->onset_hop;
    d->pend_deadline = deadline;
    d->pend_prev_end = d->prev_end;
    d->pend_after_drop = d->dropped > 0 && ev->onset_hop <= d->dropped;
    d->pend_break = 2.0 * ENERGY_MIN_DB;
    d->pend_peak = ENERGY_MIN_DB;
    d->pend_nlags = 0;
    for (int64_t h = ev->onset_hop; h <= d->hops; h++) {
        d->pend_peak = fmax(d->pend_peak, hop_energy(d, h));
        if (d->lag_at[h & (EBUF - 1)] > 0.0)
            add_lag(d, d->lag_at[h & (EBUF - 1)]);
    }
    if (line_shows(d, 1))
        d->pending = 0;
    else
        ev->onset = 0;
}

/* A held region at this hop (in speech, after its end was looked for):
 * its voicing read, then committed (its start event, with the onset
 * found when it was confirmed) when the line shows, dropped (no event,
 * as if never confirmed) when its time runs out or it ended first. */
static void held_hop(DDDetector *d, double e, DDDetectEvent *ev)
{
    int64_t h = d->hops;
    Voicing v = { 0, 0.0, 0.0, 0 };

    if (e > d->floor_db + ON_SNR && e > d->gate)
        v = voiced_hop(d);
    d->voiced_at[h & (EBUF - 1)] = v.voiced;
    d->lag_at[h & (EBUF - 1)] = v.voiced ? v.lag : 0.0;
    if (v.voiced)
        add_lag(d, v.lag);
    d->pend_peak = fmax(d->pend_peak, e);
    if (line_shows(d, 0)) {
        d->pending = 0;
        ev->onset = 1;
        ev->onset_hop = d->pend_onset;
    } else if (ev->offset || h >= d->pend_deadline) {
        d->pending = d->in_speech = 0;
        d->prev_end = d->pend_prev_end;
        d->dropped = h + 1;
        d->dropped_rough = !d->line_voiced;
        d->dropped_voice = d->line_voiced && d->last_above < h ? d->line_lag
                                                                : 0.0;
        d->dropped_onset = d->pend_onset;
        ev->offset = 0;
    }
}

/*
 * Holds back the start of a spoken line that an unvoiced word of its own
 * brought back after its end (LINE_RESUMED, word_alone): a sound struck
 * right after a line (a game sound, an instrument's note, an explosion)
 * is such a word too, and held the music down up to 0.9 s longer. The
 * line is taken back when it goes on as a line does (held_resume), or
 * when the line's next word starts before the planner's time runs out
 * (resume_taken_back): a word whispered alone between spoken ones shows
 * nothing more itself. Not a line resumed by a cleanly voiced syllable
 * (its speaker's), nor a whispered line's: its words said one at a time
 * are all such words.
 */
static void hold_resume(DDDetector *d, DDDetectEvent *ev)
{
    if (d->hops >= ev->onset_hop + d->latency)
        return; /* no time: the planner needs the start now */
    d->resume_held = RESUME_HELD;
    d->resume_shown = 0;
    d->resume_onset = ev->onset_hop;
    d->resume_prev_end = d->prev_end;
    ev->onset = 0;
}

/* A held resume at this hop (in speech, after its end was looked for):
 * committed (its start event, with the onset found when it resumed) once
 * another syllable goes on the line or a hop reads cleanly voiced in the
 * line's voice (the word's vowel), or once it has gone on for as long as
 * an unvoiced word vouches (EVIDENCE_HOPS: a drawn-out whispered "no" is
 * one word; the sounds struck after lines were over within 0.6 s) or the
 * planner's time runs out, whichever comes first; when its sound ends
 * first, no event: it waits out of speech for the line's next word
 * (resume_taken_back, resume_dropped). */
static void held_resume(DDDetector *d, DDDetectEvent *ev)
{
    int wait = d->latency < EVIDENCE_HOPS ? d->latency : EVIDENCE_HOPS;

    if (d->resume_shown || d->hops >= d->resume_onset + wait) {
        d->resume_held = 0;
        ev->onset = 1;
        ev->onset_hop = d->resume_onset;
    } else if (ev->offset) {
        d->resume_held = RESUME_ENDED;
        d->resume_next = 0;
        ev->offset = 0;
    }
}

/* A region starts while a held resume that ended waits: the line's next
 * word. The line goes on from the held word's onset. */
static void resume_taken_back(DDDetector *d, DDDetectEvent *ev)
{
    if (d->resume_onset < ev->onset_hop)
        ev->onset_hop = d->resume_onset;
    d->resume_held = 0;
}

/* A held resume that ended, at a hop where no region starts, until the
 * planner's time runs out: then, if its sound fell to the floor and a
 * hop read cleanly voiced in the line's voice after that (clean_in_voice:
 * the line's next word, not confirmed yet), it was the line's, and its
 * region is given (start and end at once); if not, it is dropped: as if
 * never resumed, the music's release goes on from the line's end. A
 * game sound rings on after its region; an instrument's next note is at
 * a period of its own. */
static void resume_dropped(DDDetector *d, double e, DDDetectEvent *ev)
{
    if (!d->resume_next && e <= d->floor_db + OFF_SNR)
        d->resume_next = 1;
    else if (d->resume_next == 1 && clean_in_voice(d))
        d->resume_next = 2;
    if (d->hops < d->resume_onset + d->latency)
        return;
    d->resume_held = 0;
    if (d->resume_next == 2) {
        ev->onset = ev->offset = 1;
        ev->onset_hop = d->resume_onset;
        ev->end_hop = d->prev_end; /* the held word's end (end_region) */
    } else {
        d->prev_end = d->resume_prev_end;
    }
}

static void flush_state(DDDetector *d)
{
    dd_biquad_flush(&d->b.hp);
    dd_biquad_flush(&d->b.lp);
    dd_biquad_flush(&d->b.sib);
    dd_biquad_flush(&d->b.v1);
    dd_biquad_flush(&d->b.v2);
}

/* Mean square of the voicing samples written since the last hop. */
static double low_energy(DDDetector *d)
{
    const double *w = vwin(d, d->low_pos);
    unsigned n = d->b.vpos - d->low_pos;
    double sum = 0.0;

    for (unsigned i = 0; i < n; i++)
        sum += w[i] * w[i];
    d->low_pos = d->b.vpos;
    return n ? sum / n : 0.0;
}

/* The voicing signal's energy over the last SMOOTH_HOPS hops (the
 * correlation window, 30 ms, and its lags), dB; at the start of a
 * stream over the hops heard. */
static double low_mean_db(const DDDetector *d)
{
    int64_t n = d->hops < SMOOTH_HOPS ? d->hops + 1 : SMOOTH_HOPS;
    double sum = 0.0;

    for (int64_t i = 0; i < n; i++)
        sum += d->low[(d->hops - i) & (EBUF - 1)];
    return energy_db(sum / n);
}

/* A track's next hop energy (lin, linear) and its 40 ms mean. */
static void track_hop(Track *t, int64_t h, double lin)
{
    double mean = 0.0;

    t->lin[h % SMOOTH_HOPS] = lin;
    for (int i = 0; i < SMOOTH_HOPS; i++)
        mean += t->lin[i] / SMOOTH_HOPS;
    /* the first hops of a stream: a mean of those there are (the hops
     * before it are not silence; read as such, the floor would sit up to
     * 6 dB under the room tone for MS_NSUB sub-windows) */
    if (h < SMOOTH_HOPS - 1)
        mean *= (double)SMOOTH_HOPS / (h + 1);
    t->mean_db = energy_db(mean);
}

/* The track a hop is read on: the speech band as it is, unless a mains
 * comb has left its floor HUM_DB or more under the band's for HUM_HOPS
 * on end (a hum or a buzz makes half the floor or more); then the comb
 * whose floor is lowest. Without a hum the combs' floors sit within a
 * dB of the band's. The mains hums on for minutes, a held note at a
 * multiple of its frequency (250 Hz, 300 Hz) is combed out as well but
 * seldom lasts: the band's floor rises into it only after 1.5 s, and it
 * would have to go on 1.5 s more. The comb at a period found in the floor
 * is read only where it takes HUM_DB off what the others leave: a whine,
 * not the mains it may have found again. */
static const Track *read_track(DDDetector *d)
{
    const Track *t = &d->raw, *found = &d->hum[DD_MAINS_FOUND];

    for (int k = 0; k < DD_MAINS_N; k++)
        if (k != DD_MAINS_FOUND &&
            d->hum[k].floor.floor_db <= d->raw.floor.floor_db - HUM_DB &&
            d->hum[k].floor.floor_db < t->floor.floor_db)
            t = &d->hum[k];
    if (found->floor.floor_db <= t->floor.floor_db - HUM_DB)
        t = found;
    d->hum_run = t != &d->raw ? d->hum_run + 1 : 0;
    return d->hum_run >= HUM_HOPS ? t : &d->raw;
}

/* Every FIND_HOPS hops of floor only (out of speech, the track read
 * within QUIET_DB of its floor, for as long as the comb's ring reaches
 * back: through the found comb, a word under the whine is no floor)
 * the comb looks for a period in it; a comb at a new period starts its
 * floor from the band's. */
static void listen_floor(DDDetector *d)
{
    int quiet = !d->in_speech && d->mean_db < d->floor_db + QUIET_DB;

    d->quiet_run = quiet ? d->quiet_run + 1 : 0;
    if (d->quiet_run >= QUIET_HOPS && d->quiet_run % FIND_HOPS == 0 &&
        dd_mains_listen(&d->comb))
        d->hum[DD_MAINS_FOUND] = d->raw;
}

/* The hop's events (ev): out of speech, a line confirmed starts (held
 * back or not); in speech, it goes on or ends; a held start is decided. */
static void decide_hop(DDDetector *d, double e, DDDetectEvent *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (!d->voice_hops && e > d->loudest) {
        d->loudest = e;
        set_gate(d);
    }
    if (!d->in_speech) {
        int candidate = e > d->floor_db + ON_SNR && e > d->gate;
        int cause = confirm_hop(d, e, candidate);

        if (cause) {
            start_region(d, ev, cause);
            if (d->resume_held == RESUME_ENDED)
                resume_taken_back(d, ev);
            if (cause == LINE_GLIDE)
                hold_region(d, ev);
            else if (cause == LINE_RESUMED && d->word_alone)
                hold_resume(d, ev);
        } else if (d->resume_held == RESUME_ENDED) {
            resume_dropped(d, e, ev);
        }
    } else {
        learn_lines(d, e);
        if (speech_goes_on(d, e))
            d->last_above = d->hops;
        else if (d->hops - d->last_above >= HANGOVER_HOPS)
            end_region(d, ev);
        if (d->pending)
            held_hop(d, e, ev);
        else if (d->resume_held == RESUME_HELD)
            held_resume(d, ev);
    }
}

static void end_hop(DDDetector *d, DDDetectEvent *ev)
{
    int64_t h = d->hops;
    int n = d->b.acc_n ? d->b.acc_n : 1;
    const Track *t;
    double e;

    track_hop(&d->raw, h, d->b.acc / n);
    /* half the comb's output: broadband sound comes out with twice its
     * power; in its first period the comb puts out the band itself, read
     * as the band (as 3 dB less it would set its floor that low for
     * 1.5 s and be read on) */
    for (int k = 0; k < DD_MAINS_N; k++) {
        track_hop(&d->hum[k], h, dd_mains_primed(&d->comb, k, n) ?
                                 d->comb.acc[k] / n / 2.0 : d->b.acc / n);
        d->comb.acc[k] = 0.0;
    }
    t = read_track(d);
    /* a whine's period in the pitch range would read as a held tone: the
     * voicing is read without it (a buzz's is longer, and the comb's
     * teeth cost a voice some of its periodicity) */
    d->voice_found = t != &d->raw && d->comb.pitched;
    e = energy_db(t->lin[h % SMOOTH_HOPS]);
    d->floor_db = t->floor.floor_db;
    /* in a line, what the minimum statistics learn is its floor only up
     * to LINE_RANGE under its loudest hop (or the floor it started on):
     * a live room's reverberation fills the pauses of a long line, and
     * its minima rise to 10-15 dB under the direct sound, where the
     * line's own syllables stop standing over them (it ended mid-
     * sentence). A noise that starts inside a line that close under it
     * is learned as the line ends (out of speech the floor is the
     * statistics' own); until then the line ends on its evidence. */
    if (d->in_speech)
        d->floor_db = fmin(d->floor_db, fmax(d->line_floor,
                                             d->line_loudest - LINE_RANGE));
    d->energy[h & (EBUF - 1)] = e;
    d->mean_db = t->mean_db;
    d->sib[h & (EBUF - 1)] = energy_db(d->b.sib_acc / n);
    d->low[h & (EBUF - 1)] = low_energy(d);
    d->low_db = low_mean_db(d);
    d->b.acc = d->b.sib_acc = 0.0;
    d->b.acc_n = 0;
    decide_hop(d, e, ev);
    update_floor(&d->raw.floor, d->raw.mean_db);
    for (int k = 0; k < DD_MAINS_N; k++)
        update_floor(&d->hum[k].floor, d->hum[k].mean_db);
    update_floor(&d->low_floor, d->low_db);
    listen_floor(d);
    /* the sibilant floor reads the same 40 ms means: hops h-3 .. h, and
     * at the start of a stream those from hop 0 */
    if (d->sibilant)
        update_floor(&d->sib_floor,
                     mean_around(d->sib, h > SMOOTH_HOPS - 2 ?
                                         h - SMOOTH_HOPS + 2 : 1, h));
    flush_state(d);
    d->hops++;
}

/* Band-rate samples worked on at once by band_blocks(). */
#define BAND_CHUNK 256

/*
 * n band-rate samples u[] (n <= BAND_CHUNK) through the band: the
 * speech-band and sibilant energies of the hop, the speech band into
 * ys[]. Its three filters side by side (their recursions overlap), on
 * copies that stay in registers. Each filter and each sum sees its values
 * in sample order, as one sample at a time would give them: the same
 * bits.
 */
static void band_run(Band *b, const double *u, int n, double *ys)
{
    DDBiquad hp = b->hp, lp = b->lp, sib = b->sib;
    double acc = b->acc, sacc = b->sib_acc;

    for (int i = 0; i < n; i++) {
        double y = dd_biquad_run(&lp, dd_biquad_run(&hp, u[i]));
        double z = dd_biquad_run(&sib, u[i]);

        ys[i] = y;
        acc += y * y;
        sacc += z * z;
    }
    b->hp = hp;
    b->lp = lp;
    b->sib = sib;
    b->acc = acc;
    b->sib_acc = sacc;
    b->acc_n += n;
}

/*
 * The voicing signal from n speech-band samples y[]: decimated, then
 * low-passed into vbuf. Two loops, the second on what the first
 * decimated: through the pointer a store to vbuf might have changed the
 * filters' copies, and in the first loop they would go through the stack.
 */
static void voicing_run(Band *b, double *vbuf, int decim, const double *y,
                        int n)
{
    double v[BAND_CHUNK];       /* voicing-rate samples */
    double dacc = b->decim_acc;
    int dpos = b->decim_pos, nv = 0;
    DDBiquad v1 = b->v1, v2 = b->v2;
    unsigned vpos = b->vpos;

    for (int i = 0; i < n; i++) {
        dacc += y[i];
        if (++dpos >= decim) {
            v[nv++] = dacc / decim;
            dpos = 0;
            dacc = 0.0;
        }
    }
    b->decim_acc = dacc;
    b->decim_pos = dpos;
    for (int k = 0; k < nv; k++, vpos++) {
        float f = dd_biquad_run(&v2, dd_biquad_run(&v1, v[k]));

        vbuf[vpos & (VBUF - 1)] = vbuf[(vpos & (VBUF - 1)) + VBUF] = f;
    }
    b->v1 = v1;
    b->v2 = v2;
    b->vpos = vpos;
}

/* n band-rate samples u[] (n <= BAND_CHUNK) through the band, the speech
 * band through the mains combs, and on to the voicing signal: through
 * the comb at a period found in the floor while its track is read (a
 * whine under 1 kHz would be read as a held tone, the voice under it
 * lost). */
static void band_chunk(DDDetector *d, const double *u, int n)
{
    double y[BAND_CHUNK], found[BAND_CHUNK];

    band_run(&d->b, u, n, y);
    dd_mains_run(&d->comb, y, n, found);
    voicing_run(&d->b, d->vbuf, d->decim, d->voice_found ? found : y, n);
}

/* Band-rate samples from nb whole blocks of bd input samples: the block
 * averages, summed in input order. */
static void band_blocks(DDDetector *d, const float *x, int nb, int bd)
{
    double u[BAND_CHUNK];

    for (int at = 0; at < nb; at += BAND_CHUNK) {
        const int n = nb - at < BAND_CHUNK ? nb - at : BAND_CHUNK;

        for (int i = 0; i < n; i++, x += bd) {
            double acc = 0.0;

            for (int j = 0; j < bd; j++)
                acc += x[j];
            u[i] = acc / bd;
        }
        band_chunk(d, u, n);
    }
}

int dd_detector_process(DDDetector *d, const float *x, int n,
                        DDDetectEvent *ev)
{
    int m = d->hop - d->pos < n ? d->hop - d->pos : n; /* up to the hop end */
    const int bd = d->band_decim;
    Band *b = &d->b;

    for (int i = 0; i < m;) {
        int k = bd - b->band_pos;
        double acc = b->band_acc;

        if (!b->band_pos && m - i >= bd) {
            k = (m - i) / bd;
            /* a constant block length for the usual rates (48 and 44.1
             * kHz) lets the compiler unroll the sums */
            if (bd == 3)
                band_blocks(d, x + i, k, 3);
            else if (bd == 2)
                band_blocks(d, x + i, k, 2);
            else
                band_blocks(d, x + i, k, bd);
            i += k * bd;
            continue;
        }
        if (k > m - i)
            k = m - i;
        for (int j = 0; j < k; j++)
            acc += x[i + j];
        i += k;
        b->band_pos += k;
        if (b->band_pos < bd) {
            b->band_acc = acc;
        } else {
            double u = acc / bd;

            band_chunk(d, &u, 1);
            b->band_pos = 0;
            b->band_acc = 0.0;
        }
    }
    d->pos += m;
    ev->hop_done = d->pos >= d->hop;
    if (ev->hop_done) {
        d->pos = 0;
        end_hop(d, ev);
        ev->hop_done = 1;
    }
    return m;
}

void dd_detector_finish(DDDetector *d, DDDetectEvent *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (d->in_speech && !d->pending && d->resume_held != RESUME_HELD)
        end_region(d, ev);
    d->in_speech = d->pending = d->resume_held = 0;
}

static int subnormal(double v)
{
    return fpclassify(v) == FP_SUBNORMAL;
}

int dd_detector_subnormal_state(const DDDetector *d)
{
    const DDBiquad *f[5] = { &d->b.hp, &d->b.lp, &d->b.sib,
                             &d->b.v1, &d->b.v2 };
    int n = subnormal(d->b.acc) + subnormal(d->b.band_acc) +
            subnormal(d->b.decim_acc) + subnormal(d->b.sib_acc);

    for (int i = 0; i < 5; i++)
        n += subnormal(f[i]->z1) + subnormal(f[i]->z2);
    for (int i = 0; i < 2 * VBUF; i++)
        n += fpclassify((float)d->vbuf[i]) == FP_SUBNORMAL;
    for (int k = 0; k < DD_MAINS_N; k++)
        n += subnormal(d->comb.acc[k]);
    for (int i = 0; i < DD_MAINS_RING; i++)
        n += subnormal(d->comb.ring[i]);
    return n;
}
