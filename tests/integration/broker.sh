# broker.sh: the broker link (common/broker.c) against a real Mosquitto,
# through tests/bench/broker-probe.  Each broker runs on 127.0.0.1 on a
# free port with a config generated here, in the test's temp dir, and is
# stopped at the end, also on failure.  Shows: QoS 1 publishes acknowledged
# and seen by a subscriber, the retained message and the last will (the
# probe killed -9), no broker at the start (retries, no crash), the broker
# stopped mid-run and back on the same port (reconnect with backoff,
# publishing again), TLS with client certificates (a client without one,
# trusting another CA, or facing a certificate for another name, refused
# and retrying), a broker that never answers (the attempt's deadline), no
# busy loop while retrying, and the publish
# throughput (a "bench:" line; no timing is asserted).
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"

PROBE=$top/$BUILD/bench/broker-probe
[ -x "$PROBE" ] || { fail "broker: $BUILD/bench/broker-probe not built (make bench-bin)"; finish; }
BENCH_N=${BROKER_BENCH_N:-100000}

# probe NAME ARGS...: starts broker-probe, output in $T/NAME.out and .err.
probe() {
	name=$1; shift
	"$PROBE" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	eval "PROBE_PID_$name=$!"
	PIDS="$PIDS $!"
}
probe_pid() { eval "echo \$PROBE_PID_$1"; }
alive() { kill -0 "$(probe_pid "$1")" 2>/dev/null; }
has() { grep -q "$2" "$T/$1.out" 2>/dev/null; }
# The last status line's field: status NAME FIELD.
status() {
	grep '^status ' "$T/$1.out" | tail -1 | cut -d' ' -f2- | jget "$2"
}
acked() { grep '^acked ' "$T/$1.out" | tail -1 | cut -d' ' -f2; }
acked_over() { [ "$(acked "$1")" -gt "$2" ] 2>/dev/null; }
status_is() { [ "$(status "$1" "$2")" = "$3" ]; }
status_over() { [ "$(status "$1" "$2")" -gt "$3" ] 2>/dev/null; }
sub_has() { grep -q "$2" "$T/$1" 2>/dev/null; }
# CPU time (clock ticks, user + system) a probe has used: a loop that
# spins on a dead socket would show here.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(probe_pid "$1")/stat"; }
last_error_has() { grep '^status ' "$T/$1.out" | tail -1 | grep -q "$2"; }
# retrying NAME WHAT: the probe failed to connect for the error in its
# status, keeps trying, is alive and does not spin.
retrying() {
	check "$2: refused, the error in the status ($3)" \
	    wait_for 6 last_error_has "$1" "$3"
	check "$2: still retrying (attempts counted)" \
	    wait_for 5 status_over "$1" attempts 2
	check "$2: alive, never connected" \
	    sh -c "kill -0 $(probe_pid "$1") && ! grep -q '^connected' '$T/$1.out'"
	t=$(cpu_ticks "$1")
	check "$2: no busy loop while retrying ($t ticks of CPU)" [ "$t" -lt 100 ]
}

PORT=$(free_port)
plain_conf "$PORT" "$T/plain.conf"

# --- No broker at the start: retries with backoff, says so once --------
probe p1 -P "$PORT" -I gate-south -k 5 -r 200 -R 800 -i 100 \
    -t gated/v1/campus/south/events -W gated/v1/campus/south/online
retrying p1 "no broker" 'Connection refused'
n=$(grep -c 'cannot connect' "$T/p1.err")
check "no broker: the failure logged once, not per attempt ($n)" [ "$n" -eq 1 ]

# --- The broker comes: connects, publishes QoS 1, PUBACKs --------------
start_broker plain "$T/plain.conf" "$PORT"
mosquitto_sub -p "$PORT" -v -t 'gated/#' >"$T/sub1.out" 2>&1 &
PIDS="$PIDS $!"
check "broker up: the probe connects within its backoff" \
    wait_for 5 has p1 '^connected 1$'
check "broker up: PUBACKs come back" wait_for 5 acked_over p1 5
check "broker up: a subscriber sees the QoS 1 messages" \
    wait_for 3 sub_has sub1.out 'gated/v1/campus/south/events probe message 5'
mosquitto_sub -p "$PORT" -C 1 -W 3 -v -t gated/v1/campus/south/online \
    >"$T/retained.out" 2>&1
