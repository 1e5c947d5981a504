# lanes.sh: the lane state machines in the real daemon on the simulator:
# door pulse and contact, forced and held-open doors, exit and guard
# buttons, the lock, the barrier interlock and the fire input.
. "$(dirname "$0")/common.inc"

start_gated || { fail "gated starts"; finish; }
alert_count() { jctl status | python3 -c 'import json,sys
print(sum(1 for a in json.load(sys.stdin)["alerts"] if a["kind"] == sys.argv[1]))' "$1"; }

for o in door barrier-up barrier-down lamp-green buzzer; do
	check "output $o starts at 0" is_output $o 0
done

# One grant, one passage: the pulse ends when the door has closed again.
ctl sim card ped-in 1001 >/dev/null
check "grant releases the door" is_output door 1
ctl sim input door-contact 1 >/dev/null
ctl sim input door-contact 0 >/dev/null
check "door opened and closed: relay locks before open-time" is_output door 0
check "no forced-door alert for a granted opening" [ "$(alert_count door-forced)" = 0 ]

# A door opened without a grant.
ctl sim input door-contact 1 >/dev/null
check "door opened without a grant: door-forced alert" [ "$(alert_count door-forced)" = 1 ]
check "door held open past held-open: alert" wait_for 4 sh -c "[ \"\$('$GATECTL' -s '$SOCK' --json status | grep -c door-held-open)\" -ge 1 ]"
ctl sim input door-contact 0 >/dev/null
check "ack button acknowledges every alert" sh -c "'$GATECTL' -s '$SOCK' sim button guard-ack >/dev/null && [ \"\$('$GATECTL' -s '$SOCK' --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"alerts\"]))')\" = 0 ]"

# Exit button: egress in open mode, refused when the gate is closed.
ctl sim button exit-button >/dev/null
check "exit button releases the door in mode open" is_output door 1
check "exit journaled as a passage out" sh -c "'$GATECTL' -s '$SOCK' --json events | grep -q '\"actor\": *\"exit-button\"'"
wait_for 4 is_output door 0
ctl mode set closed --reason test >/dev/null
ctl sim button exit-button >/dev/null
check "exit button refused when closed" is_output door 0

# Guard open-once works in every mode and is an override.
ctl sim button guard-open-ped >/dev/null
check "guard open button opens a closed gate once" is_output door 1
check "guard open journaled as override by the button" sh -c "'$GATECTL' -s '$SOCK' --json events | grep -q '\"actor\": *\"guard-open-ped\"'"
ctl mode set open --reason test >/dev/null

# Lock button: closed, and back to the mode it had.
ctl sim button guard-lock >/dev/null
check "lock button: mode closed" [ "$(jctl status | jget mode)" = closed ]
check "lock button: locked" [ "$(jctl status | jget locked)" = true ]
ctl sim button guard-lock >/dev/null
check "lock button again: back to open" [ "$(jctl status | jget mode)" = open ]

# The barrier interlock.
ctl sim input loop 1 >/dev/null          # a car waits on the loop
ctl sim card car-in 1001 >/dev/null
check "barrier raised for the car" is_output barrier-up 1
ctl mode set closed --reason "closing with a car under the arm" >/dev/null
sleep 0.6                                # past open-time
check "mode closed with loop occupied: barrier stays up" is_output barrier-up 1
ctl open car --reason "command while occupied" >/dev/null
check "loop still occupied after a command: barrier still up" is_output barrier-up 1
ctl sim input loop 0 >/dev/null          # the car has passed
check "loop clear after the car: barrier lowers" wait_for 2 is_output barrier-down 1
check "lower relay released after the travel time" wait_for 4 is_output barrier-down 0
ctl mode set open --reason test >/dev/null

# Nobody comes: the barrier lowers after close-timeout with the loop clear.
ctl sim card car-in 1001 >/dev/null
sleep 1
check "no vehicle: barrier still up before close-timeout" is_output barrier-up 1
check "no vehicle: barrier lowers after close-timeout" wait_for 5 is_output barrier-down 1
wait_for 4 is_output barrier-down 0

# Safety reversal: the loop occupied while the arm comes down.
ctl sim card car-in 1001 >/dev/null
sleep 0.6                                # past open-time
ctl mode set closed --reason "lower now" >/dev/null
ctl sim input loop 1 >/dev/null          # within the 2 s of arm travel
check "loop occupied while lowering: barrier raised again" is_output barrier-up 1
check "loop occupied while lowering: lower relay released" is_output barrier-down 0
ctl sim input loop 0 >/dev/null
check "then lowers once the loop is clear" wait_for 2 is_output barrier-down 1
ctl mode set open --reason test >/dev/null

# The fire input wins over every mode.
ctl level set 3 --reason "lockdown" >/dev/null
ctl sim input fire-alarm 1 >/dev/null
check "fire: door released in lockdown" is_output door 1
check "fire: barrier raised in lockdown" is_output barrier-up 1
check "fire: emergency alert" [ "$(alert_count emergency)" = 1 ]
check "fire: status says emergency" [ "$(jctl status | jget emergency)" = true ]
sleep 2.2                                # past every open-time
check "fire: door still released after open-time" is_output door 1
ctl sim input fire-alarm 0 >/dev/null
check "fire cleared: door locks" is_output door 0
check "fire cleared: barrier lowers (loop clear)" wait_for 2 is_output barrier-down 1
check "fire start and end journaled" sh -c "[ \"\$('$GATECTL' -s '$SOCK' --json events --limit 1000 | grep -c '\"kind\": *\"emergency\"')\" = 2 ]"

check "gated stops on SIGTERM" stop_gated
finish
