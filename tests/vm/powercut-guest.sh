#!/bin/sh
# powercut-guest.sh: the guest's half of the power-cut test
# (tests/vm/powercut), run by /init instead of the tests when the kernel
# command line has gated.powercut=run or gated.powercut=check.
#
# Every boot: mounts the journal's ext4 disk (/dev/vda), starts gated on it
# (the recovery a gate makes after a power cut), then reports on the
# console what survived: PRAGMA integrity_check, the ranges of event ids in
# the journal and the ranges of passage ids.  With "run" it then presents
# cards, one after another, and writes every event id gated answered to
# the second serial port (ttyS1), until the host kills the VM.  With
# "check" it stops gated, unmounts and powers off: the host then checks the
# file system too.
#
# An id reaches the host once its line is through ttyS1: each line is
# written on its own open of the port, and the last close of a serial port
# waits until the UART has sent every byte (closing_wait), which QEMU has
# by then written to the host's file.  A line cut by the kill has no
# closing "Z" and is not counted.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mode=run
for arg in $(cat /proc/cmdline); do
	case "$arg" in gated.powercut=*) mode=${arg#gated.powercut=} ;; esac
done

DIR=/var/lib/gated
DB=$DIR/state/journal.db
SOCK=$DIR/state/control.sock
LOG=/tmp/gated.log

say() { echo "PC-$*"; }
off() {
	say "END: $(cut -d' ' -f1 /proc/uptime)"
	sync
	# Without ACPI, poweroff only halts: QEMU's exit port ends the VM.
	vm-exit 0
	poweroff -f
}

say "INIT: $(cut -d' ' -f1 /proc/uptime)"
mkdir -p "$DIR"
if ! mount -t ext4 /dev/vda "$DIR" 2>/tmp/mount.err; then
	say "ERROR: cannot mount /dev/vda: $(cat /tmp/mount.err)"
	off
fi
# "write through": the disk shows no volatile cache (tests/vm/powercut).
say "CACHE: $(cat /sys/block/vda/queue/write_cache 2>&1)"
# The ext4 journal replay a power cut leaves for the next mount.
dmesg | grep -i 'EXT4-fs (vda)' | sed 's/^/PC-KERNEL: /'

gated -d -f /tests/powercut.conf >"$LOG" 2>&1 &
gated_pid=$!
up=0
i=0
while [ $i -lt 500 ]; do
	if gatectl -s "$SOCK" status >/dev/null 2>&1; then
		up=1
		break
	fi
	kill -0 "$gated_pid" 2>/dev/null || break
	usleep 20000
	i=$((i + 1))
done
# What gated said of the journal it found: a file moved aside is a loss.
grep -iE 'journal|corrupt|damaged|moving' "$LOG" | sed 's/^/PC-GATED: /'
if [ "$up" != 1 ]; then
	say "ERROR: gated did not start"
	sed 's/^/PC-GATED: /' "$LOG"
	off
fi
say "STARTED: $(cut -d' ' -f1 /proc/uptime)"

# What the last power cut left, read beside the running gated (WAL lets a
# second connection read; it never checkpoints while gated has the file).
say "INTEGRITY: $(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1 | tr '\n' ' ')"
# Islands of consecutive ids: one range when the ids are contiguous.
ranges() {
	sqlite3 "$DB" "SELECT min(id) || '-' || max(id) FROM
	    (SELECT id, id - row_number() OVER (ORDER BY id) AS g
	    FROM events $1) GROUP BY g ORDER BY min(id)" 2>&1 | tr '\n' ' '
}
say "IDS: $(ranges '')"
say "PASSAGES: $(ranges "WHERE kind = 'passage' AND card = '1001'")"

if [ "$mode" != run ]; then
	kill -TERM "$gated_pid"
	wait "$gated_pid"
	say "GATED-EXIT: $?"
	umount "$DIR" && say "UMOUNTED"
	off
fi

# The card client: as fast as gated answers.  Cards start with the first
# line on ttyS1, which is what the host times its kill from.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
say "CARDS: $(cut -d' ' -f1 /proc/uptime)"
while :; do
	id=$(gatectl -s "$SOCK" --json sim card ped-in 1001 2>>/tmp/client.err |
	    sed -n 's/^ *"event": \([0-9][0-9]*\),*$/\1/p')
	if [ -z "$id" ]; then
		say "NOID: $(tail -n 1 /tmp/client.err)"
		usleep 100000
		continue
	fi
	echo "A${id}Z" >/dev/ttyS1
done