check "retained: a late subscriber gets online 1" \
    grep -q '^gated/v1/campus/south/online 1$' "$T/retained.out"
check "status: connected, no error" status_is p1 last_error ""

# --- The broker stopped mid-run and back on the same port --------------
stop_broker plain
check "broker stopped: the probe reports disconnected" \
    wait_for 5 has p1 '^disconnected$'
check "broker stopped: the status says not connected" \
    wait_for 2 status_is p1 connected false
sleep 1.5
check "broker stopped: the probe is alive, retrying" alive p1
check "broker stopped: attempts counted while down" status_over p1 attempts 0
n=$(grep -c 'connection lost' "$T/p1.err")
check "broker stopped: the loss logged once ($n)" [ "$n" -eq 1 ]
before=$(acked p1)
start_broker plain "$T/plain.conf" "$PORT"
check "broker back: the probe reconnects" wait_for 5 has p1 '^connected 2$'
check "broker back: reconnects 1 in the status" \
    wait_for 2 status_is p1 reconnects 1
check "broker back: publishing again (acked past $before)" \
    wait_for 5 acked_over p1 $((before + 3))

# --- The last will: kill -9, the broker publishes online 0 -------------
mosquitto_sub -p "$PORT" -v -t gated/v1/campus/south/online >"$T/will.out" 2>&1 &
PIDS="$PIDS $!"
check "will: the subscriber first sees the retained online 1" \
    wait_for 3 sub_has will.out 'online 1$'
kill -9 "$(probe_pid p1)"
check "will: killed -9, the broker publishes online 0" \
    wait_for 5 sub_has will.out 'online 0$'
mosquitto_sub -p "$PORT" -C 1 -W 3 -v -t gated/v1/campus/south/online \
    >"$T/retained2.out" 2>&1
check "will: retained, a late subscriber gets online 0" \
    grep -q '^gated/v1/campus/south/online 0$' "$T/retained2.out"

# --- A clean stop publishes no will ------------------------------------
probe p2 -P "$PORT" -I gate-north -k 5 -W gated/v1/campus/north/online \
    -S 'gated/v1/campus/north/mode'
check "clean stop: connected" wait_for 5 has p2 '^connected 1$'
mosquitto_pub -p "$PORT" -r -q 1 -t gated/v1/campus/north/mode -m '{"mode":"normal"}'
check "subscribe: the probe receives a message on its filter" \
    wait_for 3 has p2 '^message gated/v1/campus/north/mode {"mode":"normal"}'
kill -TERM "$(probe_pid p2)"; wait "$(probe_pid p2)"
mosquitto_sub -p "$PORT" -C 1 -W 3 -v -t gated/v1/campus/north/online \
    >"$T/clean.out" 2>&1
check "clean stop: a DISCONNECT, so no will (online stays 1)" \
    grep -q '^gated/v1/campus/north/online 1$' "$T/clean.out"
check "clean stop: no disconnected callback on broker_free" \
    sh -c "! grep -q '^disconnected' '$T/p2.out'"

# --- Throughput: QoS 1 messages of 300 bytes, all acknowledged ---------
"$PROBE" -P "$PORT" -I bench -b "$BENCH_N" -s 300 -T 120 >"$T/bench.out" 2>"$T/bench.err"
rc=$?
check "bench: $BENCH_N messages published and acknowledged (rc $rc)" [ $rc -eq 0 ]
grep '^bench:' "$T/bench.out"
stop_broker plain

# --- TLS: a CA, the broker's certificate, a gate's certificate ---------
(
	cd "$T" || exit 1
	gen() {	# gen NAME SUBJECT [SAN] [CA]
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
		if [ -n "${3:-}" ]; then printf 'subjectAltName=%s\n' "$3" >"$1.ext"; else : >"$1.ext"; fi
		openssl x509 -req -in "$1.csr" -CA "${4:-ca}.crt" -CAkey "${4:-ca}.key" \
		    -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
	}
	for ca in ca otherca; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout $ca.key -subj "/CN=gated test $ca" -days 2 -out $ca.crt 2>/dev/null
	done
	gen server /CN=localhost DNS:localhost,IP:127.0.0.1
	gen gate /CN=gate-east
	gen elsewhere /CN=elsewhere.example DNS:elsewhere.example
) || fail "tls: certificates"
TPORT=$(free_port)
cat >"$T/tls.conf" <<EOF
user $(id -un)
per_listener_settings true
listener $TPORT 127.0.0.1
cafile $T/ca.crt
certfile $T/server.crt
keyfile $T/server.key
require_certificate true
use_identity_as_username true
allow_anonymous false
persistence false
EOF
start_broker tls "$T/tls.conf" "$TPORT"
mosquitto_sub -p "$TPORT" --cafile "$T/ca.crt" --cert "$T/gate.crt" \
    --key "$T/gate.key" -h localhost -v -t 'gated/#' >"$T/sub2.out" 2>&1 &
