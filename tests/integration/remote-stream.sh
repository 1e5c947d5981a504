# remote-stream.sh: the live event stream and the metrics.  Events read
# over TLS, the client gone while more happen, then resumed with
# Last-Event-ID: every id once, none missing.  gatectl events --follow
# across a restart of gated.  /metrics parses line by line, and its
# counters grow with the cards presented.  A viewer's streams, from many
# addresses or from one, cannot lock an admin out.
. "$(dirname "$0")/remote-common.inc"

make_certs || { fail "openssl made the test CA"; remote_finish; }
start_gate s || { fail "gate s starts"; remote_finish; }
S=$(url s)
L=$(lsock s)
card() { "$GATECTL" -s "$L" sim card "$@" >/dev/null; }
# The ids in an SSE capture, one per line.
ids() { sed -n 's/^id: //p' "$1"; }
last_id() { "$GATECTL" -s "$L" --json status | jget journal.last_id; }
# consecutive FROM TO FILE...: the files' ids are exactly FROM..TO.
consecutive() {
	from=$1 to=$2; shift 2
	cat "$@" | python3 -c '
import sys
got = [int(l[4:] if l.startswith("id: ") else l) for l in sys.stdin.read().splitlines() if l.startswith("id: ") or l.strip().isdigit()]
want = list(range(int(sys.argv[1]), int(sys.argv[2]) + 1))
if got != want:
    print("ids:", got, "wanted:", want)
    sys.exit(1)' "$from" "$to"
}
stream() {	# stream OUT [curl args]: in the background, sets SPID
	out=$1; shift
	curl -sN --cacert "$T/tls/ca.crt" -H "Authorization: Bearer $TOKEN_VIEWER" \
	    "$@" >"$out" 2>/dev/null &
	SPID=$!
}

# ---- resume without gaps or duplicates -------------------------------------
for u in 1001 1002 1003; do card ped-in $u; done
stream "$T/a" -H "Last-Event-ID: 0" "$S/v1/events/stream"
wait_for 5 sh -c "[ \$(grep -c '^id: ' '$T/a') -ge 3 ]"
for u in 1004 1005 1001; do card ped-out $u; done
wait_for 5 sh -c "[ \$(grep -c '^id: ' '$T/a') -ge 6 ]"
kill $SPID; wait $SPID 2>/dev/null
check "stream: content type" sh -c "curl -s -D - -o /dev/null --max-time 1 --cacert '$T/tls/ca.crt' -H 'Authorization: Bearer $TOKEN_VIEWER' '$S/v1/events/stream' | grep -qi '^Content-Type: text/event-stream'"
check "stream: each event is id and data lines" sh -c "grep -A1 '^id: ' '$T/a' | grep -q '^data: {\"id\":'"
first=$(ids "$T/a" | tail -1)
check "stream: the first connection got events 1..$first" consecutive 1 "$first" "$T/a"
# More while nobody listens, then resume; and more while resumed.
for u in 1002 1003 9999; do card ped-in $u; done
stream "$T/b" -H "Last-Event-ID: $first" "$S/v1/events/stream"
for u in 1004 1005; do card ped-in $u; done
LAST=$(last_id)
wait_for 5 sh -c "[ \"\$(sed -n 's/^id: //p' '$T/b' | tail -1)\" = '$LAST' ]"
kill $SPID; wait $SPID 2>/dev/null
check "stream: resumed after $first up to $LAST, nothing missed or twice" consecutive 1 "$LAST" "$T/a" "$T/b"
ids "$T/a" >"$T/ida"; ids "$T/b" >"$T/idb"
check "stream: the two connections share no id" [ -z "$(sort "$T/ida" "$T/idb" | uniq -d)" ]

# ?after= and the Unix socket speak the same stream.
curl -sN --max-time 2 --unix-socket "$L" "http://gate/v1/events/stream?after=3" >"$T/u" 2>/dev/null
check "stream on the Unix socket, ?after=3: events 4..$LAST" consecutive 4 "$LAST" "$T/u"
# Without a position: only what happens from now on.
stream "$T/now" "$S/v1/events/stream"
sleep 0.5
card car-in 1001
LAST=$(last_id)
wait_for 5 grep -q "^id: $LAST\$" "$T/now"
kill $SPID; wait $SPID 2>/dev/null
check "stream: no position: from now on" consecutive "$LAST" "$LAST" "$T/now"
check "stream: a viewer token is needed" [ "$(rcurl s "" "$S/v1/events/stream")" = 401 ]

