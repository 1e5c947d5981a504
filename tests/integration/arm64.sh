#!/bin/sh
# arm64.sh: cross-builds gated for the Raspberry Pi (`make cross ARCH=arm64`)
# and runs every arm64 unit test under qemu-user, re-emitting its PASS:,
# FAIL: and SKIP: lines prefixed with arm64/; then the same for the
# libgpiod 2 build (`make cross ARCH=arm64 GPIOD=2`, arm64-gpiod2/).  SKIPs when the cross
# toolchain or qemu is missing (scripts/install-deps installs them).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=build-arm64
sysroot=/usr/aarch64-linux-gnu
limit=${GATED_QEMU_TIMEOUT:-60}

qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
for tool in aarch64-linux-gnu-gcc aarch64-linux-gnu-pkg-config; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: arm64: $tool missing (scripts/install-deps as root)"
		exit 0
	fi
done
if [ -z "$qemu" ]; then
	echo "SKIP: arm64: qemu-aarch64 missing (package qemu-user-static)"
	exit 0
fi
if ! aarch64-linux-gnu-pkg-config --exists libevent; then
	echo "SKIP: arm64: no arm64 libevent (scripts/cross-dev as root)"
	exit 0
fi
if ! aarch64-linux-gnu-pkg-config --exists libqrencode libpng; then
	echo "SKIP: arm64: no arm64 libqrencode or libpng for gatectl's pass" \
	    "QR codes (scripts/install-deps as root)"
	exit 0
fi

t0=$(date +%s)
if ! make -s -j2 cross ARCH=arm64 >"$out.log" 2>&1; then
	echo "FAIL: arm64: make cross ARCH=arm64 failed:"
	tail -20 "$out.log"
	exit 1
fi
echo "PASS: arm64: make cross ARCH=arm64 built in $(($(date +%s) - t0))s"
if file "$out/gated" | grep -q 'ARM aarch64'; then
	echo "PASS: arm64: $out/gated is an aarch64 executable"
else
	echo "FAIL: arm64: $out/gated is not aarch64: $(file -b "$out/gated")"
fi

# qemu-user 7.2 (bookworm) can hang a forked child that a parent then
# kills; a test that does that times out for qemu's sake, not ours.  A
# probe tells the two apart: timeouts are SKIPs only when the probe hangs.
probe=$out/qemu-fork-probe
cat >"$probe.c" <<'PROBE'
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
int
main(void)
{
	int	fd[2];
	long	n = 0, got[64];
	pid_t	pid;

	if (pipe(fd) == -1 || (pid = fork()) == -1)
		return 2;
	if (pid == 0)
		for (;;)
			if (write(fd[1], &n, sizeof n) != sizeof n)
				_exit(1);
	if (read(fd[0], got, sizeof got) <= 0)
		return 1;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}
PROBE
fork_ok=yes
if aarch64-linux-gnu-gcc -o "$probe" "$probe.c" &&
    ! timeout 10 "$qemu" -L "$sysroot" "$probe"; then
	fork_ok=no
fi

