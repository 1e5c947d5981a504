# gated: a campus gate controller.  Plain make; every library through
# pkg-config.  `make` builds build/gated, build/gatectl and build/gated-hub.

PREFIX	?= /usr/local
BUILD	?= build
CC	?= cc
PKG_CONFIG ?= pkg-config

# SANITIZE=1 builds into build-asan with ASan and UBSan.
ifeq ($(SANITIZE),1)
BUILD	:= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
endif

# libgpiod: hw/gpiod.c is the backend for the 1.x API (Debian 12, Raspberry
# Pi OS bookworm), hw/gpiod2.c for 2.x (Debian 13, trixie), picked from the
# version pkg-config reports.  GPIOD=2 where the system's libgpiod is 1.x
# builds against the private copy of Debian 13's libgpiod 2 that
# scripts/gpiod2-prefix unpacks (GPIOD_ARCH's, default the machine's),
# linked with an rpath to it, into a build directory of its own
# (build-gpiod2), so both builds live side by side.
GPIOD2_PREFIX ?= /usr/local/lib/gated-gpiod2
GPIOD_SYS := $(firstword $(subst ., ,$(shell $(PKG_CONFIG) --modversion \
	    libgpiod 2>/dev/null)))
GPIOD	?= $(or $(GPIOD_SYS),1)
PKGCONF	:= $(PKG_CONFIG)
ifeq ($(filter 1 2,$(GPIOD)),)
$(error GPIOD=$(GPIOD): 1 or 2)
endif
ifeq ($(GPIOD)/$(GPIOD_SYS),2/1)
GPIOD_ARCH ?= $(shell dpkg --print-architecture)
GPIOD2_LIBDIR := $(GPIOD2_PREFIX)/$(GPIOD_ARCH)/usr/lib/$(shell \
	    dpkg-architecture -a$(GPIOD_ARCH) -qDEB_HOST_MULTIARCH 2>/dev/null)
PKGCONF	:= PKG_CONFIG_PATH=$(GPIOD2_LIBDIR)/pkgconfig$(if \
	    $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH)) $(PKG_CONFIG)
GPIOD_LDFLAGS := -Wl,-rpath,$(GPIOD2_LIBDIR)
ifneq ($(origin BUILD),command line)
BUILD	:= $(BUILD)-gpiod2
endif
endif
GPIOD_OTHER := $(if $(filter 2,$(GPIOD)),hw/gpiod.c,hw/gpiod2.c)

PKGS	:= libevent libevent_pthreads libevent_openssl jansson sqlite3 libsystemd libgpiod \
	   libusb-1.0 openssl libmosquitto
# Read once when the Makefile is parsed.  demo and check install the
# packages first and then build in a second make, which reads them anew:
# on a fresh machine the first make saw no -dev packages at all.
PKG_CFLAGS := $(shell $(PKGCONF) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKGCONF) --libs $(PKGS) 2>/dev/null)
# gatectl alone: the visitor pass's QR code, in the terminal and as PNG.
CTL_PKGS := libqrencode libpng
CTL_PKG_CFLAGS := $(shell $(PKGCONF) --cflags $(CTL_PKGS) 2>/dev/null)
CTL_PKG_LIBS := $(shell $(PKGCONF) --libs $(CTL_PKGS) 2>/dev/null)
# gated-hub alone: PostgreSQL (libpq), its second database, built in
# when pkg-config finds libpq (scripts/install-deps run installs it; for
# arm64, scripts/cross-dev).  A build without it has SQLite alone and
# says so for a postgresql: database.
HUB_PKGS := $(shell $(PKGCONF) --exists libpq 2>/dev/null && echo libpq)
HUB_PKG_CFLAGS := $(if $(HUB_PKGS),-DHUB_HAVE_PG $(shell $(PKGCONF) \
	    --cflags $(HUB_PKGS) 2>/dev/null))
HUB_PKG_LIBS := $(if $(HUB_PKGS),$(shell $(PKGCONF) --libs $(HUB_PKGS) \
	    2>/dev/null))
PKG_MISSING := $(shell $(PKGCONF) --exists $(PKGS) $(CTL_PKGS) 2>/dev/null || \
	    echo yes)
