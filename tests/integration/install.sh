#!/bin/sh
# install.sh: `make install` into a DESTDIR as a packager runs it, then
# checks the tree: every file with its mode, the unit and rules identical to
# those the other tests verify, configs never overwritten by a second
# install, and `make uninstall` taking back what install put.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
d=$tmp/root

ok() { echo "PASS: $*"; }
no() { echo "FAIL: $*"; }

# The directories as the Makefile resolves them on this machine.
dir() { make -s --no-print-directory -f - "$1" <<MK
include Makefile
$1: ; @echo \$(${1#show-})
MK
}
unitdir=$(dir show-UNITDIR)
udevdir=$(dir show-UDEVDIR)
sysusersdir=$(dir show-SYSUSERSDIR)
tmpfilesdir=$(dir show-TMPFILESDIR)

if make -s install BUILD="$BUILD" DESTDIR="$d" PREFIX=/usr >"$tmp/log" 2>&1
then
	ok "make install DESTDIR PREFIX=/usr"
else
	no "make install failed: $(tail -5 "$tmp/log")"
	exit 1
fi

mode() {
	if [ ! -f "$d$2" ]; then
		no "$2 not installed"
	elif [ "$(stat -c %a "$d$2")" = "$1" ]; then
		ok "$2 installed, mode $1"
	else
		no "$2 has mode $(stat -c %a "$d$2"), not $1"
	fi
}
mode 755 /usr/sbin/gated
mode 755 /usr/bin/gatectl
mode 644 "$unitdir/gated.service"
mode 644 "$udevdir/rules.d/60-gated.rules"
mode 644 "$sysusersdir/gated.conf"
mode 644 "$tmpfilesdir/gated.conf"
mode 644 /etc/gated/gated.conf.example
mode 644 /etc/gated/gated.conf
mode 644 /etc/gated/people.csv.example
mode 640 /etc/gated/people.csv
mode 644 /usr/share/man/man8/gated.8
mode 644 /usr/share/man/man5/gated.conf.5
mode 644 /usr/share/gated/console/index.html
mode 644 /usr/share/gated/console/js/gate.js
mode 644 /usr/share/gated/console/js/gate.js.gz
mode 755 /usr/sbin/gated-hub
mode 644 "$unitdir/gated-hub.service"
mode 644 "$sysusersdir/gated-hub.conf"
mode 644 "$tmpfilesdir/gated-hub.conf"
mode 644 /etc/gated/hub.conf.example
mode 644 /usr/share/man/man8/gated-hub.8
[ ! -e "$d/etc/gated/hub.conf" ] &&
    ok "no /etc/gated/hub.conf: a gate is not a hub" ||
    no "make install wrote /etc/gated/hub.conf"

same() {
	if cmp -s "$1" "$d$2"; then ok "$2 is $1"
	else no "$2 differs from $1"; fi
}
same "$BUILD/gated.service" "$unitdir/gated.service"
same udev/60-gated.rules "$udevdir/rules.d/60-gated.rules"
same systemd/gated.sysusers "$sysusersdir/gated.conf"
same systemd/gated.tmpfiles "$tmpfilesdir/gated.conf"
same "$BUILD/gated-hub.service" "$unitdir/gated-hub.service"
same systemd/gated-hub.sysusers "$sysusersdir/gated-hub.conf"
same systemd/gated-hub.tmpfiles "$tmpfilesdir/gated-hub.conf"
if "$d/usr/sbin/gated-hub" -n -f "$d/etc/gated/hub.conf.example" \
    >"$tmp/n" 2>&1; then
	ok "installed gated-hub -n accepts hub.conf.example"
else
	no "gated-hub -n rejects hub.conf.example: $(cat "$tmp/n")"
fi
if grep -qx 'ExecStart=/usr/sbin/gated -f /etc/gated/gated.conf' \
    "$d$unitdir/gated.service"; then
	ok "the unit runs /usr/sbin/gated"
else
	no "the unit's ExecStart is not /usr/sbin/gated"
fi

# The shipped example config is one a real gate starts on: it checks clean
# with the installed binary and uses the Pi's backends.
cf=$d/etc/gated/gated.conf.example
if "$d/usr/sbin/gated" -n -f "$cf" 2>"$tmp/n"; then
	ok "installed gated -n accepts gated.conf.example"
else
	no "gated -n rejects gated.conf.example: $(cat "$tmp/n")"
fi
if grep -qx 'gpio-backend = gpiod' "$cf" &&
    grep -qx 'usb-backend = libusb' "$cf" &&
    grep -qx 'state-dir = /var/lib/gated' "$cf"; then
	ok "gated.conf.example uses gpiod, libusb and /var/lib/gated"
else
	no "gated.conf.example is not set for real hardware"
fi

# A second install must keep a gate's own configs.
echo "# changed by the operator" >>"$d/etc/gated/gated.conf"
echo "changed" >>"$d/etc/gated/people.csv"
cp "$d/etc/gated/gated.conf" "$tmp/conf.before"
cp "$d/etc/gated/people.csv" "$tmp/people.before"
make -s install BUILD="$BUILD" DESTDIR="$d" PREFIX=/usr >"$tmp/log" 2>&1 ||
    no "second make install failed"
if cmp -s "$tmp/conf.before" "$d/etc/gated/gated.conf" &&
    cmp -s "$tmp/people.before" "$d/etc/gated/people.csv"; then
	ok "a second install keeps gated.conf and people.csv"
else
	no "a second install overwrote the gate's configs"
fi

make -s uninstall BUILD="$BUILD" DESTDIR="$d" PREFIX=/usr >"$tmp/log" 2>&1 ||
    no "make uninstall failed: $(tail -5 "$tmp/log")"
left=$(cd "$d" && find . -type f | sort | tr '\n' ' ')
if [ "$left" = "./etc/gated/gated.conf ./etc/gated/people.csv " ]; then
	ok "make uninstall removed all but the gate's configs"
else
	no "after make uninstall: $left"
fi
