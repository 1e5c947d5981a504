# hub.sh: gated-hub (hub/) on a real Mosquitto with three real gated
# processes on the simulator, on SQLite and (when tests/integration/
# postgres.inc finds the postgresql package) on a private PostgreSQL
# cluster.  Shows: cards at each gate, the campus journal holding exactly
# the sum of the gates' journals; exactly once after a broker restart in a
# run of cards and after a duplicate delivery (a copy published by hand);
# the hub stopped while the gates go on, the broker's queue taken at its
# restart; a gap made by publishing id N+2 by hand, reported in the
# status, /metrics and an alert, then healed; the webhook to a local
# receiver that fails twice then succeeds, each attempt journaled; an
# alert acknowledged over the API (guard, journaled; a viewer refused);
# a viewer's answers without person ids; the SSE stream; -n's errors.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"
. "$(dirname "$0")/hub.inc"
GATES="north south west"
BROKER_PERSIST=1

# --- the config check ------------------------------------------------------
cat >"$T/bad.conf" <<EOF
[hub]
database = sqlite:x.db
site = main campus
[mqtt]
port = 99999
[nosuch]
EOF
"$HUB" -n -f "$T/bad.conf" >"$T/bad.out" 2>&1
check "-n: a bad config exits 1" [ $? -eq 1 ]
check "-n: site's value named with file:line" \
    grep -q "bad.conf:3: site = main campus: a name" "$T/bad.out"
check "-n: port out of range, line 5" grep -q "bad.conf:5: port = 99999" "$T/bad.out"
check "-n: an unknown section, line 6" \
    grep -q "bad.conf:6: unknown section \[nosuch\]" "$T/bad.out"
check "-n: a required key missing, at its section's line" \
    grep -q "bad.conf:4: \[mqtt\]: host is required" "$T/bad.out"

# The webhook's receiver: each alert's first two POSTs get 500, the third
# 200; every request logged as "gate/id status".
cat >"$T/receiver.py" <<'EOF'
import http.server, json, sys
seen = {}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        a = json.loads(body)["alert"]
        key = "%s/%s" % (a["gate"], a["id"])
        seen[key] = seen.get(key, 0) + 1
        code = 500 if seen[key] <= 2 else 200
        with open(sys.argv[2], "a") as f:
            f.write("%s %d\n" % (key, code))
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF

cards() {	# cards GATE N: N grants at the gate's ped-in, one at a time
	i=0
	while [ $i -lt "$2" ]; do
		gctl "$1" sim card ped-in 1001 >/dev/null
		i=$((i + 1))
	done
}
hstatus() { hapi "$TOKEN_VIEWER" /v1/status | jget "$1"; }
status_has() { hapi "$TOKEN_VIEWER" /v1/status | grep -q "$1"; }
metrics_has() { hapi "$TOKEN_VIEWER" /metrics | grep -qx "$1"; }
alerts_has() { hapi "$TOKEN_VIEWER" /v1/alerts | grep -q "$1"; }
dups_are() { [ "$(hstatus ingest.duplicates)" -eq "$1" ]; }
sum_ids() {
	s=0
	for g in $GATES; do s=$((s + $(last_id "$g"))); done
	echo $s
}
hub_count() { hubsql "SELECT COUNT(*) FROM events WHERE gate <> 'ghost'"; }
# Every gate's events in the hub: as many as its journal, ids 1..last.
campus_complete() {
	for g in $GATES; do
		n=$(last_id "$g")
		[ "$(hubsql "SELECT COUNT(*), MIN(id), MAX(id) FROM events WHERE gate = '$g'" |
		    tr '|' ' ')" = "$n 1 $n" ] || return 1
	done
}
gates_ok() {
	hapi "$TOKEN_VIEWER" /v1/campus/gates | python3 -c 'import json, sys
g = json.load(sys.stdin)["gates"]
assert len(g) == 3, g
assert all(x["online"] and x["gap"] == 0 and x["contiguous"] == x["max_id"]
    and x["mode"] for x in g), g'
}
viewer_events_ok() {
	hapi "$TOKEN_VIEWER" '/v1/events?gate=north&limit=1000' | python3 -c '
import json, sys
e = json.load(sys.stdin)["events"]
assert e and all("person" not in x and x["gate"] == "north" for x in e)'
}
viewer_alert_ok() {
	hapi "$TOKEN_VIEWER" /v1/alerts | python3 -c 'import json, sys
a = [x for x in json.load(sys.stdin)["alerts"] if x["id"] == 8]
assert a and "detail" not in a[0] and a[0]["reason"] == "fever"'
}
hooks_are() { [ "$(grep "^$1 " "$D/hooks" | cut -d' ' -f2 | tr '\n' ' ')" = "$2" ]; }
webhook_journaled() {
	[ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'webhook' AND reason = 'alert ghost/8'")" = 3 ] &&
	    [ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'webhook' AND reason = 'alert ghost/8' AND detail LIKE '%HTTP 200, delivered'")" = 1 ]
}

