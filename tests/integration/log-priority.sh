# log-priority.sh: under systemd, each line gated writes carries its syslog
# priority, so journald files warnings as warnings.  systemd marks the
# stream with JOURNAL_STREAM=device:inode; a file stands in for the stream
# here, named the same way.  Without the mark, lines stay plain.
. "$(dirname "$0")/common.inc"

log=$T/stream.log
: >"$log"
mark=$(stat -c '%d:%i' "$log")
# The socket's group 'gated' does not exist here: one warning at start.
JOURNAL_STREAM=$mark "$GATED" -f "$T/gate.conf" 2>>"$log" &
GATED_PID=$!
wait_for 5 ctl status >/dev/null 2>&1
ctl sim device therm-usb down >/dev/null 2>&1
stop_gated
check "a warning carries <4> (SD_WARNING)" grep -q '^<4>gated: .*group' "$log"
check "an info line carries <6> (SD_INFO)" grep -q '^<6>gated: gate test ready' "$log"
check "every line has a priority" sh -c "! grep -qv '^<[0-7]>gated: ' '$log'"
JOURNAL_STREAM=$mark "$GATED" -f "$T/missing.conf" 2>>"$log"
check "a fatal error carries <3> (SD_ERR)" grep -q '^<3>gated: ' "$log"

: >"$T/plain.log"
JOURNAL_STREAM=1:1 "$GATED" -f "$T/missing.conf" 2>"$T/plain.log"
check "another stream's mark: plain lines" grep -q '^gated: ' "$T/plain.log"
"$GATED" -f "$T/missing.conf" 2>"$T/plain.log"
check "no mark (a terminal): plain lines" grep -q '^gated: ' "$T/plain.log"
finish
