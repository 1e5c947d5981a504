#!/bin/sh
# 20-usb-lane.sh: the real gated with the libusb backend, on USB gadgets:
# cards typed by a HID keyboard gadget open the lane (a gpio-sim relay line
# through libgpiod), a reading streamed by a FunctionFS thermometer denies
# a fever, unplugging the reader raises a device alert and the replugged
# reader works again.  Ends with BENCH: lines, the daemon's card-to-relay
# latency measured in the emulator.
. /tests/lib.sh
. /tests/usb/gate.sh

trap usb_gate_down EXIT
trap 'exit 1' INT TERM
usb_gadgets_up || exit 1
vm_check "usb: usbhid drives the keyboard gadget before gated runs" \
    usb_iface_driver_is "$KBD_VID" "$KBD_PID" usbhid
gated_start || exit 1
vm_pass "usb: gated on libusb and gpiod has the reader and the thermometer"
vm_check "usb: gated took the reader from usbhid (now usbfs: claimed)" \
    usb_iface_driver_is "$KBD_VID" "$KBD_PID" usbfs

# A card typed on the reader: granted, journaled, the relay pulses.
e=$(last_event)
card 1001
vm_check "usb: a typed card releases the relay" usb_wait 3 sim_value_is 0 1
vm_check "usb: journal: passage of card 1001 granted" \
    usb_wait 3 passage_after "$e" 1001 granted
vm_check "usb: the relay closes after open-time" \
    usb_wait 3 sim_value_is 0 0

e=$(last_event)
card 999999
vm_check "usb: an unknown card is denied" \
    usb_wait 3 passage_after "$e" 999999 denied unknown-card
vm_check "usb: the relay stays shut for it" sim_value_is 0 0

# Level 1 needs a temperature: the gadget thermometer's reading decides.
ctl level set 1 --reason "vm usb test" >/dev/null
e=$(last_event)
vm_check "usb: the thermometer streams 38.40" therm_send T=38.40
card 1008
vm_check "usb: 38.40 C from the gadget thermometer: denied, fever" \
    usb_wait 3 passage_after "$e" 1008 denied fever
vm_check "usb: a fever alert is raised" usb_wait 3 alert_active fever
vm_check "usb: the relay stays shut for a fever" sim_value_is 0 0
e=$(last_event)
vm_check "usb: the thermometer streams 36.60" therm_send T=36.60
card 1008
vm_check "usb: 36.60 C: the relay releases" usb_wait 3 sim_value_is 0 1
vm_check "usb: 36.60 C: granted" usb_wait 3 passage_after "$e" 1008 granted
ctl level set 0 --reason "vm usb test" >/dev/null

# Unplugged: a device alert; plugged in again: the lane works again.
gadget_unplug "$KBD"
vm_check "usb: unplugging the reader raises a device alert" \
    usb_wait 5 alert_active device "device $KBD down"
vm_check "usb: status shows the reader down" device_is "$KBD" false
gadget_plug "$KBD" "$KBD_UDC"
vm_check "usb: the reader enumerates again" \
    usb_wait 5 udc_state_is "$KBD_UDC" configured
vm_check "usb: gated has the replugged reader" \
    usb_wait 5 device_is "$KBD" true
usb_wait 3 sim_value_is 0 0
e=$(last_event)
card 1002
vm_check "usb: a card typed after replugging releases the relay" \
    usb_wait 3 sim_value_is 0 1
vm_check "usb: and is journaled granted" \
    usb_wait 3 passage_after "$e" 1002 granted

# BENCH: from the card event (taken when the transfer with Enter
# completes) to the relay line set, the daemon's own histogram.
n=${USB_BENCH_CARDS:-50}
latency_buckets >/tmp/lat.before
cards=
i=0
while [ $i -lt "$n" ]; do
	cards="$cards 1001"
	i=$((i + 1))
done
t0=$(cut -d' ' -f1 /proc/uptime)
# shellcheck disable=SC2086
timeout 60 hid-type "$KBD_DEV" $cards
usb_wait 10 latency_count_ge \
    $(( $(awk '{ s += $2 } END { print s }' /tmp/lat.before) + n ))
t1=$(cut -d' ' -f1 /proc/uptime)
latency_buckets >/tmp/lat.after
max=$(status_json | sed -n 's/.*"latency":{"count":[0-9]*,"max_us":\([0-9]*\).*/\1/p')
paste /tmp/lat.before /tmp/lat.after | awk -v n="$n" -v max="$max" \
    -v secs="$(echo "$t0 $t1" | awk '{ print $2 - $1 }')" '
	{ le[NR] = $1; c[NR] = $4 - $2; total += c[NR] }
	END {
		for (i = 1; i <= NR; i++) {
			acc += c[i]
			if (p50 == "" && acc >= total * 0.50) p50 = le[i]
			if (p99 == "" && acc >= total * 0.99) p99 = le[i]
		}
		printf "BENCH: usb card to relay (emulated: QEMU TCG guest, " \
		    "HID gadget on dummy_hcd, relay on gpio-sim via libgpiod): " \
		    "p50 <= %s us, p99 <= %s us over %d granted cards " \
		    "(log2 histogram bounds; journal commit included; max " \
		    "since start %s us)\n", p50, p99, total, max
		printf "BENCH: usb %d cards typed in %.1f s of guest time " \
		    "(%.0f ms a card of 5 keys, 10 reports)\n", n, secs,
		    secs * 1000 / n
	}'
vm_check "usb: every bench card was decided" \
    [ "$(paste /tmp/lat.before /tmp/lat.after |
    awk '{ s += $4 - $2 } END { print s }')" -eq "$n" ]

gated_stop
vm_check "usb: gated stops cleanly (status 0)" [ "$GATED_RC" = 0 ]
vm_check "usb: usbhid has the keyboard back once gated stopped" \
    usb_wait 3 usb_iface_driver_is "$KBD_VID" "$KBD_PID" usbhid
vm_done
