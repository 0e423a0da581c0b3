# Top-level build.  One static library (libvbox.a) from lib/*, three front
# ends over it.  Parts may add rules in lib/<part>/rules.mk (generated
# sources and the like); nothing else needs editing here when a file is
# added, since sources are found by wildcard.
#
#   make                       build into build/
#   make SANITIZE=address,undefined   the same tree with sanitizers, in build-asan/
#   make check                 install deps, build, run every test (see tests/run-all.sh)
#   make demo                  install deps, build, boot the demo guest headless
#   make install PREFIX=/usr/local

PREFIX    ?= /usr/local
CC        ?= cc
WERROR    ?= 1
SANITIZE  ?=

ifeq ($(SANITIZE),)
B         ?= build
else ifeq ($(SANITIZE),fuzzer)
B         ?= build-fuzz
else
B         ?= build-asan
endif

PKGS      := libxml-2.0 libarchive zlib nettle
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SDL_CFLAGS := $(shell pkg-config --cflags sdl2 2>/dev/null)
SDL_LIBS  := $(shell pkg-config --libs sdl2 2>/dev/null)

WARN      := -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes \
             -Wstrict-prototypes -Wvla -Wwrite-strings -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN      += -Werror
endif
OPT       ?= -O2
CFLAGS    ?=
CFLAGS    += -std=gnu11 $(OPT) -g $(WARN) -D_GNU_SOURCE -I. -Iinclude $(PKG_CFLAGS)
LDFLAGS   ?=
LDLIBS    := -Wl,--as-needed $(PKG_LIBS) -lcapstone -lslirp -ldeflate -lpthread -lm -lrt

ifneq ($(SANITIZE),)
ifeq ($(SANITIZE),fuzzer)
CC        := clang
CFLAGS    += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -DVB_FUZZING
LDFLAGS   += -fsanitize=address,undefined
else
CFLAGS    += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=$(SANITIZE)
endif
endif

VERSION_MAJOR := 7
VERSION_MINOR := 0
VERSION_BUILD := 26
VERSION_TAG   := KVM
REVISION  := $(shell git rev-list --count HEAD 2>/dev/null || echo 1)
BUILD_YEAR := $(shell date +%Y)
VERSION_DEFS := -DVB_VERSION_MAJOR=$(VERSION_MAJOR) -DVB_VERSION_MINOR=$(VERSION_MINOR) \
             -DVB_VERSION_BUILD=$(VERSION_BUILD) -DVB_VERSION_TAG='"$(VERSION_TAG)"' \
             -DVB_REVISION=$(REVISION) -DVB_BUILD_YEAR=$(BUILD_YEAR)

LIB_SRCS  := $(sort $(shell find lib -name '*.c' 2>/dev/null))
GEN_SRCS  :=
-include $(sort $(wildcard lib/*/rules.mk lib/*/*/rules.mk))
LIB_OBJS  := $(patsubst %.c,$(B)/%.o,$(LIB_SRCS) $(GEN_SRCS))

VBM_SRCS  := $(sort $(wildcard cmd/vboxmanage/*.c))
VBH_SRCS  := $(sort $(wildcard cmd/vboxheadless/*.c))
VBS_SRCS  := $(sort $(wildcard cmd/vboxsdl/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOLS     := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(TOOL_SRCS))

BINS      := $(B)/bin/VBoxManage $(B)/bin/VBoxHeadless $(B)/bin/VBoxSDL
LINKS     := $(B)/bin/vboxmanage $(B)/bin/vboxheadless $(B)/bin/vboxsdl

.PHONY: all lib bins unit fuzzers check demo deps install clean distclean man man-update

all: bins $(B)/tests/unit-tests $(TOOLS)

bins: $(BINS) $(LINKS)

lib: $(B)/libvbox.a

V ?= 0
ifeq ($(V),0)
Q := @
endif

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(VERSION_DEFS) -MMD -MP -c -o $@ $<

$(B)/libvbox.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	@echo "  AR      $@"
	$(Q)ar rcs $@ $^

$(B)/bin/VBoxManage: $(patsubst %.c,$(B)/%.o,$(VBM_SRCS)) $(B)/libvbox.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(B)/libvbox.a $(LDLIBS)

$(B)/bin/VBoxHeadless: $(patsubst %.c,$(B)/%.o,$(VBH_SRCS)) $(B)/libvbox.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(B)/libvbox.a $(LDLIBS)

$(B)/bin/VBoxSDL: $(patsubst %.c,$(B)/%.o,$(VBS_SRCS)) $(B)/libvbox.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(B)/libvbox.a $(SDL_LIBS) $(LDLIBS)

$(B)/cmd/vboxsdl/%.o: cmd/vboxsdl/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(SDL_CFLAGS) $(VERSION_DEFS) -MMD -MP -c -o $@ $<

$(B)/bin/vboxmanage: $(B)/bin/VBoxManage
	$(Q)ln -sf VBoxManage $@
$(B)/bin/vboxheadless: $(B)/bin/VBoxHeadless
	$(Q)ln -sf VBoxHeadless $@
$(B)/bin/vboxsdl: $(B)/bin/VBoxSDL
	$(Q)ln -sf VBoxSDL $@

# Unit tests: every tests/unit/t-*.c is linked into one binary; the list of
# test functions (test_<suite>__<case>) is collected by a script.
$(B)/tests/unit-registry.c: $(UNIT_SRCS) tests/unit/collect.sh
	@mkdir -p $(dir $@)
	$(Q)sh tests/unit/collect.sh $(filter %.c,$^) > $@

$(B)/tests/unit-tests: $(patsubst %.c,$(B)/%.o,$(UNIT_SRCS)) $(B)/tests/unit-registry.o $(B)/libvbox.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(B)/libvbox.a $(SDL_LIBS) $(LDLIBS)

$(B)/tests/unit-registry.o: $(B)/tests/unit-registry.c
	$(Q)$(CC) $(UNIT_CFLAGS) -c -o $@ $<

UNIT_CFLAGS := $(CFLAGS) -Itests/unit -Wno-missing-prototypes -Wno-write-strings -Wno-discarded-qualifiers
$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UNIT_CFLAGS) $(VERSION_DEFS) -MMD -MP -c -o $@ $<

unit: $(B)/tests/unit-tests

# Test helper programs (tests/tools/*.c, one program per file).
$(B)/tests/tools/%: tests/tools/%.c $(B)/libvbox.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libvbox.a $(LDLIBS)

# libFuzzer harnesses (make SANITIZE=fuzzer fuzzers).
FUZZERS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))
fuzzers: $(FUZZERS)
$(B)/fuzz/%: tests/fuzz/%.c $(B)/libvbox.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(B)/libvbox.a $(LDLIBS)

man: bins
	sh man/check-man.sh $(B)/bin/VBoxManage

man-update: bins
	sh man/check-man.sh $(B)/bin/VBoxManage --update

deps:
	sh scripts/deps.sh

check: deps
	$(MAKE) all
	sh tests/run-all.sh

demo: deps
	$(MAKE) all
	sh scripts/demo.sh

install: bins
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	ln -sf VBoxManage $(DESTDIR)$(PREFIX)/bin/vboxmanage
	ln -sf VBoxHeadless $(DESTDIR)$(PREFIX)/bin/vboxheadless
	ln -sf VBoxSDL $(DESTDIR)$(PREFIX)/bin/vboxsdl
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
