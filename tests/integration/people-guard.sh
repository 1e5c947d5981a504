# people-guard.sh: a people list cut short is refused, at a reload and at
# start (issue 10, defect 11): a cut inside a line (no final newline), a
# cut at a line end that drops more than people-max-shrink (10%) unless
# forced, each refusal journaled and the running list kept.
. "$(dirname "$0")/common.inc"

db=$T/state/journal.db
last_people() { sqlite3 "$db" "SELECT reason || ' ' || detail FROM events WHERE kind = 'people' ORDER BY id DESC LIMIT 1"; }
count() { jctl status | jget people.count; }
"$top/scripts/gen-people" 1000 >"$T/full.csv"
cp "$T/full.csv" "$T/people.csv"
start_gated || { fail "gated starts"; finish; }
check "1000 people at start" [ "$(count)" = 1000 ]

# Cut inside the last line: refused, whatever the line still parses to.
size=$(stat -c %s "$T/full.csv")
head -c $((size - 11)) "$T/full.csv" >"$T/people.csv"
out=$(ctl people reload 2>&1); rc=$?
check "a list cut inside a line is refused ($out)" sh -c "[ $rc -eq 1 ] && echo '$out' | grep -q 'no newline at the end'"
check "the running list is kept" [ "$(count)" = 1000 ]

# Cut at a line end: 200 of 1000 people gone, 20% > 10%.
head -n 802 "$T/full.csv" >"$T/people.csv"
out=$(ctl people reload 2>&1); rc=$?
check "a list 20% shorter is refused ($out)" sh -c "[ $rc -eq 1 ] && echo '$out' | grep -q '800 people where 1000 are in use: 20% fewer'"
check "the running list is kept after the shrink refusal" [ "$(count)" = 1000 ]
check "the refusal is journaled ($(last_people))" sh -c "'$0' >/dev/null 2>&1; echo '$(last_people)' | grep -q '^reload-failed .*people-max-shrink'"

# Meant: --force installs it, and the journal says it was forced.
out=$(ctl people reload --force 2>&1); rc=$?
check "--force installs the shorter list ($out)" sh -c "[ $rc -eq 0 ] && [ \"\$('$GATECTL' -s '$SOCK' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"people\"][\"count\"])')\" = 800 ]"
check "the forced reload is journaled as forced ($(last_people))" sh -c "echo '$(last_people)' | grep -q '^reloaded 800 people.*forced'"

# Within the share: 760 of 800 is 5% fewer.
head -n 762 "$T/full.csv" >"$T/people.csv"
check "a list 5% shorter reloads" ctl people reload
check "760 people in use" [ "$(count)" = 760 ]
check "the journal keeps the count in use" [ "$(sqlite3 "$db" "SELECT value FROM state WHERE key = 'people_count'")" = 760 ]

# At start: the journal's count is the reference.
stop_gated
head -n 502 "$T/full.csv" >"$T/people.csv"
start_gated || { fail "gated restarts"; finish; }
check "a list cut short while the gate was down is refused at start" [ "$(count)" = 0 ]
check "the refusal at start is journaled ($(last_people))" sh -c "echo '$(last_people)' | grep -q '^load-failed .*500 people where 760'"
out=$(ctl people reload 2>&1); rc=$?
check "a reload after a refused start still compares with 760" [ $rc -eq 1 ]
check "--force after a refused start" ctl people reload --force
check "500 people in use" [ "$(count)" = 500 ]
stop_gated
start_gated || { fail "gated restarts"; finish; }
check "the forced list loads at the next start" [ "$(count)" = 500 ]
check "API: force must be a boolean (400)" [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -d '{"force": 1}' http://gate/v1/people/reload)" = 400 ]
check "API: {\"force\": false} reloads as usual" [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -d '{"force": false}' http://gate/v1/people/reload)" = 200 ]
out=$(ctl people reload --bogus 2>&1); rc=$?
check "people reload rejects an unknown option" [ $rc -ne 0 ]
finish
