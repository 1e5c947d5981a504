#!/bin/sh
# deb.sh: the Debian packages on a fresh machine (issue 18).  Builds them
# with `make deb` (amd64, and arm64 cross-built), checks the arm64 package
# (dpkg-deb --info, its contents against the amd64 one's, its binaries run
# under qemu-user), then in a minimal Debian 12 root made as
# tests/fresh/run makes its own (tests/fresh/root.inc): apt-get install
# ./gated_*.deb ./gatectl_*.deb ./gated-hub_*.deb, gated -n on the example
# config, gatectl --version, the demo gate started by hand on the
# simulator with cards passed, gated-hub -n on its example and gated-hub
# started by hand as its user with no broker (it runs, says so, and stops
# on SIGTERM), apt-get remove (the configs stay) and apt-get purge
# (nothing of the packages left: the file lists before the install and
# after the purge are the same).  Needs root, debootstrap and the packaging tools
# (scripts/install-deps all); SKIPs otherwise.  About 1.5 minutes here.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
who=deb
. tests/fresh/root.inc
fresh_need
command -v dh >/dev/null || { echo "SKIP: deb: debhelper missing (scripts/install-deps all)"; exit 0; }
pass() { echo "PASS: deb: $*"; }
no() { echo "FAIL: deb: $*"; }

t0=$(date +%s)
version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
out=build-deb
if make -s deb >"$cache/make-deb.log" 2>&1; then
	pass "make deb built $arch and arm64 in $(($(date +%s) - t0)) s"
else
	tail -20 "$cache/make-deb.log"
	fail "make deb failed (log: $cache/make-deb.log)"
fi
for a in $arch arm64; do
	if grep -q '^E:' "$out/lintian-$a.txt"; then
		no "lintian errors for $a: $(grep '^E:' "$out/lintian-$a.txt" | head -3)"
	else
		pass "lintian: no errors for $a ($(grep -c '^W:' "$out/lintian-$a.txt") warnings)"
	fi
done

# --- the arm64 package, on this machine ---
deb64=$out/gated_${version}_arm64.deb
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; fresh_teardown' EXIT
dpkg-deb --info "$deb64" >"$tmp/info"
if grep -qx ' Architecture: arm64' "$tmp/info" &&
    grep -q '^ Depends:.*libgpiod2' "$tmp/info"; then
	pass "dpkg-deb --info: arm64, depends on the libgpiod it was built against ($(sed -n 's/^ Depends:.*\(libgpiod[^,]*\).*/\1/p' "$tmp/info"))"
else
	no "dpkg-deb --info $deb64: $(grep -E 'Architecture|Depends' "$tmp/info")"
fi
# The hub's PostgreSQL backend is in both: libpq linked (shlibs).
for a in $arch arm64; do
	d=$(dpkg-deb -f "$out/gated-hub_${version}_$a.deb" Depends)
	case $d in
	*libpq5*libsqlite3*) pass "gated-hub $a depends on libpq5 and libsqlite3" ;;
	*) no "gated-hub $a: Depends: $d" ;;
	esac
done
for a in $arch arm64; do
	for p in gated gatectl gated-hub; do
		dpkg-deb -c "$out/${p}_${version}_$a.deb" |
		    awk '{ print $6 }' | sort >"$tmp/$p-$a.list"
	done
done
if cmp -s "$tmp/gated-$arch.list" "$tmp/gated-arm64.list" &&
    cmp -s "$tmp/gatectl-$arch.list" "$tmp/gatectl-arm64.list" &&
    cmp -s "$tmp/gated-hub-$arch.list" "$tmp/gated-hub-arm64.list"; then
	pass "arm64 packages hold the same $(cat "$tmp"/gate*-arm64.list | wc -l) paths as the $arch ones"
else
	no "arm64 and $arch contents differ: $(diff "$tmp/gated-$arch.list" "$tmp/gated-arm64.list" | head -5)"
fi
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
if [ -z "$qemu" ]; then
	echo "SKIP: deb: qemu-aarch64 missing (package qemu-user-static)"
