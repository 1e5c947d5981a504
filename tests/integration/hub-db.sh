# hub-db.sh: the hub's unit tests that take a database (those that read
# HUB_DB_URL, or through tests/unit/hub-unit.h: test-hub-db, test-hub-pg,
# test-hub-batch, ...) on PostgreSQL, each in an empty database of its
# own on a private cluster (postgres.inc).  tests/run runs the same
# programs on SQLite in its unit loop, so make check covers both
# backends.  Each line is the program's own, prefixed with its name.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
failures=0
. tests/integration/postgres.inc

progs=
for src in $(grep -l 'HUB_DB_URL\|"hub-unit.h"' tests/unit/test-hub-*.c); do
	t=${src#tests/unit/}
	progs="$progs ${t%.c}"
done
if [ -z "$progs" ]; then
	echo "SKIP: hub-db: no hub unit test reads HUB_DB_URL"
	exit 0
fi
# A build without libpq has SQLite alone (the Makefile's HUB_PKGS).
if [ -z "$(make -s --no-print-directory print-HUB_PKGS)" ]; then
	echo "SKIP: hub-db: the hub is built without libpq (scripts/install-deps run, as root)"
	exit 0
fi
pg_start || exit 0

for t in $progs; do
	if [ ! -x "$BUILD/tests/$t" ]; then
		echo "FAIL: $t: $BUILD/tests/$t is not built (make unit)"
		failures=$((failures + 1))
		continue
	fi
	db=$(echo "$t" | tr - _)
	if ! url=$(pg_createdb "$db"); then
		echo "FAIL: $t: could not create database $db"
		failures=$((failures + 1))
		continue
	fi
	# test-hub-pg stops and starts the server through these.
	ctl=". tests/integration/postgres.inc; PG_DIR=$PG_DIR; _pg_ctl -m fast"
	HUB_DB_URL=$url HUB_PG_STOP="$ctl stop" HUB_PG_START="$ctl start" \
	    "$BUILD/tests/$t" >"$PG_DIR/$t.out" 2>&1
	rc=$?
	sed -n 's/^\(PASS\|FAIL\|SKIP\): /\1: postgresql: '"$t"': /p' \
	    "$PG_DIR/$t.out"
	if grep -q '^FAIL: ' "$PG_DIR/$t.out"; then
		failures=$((failures + 1))
	elif [ "$rc" -ne 0 ]; then
		echo "FAIL: postgresql: $t exited with status $rc:"
		tail -5 "$PG_DIR/$t.out"
		failures=$((failures + 1))
	fi
done
exit $((failures > 0))
