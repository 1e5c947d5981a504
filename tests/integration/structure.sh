# structure.sh: the shape issue 11 gave the code, kept.  No two files call
# each other (nm of the objects), no function over 80 lines in common/,
# hw/, agent/ and hub/ unless a comment above it says why ("Long:"), and
# the layers are the build's: a hw/ file that includes an agent header, or
# a gatectl/ or hub/ file that includes one, does not compile.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if out=$(scripts/code-figures --check "$BUILD"); then
	pass "no cycle between files, no unexplained function over 80 lines"
else
	echo "$out" | grep '^FAIL: '
	failures=$((failures + 1))
fi
echo "$out" | sed -n 's/^\(files\|functions\|cycles\)/# &/p'

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cflags="-std=c11 -D_GNU_SOURCE -fsyntax-only $(pkg-config --cflags libusb-1.0 jansson 2>/dev/null)"
probe() {	# probe DIR HEADER: whether DIR's flags let it include HEADER
	printf '#include "%s"\n' "$2" >"$T/probe.c"
	# shellcheck disable=SC2046 # the flags are words
	cc $cflags $(make -s --no-print-directory print-INC_"$1") \
	    -c "$T/probe.c" -o /dev/null 2>/dev/null
}
for layer in hw:agent.h hw:gate-internal.h gatectl:agent.h gatectl:hw.h \
    common:hw.h common:agent.h hub:agent.h hub:hw.h common:db.h; do
	dir=${layer%%:*} header=${layer#*:}
	if probe "$dir" "$header"; then
		fail "$dir/ can include $header: the layers are not enforced"
	else
		pass "$dir/ cannot include $header"
	fi
done
for ok in hw:hw.h hw:log.h agent:agent.h agent:hw.h gatectl:protocol.h \
    hub:db.h hub:log.h; do
	dir=${ok%%:*} header=${ok#*:}
	if probe "$dir" "$header"; then
		pass "$dir/ includes $header"
	else
		fail "$dir/ cannot include $header (the probe itself is broken?)"
	fi
done
exit $((failures > 0))
