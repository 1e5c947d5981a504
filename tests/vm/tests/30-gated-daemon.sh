#!/bin/sh
# 30-gated-daemon.sh: the real gated on the libgpiod backend, its lines on a
# gpio-sim chip (tests/vm/gate-vm.conf), driven the way the gate is: inputs
# through the simulator's pulls, cards through `gatectl sim card` (USB stays
# simulated), commands through gatectl.  Outputs are read from the
# simulator's values, so every check sees what the relays would see.  The
# same behaviours on the simulator backend: tests/integration/lanes.sh.
#
# Waiting: every wait polls a real signal with a bound (wait_ms): an output
# level, gatectl's answer, or gated's own debug line for a debounced input
# ("hw_input: NAME = V"), which is how a test knows gated has seen an input
# before it changes it again.  Where a check is that something does NOT
# happen for a while, hold_for polls it over that time on /proc/uptime.
#
# Run once per build of gated (libgpiod 1 and 2: tests/vm/run):
# vm-builds: all
. /tests/lib.sh

T=/tmp/gated-vm
SOCK=$T/state/control.sock
LOG=$T/gated.log
GATED_PID='' HOLD_PID='' SAMPLER_PID=''

cleanup() {
	for _p in $HOLD_PID $SAMPLER_PID $GATED_PID; do
		kill -9 "$_p" 2>/dev/null
	done
	wait 2>/dev/null
	sim_chip_free gated
}
trap cleanup EXIT
trap 'exit 1' INT TERM		# /init's timeout: clean up all the same

# The chip's lines, in offset order, as gate-vm.conf names them.
OUTPUTS="door barrier-up barrier-down lamp-green lamp-red lamp-amber buzzer
    spare-high spare-high-low"
if ! sim_chip_new gated gated-sim VM_DOOR VM_BARRIER_UP VM_BARRIER_DOWN \
    VM_LAMP_GREEN VM_LAMP_RED VM_LAMP_AMBER VM_BUZZER VM_SPARE_HIGH \
    VM_SPARE_HIGH_LOW VM_DOOR_CONTACT VM_EXIT_BUTTON VM_GUARD_OPEN_PED \
    VM_GUARD_OPEN_CAR VM_LOOP VM_FIRE VM_GUARD_LOCK VM_GUARD_ACK; then
	vm_fail "gated: cannot create the gpio-sim chip"
	exit 1
fi
if ! command -v gated >/dev/null || ! command -v gatectl >/dev/null; then
	vm_skip "gated: build/gated or build/gatectl did not build"
	exit 0
fi

# line_of NAME: offset, active-low and safe value of a config line.
line_of() {
	case $1 in
	door)		echo 0 1 0 ;;
	barrier-up)	echo 1 0 0 ;;
	barrier-down)	echo 2 0 0 ;;
	lamp-green)	echo 3 0 0 ;;
	lamp-red)	echo 4 0 0 ;;
	lamp-amber)	echo 5 1 0 ;;
	buzzer)		echo 6 0 0 ;;
	spare-high)	echo 7 0 1 ;;
	spare-high-low)	echo 8 1 1 ;;
	door-contact)	echo 9 0 0 ;;
	exit-button)	echo 10 1 0 ;;
	guard-open-ped)	echo 11 1 0 ;;
	guard-open-car)	echo 12 1 0 ;;
	loop)		echo 13 0 0 ;;
	fire-alarm)	echo 14 1 0 ;;
	guard-lock)	echo 15 1 0 ;;
	guard-ack)	echo 16 1 0 ;;
	*)		echo "line_of: $1?" >&2; echo 99 0 0 ;;
	esac
}

# out_is NAME V: the output's logical value (active-low applied) is V.
out_is() {
	# shellcheck disable=SC2046 # the words are meant to split
	set -- $(line_of "$1") "$2"
	[ "$(( $(sim_value "$1") ^ $2 ))" = "$4" ]
}
# out_safe NAME: the output is at its safe value.
out_safe() {
	# shellcheck disable=SC2046 # the words are meant to split
	set -- $(line_of "$1")
	[ "$(( $(sim_value "$1") ^ $2 ))" = "$3" ]
}
# pull_unsafe NAME: sets the output's pull to the level that is NOT safe,
# so only a driven line reads safe.
pull_unsafe() {
	# shellcheck disable=SC2046 # the words are meant to split
	set -- $(line_of "$1")
	if [ "$(( $2 ^ $3 ))" = 1 ]; then
		sim_pull "$1" down
	else
		sim_pull "$1" up
	fi
}
# input NAME V: drives an input to logical V through its pull.
input() {
	# shellcheck disable=SC2046 # the words are meant to split
	set -- $(line_of "$1") "$2"
	if [ "$(( $2 ^ $4 ))" = 1 ]; then
		sim_pull "$1" up
	else
		sim_pull "$1" down
	fi
}
# seen NAME V N: gated has reported input NAME at V at least N times.
seen() {
	[ "$(grep -c "hw_input: $1 = $2\$" "$LOG")" -ge "$3" ]
}
seen_count() {
	grep -c "hw_input: $1 = $2\$" "$LOG"
}
# set_input NAME V: drives an input and waits until gated has taken it.
set_input() {
	_n=$(($(seen_count "$1" "$2") + 1))
	input "$1" "$2"
	wait_ms 3000 seen "$1" "$2" "$_n"
}
# press NAME: a clean press and release of a button.
press() {
	set_input "$1" 1 && set_input "$1" 0
}

