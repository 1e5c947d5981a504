# remote-auth.sh: the remote API over TLS.  Tokens and roles (only the
# changes a role allows happen, and the journal names the token), TLS
# required and modern ciphers only, client certificates when client-ca is
# set, bad input, slow clients and the connection limit, and the rate
# limit of failures, journaled once per burst.
. "$(dirname "$0")/remote-common.inc"

make_certs || { fail "openssl made the test CA"; remote_finish; }
start_gate a "max-connections = 4
timeout = 2s" || { fail "gate a starts"; remote_finish; }
start_gate m "client-ca = ../tls/ca.crt" || { fail "gate m starts"; remote_finish; }
A=$(url a)

# ---- tokens and roles ----------------------------------------------------
# Each request from its own loopback address: the matrix's few failures
# must not trip the rate limit tested further down.
as() { src=$1; shift; rcurl "$@" --interface "$src"; }
post() { echo "{\"reason\": \"$1\"${2:-}}"; }
quiet() { "$@" >/dev/null 2>&1; }

check "no token: 401" [ "$(as 127.0.0.2 a "" "$A/v1/status")" = 401 ]
check "401 says WWW-Authenticate: Bearer" sh -c "curl -s -D - -o /dev/null --cacert '$T/tls/ca.crt' '$A/v1/status' | grep -qi '^WWW-Authenticate: Bearer'"
check "no token, a change: 401" [ "$(as 127.0.0.2 a "" -d "$(post m-none ', "mode": "closed"')" "$A/v1/mode")" = 401 ]
check "bad token: 401" [ "$(as 127.0.0.2 a not-a-token "$A/v1/status")" = 401 ]
check "bad token, a change: 401" [ "$(as 127.0.0.2 a not-a-token -d "$(post m-bad ', "mode": "closed"')" "$A/v1/mode")" = 401 ]

# An alert for the guards to acknowledge: the door forced open.
"$GATECTL" -s "$(lsock a)" sim input door-contact 1 >/dev/null
wait_for 3 sh -c "'$GATECTL' -s '$(lsock a)' --json status | grep -q door-forced" || fail "door forced alert raised"
alert=$("$GATECTL" -s "$(lsock a)" --json status | jget alerts.0.id)
"$GATECTL" -s "$(lsock a)" sim input door-contact 0 >/dev/null

for role in viewer guard admin; do
	eval "tok=\$TOKEN_$(echo $role | tr a-z A-Z)"
	for p in /v1/status /v1/events /v1/report /metrics; do
		check "$role: GET $p: 200" [ "$(rcurl a "$tok" "$A$p")" = 200 ]
	done
	case $role in viewer) want_g=403 want_a=403 ;; guard) want_g=200 want_a=403 ;; admin) want_g=200 want_a=200 ;; esac
	check "$role: open a lane: $want_g" [ "$(rcurl a "$tok" -d "$(post open-$role)" "$A/v1/lanes/ped/open")" = $want_g ]
	[ $want_g = 403 ] && check "$role: 403 names the role needed" grep -q "needs the guard role" "$T/body"
	check "$role: set the mode: $want_a" [ "$(rcurl a "$tok" -d "$(post mode-$role ', "mode": "open"')" "$A/v1/mode")" = $want_a ]
	[ $want_a = 403 ] && check "$role: 403 says admin" grep -q "needs the admin role" "$T/body"
	check "$role: set the level: $want_a" [ "$(rcurl a "$tok" -d "$(post level-$role ', "level": 0')" "$A/v1/level")" = $want_a ]
	check "$role: simulated card: $want_a" [ "$(rcurl a "$tok" -d '{"reader": "ped-in", "uid": "1001"}' "$A/v1/sim/card")" = $want_a ]
	check "$role: people reload: $want_a" [ "$(rcurl a "$tok" -d '{}' "$A/v1/people/reload")" = $want_a ]
