# hub-people.sh: the campus people list held by gated-hub ([hub]
# people-key, docs/hub.md "The people list") on a real Mosquitto with
# three real gated processes, on SQLite and (with tests/integration/
# postgres.inc) PostgreSQL.  Shows: a list posted to the hub's API is
# stored, signed and published retained; the online gates run it, the one
# offline during the push takes it on its return; a bad list is refused
# with the gate's own FILE:LINE error (400) and nothing is stored or
# published; the versions page; the people search (guard, not viewer);
# quarantine through the hub refuses the card at every gate within 1 s,
# and taking it back admits it again; the roles and the journal.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"
. "$(dirname "$0")/hub.inc"
GATES="g1 g2 g3"
pub=$(signing_key hub) || exit 1
{ cat "$T/people.csv"; echo "1010,S1010,New Student,student,teaching,teaching,2020-01-01,,"; } \
    >"$T/v1.csv"
{ cat "$T/v1.csv"; echo "12x,S1011,Bad Uid,student,teaching,teaching,,,"; } >"$T/bad.csv"
badline=$(wc -l <"$T/bad.csv")

# The gates take pushed lists signed with the hub's key.
gate_conf_extra() {
	cat <<EOC
people-push = yes

[admin-key hub]
public-key = $pub
EOC
}
version_is() { [ "$(gctl "$1" --json status | jget campus.people.version)" = "$2" ]; }
card() { gctl "$1" sim card ped-in "$2" >/dev/null 2>&1; }
granted_at() { for g in $1; do card "$g" "$2" || return 1; done; }
denied_at() { for g in $1; do card "$g" "$2" && return 1; done; return 0; }
quarantined_at() {	# quarantined_at "GATES" PERSON
	for g in $1; do
		[ "$(gate_rows "$g" "reason = 'campus-quarantine' AND detail LIKE '%+$2%'")" -ge 1 ] || return 1
	done
}
# versions_ok "GATE:VERSION:CURRENT ...": /v1/people/versions says so.
versions_ok() {
	hapi "$TOKEN_VIEWER" /v1/people/versions | python3 -c '
import json, sys
d = json.load(sys.stdin)
got = {g["gate"]: "%s:%s" % (g["version"], str(g["current"]).lower())
    for g in d["gates"]}
for want in sys.argv[1].split():
    g, rest = want.split(":", 1)
    assert got.get(g) == rest, (want, got)' "$1" 2>/dev/null
}
search_ok() {
	hapi "$TOKEN_GUARD" '/v1/people?q=wang' | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = d["people"]
assert d["version"] == 1 and len(p) == 1, d
assert p[0]["person"] == "S1002" and p[0]["name"] == "Wang Tao", p
assert p[0]["card_uid"] == "1002" and p[0]["category"] == "student", p'
}

for db in sqlite postgresql; do
	hub_db "$db" || continue
	echo "# --- the hub's people list on $db"
	hub_conf "$url" "hub-$db" "people-key = $T/hub-key.pem"
	{
		hub_token office admin
		hub_token epidemic health
		hub_token guardhouse guard
		hub_token lobby viewer
	} >>"$D/hub.conf"
	hub_up || continue
	check "$db: broker connected" wait_for 5 connected
	start_gates "$db: "
	check "$db: before: every gate at version 0 in /v1/people/versions" \
	    wait_for 10 versions_ok "g1:0:false g2:0:false g3:0:false"
	check "$db: before: card 1010 unknown at g1" denied_at g1 1010

	# --- a list through the hub: online gates now, g3 on its return ----
	stop_gate g3
	code=$(post_file "$TOKEN_VIEWER" "/v1/people?reason=term%20start" "$T/v1.csv")
	check "$db: post: a viewer is refused ($code)" [ "$code" = 403 ]
	code=$(post_file "$TOKEN_ADMIN" "/v1/people" "$T/v1.csv")
	check "$db: post: a reason is required ($code)" [ "$code" = 400 ]
	code=$(post_file "$TOKEN_ADMIN" "/v1/people?reason=term%20start" "$T/v1.csv")
	check "$db: post: an admin's list is taken ($code)" [ "$code" = 200 ]
	check "$db: post: version 1, the file's sha256" python3 -c "
