# gadget.sh: USB gadgets for the VM tests, sourced after /tests/lib.sh.
# A gadget is made through configfs (/sys/kernel/config/usb_gadget/NAME)
# and "plugged in" by binding it to one of dummy_hcd's UDCs (dummy_udc.0,
# dummy_udc.1; each has its own host bus), "unplugged" by unbinding it.
# The host side then sees a real USB device, enumerated by the kernel and
# read by gated through libusb.
#
# libusb (Debian's, built with udev) learns of hot-plug only from udevd's
# netlink broadcasts, never from the kernel's own: udevd_start runs the
# real systemd-udevd, with no rules, to relay them.

GADGETS=/sys/kernel/config/usb_gadget

# A boot-protocol keyboard's report descriptor (HID 1.11, appendix B.1):
# modifier byte, reserved byte, five LEDs out, six key codes.
KBD_REPORT_DESC='\005\001\011\006\241\001\005\007\031\340\051\347\025\000\045\001\165\001\225\010\201\002\225\001\165\010\201\003\225\005\165\001\005\010\031\001\051\005\221\002\225\001\165\003\221\003\225\006\165\010\025\000\045\145\005\007\031\000\051\145\201\000\300'

# udevd_start: starts systemd-udevd once per VM; 0 when its control
# socket is there (libudev only listens for udev events when it is).
# Without udevd in the initramfs (the host lacks package udev) the test
# ends here: skipped, or failed when the runner runs as root (CI).
udevd_start() {
	[ -S /run/udev/control ] && return 0
	if [ -f /tests/usb/no-udevd ]; then
		echo "$(cat /tests/usb/no-udevd): usb: systemd-udevd is not" \
		    "installed on the host (package udev)"
		[ "$(cat /tests/usb/no-udevd)" = SKIP ] && exit 0
		exit 1
	fi
	mkdir -p /run/udev
	/lib/systemd/systemd-udevd --daemon >/tmp/udevd.log 2>&1 || return 1
	vm_wait 5000 test -S /run/udev/control
}

# _gadget_common NAME VID PID SERIAL PRODUCT: the device and its config.
_gadget_common() {
	_g=$GADGETS/$1
	mkdir "$_g" || return 1
	echo "0x$2" >"$_g/idVendor" && echo "0x$3" >"$_g/idProduct" &&
	    echo 0x0200 >"$_g/bcdUSB" && echo 0x0100 >"$_g/bcdDevice" ||
	    return 1
	mkdir "$_g/strings/0x409" "$_g/configs/c.1" \
	    "$_g/configs/c.1/strings/0x409" || return 1
	echo "$4" >"$_g/strings/0x409/serialnumber" &&
	    echo "gated tests" >"$_g/strings/0x409/manufacturer" &&
	    echo "$5" >"$_g/strings/0x409/product" &&
	    echo "$5" >"$_g/configs/c.1/strings/0x409/configuration" &&
	    echo 100 >"$_g/configs/c.1/MaxPower"
}

# kbd_gadget_new NAME VID PID SERIAL: a boot keyboard (HID function), not
# yet plugged in.  Sets KBD_DEV to its /dev/hidgN.
kbd_gadget_new() {
	_gadget_common "$1" "$2" "$3" "$4" "card reader" || return 1
	_f=$GADGETS/$1/functions/hid.kbd
	mkdir "$_f" || return 1
	echo 1 >"$_f/protocol" && echo 1 >"$_f/subclass" &&
	    echo 8 >"$_f/report_length" || return 1
	printf "$KBD_REPORT_DESC" >"$_f/report_desc" || return 1
	ln -s "$_f" "$GADGETS/$1/configs/c.1/" || return 1
	KBD_DEV=/dev/hidg$(cut -d: -f2 "$_f/dev")
}

# ffs_gadget_new NAME VID PID SERIAL: a FunctionFS function, its file
# system mounted on /dev/ffs-NAME, not yet plugged in (ffs-therm must
# write its descriptors first).  Sets FFS_DIR.
ffs_gadget_new() {
	_gadget_common "$1" "$2" "$3" "$4" "thermometer" || return 1
	_f=$GADGETS/$1/functions/ffs.$1
	mkdir "$_f" || return 1
	ln -s "$_f" "$GADGETS/$1/configs/c.1/" || return 1
	FFS_DIR=/dev/ffs-$1
	mkdir -p "$FFS_DIR" && mount -t functionfs "$1" "$FFS_DIR"
}

# gadget_plug NAME UDC / gadget_unplug NAME: bind or unbind the gadget.
gadget_plug() {
	echo "$2" >"$GADGETS/$1/UDC"
}
gadget_unplug() {
	echo "" >"$GADGETS/$1/UDC"
}

# udc_state_is UDC STATE: for vm_wait; "configured" once the host has
# enumerated and configured the gadget.
udc_state_is() {
	[ "$(cat "/sys/class/udc/$1/state")" = "$2" ]
}

# usb_iface VID PID: prints the host's sysfs directory of the device's
# first interface (bus-port:1.0), or fails when it is not there.
usb_iface() {
	for _d in /sys/bus/usb/devices/*; do
		[ "$(cat "$_d/idVendor" 2>/dev/null)" = "$1" ] &&
		    [ "$(cat "$_d/idProduct")" = "$2" ] || continue
		[ -d "$_d/${_d##*/}:1.0" ] || return 1
		echo "$_d/${_d##*/}:1.0"
		return 0
	done
	return 1
}

# usb_iface_driver VID PID: prints the kernel driver bound to that
# interface: "usbhid", "usbfs" once a libusb program claimed it, or "none".
usb_iface_driver() {
	_i=$(usb_iface "$1" "$2") || return 1
	if [ -L "$_i/driver" ]; then
		basename "$(readlink "$_i/driver")"
	else
		echo none
	fi
}

# usb_iface_driver_is VID PID DRIVER: for vm_wait and vm_check.
usb_iface_driver_is() {
	[ "$(usb_iface_driver "$1" "$2")" = "$3" ]
}

# gadget_free NAME: unplugs the gadget and removes its configfs tree.
gadget_free() {
	_g=$GADGETS/$1
	[ -d "$_g" ] || return 0
	echo "" >"$_g/UDC" 2>/dev/null
	rm -f "$_g"/configs/c.1/*.*
	if grep -q " /dev/ffs-$1 functionfs " /proc/mounts; then
		umount "/dev/ffs-$1"
	fi
	rmdir "$_g/configs/c.1/strings/0x409" "$_g/configs/c.1" \
	    "$_g/functions/"* "$_g/strings/0x409" "$_g" 2>/dev/null
}
