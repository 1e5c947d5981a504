# console-hub.sh: the web console on gated-hub.  A real Mosquitto, two
# gated on the simulator (north, south) and gated-hub (SQLite), with
# [tls] console at the tree's console/.  The files: GET / is campus.html,
# the security headers, ETag and 304, HEAD, nothing outside the directory,
# DELETE and PUT on a file 405.  Sessions (POST/GET/DELETE /v1/session):
# the cookie's flags, the role, the CSRF token required on a change made
# with the cookie, sign-in and sign-out journaled in hub_journal, failed
# sign-ins limited per address (429).  On SQLite and (with
# tests/integration/postgres.inc) PostgreSQL.  Then the real browser
# (tests/browser/console-hub.mjs) on the campus page: both gates online, a
# card seen within seconds, a fever alert acknowledged by a guard and not
# offered to a viewer, the report's SVG charts, contact tracing for health,
# the campus level set by an admin (signed by the hub, taken by north) and
# its form not offered to the other roles; north's mode set by an admin
# from its card (in north's retained state and journal), not offered to
# the other roles, a guard's forged request refused; people search for a
# guard (none for a viewer), quarantine on with a reason for health;
# north's page through the hub (drill-down): a card a row within 1 s, an
# alert acknowledged there reaching north's journal, no open-once, the
# mode by an admin; screenshots of it and of the people search, checked;
# a gate killed shown offline (the broker's will), screenshots.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/mosquitto.inc"
. "$(dirname "$0")/hub.inc"
CONSOLE=$top/console
GATES="north south"
GATE_SED='s/^temperature-wait = .*/temperature-wait = 3s/'
pub=$(signing_key hub) || exit 1
gate_conf_extra() { printf '\n[admin-key hub]\npublic-key = %s\n' "$pub"; }
northsql() { sqlite3 "$D/north/state/journal.db" "$1"; }

