# api.sh: bad requests get a 4xx and a reason, never a crash.
. "$(dirname "$0")/common.inc"

start_gated || { fail "gated starts"; finish; }
code() { curl -s -o "$T/body" -w '%{http_code}' --unix-socket "$SOCK" "$@"; }
body_has() { grep -q "$1" "$T/body"; }

check "unknown path: 404" [ "$(code http://gate/v1/nope)" = 404 ]
check "404 names the route" body_has "no route"
check "wrong method: 405" [ "$(code -X DELETE http://gate/v1/mode)" = 405 ]
check "GET on a POST route: 405" [ "$(code http://gate/v1/mode)" = 405 ]
check "malformed JSON: 400" [ "$(code -d '{"mode":' http://gate/v1/mode)" = 400 ]
check "malformed JSON: reason says where" body_has "column"
check "JSON that is not an object: 400" [ "$(code -d '[1]' http://gate/v1/mode)" = 400 ]
check "missing reason: 400" [ "$(code -d '{"mode":"closed"}' http://gate/v1/mode)" = 400 ]
check "level not a number: 400" [ "$(code -d '{"level":"x","reason":"r"}' http://gate/v1/level)" = 400 ]
check "unknown lane: 404" [ "$(code -d '{"reason":"r"}' http://gate/v1/lanes/nolane/open)" = 404 ]
check "bad alert id: 400" [ "$(code -d '{}' http://gate/v1/alerts/abc/ack)" = 400 ]
check "unknown alert: 404" [ "$(code -d '{}' http://gate/v1/alerts/999/ack)" = 404 ]
check "bad limit: 400" [ "$(code 'http://gate/v1/events?limit=-1')" = 400 ]
check "bad report date: 400" [ "$(code 'http://gate/v1/report?from=yesterday')" = 400 ]
check "unknown reader: 404" [ "$(code -d '{"reader":"x","uid":"1"}' http://gate/v1/sim/card)" = 404 ]
check "bad uid: 400" [ "$(code -d '{"reader":"ped-in","uid":"12ab"}' http://gate/v1/sim/card)" = 400 ]
check "unknown device: 404" [ "$(code -d '{"name":"phantom","up":false}' http://gate/v1/sim/device)" = 404 ]
check "unknown device: the reason names it" body_has "no device 'phantom'"
check "unknown device: no phantom in status" sh -c "! '$GATECTL' -s '$SOCK' --json status | grep -q phantom"
check "a bound device: 200" [ "$(code -d '{"name":"therm-usb","up":true}' http://gate/v1/sim/device)" = 200 ]
# Defect 13 of issue 10: each of these was accepted or answered wrongly.
check "level 2^32+1 is not level 1: 400" [ "$(code -d '{"level":4294967297,"reason":"r"}' http://gate/v1/level)" = 400 ]
check "level 2^32+1 left the level alone" [ "$(jctl status | jget level.number)" = 0 ]
check "negative level: 400" [ "$(code -d '{"level":-1,"reason":"r"}' http://gate/v1/level)" = 400 ]
check "unknown level: 404" [ "$(code -d '{"level":99,"reason":"r"}' http://gate/v1/level)" = 404 ]
check "unknown mode: 404, as api.md says" [ "$(code -d '{"mode":"night","reason":"r"}' http://gate/v1/mode)" = 404 ]
check "unknown mode: the error names it" body_has "no mode 'night'"
check "protocol '1abc' is not version 1: 400" [ "$(code -H 'X-Gated-Protocol: 1abc' http://gate/v1/status)" = 400 ]
check "protocol '01x' is not version 1: 400" [ "$(code -H 'X-Gated-Protocol: 01x' http://gate/v1/status)" = 400 ]
check "protocol 1: 200" [ "$(code -H 'X-Gated-Protocol: 1' http://gate/v1/status)" = 200 ]
check "invalid UTF-8 in a path: 404" [ "$(code -d '{"reason":"r"}' http://gate/v1/lanes/%ff%fe/open)" = 404 ]
check "invalid UTF-8 in a path: the error is still there" body_has "no lane"
check "invalid UTF-8 in a route: the error is still there" sh -c "[ \"\$(curl -s -o '$T/body' -w '%{http_code}' --unix-socket '$SOCK' http://gate/v1/%c3%28)\" = 404 ] && grep -q 'no route' '$T/body'"
cp "$T/gate.conf" "$T/gate.conf.good"
printf '[gate]\nid = test\nbogus-key = 1\n' >>"$T/gate.conf"
check "bad config on reload: 422" [ "$(code -d '{}' http://gate/v1/reload)" = 422 ]
check "the 422 carries an errors array of file:line" python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert d["error"] and isinstance(d["errors"], list) and d["errors"]
assert all("gate.conf:" in e for e in d["errors"]), d' "$T/body"
cp "$T/gate.conf.good" "$T/gate.conf"

