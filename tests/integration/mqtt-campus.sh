# mqtt-campus.sh: the campus steered through a real Mosquitto by signed
# desired state.  gatectl signs with an admin key and publishes, retained;
# the gate, which holds only the public key ([admin-key]), applies it from
# the broker, journaled key:NAME; the same command again is a replay;
# a gate that was offline applies the retained state when it connects; a
# client that can publish but holds no key changes nothing.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"

PORT=$(free_port)
plain_conf "$PORT" "$T/broker.conf"
"$GATECTL" pass keygen --out "$T/admin.pem" --key-id office \
    >"$T/keygen.out" 2>&1 || { echo "FAIL: keygen"; exit 1; }
pub=$(sed -n 's/^office //p' "$T/keygen.out")
cat >>"$T/gate.conf" <<EOF

[mqtt]
host = 127.0.0.1
port = $PORT
site = main
keepalive = 5s

[admin-key office]
public-key = $pub
EOF
db=$T/state/journal.db
sign() {
	"$GATECTL" campus sign --key "$T/admin.pem" --key-id office \
	    --site main --actor security-office "$@"
}
publish() { echo "$1" | "$GATECTL" campus publish - \
    --broker "127.0.0.1:$PORT" >/dev/null 2>&1; }
level_is() { [ "$(jctl status | jget level.number)" = "$1" ]; }
rows() { sqlite3 "$db" "SELECT count(*) FROM events WHERE $1"; }
has_rows() { [ "$(rows "$1")" -ge "${2:-1}" ]; }

start_broker main "$T/broker.conf" "$PORT" || exit 1
start_gated || exit 1
check "connected to the broker" wait_for 10 sh -c \
    '"$1" -s "$2" --json status | grep -q "\"connected\": *true"' _ \
    "$GATECTL" "$SOCK"

c1=$(sign level 1 --reason "first-level response" --seq 1000)
publish "$c1"
check "a signed level command from the broker applies" wait_for 10 level_is 1
check "journaled by the key that signed it" \
    has_rows "kind = 'level' AND actor = 'key:office/security-office'"
publish "$c1"
check "the same command again: a replay, refused and journaled" \
    wait_for 10 has_rows "kind = 'command' AND reason = 'replayed'"
forged=$(echo "$c1" | sed 's/first-level response/first-level responsE/; s/"value":1/"value":3/')
mosquitto_pub -p "$PORT" -r -t gated/v1/main/campus/level -m "$forged"
check "a client without a key publishes a forged level 3: refused" \
    wait_for 10 has_rows "kind = 'command' AND verdict = 'denied' AND reason != 'replayed'"
check "... and the level is unchanged" level_is 1
mosquitto_pub -p "$PORT" -r -t gated/v1/main/campus/level -m '{"v":1}'
check "an unsigned one: refused and journaled" \
    wait_for 10 has_rows "kind = 'command' AND reason IN ('unsigned', 'malformed')"
check "... the level still unchanged" level_is 1

stop_gated
c2=$(sign level 2 --reason "closed campus" --seq 2000)
publish "$c2"
start_gated || exit 1
check "a gate offline during the change applies it on connecting" \
    wait_for 10 level_is 2
stop_gated
start_gated || exit 1
sleep 2
check "restarted with the same retained command: nothing re-applied" \
    [ "$(rows "kind = 'level' AND actor = 'key:office/security-office'")" = 2 ]
stop_gated
finish