PIDS="$PIDS $!"
probe p3 -H localhost -P "$TPORT" -I gate-east -k 5 -a "$T/ca.crt" \
    -c "$T/gate.crt" -K "$T/gate.key" -i 100 -n 5 \
    -t gated/v1/campus/east/events
check "tls: connects with its client certificate (name checked: localhost)" \
    wait_for 5 has p3 '^connected 1$'
check "tls: QoS 1 publishes acknowledged" wait_for 5 acked_over p3 4
check "tls: the subscriber sees them" \
    wait_for 3 sub_has sub2.out 'gated/v1/campus/east/events probe message 5'
check "tls: the status says tls" status_is p3 tls true
probe p4 -H 127.0.0.1 -P "$TPORT" -I gate-west -k 5 -a "$T/ca.crt" \
    -r 200 -R 800
retrying p4 "tls: without a client certificate" 'last_error":"'
probe p5 -H localhost -P "$TPORT" -I gate-west -k 5 -a "$T/otherca.crt" \
    -c "$T/gate.crt" -K "$T/gate.key" -r 200 -R 800
retrying p5 "tls: trusting another CA" 'certificate verify failed'
for p in p3 p4 p5; do
	kill -TERM "$(probe_pid $p)"; wait "$(probe_pid $p)"
done
check "tls: the probes stop cleanly" \
    sh -c "grep -q '^exit' '$T/p3.out' && grep -q '^exit' '$T/p4.out' && grep -q '^exit' '$T/p5.out'"
# A missing key file is the caller's error, at once.
"$PROBE" -P "$TPORT" -a "$T/ca.crt" -c "$T/gate.crt" -K "$T/nonexistent.key" \
    -T 1 >/dev/null 2>"$T/badkey.err"
rc=$?
check "tls: an unreadable key is refused by broker_new (rc $rc)" \
    sh -c "[ $rc -eq 1 ] && grep -q 'nonexistent.key' '$T/badkey.err'"
stop_broker tls

# A broker whose certificate names another host: the name is checked.
NPORT=$(free_port)
sed -e "s|^listener .*|listener $NPORT 127.0.0.1|" \
    -e "s|server\.crt|elsewhere.crt|; s|server\.key|elsewhere.key|" \
    "$T/tls.conf" >"$T/name.conf"
start_broker name "$T/name.conf" "$NPORT"
probe p6 -H localhost -P "$NPORT" -I gate-east -k 5 -a "$T/ca.crt" \
    -c "$T/gate.crt" -K "$T/gate.key" -r 200 -R 800
retrying p6 "tls: a certificate for another name" 'certificate verify failed'
kill -TERM "$(probe_pid p6)"; wait "$(probe_pid p6)"
stop_broker name

# A broker that takes the TCP connection and never answers: the attempt
# has a deadline (15 s), then the probe retries; the loop stays free.
HPORT=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
time.sleep(60)' "$HPORT" &
PIDS="$PIDS $!"
HUNG_PID=$!
wait_for 5 port_open "$HPORT"
probe p7 -P "$HPORT" -I gate-hung -k 5 -r 200 -R 800
check "silent broker: connecting, not connected" \
    wait_for 3 status_is p7 state connecting
check "silent broker: the attempt given up after its deadline" \
    wait_for 20 sh -c "grep -q 'no answer within 15 s' '$T/p7.out'"
check "silent broker: alive, retrying" alive p7
kill -TERM "$(probe_pid p7)"; wait "$(probe_pid p7)"
kill "$HUNG_PID" 2>/dev/null

# Sanitizer builds (BUILD=build-asan): nothing reported by any probe.
check "no sanitizer report in the probes' output" \
    sh -c "! grep -l 'Sanitizer\|runtime error' '$T'/*.err"
if [ $failures -ne 0 ]; then
	for f in "$T"/p*.out "$T"/p*.err "$T"/*.log; do
		echo "--- $f"; tail -15 "$f"
	done
fi
exit $((failures > 0))
