# hub-report.sh: the epidemic office's campus report and contact tracing
# on gated-hub, with a real Mosquitto and two real gated on the simulator,
# on SQLite and (with tests/integration/postgres.inc) on PostgreSQL.
# Shows: cards granted, refused (an unknown card, a fever) at both gates;
# the campus report's totals are the sum of the two gates' own reports
# for the same range (GET /v1/report of each gate); per gate, they are
# the gate's; a viewer's report without person ids or temperatures, a
# health token's with the fever (person, temperature) and journaled as
# an export; gatectl campus report --hub as text and CSV; gatectl campus
# contacts: the people at the same lane of the same gate, not those at
# the other gate; refused without a reason or for a guard; every query
# journaled with who asked, for whom and why.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"
. "$(dirname "$0")/hub.inc"
GATES="north south"
if [ ! -x "$HUB" ]; then
	echo "SKIP: hub-report: no $HUB (make)"
	exit 0
fi

for r in HEALTH GUARD VIEWER; do
	eval "printf '%s\n' \"\$TOKEN_$r\"" >"$T/token.$r"
	chmod 600 "$T/token.$r"
done

hctl() {	# hctl ROLE gatectl-arguments...
	r=$1
	shift
	"$GATECTL" --hub "https://127.0.0.1:$HUB_PORT" --ca "$T/hub.crt" \
	    --token-file "$T/token.$r" --timeout 30 "$@"
}
campus_complete() {
	for g in $GATES; do
		n=$(last_id "$g")
		[ "$(hubsql "SELECT COUNT(*) FROM events WHERE gate = '$g'")" = "$n" ] ||
		    return 1
	done
}
# The totals of the campus report against the gates' own, for the range
# FROM..TO; prints what differs, 0 when nothing does.
totals_match() {
	for g in $GATES; do
		gctl "$g" --json report --from "$1" --to "$2" >"$D/report.$g.json"
	done
	hctl HEALTH campus report --from "$1" --to "$2" --format json \
	    >"$D/report.campus.json" || return 1
	python3 - "$D" $GATES <<'EOF'
import json, sys
d = sys.argv[1]
campus = json.load(open(d + "/report.campus.json"))
keys = ["passages", "granted", "denied", "alerts"]
bad = []
total = dict.fromkeys(keys, 0)
per_gate = {g["gate"]: g for g in campus["gates"]}
for g in sys.argv[2:]:
    t = json.load(open("%s/report.%s.json" % (d, g)))["totals"]
    for k in keys:
        total[k] += t[k]
        if per_gate.get(g, {}).get(k) != t[k]:
            bad.append("%s %s: hub %s, gate %s" % (g, k,
                per_gate.get(g, {}).get(k), t[k]))
for k in keys:
    if campus["totals"][k] != total[k]:
        bad.append("totals %s: hub %s, gates %s" % (k, campus["totals"][k],
            total[k]))
print("; ".join(bad) if bad else "campus %s == the gates' sum" %
    {k: campus["totals"][k] for k in keys})
sys.exit(1 if bad else 0)
EOF
}

for db in sqlite postgresql; do
	hub_db "$db" || continue
	echo "# --- the campus report and contacts on $db"
	hub_conf "$url" "hub-report-$db"
	{
		hub_token office health
		hub_token guardhouse guard
		hub_token lobby viewer
	} >>"$D/hub.conf"
	hub_up || continue
	start_gates "$db: "
	from=$(date +%Y-%m-%dT%H:%M:%S)

	# North: E1001 and S1002 in at the same lane, a moment apart; an
	# unknown card; a fever.  South: R1003 in, an unknown card.
	gctl north sim card ped-in 1001 >/dev/null
	gctl north sim card ped-in 1002 >/dev/null
	gctl north sim card ped-in 999999 >/dev/null
	gctl north sim card ped-in 1004 --temp 38.6 >/dev/null
	gctl south sim card ped-in 1003 >/dev/null
	gctl south sim card ped-in 999998 >/dev/null
	gctl north sim card ped-out 1001 >/dev/null
	sleep 1
	to=$(date -d '+1 min' +%Y-%m-%dT%H:%M:%S)
	check "$db: the gates' events reached the hub" wait_for 15 \
	    campus_complete

	# --- the report's totals: the sum of the gates' own --------------
	why=$(totals_match "$from" "$to" 2>&1)
	check "$db: report: the campus totals are the gates' sum, per gate too ($why)" \
	    [ $? -eq 0 ]
	check "$db: report: the fever listed with person, gate and 38.6" \
	    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
