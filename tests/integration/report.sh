# report.sh: a report on a big journal does not stall the gate.  The report
# runs in a worker thread (agent/report.c), so cards presented while it runs
# are decided, with their journal ids, before it answers; a second report
# meanwhile is told to come back (503, Retry-After).  The assertions are on
# order, not on time: before the fix, the first card waited for the report.
. "$(dirname "$0")/common.inc"

ROWS=${REPORT_ROWS:-300000}

# gated makes the journal, then ROWS passages of today go in with sqlite3.
start_gated || { fail "gated starts"; finish; }
stop_gated
day0=$(date -d 'today 00:00' +%s)000
now=$(date +%s)000
sqlite3 "$T/state/journal.db" "
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $ROWS)
INSERT INTO events (ts_ms, kind, lane, direction, card, person, verdict, reason)
SELECT $day0 + (x * ($now - $day0 - 1000)) / $ROWS, 'passage', 'ped',
    CASE x % 2 WHEN 0 THEN 'in' ELSE 'out' END, '1001', 'E1001',
    CASE WHEN x % 10 = 0 THEN 'denied' ELSE 'granted' END,
    CASE WHEN x % 10 = 0 THEN 'unknown-card' ELSE 'granted' END FROM n"
check "a journal of $ROWS passages" [ "$(sqlite3 "$T/state/journal.db" 'SELECT count(*) FROM events')" -ge "$ROWS" ]
start_gated || { fail "gated starts on the big journal"; finish; }

# The report in the background; its end is a line in the order file.
(
	code=$(curl -s -o "$T/report.json" -w '%{http_code}' --unix-socket "$SOCK" http://gate/v1/report)
	echo "report $code" >>"$T/order"
) &
rpid=$!
# Cards while it runs: each is decided (an event id) and its line written
# before the next is presented, until the report's line is there.
i=0
while [ $i -lt 200 ] && ! grep -q '^report' "$T/order" 2>/dev/null; do
	ev=$(curl -s --unix-socket "$SOCK" -d "{\"reader\":\"ped-in\",\"uid\":\"$((900000 + i))\"}" http://gate/v1/sim/card |
	    sed -n 's/.*"event": *\([0-9][0-9]*\).*/\1/p')
	echo "card ${ev:-none}" >>"$T/order"
	i=$((i + 1))
done
wait $rpid
before=$(sed '/^report/q' "$T/order" | grep -c '^card [0-9]')
# Before the fix at most the first card, sent as the report was being
# asked for, could come before it; every later one waited for it.
check "cards are decided while the report runs ($before before it answered)" [ "$before" -ge 2 ]
check "every card got an event id" sh -c "! grep -q '^card none' '$T/order'"
check "the report answered 200" grep -q '^report 200' "$T/order"
check "the report counts the journal's passages" python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
t = r["totals"]
assert t["passages"] >= int(sys.argv[2]), t
assert t["denied"] >= int(sys.argv[2]) // 10, t
assert sum(h["granted"] + h["denied"] for h in r["hourly"]) == t["passages"]
assert r["alerts_more"] is False' "$T/report.json" "$ROWS"

# One at a time: of two reports asked for together, one runs and the other
# is a 503 that says when to come back.
pids=
for k in 1 2; do
	curl -s -D "$T/h$k" -o "$T/b$k" -w '%{http_code}\n' --unix-socket "$SOCK" http://gate/v1/report >"$T/c$k" &
	pids="$pids $!"
done
wait $pids
codes=$(cat "$T/c1" "$T/c2" | sort | tr '\n' ' ')
if [ "$codes" = "200 200 " ]; then
	echo "SKIP: two reports at once: the first ended before the second came"
else
	check "two reports at once: one 200, one 503 ($codes)" [ "$codes" = "200 503 " ]
	busy=1; grep -q '^503' "$T/c2" && busy=2
	check "the 503 has Retry-After" grep -qi '^Retry-After: [0-9]' "$T/h$busy"
	check "the 503 says a report runs" grep -q 'already running' "$T/b$busy"
fi
check "after it, a report again: 200" [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" 'http://gate/v1/report?from=2020-01-01&to=2020-01-02')" = 200 ]

# A daemon told to stop during a report stops (the thread is cancelled).
(curl -s -o /dev/null --unix-socket "$SOCK" http://gate/v1/report) &
rpid=$!
jctl sim card ped-in 899998 >/dev/null
check "gated stops cleanly with a report running" stop_gated
wait $rpid
finish