# units DIR LABEL: runs DIR's unit tests under qemu, lines prefixed LABEL/.
units() {
	log=$1/test-logs
	mkdir -p "$log"
	for t in "$1"/tests/test-*; do
		[ -x "$t" ] || continue
		name=${t##*/}
		s=$(date +%s)
		if [ $fork_ok = no ]; then
			GATED_NO_FORK_KILL=1 timeout "$limit" "$qemu" \
			    -L "$sysroot" "$t" >"$log/$name.log" 2>&1
		else
			timeout "$limit" "$qemu" -L "$sysroot" "$t" \
			    >"$log/$name.log" 2>&1
		fi
		rc=$?
		sed -n 's/^\(PASS\|FAIL\|SKIP\): /\1: '"$2"'\//p' \
		    "$log/$name.log"
		if [ $rc -eq 124 ] && [ $fork_ok = no ]; then
			echo "SKIP: $2/$name: timed out after ${limit}s; this" \
			    "qemu hangs killed fork children (probe), so not judged"
		elif [ $rc -eq 124 ]; then
			echo "FAIL: $2/$name: timed out after ${limit}s under qemu"
		elif [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$log/$name.log"; then
			echo "FAIL: $2/$name: exited with status $rc under qemu"
		fi
		echo "$2/$name: $(($(date +%s) - s))s" >&2
	done
}
units "$out" arm64

# The libgpiod 2 build, for Raspberry Pi OS trixie: make cross ARCH=arm64
# GPIOD=2, against the private arm64 libgpiod 2.2.1 of scripts/gpiod2-prefix
# (where the system's libgpiod is 1.x), into build-arm64-gpiod2.  Its unit
# tests under qemu load that libgpiod.so.3 through the rpath.
if [ "$(pkg-config --modversion libgpiod 2>/dev/null | cut -d. -f1)" = 1 ]
then
	out2=build-arm64-gpiod2
	t1=$(date +%s)
	if ! make -s -j2 cross ARCH=arm64 GPIOD=2 >"$out2.log" 2>&1; then
		if [ "$(id -u)" -eq 0 ]; then
			echo "FAIL: arm64-gpiod2: make cross ARCH=arm64 GPIOD=2" \
			    "failed:"
		else
			echo "SKIP: arm64-gpiod2: make cross ARCH=arm64 GPIOD=2" \
			    "failed (scripts/gpiod2-prefix as root?):"
		fi
		tail -5 "$out2.log"
	else
		echo "PASS: arm64-gpiod2: make cross ARCH=arm64 GPIOD=2 built" \
		    "in $(($(date +%s) - t1))s"
		if file "$out2/gated" | grep -q 'ARM aarch64' &&
		    readelf -d "$out2/gated" |
		    grep -q 'NEEDED.*\[libgpiod\.so\.3\]'; then
			echo "PASS: arm64-gpiod2: $out2/gated is aarch64 and" \
			    "links libgpiod.so.3"
		else
			echo "FAIL: arm64-gpiod2: $out2/gated is not aarch64" \
			    "on libgpiod.so.3: $(file -b "$out2/gated")"
		fi
		units "$out2" arm64-gpiod2
	fi
fi
log=$out/test-logs
echo "arm64: all done in $(($(date +%s) - t0))s" >&2

# The sim integration tests on the arm64 daemon: build-arm64/qemu/gated
# runs it under qemu-user, driven by the native gatectl (the arm64 gatectl
# is covered by its unit tests; emulated, it is too slow for the tests'
# timers).  Only the suites without timing margins and without a worker
# thread: this qemu-user (7.2) hangs in pthread_create on this kernel,
# which the people reload needs (seen here with -strace).
mkdir -p "$out/qemu"
printf '#!/bin/sh\nexec %s -L %s "$(dirname "$0")/../gated" "$@"\n' \
    "$qemu" "$sysroot" >"$out/qemu/gated"
printf '#!/bin/sh\nexec "$(dirname "$0")/../../build/gatectl" "$@"\n' \
    >"$out/qemu/gatectl"
chmod +x "$out/qemu/gated" "$out/qemu/gatectl"
if [ ! -x build/gatectl ]; then
	echo "SKIP: arm64/integration: build/gatectl missing (make first)"
	exit 0
fi
for s in api crash; do
	BUILD=$out/qemu CRASH_ROUNDS=3 GATED_NO_THREADS=1 \
	    sh "tests/integration/$s.sh" \
	    >"$log/integration-$s.log" 2>&1
	rc=$?
	sed -n 's/^\(PASS\|FAIL\|SKIP\): /\1: arm64\/'"$s"': /p' \
	    "$log/integration-$s.log"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$log/integration-$s.log"; then
		echo "FAIL: arm64/$s: exited with status $rc"
	fi
done
