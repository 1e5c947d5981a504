# events.sh: gatectl events shows the newest events, oldest of them first,
# pages back with --before and forward with --after, and prints the
# verdict once ("granted", "denied unknown-card").
. "$(dirname "$0")/common.inc"

start_gated || { fail "gated starts"; finish; }
i=0
while [ $i -lt 12 ]; do ctl sim card ped-in 1001 >/dev/null; i=$((i + 1)); done
ctl sim card ped-in 4242 >/dev/null
newest=$(jctl status | jget journal.last_id)

ids() { python3 -c 'import json,sys; print(" ".join(str(e["id"]) for e in json.load(sys.stdin)["events"]))'; }
seq_ids() { python3 -c 'import sys; a,b=int(sys.argv[1]),int(sys.argv[2]); print(" ".join(str(i) for i in range(a,b+1)))' "$1" "$2"; }

got=$(jctl events --limit 5 | ids)
check "events: the newest 5, oldest first ($got)" [ "$got" = "$(seq_ids $((newest - 4)) "$newest")" ]
got=$(jctl events --before $((newest - 4)) --limit 5 | ids)
check "events --before: the 5 before those ($got)" [ "$got" = "$(seq_ids $((newest - 9)) $((newest - 5)))" ]
got=$(jctl events --after 2 --limit 3 | ids)
check "events --after: forward from an id ($got)" [ "$got" = "3 4 5" ]
check "events --before 1: nothing before the first" sh -c "[ -z \"\$('$GATECTL' -s '$SOCK' --json events --before 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"events\"] or \"\")')\" ]"
check "events: --after and --before together are refused" sh -c "! '$GATECTL' -s '$SOCK' events --after 1 --before 5 >/dev/null 2>&1"
check "GET /v1/events?after&before: 400" [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" 'http://gate/v1/events?after=1&before=5')" = 400 ]

ctl events --limit 2 >"$T/table"
check "table: a granted passage says granted once" sh -c "grep -q ' granted ' '$T/table' && ! grep -q 'granted granted' '$T/table'"
check "table: a denial says its reason" grep -q 'denied unknown-card' "$T/table"
check "table: the newest row is last" sh -c "tail -1 '$T/table' | grep -q '^$newest '"
out=$(ctl sim card ped-in 1001)
check "sim card: a grant says granted once ($out)" sh -c "echo '$out' | grep -q '^granted  event ' && ! echo '$out' | grep -q 'granted  granted'"
out=$(ctl sim card ped-in 4242)
check "sim card: a denial says its reason ($out)" sh -c "echo '$out' | grep -q '^denied  unknown-card  event '"
stop_gated
finish
