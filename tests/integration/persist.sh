# persist.sh: mode, level and unacknowledged alerts survive a restart; a
# reload with a bad people list or a bad config keeps the running state.
. "$(dirname "$0")/common.inc"

start_gated || { fail "gated starts"; finish; }
ctl level set 1 --reason "response" >/dev/null
ctl mode set staff-only --reason "manual" >/dev/null
ctl sim card ped-in 1005 >/dev/null          # quarantine alert
stop_gated
start_gated || { fail "gated restarts"; finish; }
check "level persisted across restart" [ "$(jctl status | jget level.number)" = 1 ]
check "manual mode persisted across restart" [ "$(jctl status | jget mode)" = staff-only ]
check "mode source is manual" [ "$(jctl status | jget mode_source)" = manual ]
check "unacknowledged alert persisted" [ "$(jctl status | jget alerts.0.kind)" = quarantine ]

# A change and the state it leaves are one commit: when the state cannot
# be written the change is refused whole, not journaled and then
# forgotten at the next start (issue 10, defect 13).
db=$T/state/journal.db
modes() { sqlite3 "$db" "SELECT count(*) FROM events WHERE kind IN ('mode', 'level')"; }
sqlite3 "$db" "CREATE TRIGGER no_state_i BEFORE INSERT ON state BEGIN SELECT RAISE(ABORT, 'test: state not writable'); END;
CREATE TRIGGER no_state_u BEFORE UPDATE ON state BEGIN SELECT RAISE(ABORT, 'test: state not writable'); END;"
n=$(modes)
out=$(ctl mode set open --reason "state fails" 2>&1); rc=$?
check "mode change refused when its state cannot be written ($out)" sh -c "[ $rc -ne 0 ] && echo '$out' | grep -q 'mode not changed'"
check "mode unchanged after the refusal" [ "$(jctl status | jget mode)" = staff-only ]
out=$(ctl level set 0 --reason "state fails" 2>&1); rc=$?
check "level change refused when its state cannot be written" [ $rc -ne 0 ]
check "level unchanged after the refusal" [ "$(jctl status | jget level.number)" = 1 ]
check "no mode or level event journaled for refused changes" [ "$(modes)" = "$n" ]
sqlite3 "$db" "DROP TRIGGER no_state_i; DROP TRIGGER no_state_u;"
check "mode change works again" sh -c "'$GATECTL' -s '$SOCK' mode set open --reason back >/dev/null"
stop_gated
start_gated || { fail "gated restarts"; finish; }
check "the mode journaled is the mode restored" [ "$(jctl status | jget mode)" = open ]
check "the level journaled is the level restored" [ "$(jctl status | jget level.number)" = 1 ]

# A bad people list: refused whole, old set kept, each bad row named.
cp "$T/people.csv" "$T/people.good"
printf '1010,X1,Bad Row,alien,teaching,teaching,2020-01-01,,\n1011,X2,Bad Date,staff,teaching,teaching,2020-13-01,,\n' >>"$T/people.csv"
out=$(ctl people reload 2>&1); rc=$?
check "bad people reload refused (exit 1)" [ $rc -eq 1 ]
check "error names file:line and the reason" sh -c "echo '$out' | grep -q 'people.csv:12:.*category'"
check "second bad row reported too" sh -c "echo '$out' | grep -q 'people.csv:13:'"
check "old people set kept" [ "$(jctl status | jget people.count)" = 9 ]
out=$("$GATED" -n -f "$T/gate.conf" 2>&1); rc=$?
check "gated -n checks the people list too (exit 1)" [ $rc -eq 1 ]
check "gated -n names the people file:line" sh -c "echo '$out' | grep -q 'people.csv:12:.*category'"
check "staff still admitted after the failed reload" sh -c "'$GATECTL' -s '$SOCK' --json sim card ped-in 1001 --temp 36.5 | grep -q '\"granted\"'"
cp "$T/people.good" "$T/people.csv"
echo '1010,E1010,New Staff,staff,teaching,teaching,2020-01-01,,' >>"$T/people.csv"
check "good people reload" ctl people reload
check "new person known after reload" [ "$(jctl status | jget people.count)" = 10 ]

# A bad config: SIGHUP and API reload keep the running config.
cp "$T/gate.conf" "$T/gate.good"
echo 'open-time = 4x' >>"$T/gate.conf"
out=$(ctl reload 2>&1); rc=$?
check "bad config reload refused" [ $rc -eq 1 ]
check "bad config error names file:line" sh -c "echo '$out' | grep -q 'gate.conf:[0-9]*:'"
kill -HUP "$GATED_PID"
check "gated survives SIGHUP with a bad config" sh -c "sleep 0.3; '$GATECTL' -s '$SOCK' status >/dev/null"
cp "$T/gate.good" "$T/gate.conf"
sed -i 's/^open-time = 2s$/open-time = 3s/' "$T/gate.conf"
check "good config reload" ctl reload
sed -i 's/^line = DOOR$/line = DOOR2/' "$T/gate.conf"
out=$(ctl reload 2>&1); rc=$?
check "reload that rewires lines is refused until restart" sh -c "[ $rc -eq 1 ] && echo '$out' | grep -q 'restart'"
stop_gated

# gated -n: every error with file:line.
printf '[gate]\nid = x\nbogus = 1\n[lane a]\nkind = tram\n' >"$T/bad.conf"
out=$("$GATED" -n -f "$T/bad.conf" 2>&1); rc=$?
check "gated -n on a bad config exits 1" [ $rc -eq 1 ]
check "gated -n names the unknown key with file:line" sh -c "echo '$out' | grep -q 'bad.conf:3:'"
check "gated -n names the bad value with file:line" sh -c "echo '$out' | grep -q 'bad.conf:5:'"
finish