# Defect 10: reasons are one line of visible text, at most 200 bytes.
reason_code() { code -d "{\"mode\":\"open\",\"reason\":\"$1\"}" http://gate/v1/mode; }
check "a plain reason: 200" [ "$(reason_code 'night shift, per office')" = 200 ]
check "a reason in UTF-8: 200" [ "$(reason_code 'Nachtschicht für Büro')" = 200 ]
check "reason with a newline: 400" [ "$(reason_code 'a\nINFO forged')" = 400 ]
check "the 400 says why" body_has "control character"
check "reason with ESC: 400" [ "$(reason_code 'a\u001b[31mred')" = 400 ]
check "reason with BEL: 400" [ "$(reason_code 'a\u0007')" = 400 ]
check "reason with DEL: 400" [ "$(reason_code 'a\u007f')" = 400 ]
check "reason with a C1 control (CSI): 400" [ "$(reason_code 'a\u009b31m')" = 400 ]
check "reason with U+2028 (line separator): 400" [ "$(reason_code 'a\u2028b')" = 400 ]
check "reason with U+202E (right-to-left override): 400" [ "$(reason_code 'a\u202eb')" = 400 ]
check "whitespace-only reason: 400" [ "$(reason_code '   ')" = 400 ]
check "no-break-space-only reason: 400" [ "$(reason_code '\u00a0\u3000')" = 400 ]
check "the 400 says nothing is visible" body_has "nothing visible"
r200=$(head -c 200 /dev/zero | tr '\0' 'r'); r201=${r200}r
check "reason of 200 bytes: 200" [ "$(reason_code "$r200")" = 200 ]
check "reason of 201 bytes: 400" [ "$(reason_code "$r201")" = 400 ]
check "the 400 gives the limit" body_has "200 bytes"
check "level: bad reason 400" [ "$(code -d '{"level":0,"reason":"x\ny"}' http://gate/v1/level)" = 400 ]
check "open: bad reason 400" [ "$(code -d '{"reason":"\t"}' http://gate/v1/lanes/ped/open)" = 400 ]
check "ack: bad reason 400, checked before the alert" [ "$(code -d '{"reason":"x\u001b"}' http://gate/v1/alerts/999/ack)" = 400 ]
check "ack: empty reason still means none" [ "$(code -d '{"reason":""}' http://gate/v1/alerts/999/ack)" = 404 ]
check "no control character reached the log" sh -c "! grep -q \"\$(printf '\\033')\" '$T/gated.log' && ! grep -q '^INFO forged' '$T/gated.log'"
check "protocol mismatch: 400" [ "$(code -H 'X-Gated-Protocol: 9' http://gate/v1/status)" = 400 ]
head -c 70000 /dev/zero | tr '\0' 'a' >"$T/big"
check "oversized body: 413" [ "$(code --data-binary @"$T/big" http://gate/v1/mode)" = 413 ]
check "answers carry the protocol header" sh -c "curl -s -D - -o /dev/null --unix-socket '$SOCK' http://gate/v1/status | grep -qi '^X-Gated-Protocol: 1'"
check "socket mode is 0660" [ "$(stat -c %a "$SOCK")" = 660 ]
check "gated still answers after all that" ctl status
out=$("$GATECTL" -s "$T/nonexistent.sock" status 2>&1); rc=$?
# Text that reached the journal before reasons were checked (or by any
# other way) is escaped by gatectl: no raw ESC or BEL, one line per row.
sqlite3 "$T/state/journal.db" "INSERT INTO events (ts_ms, kind, actor, detail)
    VALUES (strftime('%s','now') * 1000, 'mode', 'old',
    'x' || char(10) || 'FORGED' || char(27) || ']0;pwned' || char(7))"
ctl events --limit 5 >"$T/events.txt" 2>&1
check "gatectl events: no raw ESC or BEL" python3 -c 'import sys
t = open(sys.argv[1], "rb").read()
assert b"\x1b" not in t and b"\x07" not in t, t' "$T/events.txt"
check "gatectl events: the newline is escaped, no forged line" sh -c "grep -q 'x.nFORGED.e]0;pwned.x07' '$T/events.txt' && ! grep -q '^FORGED' '$T/events.txt'"
check "gatectl: unreachable gate exits 3" [ $rc -eq 3 ]
check "gatectl: unreachable names the socket" sh -c "echo '$out' | grep -q nonexistent.sock"
"$GATECTL" -s "$SOCK" frobnicate >/dev/null 2>&1; rc=$?
check "gatectl: unknown command exits 2" [ $rc -eq 2 ]
stop_gated
finish
