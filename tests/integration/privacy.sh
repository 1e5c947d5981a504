# privacy.sh: health data over the remote API (docs/privacy.md).  A viewer
# token sees the gate's traffic without person ids, card numbers or
# temperatures, in events, the stream, the report, alerts and status;
# guards and admins see them; the report's per-person parts are an export,
# an admin's alone, and journaled (kind export, the actor, what).
. "$(dirname "$0")/remote-common.inc"

make_certs || { fail "openssl made the test CA"; remote_finish; }
start_gate a || { fail "gate a starts"; remote_finish; }
A=$(url a)
L=$(lsock a)

# A granted passage with a reading and a fever denial with its alert.
"$GATECTL" -s "$L" level set 1 --reason "privacy test" >/dev/null
out=$("$GATECTL" -s "$L" --json sim card ped-in 1002 --temp 36.6)
check "set-up: student granted with 36.6" [ "$(echo "$out" | jget temp)" = 36.6 ]
out=$("$GATECTL" -s "$L" --json sim card ped-in 1008 --temp 38.2)
check "set-up: fever denied" [ "$(echo "$out" | jget reason)" = fever ]
wait_for 3 sh -c "'$GATECTL' -s '$L' --json status | grep -q '\"fever\"'" ||
    fail "set-up: fever alert raised"

# Health data in a body: a person id, a card number of the people list, a
# temperature field or a reading in free text.
# clean FILE: none of it there.
clean() { ! grep -Eq 'E1008|S1002|"person"|"card"|"temp"|"subject"|38\.2|36\.6' "$1"; }
# The same, for a guard or an admin: what must be there.
shown() { grep -q 'E1008' "$1" && grep -Eq '"temp": ?38\.2' "$1"; }

for role in viewer guard admin; do
	eval "tok=\$TOKEN_$(echo $role | tr a-z A-Z)"
	rcurl a "$tok" "$A/v1/events?limit=1000" >/dev/null
	cp "$T/body" "$T/events-$role"
	rcurl a "$tok" "$A/v1/alerts" >/dev/null
	cp "$T/body" "$T/alerts-$role"
	rcurl a "$tok" "$A/v1/status" >/dev/null
	cp "$T/body" "$T/status-$role"
	rcurl a "$tok" "$A/v1/report" >/dev/null
	cp "$T/body" "$T/report-$role"
	curl -s -N --max-time 2 --cacert "$T/tls/ca.crt" \
	    -H "Authorization: Bearer $tok" -H "Last-Event-ID: 0" \
	    "$A/v1/events/stream" >"$T/stream-$role"
	"$GATECTL" --gate "$A" --token-file "$T/$role.token" \
	    --ca "$T/tls/ca.crt" report --csv >"$T/csv-$role" 2>&1
done

check "viewer: events are there (passages, the alert)" sh -c "grep -q '\"passage\"' '$T/events-viewer' && grep -q '\"fever\"' '$T/events-viewer'"
check "viewer: events carry no person id or temperature" clean "$T/events-viewer"
check "viewer: the stream has the events" grep -q '"passage"' "$T/stream-viewer"
check "viewer: the stream carries no person id or temperature" clean "$T/stream-viewer"
check "viewer: alerts list the fever alert" grep -q '"fever"' "$T/alerts-viewer"
check "viewer: alerts carry no subject or detail naming someone" clean "$T/alerts-viewer"
check "viewer: status alerts name no one" clean "$T/status-viewer"
check "viewer: the report has its totals" grep -q '"totals"' "$T/report-viewer"
check "viewer: the report names no one" clean "$T/report-viewer"
check "viewer: the report's CSV names no one" sh -c "grep -q fever '$T/csv-viewer' && ! grep -Eq 'E1008|38\.2' '$T/csv-viewer'"

for role in guard admin; do
	check "$role: events show person and temperature" shown "$T/events-$role"
	check "$role: the stream shows person and temperature" shown "$T/stream-$role"
	check "$role: alerts show the person" grep -q 'E1008' "$T/alerts-$role"
	check "$role: status alerts show the person" grep -q 'E1008' "$T/status-$role"
done
check "guard: the report's per-person part is an admin's export" sh -c "grep -q '\"totals\"' '$T/report-guard' && ! grep -q 'E1008' '$T/report-guard'"
check "admin: the report shows the fever alert's person" grep -q 'E1008' "$T/report-admin"
check "admin: the report's CSV shows the person" grep -q 'E1008' "$T/csv-admin"

# Who exported: one row per admin report, none for the others.
journal a >"$T/ja"
check "journal: the admin's report is an export by its token" sh -c "grep '\"kind\": \"export\"' '$T/ja' | grep -q 'token:ops-admin'"
check "journal: it says what was exported" sh -c "grep '\"kind\": \"export\"' '$T/ja' | grep -q '\"detail\": \"report '"
check "journal: two exports (report and CSV), none by viewer or guard" sh -c "[ \$(grep -c '\"kind\": \"export\"' '$T/ja') = 2 ] && ! grep '\"kind\": \"export\"' '$T/ja' | grep -q 'dashboard\|guardhouse'"

remote_finish