else
	mkdir "$tmp/x"
	dpkg-deb -x "$deb64" "$tmp/x"
	dpkg-deb -x "$out/gatectl_${version}_arm64.deb" "$tmp/x"
	dpkg-deb -x "$out/gated-hub_${version}_arm64.deb" "$tmp/x"
	q() { "$qemu" -L /usr/aarch64-linux-gnu "$@"; }
	got=$(q "$tmp/x/usr/sbin/gated" -V 2>&1) || true
	[ "$got" = "gated $version" ] && pass "arm64 gated -V under qemu: $got" ||
	    no "arm64 gated -V under qemu: $got"
	cp "$tmp/x/etc/gated/gated.conf.example" "$tmp/x/gated.conf"
	cp "$tmp/x/etc/gated/people.csv.example" "$tmp/x/people.csv"
	got=$(q "$tmp/x/usr/sbin/gated" -n -f "$tmp/x/gated.conf" 2>&1) &&
	    pass "arm64 gated -n on the example config under qemu" ||
	    no "arm64 gated -n under qemu: $got"
	got=$(q "$tmp/x/usr/bin/gatectl" --version 2>&1) &&
	    pass "arm64 gatectl --version under qemu: $got" ||
	    no "arm64 gatectl --version under qemu: $got"
	got=$(q "$tmp/x/usr/sbin/gated-hub" -n -f "$tmp/x/etc/gated/hub.conf.example" 2>&1) &&
	    pass "arm64 gated-hub -n on the example config under qemu" ||
	    no "arm64 gated-hub -n under qemu: $got"
fi

# --- a fresh Debian 12 root ---
t1=$(date +%s)
fresh_root debootstrap-deb.log
trap 'rm -rf "$tmp"; fresh_teardown' EXIT
say "root made in $(($(date +%s) - t1)) s"
mkdir "$root/root/debs"
cp "$out/gated_${version}_$arch.deb" "$out/gatectl_${version}_$arch.deb" \
    "$out/gated-hub_${version}_$arch.deb" "$root/root/debs/"

# The file list of the whole root but the kernel's and apt's own, and the
# test's files in /root and /tmp.
snapshot() {
	in_root 'find / -xdev \( -path /proc -o -path /sys -o -path /dev \
	    -o -path /run -o -path /tmp -o -path /root -o -path /var/cache \
	    -o -path /var/log -o -path /var/lib/apt -o -path /var/lib/dpkg \) \
	    -prune -o -print' | sort >"$1"
}