# Many streams at once see the same events (from 12 addresses: 4 at most
# come from one).
pids=
for i in $(seq 1 12); do
	stream "$T/many.$i" --interface 127.0.0.$((30 + i)) -H "Last-Event-ID: $LAST" "$S/v1/events/stream"
	pids="$pids $SPID"
done
sleep 1
card ped-in 1001; card ped-in 1002
MANY=$(last_id)
wait_for 5 sh -c "for i in \$(seq 1 12); do grep -q '^id: $MANY\$' '$T/many.'\$i || exit 1; done"
kill $pids; wait $pids 2>/dev/null
ok=1
for i in $(seq 1 12); do consecutive $((LAST + 1)) "$MANY" "$T/many.$i" >/dev/null || ok=0; done
check "stream: 12 clients each got events $((LAST + 1))..$MANY" [ $ok = 1 ]
check "stream: the gate still answers" "$GATECTL" -s "$L" status >/dev/null

# ---- gatectl events --follow, across a restart -----------------------------------
"$GATECTL" --gate "$S" --token-file "$T/viewer.token" --ca "$T/tls/ca.crt" \
    --json events --follow --after 0 >"$T/f" 2>"$T/f.err" &
fpid=$!
REMOTE_PIDS="$REMOTE_PIDS $fpid"
before=$(last_id)
wait_for 5 sh -c "[ \$(wc -l <'$T/f') -ge $before ]"
stop_gate s
"$GATED" -d -f "$T/s/gate.conf" >>"$T/s/gated.log" 2>&1 &
PID_s=$!
REMOTE_PIDS="$REMOTE_PIDS $PID_s"
wait_for 5 sh -c "'$GATECTL' -s '$L' status >/dev/null 2>&1"
card ped-in 1003; card ped-out 1003
LAST=$(last_id)
wait_for 15 sh -c "grep -q '\"id\": *$LAST[,}]' '$T/f'"
kill $fpid; wait $fpid 2>/dev/null
python3 -c 'import json,sys
for l in open(sys.argv[1]): print(json.loads(l)["id"])' "$T/f" >"$T/fid"
check "follow: events 1..$LAST across the restart, each once" consecutive 1 "$LAST" "$T/fid"
check "follow: it said it was reconnecting" grep -q reconnecting "$T/f.err"

