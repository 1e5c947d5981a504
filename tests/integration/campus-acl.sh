# campus-acl.sh: the campus broker of docs/mqtt.md: TLS with a client
# certificate per gate and one for the office's gatectl, an ACL by the
# certificate's CN (mosquitto.inc: campus_tls_conf).  Shows: two gates on
# it over TLS, switched by `gatectl campus level set` with the admin's
# certificate, and read back by `campus status`; a gate's certificate
# publishing under another gate's id (events, state), or on the desired
# state, is dropped by the ACL: a subscriber never sees it; the same
# client publishing under its own id is seen (the control).  And a broker
# that checks passwords: a gate with [mqtt] username and password-file
# connects, one with a wrong password is refused (and retries).
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"

PORT=$(free_port)
campus_tls_conf "$PORT" "$T/broker.conf" north south admin || {
	echo "FAIL: certificates"; exit 1; }
admin_key
for g in north south; do
	campus_gate $g "$PORT" "$(tls_keys $g)
$ADMIN_KEY"
done
TLS="--ca $T/tls/ca.crt --cert $T/tls/admin.crt --cert-key $T/tls/admin.key"
level_of() { gctl "$1" --json status 2>/dev/null | jget level.number 2>/dev/null; }

start_broker main "$T/broker.conf" "$PORT" || exit 1
gate_up north; gate_up south
check "two gates connected over TLS with their certificates" \
    wait_for 15 sh -c 'for g in north south; do "$1" -s "$2/$g/state/control.sock" --json status | grep -q "\"connected\": *true" || exit 1; done' _ "$GATECTL" "$T"

"$GATECTL" campus level set 1 --reason drill --key "$T/admin.pem" \
    --key-id office --site main --broker "127.0.0.1:$PORT" $TLS \
    >"$T/set.out" 2>&1
check "campus level set 1 with the admin's certificate: exit 0, both applied" \
    sh -c "[ $? = 0 ] && [ \$(grep -cE '^(north|south) +yes +applied' '$T/set.out') = 2 ]"
check "... both at level 1" [ "$(level_of north)$(level_of south)" = 11 ]
"$GATECTL" campus status --site main --broker "127.0.0.1:$PORT" $TLS \
    >"$T/status.out" 2>&1
check "campus status over TLS: both rows" sh -c \
    "[ \$(grep -cE '^(north|south) +yes +1 ' '$T/status.out') = 2 ]"

# What the admin sees of north's events and of the campus level.
mosquitto_sub -p "$PORT" $(as admin) -v -t gated/v1/main/north/events \
    -t gated/v1/main/south/events -t gated/v1/main/campus/level \
    >"$T/seen.out" 2>"$T/seen.err" &
PIDS="$PIDS $!"
sleep 0.5
: >"$T/seen.out"
mosquitto_pub -p "$PORT" $(as south) -q 1 -t gated/v1/main/north/events \
    -m '{"id":999999,"kind":"passage","note":"south posing as north"}'
mosquitto_pub -p "$PORT" $(as south) -q 1 -r -t gated/v1/main/north/state \
    -m '{"gate":"north","note":"south posing as north"}'
mosquitto_pub -p "$PORT" $(as south) -q 1 -t gated/v1/main/campus/level \
    -m '{"v":1,"note":"a gate may not publish desired state"}'
mosquitto_pub -p "$PORT" $(as south) -q 1 -t gated/v1/main/south/events \
    -m '{"id":888888,"kind":"passage","note":"south as itself"}'
check "the control: south publishing under its own id is seen" \
    wait_for 5 grep -q '888888' "$T/seen.out"
check "south's certificate publishing under north's id: never seen" \
    sh -c "! grep -q 'posing' '$T/seen.out'"
check "... nor its desired state" sh -c "! grep -q 'may not' '$T/seen.out'"
check "a client without a certificate is refused" sh -c \
    "! mosquitto_pub -p $PORT --cafile $T/tls/ca.crt -q 1 -t gated/v1/main/north/events -m x 2>/dev/null"
gate_down north 2>/dev/null; gate_down south 2>/dev/null
stop_broker main

# --- username and password (mosquitto_passwd) ---------------------------
PPORT=$(free_port)
plain_conf "$PPORT" "$T/pw.conf"
sed -i 's/^allow_anonymous true/allow_anonymous false/' "$T/pw.conf"
echo "password_file $T/passwd" >>"$T/pw.conf"
mosquitto_passwd -b -c "$T/passwd" gate-west s3cret 2>/dev/null
echo s3cret >"$T/west.pw"; echo wrong >"$T/bad.pw"
campus_gate west "$PPORT" "username = gate-west
password-file = $T/west.pw"
campus_gate east "$PPORT" "username = gate-west
password-file = $T/bad.pw"
start_broker pw "$T/pw.conf" "$PPORT" || exit 1
gate_up west; gate_up east
check "username and password-file: the gate connects" \
    wait_for 10 gate_connected west
check "a wrong password: refused, not connected" sh -c \
    "sleep 2; ! '$GATECTL' -s '$T/east/state/control.sock' --json status | grep -q '\"connected\": *true'"
check "gatectl campus status --user --password-file: west's row" sh -c \
    "'$GATECTL' campus status --site main --broker 127.0.0.1:$PPORT --user gate-west --password-file '$T/west.pw' | grep -qE '^west +yes'"
"$GATECTL" campus status --site main --broker "127.0.0.1:$PPORT" \
    --user gate-west --password-file "$T/bad.pw" --timeout 3 >/dev/null 2>&1
check "... a wrong password: exit 3" [ $? = 3 ]
gate_down west 2>/dev/null; gate_down east 2>/dev/null
finish