# The files and the sessions, with curl.
files_and_sessions() {
	HD=$T/headers
	get() {	# get PATH [curl args]: status; headers in $HD, body in $T/body
		p=$1; shift
		rm -f "$T/body"
		curl -sk -D "$HD" -o "$T/body" -w '%{http_code}' --max-time 10 "$@" "$H$p"
	}
	hdr() { tr -d '\r' <"$HD" | sed -n "s/^$1: //Ip" | head -1; }

	# ---- the files -------------------------------------------------------------
	check "GET /: 200 without a token" [ "$(get /)" = 200 ]
	check "GET / is campus.html" cmp -s "$T/body" "$CONSOLE/campus.html"
	check "GET /: text/html" [ "$(hdr Content-Type)" = "text/html; charset=utf-8" ]
	check "GET /: the Content-Security-Policy" sh -c "tr -d '\r' <'$HD' | grep -qi \"^Content-Security-Policy: default-src 'self'; script-src 'self'\""
	check "GET /: X-Content-Type-Options nosniff" [ "$(hdr X-Content-Type-Options)" = nosniff ]
	etag=$(hdr ETag)
	check "GET /: a strong ETag ($etag)" sh -c "echo '$etag' | grep -q '^\"[0-9a-f-]*\"\$'"
	check "If-None-Match: 304" [ "$(get / -H "If-None-Match: $etag")" = 304 ]
	check "the 304 has no body" [ ! -s "$T/body" ]
	check "GET /console/js/chart.js: 200" [ "$(get /console/js/chart.js)" = 200 ]
	check "... is the file" cmp -s "$T/body" "$CONSOLE/js/chart.js"
	for p in /console/../hub.conf /console/%2e%2e/campus.html /console/.hidden \
	    /console/ /console/nope.js; do
		check "GET $p: 404" [ "$(get "$p" --path-as-is)" = 404 ]
	done
	check "DELETE /: 405" [ "$(get / -X DELETE)" = 405 ]
	check "HEAD /: 200, the length of campus.html" sh -c "[ \"\$(curl -sk -I -D '$HD' -o /dev/null -w '%{http_code}' '$H/')\" = 200 ] && [ \"\$(tr -d '\r' <'$HD' | sed -n 's/^Content-Length: //Ip')\" = $(wc -c <"$CONSOLE/campus.html") ]"
	check "the API still wants a token: 401" [ "$(get /v1/status)" = 401 ]

	# ---- sessions --------------------------------------------------------------
	jar=$T/jar
	signin() {	# signin TOKEN [curl args]: status; the cookie in $jar
		tok=$1; shift
		rm -f "$jar"
		curl -sk -D "$HD" -o "$T/body" -w '%{http_code}' --max-time 10 \
		    -c "$jar" "$@" -d "{\"token\": \"$tok\"}" "$H/v1/session"
	}
	with() {	# with [curl args] URL: status, the session's cookie sent
		curl -sk -o "$T/body" -w '%{http_code}' --max-time 10 -b "$jar" "$@"
	}
	check "sign in as guard: 200" [ "$(signin "$TOKEN_GUARD")" = 200 ]
	cookie=$(hdr Set-Cookie)
	check "the cookie: HttpOnly; Secure; SameSite=Strict ($cookie)" sh -c "echo '$cookie' | grep -q '^session=[0-9a-f]\{64\}; HttpOnly; Secure; SameSite=Strict; Path=/'"
	check "the answer: name, role guard, csrf" sh -c "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d[\"name\"]==\"guardhouse\" and d[\"role\"]==\"guard\" and len(d[\"csrf\"])==64))' '$T/body'"
	csrf=$(jget csrf <"$T/body")
	session_role() { curl -sk -b "$jar" "$H/v1/session" | jget role; }
	check "GET /v1/session with the cookie: guard" [ "$(session_role)" = guard ]
	check "GET /v1/campus/gates with the cookie: 200" [ "$(with "$H/v1/campus/gates")" = 200 ]
	check "an ack with the cookie, no X-CSRF-Token: 403" [ "$(with -d '{"reason": "no csrf"}' "$H/v1/alerts/north/1/ack")" = 403 ]
	check "... with it: past the check (404 no such alert)" [ "$(with -H "X-CSRF-Token: $csrf" -d '{"reason": "csrf ok"}' "$H/v1/alerts/north/1/ack")" = 404 ]
	check "a forged cookie: 401" [ "$(curl -sk -o /dev/null -w '%{http_code}' -b "session=$(printf '%064d' 7)" "$H/v1/status")" = 401 ]
	check "sign out without the CSRF token: 403" [ "$(with -X DELETE "$H/v1/session")" = 403 ]
	check "sign out: 200" [ "$(with -X DELETE -H "X-CSRF-Token: $csrf" "$H/v1/session")" = 200 ]
	check "the cookie after sign-out: 401" [ "$(with "$H/v1/status")" = 401 ]
	check "sign-in and sign-out in hub_journal (kind session)" [ "$(hubsql "SELECT reason FROM hub_journal WHERE kind = 'session' AND actor = 'token:guardhouse' ORDER BY id" | tr '\n' ' ')" = "signed-in signed-out " ]
	check "a viewer's session: role viewer" [ "$(curl -sk -d "{\"token\": \"$TOKEN_VIEWER\"}" "$H/v1/session" | jget role)" = viewer ]
	check "a bad token at sign-in: 401" [ "$(signin wrong --interface 127.0.0.3)" = 401 ]
	for i in 2 3 4 5; do signin wrong --interface 127.0.0.3 >/dev/null; done
	check "the 6th try from that address, a good token: 429" [ "$(signin "$TOKEN_GUARD" --interface 127.0.0.3)" = 429 ]
	check "... with Retry-After" [ -n "$(hdr Retry-After)" ]
	check "another address is not shut out" [ "$(signin "$TOKEN_GUARD")" = 200 ]
}

# A gate through the hub, in the gate's shapes (the drill-down's routes).
gate_routes() {
	bearer() { tok=$1; shift; curl -sk --max-time 10 -H "Authorization: Bearer $tok" "$@"; }
	gctl north sim card ped-in 1001 >/dev/null 2>&1
	last=$(gctl north --json events --limit 1 | jget events.0.id)
	wait_for 5 sh -c "curl -sk -H 'Authorization: Bearer $TOKEN_GUARD' '$H/v1/gates/north/events?limit=1' | grep -q '\"person\": *\"E1001\"'"
	bearer "$TOKEN_GUARD" "$H/v1/gates/north/events?limit=1" >"$T/gev"
	check "gates/north/events: the newest, last_id $last, as the gate's" [ "$(jget last_id <"$T/gev") $(jget events.0.id <"$T/gev") $(jget events.0.gate <"$T/gev")" = "$last $last north" ]
	check "... after it: none, last_id the same" [ "$(bearer "$TOKEN_GUARD" "$H/v1/gates/north/events?after=$last" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["events"]), d["last_id"])')" = "0 $last" ]
	check "... a viewer's: no person" sh -c "! curl -sk -H 'Authorization: Bearer $TOKEN_VIEWER' '$H/v1/gates/north/events?limit=5' | grep -q E1001"
	check "... after=x: 400" [ "$(bearer "$TOKEN_GUARD" -o /dev/null -w '%{http_code}' "$H/v1/gates/north/events?after=x")" = 400 ]
	bearer "$TOKEN_VIEWER" "$H/v1/gates/north/status" >"$T/gst"
	check "gates/north/status: the gate's shape (id, level, lanes, alert_counts, via hub)" [ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["gate"]["id"], d["level"]["number"], d["lanes"][0]["name"], d["alert_counts"]["active"], d["via"], d["online"])' "$T/gst")" = "north 0 ped 0 hub True" ]
	check "gates/nowhere/status: 404" [ "$(bearer "$TOKEN_VIEWER" -o /dev/null -w '%{http_code}' "$H/v1/gates/nowhere/status")" = 404 ]
	check "gates/north/alerts: 200, a list" [ "$(bearer "$TOKEN_VIEWER" "$H/v1/gates/north/alerts" | jget alerts)" = "[]" ]
	bearer "$TOKEN_GUARD" -N --max-time 2 -H "Last-Event-ID: $((last - 1))" "$H/v1/gates/north/events/stream" >"$T/gss"
	check "gates/north/events/stream from Last-Event-ID $((last - 1)): event $last again, with its id, once" [ "$(grep -c "^id: $last\$" "$T/gss") $(grep -c '^id: ' "$T/gss")" = "1 1" ]
	check "... only north's" sh -c "! grep -q '\"gate\": *\"south\"' '$T/gss'"
	check "... a guard's forged ack through the gate's path needs a reason: 400" [ "$(bearer "$TOKEN_GUARD" -o /dev/null -w '%{http_code}' -d '{}' "$H/v1/gates/north/alerts/1/ack")" = 400 ]
	check "... a viewer's: 403" [ "$(bearer "$TOKEN_VIEWER" -o /dev/null -w '%{http_code}' -d '{"reason": "x"}' "$H/v1/gates/north/alerts/1/ack")" = 403 ]
}

# The browser on the campus page, then what it did in the journals.
browser() {
	ART=$top/$BUILD/test-artifacts/console-hub
	mkdir -p "$ART"
	URL=$H ART=$ART GATECTL=$GATECTL SOCK_NORTH=$D/north/state/control.sock \
	    KILL_PID=$GPID_south TOKEN_GUARD=$TOKEN_GUARD TOKEN_VIEWER=$TOKEN_VIEWER \
	    TOKEN_HEALTH=$TOKEN_HEALTH TOKEN_ADMIN=$TOKEN_ADMIN \
	    timeout 240 node "$top/tests/browser/console-hub.mjs" 2>&1 | tee "$T/browser.out"
	failures=$((failures + $(grep -c '^FAIL' "$T/browser.out")))
	grep -q '^PASS: the browser test ran to its end' "$T/browser.out" || fail "the browser test ran to its end"
	check "the page's acknowledgement journaled with the guard's name" [ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'alert-ack' AND actor = 'token:guardhouse' AND reason = 'fever checked from the campus page'")" = 1 ]
	check "the page's contact query journaled" [ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'contacts' AND actor = 'token:office' AND reason = 'campus page test'")" = 1 ]
	check "the page's campus level journaled with the admin's name" [ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'campus-level' AND actor = 'token:chief' AND reason = 'level from the campus page'")" = 1 ]
	check "north took the page's level from the hub with the admin's name (key:hub/token:chief)" [ "$(northsql "SELECT COUNT(*) FROM events WHERE kind = 'level' AND actor = 'key:hub/token:chief' AND detail = 'level from the campus page'")" = 1 ]
	check "the page's mode journaled at the hub with the admin's name" [ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'campus-mode' AND actor = 'token:chief' AND reason = 'mode from the campus page' AND detail LIKE 'mode open for north, seq %'")" = 1 ]
	check "north took the page's mode from the hub with the admin's name and the reason (key:hub/token:chief)" [ "$(northsql "SELECT COUNT(*) FROM events WHERE kind = 'mode' AND reason = 'open' AND actor = 'key:hub/token:chief' AND detail = 'mode from the campus page'")" = 1 ]
	check "no mode change from the guard's forged request" [ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'campus-mode' AND reason = 'forged by a guard'")" = 0 ]
	check "the drill-down's acknowledgement reached north's journal (key:hub/token:guardhouse)" [ "$(northsql "SELECT COUNT(*) FROM events WHERE kind = 'ack' AND actor = 'key:hub/token:guardhouse' AND detail = 'fever acked on the drill-down page'")" = 1 ]
	check "north took the drill-down page's mode with the admin's name (key:hub/token:chief)" [ "$(northsql "SELECT COUNT(*) FROM events WHERE kind = 'mode' AND reason = 'pedestrian-only' AND actor = 'key:hub/token:chief' AND detail = 'mode from the drill-down page'")" = 1 ]
	check "the page's quarantine journaled with health's name" [ "$(hubsql "SELECT COUNT(*) FROM hub_journal WHERE kind = 'people-quarantine' AND actor = 'token:office' AND reason = 'quarantine from the campus page'")" = 1 ]
}

if [ -z "${CONSOLE_NO_BROWSER:-}" ]; then
	for need in /usr/bin/chromium node npm; do
		command -v "$need" >/dev/null || { fail "$need is installed (scripts/install-deps all)"; exit 1; }
	done
	if [ ! -d "$top/tests/browser/node_modules/puppeteer-core" ]; then
		(cd "$top/tests/browser" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null) ||
		    { fail "npm ci in tests/browser"; exit 1; }
	fi
fi

for db in sqlite postgresql; do
	hub_db "$db" || continue
	echo "# --- the console on the hub, $db"
	started=$(date +%s)
	H=https://127.0.0.1:$HUB_PORT
	hub_conf "$url" hub-console "people-key = $T/hub-key.pem"
	{
		echo "console = $CONSOLE"
		hub_token guardhouse guard
		hub_token lobby viewer
		hub_token office health
		hub_token chief admin
	} >>"$D/hub.conf"
	hub_up || continue
	start_gates

	files_and_sessions
	# The people list the search reads.
	check "the people list posted to the hub (admin): 200" [ "$(curl -sk -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN_ADMIN" --data-binary @"$T/people.csv" "$H/v1/people?reason=console%20test")" = 200 ]

	gate_routes
	if [ -z "${CONSOLE_NO_BROWSER:-}" ]; then
		browser
	else
		echo "SKIP: the browser (CONSOLE_NO_BROWSER set)"
	fi
	stop_hub
	for g in $GATES; do stop_gate "$g"; done
	# Under BUILD=build-asan: what ASan or UBSan said, in the logs.
	check "$db: no sanitizer report in the hub's and the gates' logs" \
	    sh -c "! grep -q 'Sanitizer\|runtime error' '$D/hub.log' '$D/north/gated.log' '$D/south/gated.log'"
	echo "# $db: $(($(date +%s) - started)) s"
	hub_db_end
done
exit $((failures > 0))
