# campus-steer.sh: `gatectl campus level set` and `campus status` against
# a real Mosquitto and three gates: one applies, one without the admin key
# refuses (unknown-key), one is offline; the row of each, the exit code
# (1 on a refusal, 6 when every online gate applied but some are offline),
# and the offline gate applying the retained level when it comes back.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"

PORT=$(free_port)
plain_conf "$PORT" "$T/broker.conf"
admin_key
campus_gate north "$PORT" "$ADMIN_KEY"
campus_gate south "$PORT" "$ADMIN_KEY"
campus_gate east "$PORT"		# no admin key: refuses every command
steer() {
	"$GATECTL" campus "$@" --key "$T/admin.pem" --key-id office \
	    --site main --broker "127.0.0.1:$PORT" --timeout 5
}
level_of() { gctl "$1" --json status 2>/dev/null | jget level.number 2>/dev/null; }
level_is() { [ "$(level_of "$1")" = "$2" ]; }

start_broker main "$T/broker.conf" "$PORT" || exit 1
for g in north south east; do gate_up $g; done
for g in north south east; do
	wait_for 10 gate_connected $g || echo "gate $g did not connect"
done

"$GATECTL" campus status --site main --broker "127.0.0.1:$PORT" \
    >"$T/status.out" 2>&1
check "campus status: a row per gate, online, level 0" sh -c \
    "[ \$(grep -cE '^(north|south|east) +yes +0 ' '$T/status.out') = 3 ]"

steer level set 1 --reason "storm warning" >"$T/set1.out" 2>&1
rc=$?
check "level set 1: exit 1 (a refusal)" [ "$rc" = 1 ]
check "... north and south applied" sh -c \
    "[ \$(grep -cE '^(north|south) +yes +applied' '$T/set1.out') = 2 ]"
check "... east refused, the reason said (unknown-key)" \
    grep -qE '^east +yes +refused +unknown-key' "$T/set1.out"
check "... the gates are at level 1" \
    [ "$(level_of north)$(level_of south)" = 11 ]
check "... east is not" [ "$(level_of east)" = 0 ]
sed -n '$p' "$T/set1.out"

gate_down east
gate_down south
steer level set 2 --reason "closed campus" --target north >"$T/one.out" 2>&1
check "level set 2 --target north: exit 0, only north's row" sh -c \
    "[ $? = 0 ] && grep -qE '^north +yes +applied' '$T/one.out' && ! grep -q '^south' '$T/one.out'"
steer level set 3 --reason "lockdown" >"$T/set3.out" 2>&1
rc=$?
check "level set 3 with south and east off: exit 6 (applied by all online)" \
    [ "$rc" = 6 ]
check "... south and east offline, north applied" sh -c \
    "grep -qE '^south +no +offline' '$T/set3.out' && grep -qE '^east +no +offline' '$T/set3.out' && grep -qE '^north +yes +applied' '$T/set3.out'"
gate_up south
check "south back: applies the retained level 3 on connecting" \
    wait_for 10 level_is south 3
steer mode set north closed --reason "door repair" >"$T/mode.out" 2>&1
check "mode set north closed: exit 0, applied" sh -c \
    "[ $? = 0 ] && grep -qE '^north +yes +applied +mode closed' '$T/mode.out'"
sleep 1	# the state again once the backlog drained (0)
"$GATECTL" campus status --site main --broker "127.0.0.1:$PORT" \
    >"$T/status.out" 2>&1
check "campus status: east offline, south level 3, north closed" sh -c \
    "grep -qE '^east +no ' '$T/status.out' && grep -qE '^south +yes +3 ' '$T/status.out' && grep -qE '^north +yes +3 lockdown +closed' '$T/status.out'"
cat "$T/status.out"
check "... backlogs drained: 0 for the gates online" sh -c \
    "[ \$(grep -cE '^(north|south) .* 0\$' '$T/status.out') = 2 ]"
stop_broker main
steer level set 0 --reason "all clear" >/dev/null 2>&1
check "no broker: exit 3" [ $? = 3 ]
for g in north south; do gate_down $g; done
finish
