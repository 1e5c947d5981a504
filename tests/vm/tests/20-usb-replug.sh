#!/bin/sh
# 20-usb-replug.sh: the card reader unplugged and plugged in again 100
# times under the real gated on libusb: every cycle is seen (down, then
# up), the reader still reads afterwards, and nothing leaks: the daemon's
# open file descriptors are the same and its RSS grows by less than
# 256 KiB.  A few cycles first warm up what allocates once (SQLite's page
# cache, libusb's device list).
. /tests/lib.sh
. /tests/usb/gate.sh

CYCLES=${USB_REPLUG_CYCLES:-100}
WARMUP=5
RSS_SLACK_KB=256

# One unplug and replug, each step waited for until gated has logged it
# (its log, not gatectl: a gatectl call costs ~0.3 s under TCG).
DOWN="usb: $KBD: down:" UP="device $KBD up:"
replug() {
	_d=$(log_count "$DOWN") _u=$(log_count "$UP")
	gadget_unplug "$KBD" &&
	    usb_wait 5 log_count_is "$DOWN" $((_d + 1)) &&
	    gadget_plug "$KBD" "$KBD_UDC" &&
	    usb_wait 5 udc_state_is "$KBD_UDC" configured &&
	    usb_wait 5 log_count_is "$UP" $((_u + 1))
}

trap usb_gate_down EXIT
trap 'exit 1' INT TERM
usb_gadgets_up || exit 1
gated_start || exit 1

i=0
while [ $i -lt $WARMUP ]; do
	replug || { vm_fail "usb: warm-up replug $i not seen"; exit 1; }
	i=$((i + 1))
done
fds0=$(gated_fds)
rss0=$(gated_rss_kb)
e=$(last_event)
t0=$(cut -d' ' -f1 /proc/uptime)
i=0
while [ $i -lt "$CYCLES" ]; do
	if ! replug; then
		vm_fail "usb: replug cycle $i not seen by gated"
		cat "$GATE_DIR/gated.log"
		exit 1
	fi
	i=$((i + 1))
done
t1=$(cut -d' ' -f1 /proc/uptime)
fds1=$(gated_fds)
rss1=$(gated_rss_kb)
asan=$(grep -l libasan "/proc/$GATED_PID/maps")
vm_pass "usb: $CYCLES unplug/replug cycles, each seen by gated"
echo "BENCH: usb replug: $CYCLES cycles in $(echo "$t0 $t1" |
    awk '{ printf "%.1f", $2 - $1 }') s of guest time (emulated, QEMU TCG);" \
    "fds $fds0 -> $fds1, VmRSS $rss0 -> $rss1 KiB"
downs=$(events_after "$e" |
    grep -c "\"kind\":\"device\",\"reason\":\"down\",\"actor\":\"$KBD\"")
ups=$(events_after "$e" |
    grep -c "\"kind\":\"device\",\"reason\":\"up\",\"actor\":\"$KBD\"")
vm_check "usb: the journal has $CYCLES downs and ups ($downs, $ups)" \
    [ "$downs" -eq "$CYCLES" -a "$ups" -eq "$CYCLES" ]
vm_check "usb: no file descriptor leaked ($fds0 before, $fds1 after)" \
    [ "$fds1" -eq "$fds0" ]
# ASan keeps freed memory in quarantine: RSS says nothing there (its
# leak check runs when gated exits, and a leak fails gated_stop below).
if [ -n "$asan" ]; then
	vm_skip "usb: RSS bound under ASan ($rss0 -> $rss1 KiB)"
else
	vm_check "usb: RSS grew < $RSS_SLACK_KB KiB ($rss0 -> $rss1 KiB)" \
	    [ $((rss1 - rss0)) -lt $RSS_SLACK_KB ]
fi

e=$(last_event)
card 1001
vm_check "usb: the reader still reads after the cycles" \
    usb_wait 3 passage_after "$e" 1001 granted
vm_check "usb: and the relay releases" usb_wait 3 sim_value_is 0 1

gated_stop
vm_check "usb: gated stops cleanly (status 0)" [ "$GATED_RC" = 0 ]
vm_done