# What the packages depend on first, so that the before/after comparison
# is of gated alone: the first of each alternative, without versions.
deps=$(for p in "$root"/root/debs/*.deb; do dpkg-deb -f "$p" Depends; done |
    tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | sort -u |
    tr '\n' ' ')
if in_root "apt-get update -qq && apt-get install -y -qq --no-install-recommends $deps" \
    >"$cache/deb-deps.log" 2>&1; then
	say "dependencies installed: $deps"
else
	tail -20 "$cache/deb-deps.log"
	fail "the packages' dependencies did not install (log: $cache/deb-deps.log)"
fi
snapshot "$tmp/before"

if in_root 'cd /root/debs && apt-get install -y -q ./gated_*.deb ./gatectl_*.deb ./gated-hub_*.deb' \
    >"$cache/deb-install.log" 2>&1; then
	pass "apt-get install ./gated_*.deb ./gatectl_*.deb ./gated-hub_*.deb in a fresh Debian 12 root"
else
	tail -20 "$cache/deb-install.log"
	fail "apt-get install of the packages failed (log: $cache/deb-install.log)"
fi
in_root 'getent passwd gated >/dev/null && id -nG gated | grep -qw gpio' &&
    pass "user gated made by sysusers, also in group gpio" ||
    no "no user gated (sysusers) or not in group gpio"
got=$(in_root "stat -c '%a %U' /var/lib/gated" 2>&1) || true
[ "$got" = "750 gated" ] &&
    pass "/var/lib/gated made by tmpfiles, 0750 gated" ||
    no "/var/lib/gated: $got"
[ -L "$root/etc/systemd/system/multi-user.target.wants/gated.service" ] &&
    pass "gated.service enabled" || no "gated.service not enabled"
[ ! -e "$root/etc/gated/gated.conf" ] &&
    pass "no gated.conf shipped: the unit waits for one (ConditionPathExists)" ||
    no "/etc/gated/gated.conf exists after install"
got=$(in_root 'gated -V') && [ "$got" = "gated $version" ] &&
    pass "gated -V: $got (the changelog's version)" || no "gated -V: $got"
got=$(in_root "getent passwd gated-hub | cut -d: -f6; stat -c '%a %U' /var/lib/gated-hub" 2>&1 | tr '\n' ' ') || true
[ "$got" = "/var/lib/gated-hub 750 gated-hub " ] &&
    pass "user gated-hub (sysusers) and /var/lib/gated-hub 0750 (tmpfiles)" ||
    no "gated-hub's user or state dir: $got"
[ -L "$root/etc/systemd/system/multi-user.target.wants/gated-hub.service" ] &&
    [ ! -e "$root/etc/gated/hub.conf" ] &&
    pass "gated-hub.service enabled, no hub.conf shipped (ConditionPathExists)" ||
    no "gated-hub.service not enabled, or /etc/gated/hub.conf shipped"

# The example config, as the administrator starts from it.
in_root 'cp /etc/gated/gated.conf.example /etc/gated/gated.conf &&
    cp /etc/gated/people.csv.example /etc/gated/people.csv'
got=$(in_root 'gated -n -f /etc/gated/gated.conf 2>&1') &&
    pass "gated -n on the example config: $got" || no "gated -n: $got"
got=$(in_root 'gatectl --version 2>&1') &&
    pass "gatectl --version: $got" || no "gatectl --version: $got"

# The hub on its example config, as its unit would run it (user
# gated-hub, campus.db in /var/lib/gated-hub) but by hand and with no
# broker: port 1 on 127.0.0.1 refuses.  It opens the database, says it
# is ready, retries the broker, and stops cleanly on SIGTERM.
got=$(in_root 'gated-hub -n -f /etc/gated/hub.conf.example 2>&1') &&
    pass "gated-hub -n on the example config: $got" || no "gated-hub -n: $got"
in_root 'sed "s|^port[[:space:]]*=.*|port = 1|" /etc/gated/hub.conf.example >/etc/gated/hub.conf &&
    setpriv --reuid=gated-hub --regid=gated-hub --init-groups \
    gated-hub -f /etc/gated/hub.conf >/root/hub.log 2>&1 &
    echo $! >/root/hub.pid'
i=0
until grep -q 'cannot connect' "$root/root/hub.log" 2>/dev/null || [ $i -gt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
hpid=$(cat "$root/root/hub.pid")
if kill -0 "$hpid" 2>/dev/null && grep -q ', ready$' "$root/root/hub.log" &&
    [ -s "$root/var/lib/gated-hub/campus.db" ]; then
	pass "gated-hub as user gated-hub, no broker: ready, campus.db made, $(grep -o 'mqtt: .*' "$root/root/hub.log" | head -1)"
else
	no "gated-hub by hand: $(tr '\n' ' ' <"$root/root/hub.log")"
fi
kill -TERM "$hpid" 2>/dev/null || true
i=0
while kill -0 "$hpid" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
grep -q 'stopped$' "$root/root/hub.log" && ! kill -0 "$hpid" 2>/dev/null &&
    pass "gated-hub stops on SIGTERM" ||
    no "gated-hub on SIGTERM: $(tail -2 "$root/root/hub.log" | tr '\n' ' ')"

# The demo gate of the docs' examples on the simulator, started by hand,
# and a card through it.
in_root 'mkdir -p /root/gate && cp /usr/share/doc/gated/examples/* /root/gate/ &&
    cd /root/gate && sed -i -e "s|^state-dir[[:space:]]*=.*|state-dir = /root/gate/state|" \
    -e "s|^socket[[:space:]]*=.*|socket = /root/gate/control.sock|" south.conf'
in_root 'gated -d -f /root/gate/south.conf >/root/gate/gated.log 2>&1 & echo $! >/root/gate/pid'
i=0
until in_root 'gatectl -s /root/gate/control.sock status' >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		cat "$root/root/gate/gated.log"
		break
	fi
	sleep 0.1
done
got=$(in_root 'gatectl -s /root/gate/control.sock --json sim card south-ped-in 1001' 2>&1) &&
    echo "$got" | grep -q '"verdict": *"granted"' &&
    pass "demo gate on the simulator: staff card 1001 granted" ||
    no "demo gate: card 1001: $got"
got=$(in_root 'gatectl -s /root/gate/control.sock --json sim card south-ped-in 999999' 2>&1) || true
echo "$got" | grep -q '"reason": *"unknown-card"' &&
    pass "demo gate: unknown card refused (unknown-card)" ||
    no "demo gate: card 999999: $got"
kill -TERM "$(cat "$root/root/gate/pid")" 2>/dev/null || true
i=0
while kill -0 "$(cat "$root/root/gate/pid")" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done

# An upgrade: the same package repacked as a later version.  The
# administrator's config stays as it was; the unit is still enabled.
mkdir "$tmp/up" "$root/root/debs/up"
dpkg-deb -R "$out/gated_${version}_$arch.deb" "$tmp/up/r"
sed -i "s/^Version: .*/Version: $version+up1/" "$tmp/up/r/DEBIAN/control"
dpkg-deb -b "$tmp/up/r" "$root/root/debs/up/gated_${version}+up1_$arch.deb" >/dev/null
in_root 'echo "# edited by the administrator" >>/etc/gated/gated.conf'
sum=$(md5sum <"$root/etc/gated/gated.conf")
if in_root 'apt-get install -y -q /root/debs/up/gated_*.deb' \
    >"$cache/deb-upgrade.log" 2>&1 &&
    [ "$(in_root 'dpkg-query -W -f="\${Version}" gated')" = "$version+up1" ] &&
    [ "$(md5sum <"$root/etc/gated/gated.conf")" = "$sum" ] &&
    [ -L "$root/etc/systemd/system/multi-user.target.wants/gated.service" ]; then
	pass "upgrade to $version+up1: the edited gated.conf kept, the unit still enabled"
else
	no "upgrade: $(tail -3 "$cache/deb-upgrade.log")"
fi

# remove: binaries gone, configs and the journal stay.
in_root 'echo x >/var/lib/gated/journal.test'
if in_root 'apt-get remove -y -q gated gatectl gated-hub' >"$cache/deb-remove.log" 2>&1 &&
    [ ! -e "$root/usr/sbin/gated" ] && [ ! -e "$root/usr/bin/gatectl" ] &&
    [ ! -e "$root/usr/sbin/gated-hub" ]; then
	pass "apt-get remove: binaries gone"
else
	no "apt-get remove: $(tail -3 "$cache/deb-remove.log")"
fi
[ -f "$root/etc/gated/gated.conf" ] && [ -f "$root/etc/gated/people.csv" ] &&
    [ -f "$root/etc/gated/gated.conf.example" ] &&
    [ -f "$root/var/lib/gated/journal.test" ] &&
    pass "after remove: /etc/gated (config, people, examples) and /var/lib/gated stay" ||
    no "after remove: $(ls "$root/etc/gated" "$root/var/lib/gated" 2>&1 | tr '\n' ' ')"
[ -f "$root/etc/gated/hub.conf" ] && [ -f "$root/etc/gated/hub.conf.example" ] &&
    [ -s "$root/var/lib/gated-hub/campus.db" ] &&
    pass "after remove: hub.conf, its example and /var/lib/gated-hub/campus.db stay" ||
    no "after remove: $(ls "$root/etc/gated" "$root/var/lib/gated-hub" 2>&1 | tr '\n' ' ')"

if in_root 'apt-get purge -y -q gated gatectl gated-hub' >"$cache/deb-purge.log" 2>&1; then
	pass "apt-get purge"
else
	no "apt-get purge: $(tail -3 "$cache/deb-purge.log")"
fi
snapshot "$tmp/after"
if cmp -s "$tmp/before" "$tmp/after"; then
	pass "after purge the root holds the same $(wc -l <"$tmp/after") paths as before the install"
else
	no "purge left or took files: $(diff "$tmp/before" "$tmp/after" | grep '^[<>]' | head -10 | tr '\n' ' ')"
fi
say "done in $(($(date +%s) - t0)) s"
