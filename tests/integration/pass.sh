#!/bin/sh
# pass.sh: visitor passes through the real gatectl, the way an issuer and a
# guard use them; no gated, since a pass is checked offline.  keygen writes
# keys OpenSSL reads, a key from `openssl genpkey` signs too, pass new signs
# a pass that pass show verifies; an altered, truncated, lower-cased or
# re-signed pass is refused, and so is one outside its window; the visitor's
# name is not in the pass; local times follow TZ and refuse the hour a DST
# change skips or doubles; --png writes a PNG; the QR codes decode when
# zbarimg (Debian's zbar-tools) is there, else SKIP.
. "$(dirname "$0")/common.inc"

cd "$T" || exit 2
export TZ=Europe/Berlin
K=$T/campus.pem

# ok NAME COMMAND...: passes when the command succeeds, quietly.
ok() { name=$1; shift; if "$@" >"$T/out" 2>&1; then pass "$name"; else
	fail "$name"; sed 's/^/    /' "$T/out"; fi; }
# refused NAME COMMAND...: passes when it fails with exit 1.
refused() { name=$1; shift; "$@" >"$T/out" 2>&1; rc=$?
	if [ $rc -eq 1 ]; then pass "$name"; else
	fail "$name (exit $rc)"; sed 's/^/    /' "$T/out"; fi; }
# The bytes a pass carries (its base32 decoded), as hex.
payload_hex() { python3 -c 'import base64,sys
a="0123456789ABCDEFGHJKLMNPQRSTUVWX"; s="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
t=sys.argv[1][3:].translate(str.maketrans(a, s))
print(base64.b32decode(t + "=" * (-len(t) % 8)).hex())' "$1"; }

# --- keys ---
ok "pass keygen writes a key pair" \
    "$GATECTL" pass keygen --out "$K" --key-id campus-2026
line=$(grep '^campus-2026 ' "$T/out")
echo "$line" >"$T/keys"
check "the private key is mode 0600" \
    test "$(stat -c %a "$K")" = 600
ok "openssl reads the private key" openssl pkey -in "$K" -noout
ok "openssl reads the public key" openssl pkey -pubin -in "$K.pub" -noout
b64=$(openssl pkey -in "$K" -pubout -outform DER | tail -c 32 | base64)
check "the one-line form is the key openssl derives" \
    test "$line" = "campus-2026 $b64"
cp "$K" "$T/before"
refused "keygen never replaces a key" \
    "$GATECTL" pass keygen --out "$K" --key-id campus-2026
check "the key is unchanged" cmp -s "$K" "$T/before"

# --- a pass, signed and verified ---
new() { "$GATECTL" --json pass new --key "$K" --key-id campus-2026 \
    --name "Jane Doe" --zones teaching,library --uses 1 "$@"; }
jpass() { jget pass <"$T/new.json"; }
if new --from 2026-12-01T08:00 --until 2026-12-01T18:00 >"$T/new.json"
then
	pass "pass new signs a pass"
else
	fail "pass new signs a pass"
fi
P=$(jpass)
check "the pass is GP1 and digits and upper case" \
    sh -c 'printf %s "$1" | grep -qx "GP1[0-9A-HJ-NP-X]*"' - "$P"
check "local time is TZ's: 08:00 in Berlin is 07:00Z" \
    test "$(jget from <"$T/new.json")" = 2026-12-01T07:00:00Z
check "the visitor's name is printed (JSON)" \
    test "$(jget name <"$T/new.json")" = "Jane Doe"
name_hex=$(printf 'Jane' | od -An -tx1 | tr -d ' \n')
ph=$(payload_hex "$P")
case $ph in
"") fail "the pass decodes from its base32" ;;
*"$name_hex"*) fail "the visitor's name is not in the signed pass" ;;
*) pass "the visitor's name is not in the signed pass" ;;
esac
ok "pass show verifies it with the one-line key" \
    "$GATECTL" pass show "$P" --pubkey "$T/keys" --at 2026-12-01T12:00
check "pass show says the signature is good and valid" \
    grep -q 'signature of key campus-2026: good' "$T/out"
ok "pass show verifies it with the PEM public key" \
    "$GATECTL" pass show "$P" --pubkey "$K.pub" --key-id campus-2026 \
    --at 2026-12-01T08:00
check "uses 1 and both zones are shown" \
    sh -c 'grep -q "uses      1" "$1" && grep -q "teaching, library" "$1"' \
    - "$T/out"
refused "the second of until is expired" \
    "$GATECTL" pass show "$P" --pubkey "$T/keys" --at 2026-12-01T18:00
check "... and says so" grep -q ': expired' "$T/out"
refused "a second before from is not yet valid" \
    "$GATECTL" pass show "$P" --pubkey "$T/keys" --at 2026-12-01T07:59:59
check "... and says so" grep -q ': not yet valid' "$T/out"

