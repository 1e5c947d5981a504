#!/bin/sh
# gpiod-build.sh: the Makefile picks the GPIO backend from the libgpiod
# version pkg-config reports (1.x: hw/gpiod.c, 2.x: hw/gpiod2.c), and
# GPIOD=2 on a 1.x machine builds against scripts/gpiod2-prefix's private
# libgpiod 2 into build-gpiod2, linked with an rpath to it.  The trixie
# case (a system libgpiod 2) is played by pointing pkg-config at the
# private copy.  Reads the Makefile's decisions with make --eval and the
# built binaries with readelf; builds nothing itself.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
prefix=/usr/local/lib/gated-gpiod2
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
arch=$(dpkg --print-architecture 2>/dev/null)
pcdir=$prefix/$arch/usr/lib/$triplet/pkgconfig

ok() { echo "PASS: $*"; }
no() { echo "FAIL: $*"; }
# expect WHAT GOT WANT
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else no "$1 (got '$2')"; fi
}

# show ARGS...: the backend source, build directory and rpath make decides.
show() {
	# The Makefile's own default, not tests/run's BUILD (build-asan...).
	# shellcheck disable=SC2016 # make expands these, not the shell
	env -u BUILD -u SANITIZE make -s --no-print-directory "$@" \
	    --eval='gpiod-show: ; @echo \
	    $(filter hw/gpiod.c hw/gpiod2.c,$(HW_SRC)) $(BUILD) \
	    $(GPIOD_LDFLAGS)' gpiod-show 2>&1
}

sys=$(pkg-config --modversion libgpiod 2>/dev/null | cut -d. -f1)
if [ "$sys" != 1 ]; then
	echo "SKIP: gpiod-build: the system's libgpiod is '$sys', not 1.x"
	exit 0
fi
if [ ! -f "$pcdir/libgpiod.pc" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		no "gpiod-build: no private libgpiod 2 ($pcdir): scripts/gpiod2-prefix"
		exit 1
	fi
	echo "SKIP: gpiod-build: no private libgpiod 2 (scripts/gpiod2-prefix as root)"
	exit 0
fi

expect "libgpiod 1.6: make builds hw/gpiod.c into build" \
    "$(show)" "hw/gpiod.c build"

expect "libgpiod 2 from pkg-config (as on trixie): hw/gpiod2.c into build" \
    "$(PKG_CONFIG_PATH=$pcdir show)" "hw/gpiod2.c build"

libdir=$prefix/$arch/usr/lib/$triplet
expect "GPIOD=2 on 1.6: hw/gpiod2.c into build-gpiod2, rpath to the copy" \
    "$(show GPIOD=2)" "hw/gpiod2.c build-gpiod2 -Wl,-rpath,$libdir"

got=$(show GPIOD=2 SANITIZE=1)
case $got in
"hw/gpiod2.c build-asan-gpiod2 "*) ok "GPIOD=2 SANITIZE=1: build-asan-gpiod2" ;;
*) no "GPIOD=2 SANITIZE=1: make decided '$got'" ;;
esac

got=$(show GPIOD=2 GPIOD2_PREFIX=/nonexistent)
case $got in
*"GPIOD=2 but pkg-config finds libgpiod 1"*)
	ok "GPIOD=2 without the private copy stops and says why" ;;
*) no "GPIOD=2 without the private copy: '$got'" ;;
esac

got=$(show GPIOD=3)
case $got in
*"GPIOD=3: 1 or 2"*) ok "GPIOD=3 is refused" ;;
*) no "GPIOD=3: '$got'" ;;
esac

# make -n runs the recursive make too, itself under -n: nothing is built.
if make -n --no-print-directory cross ARCH=arm64 GPIOD=2 2>/dev/null |
    tr '\n' ' ' | grep -q 'BUILD=build-arm64-gpiod2 .*GPIOD_ARCH=arm64'
then
	ok "make cross ARCH=arm64 GPIOD=2 builds into build-arm64-gpiod2"
else
	no "make cross ARCH=arm64 GPIOD=2: $(make -n cross ARCH=arm64 \
	    GPIOD=2 2>&1 | head -3)"
fi

# The binaries make check built, if there: each loads its own libgpiod.
needed() {
	readelf -d "$1" 2>/dev/null |
	    sed -n 's/.*NEEDED.*\[\(libgpiod[^]]*\)\]/\1/p'
}
if [ -x build/gated ]; then
	expect "build/gated needs libgpiod.so.2 (1.6)" \
	    "$(needed build/gated)" libgpiod.so.2
fi
if [ -x build-gpiod2/gated ]; then
	expect "build-gpiod2/gated needs libgpiod.so.3 (2.x)" \
	    "$(needed build-gpiod2/gated)" libgpiod.so.3
	got=$(ldd build-gpiod2/gated |
	    sed -n 's/.*libgpiod.so.3 => \([^ ]*\).*/\1/p')
	expect "build-gpiod2/gated loads the private libgpiod.so.3 (rpath)" \
	    "$got" "$libdir/libgpiod.so.3"
fi
