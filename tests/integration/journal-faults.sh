# journal-faults.sh: the journal file removed under the running gate, and a
# damaged journal at start (issue 10, defects 3 and 4).  No card may be
# acknowledged with an event id that a restart does not find; the fault
# raises a journal alert; a damaged file is moved aside, not trusted.
. "$(dirname "$0")/common.inc"

J=$T/state/journal.db
# card UID: prints the verdict and the event id, "none" when not decided.
card() {
	out=$(jctl sim card ped-in "$1" 2>/dev/null)
	v=$(echo "$out" | jget verdict 2>/dev/null)
	e=$(echo "$out" | jget event 2>/dev/null)
	echo "${v:-none} ${e:-0}"
}
# has_event ID: the event is in the journal of the running gate.
has_event() {
	jctl events --after $(($1 - 1)) --limit 1 | python3 -c '
import json, sys
ev = json.load(sys.stdin)["events"]
sys.exit(0 if ev and ev[0]["id"] == int(sys.argv[1]) else 1)' "$1"
}
# alert_like TEXT: an active alert of kind journal whose detail has TEXT.
alert_like() {
	jctl status | python3 -c '
import json, sys
a = json.load(sys.stdin)["alerts"]
sys.exit(0 if any(x["kind"] == "journal" and sys.argv[1] in
    (x.get("detail") or "") for x in a) else 1)' "$1"
}

start_gated || { fail "gated starts"; finish; }
for i in 1 2 3; do card 1001 >/dev/null; done

# rm journal.db* while gated runs; a directory in its place keeps the
# journal from being reopened for now.
rm -f "$J" "$J-wal" "$J-shm"
mkdir "$J"
wait_for 4 is_output door 0
doors=$(changes door)
set -- $(card 1001)
check "journal gone: the card is not granted (got $1)" [ "$1" != granted ]
check "journal gone: the door did not move" [ "$(changes door)" = "$doors" ]
check "journal gone: a journal alert is raised" alert_like 'vanished'
check "journal gone: the alert lamp blinks" wait_for 2 is_output lamp-red 1

# The path is free again: a new journal within the watch period.
rmdir "$J"
check "a new journal is opened with a mark" wait_for 8 alert_like 'vanished while open'
granted=
for i in 1 2 3 4 5; do
	set -- $(card 1001)
	[ "$1" = granted ] && granted="$granted $2"
done
check "cards are granted again, into the new journal ($granted)" [ "$(echo $granted | wc -w)" = 5 ]
stop_gated
start_gated || { fail "gated restarts"; finish; }
lost=0
for id in $granted; do has_event "$id" || lost=$((lost + 1)); done
check "after a restart, every acknowledged id is there ($lost lost)" [ $lost -eq 0 ]
check "the new journal starts with a journal-vanished system event" sh -c "'$GATECTL' -s '$SOCK' --json events | grep -q journal-vanished"
check "the journal alert stays active after the restart" alert_like 'vanished while open'
first=$(echo $granted | cut -d' ' -f1)
check "ids continue after the vanished file's (first new id $first)" [ "${first:-0}" -gt 4 ]
stop_gated

# A damaged journal: every page but the first overwritten with random bytes.
python3 - "$J" <<'EOF'
import os, sys
size = os.path.getsize(sys.argv[1])
with open(sys.argv[1], "r+b") as f:
    f.seek(4096)
    f.write(os.urandom(max(size - 4096, 4096 * 4)))
EOF
start_gated || { fail "gated starts on a damaged journal"; finish; }
pass "gated starts on a damaged journal"
check "damaged: the file is moved aside" sh -c "ls '$T/state/' | grep -q '^journal.db.corrupt-'"
check "damaged: a journal alert says so" alert_like 'integrity check'
check "damaged: an error line in the log" grep -q 'error: journal .* damaged' "$T/gated.log"
ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	set -- $(card 1001)
	[ "$1" = granted ] && ok=$((ok + 1))
done
check "damaged: 10 valid cards decided normally ($ok granted)" [ $ok -eq 10 ]
check "damaged: the new journal starts with a journal-damaged event" sh -c "'$GATECTL' -s '$SOCK' --json events | grep -q journal-damaged"
finish
