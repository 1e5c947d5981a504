# remote-slowloris.sh: a slow denial-of-service attack on the remote API.
# 72 clients that never finish (a request a byte a second after the TLS
# handshake, a ClientHello a byte a second, idle TCP connections) from
# seven addresses, reconnecting whenever dropped, against a gate with 16
# connections: a legitimate `gatectl --gate status` must still be answered
# within the gate's 3 s deadline, every time.  Before the deadline, the
# per-address limit and room-making existed, the attackers held every slot
# for as long as they went on.
. "$(dirname "$0")/remote-common.inc"

make_certs || { fail "openssl made the test CA"; remote_finish; }
start_gate s "max-connections = 16
max-per-address = 8
timeout = 3s" || { fail "gate s starts"; remote_finish; }

ATTACK=12	# seconds
python3 "$top/tests/integration/slowloris.py" "$PORT_s" "$T/tls/ca.crt" $ATTACK \
    tls:10:127.0.0.2 tls:10:127.0.0.3 tls:10:127.0.0.4 tls:10:127.0.0.5 \
    hello:8:127.0.0.6 hello:8:127.0.0.7 idle:16:127.0.0.8 >"$T/attack" 2>&1 &
attack=$!
# Let every attacker connect and the slots fill up.
sleep 3
ok=0 tries=0
while [ $tries -lt 4 ]; do
	t0=$(date +%s.%N)
	if "$GATECTL" --gate "$(url s)" --token-file "$T/viewer.token" \
	    --ca "$T/tls/ca.crt" --timeout 3 status >"$T/out" 2>&1; then
		ok=$((ok + 1))
	fi
	t1=$(date +%s.%N)
	echo "status $tries: $(python3 -c "print('%.2f s' % ($t1 - $t0))") $(head -1 "$T/out")"
	tries=$((tries + 1))
	sleep 1
done
check "under attack: gatectl --gate status answered $ok of $tries times" [ $ok -eq $tries ]
check "under attack: the gate still decides cards" sh -c "'$GATECTL' -s '$(lsock s)' sim card ped-in 1001 | grep -q granted"
wait $attack
echo "attack: $(cat "$T/attack")"
check "the attackers were dropped" grep -q 'closed by the gate [1-9]' "$T/attack"
check "the log says why, a line a minute at most" [ "$(grep -c 'remote: dropped a connection' "$T/s/gated.log")" -le 2 ]
check "after the attack: answered" "$GATECTL" --gate "$(url s)" --token-file "$T/viewer.token" --ca "$T/tls/ca.crt" --timeout 3 status
check "gate s stops cleanly" stop_gate s
remote_finish
