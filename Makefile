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
#   make lib        libdialogueduck (static and shared) from core/ alone
#   make install    PREFIX, DESTDIR (LIBDIR, INCLUDEDIR)

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

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/check.h $(BUILD)/libdd.a $(BUILD)/$(LIB).a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libdd.a $(BUILD)/$(LIB).a $(PKG_LIBS) -lm

unit: $(UNIT_BINS)

check: $(BUILD)/$(PROG) $(UNIT_BINS) lib
	BUILD=$(BUILD) DD=$(CURDIR)/$(BUILD)/$(PROG) \
	    LIB_CLIENT_FLAGS="$(filter -fsanitize%,$(LDFLAGS))" sh tests/run-check.sh

check-farm: $(PROG)
	sh tests/farm/run.sh

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

install: $(PROG) install-lib
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/$(PROG)

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
	rm -f $(DESTDIR)$(PREFIX)/bin/$(PROG)
	rm -f $(DESTDIR)$(INCLUDEDIR)/dialogueduck.h $(DESTDIR)$(LIBDIR)/$(LIB).a \
	    $(DESTDIR)$(LIBDIR)/$(LIB_SHARED) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME) \
	    $(DESTDIR)$(LIBDIR)/$(LIB).so $(DESTDIR)$(LIBDIR)/pkgconfig/dialogueduck.pc

clean:
	rm -rf $(BUILD) $(PROG) demo

distclean: clean
	rm -f config.mak config.h

.PHONY: all lib install-lib unit check check-farm fate ffmpeg eval bench fuzz demo install uninstall clean distclean
