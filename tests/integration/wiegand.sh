# wiegand.sh: Wiegand readers on the simulator.  Frames go in as bit
# strings (POST /v1/sim/card with "bits") and through the same assembler
# and decoder as the GPIO backends' kernel edges; the real daemon decides.
# 26-, 34- and 37-bit cards grant the right person; a parity error, a cut
# frame, two frames run together and a wrong facility are refused, counted
# in status and /metrics, and journaled as read-error, rate-limited.
. "$(dirname "$0")/common.inc"

cat >>"$T/gate.conf" <<'CONF'

[reader wg-in]
lane = ped
direction = in
wiegand-d0 = wg-d0
wiegand-d1 = wg-d1

[reader wg-out]
lane = ped
direction = out
format = 26
facility = 12
wiegand-d0 = wo-d0
wiegand-d1 = wo-d1

[input wg-d0]
line = WG_D0
[input wg-d1]
line = WG_D1
[input wo-d0]
line = WO_D0
[input wo-d1]
line = WO_D1
CONF

# frame BITS FACILITY CARD [flip]: a frame with its parity bits right, or
# with bit `flip` inverted.
frame() { python3 -c 'import sys
n, fac, card = map(int, sys.argv[1:4])
fb, cb, even_last, odd_first = {26: (8, 16, 12, 13), 34: (16, 16, 16, 17),
    37: (16, 19, 18, 18)}[n]
b = [0] + [int(c) for c in format(fac, "0%db" % fb) + format(card, "0%db" % cb)] + [0]
b[0] = sum(b[1:even_last + 1]) % 2
b[n - 1] = 1 - sum(b[odd_first:n - 1]) % 2
if len(sys.argv) > 4: b[int(sys.argv[4])] ^= 1
print("".join(map(str, b)))' "$@"; }
# wcard READER BITS: the reply to a frame on the reader.
wcard() { curl -s --unix-socket "$SOCK" -X POST -d "{\"reader\": \"$1\", \"bits\": \"$2\"}" http://gate/v1/sim/card; }
status_errors() { jctl status | python3 -c 'import json,sys
for r in json.load(sys.stdin)["readers"]:
    if r["name"] == sys.argv[1]: print(r["read_errors"][sys.argv[2]])' "$1" "$2"; }
read_error_rows() { jctl events --limit 50 | python3 -c 'import json,sys
print(sum(1 for e in json.load(sys.stdin)["events"] if e["kind"] == "read-error" and e.get("actor") == sys.argv[1]))' "$1"; }

start_gated || { fail "gated starts"; finish; }
pass "gated starts with two Wiegand readers"

out=$(wcard wg-in "$(frame 26 99 1001)")
check "26-bit card 99:1001: relay released" is_output door 1
check "26-bit card: granted to E1001" [ "$(echo "$out" | jget person)" = E1001 ]
check "26-bit card: journaled as card 1001" [ "$(echo "$out" | jget card)" = 1001 ]
check "relay closes" wait_for 4 is_output door 0
out=$(wcard wg-in "$(frame 34 40000 1002)")
check "34-bit card: granted to S1002" [ "$(echo "$out" | jget person)" = S1002 ]
out=$(wcard wg-in "$(frame 37 65535 1008)")
check "37-bit card: granted to E1008" [ "$(echo "$out" | jget person)" = E1008 ]
out=$(wcard wg-in "$(frame 37 1 500000)")
check "37-bit unknown card: denied unknown-card" [ "$(echo "$out" | jget reason)" = unknown-card ]

wait_for 4 is_output door 0
before=$(changes door)
out=$(wcard wg-in "$(frame 26 99 1001 5)")
check "parity error (a facility bit flipped): read_error parity" [ "$(echo "$out" | jget read_error)" = parity ]
out=$(wcard wg-in "$(frame 26 99 1001 25)")
check "parity error (odd parity bit): read_error parity" [ "$(echo "$out" | jget read_error)" = parity ]
cut=$(frame 26 99 1001 | cut -c1-20)
out=$(wcard wg-in "$cut")
check "cut frame (20 bits): read_error bit-count" [ "$(echo "$out" | jget read_error)" = bit-count ]
out=$(wcard wg-in "$(frame 26 99 1001)$(frame 26 99 1002)")
check "two frames run together (52 bits): read_error bit-count" [ "$(echo "$out" | jget read_error)" = bit-count ]
check "no read error opened the door" [ "$(changes door)" = "$before" ]
check "status: 2 parity errors on wg-in" [ "$(status_errors wg-in parity)" = 2 ]
check "status: 2 bit-count errors on wg-in" [ "$(status_errors wg-in bit-count)" = 2 ]
check "journal: one read-error row for the burst (rate-limited)" [ "$(read_error_rows wg-in)" = 1 ]
curl -s --unix-socket "$SOCK" http://gate/metrics >"$T/metrics"
check "metrics: parity errors by reader" grep -qx 'gated_read_errors_total{reader="wg-in",error="parity"} 2' "$T/metrics"
check "metrics: read-error events counted" grep -qx 'gated_events_total{kind="read-error"} 1' "$T/metrics"

out=$(wcard wg-out "$(frame 26 13 1001)")
check "wrong facility (13, reader wants 12): read_error facility" [ "$(echo "$out" | jget read_error)" = facility ]
check "wrong facility: journaled for wg-out" [ "$(read_error_rows wg-out)" = 1 ]
out=$(wcard wg-out "$(frame 34 12 1001)")
check "34 bits on a 26-bit reader: read_error bit-count" [ "$(echo "$out" | jget read_error)" = bit-count ]
out=$(wcard wg-out "$(frame 26 12 1001)")
check "right facility: granted out" [ "$(echo "$out" | jget verdict)" = granted ]
check "granted out: direction out" [ "$(echo "$out" | jget direction)" = out ]

code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -X POST -d '{"reader": "ped-in", "bits": "1010"}' http://gate/v1/sim/card)
check "bits on a USB reader: 400" [ "$code" = 400 ]
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -X POST -d '{"reader": "wg-in", "bits": "10a0"}' http://gate/v1/sim/card)
check "bits not 0/1: 400" [ "$code" = 400 ]

check "gated stops cleanly" stop_gated
finish
