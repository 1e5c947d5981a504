#!/bin/sh
# usb-umockdev.sh: the libusb backend's host tests (tests/umockdev/), with
# the REAL libusb talking to devices umockdev emulates, always under ASan
# and UBSan: the backend's memory errors (a pointer kept into a freed
# config) show nowhere else, the simulator never reaches that code.
#   test-usb     the backend alone: cards, temperatures, unplug, replug
#   test-reload  the whole agent: config reload, unplug, replug, a card
# Builds the archives of build-asan first (make SANITIZE=1 libs; a no-op when they are
# up to date).  Prints the tests' PASS:/FAIL: lines, or one SKIP: when
# umockdev is not installed.  GLib stays out of the daemon's build: only
# this script links it, into build-asan/umockdev/.
#
# Usage: tests/integration/usb-umockdev.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
ABUILD=build-asan
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
pkgs="umockdev-1.0 glib-2.0 gobject-2.0 gio-2.0 libevent libevent_pthreads
    libusb-1.0 jansson sqlite3 libsystemd libgpiod openssl"

if ! command -v umockdev-wrapper >/dev/null 2>&1 ||
    ! $PKG_CONFIG --exists $pkgs 2>/dev/null; then
	echo "SKIP: umockdev, its headers or a library is missing" \
	    "(packages umockdev libumockdev-dev)"
	exit 0
fi
out=$ABUILD/umockdev
mkdir -p "$out"
if ! make -s --no-print-directory SANITIZE=1 libs \
    >"$out/make.log" 2>&1; then
	sed 's/^/    /' "$out/make.log"
	echo "FAIL: make SANITIZE=1 libs"
	exit 1
fi
# The preload library comes first, not ASan's runtime; any report fails.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:halt_on_error=1:print_stacktrace=1"

T=$(mktemp -d "${TMPDIR:-/tmp}/gated-umockdev.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

rc=0
for t in test-usb test-reload; do
	# shellcheck disable=SC2046,SC2086
	if ! $CC -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
	    -Wmissing-prototypes -fsanitize=address,undefined \
	    -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	    -Ihw -Iagent -Icommon -Itests/unit -Itests/umockdev \
	    $($PKG_CONFIG --cflags $pkgs) \
	    -o "$out/$t" tests/umockdev/$t.c tests/umockdev/mockusb.c \
	    "$ABUILD/libagent.a" "$ABUILD/libhw.a" "$ABUILD/libcommon.a" \
	    $($PKG_CONFIG --libs $pkgs) -lm \
	    >"$out/$t.build" 2>&1; then
		sed 's/^/    /' "$out/$t.build"
		echo "FAIL: tests/umockdev/$t.c does not build"
		rc=1
		continue
	fi
	args=
	if [ $t = test-reload ]; then
		# One lane, reader0 at port 1-1: the bench's gate, private.
		mkdir -p "$T/state"
		sed -e "s|@STATE@|$T/state|g" \
		    -e "s|^people = .*|people = $top/tests/integration/people.csv|" \
		    tests/umockdev/bench-usb.conf >"$T/gate.conf"
		args=$T/gate.conf
	fi
	# shellcheck disable=SC2086
	umockdev-wrapper "$out/$t" $args; s=$?
	if [ $s -ne 0 ]; then
		echo "FAIL: $t exited with status $s (a sanitizer report" \
		    "or a failed check above)"
		rc=1
	fi
done
exit $rc
