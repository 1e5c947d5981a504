# privsep.sh: the TLS front is a process of its own (docs/privsep.md).  It
# runs as the unprivileged [remote] front-user (nobody), chrooted into an
# empty directory, with no new privileges, and holds no descriptor of the
# journal, the people file or a device, only the console's directory (its
# files are served from there, through that descriptor); its user cannot
# open journal.db.  Console sessions are the front's: a cookie ends with
# the front that made it.
# Killed with SIGSEGV while cards stream in over the Unix socket, it is
# journaled (kind front) and restarted, every card is decided (journal ids
# contiguous, no pause), and the remote API answers again.  A front that
# writes garbage on its socketpair is dropped and restarted too, and so is
# one that says a token signed in that the config does not have.  Run as
# root (the front's user must exist: nobody does).
. "$(dirname "$0")/remote-common.inc"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: privsep.sh needs root (a front that changes user)"
	exit 0
fi
id nobody >/dev/null 2>&1 || { fail "user nobody exists"; remote_finish; }
NOBODY=$(id -u nobody)

make_certs || { fail "openssl made the test CA"; remote_finish; }
cp -r "$top/console" "$T/console"
CONSOLE_DIR=$(realpath "$T/console")
start_gate p "console = ../console" || { fail "gate p starts"; remote_finish; }
P=$(url p)
L=$(lsock p)
DB=$T/p/state/journal.db

# The front: the newest the gate says it started, while it is its child.
front_pid() {
	f=$(sed -n 's/.*front: started, pid //p' "$T/p/gated.log" | tail -1)
	[ -n "$f" ] && [ "$(awk '/^PPid:/ { print $2 }' /proc/"$f"/status 2>/dev/null)" = "$PID_p" ] && echo "$f"
}
# new_front OLD: a front other than OLD is up.
new_front() { f=$(front_pid) && [ "$f" != "$1" ]; }
# fds PID: each descriptor of the process and where it leads, one a line.
fds() { for f in /proc/"$1"/fd/*; do echo "${f##*/} $(readlink "$f")"; done; }

wait_for 5 front_pid >/dev/null
F=$(front_pid)
check "the front is a process of its own ($F, gate $PID_p)" [ -n "$F" ] && [ "$F" != "$PID_p" ]
check "the front runs as nobody ($NOBODY)" [ "$(awk '/^Uid:/ { print $2 $3 $4 $5 }' /proc/"$F"/status)" = "$NOBODY$NOBODY$NOBODY$NOBODY" ]
check "the gate process does not" [ "$(awk '/^Uid:/ { print $2 }' /proc/"$PID_p"/status)" = 0 ]
check "the front has no new privileges" grep -q '^NoNewPrivs:[[:space:]]*1' /proc/"$F"/status
check "the front keeps no supplementary groups" [ "$(awk '/^Groups:/ { print $2 }' /proc/"$F"/status)" = "$(id -g nobody)" ]
check "the front is chrooted in an empty directory" [ "$(readlink /proc/"$F"/root)" = "$T/p/state/empty" ] && [ -z "$(ls -A "$T/p/state/empty")" ]
fds "$F" >"$T/front.fds"
fds "$PID_p" >"$T/gate.fds"
check "the gate holds journal.db (so the next check means something)" grep -q 'journal.db$' "$T/gate.fds"
check "the front holds no descriptor of journal.db ($(wc -l <"$T/front.fds") fds)" sh -c "! grep -q journal.db '$T/front.fds'"
check "nor of the people file, a GPIO chip or a USB device" sh -c "! grep -Eq 'people.csv|gpiochip|/dev/bus/usb' '$T/front.fds'"
check "nor of any file at all but its std streams and the console's directory" [ "$(awk '$1 > 2 && $2 ~ /^\// { print $2 }' "$T/front.fds")" = "$CONSOLE_DIR" ]
# The front's user cannot open the journal, whatever the chroot.
check "open(2) of journal.db as nobody fails" python3 -c '
import os, sys
os.setgroups([]); os.setgid(int(sys.argv[2])); os.setuid(int(sys.argv[1]))
try:
    open(sys.argv[3], "rb")
except PermissionError:
    sys.exit(0)
