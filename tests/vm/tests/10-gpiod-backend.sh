#!/bin/sh
# 10-gpiod-backend.sh: the libgpiod backend (hw/gpiod.c, or hw/gpiod2.c in
# the libgpiod 2 build) on a gpio-sim chip laid out like a gate; the checks
# themselves are in gpiod-check.c.
# vm-builds: all
. /tests/lib.sh

trap 'sim_chip_free gate' EXIT
if ! sim_chip_new gate gate-sim door-relay lamp-red door-contact \
    exit-button -; then
	vm_fail "gpiod: cannot create the gpio-sim chip"
	exit 1
fi
vm_pass "gpiod: gpio-sim chip $SIM_GPIOCHIP at $SIM_SYSFS"
gpiod-check "$SIM_SYSFS" gate-sim
