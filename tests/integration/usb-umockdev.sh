#!/bin/sh
# usb-umockdev.sh: builds the libusb backend's host test (tests/umockdev/)
# against build/libgated.a and runs it under umockdev-wrapper, so the real
# libusb talks to emulated devices.  Prints the test's PASS:/FAIL: lines,
# or one SKIP: when umockdev is not installed.  GLib stays out of the
# daemon's build: only this script links it, into $BUILD/umockdev/.
#
# Usage: tests/integration/usb-umockdev.sh     (BUILD=build-asan for ASan)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
pkgs="umockdev-1.0 glib-2.0 gobject-2.0 gio-2.0 libevent libusb-1.0 jansson"

if ! command -v umockdev-wrapper >/dev/null 2>&1 ||
    ! $PKG_CONFIG --exists $pkgs 2>/dev/null; then
	echo "SKIP: umockdev, its headers or a library is missing" \
	    "(packages umockdev libumockdev-dev)"
	exit 0
fi
if [ ! -f "$BUILD/libgated.a" ]; then
	echo "FAIL: $BUILD/libgated.a missing: run make first"
	exit 1
fi

san=""
case "$BUILD" in
*asan*)	san="-fsanitize=address,undefined -fno-omit-frame-pointer"
	# The preload library comes first, not ASan's runtime.
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" ;;
esac

out=$BUILD/umockdev
mkdir -p "$out"
# shellcheck disable=SC2046,SC2086
if ! $CC -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
    -Wmissing-prototypes $san -Ihw -Iagent -Itests/unit -Itests/umockdev \
    $($PKG_CONFIG --cflags $pkgs) \
    -o "$out/test-usb" tests/umockdev/test-usb.c tests/umockdev/mockusb.c \
    "$BUILD/libgated.a" $($PKG_CONFIG --libs $pkgs) \
    >"$out/build.log" 2>&1; then
	sed 's/^/    /' "$out/build.log"
	echo "FAIL: tests/umockdev/test-usb.c does not build"
	exit 1
fi
exec umockdev-wrapper "$out/test-usb"
