# remote-fdlimit.sh: gated at its limit of open files.  With `ulimit -n
# 48`, 150 local and 150 TLS clients connect and stay: accept(2) fails
# with EMFILE, and the listeners must pause rather than spin (gated's CPU
# time over 3 s stays well under the wall time) and log a line, not one
# per failure.  Once the clients go, both sockets answer again.
. "$(dirname "$0")/remote-common.inc"

make_certs || { fail "openssl made the test CA"; remote_finish; }
cat >"$T/gated-limited" <<EOS
#!/bin/sh
ulimit -n 48 && exec "$GATED" "\$@"
EOS
chmod +x "$T/gated-limited"
GATED=$T/gated-limited
start_gate f "max-connections = 4096
max-per-address = 4096
timeout = 1m" || { fail "gate f starts"; remote_finish; }

python3 - "$(lsock f)" "$PORT_f" "$T/held" "$T/go" <<'PY' &
import os, socket, sys, time
held = []
for i in range(150):
    for family, addr in ((socket.AF_UNIX, sys.argv[1]),
                         (socket.AF_INET, ("127.0.0.1", int(sys.argv[2])))):
        s = socket.socket(family)
        s.settimeout(0.2)	# a full backlog: connect waits
        try:
            s.connect(addr)
            held.append(s)
        except OSError:
            s.close()
open(sys.argv[3], "w").write("held %d\n" % len(held))
end = time.time() + 30
while not os.path.exists(sys.argv[4]) and time.time() < end:
    time.sleep(0.05)
PY
clients=$!
wait_for 20 [ -s "$T/held" ] || fail "the clients connected"
echo "clients: $(cat "$T/held")"
sleep 1
cpu() { awk '{ print $14 + $15 }' "/proc/$PID_f/stat"; }
c0=$(cpu); t0=$(date +%s.%N)
sleep 3
c1=$(cpu); t1=$(date +%s.%N)
share=$(python3 -c "import os; print(int(100 * ($c1 - $c0) / os.sysconf('SC_CLK_TCK') / ($t1 - $t0)))")
check "out of fds: gated used ${share}% of one CPU over 3 s (< 50%)" [ "$share" -lt 50 ]
n=$(grep -ci 'accept' "$T/f/gated.log")
check "out of fds: $n log lines about accept (at most 5)" [ "$n" -le 5 ]
check "out of fds: the log says why" grep -q 'accept: Too many open files' "$T/f/gated.log"
touch "$T/go"
wait $clients
check "afterwards: the local socket answers" wait_for 5 "$GATECTL" -s "$(lsock f)" status
check "afterwards: the TLS socket answers" wait_for 5 "$GATECTL" --gate "$(url f)" --token-file "$T/viewer.token" --ca "$T/tls/ca.crt" --timeout 3 status
check "gate f stops cleanly" stop_gate f
remote_finish
