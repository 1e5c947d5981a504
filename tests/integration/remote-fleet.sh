# remote-fleet.sh: gatectl --fleet.  A level change goes to every gate in
# parallel over TLS; a gate that is down and one that accepts but never
# answers cost their own rows (and the timeout once, not once each), the
# others change, and the exit code says not all succeeded.  Then the
# status table of the fleet.
. "$(dirname "$0")/remote-common.inc"

make_certs || { fail "openssl made the test CA"; remote_finish; }
for g in g1 g2 g3; do
	start_gate $g || { fail "gate $g starts"; remote_finish; }
done
down=$(free_port)	# nothing listens there
hang=$(free_port)
python3 - "$hang" <<'EOF' &
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(__import__("sys").argv[1])))
s.listen(8)
time.sleep(60)	# connections complete in the backlog; nobody answers
EOF
REMOTE_PIDS="$REMOTE_PIDS $!"
wait_for 5 python3 -c "import socket; socket.create_connection(('127.0.0.1', $hang), 1)" 2>/dev/null

mkdir -p "$T/ops"
cp "$T/admin.token" "$T/viewer.token" "$T/ops/"
cp "$T/tls/ca.crt" "$T/ops/campus-ca.crt"
cat >"$T/ops/fleet" <<EOF
# The campus gates.  Paths are relative to this file.
ca = campus-ca.crt
token-file = admin.token
timeout = 2

north   $(url g1)
south   $(url g2)
family  https://localhost:$PORT_g3
sports  https://127.0.0.1:$down     # switched off
library https://127.0.0.1:$hang     # accepts, never answers
EOF

t0=$(date +%s.%N)
"$GATECTL" --fleet "$T/ops/fleet" level set 1 --reason "fleet drill" >"$T/out" 2>&1; rc=$?
t1=$(date +%s.%N)
cat "$T/out"
row() { grep "^$1 " "$T/out"; }
check "fleet: exit 1 when some gates failed" [ $rc -eq 1 ]
for g in north south family; do
	check "fleet: $g: ok" sh -c "grep '^$g ' '$T/out' | grep -q ' ok '"
	check "fleet: $g: its event" sh -c "grep '^$g ' '$T/out' | grep -q 'event='"
done
check "fleet: sports (down): error" sh -c "grep '^sports ' '$T/out' | grep -q ' error '"
check "fleet: library (hangs): error, timed out" sh -c "grep '^library ' '$T/out' | grep -q 'error.*timed out'"
check "fleet: one row per gate, and a header" [ "$(wc -l <"$T/out")" = 6 ]
el=$(python3 -c "print('%.1f' % ($t1 - $t0))")
check "fleet: in parallel: $el s for a 2 s timeout and 5 gates" python3 -c "import sys; sys.exit(not ($t1 - $t0 < 7))"
for g in g1 g2 g3; do
	check "$g: now at level 1" [ "$("$GATECTL" -s "$(lsock $g)" --json status | jget level.number)" = 1 ]
	journal $g >"$T/j"
	check "$g: journaled by token with the reason" sh -c "grep '\"kind\": \"level\"' '$T/j' | grep 'token:ops-admin' | grep -q 'fleet drill'"
done

# Status of the fleet: one table; g2 has a device down and an alert.
"$GATECTL" -s "$(lsock g2)" sim device therm-usb down >/dev/null
"$GATECTL" -s "$(lsock g2)" sim input door-contact 1 >/dev/null
wait_for 3 sh -c "'$GATECTL' -s '$(lsock g2)' --json status | grep -q door-forced"
"$GATECTL" --fleet "$T/ops/fleet" status >"$T/out" 2>&1; rc=$?
cat "$T/out"
check "fleet status: exit 1 (two gates unreachable)" [ $rc -eq 1 ]
check "fleet status: header" grep -q '^GATE *RESULT *MODE *LEVEL *ALERTS *DEVICES DOWN' "$T/out"
check "fleet status: north: mode and level" sh -c "grep '^north ' '$T/out' | grep -q 'ok *pedestrian-only *1 *0 *none'"
check "fleet status: south: the alert and the device down" sh -c "grep '^south ' '$T/out' | grep -q 'ok *pedestrian-only *1 *[1-9][0-9]* *therm-usb'"
check "fleet status: sports: error" sh -c "grep '^sports ' '$T/out' | grep -q 'error'"

# Only reachable gates, one with a viewer token: its row says why.
grep -v 'sports\|library' "$T/ops/fleet" | sed 's|^family .*|& token-file=viewer.token|' >"$T/ops/up"
"$GATECTL" --fleet "$T/ops/up" level set 0 --reason "drill over" >"$T/out" 2>&1; rc=$?
cat "$T/out"
check "fleet: a refused gate: exit 1" [ $rc -eq 1 ]
check "fleet: the refusal says the role" sh -c "grep '^family ' '$T/out' | grep -q 'needs the admin role'"
grep -v '^family' "$T/ops/up" >"$T/ops/two"
check "fleet: all succeed: exit 0" sh -c "'$GATECTL' --fleet '$T/ops/two' level set 0 --reason 'drill over' >/dev/null"
"$GATECTL" --fleet "$T/ops/two" --json status >"$T/out"
check "fleet --json: one object per gate" python3 -c "
import json, sys
d = json.load(open('$T/out'))
sys.exit(not (set(d) == {'north', 'south'} and all(v['ok'] for v in d.values()) and d['north']['answer']['level']['number'] == 0))"

printf 'north https://x\nbogus line\n' >"$T/ops/bad"
"$GATECTL" --fleet "$T/ops/bad" status >"$T/out" 2>&1; rc=$?
check "fleet: a bad file: exit 2" [ $rc -eq 2 ]
check "fleet: the error names file and line" grep -q 'bad:2:' "$T/out"
check "fleet: --fleet with --gate is refused" sh -c "! '$GATECTL' --fleet '$T/ops/two' --gate https://x status 2>/dev/null"
remote_finish
