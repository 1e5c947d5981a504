# apb.sh: anti-passback hard and soft, across a restart, a guard's
# forgiveness; who is inside (gatectl inside, /metrics); the muster list
# journaled when the fire input fires.
. "$(dirname "$0")/common.inc"

cat >>"$T/gate.conf" <<'CONF'

[level 5]
name = hard anti-passback
mode = open
anti-passback = hard

[level 6]
name = soft anti-passback
mode = open
anti-passback = soft
CONF
sed -i 's/^level = .*/level = 5/' "$T/gate.conf"
reason_of() { jctl sim card "$1" "$2" | jget reason; }
last_event() { jctl events --limit 1 | jget "events.0.$1"; }
clear_lane() { wait_for 5 is_output door 0; }

start_gated || exit 1
check "hard: in" [ "$(reason_of ped-in 1001)" = granted ]
clear_lane
check "hard: in twice is refused" [ "$(reason_of ped-in 1001)" = anti-passback ]
check "hard: out" [ "$(reason_of ped-out 1001)" = granted ]
clear_lane
check "hard: out twice is refused" \
    [ "$(reason_of ped-out 1001)" = anti-passback ]
check "hard: in again after out" [ "$(reason_of ped-in 1001)" = granted ]
clear_lane
check "another person is not affected" [ "$(reason_of ped-in 1002)" = granted ]
clear_lane
check "a refused card does not count as a passage" \
    [ "$(reason_of ped-in 1001)" = anti-passback ]

out=$(jctl inside)
check "inside: two people" [ "$(echo "$out" | jget inside)" = 2 ]
check "inside: one staff, one student" \
    [ "$(echo "$out" | jget categories.staff)/$(echo "$out" | jget categories.student)" = 1/1 ]
check "inside: the list, oldest first" \
    [ "$(echo "$out" | jget people.0.person) $(echo "$out" | jget people.1.person)" = "E1001 S1002" ]
check "gatectl inside prints the muster list" \
    sh -c 'echo "$1" | grep -q "^S1002 *student"' _ "$(ctl inside)"
m=$(ctl metrics 2>/dev/null || curl -s --unix-socket "$SOCK" http://gate/metrics)
check "/metrics: gated_inside by category" \
    sh -c 'echo "$1" | grep -q "^gated_inside{category=\"staff\"} 1$"' _ "$m"

stop_gated
start_gated || exit 1
check "after a restart: in twice is still refused" \
    [ "$(reason_of ped-in 1001)" = anti-passback ]
check "after a restart: still two inside" \
    [ "$(jctl inside | jget inside)" = 2 ]
check "apb reset needs a reason" sh -c '! "$1" -s "$2" apb reset E1001 \
    >/dev/null 2>&1' _ "$GATECTL" "$SOCK"
check "apb reset of someone never seen: 404" \
    sh -c '"$1" -s "$2" apb reset X999 --reason r 2>&1 | grep -q "no passage"' \
    _ "$GATECTL" "$SOCK"
check "apb reset by a guard" ctl apb reset E1001 --reason "card checked at the booth"
check "the reset is journaled with who and why" \
    [ "$(last_event kind)/$(last_event person)/$(last_event detail)" = "apb-reset/E1001/card checked at the booth" ]
check "after the reset: in" [ "$(reason_of ped-in 1001)" = granted ]
clear_lane

# The fire input: who is inside goes into the journal.
ctl sim input fire-alarm 1 >/dev/null
check "fire: a muster row" wait_for 5 sh -c \
    '"$1" -s "$2" --json events --limit 20 | grep -q "\"kind\": *\"muster\""' \
    _ "$GATECTL" "$SOCK"
ev=$(jctl events --limit 20 | python3 -c 'import json,sys
for e in json.load(sys.stdin)["events"]:
    if e["kind"] == "muster": print(e["reason"] + ": " + e["detail"])')
check "the muster lists who is inside: $ev" [ "$ev" = "2 inside: S1002 E1001" ]
ctl sim input fire-alarm 0 >/dev/null
stop_gated

# Soft: granted, and journaled as a violation.
sed -i 's/^level = .*/level = 6/' "$T/gate.conf"
start_gated || exit 1
check "soft: in twice is granted" [ "$(reason_of ped-in 1002)" = granted ]
check "soft: and journaled as a violation" \
    [ "$(last_event detail)" = "anti-passback: in twice" ]
clear_lane
check "soft: out is no violation" [ "$(reason_of ped-out 1002)" = granted ]
check "soft: no violation noted" [ -z "$(last_event detail)" ]
stop_gated
finish
