# dialogueduck: the engine (core/), the program (tool/), and the test tiers.
#
#   make            build ./dialogueduck
#   make check      fast tests: unit tests and tool integration tests
#   make fate       patch FFmpeg release trees, run the filter's FATE tests
#   make ffmpeg     build a patched ffmpeg for users (FULL=1: Debian's codec set)
#   make install-ffmpeg  install it as ffmpeg-dialogueduck under PREFIX
#   make eval       score ducking quality against stock FFmpeg
#   make bench      speed and memory against stock FFmpeg (10-minute inputs)
#   make bench-long make bench and 1- and 2-hour inputs (memory at 2 h)
#   make fuzz       run the fuzz targets for a bounded time
#   make check-load determinism under CPU load (100 runs, 50 Slurm tests)
#   make check-long memory flat from a 1-hour to a 24-hour input
#   make demo       generate a demo scene and duck it
#   make install    PREFIX, DESTDIR (INSTALL_STRIP=1 or make install-strip
#                   to strip the program)
#   make man        regenerate the man page's option sections from --help
#   make deb        build the Debian package (dpkg-buildpackage) and check it
#   sh tests/deps.sh install [TIER...]   the Debian packages of the tiers
#   make lib        libdialogueduck (static and shared) from core/ alone

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
CORE_PIC_OBJS = $(CORE_SRCS:%.c=$(BUILD)/pic/%.o)
TOOL_OBJS = $(TOOL_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS = $(UNIT_SRCS:%.c=$(BUILD)/%)

# libdialogueduck: the engine alone, exporting only what dialogueduck.h
# declares (core/libdialogueduck.ver lists it).
LIB = libdialogueduck
LIB_MAJOR = $(word 1,$(subst ., ,$(VERSION)))
LIB_SONAME = $(LIB).so.$(LIB_MAJOR)
LIB_SHARED = $(LIB).so.$(VERSION)
LIB_VER = core/libdialogueduck.ver
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

ALL_CFLAGS = $(CFLAGS) -I. -Icore $(TOOL_DIRS:%=-I%) $(PKG_CFLAGS)

all: $(PROG)

$(BUILD)/core/%.o: core/%.c $(wildcard core/*.h) config.mak
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Icore -c -o $@ $<

$(BUILD)/tool/%.o: tool/%.c $(wildcard core/*.h) $(TOOL_HDRS) config.h config.mak
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/pic/core/%.o: core/%.c $(wildcard core/*.h) config.mak
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -Icore -c -o $@ $<

# The static library is one relocatable object whose internal symbols are
# made local, so a program linking it (ours included) can reach the public
# API only.
$(BUILD)/$(LIB).keep: $(LIB_VER)
	@mkdir -p $(@D)
	sed -n 's/^[[:space:]]*\(dd_[a-z0-9_]*\);.*/\1/p' $< > $@

$(BUILD)/$(LIB).a: $(CORE_OBJS) $(BUILD)/$(LIB).keep
	@rm -f $@ $(BUILD)/$(LIB).o
	$(LD) -r -o $(BUILD)/$(LIB).o $(CORE_OBJS)
	objcopy --keep-global-symbols=$(BUILD)/$(LIB).keep $(BUILD)/$(LIB).o
	$(AR) rcs $@ $(BUILD)/$(LIB).o

$(BUILD)/$(LIB_SHARED): $(CORE_PIC_OBJS) $(LIB_VER)
	$(CC) -shared $(LDFLAGS) -Wl,-soname,$(LIB_SONAME) \
	    -Wl,--version-script,$(LIB_VER) -o $@ $(CORE_PIC_OBJS) -lm

lib: $(BUILD)/$(LIB).a $(BUILD)/$(LIB_SHARED)

# The program's own objects; it links the engine through libdialogueduck.a.
$(BUILD)/libdd.a: $(TOOL_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# Each build tree links its own program (a sanitizer tree must not replace
# ./dialogueduck); ./dialogueduck is a copy of the default tree's.
$(BUILD)/$(PROG): $(BUILD)/tool/main.o $(BUILD)/libdd.a $(BUILD)/$(LIB).a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(PROG): $(BUILD)/$(PROG)
	cp $(BUILD)/$(PROG) $@

# Unit tests are white-box: they link the engine's objects, internal
# functions included (the program and tests/lib/ see the public API only).
$(BUILD)/tests/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libdd.a $(CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libdd.a $(CORE_OBJS) $(PKG_LIBS) -lm

unit: $(UNIT_BINS)

check: $(BUILD)/$(PROG) $(UNIT_BINS) lib
	@sh tests/deps.sh check check
	BUILD=$(BUILD) DD=$(CURDIR)/$(BUILD)/$(PROG) \
	    LIB_CLIENT_FLAGS="$(filter -fsanitize%,$(LDFLAGS))" sh tests/run-check.sh

check-farm: $(PROG)
	@sh tests/deps.sh check check-farm
	sh tests/farm/run.sh

# determinism under load: 100 runs of one job, then 50 Slurm tests in a row
check-load: $(PROG)
	RUNS=100 sh tests/tool/test_determinism.sh
	sh tests/farm/loop.sh

# memory on a day of audio (LONG_HOURS=24) against one hour
check-long: $(PROG)
	@sh tests/deps.sh check bench
	DD=$(CURDIR)/$(PROG) sh tests/bench/long_memory.sh

fate:
	@sh tests/deps.sh check fate
	sh libavfilter-patch/fate.sh

ffmpeg:
	@sh tests/deps.sh check fate
	sh libavfilter-patch/build-ffmpeg.sh

# the patched ffmpeg/ffprobe as ffmpeg-dialogueduck/ffprobe-dialogueduck
install-ffmpeg:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" sh libavfilter-patch/build-ffmpeg.sh --install

eval: $(PROG)
	@sh tests/deps.sh check eval
	sh tests/eval/run.sh

bench: $(PROG)
	@sh tests/deps.sh check bench
	sh tests/bench/run.sh

# make bench and the 1- and 2-hour inputs: cost per audio hour, peak memory
bench-long: $(PROG)
	@sh tests/deps.sh check bench
	sh tests/bench/run.sh --long

fuzz:
	@sh tests/deps.sh check fuzz
	sh tests/fuzz/run.sh

demo: $(PROG)
	@sh tests/deps.sh check demo
	sh tests/demo.sh

deb:
	@sh tests/deps.sh check deb
	sh tests/deb/run.sh

install: $(PROG) install-lib
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(if $(filter 1,$(INSTALL_STRIP)),-s --strip-program=$(STRIP)) $(PROG) $(DESTDIR)$(BINDIR)/$(PROG)

install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 644 core/dialogueduck.h $(DESTDIR)$(INCLUDEDIR)/dialogueduck.h
	install -m 644 $(BUILD)/$(LIB).a $(DESTDIR)$(LIBDIR)/$(LIB).a
	install -m 755 $(BUILD)/$(LIB_SHARED) $(DESTDIR)$(LIBDIR)/$(LIB_SHARED)
	ln -sf $(LIB_SHARED) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/$(LIB).so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    core/dialogueduck.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/dialogueduck.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG)
	rm -f $(DESTDIR)$(INCLUDEDIR)/dialogueduck.h $(DESTDIR)$(LIBDIR)/$(LIB).a \
	    $(DESTDIR)$(LIBDIR)/$(LIB_SHARED) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME) \
	    $(DESTDIR)$(LIBDIR)/$(LIB).so $(DESTDIR)$(LIBDIR)/pkgconfig/dialogueduck.pc

include doc/install.mak

clean:
	rm -rf $(BUILD) $(PROG) demo

distclean: clean
	rm -f config.mak config.h

.PHONY: all lib install-lib unit check check-farm check-load check-long fate ffmpeg install-ffmpeg eval bench bench-long fuzz demo install uninstall clean distclean deb
