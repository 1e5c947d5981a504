# people-push.sh: what the campus pushes to its gates through a real
# Mosquitto, signed with an admin key (agent/gate-push.c,
# gatectl/cmd-campus-people.c, docs/mqtt.md "Pushed by the campus"), on
# three gated processes on the simulator.  Shows: a people list pushed to
# every gate with one offline, which takes it when it returns; a bad hash,
# a forged and a replayed push refused and journaled, the list kept; a CSV
# error refused with its line; a person quarantined campus-wide refused at
# every gate within 1 s (the time printed), then admitted again; the list
# and the set kept across a restart without the broker; an alert
# acknowledged from the campus, the operator in the gate's journal.  A
# fourth gate, without people-push, keeps its own file and takes the
# quarantine set all the same.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"

PORT=$(free_port)
plain_conf "$PORT" "$T/broker.conf"
"$GATECTL" pass keygen --out "$T/admin.pem" --key-id office \
    >"$T/keygen.out" 2>&1 || { echo "FAIL: keygen"; exit 1; }
pub=$(sed -n 's/^office //p' "$T/keygen.out")
GATES="g1 g2 g3 g4"	# g4: people-push = no
PUSHED="g1 g2 g3"
for g in $GATES; do
	mkdir -p "$T/$g"
	sed "s/^id = test/id = $g/" "$T/gate.conf" >"$T/$g/gate.conf"
	cp "$T/people.csv" "$T/$g/"
	cat >>"$T/$g/gate.conf" <<EOF

[mqtt]
host = 127.0.0.1
port = $PORT
site = main
keepalive = 5s
people-push = $([ $g = g4 ] && echo no || echo yes)

[admin-key office]
public-key = $pub
EOF
done