# ---- metrics ---------------------------------------------------------------------
scrape() { rcurl s "$TOKEN_VIEWER" "$S/metrics" >/dev/null; cp "$T/body" "$1"; }
# metric FILE NAME{LABELS}: its value, or 0.
metric() { python3 - "$@" <<'EOF'
import re, sys
want = sys.argv[2]
for l in open(sys.argv[1]):
    if l.startswith(want + " "):
        print(l.split()[-1]); break
else:
    print(0)
EOF
}
scrape "$T/m1"
check "metrics: text format, version 0.0.4" sh -c "curl -s -D - -o /dev/null --cacert '$T/tls/ca.crt' -H 'Authorization: Bearer $TOKEN_VIEWER' '$S/metrics' | grep -qi '^Content-Type: text/plain; version=0.0.4'"
check "metrics: every line a comment or name{labels} value" python3 - "$T/m1" <<'EOF'
import re, sys
sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+Inf]+$')
bad = [l for l in open(sys.argv[1]) if not (l.startswith("# HELP ") or l.startswith("# TYPE ") or sample.match(l.rstrip("\n")))]
print(bad[:5])
sys.exit(bool(bad))
EOF
g0=$(metric "$T/m1" 'gated_passages_total{lane="ped",direction="in",verdict="granted",reason="granted"}')
d0=$(metric "$T/m1" 'gated_passages_total{lane="ped",direction="in",verdict="denied",reason="unknown-card"}')
c0=$(metric "$T/m1" 'gated_decision_latency_seconds_count')
card ped-in 1001; card ped-in 1002; card ped-in 9998
scrape "$T/m2"
g1=$(metric "$T/m2" 'gated_passages_total{lane="ped",direction="in",verdict="granted",reason="granted"}')
d1=$(metric "$T/m2" 'gated_passages_total{lane="ped",direction="in",verdict="denied",reason="unknown-card"}')
c1=$(metric "$T/m2" 'gated_decision_latency_seconds_count')
check "metrics: granted passages counted ($g0 -> $g1)" [ $((g1 - g0)) -eq 2 ]
check "metrics: denials by reason ($d0 -> $d1)" [ $((d1 - d0)) -eq 1 ]
check "metrics: latency histogram counts decisions ($c0 -> $c1)" [ "$c1" -gt "$c0" ]
check "metrics: buckets cumulative, +Inf is the count" python3 - "$T/m2" <<'EOF'
import sys
b = [(l.split('le="')[1].split('"')[0], int(l.split()[-1])) for l in open(sys.argv[1]) if l.startswith("gated_decision_latency_seconds_bucket")]
count = [int(l.split()[-1]) for l in open(sys.argv[1]) if l.startswith("gated_decision_latency_seconds_count")][0]
vals = [v for _, v in b]
ok = vals == sorted(vals) and b[-1][0] == "+Inf" and b[-1][1] == count and float(b[0][0]) == 0.000016
sys.exit(not ok)
EOF
check "metrics: the mode gauge" [ "$(metric "$T/m2" 'gated_mode{mode="open"}')" = 1 ]
check "metrics: level" [ "$(metric "$T/m2" 'gated_level{name="normal"}')" = 0 ]
check "metrics: journal rows" [ "$(metric "$T/m2" gated_journal_rows)" -ge "$LAST" ]
"$GATECTL" -s "$L" sim device therm-usb down >/dev/null
curl -s --unix-socket "$L" http://gate/metrics >"$T/m3"
check "metrics on the Unix socket: a device down is 0" [ "$(metric "$T/m3" 'gated_device_up{device="therm-usb"}')" = 0 ]
check "metrics: its alert is active" [ "$(metric "$T/m3" 'gated_alerts_active{kind="device"}')" = 1 ]
check "metrics: no token, no metrics" [ "$(rcurl s "" "$S/metrics")" = 401 ]
check "gate s stops cleanly" stop_gate s

# ---- a viewer's streams cannot lock the admins out --------------------------
# Gate v has 8 connections.  Streams from eight addresses: seven are
# served, the last connection is kept for admin tokens; an admin's status
# is answered while they hold.  From one address, at most 4 streams.
start_gate v "max-connections = 8" || fail "gate v starts"
V=$(url v)
for i in 10 11 12 13 14 15 16 17; do
	curl -sN -o /dev/null -w '%{http_code}\n' --max-time 5 --interface 127.0.0.$i \
	    --cacert "$T/tls/ca.crt" -H "Authorization: Bearer $TOKEN_VIEWER" \
	    "$V/v1/events/stream" >"$T/vs$i" 2>/dev/null &
	vpids="${vpids:-} $!"
done
sleep 1.5
check "8 viewer streams: an admin is still answered" "$GATECTL" --gate "$V" --token-file "$T/admin.token" --ca "$T/tls/ca.crt" --timeout 3 status
wait $vpids
check "8 viewer streams: 7 served, 1 refused ($(cat "$T"/vs1? | sort | uniq -c | tr -s ' \n' ' '))" [ "$(cat "$T"/vs1? | grep -c '^200$')" = 7 ] && [ "$(cat "$T"/vs1? | grep -c '^503$')" = 1 ]
for i in 1 2 3 4 5; do
	curl -sN -o /dev/null -w '%{http_code}\n' --max-time 4 --interface 127.0.0.20 \
	    --cacert "$T/tls/ca.crt" -H "Authorization: Bearer $TOKEN_VIEWER" \
	    "$V/v1/events/stream" >"$T/va$i" 2>/dev/null &
	apids="${apids:-} $!"
	sleep 0.2
done
wait $apids
check "5 streams from one address: 4 served, 1 refused ($(cat "$T"/va? | sort | uniq -c | tr -s ' \n' ' '))" [ "$(cat "$T"/va? | grep -c '^200$')" = 4 ] && [ "$(cat "$T"/va? | grep -c '^503$')" = 1 ]
check "gate v stops cleanly" stop_gate v
remote_finish