for db in sqlite postgresql; do
	hub_db "$db" || continue
	echo "# --- the hub on $db"
	RECV_PORT=$(free_port)
	python3 "$T/receiver.py" "$RECV_PORT" "$D/hooks" &
	PIDS="$PIDS $!"
	hub_conf "$url" "hub-$db"
	{
		hub_token guardhouse guard
		hub_token lobby viewer
		cat <<EOC
[webhook]
url = http://127.0.0.1:$RECV_PORT/alerts
backoff = 200ms
timeout = 2s
EOC
	} >>"$D/hub.conf"
	check "$db: gated-hub -n takes the config" sh -c "\"$HUB\" -n -f \"$D/hub.conf\" >/dev/null"
	hub_up || continue
	check "$db: status: backend $db" [ "$(hstatus database.backend)" = "$db" ]
	check "$db: status: broker connected" wait_for 5 connected
	hapi "$TOKEN_VIEWER" /v1/events/stream -N --max-time 60 \
	    >"$D/stream.viewer" &
	PIDS="$PIDS $!"
	hapi "$TOKEN_GUARD" /v1/events/stream -N --max-time 60 \
	    >"$D/stream.guard" &
	PIDS="$PIDS $!"
	start_gates "$db: "

	# --- cards at each gate: the hub has exactly the gates' journals ---
	cards north 20 & C1=$!
	cards south 20 & C2=$!
	cards west 20
	wait "$C1" "$C2"
	check "$db: every gate's events in the hub, ids 1..last, once" \
	    wait_for 15 campus_complete
	check "$db: hub events == the sum of the gates' journals ($(sum_ids))" \
	    [ "$(hub_count)" -eq "$(sum_ids)" ]
	check "$db: campus/gates: 3 gates online, mode known, no gap" \
	    wait_for 5 gates_ok
	check "$db: events: a viewer's without person ids" viewer_events_ok
	check "$db: events: a guard's with them" sh -c \
	    "curl -sfk -H 'Authorization: Bearer $TOKEN_GUARD' 'https://127.0.0.1:$HUB_PORT/v1/events?gate=north' | grep -q '\"person\"'"
	check "$db: stream: the events went out, with their gate" \
	    grep -q '"gate":"west"' "$D/stream.viewer"
	check "$db: stream: a viewer's without persons, a guard's with" sh -c \
	    "! grep -q '\"person\"' '$D/stream.viewer' && grep -q '\"person\"' '$D/stream.guard'"

	# --- a duplicate delivery, published by hand -------------------------
	dup0=$(hstatus ingest.duplicates)
	n0=$(hub_count)
	hapi "$TOKEN_GUARD" '/v1/events?gate=south&limit=1' | python3 -c '
