# mqtt-gate.sh: gated on a real Mosquitto ([mqtt], agent/gate-mqtt.c),
# mosquitto_sub as the consumer.  Shows: online retained and the last
# will on kill -9; the state retained and republished on a mode change;
# 200 cards as 200 passage events on the events topic, in id order; the
# broker stopped during a run of cards and back on the same port, a
# consumer that drops duplicates by (gate, id) ending with every id of the
# journal; a restarted gated resuming from the acked id it persisted; the
# broker down for a whole run, cards decided as usual; events retention
# deleted before the broker had them counted and logged.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"

PORT=$(free_port)
# Persistent, so the durable consumer's session outlives a broker restart.
plain_conf "$PORT" "$T/broker.conf"
sed -i "s|^persistence false|persistence true\npersistence_location $T/|" \
    "$T/broker.conf"
cat >>"$T/gate.conf" <<EOF

[mqtt]
host = 127.0.0.1
port = $PORT
site = campus
keepalive = 5s
EOF
TOP=gated/v1/campus/test

# sub NAME ARGS...: a mosquitto_sub in the background, to $T/NAME.
sub() {
	name=$1; shift
	mosquitto_sub -p "$PORT" "$@" >>"$T/$name" 2>>"$T/$name.err" &
	PIDS="$PIDS $!"
}
# retained LEAF: the retained message on a topic (within 3 s).
retained() {
	mosquitto_sub -p "$PORT" -C 1 -W 3 -t "$TOP/$1" 2>/dev/null
}
retained_is() { [ "$(retained "$1")" = "$2" ]; }
retained_has() { retained "$1" | grep -q "$2"; }
last_id() { jctl status | jget journal.last_id; }
mqtt() { jctl status | jget "mqtt.$1"; }
# ids FILE...: the event ids the consumers got, one per line, as received.
ids() {
	cat "$@" | python3 -c 'import json, sys
for line in sys.stdin:
    try: print(json.loads(line)["id"])
    except Exception: pass'
}
# all_ids LAST FILE...: the consumers have every id 1..LAST (duplicates
# dropped by id: one gate here).
all_ids() {
	last=$1; shift
	[ "$(ids "$@" | sort -nu | awk -v n="$last" '$1 >= 1 && $1 <= n' |
	    wc -l)" -eq "$last" ]
}
has_id() { ids "$2" | grep -qx "$1"; }
cards() {	# cards N: N grants on ped-in, one at a time
	i=0
	while [ $i -lt "$1" ]; do
		ctl sim card ped-in 1001 >/dev/null
		i=$((i + 1))
	done
}

start_broker b "$T/broker.conf" "$PORT"
# The durable consumer: QoS 1, a session the broker keeps while it is away.
sub cons.out -c -i consumer -q 1 -t "$TOP/events"
sub alerts.out -t "$TOP/alerts"
sleep 0.3
start_gated || { fail "gated starts"; finish; }

# --- online, state --------------------------------------------------------
check "online: retained 1 after the connect" wait_for 5 retained_is online 1
check "status: mqtt.connected" wait_for 3 sh -c \
    "[ \"\$('$GATECTL' -s '$SOCK' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"mqtt\"][\"connected\"])')\" = True ]"
check "state: retained, mode open" retained_has state '"mode":"open"'
check "state: lanes, alerts, clock and devices in it" sh -c \
    "mosquitto_sub -p $PORT -C 1 -W 3 -t $TOP/state | python3 -c 'import json,sys; d=json.load(sys.stdin); assert all(k in d for k in (\"lanes\",\"alerts\",\"clock\",\"devices\",\"level\"))'"
ctl mode set closed --reason mqtt-test >/dev/null
check "state: republished on a mode change (closed)" \
    wait_for 4 retained_has state '"mode":"closed"'
ctl mode set open --reason mqtt-test >/dev/null
check "state: and back (open)" wait_for 4 retained_has state '"mode":"open"'

# --- 200 cards, 200 passage events in id order ----------------------------
before=$(last_id)
cards 200
last=$(last_id)
check "events: the consumer has every id up to $last" \
    wait_for 10 has_id "$last" "$T/cons.out"
n=$(grep -c '"kind":"passage"' "$T/cons.out")
check "events: 200 passages on the topic ($n)" [ "$n" -eq 200 ]
check "events: in id order" sh -c \
    "[ \"\$(cat '$T/cons.out' | python3 -c 'import json,sys; a=[json.loads(l)[\"id\"] for l in sys.stdin]; print(a == sorted(a))')\" = True ]"
check "events: ids 1..$last, none missing" all_ids "$last" "$T/cons.out"
check "events: the passages after $before are there" \
    sh -c "[ \$(grep -c '\"kind\":\"passage\"' '$T/cons.out') -ge $((last - before - 5)) ]"
check "status: backlog 0, acked $last" wait_for 3 sh -c \
    "[ \"\$('$GATECTL' -s '$SOCK' --json status | python3 -c 'import json,sys; m=json.load(sys.stdin)[\"mqtt\"]; print(m[\"backlog\"], m[\"acked_id\"])')\" = '0 $last' ]"