GPIOD_HAVE := $(firstword $(subst ., ,$(shell $(PKGCONF) --modversion \
	    libgpiod 2>/dev/null)))

# Goals that do not compile against the libraries (or install them first).
NO_PKG_GOALS := deps demo check fresh-check cross deb clean uninstall
ifneq ($(PKG_MISSING),)
ifneq ($(filter-out $(NO_PKG_GOALS),$(or $(MAKECMDGOALS),all)),)
$(error pkg-config finds none or not all of: $(PKGS) $(CTL_PKGS); \
    run scripts/install-deps run as root, or make demo)
endif
endif
ifneq ($(GPIOD_HAVE),$(GPIOD))
ifneq ($(filter-out $(NO_PKG_GOALS),$(or $(MAKECMDGOALS),all)),)
$(error GPIOD=$(GPIOD) but pkg-config finds libgpiod $(GPIOD_HAVE); \
    for GPIOD=2 run scripts/gpiod2-prefix as root)
endif
endif

# The version gated -V prints is the first entry of debian/changelog, its
# one source: the package and the binary cannot disagree.
VERSION	:= $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)

WARN	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wsign-compare
CFLAGS	?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) \
	   $(PKG_CFLAGS)
ALL_LDFLAGS := -Wl,--as-needed $(GPIOD_LDFLAGS) $(LDFLAGS) $(SANFLAGS)

# The layers.  Each directory is compiled with only the include paths it
# may use, so that an include across the layers fails the build:
# common/ (log, allocation, clocks) uses nobody; hw/ (the backends behind
# hw.h) uses common/ and knows nothing of the agent; agent/ uses hw/ and
# common/; gatectl/ speaks to the agent only through common/protocol.h.
# The programs link the layers' archives in that order, highest first.
INC_common	:= -Icommon
INC_hw		:= -Ihw -Icommon
INC_agent	:= -Iagent -Ihw -Icommon
INC_gatectl	:= -Igatectl -Icommon $(CTL_PKG_CFLAGS)
INC_hub		:= -Ihub -Icommon $(HUB_PKG_CFLAGS)
INC_tests	:= -Iagent -Ihw -Icommon -Igatectl -Itests/unit