import json, sys
a = json.load(open('$D/answer'))
assert a['version'] == 1 and a['published'] is True, a
assert a['sha256'] == '$(sha256sum "$T/v1.csv" | cut -c1-64)', a"
	check "$db: stored: the people table holds version 1 whole" [ "$(hubsql \
	    "SELECT version, sha256, actor, reason FROM people")" = \
	    "1|$(sha256sum "$T/v1.csv" | cut -c1-64)|token:office|term start" ]
	check "$db: journaled as people-push" [ "$(hubsql \
	    "SELECT COUNT(*) FROM hub_journal WHERE kind = 'people-push' AND actor = 'token:office'")" = 1 ]
	check "$db: g1 runs version 1" wait_for 10 version_is g1 1
	check "$db: g2 runs version 1" wait_for 10 version_is g2 1
	check "$db: the new person is admitted at g1 and g2" granted_at "g1 g2" 1010
	check "$db: the list is retained, signed with the hub's key" sh -c \
	    "mosquitto_sub -p $PORT -C 1 -W 3 -t gated/v1/campus/campus/people | grep -q '\"key\":\"hub\"'"
	start_gate g3 || fail "$db: g3 starts again"
	check "$db: g3, offline during the push, runs version 1 on its return" \
	    wait_for 10 version_is g3 1
	check "$db: and admits the new person" granted_at g3 1010
	check "$db: versions: every gate current" \
	    wait_for 10 versions_ok "g1:1:true g2:1:true g3:1:true"

	# --- a bad list: refused with the gate's file:line error -----------
	code=$(post_file "$TOKEN_ADMIN" "/v1/people?reason=a%20typo" "$T/bad.csv")
	check "$db: bad list: 400 ($code)" [ "$code" = 400 ]
	check "$db: bad list: the gate's error, with the line ($badline)" \
	    grep -q "campus-people v2:$badline: invalid card uid '12x'" "$D/answer"
	check "$db: bad list: nothing stored" [ "$(hubsql "SELECT COUNT(*) FROM people")" = 1 ]
	check "$db: bad list: nothing published (still version 1 retained)" sh -c \
	    "mosquitto_sub -p $PORT -C 1 -W 3 -t gated/v1/campus/campus/people | grep -q '\"seq\":1,'"
	for g in $GATES; do
		check "$db: $g: still version 1" version_is "$g" 1
	done

	# --- the search (the console's people page) -------------------------
	check "$db: search: a guard finds Wang Tao by name" search_ok
	code=$(get_code "$TOKEN_VIEWER" '/v1/people?q=wang')
	check "$db: search: a viewer is refused ($code)" [ "$code" = 403 ]

	# --- quarantine through the hub: every gate within 1 s ---------------
	check "$db: before: S1002 (card 1002) admitted everywhere" granted_at "$GATES" 1002
	code=$(post_json "$TOKEN_GUARD" /v1/people/S1002/quarantine \
	    '{"on":true,"reason":"confirmed case"}')
	check "$db: quarantine: a guard is refused ($code)" [ "$code" = 403 ]
	t0=$(ms)
	code=$(post_json "$TOKEN_HEALTH" /v1/people/S1002/quarantine \
	    '{"on":true,"reason":"confirmed case"}')
	check "$db: quarantine: the epidemic office puts S1002 in ($code)" [ "$code" = 200 ]
	check "$db: quarantine: journaled at every gate" \
	    wait_for 5 quarantined_at "$GATES" S1002
	worst=0
	for g in $GATES; do
		ts=$(sqlite3 "$D/$g/state/journal.db" "SELECT max(ts_ms) FROM events WHERE reason = 'campus-quarantine'")
		d=$((ts - t0)); [ $d -gt $worst ] && worst=$d
	done
	check "$db: quarantine: every gate within 1 s of the API call (${worst} ms)" \
	    [ "$worst" -lt 1000 ]
	check "$db: quarantine: card 1002 refused at every gate" denied_at "$GATES" 1002
	check "$db: quarantine: the search shows it" sh -c \
	    "curl -sfk -H 'Authorization: Bearer $TOKEN_GUARD' 'https://127.0.0.1:$HUB_PORT/v1/people?q=S1002' | grep -q '\"campus_quarantine\": *true'"
	check "$db: quarantine: journaled at the hub" [ "$(hubsql \
	    "SELECT actor, reason, detail FROM hub_journal WHERE kind = 'people-quarantine'")" = \
	    "token:epidemic|confirmed case|quarantine +S1002: seq 1" ]
	code=$(post_json "$TOKEN_HEALTH" /v1/people/S1002/quarantine \
	    '{"on":true,"reason":"again"}')
	check "$db: quarantine: twice changes nothing ($code)" sh -c \
	    "[ '$code' = 200 ] && grep -q '\"changed\": *false' '$D/answer'"
	code=$(post_json "$TOKEN_ADMIN" /v1/people/S1002/quarantine \
	    '{"on":false,"reason":"cleared"}')
	check "$db: quarantine off: an admin takes S1002 out ($code)" [ "$code" = 200 ]
	check "$db: quarantine off: admitted at every gate" \
	    wait_for 5 granted_at "$GATES" 1002
	code=$(post_json "$TOKEN_HEALTH" /v1/people/S1002/quarantine '{"on":true}')
	check "$db: quarantine: a reason is required ($code)" [ "$code" = 400 ]

	stop_hub
	check "$db: no sanitizer report in the hub's log (BUILD=build-asan)" \
	    no_sanitizer_report
	hub_db_end
done
exit $((failures > 0))
