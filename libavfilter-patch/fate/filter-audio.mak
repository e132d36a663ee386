# dialogueduck: music from tests/data or aevalsrc, a synthetic voice (a
# 140 Hz harmonic series with a syllable-rate envelope) in three phrases.
DIALOGUEDUCK_VOICE = 0.2*(sin(2*PI*140*(t-0.0042*cos(6*PI*t)))+0.7*sin(2*PI*280*(t-0.0042*cos(6*PI*t)))+0.5*sin(2*PI*420*(t-0.0042*cos(6*PI*t)))+0.3*sin(2*PI*840*(t-0.0042*cos(6*PI*t)))+0.2*sin(2*PI*1260*(t-0.0042*cos(6*PI*t))))*(0.6+0.4*sin(2*PI*4*t))
DIALOGUEDUCK_LINES = (between(t\,0.8\,2.2)+between(t\,2.6\,3.4)+between(t\,4.4\,5.0))
DIALOGUEDUCK_SPEECH = $(DIALOGUEDUCK_VOICE)*$(DIALOGUEDUCK_LINES)
DIALOGUEDUCK_MONO = aevalsrc=$(DIALOGUEDUCK_SPEECH):s=44100:d=6,aresample
DIALOGUEDUCK_STEREO = aevalsrc=$(DIALOGUEDUCK_SPEECH)|0.8*$(DIALOGUEDUCK_SPEECH):s=44100:d=6,aresample
DIALOGUEDUCK_MUSIC51 = aevalsrc=0.1*sin(2*PI*220*t)|0.1*sin(2*PI*330*t)|0.1*sin(2*PI*440*t)|0.1*sin(2*PI*55*t)|0.05*sin(2*PI*550*t)|0.05*sin(2*PI*660*t):c=5.1:s=44100:d=6,aresample
DIALOGUEDUCK_FC = -i $(SRC) -filter_complex

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-defaults
fate-filter-dialogueduck-defaults: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-mix0
fate-filter-dialogueduck-mix0: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck=mix=0,aresample"

# s16 stems in and out, as PCM decoders and encoders have them: the
# filter converts inside, and the result is that of the float path and
# libswresample's conversions (which made the reference)
FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-s16
fate-filter-dialogueduck-s16: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO),aformat=s16[d];[0:a]anull[m];[m][d]dialogueduck"

# the same with float music and s16 out, then s16 music and float out:
# the same result (the reference of the s16 test)
FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-s16-fltp-music
fate-filter-dialogueduck-s16-fltp-music: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO),aformat=s16[d];[0:a]aresample,aformat=fltp[m];[m][d]dialogueduck"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-s16-fltp-out
fate-filter-dialogueduck-s16-fltp-out: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO),aformat=s16[d];[0:a]anull[m];[m][d]dialogueduck,aformat=fltp,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-lookahead
fate-filter-dialogueduck-lookahead: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck=lookahead=0.5:mix=0,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-below
fate-filter-dialogueduck-below: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck=below=10:depth=-30:mix=0,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-spectral
fate-filter-dialogueduck-spectral: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck=spectral=1:mix=0,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-band
fate-filter-dialogueduck-band: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck=spectral=1:band_low=150:band_high=8000:mix=0,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-adaptive
fate-filter-dialogueduck-adaptive: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck=spectral=adaptive:unmask=6:mix=0,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-mono
fate-filter-dialogueduck-mono: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_MONO)[d];[0:a]aresample[m];[m][d]dialogueduck,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-timeline
fate-filter-dialogueduck-timeline: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck=mix=0:enable=between(t\,1.5\,3),aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-dialogue-ends
fate-filter-dialogueduck-dialogue-ends: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO),atrim=end=2.4[d];[0:a]aresample[m];[m][d]dialogueduck=mix=0,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-music-ends
fate-filter-dialogueduck-music-ends: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample,atrim=end=3[m];[m][d]dialogueduck,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-empty-dialogue
fate-filter-dialogueduck-empty-dialogue: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO),atrim=end=0[d];[0:a]aresample[m];[m][d]dialogueduck=mix=0,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-empty-music
fate-filter-dialogueduck-empty-music: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample,atrim=end=0[m];[m][d]dialogueduck,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-range-min
fate-filter-dialogueduck-range-min: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck=depth=-60:lookahead=0:attack=0.01:release=0.01:hold=0:threshold=-80:mix=0,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-range-max
fate-filter-dialogueduck-range-max: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample[m];[m][d]dialogueduck=depth=0:below=40:lookahead=2:attack=2:release=5:hold=5:threshold=-10:mix=0,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-command
fate-filter-dialogueduck-command: tests/data/filtergraphs/dialogueduck-command
fate-filter-dialogueduck-command: CMD = framecrc -i $(SRC) -/filter_complex $(TARGET_PATH)/tests/data/filtergraphs/dialogueduck-command

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-51dialogue
fate-filter-dialogueduck-51dialogue: CMD = framecrc $(DIALOGUEDUCK_FC) "aevalsrc=0|0|$(DIALOGUEDUCK_SPEECH)|0|0.01*sin(2*PI*3000*t)|0.01*sin(2*PI*3100*t):c=5.1:s=44100:d=6,aresample[d];[0:a]aresample[m];[m][d]dialogueduck,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-duration-first
fate-filter-dialogueduck-duration-first: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO)[d];[0:a]aresample,atrim=end=3[m];[m][d]dialogueduck=duration=first,aresample"

FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-duration-shortest
fate-filter-dialogueduck-duration-shortest: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO),atrim=end=2.4[d];[0:a]aresample[m];[m][d]dialogueduck=duration=shortest,aresample"

# a timestamp gap in each input (frames dropped by aselect keep their
# neighbours' pts) and the dialogue 0.3 s late, as -itsoffset makes it
FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-timestamps
fate-filter-dialogueduck-timestamps: CMD = framecrc $(DIALOGUEDUCK_FC) "$(DIALOGUEDUCK_STEREO),aselect=not(between(t\,1.0\,1.5)),asetpts=PTS+0.3/TB[d];[0:a]aresample,aselect=not(between(t\,3.5\,4.0))[m];[m][d]dialogueduck,aresample"

# a command for an option that cannot change fails with a log line
FATE_DIALOGUEDUCK_WAV += fate-filter-dialogueduck-command-fixed
fate-filter-dialogueduck-command-fixed: tests/data/filtergraphs/dialogueduck-command-fixed
fate-filter-dialogueduck-command-fixed: CMD = framecrc -i $(SRC) -/filter_complex $(TARGET_PATH)/tests/data/filtergraphs/dialogueduck-command-fixed
fate-filter-dialogueduck-command-fixed: CMP = grep
fate-filter-dialogueduck-command-fixed: REF = Option .lookahead. cannot change while the filter runs

$(FATE_DIALOGUEDUCK_WAV): tests/data/asynth-44100-2.wav
$(FATE_DIALOGUEDUCK_WAV): SRC = $(TARGET_PATH)/tests/data/asynth-44100-2.wav

FATE_DIALOGUEDUCK += fate-filter-dialogueduck-51
fate-filter-dialogueduck-51: CMD = framecrc -filter_complex "$(DIALOGUEDUCK_MONO)[d];$(DIALOGUEDUCK_MUSIC51)[m];[m][d]dialogueduck,aresample"

DIALOGUEDUCK_DEPS = DIALOGUEDUCK AEVALSRC ARESAMPLE ATRIM ASENDCMD ASELECT ASETPTS
FATE_DIALOGUEDUCK_ALL-$(call FILTERDEMDECENCMUX, $(DIALOGUEDUCK_DEPS), WAV, PCM_S16LE, PCM_S16LE, FRAMECRC, PIPE_PROTOCOL) += $(FATE_DIALOGUEDUCK_WAV)
FATE_DIALOGUEDUCK_ALL-$(call FILTERFRAMECRC, $(DIALOGUEDUCK_DEPS)) += $(FATE_DIALOGUEDUCK)
FATE_AFILTER-yes += $(FATE_DIALOGUEDUCK_ALL-yes)

FATE_DIALOGUEDUCK_FFPROBE-$(call ALLYES, FFPROBE LAVFI_INDEV DIALOGUEDUCK_FILTER AEVALSRC_FILTER ARESAMPLE_FILTER) += fate-filter-dialogueduck-metadata
fate-filter-dialogueduck-metadata: CMD = run ffprobe$(PROGSSUF)$(EXESUF) -of compact=p=0 -show_entries frame=pts:frame_tags -bitexact -f lavfi "aevalsrc=0.1*sin(2*PI*330*t):s=44100:d=6[m];$(DIALOGUEDUCK_MONO)[d];[m][d]dialogueduck=mix=0[out0]"
# the gain ramps over release and attack where enable= changes
FATE_DIALOGUEDUCK_FFPROBE-$(call ALLYES, FFPROBE LAVFI_INDEV DIALOGUEDUCK_FILTER AEVALSRC_FILTER ARESAMPLE_FILTER) += fate-filter-dialogueduck-timeline-ramp
fate-filter-dialogueduck-timeline-ramp: CMD = run ffprobe$(PROGSSUF)$(EXESUF) -of compact=p=0 -show_entries frame=pts:frame_tags -bitexact -f lavfi "aevalsrc=0.1*sin(2*PI*330*t):s=44100:d=6[m];$(DIALOGUEDUCK_MONO)[d];[m][d]dialogueduck=mix=0:enable=between(t\,1.5\,3)[out0]"

# a stream that starts inside a line (as after a seek) starts ducked
FATE_DIALOGUEDUCK_FFPROBE-$(call ALLYES, FFPROBE LAVFI_INDEV DIALOGUEDUCK_FILTER AEVALSRC_FILTER ARESAMPLE_FILTER ATRIM_FILTER ASETPTS_FILTER) += fate-filter-dialogueduck-seek
fate-filter-dialogueduck-seek: CMD = run ffprobe$(PROGSSUF)$(EXESUF) -of compact=p=0 -show_entries frame=pts:frame_tags -bitexact -f lavfi "aevalsrc=0.1*sin(2*PI*330*t):s=44100:d=6,atrim=start=1.2,asetpts=PTS-STARTPTS[m];$(DIALOGUEDUCK_MONO),atrim=start=1.2,asetpts=PTS-STARTPTS[d];[m][d]dialogueduck=mix=0[out0]"

FATE_FFPROBE += $(FATE_DIALOGUEDUCK_FFPROBE-yes)

fate-dialogueduck: $(FATE_DIALOGUEDUCK_ALL-yes) $(FATE_DIALOGUEDUCK_FFPROBE-yes)
