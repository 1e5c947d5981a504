# hub-sign.sh: what gated-hub signs with its own key ([hub] people-key,
# the gates' [admin-key hub]) besides the people list, on a real
# Mosquitto with three real gated processes (docs/hub.md "Keys").  Shows:
# an alert acknowledged at the hub clears at its gate, the operator in the
# gate's journal (key:hub/token:NAME); the campus level set through the
# hub is applied by both gates that know the key (their status, their
# campus_applied in /v1/campus/gates) and journaled at the hub; a gate's
# mode the same way; a viewer and a guard get 403; a gate without the
# hub's key refuses it (journaled unknown-key).  SQLite only: the
# database holds only the journal rows here (hub-people.sh loops both).
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"
HUB=$top/$BUILD/gated-hub
TOKEN_ADMIN=admin-0a1b2c3d4e5f60718293a4b5c6d7e8f9
TOKEN_GUARD=guard-7c1e0f2d9a8b3c4d5e6f70819a2b3c4d
TOKEN_VIEWER=viewer-1a2b3c4d5e6f708192a3b4c5d6e7f809
sha() { printf '%s' "$1" | openssl dgst -sha256 -r | cut -d' ' -f1; }
D=$T/hub
mkdir -p "$D"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/hub.key" -out "$T/hub.crt" -days 2 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 2>/dev/null
"$GATECTL" pass keygen --out "$T/hub-key.pem" --key-id hub \
    >"$T/keygen.out" 2>&1 || { echo "FAIL: keygen"; exit 1; }
"$GATECTL" pass keygen --out "$T/office.pem" --key-id office \
    >"$T/keygen2.out" 2>&1 || { echo "FAIL: keygen"; exit 1; }
chmod 600 "$T/hub-key.pem" "$T/office.pem"
pub=$(sed -n 's/^hub //p' "$T/keygen.out")
office=$(sed -n 's/^office //p' "$T/keygen2.out")
PORT=$(free_port)
HUB_PORT=$(free_port)
plain_conf "$PORT" "$T/broker.conf"
start_broker b "$T/broker.conf" "$PORT"

# g1, g2 list the hub's key; g3 only another admin's.
for g in g1 g2 g3; do
	mkdir -p "$D/$g"
	cp "$T/people.csv" "$D/$g/"
	sed "s/^id = test/id = $g/" "$T/gate.conf" >"$D/$g/gate.conf"
	if [ $g = g3 ]; then name=office key=$office; else name=hub key=$pub; fi
	cat >>"$D/$g/gate.conf" <<EOC

[mqtt]
host = 127.0.0.1
port = $PORT
site = campus
keepalive = 5s

[admin-key $name]
public-key = $key
EOC
	"$GATED" -d -f "$D/$g/gate.conf" >>"$D/$g/gated.log" 2>&1 &
	PIDS="$PIDS $!"
done
gctl() { g=$1; shift; "$GATECTL" -s "$D/$g/state/control.sock" "$@"; }
for g in g1 g2 g3; do
	wait_for 5 gctl $g status >/dev/null 2>&1 || fail "gate $g starts"
done
gate_rows() { sqlite3 "$D/$1/state/journal.db" "SELECT count(*) FROM events WHERE $2"; }
has_rows() { [ "$(gate_rows "$1" "$2")" -ge 1 ]; }
level_is() { [ "$(gctl "$1" --json status | jget level.number)" = "$2" ]; }
mode_is() { [ "$(gctl "$1" --json status | jget mode)" = "$2" ]; }
hubsql() { sqlite3 "$D/campus.db" "$1"; }

