# clock.sh: a clock the gate can trust.  An unsynchronised clock (the
# simulator's word, as a Pi without NTP) shows in status and /metrics and
# raises one 'clock' alert after clock-sync-timeout; a wall clock that
# jumps back (libfaketime, reading its offset from a file the test
# rewrites) never makes journal times go back, and the step is journaled.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/faketime.inc"

sed -i 's/^temperature-fresh = 3s/temperature-fresh = 3s\nclock-sync-timeout = 2s/' \
    "$T/gate.conf"
alerts_clock() {
	jctl status | python3 -c 'import json,sys
print(json.load(sys.stdin)["alert_counts"]["by_kind"].get("clock", 0))'
}
metric() {
	curl -s --unix-socket "$SOCK" http://gate/metrics | sed -n "s/^$1 //p"
}

start_gated || exit 1
ctl sim clock unsynced >/dev/null
st=$(jctl status)
check "unsynchronised: status says so" \
    [ "$(echo "$st" | jget clock.synced)/$(echo "$st" | jget clock.source)" = false/none ]
check "unsynchronised: gated_clock_synced 0" [ "$(metric gated_clock_synced)" = 0 ]
check "no alert before clock-sync-timeout" [ "$(alerts_clock)" = 0 ]
has_clock_alert() { [ "$(alerts_clock)" = 1 ]; }
check "after 2 s: the clock alert" wait_for 5 has_clock_alert
check "gatectl status says NOT synchronised" \
    sh -c 'echo "$1" | grep -q "^clock: *NOT synchronised"' _ "$(ctl status)"
check "decisions go on meanwhile" \
    [ "$(jctl sim card ped-in 1001 | jget reason)" = granted ]
sleep 1.5
check "still one clock alert, not one a tick" [ "$(alerts_clock)" = 1 ]
ctl sim clock synced >/dev/null
check "synchronised again: status" [ "$(jctl status | jget clock.synced)" = true ]
check "synchronised: gated_clock_synced 1" [ "$(metric gated_clock_synced)" = 1 ]
check "gated_clock_unsynced_seconds 0" \
    [ "$(metric gated_clock_unsynced_seconds)" = 0 ]
ctl sim clock real >/dev/null
check "the real clock's word again" \
    sh -c '[ "$(jctl status | jget clock.source)" != sim ]'
stop_gated

# A wall clock that steps back an hour, then forward a day.
need_faketime
echo "+0" >"$T/faketime"
export LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$T/faketime"
export FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1
start_gated || exit 1
unset LD_PRELOAD FAKETIME_TIMESTAMP_FILE FAKETIME_NO_CACHE \
    FAKETIME_DONT_FAKE_MONOTONIC
wait_for 5 is_output door 0
jctl sim card ped-in 1001 >/dev/null
before=$(jctl events --limit 1 | jget events.0.ts_ms)
echo "-3600" >"$T/faketime"
wait_for 5 is_output door 0
jctl sim card ped-in 1002 >/dev/null
ev=$(jctl events --limit 2)
check "an hour back: a clock row says so" \
    [ "$(echo "$ev" | jget events.0.kind)/$(echo "$ev" | jget events.0.reason)" = clock/clock-back ]
check "an hour back: the passage is not stamped before the last row" \
    [ "$(echo "$ev" | jget events.1.ts_ms)" -ge "$before" ]
check "an hour back: the passage is the person's" \
    [ "$(echo "$ev" | jget events.1.person)" = S1002 ]
echo "+86400" >"$T/faketime"
wait_for 5 is_output door 0
jctl sim card ped-in 1001 >/dev/null
after=$(jctl events --limit 1 | jget events.0.ts_ms)
check "a day forward: the stamp follows the clock" \
    [ "$after" -ge $((before + 86000000)) ]
ids=$(jctl events --limit 100 | python3 -c 'import json,sys
ev=json.load(sys.stdin)["events"]
print(all(a["ts_ms"] <= b["ts_ms"] for a, b in zip(ev, ev[1:])))')
check "every row's time is at or after the one before" [ "$ids" = True ]
stop_gated
finish