sys.exit(1)' "$NOBODY" "$(id -g nobody)" "$DB"
# Where a gpio-sim chip exists (the VM), /dev/gpiochipN is 0660 and of
# the gated group: nobody cannot open it either; in the chroot there is
# no /dev at all.
check "no /dev in the front's root" [ ! -e /proc/"$F"/root/dev ]
check "the API answers through the front" [ "$(rcurl p "$TOKEN_VIEWER" "$P/v1/status")" = 200 ]
# What the gate would take for a lying front is refused by the front
# itself: an absolute URI is passed on as its path, a byte the frame may
# not carry gets 400, and the front lives on.
check "an absolute URI is answered" [ "$(rcurl p "$TOKEN_VIEWER" --request-target "$P/v1/status" "$P/v1/status")" = 200 ]
code=$(rcurl p "$TOKEN_ADMIN" --path-as-is "$P/v1/$(printf '\377')")
check "a path with a byte over 0x7e: $code (400, or 404 once escaped)" sh -c "[ $code = 400 ] || [ $code = 404 ]"
check "a Last-Event-ID with a control byte: 400" [ "$(rcurl p "$TOKEN_VIEWER" -H "$(printf 'Last-Event-ID: 1\0332')" "$P/v1/events/stream")" = 400 ]
check "... and the front was not dropped for them" [ "$(front_pid)" = "$F" ]

# --- the console from the chrooted front, and its sessions ---
page() { curl -s -o "$T/page" -w '%{http_code}' --max-time 5 --cacert "$T/tls/ca.crt" "$P$1"; }
check "GET / from the chrooted front: index.html" sh -c "[ \"\$(curl -s -o '$T/page' -w '%{http_code}' --cacert '$T/tls/ca.crt' '$P/')\" = 200 ] && cmp -s '$T/page' '$CONSOLE_DIR/index.html'"
check "GET /console/js/gate.js: 200" [ "$(page /console/js/gate.js)" = 200 ]
check "... and nothing above the console's directory: 404" [ "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is --cacert "$T/tls/ca.crt" "$P/console/../../p/gate.conf")" = 404 ]
JAR=$T/jar
check "sign in as guard (the front's session)" [ "$(curl -s -o "$T/body" -w '%{http_code}' --cacert "$T/tls/ca.crt" -c "$JAR" -d "{\"token\": \"$TOKEN_GUARD\"}" "$P/v1/session")" = 200 ]
CSRF=$(jget csrf <"$T/body")
cookie() { curl -s -o "$T/body" -w '%{http_code}' --max-time 5 --cacert "$T/tls/ca.crt" -b "$JAR" "$@"; }
check "a change with the cookie and its CSRF token: 200" [ "$(cookie -H "X-CSRF-Token: $CSRF" -d '{"reason": "from the console"}' "$P/v1/lanes/ped/open")" = 200 ]
check "... without the CSRF token: 403, refused by the front" [ "$(cookie -d '{"reason": "no csrf"}' "$P/v1/lanes/ped/open")" = 403 ]
journal p >"$T/rows"
check "the gate journaled the sign-in: token:guardhouse, the address" sh -c "grep '\"reason\": \"signed-in\"' '$T/rows' | grep 'token:guardhouse' | grep -q 'console session from 127.0.0.1'"
check "... and the change as token:guardhouse" sh -c "grep 'from the console' '$T/rows' | grep -q '\"actor\": \"token:guardhouse\"'"
check "... not the refused one" sh -c "! grep -q 'no csrf' '$T/rows'"

# --- SIGSEGV in the front while cards stream in over the Unix socket ---
: >"$T/acks"
(
	i=0
	while [ $i -lt 150 ]; do
		i=$((i + 1))
		out=$("$GATECTL" -s "$L" --json sim card ped-in 1001) || exit 1
		echo "$(date +%s%3N) $(echo "$out" | jget event)" >>"$T/acks"
	done
) &
driver=$!
wait_for 10 sh -c "[ \$(wc -l <'$T/acks') -ge 40 ]"
killed=$(date +%s%3N)
kill -SEGV "$F"
wait_for 10 new_front "$F"
F2=$(front_pid)
wait "$driver"
check "the driver got all 150 cards decided" [ "$(wc -l <"$T/acks")" -eq 150 ]
check "the front was restarted (pid $F2, was $F)" [ -n "$F2" ] && [ "$F2" != "$F" ]
check "the new front runs as nobody too" [ "$(awk '/^Uid:/ { print $2 }' /proc/"$F2"/status)" = "$NOBODY" ]
journal p >"$T/rows"
check "a front row journaled, with the signal" grep -q '"kind": "front".*"reason": "signal".*signal 11' "$T/rows"
check "journal ids contiguous, every acknowledged card in it" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ids = sorted(r["id"] for r in rows)
acked = [int(l.split()[1]) for l in open(sys.argv[2])]
passages = {r["id"] for r in rows if r["kind"] == "passage"}
sys.exit(0 if ids == list(range(ids[0], ids[-1] + 1)) and
    all(a in passages for a in acked) else 1)' "$T/rows" "$T/acks"
# The gap between the two cards around the kill: as any other (the
# longest of the run are printed; a loaded machine has some of 1 s).
gap=$(awk -v k="$killed" '$1 >= k && !done { print $1 - t; done = 1 } { t = $1 }' "$T/acks")
awk 'NR > 1 { print $1 - t, NR } { t = $1 }' "$T/acks" | sort -n | tail -3 | tr '\n' ' '; echo "(the longest gaps between two cards: ms, card)"
check "no pause in the cards while the front died (${gap:-?} ms between the cards around the kill)" [ -n "$gap" ] && [ "$gap" -lt 1000 ]
check "the remote API answers again" wait_for 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert '$T/tls/ca.crt' -H 'Authorization: Bearer $TOKEN_GUARD' '$P/v1/status')\" = 200 ]"
check "a guard's change over TLS is journaled with its token" [ "$(rcurl p "$TOKEN_GUARD" -d '{"reason":"after the crash"}' "$P/v1/lanes/ped/open")" = 200 ]
journal p >"$T/rows"
check "... as token:guardhouse" grep -q '"actor": "token:guardhouse"' "$T/rows"
check "the session died with its front: sign in again (401)" [ "$(cookie "$P/v1/status")" = 401 ]
check "GET / from the new front: 200" [ "$(page /)" = 200 ]

