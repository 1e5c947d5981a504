# schedule.sh: a level's mode by time on the gate's local clock, which
# the test sets with libfaketime (no waiting for real hours): a boundary
# switches the mode and is journaled as schedule:NAME, a hand-set mode
# ends at the next boundary, a boundary passed while gated was stopped is
# taken at start, a contractor outside working hours is refused, and the
# two daylight-saving days of Europe/Berlin.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/faketime.inc"
need_faketime

cat >>"$T/gate.conf" <<'CONF'

[schedule day]
window = daily 07:00-22:00

[schedule working]
window = mon-fri 08:00-18:00

[schedule spring]
window = daily 02:30-04:00

[schedule autumn]
window = daily 22:00-02:30

[level 5]
name = open by day
mode = open
schedule = day
mode-outside = closed
contractor-hours = working

[level 6]
mode = open
schedule = spring
mode-outside = closed

[level 7]
mode = open
schedule = autumn
mode-outside = closed
CONF
echo '1010,C1010,New Contractor,contractor,,teaching,2020-01-01,,' \
    >>"$T/people.csv"

mode_is() { [ "$(jctl status | jget mode)" = "$1" ]; }
reason_of() { jctl sim card "$1" "$2" | jget reason; }

# --- a boundary while running: 06:59:56 CET on Tuesday 2026-12-01 -------
fresh_state 5
start_at "2026-12-01 05:59:56 UTC" || exit 1
st=$(jctl status)
check "06:59 outside 'day': closed" [ "$(echo "$st" | jget mode)" = closed ]
check "status says the schedule set it" \
    [ "$(echo "$st" | jget mode_source)" = schedule ]
check "status: outside schedule day" \
    [ "$(echo "$st" | jget schedule.inside)" = false ]
check "06:59: a staff card is refused: gate-closed" \
    [ "$(reason_of ped-in 1001)" = gate-closed ]
check "07:00: the schedule opens the gate" wait_for 10 mode_is open
check "the switch is journaled as schedule:day" \
    sh -c "[ \"\$(echo \"\$1\" | tail -1)\" = 'schedule:day open' ]" _ \
    "$(events_of mode)"
check "07:00: a staff card is granted" [ "$(reason_of ped-in 1001)" = granted ]
check "07:00 Tuesday: a contractor is outside working hours" \
    [ "$(reason_of ped-in 1010)" = outside-schedule ]
check "a contractor outside hours may still leave" \
    [ "$(reason_of ped-out 1010)" = granted ]
ctl mode set pedestrian-only --reason "hand-set before the restart" \
    >/dev/null
check "a mode set by hand holds" \
    [ "$(jctl status | jget mode_source)" = manual ]
stop_gated

# --- the 22:00 boundary passed while gated was stopped ----------------------
start_at "2026-12-01 21:30:00 UTC" || exit 1
check "restart after 22:00: the schedule's mode, the hand-set one ended" \
    mode_is closed
check "restart: journaled as schedule:day" \
    sh -c "[ \"\$(echo \"\$1\" | tail -1)\" = 'schedule:day closed' ]" _ \
    "$(events_of mode)"
stop_gated

# --- a boundary ends a hand-set mode while running --------------------------
fresh_state 5
start_at "2026-12-01 20:59:57 UTC" || exit 1
ctl mode set pedestrian-only --reason "guard's choice for the evening" \
    >/dev/null
check "21:59: the hand-set mode" mode_is pedestrian-only
check "22:00: the boundary ends it: closed" wait_for 10 mode_is closed
check "22:00: mode_source is schedule again" \
    [ "$(jctl status | jget mode_source)" = schedule ]
stop_gated

# --- spring forward: 02:00 CET becomes 03:00 CEST; window 02:30-04:00 ------
fresh_state 6
start_at "2026-03-29 00:59:57 UTC" || exit 1
check "01:59 CET: outside 02:30-04:00" mode_is closed
check "the jump to 03:00 CEST passes 02:30: open" wait_for 10 mode_is open
stop_gated

# --- fall back: 02:00-02:59 happens twice; window 22:00-02:30 ---------------
fresh_state 7
start_at "2026-10-25 00:29:57 UTC" || exit 1
check "02:29 CEST (first pass): inside 22:00-02:30, open" mode_is open
check "02:30 CEST: closed" wait_for 10 mode_is closed
n=$(events_of mode | grep -c '^schedule:autumn')
stop_gated
start_at "2026-10-25 01:10:00 UTC" || exit 1
check "02:10 CET (second pass): stays closed" mode_is closed
sleep 2
check "the second pass switches nothing ($n schedule rows, then none)" \
    [ "$n" -ge 2 -a "$(events_of mode | grep -c '^schedule:autumn')" = "$n" ]
stop_gated

finish
