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
check "protocol mismatch: 400" [ "$(code -H 'X-Gated-Protocol: 9' http://gate/v1/status)" = 400 ]
head -c 70000 /dev/zero | tr '\0' 'a' >"$T/big"
check "oversized body: 413" [ "$(code --data-binary @"$T/big" http://gate/v1/mode)" = 413 ]
check "answers carry the protocol header" sh -c "curl -s -D - -o /dev/null --unix-socket '$SOCK' http://gate/v1/status | grep -qi '^X-Gated-Protocol: 1'"
check "socket mode is 0660" [ "$(stat -c %a "$SOCK")" = 660 ]
check "gated still answers after all that" ctl status
out=$("$GATECTL" -s "$T/nonexistent.sock" status 2>&1); rc=$?
check "gatectl: unreachable gate exits 3" [ $rc -eq 3 ]
check "gatectl: unreachable names the socket" sh -c "echo '$out' | grep -q nonexistent.sock"
"$GATECTL" -s "$SOCK" frobnicate >/dev/null 2>&1; rc=$?
check "gatectl: unknown command exits 2" [ $rc -eq 2 ]
stop_gated
finish
