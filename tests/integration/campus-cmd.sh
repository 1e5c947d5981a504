# campus-cmd.sh: signed campus commands at a gate, fed through POST
# /v1/campus/command (gatectl campus apply), the path the broker link
# uses too.  gatectl signs with a key the test makes; the gate holds only
# the public key ([admin-key]).  A valid level command applies, journaled
# as key:NAME; the same again is a replay, refused and journaled once; a
# lower seq, a forged, an unknown-key, an expired, an unsigned and another
# gate's command are refused and journaled; after a restart the seq floor
# holds (a retained command delivered again never applies twice).
. "$(dirname "$0")/common.inc"

"$GATECTL" pass keygen --out "$T/admin.pem" --key-id ops \
    >"$T/keygen.out" 2>&1 || { echo "FAIL: keygen"; exit 1; }
"$GATECTL" pass keygen --out "$T/stranger.pem" --key-id ops >/dev/null 2>&1
pub=$(sed -n 's/^ops //p' "$T/keygen.out")
printf '\n[admin-key ops]\npublic-key = %s\n' "$pub" >>"$T/gate.conf"

db=$T/state/journal.db
# sign KEYFILE KEYNAME ARGS...: a signed command, one line.
sign() {
	k=$1; n=$2; shift 2
	"$GATECTL" campus sign --key "$T/$k" --key-id "$n" --site main \
	    --actor tester "$@"
}
# apply TEXT: gatectl's exit code; the answer in $T/answer.
apply() { echo "$1" | jctl campus apply - >"$T/answer" 2>&1; }
refused_rows() {
	sqlite3 "$db" "SELECT count(*) FROM events WHERE kind = 'command' AND verdict = 'denied' AND reason = '$1'"
}
level() { jctl status | jget level.number; }

start_gated || { fail "gated starts"; finish; }

c1=$(sign admin.pem ops level 1 --reason "storm warning" --seq 1000)
check "gatectl campus sign prints the command" \
    sh -c 'echo "$1" | grep -q "\"what\":\"level\",\"value\":1,\"seq\":1000"' _ "$c1"
apply "$c1"; rc=$?
check "a valid level command applies" [ "$rc/$(level)" = 0/1 ]
check "journaled with actor key:ops/tester (the key and the signed actor) and the command's reason" \
    [ "$(sqlite3 "$db" "SELECT actor || '|' || detail FROM events WHERE kind = 'level' ORDER BY id DESC LIMIT 1")" = "key:ops/tester|storm warning" ]

ctl level set 0 --reason "guard: storm over" >/dev/null
apply "$c1"; rc=$?
check "the same command again is refused (exit $rc)" [ $rc -eq 1 ]
check "... as replayed" grep -q '"refused": *"replayed"' "$T/answer"
check "... the guard's local level stands" [ "$(level)" = 0 ]
check "... journaled" [ "$(refused_rows replayed)" = 1 ]
apply "$c1"
check "a third time: not journaled again" [ "$(refused_rows replayed)" = 1 ]

c0=$(sign admin.pem ops level 3 --reason "older" --seq 999)
apply "$c0"; rc=$?
check "a lower seq is refused" [ "$rc/$(level)" = 1/0 ]
check "... journaled as replayed" [ "$(refused_rows replayed)" = 2 ]

c2=$(sign admin.pem ops level 2 --reason "forge me" --seq 2000)
forged=$(echo "$c2" | sed 's/"value":2/"value":3/')
apply "$forged"
check "forged (one byte changed): refused" grep -q '"refused": *"forged"' "$T/answer"
check "... journaled" [ "$(refused_rows forged)" = 1 ]
stranger=$(sign stranger.pem ops level 3 --reason "not an admin" --seq 3000)
apply "$stranger"
check "signed by another key under the admin's name: forged" \
    [ "$(refused_rows forged)" = 2 ]