curl -s --unix-socket "$SOCK" http://gate/metrics >"$T/metrics"
check "metrics: gated_mqtt_connected 1" grep -q '^gated_mqtt_connected 1$' "$T/metrics"
check "metrics: gated_mqtt_backlog 0" grep -q '^gated_mqtt_backlog 0$' "$T/metrics"

# --- the broker stopped during a run of cards, back on the same port ------
cards 300 &
CARDS=$!
sleep 1
stop_broker b
check "broker down: status says disconnected" wait_for 5 sh -c \
    "[ \"\$('$GATECTL' -s '$SOCK' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"mqtt\"][\"connected\"])')\" = False ]"
sleep 1
start_broker b "$T/broker.conf" "$PORT"
wait $CARDS
last=$(last_id)
check "broker back: the consumer ends with every id 1..$last (by gate, id)" \
    wait_for 20 all_ids "$last" "$T/cons.out"
dups=$(($(ids "$T/cons.out" | wc -l) - $(ids "$T/cons.out" | sort -nu | wc -l)))
echo "info: $dups duplicates after the broker restart (at least once)"
check "broker back: online retained 1 again" wait_for 5 retained_is online 1

# --- kill -9: the will ----------------------------------------------------
sub online.out -v -t "$TOP/online"
wait_for 3 grep -q 'online 1' "$T/online.out"
kill -9 "$GATED_PID"; wait "$GATED_PID" 2>/dev/null; GATED_PID=
check "will: killed -9, the broker publishes online 0" \
    wait_for 15 grep -q 'online 0' "$T/online.out"
check "will: retained 0" retained_is online 0

# --- a restart resumes from the persisted acked id ------------------------
start_gated || { fail "gated restarts"; finish; }
check "restart: online 1" wait_for 5 retained_is online 1
last=$(last_id)
check "restart: the consumer has every id up to $last" \
    wait_for 10 all_ids "$last" "$T/cons.out"
wait_for 3 sh -c "[ \"\$('$GATECTL' -s '$SOCK' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"mqtt\"][\"backlog\"])')\" = 0 ]"
stop_gated
check "clean stop: online 0 published" wait_for 3 retained_is online 0
acked=$(python3 -c 'import sqlite3,sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM state WHERE key = ?", ("mqtt_acked",)).fetchone()[0])' "$T/state/journal.db" 2>/dev/null)
check "clean stop: the acked id is in the journal's state ($acked = $last+)" \
    [ "${acked:-0}" -ge "$last" ]
sub resume.out -q 1 -t "$TOP/events"
sleep 0.3
start_gated || { fail "gated restarts"; finish; }
cards 5
last=$(last_id)
check "resume: the new events arrive (up to $last)" wait_for 10 has_id "$last" "$T/resume.out"
low=$(ids "$T/resume.out" | sort -n | head -1)
check "resume: nothing acked before is sent again (first $low > $acked)" \
    [ "$low" -gt "$acked" ]
stop_gated

# --- the broker down for a whole run: cards decided as usual --------------
stop_broker b
start_gated || { fail "gated starts without a broker"; finish; }
out=$(ctl sim card ped-in 1001)
check "no broker: a known card granted ($out)" sh -c "echo '$out' | grep -q '^granted'"
out=$(ctl sim card ped-in 4242)
check "no broker: an unknown card denied ($out)" sh -c "echo '$out' | grep -q '^denied  unknown-card'"
check "no broker: both in the journal" sh -c \
    "'$GATECTL' -s '$SOCK' events --limit 2 | grep -q 'denied unknown-card'"
check "no broker: status says not connected, a backlog" sh -c \
    "[ \"\$('$GATECTL' -s '$SOCK' --json status | python3 -c 'import json,sys; m=json.load(sys.stdin)[\"mqtt\"]; print(m[\"connected\"], m[\"backlog\"] > 0)')\" = 'False True' ]"
curl -s --unix-socket "$SOCK" http://gate/metrics >"$T/metrics"
check "metrics: gated_mqtt_connected 0" grep -q '^gated_mqtt_connected 0$' "$T/metrics"
cards 30
stop_gated

# --- retention deletes events the broker never had: said, not hidden -----
sed -i 's/^id = test$/id = test\njournal-max-rows = 10/' "$T/gate.conf"
start_broker b "$T/broker.conf" "$PORT"
start_gated || { fail "gated restarts"; finish; }
last=$(last_id)
check "retention: the newest event still reaches the consumer ($last)" \
    wait_for 10 has_id "$last" "$T/cons.out"
pruned=$(mqtt pruned_unsent)
check "retention: the status counts the events lost unsent ($pruned)" \
    [ "${pruned:-0}" -gt 0 ]
check "retention: the log says which" \
    grep -q 'deleted by retention before the broker had them' "$T/gated.log"
stop_gated
finish
