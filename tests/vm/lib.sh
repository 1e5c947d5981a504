# lib.sh: helpers for the VM test scripts, sourced by tests/vm/tests/*.sh
# inside the VM (busybox sh).  Results are printed as PASS:/FAIL:/SKIP:
# lines, one per check, which the host's tests/vm/run collects.
#
# gpio-sim: a chip is made through configfs, and its lines are then found
# in sysfs: /sys/devices/platform/gpio-sim.N/gpiochipM/sim_gpioK/{value,pull}.
# An input is driven by writing its pull ("pull-up" / "pull-down"); an
# output is read from its value.  A released sim line snaps back to its
# pull, unlike a Pi pin, which keeps its last level.

SIM_CONFIGFS=/sys/kernel/config/gpio-sim

vm_pass() { echo "PASS: $*"; }
vm_fail() { echo "FAIL: $*"; VM_FAILED=1; }
vm_skip() { echo "SKIP: $*"; }
VM_FAILED=0

# vm_done: ends a test script, with status 1 if any check failed.
vm_done() { exit "$VM_FAILED"; }

# vm_check NAME CMD...: runs CMD and passes or fails NAME on its status.
vm_check() {
	_name=$1; shift
	if "$@"; then vm_pass "$_name"; else vm_fail "$_name"; fi
}

# vm_wait MS CMD...: polls CMD every 10 ms until it succeeds (0) or MS
# milliseconds are up (1).  The only way to wait in these tests: a bare
# sleep is a race that a slow emulator will one day lose.
vm_wait() {
	_left=$1; shift
	while ! "$@" 2>/dev/null; do
		[ "$_left" -le 0 ] && return 1
		usleep 10000
		_left=$((_left - 10))
	done
	return 0
}

# sim_chip_new CHIP LABEL NAME...: makes a gpio-sim chip with one bank, a
# line per NAME ("-" leaves a line unnamed), and brings it live.  Sets
# SIM_SYSFS to the chip's sysfs directory (holding sim_gpioK) and
# SIM_GPIOCHIP to its gpiochipM name.
sim_chip_new() {
	_chip=$1 _label=$2; shift 2
	_dir=$SIM_CONFIGFS/$_chip
	mkdir "$_dir" "$_dir/bank0" || return 1
	echo "$#" >"$_dir/bank0/num_lines" || return 1
	echo "$_label" >"$_dir/bank0/label" || return 1
	_i=0
	for _n in "$@"; do
		if [ "$_n" != "-" ]; then
			mkdir "$_dir/bank0/line$_i" &&
			    echo "$_n" >"$_dir/bank0/line$_i/name" || return 1
		fi
		_i=$((_i + 1))
	done
	echo 1 >"$_dir/live" || return 1
	SIM_GPIOCHIP=$(cat "$_dir/bank0/chip_name")
	SIM_SYSFS=/sys/devices/platform/$(cat "$_dir/dev_name")/$SIM_GPIOCHIP
	vm_wait 2000 test -e "/dev/$SIM_GPIOCHIP" || return 1
	[ -d "$SIM_SYSFS" ]
}

# sim_chip_free CHIP: takes the chip down and removes its configfs tree.
sim_chip_free() {
	_dir=$SIM_CONFIGFS/$1
	[ -d "$_dir" ] || return 0
	echo 0 >"$_dir/live" 2>/dev/null
	for _l in "$_dir"/bank0/line*; do
		[ -d "$_l" ] && rmdir "$_l"
	done
	rmdir "$_dir/bank0" "$_dir"
}

# sim_pull OFFSET up|down: drives an input line of the current chip.
sim_pull() {
	echo "pull-$2" >"$SIM_SYSFS/sim_gpio$1/pull"
}

# sim_value OFFSET: prints the line's physical value, 0 or 1.
sim_value() {
	cat "$SIM_SYSFS/sim_gpio$1/value"
}

# sim_value_is OFFSET VALUE: for vm_wait.
sim_value_is() {
	[ "$(sim_value "$1")" = "$2" ]
}

# vm_wait_line FILE TEXT MS: waits until FILE has a line starting with
# TEXT, such as a program's READY after it has requested its lines.
vm_wait_line() {
	vm_wait "$3" grep -q "^$2" "$1"
}