COMMON_SRC := $(wildcard common/*.c)
HW_SRC	:= $(filter-out $(GPIOD_OTHER),$(wildcard hw/*.c))
AGENT_SRC := $(filter-out agent/main.c,$(wildcard agent/*.c))
# gatectl: main() and the rest in libgatectl.a, which its unit tests link.
CTL_SRC	:= $(filter-out gatectl/gatectl.c,$(wildcard gatectl/*.c))
# gated-hub: hub/ over common/ only; main() apart, as for gated.
HUB_SRC	:= $(filter-out hub/main.c $(if $(HUB_PKGS),,hub/db-pg.c), \
	    $(wildcard hub/*.c))
obj	= $(1:%.c=$(BUILD)/obj/%.o)
LIBS	:= $(BUILD)/libagent.a $(BUILD)/libhw.a $(BUILD)/libcommon.a
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all libs deps demo check fresh-check unit bench bench-bin vmtest \
	clean install uninstall
all: $(BUILD)/gated $(BUILD)/gatectl $(BUILD)/gated-hub

# The archives the programs, the unit tests and the scripts' test
# programs (tests/umockdev, tests/vm) link.
libs: $(LIBS)

# $* is dir/name: the directory picks the include paths.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC_$(firstword $(subst /, ,$*))) -MMD -MP \
	    -c -o $@ $<

$(BUILD)/obj/agent/main.o: ALL_CFLAGS += -DGATED_VERSION='"$(VERSION)"'
$(BUILD)/obj/agent/main.o: debian/changelog
$(BUILD)/obj/hub/main.o $(BUILD)/obj/hub/api-campus.o: \
    ALL_CFLAGS += -DGATED_VERSION='"$(VERSION)"'
$(BUILD)/obj/hub/main.o $(BUILD)/obj/hub/api-campus.o: debian/changelog

$(BUILD)/libcommon.a: $(call obj,$(COMMON_SRC))
$(BUILD)/libhw.a: $(call obj,$(HW_SRC))
$(BUILD)/libagent.a: $(call obj,$(AGENT_SRC))
$(BUILD)/libgatectl.a: $(call obj,$(CTL_SRC))
$(BUILD)/libhub.a: $(call obj,$(HUB_SRC))
$(BUILD)/lib%.a:
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/gated: $(BUILD)/obj/agent/main.o $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# gated-hub: the campus daemon, hub/ over common/ (docs/hub.md).
$(BUILD)/gated-hub: $(BUILD)/obj/hub/main.o $(BUILD)/libhub.a \
    $(BUILD)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(HUB_PKG_LIBS) $(PKG_LIBS) -lm

$(BUILD)/gatectl: $(BUILD)/obj/gatectl/gatectl.o $(BUILD)/libgatectl.a \
    $(BUILD)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CTL_PKG_LIBS) -lm

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC_tests) -o $@ $< $(LIBS) \
	    $(ALL_LDFLAGS) $(PKG_LIBS) -lm

# gatectl's unit tests (test-ctl-*) link gatectl's library.
$(BUILD)/tests/test-ctl-%: tests/unit/test-ctl-%.c tests/unit/unit.h \
    $(BUILD)/libgatectl.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC_gatectl) -Itests/unit -o $@ $< \
	    $(BUILD)/libgatectl.a $(BUILD)/libcommon.a $(ALL_LDFLAGS) \
	    $(PKG_LIBS) -lm

# The hub's unit tests (test-hub-*) link libhub.a and see hub/ and common/.
$(BUILD)/tests/test-hub-%: tests/unit/test-hub-%.c tests/unit/unit.h \
    $(BUILD)/libhub.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC_hub) -Itests/unit -o $@ $< \
	    $(BUILD)/libhub.a $(BUILD)/libcommon.a $(ALL_LDFLAGS) \
	    $(HUB_PKG_LIBS) $(PKG_LIBS) -lm

# The hub's bench programs (bench-hub-*) link libhub.a, as its tests.
$(BUILD)/bench/bench-hub-%: tests/bench/bench-hub-%.c $(BUILD)/libhub.a \
    $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC_hub) -O2 -o $@ $< $(BUILD)/libhub.a \
	    $(BUILD)/libcommon.a $(ALL_LDFLAGS) $(HUB_PKG_LIBS) $(PKG_LIBS) -lm

$(BUILD)/bench/%: tests/bench/%.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC_tests) -O2 -o $@ $< $(LIBS) \
	    $(ALL_LDFLAGS) $(PKG_LIBS) -lm

deps:
	@scripts/install-deps all

unit: $(UNIT_BIN)

# The bench programs: make check builds them for bench-smoke.sh.
bench-bin: $(BENCH_BIN)

# The two commands of the README.  Each installs its tier of packages and
# then builds in a new make, whose pkg-config flags see them.  check also
# builds the libgpiod 2 backend (build-gpiod2) where the system's libgpiod
# is 1.x; tests/run runs its unit tests and the VM and arm64 tests use it.
demo:
	@scripts/install-deps run
	@$(MAKE) --no-print-directory all
	@scripts/demo

check:
	@scripts/install-deps all
	@$(MAKE) --no-print-directory all unit bench-bin
	@if [ "$$($(PKG_CONFIG) --modversion libgpiod | cut -d. -f1)" = 1 ] && \
	    [ -d $(GPIOD2_PREFIX) ]; then \
		$(MAKE) --no-print-directory GPIOD=2 all unit; fi
	@tests/run

# The README's commands on a fresh minimal Debian 12 root (debootstrap).
fresh-check:
	@tests/fresh/run

bench: all bench-bin
	@tests/bench/run

# Every fuzz target for FUZZ_SECONDS each (600), its corpus kept in
# build/fuzz: execs, rate, findings, and 1 on any (docs/fuzzing.md).
# Not in check, which runs the same targets for 5 s each.
.PHONY: fuzz-long
fuzz-long:
	@FUZZ_LONG=1 FUZZ_SECONDS=$${FUZZ_SECONDS:-600} \
	    sh tests/integration/fuzz.sh

vmtest: all
	@tests/vm/run

# The VM's power cut alone, 20 cycles (docs/vm-tests.md); vmtest and check
# run 3 of them.
.PHONY: powercut
powercut: all
	@tests/vm/powercut

# make install: honours DESTDIR and PREFIX.  The unit, udev rules,
# sysusers.d and tmpfiles.d directories come from pkg-config where systemd
# and udev know them.  Configs in /etc/gated ship as .example files, always
# refreshed, and are copied to their real names only when none exist: an
# install never overwrites a gate's configuration.  hub.conf is never
# written (a gate is not a hub): gated-hub's unit waits for one.
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
pcvar	= $(or $(shell $(PKG_CONFIG) --variable=$(1) $(2) 2>/dev/null),$(3))
UNITDIR	?= $(call pcvar,systemdsystemunitdir,systemd,/lib/systemd/system)
UDEVDIR	?= $(call pcvar,udevdir,udev,/lib/udev)
SYSUSERSDIR ?= $(call pcvar,sysusersdir,systemd,/usr/lib/sysusers.d)
TMPFILESDIR ?= $(call pcvar,tmpfilesdir,systemd,/usr/lib/tmpfiles.d)
CONFDIR	:= $(DESTDIR)/etc/gated
MANS	:= $(wildcard docs/man/*.1 docs/man/*.5 docs/man/*.8)
# The web console (docs/console.md): its files as they are, each text one
# with a NAME.gz beside it (gzip, not a library: gated sends the .gz to a
# browser that takes gzip).  [remote] console's default is
# /usr/share/gated/console, the package's; set it for another PREFIX.
CONSOLEDIR ?= $(PREFIX)/share/gated/console
CONSOLE_FILES := $(shell find console -type f ! -name '*.gz' 2>/dev/null)

.PHONY: cross FORCE
FORCE:

# Rewritten on every run, but only touched when SBINDIR changed.
$(BUILD)/gated.service: systemd/gated.service.in FORCE
	@mkdir -p $(dir $@)
	@sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/gated.service.in >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/gated-hub.service: systemd/gated-hub.service.in FORCE
	@mkdir -p $(dir $@)
	@sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/gated-hub.service.in >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# The demo gate on real hardware: the Pi's GPIO and USB backends and the
# default state and socket paths that the unit's directories provide.
$(BUILD)/gated.conf.example: docs/examples/south.conf
	@mkdir -p $(dir $@)
	sed -e 's|^gpio-backend[[:space:]]*=.*|gpio-backend = gpiod|' \
	    -e 's|^usb-backend[[:space:]]*=.*|usb-backend = libusb|' \
	    -e 's|^state-dir[[:space:]]*=.*|state-dir = /var/lib/gated|' \
	    -e 's|^socket[[:space:]]*=.*|socket = /run/gated/control.sock|' \
	    -e 's|^# A demo gate.*|# The demo gate of docs/examples/south.conf, for a Raspberry Pi;|' \
	    -e 's|^# on a Raspberry Pi, set.*|# with the gpiod and libusb backends (make install, the Debian package).|' \
	    docs/examples/south.conf >$@

install: all $(BUILD)/gated.service $(BUILD)/gated-hub.service \
    $(BUILD)/gated.conf.example
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(CONFDIR) \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(UDEVDIR)/rules.d \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/gated $(DESTDIR)$(SBINDIR)/gated
	install -m 0755 $(BUILD)/gatectl $(DESTDIR)$(BINDIR)/gatectl
	install -m 0644 $(BUILD)/gated.service $(DESTDIR)$(UNITDIR)/gated.service
	install -m 0644 udev/60-gated.rules $(DESTDIR)$(UDEVDIR)/rules.d/
	install -m 0644 systemd/gated.sysusers $(DESTDIR)$(SYSUSERSDIR)/gated.conf
	install -m 0644 systemd/gated.tmpfiles $(DESTDIR)$(TMPFILESDIR)/gated.conf
	install -m 0644 $(BUILD)/gated.conf.example $(CONFDIR)/gated.conf.example
	install -m 0755 $(BUILD)/gated-hub $(DESTDIR)$(SBINDIR)/gated-hub
	install -m 0644 $(BUILD)/gated-hub.service \
	    $(DESTDIR)$(UNITDIR)/gated-hub.service
	install -m 0644 systemd/gated-hub.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/gated-hub.conf
	install -m 0644 systemd/gated-hub.tmpfiles \
	    $(DESTDIR)$(TMPFILESDIR)/gated-hub.conf
	install -m 0644 docs/examples/hub.conf $(CONFDIR)/hub.conf.example
	install -m 0644 docs/examples/people.csv $(CONFDIR)/people.csv.example
	[ -e $(CONFDIR)/gated.conf ] || \
	    install -m 0644 $(BUILD)/gated.conf.example $(CONFDIR)/gated.conf
	[ -e $(CONFDIR)/people.csv ] || \
	    install -m 0640 docs/examples/people.csv $(CONFDIR)/people.csv
	for m in $(MANS); do \
	    install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; \
	done
	for f in $(CONSOLE_FILES); do \
	    d=$(DESTDIR)$(CONSOLEDIR)/$${f#console/}; \
	    install -D -m 0644 $$f $$d || exit 1; \
	    case $$f in *.html|*.css|*.js|*.svg|*.json) \
		gzip -9 -n -k -f $$d || exit 1 ;; esac; \
	done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then \
	    echo "install: creating user gated, /var/lib/gated, reloading"; \
	    systemd-sysusers gated.conf gated-hub.conf; \
	    systemd-tmpfiles --create gated.conf gated-hub.conf; \
	    udevadm control --reload 2>/dev/null; \
	    systemctl daemon-reload 2>/dev/null; true; \
	fi

# Removes what install put, except the configs a gate runs on.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/gated $(DESTDIR)$(BINDIR)/gatectl \
	    $(DESTDIR)$(UNITDIR)/gated.service \
	    $(DESTDIR)$(UDEVDIR)/rules.d/60-gated.rules \
	    $(DESTDIR)$(SYSUSERSDIR)/gated.conf \
	    $(DESTDIR)$(TMPFILESDIR)/gated.conf \
	    $(CONFDIR)/gated.conf.example $(CONFDIR)/people.csv.example \
	    $(DESTDIR)$(SBINDIR)/gated-hub $(DESTDIR)$(UNITDIR)/gated-hub.service \
	    $(DESTDIR)$(SYSUSERSDIR)/gated-hub.conf \
	    $(DESTDIR)$(TMPFILESDIR)/gated-hub.conf $(CONFDIR)/hub.conf.example \
	    $(foreach m,$(MANS),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	rm -rf $(DESTDIR)$(CONSOLEDIR)
	-rmdir $(CONFDIR) 2>/dev/null

# make cross ARCH=arm64: the Pi's binaries and unit tests in build-arm64,
# with Debian's cross compiler and arm64 -dev packages (see
# scripts/install-deps); tests/integration/arm64.sh runs them under qemu.
# With GPIOD=2, against the private arm64 libgpiod 2, in build-arm64-gpiod2.
ARCH	?= arm64
CROSS_arm64 := aarch64-linux-gnu
cross:
	@test -n "$(CROSS_$(ARCH))" || { echo "cross: unknown ARCH $(ARCH)"; exit 2; }
	$(MAKE) BUILD=build-$(ARCH)$(if $(GPIOD_LDFLAGS),-gpiod2) \
	    GPIOD_ARCH=$(ARCH) CC=$(CROSS_$(ARCH))-gcc \
	    AR=$(CROSS_$(ARCH))-ar PKG_CONFIG=$(CROSS_$(ARCH))-pkg-config \
	    all unit

# make deb: the Debian packages gated, gatectl and gated-hub for this
# machine and, cross-built, arm64, into build-deb/ (scripts/build-deb,
# docs/install.md).
.PHONY: deb
deb:
	@scripts/build-deb

clean:
	rm -rf build build-asan build-gpiod2 build-asan-gpiod2

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# make print-VAR: a variable's value, for the tests that check the build's
# own rules (tests/integration/structure.sh reads the layers' -I flags).
print-%:
	@echo '$($*)'
