# alerts.sh: a flood of alerts stays bounded.  A quarantined card presented
# 200 times is one active alert with count 200 (each presentation still a
# journaled passage); status shows counts and the newest 20 alerts, and
# GET /v1/alerts pages through the rest.
. "$(dirname "$0")/common.inc"

# 25 more quarantined people, each an alert of their own.
i=1
while [ $i -le 25 ]; do
	echo "$((2000 + i)),Q$((2000 + i)),Quarantined $i,student,teaching,teaching,2020-01-01,,quarantine"
	i=$((i + 1))
done >>"$T/people.csv"

start_gated || { fail "gated starts"; finish; }
api() { curl -s --unix-socket "$SOCK" "http://gate$1"; }

n=0 denied=0
while [ $n -lt 200 ]; do
	ctl sim card ped-in 1005 >/dev/null 2>&1
	[ $? -eq 5 ] && denied=$((denied + 1))
	n=$((n + 1))
done
check "200 presentations, 200 denials" [ $denied -eq 200 ]
jctl status >"$T/st"
check "one active alert" [ "$(jget alert_counts.active <"$T/st")" = 1 ]
check "its count is 200" [ "$(jget alerts.0.count <"$T/st")" = 200 ]
check "it is about the person" [ "$(jget alerts.0.subject <"$T/st")" = S1005 ]
check "last_ms moved past raised_ms" python3 -c 'import json,sys
a = json.load(open(sys.argv[1]))["alerts"][0]
sys.exit(0 if a["last_ms"] >= a["raised_ms"] else 1)' "$T/st"
check "each presentation is a journaled passage" [ "$(sqlite3 \
    "$T/state/journal.db" "SELECT count(*) FROM events WHERE kind = 'passage' AND person = 'S1005'")" = 200 ]
check "one alert row, one alert event" [ "$(sqlite3 "$T/state/journal.db" \
    "SELECT count(*) || ' ' || (SELECT count(*) FROM events WHERE kind = 'alert') || ' ' || max(count) FROM alerts")" = "1 1 200" ]

# 25 other people: 26 alerts; status shows the newest 20 and the counts.
i=1
while [ $i -le 25 ]; do
	ctl sim card ped-in $((2000 + i)) >/dev/null 2>&1
	i=$((i + 1))
done
jctl status >"$T/st"
check "26 active alerts counted" [ "$(jget alert_counts.active <"$T/st")" = 26 ]
check "26 quarantine alerts by kind" [ "$(jget alert_counts.by_kind.quarantine <"$T/st")" = 26 ]
check "metrics count all 26, not the 20 status lists" sh -c "curl -s --unix-socket '$SOCK' http://gate/metrics | grep -qx 'gated_alerts_active{kind=\"quarantine\"} 26'"
check "status carries only the newest 20" python3 -c 'import json,sys
a = json.load(open(sys.argv[1]))["alerts"]
sys.exit(0 if len(a) == 20 and a[0]["subject"] == "Q2025" else 1)' "$T/st"
# The answer on the wire (gatectl --json indents it).
check "status stays small (< 8 KiB)" [ "$(curl -s --unix-socket "$SOCK" http://gate/v1/status | wc -c)" -lt 8192 ]

api "/v1/alerts?limit=10" >"$T/p1"
check "GET /v1/alerts: a page of 10, newest first" python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
a = d["alerts"]
sys.exit(0 if len(a) == 10 and d["active"] == 26 and a[0]["subject"] == "Q2025" and a[0]["id"] > a[9]["id"] else 1)' "$T/p1"
last=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["alerts"][-1]["id"])' "$T/p1")
seen=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["alerts"]))' "$T/p1")
while :; do
	api "/v1/alerts?limit=10&before=$last" >"$T/p"
	k=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["alerts"]))' "$T/p")
	[ "$k" -gt 0 ] || break
	seen=$((seen + k))
	last=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["alerts"][-1]["id"])' "$T/p")
done
check "paging back with ?before reaches all 26" [ $seen -eq 26 ]
api "/v1/alerts?after=0&limit=1" >"$T/p"
check "?after=0: the oldest first, the 200-count alert" python3 -c 'import json,sys
a = json.load(open(sys.argv[1]))["alerts"]
sys.exit(0 if len(a) == 1 and a[0]["count"] == 200 else 1)' "$T/p"
check "?limit=0: 400" [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" 'http://gate/v1/alerts?limit=0')" = 400 ]
check "?after and ?before together: 400" [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" 'http://gate/v1/alerts?after=1&before=5')" = 400 ]

out=$(ctl status)
check "gatectl status says 26 active, 20 shown" sh -c "echo '$out' | grep -q '26 active'"
out=$(ctl alerts --limit 5)
check "gatectl alerts lists a page" [ "$(echo "$out" | grep -c quarantine)" = 5 ]
check "gatectl alerts shows the count" sh -c "'$GATECTL' -s '$SOCK' alerts | grep -q ' 200 '"

# An ack ends the coalescing: the next presentation is a new alert.
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["alerts"][0]["id"])' "$T/p")
ctl ack "$id" >/dev/null
ctl sim card ped-in 1005 >/dev/null 2>&1
api "/v1/alerts?after=$id" >"$T/p"
check "after the ack, a repeat is a new alert with count 1" python3 -c 'import json,sys
a = [x for x in json.load(open(sys.argv[1]))["alerts"] if x.get("subject") == "S1005"]
sys.exit(0 if len(a) == 1 and a[0]["count"] == 1 and a[0]["id"] > int(sys.argv[2]) else 1)' "$T/p" "$id"
stop_gated
finish