write_hub_conf() {	# write_hub_conf [people-key line]
	cat >"$D/hub.conf" <<EOC
[hub]
database = sqlite:$D/campus.db
site = campus
$1
[mqtt]
host = 127.0.0.1
port = $PORT
client-id = hub
keepalive = 5s
[tls]
listen = 127.0.0.1:$HUB_PORT
certificate = $T/hub.crt
key = $T/hub.key
[token office]
role = admin
hash = sha256:$(sha "$TOKEN_ADMIN")
[token guardhouse]
role = guard
hash = sha256:$(sha "$TOKEN_GUARD")
[token lobby]
role = viewer
hash = sha256:$(sha "$TOKEN_VIEWER")
EOC
}
hapi() {	# hapi TOKEN PATH
	curl -sfk -H "Authorization: Bearer $1" "https://127.0.0.1:$HUB_PORT$2"
}
post_json() {	# the HTTP status; the answer in $D/answer
	curl -sk -o "$D/answer" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $1" -d "$3" "https://127.0.0.1:$HUB_PORT$2"
}
connected() { [ "$(hapi "$TOKEN_VIEWER" /v1/status | jget broker.connected)" = true ]; }
start_hub() {
	"$HUB" -d -f "$D/hub.conf" >>"$D/hub.log" 2>&1 &
	HUB_PID=$!
	PIDS="$PIDS $!"
	wait_for 5 hapi "$TOKEN_VIEWER" /v1/status >/dev/null &&
	    wait_for 5 connected
}
stop_hub() { kill -TERM "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; }
# The id of gate $1's active alert at the hub, or nothing.
hub_alert() {
	hapi "$TOKEN_VIEWER" /v1/alerts | python3 -c 'import json, sys
a = [x for x in json.load(sys.stdin)["alerts"] if x["gate"] == sys.argv[1]]
print(a[0]["id"] if a else "")' "$1"
}
gate_alert_active() {	# gate_alert_active GATE ID
	gctl "$1" --json status | python3 -c 'import json, sys
sys.exit(0 if any(a["id"] == int(sys.argv[1]) for a in json.load(sys.stdin)["alerts"]) else 1)' "$2"
}
hub_has_alert() { [ -n "$(hub_alert "$1")" ]; }
gate_alert_gone() { ! gate_alert_active "$@"; }
mode_not() { ! mode_is "$@"; }
answer_forwarded() { [ "$(jget forwarded <"$D/answer")" = "$1" ]; }
applied_both() { applied_is g1 campus/level "$1" && applied_is g2 campus/level "$1"; }
# /v1/campus/gates: gate $1's campus_applied[campus/level] is $2.
applied_is() {
	hapi "$TOKEN_VIEWER" /v1/campus/gates | python3 -c 'import json, sys
g = [x for x in json.load(sys.stdin)["gates"] if x["gate"] == sys.argv[1]]
sys.exit(0 if g and (g[0]["campus_applied"] or {}).get(sys.argv[2]) == int(sys.argv[3]) else 1)' "$1" "$2" "$3"
}

# --- without a key: the hub's ack stays the hub's -------------------------
write_hub_conf ""
start_hub || { fail "gated-hub starts (no key)"; cat "$D/hub.log"; }
gctl g1 sim card ped-in 1005 >/dev/null 2>&1	# quarantine: an alert
check "no key: g1's alert reaches the hub" wait_for 10 hub_has_alert g1
aid=$(hub_alert g1)
code=$(post_json "$TOKEN_GUARD" "/v1/alerts/g1/$aid/ack" '{"reason":"seen"}')
check "no key: ack answered 200 ($code)" [ "$code" = 200 ]
check "no key: the answer says not forwarded" answer_forwarded false
check "no key: not_forwarded says why" sh -c \
    "python3 -c 'import json,sys; sys.exit(\"no key\" not in json.load(open(sys.argv[1]))[\"not_forwarded\"])' '$D/answer'"
check "no key: journaled at the hub" [ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'alert-ack'")" = 1 ]
sleep 1
check "no key: the alert still active at g1" gate_alert_active g1 "$aid"
code=$(post_json "$TOKEN_ADMIN" /v1/campus/level '{"level":2,"reason":"drill"}')
check "no key: level refused 409 ($code)" [ "$code" = 409 ]
stop_hub

# --- with the hub's key ---------------------------------------------------
write_hub_conf "people-key = $T/hub-key.pem"
start_hub || { fail "gated-hub starts (key)"; cat "$D/hub.log"; }
gctl g2 sim card ped-in 1005 >/dev/null 2>&1
check "key: g2's alert reaches the hub" wait_for 10 hub_has_alert g2
aid=$(hub_alert g2)
code=$(post_json "$TOKEN_GUARD" "/v1/alerts/g2/$aid/ack" '{"reason":"sent home by the duty office"}')
check "ack: answered 200 ($code)" [ "$code" = 200 ]
check "ack: the answer says forwarded" answer_forwarded true
check "ack: the alert is cleared at g2" wait_for 5 gate_alert_gone g2 "$aid"
check "ack: g2 journals the operator and the key" has_rows g2 \
    "kind = 'ack' AND actor = 'key:hub/token:guardhouse' AND detail = 'sent home by the duty office'"
check "ack: nothing retained on the ack topic" sh -c \
    "[ -z \"\$(mosquitto_sub -p $PORT -C 1 -W 1 -t gated/v1/campus/g2/ack 2>/dev/null)\" ]"

# --- the campus level ------------------------------------------------------
for tok in "$TOKEN_VIEWER" "$TOKEN_GUARD"; do
	code=$(post_json "$tok" /v1/campus/level '{"level":2,"reason":"drill"}')
	check "level: below admin refused 403 ($code)" [ "$code" = 403 ]
done
code=$(post_json "$TOKEN_ADMIN" /v1/campus/level '{"level":12,"reason":"drill"}')
check "level: 12 refused 400 ($code)" [ "$code" = 400 ]
code=$(post_json "$TOKEN_ADMIN" /v1/campus/level '{"level":2}')
check "level: a reason is required ($code)" [ "$code" = 400 ]
code=$(post_json "$TOKEN_ADMIN" /v1/campus/level '{"level":2,"reason":"two\nlines"}')
check "level: a reason of two lines refused 400 ($code)" [ "$code" = 400 ]
code=$(post_json "$TOKEN_ADMIN" /v1/campus/level '{"level":2,"reason":"flu wave"}')
check "level: an admin's answered 202 ($code)" [ "$code" = 202 ]
seq=$(jget seq <"$D/answer")
check "level: applied by g1" wait_for 5 level_is g1 2
check "level: applied by g2" wait_for 5 level_is g2 2
check "level: g1 journals key:hub and the reason" has_rows g1 \
    "kind = 'level' AND actor = 'key:hub' AND detail = 'flu wave'"
check "level: retained on campus/level" sh -c \
    "mosquitto_sub -p $PORT -C 1 -W 2 -t gated/v1/campus/campus/level | grep -q '\"seq\":$seq'"
check "level: journaled at the hub with the operator" [ \
    "$(hubsql "SELECT actor, reason FROM hub_journal WHERE kind = 'campus-level' AND detail LIKE '%seq $seq'")" = \
    "token:office|flu wave" ]
check "level: /v1/campus/gates shows g1, g2 confirmed" wait_for 5 \
    applied_both "$seq"
check "level: g3 without the hub's key is not moved" level_is g3 0
check "level: g3 journals the refusal (unknown key)" wait_for 5 has_rows g3 \
    "kind = 'command' AND verdict = 'denied' AND reason = 'unknown-key'"

# --- a gate's mode ---------------------------------------------------------
code=$(post_json "$TOKEN_GUARD" /v1/campus/mode '{"gate":"g1","mode":"closed","reason":"x"}')
check "mode: a guard refused 403 ($code)" [ "$code" = 403 ]
code=$(post_json "$TOKEN_ADMIN" /v1/campus/mode '{"gate":"g1","mode":"closed","reason":"leak in the hall"}')
check "mode: an admin's answered 202 ($code)" [ "$code" = 202 ]
check "mode: g1 closed" wait_for 5 mode_is g1 closed
check "mode: g2 not" mode_not g2 closed
check "mode: journaled at the hub" [ \
    "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'campus-mode' AND actor = 'token:office' AND reason = 'leak in the hall'")" = 1 ]
stop_hub
stop_broker b
[ $failures -eq 0 ] || { echo "--- hub log:"; tail -30 "$D/hub.log"; }
exit $((failures > 0))
