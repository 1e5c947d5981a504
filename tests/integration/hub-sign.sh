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
. "$(dirname "$0")/hub.inc"
GATES="g1 g2 g3"
pub=$(signing_key hub) || exit 1
office=$(signing_key office) || exit 1
hub_db sqlite

# g1, g2 list the hub's key; g3 only another admin's.
gate_conf_extra() {
	if [ "$1" = g3 ]; then name=office key=$office; else name=hub key=$pub; fi
	cat <<EOC

[admin-key $name]
public-key = $key
EOC
}
start_gates
has_rows() { [ "$(gate_rows "$1" "$2")" -ge 1 ]; }
level_is() { [ "$(gctl "$1" --json status | jget level.number)" = "$2" ]; }
mode_is() { [ "$(gctl "$1" --json status | jget mode)" = "$2" ]; }

write_hub_conf() {	# write_hub_conf [people-key line]
	hub_conf "$url" hub "$1"
	{
		hub_token office admin
		hub_token guardhouse guard
		hub_token lobby viewer
	} >>"$D/hub.conf"
}
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
start_hub && wait_for 5 connected || { fail "gated-hub starts (no key)"; cat "$D/hub.log"; }
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
start_hub && wait_for 5 connected || { fail "gated-hub starts (key)"; cat "$D/hub.log"; }
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
check "level: g1 journals the hub's key, the admin's name and the reason" has_rows g1 \
    "kind = 'level' AND actor = 'key:hub/token:office' AND detail = 'flu wave'"
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
hub_db_end
exit $((failures > 0))
