#!/bin/sh
# 10-gpiod-backend.sh: the libgpiod backend (hw/gpiod.c, or hw/gpiod2.c in
# the libgpiod 2 build) on a gpio-sim chip laid out like a gate; the checks
# themselves are in gpiod-check.c.
# vm-builds: all
. /tests/lib.sh

trap 'sim_chip_free gate; sim_chip_free gate2' EXIT
# Two chips: far-lamp, on the second, is found only by a name search that
# goes on past the first chip.
if ! sim_chip_new gate gate-sim door-relay lamp-red door-contact \
    exit-button -; then
	vm_fail "gpiod: cannot create the gpio-sim chip"
	exit 1
fi
gate=$SIM_SYSFS
if ! sim_chip_new gate2 gate2-sim - far-lamp; then
	vm_fail "gpiod: cannot create the second gpio-sim chip"
	exit 1
fi
vm_pass "gpiod: gpio-sim chips at $gate and $SIM_SYSFS"
gpiod-check "$gate" gate-sim "$SIM_SYSFS"