import json, sys
e = json.load(sys.stdin)["events"][0]
del e["gate"]
print(json.dumps(e))' >"$D/copy.json"
	mosquitto_pub -p "$PORT" -q 1 -t gated/v1/campus/south/events \
	    -f "$D/copy.json"
	check "$db: a duplicate is counted" wait_for 5 dups_are $((dup0 + 1))
	check "$db: and dropped: $n0 events still" [ "$(hub_count)" -eq "$n0" ]

	# --- a broker restart in a run of cards: exactly once ----------------
	cards north 60 & C1=$!
	cards south 60 & C2=$!
	sleep 1
	stop_broker "b_$db"
	sleep 1
	start_broker "b_$db" "$D/broker.conf" "$PORT"
	wait "$C1" "$C2"
	check "$db: a broker restart: every event, once" \
	    wait_for 40 campus_complete
	check "$db: hub events == the sum of the journals ($(sum_ids))" \
	    [ "$(hub_count)" -eq "$(sum_ids)" ]

	# --- the hub down while the gates go on ------------------------------
	stop_hub
	cards west 30
	cards north 10
	start_hub || fail "$db: the hub restarts"
	check "$db: the hub restarted: the broker's queue taken" \
	    wait_for 15 campus_complete
	check "$db: no gap anywhere" status_has '"gaps":\[\]'

	# --- a gap made by hand, then healed ---------------------------------
	for i in 1 2 3 5; do
		mosquitto_pub -p "$PORT" -q 1 -t gated/v1/campus/ghost/events \
		    -m "{\"id\":$i,\"ts_ms\":$((1700000000000 + i)),\"kind\":\"passage\"}"
	done
	check "$db: gap: in the status" wait_for 5 status_has \
	    '"gate":"ghost","max_id":5,"missing":1'
	check "$db: gap: gated_hub_gap_events{gate=\"ghost\"} 1" \
	    metrics_has 'gated_hub_gap_events{gate="ghost"} 1'
	check "$db: gap: an alert once it lasted 2 s" wait_for 6 alerts_has \
	    '"id":-4,.*"reason":"gap"'
	mosquitto_pub -p "$PORT" -q 1 -t gated/v1/campus/ghost/events \
	    -m '{"id":4,"ts_ms":1700000000004,"kind":"passage"}'
	check "$db: gap: healed, the metric back to 0" wait_for 5 metrics_has \
	    'gated_hub_gap_events{gate="ghost"} 0'
	check "$db: gap: the alert cleared" sh -c \
	    "! curl -sfk -H 'Authorization: Bearer $TOKEN_VIEWER' https://127.0.0.1:$HUB_PORT/v1/alerts | grep -q '\"reason\":\"gap\"'"
	check "$db: gap: the gate's row says contiguous 5" \
	    [ "$(hubsql "SELECT contiguous, max_id FROM gates WHERE gate = 'ghost'")" = "5|5" ]

	# --- a gate's alert: the webhook, an acknowledgement -----------------
	mosquitto_pub -p "$PORT" -q 1 -t gated/v1/campus/ghost/alerts -m \
	    '{"id":6,"ts_ms":1700000000006,"kind":"alert","lane":"g-ped","reason":"fever","detail":"person S0001 38.2 C","alert_id":8}'
	check "$db: webhook: 500, 500, then 200 for ghost/8" wait_for 10 \
	    hooks_are ghost/8 "500 500 200 "
	check "$db: webhook: three attempts journaled, the last delivered" \
	    wait_for 3 webhook_journaled
	check "$db: webhook: the gap's alert went out too" \
	    hooks_are ghost/-4 "500 500 200 "
	check "$db: alerts: a viewer sees the fever without its detail" \
	    viewer_alert_ok
	code=$(post_json "$TOKEN_VIEWER" /v1/alerts/ghost/8/ack '{"reason":"x"}')
	check "$db: ack: a viewer is refused ($code)" [ "$code" = 403 ]
	code=$(post_json "$TOKEN_GUARD" /v1/alerts/ghost/8/ack '{}')
	check "$db: ack: a reason is required ($code)" [ "$code" = 400 ]
	code=$(post_json "$TOKEN_GUARD" /v1/alerts/ghost/8/ack \
	    '{"reason":"sent home"}')
	check "$db: ack: a guard acknowledges ($code)" [ "$code" = 200 ]
	check "$db: ack: journaled with who and why" [ "$(hubsql \
	    "SELECT actor, reason, detail FROM hub_journal WHERE kind = 'alert-ack'")" = \
	    "token:guardhouse|sent home|alert ghost/8" ]
	check "$db: ack: no longer active" sh -c \
	    "! curl -sfk -H 'Authorization: Bearer $TOKEN_VIEWER' https://127.0.0.1:$HUB_PORT/v1/alerts | grep -q '\"id\":8,'"
	code=$(post_json "$TOKEN_GUARD" /v1/alerts/ghost/8/ack '{"reason":"again"}')
	check "$db: ack: twice is a conflict ($code)" [ "$code" = 409 ]
	code=$(curl -sk -o /dev/null -w '%{http_code}' \
	    "https://127.0.0.1:$HUB_PORT/v1/status")
	check "$db: no token: 401 ($code)" [ "$code" = 401 ]

	stop_hub
	check "$db: a clean stop" grep -q 'stopped' "$D/hub.log"
	check "$db: no sanitizer report in the hub's log (BUILD=build-asan)" \
	    no_sanitizer_report
	hub_db_end
done
exit $((failures > 0))
