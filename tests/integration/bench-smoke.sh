# bench-smoke.sh: make bench runs to its end and exits 0.  Runs
# tests/bench/run with BENCH_QUICK=1 (small sizes, the slow steps left
# out): the figures mean nothing here, only that each step ran and printed
# its line, and that the script's exit status says so.
. "$(dirname "$0")/common.inc"

for b in bench-decide bench-reload bench-journal bench-status bench-ready \
    bench-hub-db; do
	[ -x "$top/$BUILD/bench/$b" ] || { fail "bench: $BUILD/bench/$b not built (make bench-bin)"; finish; }
done
BENCH_QUICK=1 sh "$top/tests/bench/run" >"$T/bench.out" 2>&1
rc=$?
check "make bench's script exits 0 when done (rc $rc)" [ $rc -eq 0 ]
check "bench: decisions per second printed" grep -qi 'decisions' "$T/bench.out"
check "bench: card to relay printed" grep -q '^card to relay (sim, in the daemon)' "$T/bench.out"
check "bench: RSS printed" grep -q '^daemon RSS after' "$T/bench.out"
check "bench: alert soak printed cards/s and RSS" grep -q "^alert soak: daemon VmRSS" "$T/bench.out"
check "bench: the report stall printed" grep -q '^report on 20000 rows .*cards during it' "$T/bench.out"
check "bench: the reason flood printed" grep -q '^reason flood .*state directory grew' "$T/bench.out"
check "bench: the mqtt publish figure printed (or skipped)" grep -q '^mqtt publish\|^mqtt QoS 1 publish: 2000 messages' "$T/bench.out"
check "bench: the hub's ingest on SQLite printed" grep -q '^hub ingest on sqlite: [0-9]* events/s' "$T/bench.out"
check "bench: the hub's ingest on PostgreSQL printed (or skipped)" grep -q '^hub ingest on postgresql: [0-9]* events/s\|^hub ingest on postgresql: skipped' "$T/bench.out"
check "bench: the hub's ingest through the broker printed (or skipped)" grep -q '^hub ingest (broker, sqlite): [0-9]* events of 50 gates .*: [0-9]* events/s\|^hub ingest (broker): skipped' "$T/bench.out"
check "bench: the campus switch printed (or skipped)" grep -q "^bench: campus: .* switched to level 1\|^SKIP:" "$T/bench.out"
check "bench: the raw card round trips with and without the drain printed (or skipped)" grep -q "^bench: mqtt backlog: card round trip\|^mqtt backlog: skipped" "$T/bench.out"
check "bench: reached its end" grep -q '^bench: quick run done' "$T/bench.out"
[ $failures -eq 0 ] || cat "$T/bench.out"
finish