done
check "viewer: ack an alert: 403" [ "$(rcurl a "$TOKEN_VIEWER" -d "$(post ack-viewer)" "$A/v1/alerts/$alert/ack")" = 403 ]
check "guard: ack an alert: 200" [ "$(rcurl a "$TOKEN_GUARD" -d "$(post ack-guard)" "$A/v1/alerts/$alert/ack")" = 200 ]
check "admin: unknown route: 404" [ "$(rcurl a "$TOKEN_ADMIN" "$A/v1/nope")" = 404 ]
check "viewer: unknown route: 403 (closed unless given a role)" [ "$(rcurl a "$TOKEN_VIEWER" "$A/v1/nope")" = 403 ]
check "viewer: percent-encoded admin route still 403" [ "$(rcurl a "$TOKEN_VIEWER" -d "$(post enc ', "mode": "closed"')" "$A/v1/%6Dode")" = 403 ]

journal a >"$T/ja"
has() { grep -q "$1" "$T/ja"; }
check "journal: guard and admin opened the lane" sh -c "grep '\"override\"' '$T/ja' | grep -q 'token:guardhouse' && grep '\"override\"' '$T/ja' | grep -q 'token:ops-admin'"
check "journal: the viewer opened nothing" sh -c "! grep -q 'open-viewer' '$T/ja'"
check "journal: only the admin changed mode and level" sh -c "[ \$(grep -c '\"kind\": \"mode\"' '$T/ja') = 1 ] && grep '\"kind\": \"mode\"' '$T/ja' | grep -q 'token:ops-admin' && [ \$(grep -c '\"kind\": \"level\"' '$T/ja') = 1 ]"
check "journal: the change carries its reason" has '"detail": "mode-admin"'
check "journal: no change with a bad or no token" sh -c "! grep -q 'm-none\|m-bad\|\"enc\"' '$T/ja'"
check "journal: the guard's ack, by token" sh -c "grep '\"kind\": \"ack\"' '$T/ja' | grep -q 'token:guardhouse'"
check "journal: failed authentication from 127.0.0.2, once" [ "$(grep '"kind": "auth"' "$T/ja" | grep -c '127.0.0.2')" = 1 ]

# ---- TLS only, client certificates -----------------------------------------
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT_a/v1/status"); rc=$?
check "plain HTTP to the TLS port: no HTTP answer" [ "$code" = 000 ] && [ $rc -ne 0 ]
# TLS 1.2 with CBC and SHA-1 MACs is refused; ECDHE with AES-GCM is not.
for c in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA384 AES128-SHA; do
	check "TLS 1.2 cipher $c refused" sh -c "! openssl s_client -connect 127.0.0.1:$PORT_a -tls1_2 -cipher $c </dev/null >'$T/sc' 2>&1"
done
check "TLS 1.2 cipher ECDHE-ECDSA-AES128-GCM-SHA256 taken" sh -c "openssl s_client -connect 127.0.0.1:$PORT_a -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 </dev/null 2>/dev/null | grep -q 'Cipher is ECDHE-ECDSA-AES128-GCM-SHA256'"
check "TLS 1.3 taken" sh -c "openssl s_client -connect 127.0.0.1:$PORT_a -tls1_3 </dev/null 2>/dev/null | grep -q 'TLSv1.3'"
check "TLS: an untrusted CA is refused by curl" [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/tls/other.crt" "$A/v1/status")" = 000 ]
"$GATECTL" --gate "$A" --token-file "$T/viewer.token" --ca "$T/tls/other.crt" status >"$T/out" 2>&1; rc=$?
check "gatectl: untrusted server certificate: exit 3" [ $rc -eq 3 ]
check "gatectl: says the certificate is not trusted" grep -q 'not trusted' "$T/out"
# A server with a good certificate for another name.
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/tls/else.key" -out "$T/tls/else.csr" -subj /CN=elsewhere \
    2>/dev/null
printf 'subjectAltName=DNS:elsewhere.example\n' >"$T/tls/else.ext"
openssl x509 -req -in "$T/tls/else.csr" -CA "$T/tls/ca.crt" \
    -CAkey "$T/tls/ca.key" -CAcreateserial -out "$T/tls/else.crt" -days 2 \
    -extfile "$T/tls/else.ext" 2>/dev/null
eport=$(free_port)
openssl s_server -quiet -accept "127.0.0.1:$eport" -cert "$T/tls/else.crt" \
    -key "$T/tls/else.key" -www >/dev/null 2>&1 </dev/null &
