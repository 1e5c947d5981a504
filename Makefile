# gated: a campus gate controller.  Plain make; every library through
# pkg-config.  `make` builds build/gated and build/gatectl.

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

PKGS	:= libevent libevent_pthreads libevent_openssl jansson sqlite3 libsystemd libgpiod \
	   libusb-1.0 openssl
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

WARN	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wsign-compare
CFLAGS	?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) \
	   -Iagent -Ihw $(PKG_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

LIB_SRC	:= $(filter-out agent/main.c,$(wildcard agent/*.c)) $(wildcard hw/*.c)
LIB_OBJ	:= $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CTL_SRC	:= $(wildcard gatectl/*.c)
CTL_OBJ	:= $(CTL_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps demo check unit bench vmtest clean install uninstall
all: $(BUILD)/gated $(BUILD)/gatectl

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libgated.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/gated: $(BUILD)/obj/agent/main.o $(BUILD)/libgated.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/gatectl: $(CTL_OBJ) $(BUILD)/libgated.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libgated.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libgated.a \
	    $(ALL_LDFLAGS) $(PKG_LIBS) -lm

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libgated.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $< $(BUILD)/libgated.a \
	    $(ALL_LDFLAGS) $(PKG_LIBS) -lm

deps:
	@scripts/install-deps

unit: $(UNIT_BIN)

# The two commands of the README.
demo: deps all
	@scripts/demo

check: deps all unit
	@tests/run

bench: all $(BENCH_BIN)
	@tests/bench/run

vmtest: all
	@tests/vm/run

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
