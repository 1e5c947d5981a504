# journal-full.sh: the journal cannot record (its file system is full), and
# the guards are still alerted: the journal alert shows in status, the red
# lamp blinks and the buzzer sounds, without the journal.  The exit button
# still lets a person out (safety over record).  When the disk has room
# again the alert is journaled and can be acknowledged.  The state
# directory is a small tmpfs, so this needs root; it skips otherwise.
. "$(dirname "$0")/common.inc"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root to mount a small tmpfs"
	exit 0
fi
mkdir -p "$T/state"
# No low-space warning on this small file system: only the failure alerts.
sed -i 's/^\[gate\]$/[gate]\njournal-warn-free = 0K/' "$T/gate.conf"
if ! mount -t tmpfs -o size=4m,mode=0755 gated-test "$T/state" 2>/dev/null; then
	echo "SKIP: cannot mount a tmpfs here"
	exit 0
fi
trap 'cleanup_full' EXIT INT TERM
cleanup_full() {
	[ -n "$GATED_PID" ] && kill -9 "$GATED_PID" 2>/dev/null
	wait 2>/dev/null
	GATED_PID=
	umount "$T/state" 2>/dev/null
	cleanup
}
# The journal alert as status shows it, as "count journaled id", or "".
journal_alert() {
	jctl status | python3 -c 'import json,sys
for a in json.load(sys.stdin)["alerts"]:
    if a["kind"] == "journal" and a.get("subject") == "write":
        print(a["count"], str(a["journaled"]).lower(), a["id"])'
}

start_gated || { fail "gated starts"; finish; }
check "a card is granted while the disk has room" sh -c \
    "'$GATECTL' -s '$SOCK' --json sim card ped-in 1001 | grep -q granted"
check "no alert yet" [ "$(jctl status | jget alert_counts.active)" = 0 ]

# Fill the file system: the next append of the journal fails.
dd if=/dev/zero of="$T/state/filler" bs=64k 2>/dev/null
red0=$(changes lamp-red)
buzz0=$(changes buzzer)

check "the lane has shut after the card" wait_for 5 is_output door 0
ctl sim button exit-button >/dev/null
check "exit button opens the lane though the journal cannot record" \
    wait_for 3 is_output door 1
check "the journal alert is active in status" \
    wait_for 3 sh -c "jctl() { '$GATECTL' -s '$SOCK' --json \"\$@\"; }; \
    jctl status | grep -q '\"kind\": \"journal\"'"
check "it says it is not journaled yet" [ "$(journal_alert | cut -d' ' -f2)" = false ]
check "alert_counts counts it" [ "$(jctl status | jget alert_counts.by_kind.journal)" = 1 ]
check "the red lamp blinks" wait_for 3 sh -c \
    "[ \$('$GATECTL' -s '$SOCK' --json sim outputs | python3 -c 'import json,sys
print([o[\"changes\"] for o in json.load(sys.stdin)[\"outputs\"] if o[\"name\"] == \"lamp-red\"][0])') -ge $((red0 + 2)) ]"
check "the buzzer sounds" wait_for 3 sh -c \
    "[ \$('$GATECTL' -s '$SOCK' --json sim outputs | python3 -c 'import json,sys
print([o[\"changes\"] for o in json.load(sys.stdin)[\"outputs\"] if o[\"name\"] == \"buzzer\"][0])') -gt $buzz0 ]"
out=$(ctl ack 1 2>&1)
check "an alert not journaled cannot be acknowledged yet" sh -c \
    "echo '$out' | grep -q 'no active alert'"

# A second failure counts on the same alert.
check "the lane has shut" wait_for 5 is_output door 0
ctl sim button exit-button >/dev/null
check "the exit button opens the lane again" wait_for 3 is_output door 1
check "the repeat counts on the one journal alert" \
    [ "$(journal_alert | cut -d' ' -f1)" = 2 ]

# Room again: the next append writes the waiting alert.
rm -f "$T/state/filler"
wait_for 5 is_output door 0
check "a card is granted again" sh -c \
    "'$GATECTL' -s '$SOCK' --json sim card ped-in 1001 | grep -q granted"
check "the alert is journaled now" [ "$(journal_alert | cut -d' ' -f2)" = true ]
id=$(journal_alert | cut -d' ' -f3)
check "its alert event is in the journal" sh -c \
    "'$GATECTL' -s '$SOCK' --json events | grep -q '\"alert_id\": $id'"
check "the journal keeps the count of failures" sh -c \
    "[ \"\$(sqlite3 '$T/state/journal.db' 'SELECT count FROM alerts WHERE id = $id')\" = 2 ]"
check "acknowledged once journaled" ctl ack --reason "disk cleaned" "$id"
check "then no alert is active" [ "$(jctl status | jget alert_counts.active)" = 0 ]
check "the red lamp is off after the ack" wait_for 3 is_output lamp-red 0
stop_gated
finish
