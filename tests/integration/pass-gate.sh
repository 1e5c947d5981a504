# pass-gate.sh: visitor passes at the gate.  gatectl issues them with a key
# the test makes; the gate, which holds only the public key, verifies what
# a QR scanner on a USB reader types (the simulator types it): a pass that
# works once and then is pass-used, across a restart; leaving is never
# refused by it; a forged, altered or foreign-key pass never opens; the
# window, the zone, and how a pass meets refuse-outsiders.
. "$(dirname "$0")/common.inc"

"$GATECTL" pass keygen --out "$T/campus.pem" --key-id campus-2026 \
    >"$T/keygen.out" 2>&1 || { echo "FAIL: keygen"; exit 1; }
"$GATECTL" pass keygen --out "$T/other.pem" --key-id campus-2026 \
    >/dev/null 2>&1
keyline=$(grep '^campus-2026 ' "$T/keygen.out")
sed -i "s|^temperature-fresh = 3s|temperature-fresh = 3s\npass-key = $keyline|" \
    "$T/gate.conf"
cat >>"$T/gate.conf" <<'CONF'

[level 5]
name = outsiders refused, passes admitted
mode = open
refuse-outsiders = yes
admit-passes = yes
CONF

now=$(date -u +%s)
at() { date -u -d "@$(( now + $1 ))" +%Y-%m-%dT%H:%MZ; }
# issue KEY FROM UNTIL ZONES [USES]: the pass's text.
issue() {
	"$GATECTL" --json pass new --key "$T/$1" --key-id campus-2026 \
	    --name "A Visitor" --zones "$4" --from "$(at "$2")" \
	    --until "$(at "$3")" --uses "${5:-0}" | jget pass
}
once=$(issue campus.pem -3600 3600 teaching 1)
any=$(issue campus.pem -3600 3600 teaching)
expired=$(issue campus.pem -7200 -3600 teaching)
future=$(issue campus.pem 3600 7200 teaching)
family=$(issue campus.pem -3600 3600 family)
foreign=$(issue other.pem -3600 3600 teaching)
# One character changed, in the middle of the signed part.
altered=$(echo "$any" | python3 -c 'import sys
s=sys.stdin.read().strip(); i=len(s)//2
print(s[:i] + ("A" if s[i] != "A" else "B") + s[i+1:])')
pass_of() { jctl sim pass "$1" "$2"; }
reason_of() { pass_of "$1" "$2" | jget reason; }
clear_lane() { wait_for 5 is_output door 0; }

start_gated || exit 1
out=$(pass_of ped-in "$once")
check "a pass for one use: granted" [ "$(echo "$out" | jget reason)" = granted ]
check "journaled as the pass, no name" \
    sh -c 'case "$1" in pass:????????????????) exit 0;; esac; exit 1' _ \
    "$(echo "$out" | jget person)"
check "a visitor's pass" [ "$(echo "$out" | jget category)" = visitor ]
check "the door opened" wait_for 3 is_output door 1
clear_lane
check "the same pass again: pass-used" [ "$(reason_of ped-in "$once")" = pass-used ]
check "a used pass still lets its holder out" \
    [ "$(reason_of ped-out "$once")" = granted ]
clear_lane
check "a pass without a use limit: again and again" \
    [ "$(reason_of ped-in "$any")/$(clear_lane; reason_of ped-in "$any")" = granted/granted ]
clear_lane
check "one character altered: pass-invalid" \
    [ "$(reason_of ped-in "$altered")" = pass-invalid ]
check "signed by a key the gate does not hold: pass-invalid" \
    [ "$(reason_of ped-in "$foreign")" = pass-invalid ]
check "not a pass at all: pass-invalid" \
    [ "$(reason_of ped-in GP1ABCDEF)" = pass-invalid ]
check "the door never opened for them" is_output door 0
check "expired: pass-expired" [ "$(reason_of ped-in "$expired")" = pass-expired ]
check "not yet valid: pass-not-yet-valid" \
    [ "$(reason_of ped-in "$future")" = pass-not-yet-valid ]
check "another zone: zone-not-allowed" \
    [ "$(reason_of ped-in "$family")" = zone-not-allowed ]
stop_gated

start_gated || exit 1
check "after a restart: the used pass is still used" \
    [ "$(reason_of ped-in "$once")" = pass-used ]
ctl level set 1 --reason "first-level response" >/dev/null
check "level 1 refuses outsiders: a pass too" \
    [ "$(reason_of ped-in "$any")" = outsider-refused ]
ctl level set 5 --reason "passes are the exception" >/dev/null
check "admit-passes: the pass is the exception" \
    [ "$(reason_of ped-in "$any")" = granted ]
clear_lane
check "admit-passes: a visitor's card is not" \
    [ "$(jctl sim card ped-in 1004 | jget reason)" = outsider-refused ]
check "a Wiegand or unknown reader is refused" \
    sh -c '! "$1" -s "$2" sim pass nowhere GP1AB >/dev/null 2>&1' _ \
    "$GATECTL" "$SOCK"
stop_gated
finish
