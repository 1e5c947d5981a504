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
HAVE_PG=
if [ -f "$(dirname "$0")/postgres.inc" ]; then
	. "$(dirname "$0")/postgres.inc"
	HAVE_PG=1
fi
HUB=$top/$BUILD/gated-hub
GATES="north south"
TOKEN_HEALTH=health-0f1e2d3c4b5a69788796a5b4c3d2e1f0
TOKEN_GUARD=guard-7c1e0f2d9a8b3c4d5e6f70819a2b3c4d
TOKEN_VIEWER=viewer-1a2b3c4d5e6f708192a3b4c5d6e7f809
sha() { printf '%s' "$1" | openssl dgst -sha256 -r | cut -d' ' -f1; }
if [ ! -x "$HUB" ]; then
	echo "SKIP: hub-report: no $HUB (make)"
	exit 0
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/hub.key" -out "$T/hub.crt" -days 2 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 2>/dev/null
for r in HEALTH GUARD VIEWER; do
	eval "printf '%s\n' \"\$TOKEN_$r\"" >"$T/token.$r"
	chmod 600 "$T/token.$r"
done

start_gate() {	# start_gate NAME: gated on the simulator in $D/NAME
	d=$D/$1
	mkdir -p "$d"
	cp "$T/people.csv" "$d/"
	sed "s/^id = test/id = $1/" "$T/gate.conf" >"$d/gate.conf"
	cat >>"$d/gate.conf" <<EOC

[mqtt]
host = 127.0.0.1
port = $PORT
site = campus
keepalive = 5s
EOC
	"$GATED" -d -f "$d/gate.conf" >>"$d/gated.log" 2>&1 &
	eval "GPID_$1=$!"
	PIDS="$PIDS $!"
	wait_for 5 gctl "$1" status >/dev/null 2>&1
}
gctl() { g=$1; shift; "$GATECTL" -s "$D/$g/state/control.sock" "$@"; }
last_id() { gctl "$1" --json status | jget journal.last_id; }
hapi() {	# hapi TOKEN PATH
	curl -sfk -H "Authorization: Bearer $1" "https://127.0.0.1:$HUB_PORT$2"
}
hctl() {	# hctl ROLE gatectl-arguments...
	r=$1
	shift
	"$GATECTL" --hub "https://127.0.0.1:$HUB_PORT" --ca "$T/hub.crt" \
	    --token-file "$T/token.$r" --timeout 30 "$@"
}
hubsql() {
	if [ "$db" = postgresql ]; then pg_psql "$1"
	else sqlite3 "$D/campus.db" "$1"; fi
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
	D=$T/$db
	mkdir -p "$D"
	case $db in
	postgresql)
		if [ -z "$HAVE_PG" ]; then
			echo "SKIP: hub-report on postgresql: no postgres.inc"
			continue
		fi
		pg_start || continue
		url=$PG_URL ;;
	sqlite)	url=sqlite:$D/campus.db ;;
	esac
	echo "# --- the campus report and contacts on $db"
	PORT=$(free_port)
	HUB_PORT=$(free_port)
	plain_conf "$PORT" "$D/broker.conf"
	start_broker "r_$db" "$D/broker.conf" "$PORT"
	cat >"$D/hub.conf" <<EOC
[hub]
database = $url
site = campus
[mqtt]
host = 127.0.0.1
port = $PORT
client-id = hub-report-$db
keepalive = 5s
[tls]
listen = 127.0.0.1:$HUB_PORT
certificate = $T/hub.crt
key = $T/hub.key
[token office]
role = health
hash = sha256:$(sha "$TOKEN_HEALTH")
[token guardhouse]
role = guard
hash = sha256:$(sha "$TOKEN_GUARD")
[token lobby]
role = viewer
hash = sha256:$(sha "$TOKEN_VIEWER")
EOC
	"$HUB" -d -f "$D/hub.conf" >>"$D/hub.log" 2>&1 &
	HUB_PID=$!
	PIDS="$PIDS $!"
	if ! wait_for 5 hapi "$TOKEN_VIEWER" /v1/status >/dev/null; then
		fail "$db: gated-hub starts"
		cat "$D/hub.log"
		continue
	fi
	for g in $GATES; do
		start_gate "$g" || fail "$db: gate $g starts"
	done
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
	code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN_HEALTH" \
	    "https://127.0.0.1:$HUB_PORT/v1/contacts?person=E1001")
	check "$db: contacts: the hub refuses without a reason ($code)" [ "$code" = 400 ]
	hctl GUARD campus contacts E1001 --reason x >"$D/guard.out" 2>&1
	rc=$?
	check "$db: contacts: a guard is refused (exit $rc: $(cat "$D/guard.out"))" \
	    sh -c "[ $rc -eq 1 ] && grep -q 'role may not' '$D/guard.out'"
	hctl HEALTH campus contacts E1001 --reason "list" >"$D/contacts.txt" 2>&1
	check "$db: gatectl campus contacts: a table of contacts" \
	    grep -q '^  S1002 ' "$D/contacts.txt"

	kill -TERM "$HUB_PID"
	wait "$HUB_PID" 2>/dev/null
	for g in $GATES; do eval "kill -TERM \$GPID_$g"; done
	stop_broker "r_$db"
	[ "$db" = postgresql ] && pg_stop
	[ $failures -eq 0 ] || { echo "--- hub log:"; tail -30 "$D/hub.log"; }
done
exit $((failures > 0))