# --- altered, truncated, forged ---
mid=$(( ${#P} / 2 ))
c=$(printf %s "$P" | cut -c$mid)
alt=$(printf %s "$P" | cut -c1-$((mid - 1)))$([ "$c" = 7 ] && echo 8 || echo 7)$(printf %s "$P" | cut -c$((mid + 1))-)
refused "one character changed: refused" \
    "$GATECTL" pass show "$alt" --pubkey "$T/keys" --at 2026-12-01T12:00
check "... as a bad signature or malformed" \
    grep -q 'bad signature\|malformed' "$T/out"
refused "truncated: refused" "$GATECTL" pass show \
    "$(printf %s "$P" | cut -c1-$((${#P} - 5)))" --pubkey "$T/keys"
refused "lower case: refused" "$GATECTL" pass show \
    "$(printf %s "$P" | tr A-Z a-z)" --pubkey "$T/keys"
openssl genpkey -algorithm ed25519 -out "$T/other.pem" 2>/dev/null
chmod 600 "$T/other.pem"
ok "a key from openssl genpkey signs" "$GATECTL" --json pass new \
    --key "$T/other.pem" --key-id campus-2026 --name Mallory \
    --zones teaching --from 2026-12-01T08:00 --until 2026-12-01T18:00
forged=$(jget pass <"$T/out")
refused "signed by another key under the same id: refused" \
    "$GATECTL" pass show "$forged" --pubkey "$T/keys" --at 2026-12-01T12:00
check "... as a bad signature" grep -q 'bad signature' "$T/out"
sed 's/^campus-2026 /campus-2025 /' "$T/keys" >"$T/old-keys"
refused "a key id not listed: refused" \
    "$GATECTL" pass show "$P" --pubkey "$T/old-keys" --at 2026-12-01T12:00
check "... naming the key" grep -q 'signed with key campus-2026' "$T/out"
ok "two keys, rotation: the one under the pass's id" \
    "$GATECTL" pass show "$P" --pubkey "$T/old-keys" --pubkey "$T/keys" \
    --at 2026-12-01T12:00

# --- times ---
"$GATECTL" pass new --key "$K" --key-id campus-2026 --name X --zones t \
    --from 2026-03-29T02:30 --until 2026-03-29T18:00 >"$T/out" 2>&1
check "02:30 on the spring-forward day does not exist: usage error" \
    sh -c '[ $1 -eq 2 ] && grep -q "does not exist" "$2"' - $? "$T/out"
"$GATECTL" pass new --key "$K" --key-id campus-2026 --name X --zones t \
    --from 2026-10-25T02:30 --until 2026-10-25T18:00 >"$T/out" 2>&1
check "02:30 on the fall-back day happens twice: usage error" \
    sh -c '[ $1 -eq 2 ] && grep -q "happens twice" "$2"' - $? "$T/out"
new --from 2026-10-25T02:30+01:00 --until 2026-10-25T18:00 \
    >"$T/new.json" 2>&1
check "... and with an offset it is the one meant" \
    test "$(jget from <"$T/new.json")" = 2026-10-25T01:30:00Z
"$GATECTL" pass new --key "$K" --key-id campus-2026 --name X --zones t \
    --from 2026-12-01T18:00 --until 2026-12-01T08:00 >"$T/out" 2>&1
check "a window that ends before it starts: usage error" test $? -eq 2

# --- QR codes ---
ok "pass new --png writes" "$GATECTL" pass new --key "$K" \
    --key-id campus-2026 --name "Jane Doe" --zones teaching \
    --from 2026-12-01T08:00 --until 2026-12-01T18:00 --png "$T/pass.png"
cp "$T/out" "$T/text.out"
P2=$(grep '^GP1' "$T/text.out")
check "the PNG starts with the PNG signature" \
    test "$(head -c 8 "$T/pass.png" | od -An -tx1 | tr -d ' \n')" = \
    89504e470d0a1a0a
if command -v file >/dev/null 2>&1; then
	check "file(1) calls it a PNG image" \
	    sh -c 'file -b "$1" | grep -q "^PNG image data"' - "$T/pass.png"
fi
check "the terminal shows a QR code of half blocks" \
    grep -q '█▀▀▀▀▀█' "$T/text.out"
if command -v zbarimg >/dev/null 2>&1; then
	check "zbarimg reads the pass from the PNG" \
	    test "$(zbarimg -q --raw "$T/pass.png")" = "$P2"
	# The terminal's half blocks back to pixels, 4 a module.
	python3 - "$T/text.out" "$T/term.pgm" <<'EOF'
import sys
rows = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")
        if set(l.strip("\n")) <= set(" \u2580\u2584\u2588") and l.strip()]
w = max(len(r) for r in rows)
rows = [""] * 2 + rows + [""] * 2	# the quiet zone above and below
bits = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}
px = []
for r in rows:
    r = r.ljust(w)
    for half in (0, 1):
        line = [0 if bits[c][half] else 255 for c in r for _ in range(4)]
        px += [line] * 4
with open(sys.argv[2], "wb") as f:
    f.write(b"P5 %d %d 255\n" % (len(px[0]), len(px)))
    for line in px:
        f.write(bytes(line))
EOF
	check "zbarimg reads the pass from the terminal's QR code" \
	    test "$(zbarimg -q --raw "$T/term.pgm")" = "$P2"
else
	echo "SKIP: QR codes not decoded: no zbarimg (Debian's zbar-tools)"
fi

finish
