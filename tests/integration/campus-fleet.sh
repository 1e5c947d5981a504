# campus-fleet.sh: a campus of gates on one Mosquitto (issue 14).  GATES
# gated processes on the simulator (50; each its own config, state dir and
# socket), then: one `gatectl campus level set 1` switches them all (the
# time printed); a gate offline during a level change applies it when it
# reconnects; CARDS cards (10,000) spread over the gates while the broker
# is stopped for a while and started again, a durable subscriber ending
# with every event of every journal, by (gate, id), none missing; the
# broker down for a whole run of cards, every card still decided (the
# round trip's p99 printed, not asserted).
#   CAMPUS_GATES=N CAMPUS_CARDS=N sh tests/integration/campus-fleet.sh
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"
GATES=${CAMPUS_GATES:-50}
CARDS=${CAMPUS_CARDS:-10000}

PORT=$(free_port)
plain_conf "$PORT" "$T/broker.conf"
# Persistent: the durable subscriber's session outlives the broker's stop;
# its queue unbounded (Mosquitto drops a client's messages beyond 1,000
# queued by default: 50 gates at full speed fill that in a second).
sed -i "s|^persistence false|persistence true\npersistence_location $T/\nmax_queued_messages 0|" \
    "$T/broker.conf"
admin_key
names=
i=1
while [ $i -le "$GATES" ]; do
	campus_gate "g$i" "$PORT" "$ADMIN_KEY"
	# The simulator's gate, quieter: no thermometer wait on the lane.
	sed -i 's/^temperature-check = yes/temperature-check = no/' \
	    "$T/g$i/gate.conf"
	names="$names g$i"; i=$((i + 1))
done
steer() {
	"$GATECTL" campus "$@" --key "$T/admin.pem" --key-id office \
	    --site main --broker "127.0.0.1:$PORT" --timeout 20
}
all_connected() {
	for g in $names; do gate_connected "$g" || return 1; done
}
level_is() { [ "$(gctl "$1" --json status 2>/dev/null | jget level.number 2>/dev/null)" = "$2" ]; }

start_broker main "$T/broker.conf" "$PORT" || exit 1
mosquitto_sub -p "$PORT" -c -i fleet-consumer -q 1 -v \
    -t 'gated/v1/main/+/events' >>"$T/events.out" 2>>"$T/sub.err" &
SUB=$!; PIDS="$PIDS $SUB"
t0=$(date +%s)
for g in $names; do gate_up "$g"; done
check "$GATES gates up and connected" wait_for 60 all_connected
echo "campus-fleet: $GATES gates started and connected in $(($(date +%s) - t0)) s"

steer level set 1 --reason "storm warning" >"$T/set1.out" 2>&1
rc=$?
tail -1 "$T/set1.out"
check "one campus level set 1: exit 0, all $GATES applied" sh -c \
    "[ $rc = 0 ] && grep -q ': $GATES applied, 0 refused, 0 offline' '$T/set1.out'"
took=$(sed -n 's/.*no answer; \([0-9.]*\) s$/\1/p' "$T/set1.out")
echo "bench: campus: $GATES gates switched to level 1 by one gatectl campus level set in $took s (publish to the last gate's state)"
check "... every gate at level 1 (asked each)" sh -c \
    "for g in $names; do [ \"\$('$GATECTL' -s '$T'/\$g/state/control.sock --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"level\"][\"number\"])')\" = 1 ] || exit 1; done"

gate_down g1
steer level set 2 --reason "closed campus" >"$T/set2.out" 2>&1
check "g1 stopped, level set 2: exit 6, g1 offline, the rest applied" sh -c \
    "[ $? = 6 ] && grep -qE '^g1 +no +offline' '$T/set2.out' && grep -q ': $((GATES - 1)) applied' '$T/set2.out'"
gate_up g1
check "g1 back: applies the retained level 2 on reconnecting" \
    wait_for 15 level_is g1 2
steer level set 0 --reason "all clear" >/dev/null 2>&1

socks=
for g in $names; do socks="$socks $T/$g/state/control.sock"; done
wait_for 15 all_connected
# Paced (20 ms between a gate's cards) so the run outlasts the broker's
# absence; stopped with TERM, so it saves the subscriber's session.
CARDS_GAP_MS=20 python3 "$top/tests/integration/campus-cards.py" "$CARDS" \
    $socks >"$T/cards.out" 2>&1 &
CARDS_PID=$!
sleep 1
stop_broker main
sleep 2
start_broker main "$T/broker.conf" "$PORT" || exit 1
broker_back=yes
kill -0 $CARDS_PID 2>/dev/null || broker_back="after the cards"
wait $CARDS_PID
read -r decided p99 secs <"$T/cards.out"
check "$CARDS cards over $GATES gates, the broker stopped 2 s meanwhile: all decided ($decided)" \
    [ "$decided" = "$CARDS" ]
echo "campus-fleet: $decided cards in $secs s (the broker stopped from 1 s to 3 s, back while cards ran: $broker_back), round trip p99 $p99 ms"

# Every journal row of every gate, by (gate, id), in what the subscriber got.
missing() {
	python3 - "$T/events.out" "$T" $names <<'PY'
import json, sqlite3, sys
got = {}
for line in open(sys.argv[1], errors="replace"):
    topic, _, payload = line.partition(" ")
    try: got.setdefault(topic.split("/")[3], set()).add(json.loads(payload)["id"])
    except Exception: pass
miss = 0
for g in sys.argv[3:]:
    ids = {r[0] for r in sqlite3.connect("%s/%s/state/journal.db" % (sys.argv[2], g)).execute("SELECT id FROM events")}
    miss += len(ids - got.get(g, set()))
print(miss, sum(len(s) for s in got.values()))
PY
}
# Each look reads every journal: once a second, for a minute at most.
none_missing() {
	n=0
	while [ $n -lt 60 ]; do
		[ "$(missing | cut -d' ' -f1)" = 0 ] && return 0
		sleep 1; n=$((n + 1))
	done
	return 1
}
check "the subscriber, deduplicating by (gate, id), has every event of every journal" \
    none_missing
echo "campus-fleet: missing, distinct events seen: $(missing)"

stop_broker main
python3 "$top/tests/integration/campus-cards.py" "$((CARDS / 5))" $socks \
    >"$T/down.out" 2>&1
read -r decided p99 secs <"$T/down.out"
check "the broker down for a whole run: $((CARDS / 5)) cards decided ($decided)" \
    [ "$decided" = "$((CARDS / 5))" ]
echo "campus-fleet: $decided cards in $secs s with no broker, round trip p99 $p99 ms"
for g in $names; do gate_down "$g"; done
finish