h = [x for x in r["hits"] if x["reason"] == "fever"]
assert h and h[0]["person"] == "V1004" and h[0]["gate"] == "north" and \
    abs(h[0]["temp"] - 38.6) < 0.05, r["hits"]' "$D/report.campus.json"
	check "$db: report: a health token's report journaled as an export" \
	    [ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'export' AND actor = 'token:office'")" -ge 1 ]
	check "$db: report: a viewer's has no person and no temperature" \
	    sh -c "curl -sfk -H 'Authorization: Bearer $TOKEN_VIEWER' 'https://127.0.0.1:$HUB_PORT/v1/report' >'$D/viewer.json' && grep -q '\"hits\"' '$D/viewer.json' && ! grep -q 'V1004\|38.6\|E1001' '$D/viewer.json'"
	hctl VIEWER campus report --from "$from" --to "$to" --inside 2d \
	    >"$D/report.txt" 2>&1
	check "$db: gatectl campus report: text with its totals" \
	    grep -q '^totals: 7 passages' "$D/report.txt"
	check "$db: report: inside, S1002 and R1003 (E1001 went out again)" \
	    python3 -c 'import json, sys
i = json.load(open(sys.argv[1]))["inside"]
assert len(i) == 1 and sorted(p["person"] for p in i[0]["people"]) == \
    ["R1003", "S1002"], i' "$D/report.campus.json"
	hctl HEALTH campus report --from "$from" --to "$to" --format csv \
	    >"$D/report.csv" 2>&1
	check "$db: gatectl campus report --format csv" \
	    grep -q '^gate,passages,granted,denied,alerts,hits' "$D/report.csv"

	# --- contact tracing ----------------------------------------------
	hctl HEALTH campus contacts E1001 --days 1 --window 10m \
	    --reason "case 7 confirmed" --format json >"$D/contacts.json" 2>&1
	check "$db: contacts: S1002 and V1004 at north's lane, not R1003 at south" \
	    python3 -c 'import json, sys
c = [x["person"] for x in json.load(open(sys.argv[1]))["contacts"]]
assert "S1002" in c and "V1004" in c and "R1003" not in c, c' \
	    "$D/contacts.json"
	check "$db: contacts: journaled with who asked, why and for whom" \
	    [ "$(hubsql "SELECT actor, reason FROM hub_journal WHERE kind = 'contacts' AND detail LIKE '%E1001%'")" = "token:office|case 7 confirmed" ]
	hctl HEALTH campus contacts E1001 >/dev/null 2>&1
	check "$db: contacts: gatectl refuses without --reason (2)" [ $? -eq 2 ]
	code=$(get_code "$TOKEN_HEALTH" "/v1/contacts?person=E1001")
	check "$db: contacts: the hub refuses without a reason ($code)" [ "$code" = 400 ]
	hctl GUARD campus contacts E1001 --reason x >"$D/guard.out" 2>&1
	rc=$?
	check "$db: contacts: a guard is refused (exit $rc: $(cat "$D/guard.out"))" \
	    sh -c "[ $rc -eq 1 ] && grep -q 'role may not' '$D/guard.out'"
	hctl HEALTH campus contacts E1001 --reason "list" >"$D/contacts.txt" 2>&1
	check "$db: gatectl campus contacts: a table of contacts" \
	    grep -q '^  S1002 ' "$D/contacts.txt"

	stop_hub
	hub_db_end
done
exit $((failures > 0))