REMOTE_PIDS="$REMOTE_PIDS $!"
wait_for 5 python3 -c "import socket; socket.create_connection(('127.0.0.1', $eport), 1)" 2>/dev/null
"$GATECTL" --gate "https://127.0.0.1:$eport" --token-file "$T/viewer.token" --ca "$T/tls/ca.crt" status >"$T/out" 2>&1; rc=$?
check "gatectl: a certificate for another host: refused" [ $rc -eq 3 ]
check "gatectl: ... because of the address" grep -q 'mismatch' "$T/out"
check "gatectl: by name (localhost): ok" quiet "$GATECTL" --gate "https://localhost:$PORT_a" --token-file "$T/viewer.token" --ca "$T/tls/ca.crt" status
# Like ssh with a key, a token file others may read is refused.
cp "$T/viewer.token" "$T/loose.token"
for mode in 644 640 604 620; do
	chmod $mode "$T/loose.token"
	"$GATECTL" --gate "$A" --token-file "$T/loose.token" --ca "$T/tls/ca.crt" status >"$T/out" 2>&1; rc=$?
	check "gatectl: token file mode $mode refused" [ $rc -ne 0 ]
	check "gatectl: token file mode $mode: says why and how" sh -c "grep -q 'permissions 0$mode are too open' '$T/out' && grep -q 'chmod 600' '$T/out'"
done
chmod 400 "$T/loose.token"
check "gatectl: token file mode 400: ok" quiet "$GATECTL" --gate "$A" --token-file "$T/loose.token" --ca "$T/tls/ca.crt" status
M=$(url m)
check "mTLS: no client certificate: refused" [ "$(rcurl m "$TOKEN_VIEWER" "$M/v1/status")" = 000 ]
check "mTLS: a client certificate of another CA: refused" [ "$(rcurl m "$TOKEN_VIEWER" --cert "$T/tls/other.crt" --key "$T/tls/other.key" "$M/v1/status")" = 000 ]
check "mTLS: with the client certificate: 200" [ "$(rcurl m "$TOKEN_VIEWER" --cert "$T/tls/client.crt" --key "$T/tls/client.key" "$M/v1/status")" = 200 ]
check "mTLS: the certificate alone is not enough: 401" [ "$(rcurl m "" --cert "$T/tls/client.crt" --key "$T/tls/client.key" "$M/v1/status")" = 401 ]
check "mTLS: gatectl --cert --key" quiet "$GATECTL" --gate "$M" --token-file "$T/admin.token" --ca "$T/tls/ca.crt" --cert "$T/tls/client.crt" --key "$T/tls/client.key" level set 1 --reason "mtls test"
journal m >"$T/jm"
check "mTLS: the change is journaled by token" sh -c "grep '\"kind\": \"level\"' '$T/jm' | grep -q 'token:ops-admin'"

# ---- bad input over TLS ------------------------------------------------------
check "TLS: wrong method: 405" [ "$(rcurl a "$TOKEN_ADMIN" -X DELETE "$A/v1/mode")" = 405 ]
check "TLS: malformed JSON: 400" [ "$(rcurl a "$TOKEN_ADMIN" -d '{"mode":' "$A/v1/mode")" = 400 ]
check "TLS: missing reason: 400" [ "$(rcurl a "$TOKEN_ADMIN" -d '{"mode":"closed"}' "$A/v1/mode")" = 400 ]
check "TLS: bad query: 400" [ "$(rcurl a "$TOKEN_VIEWER" "$A/v1/events?limit=-1")" = 400 ]
check "TLS: bad Last-Event-ID: 400" [ "$(rcurl a "$TOKEN_VIEWER" -H 'Last-Event-ID: x' "$A/v1/events/stream")" = 400 ]
head -c 70000 /dev/zero | tr '\0' 'a' >"$T/big"
check "TLS: oversized body: 413" [ "$(rcurl a "$TOKEN_ADMIN" --data-binary @"$T/big" "$A/v1/mode")" = 413 ]
check "TLS: protocol mismatch: 400" [ "$(rcurl a "$TOKEN_VIEWER" -H 'X-Gated-Protocol: 9' "$A/v1/status")" = 400 ]

