# fuzz.sh: builds every fuzz target (tests/fuzz/) and runs it: with clang's
# libFuzzer for FUZZ_SECONDS each (default 5) from a seed corpus, or, where
# libFuzzer is missing, as a replay of the seeds with gcc.  One PASS: or
# FAIL: line per target; a crash leaves its input in build/fuzz/.  Both
# builds have UBSan, and its reports are fatal: undefined behaviour (a
# signed overflow) fails the run like a crash.
# FUZZ_REPLAY=1 forces the replay build; FUZZ_TARGETS="config route"
# runs those alone.  FUZZ_LONG=1 is make fuzz-long (docs/fuzzing.md): a
# line of figures per target, execs added up over runs in
# build/fuzz/total-NAME, and the exit status 1 on any finding.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=build/fuzz
secs=${FUZZ_SECONDS:-5}
mkdir -p "$out"
inc="-Iagent -Ihw -Icommon $(pkg-config --cflags jansson)"
# UBSan stops at its first report instead of printing and going on.
ubsan="-fsanitize=undefined -fno-sanitize-recover=undefined"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:halt_on_error=1:print_stacktrace=1"

# A sanitizer's report in a log, should one ever slip past the abort.
reported() { grep -q 'runtime error:\|ERROR: [A-Za-z]*Sanitizer' "$1"; }

