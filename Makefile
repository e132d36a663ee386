# dialogueduck: the engine (core/), the program (tool/), and the test tiers.
#
#   make            build ./dialogueduck
#   make check      fast tests: unit tests and tool integration tests
#   make fate       patch FFmpeg release trees, run the filter's FATE tests
#   make ffmpeg     build a patched ffmpeg for users
#   make eval       score ducking quality against stock FFmpeg
#   make bench      speed and memory against stock FFmpeg
#   make fuzz       run the fuzz targets for a bounded time
#   make check-load determinism under CPU load (100 runs, 50 Slurm tests)
#   make demo       generate a demo scene and duck it
#   make install    PREFIX, DESTDIR

-include config.mak

ifeq ($(wildcard config.mak),)
$(info config.mak missing: running ./configure with defaults)
$(shell ./configure >&2)
include config.mak
endif

ifeq ($(SANITIZE_FORCE),1)
CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

BUILD ?= build
PROG = dialogueduck

# tool/: the pipeline stages at the top, batch mode, keyframe formats and
# generic helpers in their own folders.
TOOL_DIRS = tool tool/batch tool/keyframes tool/util

CORE_SRCS = $(wildcard core/*.c)
TOOL_SRCS = $(filter-out tool/main.c, $(wildcard $(TOOL_DIRS:%=%/*.c)))
TOOL_HDRS = $(wildcard $(TOOL_DIRS:%=%/*.h))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)

CORE_OBJS = $(CORE_SRCS:%.c=$(BUILD)/%.o)
TOOL_OBJS = $(TOOL_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS = $(UNIT_SRCS:%.c=$(BUILD)/%)

ALL_CFLAGS = $(CFLAGS) -I. -Icore $(TOOL_DIRS:%=-I%) $(PKG_CFLAGS)

all: $(PROG)

$(BUILD)/core/%.o: core/%.c $(wildcard core/*.h) config.mak
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Icore -c -o $@ $<

$(BUILD)/tool/%.o: tool/%.c $(wildcard core/*.h) $(TOOL_HDRS) config.h config.mak
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libdd.a: $(CORE_OBJS) $(TOOL_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# Each build tree links its own program (a sanitizer tree must not replace
# ./dialogueduck); ./dialogueduck is a copy of the default tree's.
$(BUILD)/$(PROG): $(BUILD)/tool/main.o $(BUILD)/libdd.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(PROG): $(BUILD)/$(PROG)
	cp $(BUILD)/$(PROG) $@

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/check.h $(BUILD)/libdd.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libdd.a $(PKG_LIBS) -lm

unit: $(UNIT_BINS)

check: $(BUILD)/$(PROG) $(UNIT_BINS)
	BUILD=$(BUILD) DD=$(CURDIR)/$(BUILD)/$(PROG) sh tests/run-check.sh

check-farm: $(PROG)
	sh tests/farm/run.sh

# determinism under load: 100 runs of one job, then 50 Slurm tests in a row
check-load: $(PROG)
	RUNS=100 sh tests/tool/test_determinism.sh
	sh tests/farm/loop.sh

fate:
	sh libavfilter-patch/fate.sh

ffmpeg:
	sh libavfilter-patch/build-ffmpeg.sh

eval: $(PROG)
	sh tests/eval/run.sh

bench: $(PROG)
	sh tests/bench/run.sh

fuzz:
	sh tests/fuzz/run.sh

demo: $(PROG)
	sh tests/demo.sh

install: $(PROG)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/$(PROG)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/$(PROG)

clean:
	rm -rf $(BUILD) $(PROG) demo

distclean: clean
	rm -f config.mak config.h

.PHONY: all unit check check-farm check-load fate ffmpeg eval bench fuzz demo install uninstall clean distclean