# A slow client (handshake, then half a request) is dropped after the
# 2 s timeout; meanwhile others are served.
python3 - "$PORT_a" "$T/tls/ca.crt" >"$T/slow" 2>&1 <<'EOF' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n")
t0 = time.time()
s.settimeout(10)
try:
    data = s.recv(100)
except Exception as e:
    data = b""
print("closed after %.1f s" % (time.time() - t0))
EOF
slow=$!
check "served while a slow client waits" [ "$(rcurl a "$TOKEN_VIEWER" "$A/v1/status")" = 200 ]
wait $slow
t=$(sed -n 's/closed after \([0-9.]*\) s/\1/p' "$T/slow")
check "slow client dropped after the timeout (${t:-?} s)" python3 -c "import sys; sys.exit(not (1.5 <= float('${t:-0}') <= 5))"

# The connection limit: 4 idle connections hold every slot; a 5th is
# served at once, because the oldest connection that sent no request is
# dropped to make room for it.
python3 - "$PORT_a" "$T/tls/ca.crt" "$T/held" "$T/go" >"$T/idle" <<'EOF' &
import os, socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
c = [ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost") for i in range(4)]
open(sys.argv[3], "w").write("held\n")
while not os.path.exists(sys.argv[4]):
    time.sleep(0.05)
closed = 0
for s in c:
    s.settimeout(0.5)
    try:
        closed += s.recv(1) == b""
    except socket.timeout:
        pass
    except Exception:
        closed += 1
print("closed %d" % closed)
EOF
hold=$!
wait_for 10 [ -s "$T/held" ] || fail "limit: 4 connections held"
check "limit: a 5th connection is served at once" [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1.5 --cacert "$T/tls/ca.crt" -H "Authorization: Bearer $TOKEN_VIEWER" "$A/v1/status")" = 200 ]
touch "$T/go"
wait $hold 2>/dev/null
check "limit: the oldest idle connection made room ($(cat "$T/idle"))" grep -q 'closed [1-4]' "$T/idle"
check "limit: the gate still decides cards" sh -c "'$GATECTL' -s '$(lsock a)' sim card ped-in 1001 | grep -q granted"

# ---- the rate limit of failures -------------------------------------------------
for i in 1 2 3 4; do as 127.0.0.3 a "guess-$i" "$A/v1/status" >/dev/null; done
check "rate limit: the 5th failure still gets 401" [ "$(as 127.0.0.3 a guess-5 "$A/v1/status")" = 401 ]
check "rate limit: then 429" [ "$(as 127.0.0.3 a guess-6 "$A/v1/status")" = 429 ]
check "rate limit: 429 says when to retry" sh -c "curl -s -D - -o /dev/null --interface 127.0.0.3 --cacert '$T/tls/ca.crt' '$A/v1/status' | grep -qi '^Retry-After: [0-9]'"
check "rate limit: even a good token from there waits" [ "$(as 127.0.0.3 a "$TOKEN_ADMIN" "$A/v1/status")" = 429 ]
check "rate limit: other addresses are served" [ "$(rcurl a "$TOKEN_VIEWER" "$A/v1/status")" = 200 ]
for i in $(seq 1 20); do as 127.0.0.3 a "more-$i" "$A/v1/status" >/dev/null; done
journal a >"$T/ja"
check "rate limit: one 'failed' row for the burst" [ "$(grep '"kind": "auth"' "$T/ja" | grep '127.0.0.3' | grep -c '"reason": "failed"')" = 1 ]
check "rate limit: one 'rate-limited' row" [ "$(grep '"kind": "auth"' "$T/ja" | grep '127.0.0.3' | grep -c '"reason": "rate-limited"')" = 1 ]
check "rate limit: 30 attempts, 2 journal rows" [ "$(grep '"kind": "auth"' "$T/ja" | grep -c '127.0.0.3')" = 2 ]

check "gate a still answers after all that" quiet "$GATECTL" --gate "$A" --token-file "$T/viewer.token" --ca "$T/tls/ca.crt" status
check "gate a stops cleanly" stop_gate a
check "gate m stops cleanly" stop_gate m
remote_finish