"$GATECTL" pass keygen --out "$T/nobody.pem" --key-id nobody >/dev/null 2>&1
unknown=$(sign nobody.pem nobody level 3 --reason "who?" --seq 4000)
apply "$unknown"
check "an unknown key: refused" grep -q '"refused": *"unknown-key"' "$T/answer"
check "... journaled" [ "$(refused_rows unknown-key)" = 1 ]
unsigned=$(echo "$c2" | sed 's/,"sig":"[^"]*"//')
apply "$unsigned"
check "unsigned: refused" grep -q '"refused": *"unsigned"' "$T/answer"
check "... journaled" [ "$(refused_rows unsigned)" = 1 ]
other=$(sign admin.pem ops mode closed --target north --reason "not you" --seq 5000)
apply "$other"
check "another gate's command: refused" grep -q '"refused": *"not-for-this-gate"' "$T/answer"
expiring=$(sign admin.pem ops level 4 --reason "too late" --seq 6000 --expires 1s)
sleep 2
apply "$expiring"
check "expired: refused" grep -q '"refused": *"expired"' "$T/answer"
check "... journaled" [ "$(refused_rows expired)" = 1 ]
check "none of them changed the level" [ "$(level)" = 0 ]

mode=$(sign admin.pem ops mode staff-only --target test --reason "exams" --seq 7000)
apply "$mode"
check "a gate's mode command applies" [ "$(jctl status | jget mode)" = staff-only ]
check "... journaled as key:ops/tester" \
    [ "$(sqlite3 "$db" "SELECT actor FROM events WHERE kind = 'mode' ORDER BY id DESC LIMIT 1")" = key:ops/tester ]
apply "$c2"
check "a higher seq applies after all that" [ "$(level)" = 2 ]
stop_gated

start_gated || { fail "gated restarts"; finish; }
n=$(refused_rows replayed)
apply "$c2"; rc=$?
check "after a restart, the last command again is a replay (exit $rc)" \
    grep -q replayed "$T/answer"
apply "$c1"
check "... so is an older one: the seq floor holds" grep -q replayed "$T/answer"
check "... the level is the persisted one" [ "$(level)" = 2 ]
check "... each journaled once" [ "$(refused_rows replayed)" = $((n + 2)) ]
apply "$mode"
check "... a mode command's floor holds too" grep -q replayed "$T/answer"
check "gated logged no error storm" \
    [ "$(grep -c 'campus command refused' "$T/gated.log")" -lt 20 ]

# gatectl campus publish: retained on the command's own topic, on a
# Mosquitto the test starts (skipped without it).
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
if [ -x "$MOSQUITTO" ] && command -v mosquitto_sub >/dev/null 2>&1; then
	BROKER_PID=
	cleanup() {
		[ -n "$GATED_PID" ] && kill -9 "$GATED_PID" 2>/dev/null
		[ -n "$BROKER_PID" ] && kill -9 "$BROKER_PID" 2>/dev/null
		wait 2>/dev/null
		rm -rf "$T"
	}
	port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	printf 'user %s\nlistener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' \
	    "$(id -un)" "$port" >"$T/mosquitto.conf"
	"$MOSQUITTO" -c "$T/mosquitto.conf" >"$T/mosquitto.log" 2>&1 &
	BROKER_PID=$!
	port_open() {
		python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
	}
	wait_for 5 port_open "$port" || { cat "$T/mosquitto.log"; }
	c3=$(sign admin.pem ops level 3 --reason "lockdown drill" --seq 9000)
	out=$(echo "$c3" | "$GATECTL" campus publish - --broker "127.0.0.1:$port" 2>&1)
	check "campus publish: $out" [ "$out" = "published, retained: gated/v1/main/campus/level" ]
	got=$(mosquitto_sub -p "$port" -C 1 -W 3 -t gated/v1/main/campus/level 2>&1)
	check "the retained message is the signed command" [ "$got" = "$c3" ]
	echo "$unsigned" | "$GATECTL" campus publish - --broker "127.0.0.1:$port" \
	    >/dev/null 2>&1
	check "an unsigned command is not published (exit 2)" [ $? -eq 2 ]
	echo "$c3" | "$GATECTL" campus publish - --broker "127.0.0.1:1" \
	    >/dev/null 2>&1
	check "no broker: exit 3" [ $? -eq 3 ]
else
	echo "SKIP: campus publish: mosquitto or mosquitto-clients missing"
fi
finish
