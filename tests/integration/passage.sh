# passage.sh: cards through the simulated gate, decided by the real daemon:
# verdicts, reasons, outputs and journal rows.
. "$(dirname "$0")/common.inc"

start_gated || { fail "gated starts"; finish; }
pass "gated starts and answers on its socket"

out=$(jctl sim card ped-in 1001); rc=$?
# Read the relay first: the pulse is short, the JSON helpers are slow.
check "staff card: relay released" is_output door 1
check "staff card granted (exit 0)" [ $rc -eq 0 ]
check "staff card: verdict granted" [ "$(echo "$out" | jget verdict)" = granted ]
ev=$(echo "$out" | jget event)
check "staff card: journal row" sh -c "'$GATECTL' -s '$SOCK' --json events --after $((ev - 1)) --limit 1 | grep -q '\"person\": *\"E1001\"'"
check "relay closes after open-time" wait_for 4 is_output door 0

out=$(jctl sim card ped-in 999999); rc=$?
check "unknown card: exit 5 (denied)" [ $rc -eq 5 ]
check "unknown card: reason unknown-card" [ "$(echo "$out" | jget reason)" = unknown-card ]
check "unknown card: journaled with the card number" sh -c "'$GATECTL' -s '$SOCK' --json events | grep -q '\"card\": *\"999999\"'"

out=$(jctl sim card ped-in 1006)
check "expired contractor: card-expired" [ "$(echo "$out" | jget reason)" = card-expired ]

out=$(jctl sim card ped-in 1005)
check "quarantined: denied quarantine" [ "$(echo "$out" | jget reason)" = quarantine ]
alerts=$(jctl status | jget alerts)
check "quarantined: alert active" sh -c "echo '$alerts' | grep -q quarantine"
aid=$(jctl status | jget alerts.0.id)
check "alert lamp blinking" wait_for 2 is_output lamp-red 1
check "ack the alert" ctl ack "$aid" --reason "guard saw it"
check "no alert after ack" [ "$(jctl status | jget alerts)" = "[]" ]
check "ack again: refused (exit 1)" sh -c "'$GATECTL' -s '$SOCK' ack $aid; [ \$? -eq 1 ]"

# Vehicle lane in mode open: staff with a car.
out=$(jctl sim card car-in 1001)
check "car: granted" [ "$(echo "$out" | jget verdict)" = granted ]
check "car: barrier raised" is_output barrier-up 1

# Mode changes need a reason and are journaled.
check "mode set without reason refused (exit 2)" sh -c "'$GATECTL' -s '$SOCK' mode set closed; [ \$? -eq 2 ]"
check "mode set closed" ctl mode set closed --reason "test"
out=$(jctl sim card ped-in 1001)
check "closed gate: gate-closed" [ "$(echo "$out" | jget reason)" = gate-closed ]
check "unknown mode refused (exit 1)" sh -c "'$GATECTL' -s '$SOCK' mode set nosuch --reason x 2>&1; [ \$? -eq 1 ]"
check "mode open" ctl mode set open --reason "test"

# Level 1: pedestrian-only, temperature check, outsiders refused.
check "level set 1" ctl level set 1 --reason "epidemic response"
check "status shows mode pedestrian-only" [ "$(jctl status | jget mode)" = pedestrian-only ]
out=$(jctl sim card car-in 1001)
check "level 1: vehicle lane closed" [ "$(echo "$out" | jget reason)" = lane-closed ]
out=$(jctl sim card ped-in 1004 --temp 36.5)
check "level 1: visitor refused" [ "$(echo "$out" | jget reason)" = outsider-refused ]
out=$(jctl sim card ped-in 1002 --temp 36.6)
check "level 1: student with 36.6 granted" [ "$(echo "$out" | jget verdict)" = granted ]
check "level 1: temperature journaled" [ "$(echo "$out" | jget temp)" = 36.6 ]
out=$(jctl sim card ped-in 1002)
check "level 1: no reading -> no-temperature after the wait" [ "$(echo "$out" | jget reason)" = no-temperature ]
out=$(jctl sim card ped-in 1008 --temp 38.2)
check "level 1: fever denied" [ "$(echo "$out" | jget reason)" = fever ]
check "level 1: fever alert" sh -c "'$GATECTL' -s '$SOCK' --json status | grep -q '\"fever\"'"
# A reading that arrives during the wait decides the waiting card.
( sleep 0.3; ctl sim temp therm 36.7 >/dev/null ) &
out=$(jctl sim card ped-in 1008)
wait $!
check "level 1: reading during the wait grants" [ "$(echo "$out" | jget verdict)" = granted ]
ctl sim temp therm 25.0 >/dev/null
out=$(jctl sim card ped-in 1008)
check "implausible reading is a sensor error, not a person" [ "$(echo "$out" | jget reason)" = no-temperature ]
out=$(jctl sim card ped-out 1002)
check "level 1: exit needs no temperature" [ "$(echo "$out" | jget verdict)" = granted ]

# Level 2: staff-only, students restricted.
check "level set 2" ctl level set 2 --reason "closed campus"
out=$(jctl sim card ped-out 1002)
check "level 2: staff-only mode does not admit a student" [ "$(echo "$out" | jget reason)" = category-not-admitted ]
out=$(jctl sim card ped-in 1003 --temp 36.4)
check "level 2: resident of family admitted to teaching" [ "$(echo "$out" | jget verdict)" = granted ]
check "level set 4 (students kept in)" ctl level set 4 --reason "students kept in"
out=$(jctl sim card ped-out 1002)
check "level 4: student may not leave" [ "$(echo "$out" | jget reason)" = student-movement-restricted ]
out=$(jctl sim card ped-out 1007)
check "level 4: exempt student may leave" [ "$(echo "$out" | jget verdict)" = granted ]
check "level 4: exit button refused (anonymous egress would bypass it)" sh -c "'$GATECTL' -s '$SOCK' sim button exit-button >/dev/null; sleep 0.1; [ \"\$('$GATECTL' -s '$SOCK' --json events --limit 1000 | grep -c exit-button)\" = 0 ]"
check "unknown level refused" sh -c "'$GATECTL' -s '$SOCK' level set 7 --reason x 2>/dev/null; [ \$? -eq 1 ]"

# The report counts what happened.
rep=$(jctl report)
check "report: denials by reason include fever" sh -c "echo '$rep' | grep -q fever"
check "report: totals" [ "$(echo "$rep" | jget totals.passages)" -ge 10 ]
check "report --csv has the hourly header" sh -c "'$GATECTL' -s '$SOCK' report --csv | grep -q '^hour,lane,direction,granted,denied'"

check "gated stops on SIGTERM with status 0" stop_gated
finish
