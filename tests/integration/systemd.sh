#!/bin/sh
# systemd.sh: checks the shipped unit with systemd's own tools: it installs
# into a DESTDIR, verifies the unit there (ExecStart pointed at the DESTDIR
# binary, Documentation= at the DESTDIR man pages), and asserts that
# `systemd-analyze security` rates its exposure at most 2.0.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
max=2.0

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd: systemd-analyze missing (package systemd)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
d=$tmp/root
if ! make -s install BUILD="$BUILD" DESTDIR="$d" PREFIX=/usr \
    >"$tmp/log" 2>&1; then
	echo "FAIL: systemd: make install failed: $(tail -5 "$tmp/log")"
	exit 1
fi
unit=$(find "$d" -name gated.service)
if [ -z "$unit" ] || ! cmp -s "$unit" "$BUILD/gated.service"; then
	echo "FAIL: systemd: installed unit missing or not $BUILD/gated.service"
	exit 1
fi

# The same unit, its binary path moved into the DESTDIR; nothing else.
mkdir -p "$tmp/v"
sed "s|=/usr/sbin/gated |=$d/usr/sbin/gated |" "$unit" >"$tmp/v/gated.service"
n=$(diff "$unit" "$tmp/v/gated.service" | grep -c '^>')
if [ "$n" -eq 2 ]; then
	echo "PASS: systemd: only ExecStart and ExecReload moved for verify"
else
	echo "FAIL: systemd: the rewrite changed $n lines, not 2"
fi

# Enough file descriptors for 4,096 remote connections and the rest, and
# a bound on memory.
nofile=$(sed -n 's/^LimitNOFILE=//p' "$unit")
if [ "${nofile:-0}" -ge 8192 ] 2>/dev/null &&
    grep -q '^MemoryMax=[0-9]' "$unit"; then
	echo "PASS: systemd: LimitNOFILE=$nofile and MemoryMax set"
else
	echo "FAIL: systemd: LimitNOFILE (${nofile:-none}) below 8192 or no MemoryMax"
fi

if MANPATH=$d/usr/share/man systemd-analyze verify --recursive-errors=no \
    "$tmp/v/gated.service" >"$tmp/verify" 2>&1 && ! [ -s "$tmp/verify" ]; then
	echo "PASS: systemd: systemd-analyze verify, man pages included"
else
	echo "FAIL: systemd: systemd-analyze verify:"
	sed 's/^/    /' "$tmp/verify"
fi

systemd-analyze security --offline=yes "$tmp/v/gated.service" \
    >"$tmp/sec" 2>&1
level=$(sed -n 's/.*Overall exposure level for gated.service: \([0-9.]*\).*/\1/p' \
    "$tmp/sec")
if [ -z "$level" ]; then
	echo "FAIL: systemd: no exposure level from systemd-analyze security:"
	sed 's/^/    /' "$tmp/sec" | tail -5
elif awk -v l="$level" -v m="$max" 'BEGIN { exit !(l <= m) }'; then
	echo "PASS: systemd: security exposure $level <= $max"
else
	echo "FAIL: systemd: security exposure $level > $max"
	grep '✗' "$tmp/sec" | sed 's/^/    /'
fi

# What hardening must stay, whatever else changes.
for k in Type=notify WatchdogSec=10s User=gated NoNewPrivileges=yes \
    ProtectSystem=strict DevicePolicy=closed CapabilityBoundingSet= \
    'DeviceAllow=char-gpiochip rw' 'DeviceAllow=char-usb_device rw'; do
	if grep -qx "$k" "$unit"; then
		echo "PASS: systemd: unit has $k"
	else
		echo "FAIL: systemd: unit lacks $k"
	fi
done
if grep -q '^PrivateUsers=yes' "$unit" || grep -q '^PrivateDevices=yes' "$unit"
then
	echo "FAIL: systemd: PrivateUsers/PrivateDevices would lose the hardware"
else
	echo "PASS: systemd: no PrivateUsers= or PrivateDevices= (hardware kept)"
fi
