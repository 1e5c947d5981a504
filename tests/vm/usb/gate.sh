# gate.sh: the USB gate of the VM tests, sourced by tests/vm/tests/20-usb-*.sh
# after /tests/lib.sh.  usb_gadgets_up builds the hardware: udevd, a
# gpio-sim chip with the door relay line, the card reader (a HID keyboard
# gadget on dummy_udc.0) and the thermometer (a FunctionFS gadget on
# dummy_udc.1, fed by ffs-therm); gated_start runs the real gated on
# /tests/gate-usb.conf with the gpiod and libusb backends.  usb_gate_down
# takes it all away again.

. /tests/usb/gadget.sh

KBD=wedge KBD_UDC=dummy_udc.0 KBD_VID=ffff KBD_PID=0035
THERM=therm THERM_UDC=dummy_udc.1 THERM_VID=1209 THERM_PID=0001
GATE_DIR=/tmp/usb-gate
SOCK=$GATE_DIR/state/control.sock
GATED_PID= GATED_RC= THERM_PID_=

ctl() { gatectl -s "$SOCK" "$@"; }

# usb_wait SECONDS CMD...: like vm_wait, but bounded by the clock rather
# than by the sum of its sleeps: under TCG one gatectl call takes a good
# part of a second, and a wait counting only sleeps would last minutes.
usb_wait() {
	_until=$(awk -v s="$1" '{ printf "%d", ($1 + s) * 100 }' /proc/uptime)
	shift
	while ! "$@" 2>/dev/null; do
		[ "$(awk '{ printf "%d", $1 * 100 }' /proc/uptime)" -lt \
		    "$_until" ] || return 1
		usleep 10000
	done
}
# log_count TEXT: how many lines of gated's log contain TEXT; cheaper
# than asking gated when a loop waits for it.
log_count() {
	grep -c "$1" "$GATE_DIR/gated.log"
}
log_count_is() {
	[ "$(log_count "$1")" -eq "$2" ]
}

# The journal's events after ID, one compact JSON object a line.
events_after() {
	ctl --json events --after "$1" --limit 1000 | tr -d ' \n' |
	    sed 's/^{"events":\[//; s/\],"last_id".*//; s/},{/}\n{/g'
}
# The journal's newest event id.
last_event() {
	status_json | sed -n 's/.*"journal":{[^}]*"last_id":\([0-9]*\).*/\1/p'
}
# A passage of CARD after event ID with this verdict (and reason).
passage_after() {
	events_after "$1" | grep '"kind":"passage"' | grep "\"card\":\"$2\"" |
	    grep "\"verdict\":\"$3\"" | grep -q "\"reason\":\"${4:-$3}\""
}
status_json() { ctl --json status | tr -d ' \n'; }
# device_is NAME true|false: what the daemon believes of a device.
device_is() {
	status_json | grep -q "{\"name\":\"$1\",\"up\":$2,"
}
# alert_active KIND [DETAIL]: an active alert of KIND whose detail starts
# with DETAIL.
alert_active() {
	status_json | sed 's/.*"alerts":\[//; s/\].*//; s/},{/}\n{/g' |
	    grep "\"kind\":\"$1\"" |
	    grep -q "\"detail\":\"$(echo "${2:-}" | tr -d ' ')"
}
# The latency histogram as "LE_US COUNT" lines (LE_US -1: the last bucket).
latency_buckets() {
	status_json | sed 's/.*"latency":{//' |
	    grep -o '"le_us":-*[0-9]*,"count":[0-9]*' |
	    sed 's/"le_us":\(-*[0-9]*\),"count":\([0-9]*\)/\1 \2/'
}
# latency_count_ge N: for usb_wait, until N cards have been timed.
latency_count_ge() {
	[ "$(latency_buckets | awk '{ s += $2 } END { print s }')" -ge "$1" ]
}
gated_fds() { ls "/proc/$GATED_PID/fd" | wc -l; }
gated_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$GATED_PID/status"; }

# therm_send LINE: streams one line from the thermometer and waits until
# the host has read it.
therm_send() {
	_n=$(grep -c '^SENT ' /tmp/ffs-therm.log)
	echo "$1" >&3
	usb_wait 5 sh -c "[ \$(grep -c '^SENT ' /tmp/ffs-therm.log) -gt $_n ]"
}
# card NUMBER: the reader types it; returns once the host has read it all.
card() {
	timeout 10 hid-type "$KBD_DEV" "$1"
}

# usb_gadgets_up: udevd, the chip and both gadgets, plugged in.
usb_gadgets_up() {
	udevd_start || { vm_fail "usb: systemd-udevd does not start"; return 1; }
	sim_chip_new usbgate usb-gate-sim vm-usb-door ||
	    { vm_fail "usb: gpio-sim chip"; return 1; }
	kbd_gadget_new "$KBD" "$KBD_VID" "$KBD_PID" VM0001 &&
	    gadget_plug "$KBD" "$KBD_UDC" &&
	    vm_wait 5000 udc_state_is "$KBD_UDC" configured ||
	    { vm_fail "usb: keyboard gadget"; return 1; }
	ffs_gadget_new "$THERM" "$THERM_VID" "$THERM_PID" VM0002 ||
	    { vm_fail "usb: thermometer gadget"; return 1; }
	rm -f /tmp/ffs-therm.in /tmp/ffs-therm.log
	mkfifo /tmp/ffs-therm.in
	ffs-therm "$FFS_DIR" </tmp/ffs-therm.in >/tmp/ffs-therm.log 2>&1 &
	THERM_PID_=$!
	# Read-write: opening a FIFO so never blocks, even if ffs-therm died.
	exec 3<>/tmp/ffs-therm.in
	vm_wait_line /tmp/ffs-therm.log READY 5000 &&
	    gadget_plug "$THERM" "$THERM_UDC" &&
	    vm_wait 5000 udc_state_is "$THERM_UDC" configured ||
	    { vm_fail "usb: thermometer gadget"; return 1; }
}

# gated_start: the daemon on a fresh state directory, once it answers and
# has opened both devices.
gated_start() {
	rm -rf "$GATE_DIR"
	mkdir -p "$GATE_DIR"
	cp /tests/gate-usb.conf /tests/usb/people.csv "$GATE_DIR/"
	gated -d -f "$GATE_DIR/gate-usb.conf" >"$GATE_DIR/gated.log" 2>&1 &
	GATED_PID=$!
	if ! usb_wait 10 ctl status >/dev/null; then
		vm_fail "usb: gated does not answer"
		cat "$GATE_DIR/gated.log"
		return 1
	fi
	if ! usb_wait 5 device_is "$KBD" true ||
	    ! usb_wait 5 device_is therm-usb true; then
		vm_fail "usb: gated does not have both devices"
		cat "$GATE_DIR/gated.log"
		return 1
	fi
}

# gated_stop: SIGTERM and its exit status in GATED_RC (0 expected).
gated_stop() {
	[ -n "$GATED_PID" ] || return 0
	kill -TERM "$GATED_PID" 2>/dev/null
	wait "$GATED_PID"
	GATED_RC=$?
	GATED_PID=
}

# usb_gate_down: stops gated and removes the gadgets and the chip.
usb_gate_down() {
	gated_stop
	[ -n "$THERM_PID_" ] && kill "$THERM_PID_" 2>/dev/null
	exec 3>&-
	[ -n "$THERM_PID_" ] && wait "$THERM_PID_" 2>/dev/null
	THERM_PID_=
	gadget_free "$KBD"
	gadget_free "$THERM"
	sim_chip_free usbgate
}