# now_ms: the guest's uptime in ms (10 ms steps).
now_ms() {
	read -r _up _rest </proc/uptime
	_c=${_up#*.}
	echo $(( ${_up%.*} * 1000 + ${_c#0} * 10 ))
}
# wait_ms MS CMD...: polls CMD until it succeeds (0) or MS ms of uptime
# have gone by (1).  Like vm_wait, but on the clock: a poll that runs
# gatectl takes longer than vm_wait's 10 ms per round under the emulator.
wait_ms() {
	_wend=$(( $(now_ms) + $1 )); shift
	while ! "$@" 2>/dev/null; do
		[ "$(now_ms)" -ge "$_wend" ] && return 1
		usleep 10000
	done
	return 0
}
# hold_for MS CMD...: CMD keeps succeeding for MS ms.
hold_for() {
	_hend=$(( $(now_ms) + $1 )); shift
	while [ "$(now_ms)" -lt "$_hend" ]; do
		"$@" || return 1
		usleep 10000
	done
	"$@"
}

not() { ! "$@"; }
# between V LO HI: LO <= V <= HI.
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

ctl() { gatectl -s "$SOCK" "$@"; }
# status_has TEXT...: `gatectl --json status` has a line that is "  TEXT"
# (a member of the status itself), for each TEXT.
status_has() {
	ctl --json status >"$T/status" || return 1
	for _t in "$@"; do
		grep -q "^  $_t,\{0,1\}\$" "$T/status" || return 1
	done
}
# alerts_are KIND N: N active alerts of KIND.
alerts_are() {
	[ "$(ctl --json status | grep -c "\"kind\": \"$1\"")" = "$2" ]
}
alerts_none() { status_has '"alerts": \[\]'; }
# events KIND ACTOR: how many journaled events of KIND by ACTOR.
events() {
	ctl --json events --limit 1000 | awk -v k="\"kind\": \"$1\"" \
	    -v a="\"actor\": \"$2\"" 'BEGIN { RS = "}" }
	    index($0, k) && index($0, a) { n++ } END { print n + 0 }'
}
lane_state() {
	ctl --json status | tr -d ' \n' |
	    grep -q "\"name\":\"$1\",\"kind\":\"[a-z]*\",\"state\":\"$2\""
}
card() { ctl sim card "$@" | grep -q '^granted'; }
barrier_up() { out_is barrier-up 1 && out_is barrier-down 0; }
barrier_lowering() { out_is barrier-up 0 && out_is barrier-down 1; }
# red_blinks: the red lamp goes on, off and on again.
red_blinks() {
	wait_ms 2000 out_is lamp-red 1 && wait_ms 2000 out_is lamp-red 0 &&
	    wait_ms 2000 out_is lamp-red 1
}
# bounce NAME V: a bouncing contact, five flips each way within a few ms,
# settling at logical V.  Writes the pull directly: no fork per flip.
bounce() {
	# shellcheck disable=SC2046 # the words are meant to split
	set -- $(line_of "$1") "$2"
	_f=$SIM_SYSFS/sim_gpio$1/pull
	if [ "$2" = 1 ]; then _on=pull-down _off=pull-up
	else _on=pull-up _off=pull-down; fi
	for _i in 1 2 3 4 5; do
		echo "$_on" >"$_f"
		echo "$_off" >"$_f"
	done
	if [ "$4" = 1 ]; then echo "$_on" >"$_f"; else echo "$_off" >"$_f"; fi
}

# ---- start: safe values from the first moment ------------------------------

# Before gated: every input at rest; every output's pull at its unsafe
# level, except the door's, which is pulled to its safe level the way its
# relay board holds it off (the board's own safety, docs/safety.md).  An
# output that reads safe once gated runs was driven there by its request.
for o in $OUTPUTS; do
	[ "$o" = door ] || pull_unsafe "$o"
done
# shellcheck disable=SC2046
set -- $(line_of door)
sim_pull "$1" up			# active-low: high is off
for i in door-contact exit-button guard-open-ped guard-open-car loop \
    fire-alarm guard-lock guard-ack; do
	input "$i" 0
done
n=0
for o in $OUTPUTS; do
	[ "$o" = door ] || out_safe "$o" || n=$((n + 1))
done
vm_check "gated: before start every output but the door reads its unsafe pull" \
    [ "$n" = 8 ]

# A fresh state directory: this script runs once per build of gated in the
# same VM, and the journal and alerts of the one before must not count.
rm -rf "$T"
mkdir -p "$T"
cp /tests/gate-vm.conf /tests/people.csv "$T/"
rm -f "$T/stop"

# A sampler watches the door relay (which must never be seen released) and
# spare-high (safe 1, pulled to 0: it must be seen going to 1) from before
# gated starts until it answers.  It reads with shell builtins only, so it
# samples often; spare-high's change is the proof it was running across the
# requests.  A glitch shorter than its period could still slip by: the
# request itself carries the initial value, which is what the other checks
# prove.
sampler() {
	_p='' _k=0
	while [ ! -e "$T/stop" ]; do
		read -r _d <"$SIM_SYSFS/sim_gpio0/value"
		read -r _h <"$SIM_SYSFS/sim_gpio7/value"
		if [ "$_d$_h" != "$_p" ]; then
			echo "$_d$_h"
			_p=$_d$_h
		fi
		_k=$((_k + 1))
	done
	echo "samples $_k"
}
sampler >"$T/samples" &
SAMPLER_PID=$!
wait_ms 3000 test -s "$T/samples"

t0=$(now_ms)
gated -d -f "$T/gate-vm.conf" >"$LOG" 2>&1 &
GATED_PID=$!
# alive PID: running, not a zombie waiting to be reaped.
alive() {
	[ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}
# wait_ready MS: until gated answers (0), or it died or MS ms passed (1).
wait_ready() {
	_wend=$(( $(now_ms) + $1 ))
	until ctl status >/dev/null 2>&1; do
		alive "$GATED_PID" && [ "$(now_ms)" -lt "$_wend" ] || return 1
		usleep 20000
	done
}
if ! wait_ready 20000; then
	vm_fail "gated: starts on gpiod and answers gatectl status"
	sed 's/^/gated.log: /' "$LOG"
	exit 1
fi
vm_pass "gated: starts on gpiod and answers gatectl status" \
    "($(( $(now_ms) - t0 )) ms)"
touch "$T/stop"
wait "$SAMPLER_PID"
SAMPLER_PID=
vm_check "gated: status says gpio backend gpiod" \
    status_has '  "gpio": "gpiod"' '  "usb": "sim"'
for o in $OUTPUTS; do
	vm_check "gated: $o at its safe value after start" out_safe "$o"
done
vm_check "gated: the door relay never seen released during start ($(tail -n 1 \
    "$T/samples"))" not grep -q '^0' "$T/samples"
sampler_saw_request() {
	[ "$(head -n 1 "$T/samples")" = 10 ] && grep -qx 11 "$T/samples"
}
vm_check "gated: the sampler saw spare-high go from its pull 0 to its safe 1" \
    sampler_saw_request

# ---- the grant pulse -------------------------------------------------------

t0=$(now_ms)
vm_check "grant: card 1001 at ped-in is granted" card ped-in 1001
vm_check "grant: the door relay is released" out_is door 1
vm_check "grant: the green lamp is on" out_is lamp-green 1
vm_check "grant: still released at half the open-time (1 s)" \
    hold_for $(( t0 + 1000 - $(now_ms) )) out_is door 1
wait_ms 4000 out_is door 0
dt=$(( $(now_ms) - t0 ))
vm_check "grant: the relay locks after the open-time, 2 s ($dt ms)" \
    between "$dt" 1950 3500
vm_check "grant: the green lamp goes off with it" \
    wait_ms 1000 out_is lamp-green 0

# ---- one grant, one passage: the door contact ends the pulse ---------------

t0=$(now_ms)
card ped-in 1001
vm_check "contact: granted again, door released" out_is door 1
vm_check "contact: gated sees the door open" set_input door-contact 1
vm_check "contact: gated sees it closed" set_input door-contact 0
vm_check "contact: the relay locks before the open-time" \
    wait_ms 1000 out_is door 0
dt=$(( $(now_ms) - t0 ))
vm_check "contact: locked $dt ms after the card, under 2 s" [ "$dt" -lt 1900 ]
vm_check "contact: a granted opening is not forced" alerts_are door-forced 0

# ---- forced and held-open doors, the acknowledge button --------------------

set_input door-contact 1
vm_check "forced: door opened without a grant raises door-forced" \
    wait_ms 2000 alerts_are door-forced 1
vm_check "held-open: open past held-open (1 s) raises door-held-open" \
    wait_ms 3000 alerts_are door-held-open 1
set_input door-contact 0
vm_check "alerts: the red lamp blinks" red_blinks
vm_check "ack button: a press acknowledges every alert" press guard-ack
vm_check "ack button: no alert left" wait_ms 2000 alerts_none
vm_check "ack button: red lamp off" wait_ms 2000 out_is lamp-red 0
vm_check "ack button: buzzer off" wait_ms 2000 out_is buzzer 0
vm_check "ack button: both acknowledgements journaled by the button" \
    [ "$(events ack guard-ack)" = 2 ]

# ---- debounce and the guard's open-once button -----------------------------

# A bouncing contact: five flips each way within a few ms, ending closed,
# then held; then released with a bounce of its own.  guard-open-ped is
# debounced 100 ms, so the train is one press: one override, one event.
ctl mode set closed --reason "open-once works when closed" >/dev/null
t1=$(now_ms)
bounce guard-open-ped 1
bounced=$(( $(now_ms) - t1 ))
vm_check "guard open: the bouncing press opens the closed gate" \
    wait_ms 3000 out_is door 1
wait_ms 2000 seen guard-open-ped 1 1
t1=$(now_ms)
bounce guard-open-ped 0
bounced2=$(( $(now_ms) - t1 ))
wait_ms 2000 seen guard-open-ped 0 1
vm_check "guard open: the relay locks after the open-time" \
    wait_ms 4000 out_is door 0
if [ "$bounced" -le 60 ] && [ "$bounced2" -le 60 ]; then
	vm_check "debounce: 11 flips in $bounced ms, 11 in $bounced2 ms: one press" \
	    [ "$(seen_count guard-open-ped 1)" = 1 ]
	vm_check "debounce: one override event" \
	    [ "$(events override guard-open-ped)" = 1 ]
else
	vm_skip "debounce: flips took $bounced and $bounced2 ms, too slow for" \
	    "a bounce (emulator)"
fi
vm_check "guard open: journaled as an override by the button" \
    [ "$(events override guard-open-ped)" -ge 1 ]

# ---- lock and unlock -------------------------------------------------------

ctl mode set open --reason test >/dev/null
press guard-lock
vm_check "lock button: mode closed and locked" \
    status_has '"mode": "closed"' '"locked": true'
vm_check "lock button: a card is refused" not card ped-in 1001
vm_check "lock button: the door stays locked" out_is door 0
press guard-lock
vm_check "lock button again: back to open, unlocked" \
    status_has '"mode": "open"' '"locked": false'
vm_check "lock button: both changes journaled by the button" \
    [ "$(events mode guard-lock)" = 2 ]

# ---- the barrier interlock -------------------------------------------------

set_input loop 1
vm_check "barrier: card 1001 at car-in with a car on the loop" \
    card car-in 1001
vm_check "barrier: raised" barrier_up
ctl mode set closed --reason "closing with a car under the arm" >/dev/null
vm_check "barrier: mode closed, loop occupied: stays up past open-time" \
    hold_for 700 barrier_up
ctl level set 3 --reason "lockdown with a car under the arm" >/dev/null
vm_check "barrier: level 3 (closed), loop occupied: stays up" \
    hold_for 300 barrier_up
ctl open car --reason "command while occupied" >/dev/null
t0=$(now_ms)
vm_check "barrier: gatectl open, loop occupied: stays up past open-time" \
    hold_for 700 barrier_up
vm_check "barrier: close-timeout (2 s) passes, loop occupied: stays up" \
    hold_for $(( t0 + 2500 - $(now_ms) )) barrier_up
vm_check "barrier: status says up-occupied" lane_state car up-occupied
set_input loop 0
vm_check "barrier: loop clear after the car: lowers" \
    wait_ms 2000 barrier_lowering
vm_check "barrier: lower relay released after the arm's travel" \
    wait_ms 4000 out_is barrier-down 0
vm_check "barrier: status says down" lane_state car down

# Reversal: the loop becomes occupied while the arm comes down.
ctl level set 0 --reason test >/dev/null
card car-in 1001
vm_check "reversal: barrier raised for a card" barrier_up
ctl mode set closed --reason "lower now" >/dev/null
vm_check "reversal: lowering once open-time is over" \
    wait_ms 3000 barrier_lowering
input loop 1
vm_check "reversal: loop occupied while lowering: raised again at once" \
    wait_ms 1000 barrier_up
wait_ms 2000 seen loop 1 2
vm_check "reversal: stays up while occupied" hold_for 500 barrier_up
set_input loop 0
vm_check "reversal: lowers once the loop is clear" \
    wait_ms 2000 barrier_lowering

# No vehicle: up for close-timeout, then down with the loop clear.  The arm
# is still on its way down (2 s of travel): the card must raise it all the
# same, and the next scenarios start the same way, which saves the waits.
ctl mode set open --reason test >/dev/null
t0=$(now_ms)
card car-in 1001
vm_check "timeout: no vehicle, still up at 1.5 s" \
    hold_for $(( t0 + 1500 - $(now_ms) )) barrier_up
vm_check "timeout: lowers after close-timeout with the loop clear" \
    wait_ms 3000 barrier_lowering
dt=$(( $(now_ms) - t0 ))
vm_check "timeout: lowered $dt ms after the card, at close-timeout 2 s" \
    between "$dt" 1950 3500

# ---- the emergency input wins ----------------------------------------------

fire_held() { out_is door 1 && barrier_up; }
ctl level set 3 --reason lockdown >/dev/null
t0=$(now_ms)
set_input fire-alarm 1
vm_check "fire: door released in lockdown" wait_ms 1000 out_is door 1
vm_check "fire: barrier raised in lockdown" wait_ms 1000 barrier_up
vm_check "fire: emergency alert" alerts_are emergency 1
vm_check "fire: status says emergency, level 3, mode closed" \
    status_has '"emergency": true' '"mode": "closed"'
vm_check "fire: a card is refused (closed) and the door stays released" \
    not card ped-in 1001
vm_check "fire: door and barrier held past every open-time" \
    hold_for $(( t0 + 2500 - $(now_ms) )) fire_held
set_input fire-alarm 0
vm_check "fire cleared: door locks" wait_ms 1000 out_is door 0
vm_check "fire cleared: barrier lowers, the loop being clear" \
    wait_ms 2000 barrier_lowering
vm_check "fire cleared: status says no emergency" \
    status_has '"emergency": false'
vm_check "fire: start and end journaled" \
    [ "$(events emergency fire-alarm)" = 2 ]
press guard-ack

# ---- SIGTERM: every output safe before gated lets go -----------------------

# A released gpio-sim line snaps back to its pull, so after gated exits the
# simulator shows pulls, not what gated left; sampling while it exits would
# race the few microseconds between its last set and its release on a
# one-CPU guest.  So hold-lines takes references to gated's output requests
# (pidfd_getfd): gated's exit then drops only its own, and the lines stay
# requested at the last level gated set, as a Pi pin keeps its level.  Every
# pull is set to the unsafe level first, so a safe reading is gated's doing;
# when hold-lines ends, the lines snap to those pulls, which shows the
# reading was not of pulls.
ctl level set 0 --reason test >/dev/null
set_input fire-alarm 1
card ped-in 1001
active_before() {
	not out_safe door && not out_safe barrier-up && not out_safe lamp-green
}
vm_check "sigterm: before it, door, barrier-up and green lamp are active" \
    active_before
for o in $OUTPUTS; do
	pull_unsafe "$o"
done
hold-lines "$GATED_PID" >"$T/held" 2>&1 &
HOLD_PID=$!
vm_check "sigterm: hold-lines holds gated's 9 output lines" \
    wait_ms 3000 grep -qx "HELD 9" "$T/held"
kill -TERM "$GATED_PID"
vm_check "sigterm: gated stops" wait_ms 5000 grep -q "stopped\$" "$LOG"
wait "$GATED_PID"
rc=$?
GATED_PID=
vm_check "sigterm: gated exits 0" [ "$rc" = 0 ]
for o in $OUTPUTS; do
	vm_check "sigterm: $o left at its safe value" out_safe "$o"
done
kill -TERM "$HOLD_PID"
wait "$HOLD_PID"
HOLD_PID=
n=0
for o in $OUTPUTS; do
	out_safe "$o" || n=$((n + 1))
done
vm_check "sigterm: released, all 9 lines snap to their unsafe pulls" \
    [ "$n" = 9 ]

if [ "$VM_FAILED" != 0 ]; then
	sed 's/^/gated.log: /' "$LOG" | tail -n 60
fi
vm_done