# --- what a compromised front could write on its socketpair ---
# pidfd_getfd(2) takes a copy of the front's end (fd 3), as a compromised
# front could write on it: WHAT is garbage, a sign-in (FRAME_AUTH) of a
# token the config has, or one of a token it has not.
inject() {
	python3 -c '
import ctypes, os, struct, sys
def frame(t, fields):
    body = b"".join(struct.pack(">I", len(f)) + f for f in fields)
    return struct.pack(">IHBBI", 12 + len(body), t, 0, len(fields), 0) + body
what = {
    "garbage": b"\xff" * 64,
    "known": frame(4, [b"signed-in", b"192.0.2.9", b"guardhouse"]),
    "intruder": frame(4, [b"signed-in", b"192.0.2.10", b"intruder"]),
}[sys.argv[2]]
libc = ctypes.CDLL(None, use_errno=True)
pfd = os.pidfd_open(int(sys.argv[1]))
fd = libc.syscall(438, pfd, 3, 0)
if fd < 0:
    sys.exit(2)
os.write(fd, what)' "$1" "$2" 2>/dev/null
}
protocol_rows() { journal p | grep -c '"kind": "front".*"reason": "protocol"'; }
F=$F2
if inject "$F" known; then
	sleep 0.3
	journal p >"$T/rows"
	check "a sign-in of a configured token: journaled as the gate can check it" sh -c "grep '\"reason\": \"signed-in\"' '$T/rows' | grep -q 'console session from 192.0.2.9'"
	check "... the front kept" [ "$(front_pid)" = "$F" ]
	inject "$F" intruder
	wait_for 10 new_front "$F"
	check "a sign-in of a token the config has not: the front is dropped" [ "$(protocol_rows)" -eq 1 ]
	journal p >"$T/rows"
	check "... and nothing journaled of it" sh -c "! grep -q 'intruder\|192.0.2.10' '$T/rows'"
	F=$(front_pid)
	inject "$F" garbage
	wait_for 10 new_front "$F"
	check "garbage on the socketpair: the front is dropped, journaled" [ "$(protocol_rows)" -eq 2 ]
	check "garbage: a new front answers" wait_for 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert '$T/tls/ca.crt' -H 'Authorization: Bearer $TOKEN_VIEWER' '$P/v1/status')\" = 200 ]"
else
	echo "SKIP: pidfd_getfd(2) is not allowed here: no socketpair tests"
fi

check "the gate stops cleanly" stop_gate p
F=$(sed -n 's/.*front: started, pid //p' "$T/p/gated.log" | tail -1)
check "and its front with it" sh -c "! [ -d /proc/$F ] || ! grep -q gated /proc/$F/comm"

# A gate killed with -9 takes its front along: the port is free again.
start_gate q || fail "gate q starts"
f=$(sed -n 's/.*front: started, pid //p' "$T/q/gated.log" | tail -1)
kill -9 "$PID_q"; wait "$PID_q" 2>/dev/null
check "gate killed with -9: its front ($f) goes too" wait_for 3 sh -c "! [ -d /proc/$f ] || grep -q '^State:.*Z' /proc/$f/status"
remote_finish