# Sources each target exercises (compiled into it, so libFuzzer sees them).
srcs() {
	case $1 in
	people)	echo tests/fuzz/fuzz-people.c agent/people.c agent/policy.c \
		    common/calendar.c common/people-csv.c common/pass.c \
		    common/ed25519.c common/xmalloc.c common/log.c ;;
	policy)	echo tests/fuzz/fuzz-policy.c agent/policy.c \
		    common/people-csv.c common/calendar.c common/pass.c \
		    common/ed25519.c common/xmalloc.c common/log.c ;;
	wiegand) echo tests/fuzz/fuzz-wiegand.c hw/wiegand.c ;;
	pass)	echo tests/fuzz/fuzz-pass.c common/pass.c common/ed25519.c ;;
	command) echo tests/fuzz/fuzz-command.c common/command.c \
		    common/command-body.c common/ed25519.c common/pass.c \
		    common/xmalloc.c common/log.c ;;
	config)	echo tests/fuzz/fuzz-config.c agent/config*.c agent/policy.c \
		    agent/schedule.c common/calendar.c common/people-csv.c \
		    common/pass.c common/command.c common/command-body.c common/ed25519.c \
		    common/xmalloc.c common/log.c common/conf-syntax.c ;;
	# api.c's handlers reach the whole agent: all of it but main().
	route)	echo tests/fuzz/fuzz-route.c
		for f in agent/*.c hw/*.c common/*.c; do
			[ "$f" = agent/main.c ] || [ "$f" = "$gpiod_other" ] ||
			    echo "$f"
		done ;;
	*)	echo "tests/fuzz/fuzz-$1.c hw/decode.c" ;;
	esac
}

# Flags beyond $inc a target's sources need.
# shellcheck disable=SC2086 # the packages are words
cflags() {
	case $1 in
	route)	pkg-config --cflags $agent_pkgs ;;
	esac
}

# Libraries a target links, after its sources.
# shellcheck disable=SC2086
libs() {
	case $1 in
	pass|people|policy) pkg-config --libs libcrypto ;;
	config)	pkg-config --libs libcrypto jansson ;;
	command) pkg-config --libs libcrypto jansson ;;
	route)	pkg-config --libs $agent_pkgs; echo -lm ;;
	esac
}
# The Makefile's packages and its choice of libgpiod backend.
agent_pkgs="libevent libevent_pthreads libevent_openssl jansson sqlite3
    libsystemd libgpiod libusb-1.0 openssl libmosquitto"
gpiod_other=hw/gpiod2.c
if [ "$(pkg-config --modversion libgpiod 2>/dev/null | cut -d. -f1)" = 2 ]
then
	gpiod_other=hw/gpiod.c
fi

# Seeds: a few valid inputs per target, made here (no binary files).
seeds() {
	d=$out/seed-$1
	rm -rf "$d"; mkdir -p "$d"
	case $1 in
	people)	cp tests/people/*.csv "$d/" ;;
	line)	printf '\001T=36.62\r\n36.6\n-1.5 C\n' >"$d/a"
		printf '\003garbage\n\n37\n' >"$d/b"
		# Digits past int's range: once a signed overflow.
		printf '\001T=-9999999999999999999999999999\n' >"$d/c"
		printf '\0011.9999999999999999999999999999\n' >"$d/d" ;;
	temper)	printf '\200\002\016\112\116\040\000\000' >"$d/a"
		printf '\200\002\375\363' >"$d/b" ;;
	wedge)	printf '\001\010\000\000\036\000\000\000\000\000\001\010\000\000\050\000\000\000\000\000' >"$d/a"
		# A visitor pass "GP1", Enter: wedge_feed's 2, which the
		# target once took for a broken result.
		# shellcheck disable=SC2059 # octal escapes made here
		r() { printf "\\001\\010\\377\\$1\\000\\$2\\000\\000\\000\\000\\000"; }
		{ r 002 012; r 002 023; r 000 036; r 000 050; } >"$d/b" ;;
	policy)	head -c 64 /dev/urandom >"$d/a"; head -c 16 /dev/zero >"$d/b" ;;
	# A 26-bit frame 1 00010010 0001001000110100 1 at 2 ms a bit
	# (byte 10: D0, 11: D1), then the same after a 25.2 ms gap (127:
	# D1 after 63 steps).
	wiegand) gap=
		for f in 1 2; do
			for b in 1 0 0 0 1 0 0 1 0 0 0 0 1 0 0 1 0 0 0 1 1 0 1 0 0 1; do
				if [ -n "$gap" ]; then printf '\177'; gap=
				else printf "\\$(printf %o $((10 + b)))"; fi
			done
			gap=1
		done >"$d/a" ;;
	# A pass signed with fuzz-pass.c's key (the sample of
	# tests/unit/test-pass.c), one cut short, and a key line.
	pass)	p=GP1040J6HB7H6MUTTQ00000003B1RX800000006N3QB400022T3C5NP0VBK5LR
		p=${p}30CHN08478RB1CDL6JTK70VN6JQKJC5R7J1PAC6GD3K5QBPVG2WBAD4WU1J4
		p=${p}D6TFV4HJ2KGCNRFL2XBCL87E6C461QJEXFAMK5GP8HB3US92FE2JEWUR1G4X
		p=${p}RDKRDCKC7WU3CF44G
		printf '%s' "$p" >"$d/a"
		printf '%s' "${p%??????????}" >"$d/b"
		printf 'campus-2026 ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=' \
		    >"$d/c" ;;
	# Commands signed with fuzz-command.c's key: a campus level, a
	# gate's mode, and the first unsigned.
	command) c='{"v":1,"site":"main","target":"campus","what":"level",'
		c=$c'"value":1,"seq":1796112000123,"issued":1796112000,'
		c=$c'"expires":1796198400,"actor":"ops","reason":"storm warning",'
		c=$c'"key":"admin-a"'
		printf '%s}' "$c" >"$d/c"
		printf '%s,"sig":"%s"}' "$c" 'u+uqblxQBkcRa24c+pvfgiNnAkFNAjPUHDod6ILo31MHqZee0mG6cpBOtV/X18SE0WbJ4L95Ig5LyAoD6O84Ag==' >"$d/a"
		c='{"v":1,"site":"main","target":"south","what":"mode",'
		c=$c'"value":"lockdown","seq":1796112000124,"issued":1796112000,'
		c=$c'"expires":1796198400,"actor":"ops","reason":"storm warning",'
		c=$c'"key":"admin-a","sig":"xCfnGnhLGdV0aq1oM83buakSD/1VhOVUEOYTgzEXnxAx3a5A0KIxMkJ/9XszOJKho/ksx5QeLZj7evVNylSvCw=="}'
		printf '%s' "$c" >"$d/b"
		# Unsigned kinds with a body: the parse of size, csv, persons.
		c='{"v":1,"site":"main","target":"campus","what":"quarantine",'
		c=$c'"value":"0c1a4ed4a3e9c8f4e0d7f8b4a2c1e0f9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3",'
		c=$c'"seq":4,"issued":1796112000,"expires":1796198400,"actor":"ops",'
		c=$c'"reason":"case","key":"admin-a","size":12,"persons":["S1002","S1005"]}'
		printf '%s' "$c" >"$d/d"
		c='{"v":1,"site":"main","target":"campus","what":"people",'
		c=$c'"value":"0c1a4ed4a3e9c8f4e0d7f8b4a2c1e0f9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3",'
		c=$c'"seq":7,"issued":1796112000,"expires":1796198400,"actor":"ops",'
		c=$c'"reason":"term","key":"admin-a","size":22,"csv":"card_uid,person_id\n1,\"E1\"\n"}'
		printf '%s' "$c" >"$d/e"
		c='{"v":1,"site":"main","target":"south","what":"ack","value":"8",'
		c=$c'"seq":9,"issued":1796112000,"expires":1796198400,"actor":"ops",'
		c=$c'"reason":"sent home","key":"admin-a"}'
		printf '%s' "$c" >"$d/f" ;;
	# The golden configs; the empty file once tripped UBSan (NULL + 0
	# in conf_check).
	config)	cp tests/config/*.conf docs/examples/*.conf "$d/"
		: >"$d/empty" ;;
	# Method, raw path, Authorization header; fuzz-route.c's tokens.
	route)	printf 'GET\n/v1/status\nBearer viewer-0123456789abcdef' >"$d/a"
		printf 'POST\n/v1/lanes/n%%2F1/open\nbearer  guard-0123456789abcdef' \
		    >"$d/b"
		printf 'POST\n/v1/mode\nBearer admin-0123456789abcdef' >"$d/c"
		printf 'POST\n/v1/mod%%65\nBearer guard-0123456789abcdef' >"$d/d"
		printf 'GET\n/v1/alerts/x/ack\nBearer x' >"$d/e" ;;
	esac
	echo "$d"
}

libfuzzer=no
if [ -z "${FUZZ_REPLAY:-}" ] && command -v clang >/dev/null 2>&1; then
	printf 'int LLVMFuzzerTestOneInput(const char *d, long n){(void)d;(void)n;return 0;}\n' \
	    >"$out/probe.c"
	if clang -fsanitize=fuzzer -o "$out/probe" "$out/probe.c" \
	    >/dev/null 2>&1; then
		libfuzzer=yes
	fi
fi

# The figures of a long run (FUZZ_LONG=1) from its log: execs, execs/s,
# the corpus, the findings, and execs added up over long runs.
figures() {
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$1.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$1.log")
	runs=${runs:-0} rate=${rate:-0}
	total=$(( $(cat "$out/total-$1" 2>/dev/null || echo 0) + runs ))
	echo "$total" >"$out/total-$1"
	echo "fuzz-$1: $runs execs in ${secs}s, $rate execs/s," \
	    "corpus $(ls "$out/corpus-$1" | wc -l) inputs, $2 findings;" \
	    "$total execs over all long runs" \
	    "(10 M in $(( rate > 0 ? 10000000 / rate : 0 ))s at this rate)"
}

failed=0
for t in ${FUZZ_TARGETS:-people policy line temper wedge wiegand pass command config route}; do
	seed=$(seeds $t)
	# shellcheck disable=SC2046
	if [ $libfuzzer = yes ]; then
		if ! clang -std=c11 -D_GNU_SOURCE -g -O1 \
		    -fsanitize=fuzzer,address $ubsan $inc $(cflags $t) \
		    -o "$out/fuzz-$t" $(srcs $t) $(libs $t) \
		    >"$out/$t.build" 2>&1; then
			echo "FAIL: fuzz-$t does not build with libFuzzer"
			sed 's/^/    /' "$out/$t.build"; failed=1; continue
		fi
		mkdir -p "$out/corpus-$t" "$out/found-$t"
		rm -f "$out/found-$t"/*
		# A finding stops the run, its input in found-NAME/.
		ok=no
		(cd "$out" && ./fuzz-$t -max_total_time="$secs" \
		    -print_final_stats=1 -artifact_prefix="found-$t/" \
		    "corpus-$t" "seed-$t") >"$out/$t.log" 2>&1 &&
		    ! reported "$out/$t.log" && ok=yes
		if [ -n "${FUZZ_LONG:-}" ]; then
			n=$(ls "$out/found-$t" | wc -l)
			[ $ok = no ] && [ "$n" -eq 0 ] && n=1
			figures $t "$n"
		fi
		if [ $ok = yes ]; then
			runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
			    "$out/$t.log")
			echo "PASS: fuzz-$t: ${runs:-?} inputs in ${secs}s under" \
			    "libFuzzer+ASan+UBSan, no crash"
		else
			echo "FAIL: fuzz-$t crashed or UBSan reported: see" \
			    "$out/$t.log and $out/found-$t/"
			failed=1
		fi
	else
		if ! cc -std=c11 -D_GNU_SOURCE -g -O1 $ubsan $inc $(cflags $t) \
		    -o "$out/replay-$t" $(srcs $t) tests/fuzz/replay.c \
		    $(libs $t) >"$out/$t.build" 2>&1; then
			echo "FAIL: fuzz-$t does not build with the replay main"
			sed 's/^/    /' "$out/$t.build"; failed=1; continue
		fi
		if "$out/replay-$t" "$seed"/* >"$out/$t.log" 2>&1 &&
		    ! reported "$out/$t.log"; then
			echo "PASS: fuzz-$t: seeds replayed under UBSan (no libFuzzer" \
			    "here)"
		else
			echo "FAIL: fuzz-$t: a seed crashes it or UBSan reported:" \
			    "$out/$t.log"
			failed=1
		fi
	fi
done
exit $failed
