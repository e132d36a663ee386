# dialogueduck: the engine (core/), the program (tool/), and the test tiers.
#
#   make            build ./dialogueduck
#   make check      fast tests: unit tests and tool integration tests
#   make fate       patch FFmpeg release trees, run the filter's FATE tests
#   make ffmpeg     build a patched ffmpeg for users
#   make eval       score ducking quality against stock FFmpeg
#   make bench      speed and memory against stock FFmpeg
#   make fuzz       run the fuzz targets for a bounded time
#   make demo       generate a demo scene and duck it
#   make install    PREFIX, DESTDIR (INSTALL_STRIP=1 or make install-strip
#                   to strip the program)
#   make man        regenerate the man page's option sections from --help
#   make deb        build the Debian package (dpkg-buildpackage) and check it
#   sh tests/deps.sh install [TIER...]   the Debian packages of the tiers

-include config.mak

ifeq ($(wildcard config.mak),)
$(info config.mak missing: running ./configure with defaults)
$(shell ./configure >&2)
include config.mak
endif

ifeq ($(SANITIZE_FORCE),1)
DD_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
DD_LDFLAGS += -fsanitize=address,undefined
endif

# The flags the build needs (DD_*, from configure) come first and stay
# whatever CFLAGS, CPPFLAGS or LDFLAGS the user gives, on make's command
# line too; the user's come after them and win where they conflict (-O).
# Add a flag the build needs to DD_CFLAGS/DD_LDFLAGS above this line: a
# plain CFLAGS += below it is ignored (override).
override CFLAGS := $(DD_CFLAGS) $(CPPFLAGS) $(CFLAGS)
override LDFLAGS := $(DD_LDFLAGS) $(LDFLAGS)

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
	@sh tests/deps.sh check check
	BUILD=$(BUILD) DD=$(CURDIR)/$(BUILD)/$(PROG) sh tests/run-check.sh

check-farm: $(PROG)
	@sh tests/deps.sh check check-farm
	sh tests/farm/run.sh

fate:
	@sh tests/deps.sh check fate
	sh libavfilter-patch/fate.sh

ffmpeg:
	@sh tests/deps.sh check fate
	sh libavfilter-patch/build-ffmpeg.sh

eval: $(PROG)
	@sh tests/deps.sh check eval
	sh tests/eval/run.sh

bench: $(PROG)
	@sh tests/deps.sh check bench
	sh tests/bench/run.sh

fuzz:
	@sh tests/deps.sh check fuzz
	sh tests/fuzz/run.sh

demo: $(PROG)
	@sh tests/deps.sh check demo
	sh tests/demo.sh

deb:
	@sh tests/deps.sh check deb
	sh tests/deb/run.sh

install: $(PROG)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(if $(filter 1,$(INSTALL_STRIP)),-s --strip-program=$(STRIP)) $(PROG) $(DESTDIR)$(BINDIR)/$(PROG)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG)

include doc/install.mak

clean:
	rm -rf $(BUILD) $(PROG) demo

distclean: clean
	rm -f config.mak config.h

.PHONY: all unit check check-farm fate ffmpeg eval bench fuzz demo install uninstall clean distclean deb