# gate_start G / gate_stop G: gated of gate G, its pid in PID_G.
gate_start() {
	"$GATED" -d -f "$T/$1/gate.conf" >>"$T/$1.log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
	wait_for 5 g_ctl "$1" status >/dev/null || { echo "$1 did not start"; cat "$T/$1.log"; }
}
gate_stop() {
	eval "p=\$PID_$1"
	kill -TERM "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}
g_ctl() { g=$1; shift; "$GATECTL" -s "$T/$g/state/control.sock" "$@" >/dev/null 2>&1; }
g_json() { g=$1; shift; "$GATECTL" -s "$T/$g/state/control.sock" --json "$@"; }
g_status() { g_json "$1" status | jget "$2"; }
rows() { sqlite3 "$T/$1/state/journal.db" "SELECT count(*) FROM events WHERE $2"; }
has_rows() { [ "$(rows "$1" "$2")" -ge "${3:-1}" ]; }
all_rows() {	# all_rows WHERE [GATES]
	for g in ${2:-$PUSHED}; do has_rows "$g" "$1" || return 1; done
}
version_is() { [ "$(g_status "$1" campus.people.version)" = "$2" ]; }
connected() { g_json "$1" status | grep -q '"connected": *true'; }
# card G UID: 0 granted, 5 denied.
card() { g_ctl "$1" sim card ped-in "$2"; }
denied_everywhere() {
	for g in $GATES; do card "$g" "$1"; [ $? -eq 5 ] || return 1; done
}
granted_everywhere() {
	for g in $GATES; do card "$g" "$1" || return 1; done
}
ms() { date +%s%3N; }
campus() {
	"$GATECTL" campus "$@" --key "$T/admin.pem" --key-id office \
	    --site main --broker "127.0.0.1:$PORT" --actor duty-officer
}
retained() {
	mosquitto_sub -p "$PORT" -C 1 -W 3 -t "gated/v1/main/campus/$1" 2>/dev/null
}

start_broker main "$T/broker.conf" "$PORT" || exit 1
for g in $GATES; do gate_start "$g"; done
for g in $GATES; do
	check "$g: connected to the broker" wait_for 10 connected "$g"
done

# --- a push reaching every gate, one of them offline ----------------------
{ cat "$T/people.csv"; echo "1010,S1010,New Student,student,teaching,teaching,2020-01-01,,"; } \
    >"$T/v1.csv"
gate_stop g3
campus people push "$T/v1.csv" --reason "term start" --wait 5 >"$T/push1.out" 2>&1
rc=$?
cat "$T/push1.out"
check "push: gatectl says every online gate runs it (exit $rc)" [ $rc -eq 0 ]
check "push: g1 runs version 1" wait_for 5 version_is g1 1
check "push: g2 runs version 1" wait_for 5 version_is g2 1
check "push: the new person is admitted at g1" card g1 1010
check "push: journaled 'pushed' by key:office/duty-officer" \
    has_rows g1 "kind = 'people' AND reason = 'pushed' AND actor = 'key:office/duty-officer' AND detail LIKE '%campus-people v1%term start%'"
check "push: the table lists g1 and g2 at 1" sh -c \
    "grep -Eq '^g1 +yes +yes +1 ' '$T/push1.out' && grep -Eq '^g2 +yes +yes +1 ' '$T/push1.out'"
gate_start g3
check "push: g3, offline meanwhile, runs version 1 on its return" \
    wait_for 10 version_is g3 1
check "push: and admits the new person" card g3 1010
check "push: g4 (people-push = no) runs its own file (version 0)" version_is g4 0
check "push: g4 does not know the new person" sh -c \
    "$GATECTL -s $T/g4/state/control.sock sim card ped-in 1010 >/dev/null; [ \$? -eq 5 ]"
check "push: g4 journaled nothing of it (not subscribed)" \
    [ "$(rows g4 "reason IN ('pushed', 'push-refused') OR kind = 'command'")" = 0 ]
g_ctl g1 people reload
check "a local reload at g1 reads the pushed list: still version 1" \
    wait_for 5 has_rows g1 "reason = 'reloaded' AND detail LIKE '%from campus-people v1 %'"
check "... and admits the pushed person" card g1 1010
sha=$(sha256sum "$T/v1.csv" | cut -c1-64)
check "status: the version's sha256 is the file's" \
    [ "$(g_status g2 campus.people.sha256)" = "$sha" ]
check "state topic: g2 reports people version 1" sh -c \
    "mosquitto_sub -p $PORT -C 1 -W 3 -t gated/v1/main/g2/state | grep -q '\"version\":1'"
check "the pushed list is kept in the state dir" \
    cmp -s "$T/v1.csv" "$T/g1/state/campus-people.csv"

# --- bad hash, forged, replayed: refused, the list kept -------------------
good=$(retained people)
python3 - "$good" >"$T/badhash.json" <<'EOF'
import json, sys
c = json.loads(sys.argv[1]); c["csv"] = c["csv"].replace("New Student", "Old Student")
print(json.dumps(c))
EOF
python3 - "$good" >"$T/forged.json" <<'EOF'
import json, sys
c = json.loads(sys.argv[1]); c["seq"] += 100
print(json.dumps(c))
EOF
mosquitto_pub -p "$PORT" -r -t gated/v1/main/campus/people -f "$T/badhash.json"
check "bad hash: refused and journaled at every gate" \
    wait_for 10 all_rows "kind = 'command' AND reason = 'bad-hash'"
mosquitto_pub -p "$PORT" -r -t gated/v1/main/campus/people -f "$T/forged.json"
check "forged: refused and journaled at every gate" \
    wait_for 10 all_rows "kind = 'command' AND reason = 'forged'"
for g in $PUSHED; do
	check "$g: still version 1, the new person still admitted" \
	    sh -c "version_is() { [ \"\$($GATECTL -s $T/$g/state/control.sock --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"campus\"][\"people\"][\"version\"])')\" = 1 ]; }; version_is && $GATECTL -s $T/$g/state/control.sock sim card ped-in 1010 >/dev/null"
done

# --- a CSV error: refused with its line -----------------------------------
{ cat "$T/v1.csv"; echo "12x,S1011,Bad Uid,student,teaching,teaching,,,"; } >"$T/bad.csv"
line=$(wc -l <"$T/bad.csv")
campus people push "$T/bad.csv" --reason "a typo" --seq 2 --wait 3 >"$T/push-local.out" 2>&1
check "CSV error: gatectl refuses it first, with the gate's error" \
    grep -q "bad.csv:$line: invalid card uid '12x'" "$T/push-local.out"
check "CSV error: gatectl published nothing" \
    sh -c "! grep -q '^published' '$T/push-local.out'"
# --unchecked: the gates' own refusal, which a list signed elsewhere meets.
campus people push "$T/bad.csv" --unchecked --reason "a typo" --seq 2 --wait 3 >"$T/push-bad.out" 2>&1
check "CSV error: gatectl says not every gate runs it" [ $? -ne 0 ]
check "CSV error: journaled with the file and the line ($line) at every gate" \
    wait_for 10 all_rows "reason = 'push-refused' AND actor = 'key:office/duty-officer' AND detail LIKE '%campus-people v2:$line: invalid card uid ''12x''%'"
check "CSV error: still version 1" version_is g1 1
check "CSV error: the kept file is the good one" \
    cmp -s "$T/v1.csv" "$T/g2/state/campus-people.csv"

# The first push (seq 1) again, now below the floor (2): a replay.
mosquitto_pub -p "$PORT" -r -t gated/v1/main/campus/people -m "$good"
check "replayed (seq 1 after 2): refused and journaled at every gate" \
    wait_for 10 all_rows "kind = 'command' AND reason = 'replayed'"
check "replayed: still version 1" version_is g2 1

# --- quarantine, campus-wide, within 1 s ----------------------------------
check "before: S1002 (card 1002) admitted everywhere" granted_everywhere 1002
# When the broker delivered the new set: a subscriber's receive time (%U).
mosquitto_sub -p "$PORT" -t gated/v1/main/campus/quarantine -R -F '%U' \
    >"$T/q-arrival" 2>/dev/null &
PIDS="$PIDS $!"
sleep 0.3
t0=$(ms)
campus quarantine S1002 on --reason "confirmed case" --wait 0 >"$T/q1.out" 2>&1
check "quarantine on: published" grep -q "published, retained" "$T/q1.out"
check "quarantine on: journaled at every gate, g4 too" \
    wait_for 5 all_rows "reason = 'campus-quarantine' AND detail LIKE '%+S1002%'" "$GATES"
t1=$(ms)
tb=$(head -1 "$T/q-arrival" | sed 's/\.\(...\).*/\1/')
worst=0
for g in $GATES; do
	ts=$(sqlite3 "$T/$g/state/journal.db" "SELECT max(ts_ms) FROM events WHERE reason = 'campus-quarantine'")
	d=$((ts - tb)); [ $d -gt $worst ] && worst=$d
	echo "info: $g: quarantine journaled $d ms after the broker delivered it to a subscriber (below 0: the gate got it first)"
done
echo "info: gatectl start to every gate's row: $((t1 - t0)) ms (connect, read the retained set, sign, publish)"
check "quarantine on: every gate within 1 s of the broker's delivery (${worst} ms)" [ "$worst" -lt 1000 ]
check "quarantine on: card 1002 refused at all gates" denied_everywhere 1002
check "quarantine on: refused with the quarantine reason" \
    all_rows "kind = 'passage' AND person = 'S1002' AND reason = 'quarantine'" "$GATES"
campus quarantine S1002 off --reason "cleared" --wait 3 >"$T/q2.out" 2>&1
check "quarantine off: gatectl sees every gate at the new seq" [ $? -eq 0 ]
check "quarantine off: admitted at all gates" granted_everywhere 1002
campus quarantine S1005 on --reason "second case" --wait 3 >/dev/null 2>&1
campus quarantine S1002 on --reason "again" --wait 3 >/dev/null 2>&1
check "the retained set holds both" sh -c \
    "mosquitto_sub -p $PORT -C 1 -W 3 -t gated/v1/main/campus/quarantine | grep -q '\"persons\":\[\"S1002\",\"S1005\"\]'"

# --- restart without the broker ------------------------------------------
for g in $GATES; do gate_stop "$g"; done
stop_broker main
gate_start g1
check "restart, no broker: version 1 still" version_is g1 1
check "restart, no broker: the pushed person still admitted" card g1 1010
check "restart, no broker: S1002 still refused (the set kept)" sh -c \
    "$GATECTL -s $T/g1/state/control.sock sim card ped-in 1002 >/dev/null; [ \$? -eq 5 ]"
check "restart: the status shows the quarantine set" \
    [ "$(g_status g1 campus.quarantine.count)" = 2 ]
start_broker main "$T/broker.conf" "$PORT"
check "broker back: connected" wait_for 15 connected g1
# A broker without persistence lost the retained messages: republish them.
campus people push "$T/v1.csv" --reason "republished" --seq 3 --wait 3 >/dev/null 2>&1
check "a new version after the restart applies (3)" wait_for 10 version_is g1 3

# --- an alert acknowledged from the campus --------------------------------
card g1 1005
aid=$(g_json g1 status | python3 -c 'import json,sys
a = json.load(sys.stdin)["alerts"]
print(a[0]["id"] if a else "")')
check "an alert is active at g1 (quarantine card 1005): $aid" [ -n "$aid" ]
campus ack g1 "$aid" --reason "sent home by the duty office" >"$T/ack.out" 2>&1
check "ack: published, not retained" grep -q "^published: gated/v1/main/g1/ack" "$T/ack.out"
check "ack: the alert is cleared at g1" wait_for 5 sh -c \
    "[ -z \"\$($GATECTL -s $T/g1/state/control.sock --json status | python3 -c 'import json,sys; print(\"\".join(str(a[\"id\"]) for a in json.load(sys.stdin)[\"alerts\"] if a[\"id\"] == $aid))')\" ]"
check "ack: journaled with the operator and the key" \
    has_rows g1 "kind = 'ack' AND actor = 'key:office/duty-officer' AND detail = 'sent home by the duty office'"
check "ack: nothing retained on the ack topic" sh -c \
    "[ -z \"\$(mosquitto_sub -p $PORT -C 1 -W 1 -t gated/v1/main/g1/ack 2>/dev/null)\" ]"
gate_stop g1
finish
