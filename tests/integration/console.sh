# console.sh: the web console on a gate's TLS listener.  Its files (GET /,
# /console/...) with the security headers, ETags and 304s, precompressed
# gzip when there is a NAME.gz, nothing outside the console directory;
# sessions (POST/GET/DELETE /v1/session): the cookie's flags, the CSRF
# token required on every change made with the cookie (not with a bearer
# token), the role of the token, failed sign-ins rate-limited and
# journaled; then the real browser (tests/browser/console.mjs: Debian's
# chromium through puppeteer-core) signs in, sees a card within 1 s,
# acknowledges a fever alert, opens a lane once, and takes screenshots.
. "$(dirname "$0")/remote-common.inc"

CONSOLE=$top/console
make_certs || { fail "openssl made the test CA"; remote_finish; }
# A copy of the console with a NAME.gz beside one file, as make install
# leaves them.
cp -r "$CONSOLE" "$T/console"
gzip -9 -k -n "$T/console/style.css"
# A longer temperature wait, so the page (status every second) sees it.
sed -i 's/^temperature-wait = .*/temperature-wait = 3s/' "$T/gate.conf"
start_gate c "console = ../console" || { fail "gate c starts"; remote_finish; }
C=$(url c)
L=$(lsock c)
H=$T/headers
get() {	# get PATH [curl args]: status; headers in $H, body in $T/body
	p=$1; shift
	rm -f "$T/body"
	curl -s -D "$H" -o "$T/body" -w '%{http_code}' --max-time 10 \
	    --cacert "$T/tls/ca.crt" "$@" "$C$p"
}
hdr() { tr -d '\r' <"$H" | sed -n "s/^$1: //Ip" | head -1; }

# ---- the files -------------------------------------------------------------
check "GET /: 200 without a token" [ "$(get /)" = 200 ]
check "GET / is index.html" cmp -s "$T/body" "$CONSOLE/index.html"
check "GET /: text/html" [ "$(hdr Content-Type)" = "text/html; charset=utf-8" ]
check "GET /: the Content-Security-Policy" [ "$(hdr Content-Security-Policy)" = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" ]
check "GET /: X-Content-Type-Options nosniff" [ "$(hdr X-Content-Type-Options)" = nosniff ]
etag=$(hdr ETag)
check "GET /: a strong ETag ($etag)" sh -c "echo '$etag' | grep -q '^\"[0-9a-f-]*\"\$'"
check "If-None-Match: 304" [ "$(get / -H "If-None-Match: $etag")" = 304 ]
check "the 304 has no body" [ ! -s "$T/body" ]
check "another ETag: 200" [ "$(get / -H 'If-None-Match: "0-0-0"')" = 200 ]
check "GET /console/js/gate.js: text/javascript" sh -c "[ \"\$(curl -s -o /dev/null -w '%{content_type}' --cacert '$T/tls/ca.crt' '$C/console/js/gate.js')\" = 'text/javascript; charset=utf-8' ]"
check "style.css with gzip: the .gz, Content-Encoding gzip" sh -c "[ \"\$(curl -s -D '$H' -o '$T/body' -w '%{http_code}' --cacert '$T/tls/ca.crt' -H 'Accept-Encoding: gzip' '$C/console/style.css')\" = 200 ] && tr -d '\r' <'$H' | grep -qi '^Content-Encoding: gzip' && cmp -s '$T/body' '$T/console/style.css.gz'"
identity() {	# identity [curl args]: style.css as it is
	[ "$(get /console/style.css "$@")" = 200 ] &&
	    cmp -s "$T/body" "$CONSOLE/style.css" &&
	    ! grep -qi '^Content-Encoding' "$H"
}
check "style.css without gzip: identity" identity
check "gzip;q=0 is identity" identity -H 'Accept-Encoding: gzip;q=0'
for p in /console/../gate.conf /console/%2e%2e/gate.conf /console/.hidden \
    /console/js//gate.js /console/ /console/nope.js /console/gate.conf; do
	check "GET $p: 404" [ "$(get "$p" --path-as-is)" = 404 ]
done
check "POST /: 405" [ "$(get / -d x)" = 405 ]
check "HEAD /: 200, the length of index.html, no body" sh -c "[ \"\$(curl -s -I -D '$H' -o '$T/body' -w '%{http_code}' --cacert '$T/tls/ca.crt' '$C/')\" = 200 ] && [ \"\$(tr -d '\r' <'$H' | sed -n 's/^Content-Length: //Ip')\" = $(wc -c <"$CONSOLE/index.html") ]"

# ---- sessions --------------------------------------------------------------
jar=$T/jar
signin() {	# signin TOKEN [curl args]: status; the cookie in $jar
	tok=$1; shift
	rm -f "$jar"
	curl -s -D "$H" -o "$T/body" -w '%{http_code}' --max-time 10 \
	    --cacert "$T/tls/ca.crt" -c "$jar" "$@" \
	    -d "{\"token\": \"$tok\"}" "$C/v1/session"
}
with() {	# with [curl args] URL: status, the session's cookie sent
	curl -s -o "$T/body" -w '%{http_code}' --max-time 10 \
	    --cacert "$T/tls/ca.crt" -b "$jar" "$@"
}
check "sign in as guard: 200" [ "$(signin "$TOKEN_GUARD")" = 200 ]
cookie=$(hdr Set-Cookie)
check "the cookie: HttpOnly; Secure; SameSite=Strict; Path=/ ($cookie)" sh -c "echo '$cookie' | grep -q '^session=[0-9a-f]\{64\}; HttpOnly; Secure; SameSite=Strict; Path=/'"
check "the answer: name, role, csrf" sh -c "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d[\"name\"]==\"guardhouse\" and d[\"role\"]==\"guard\" and len(d[\"csrf\"])==64))' '$T/body'"
csrf=$(jget csrf <"$T/body")
session_is() { [ "$(with "$C/v1/session")" = 200 ] && grep -q "\"role\":\"$1\"" "$T/body"; }
check "GET /v1/session with the cookie: guard" session_is guard
check "GET /v1/status with the cookie: 200" [ "$(with "$C/v1/status")" = 200 ]
check "a change with the cookie, no X-CSRF-Token: 403" [ "$(with -d '{"reason": "no csrf"}' "$C/v1/lanes/ped/open")" = 403 ]
check "... a wrong X-CSRF-Token: 403" [ "$(with -H "X-CSRF-Token: $(echo "$csrf" | tr 0-9a-f 1-9a-f0)" -d '{"reason": "bad csrf"}' "$C/v1/lanes/ped/open")" = 403 ]
check "... the right one: 200" [ "$(with -H "X-CSRF-Token: $csrf" -d '{"reason": "console csrf ok"}' "$C/v1/lanes/ped/open")" = 200 ]
journal c >"$T/j"
check "the journal names the token and the reason" sh -c "grep '\"kind\": \"override\"' '$T/j' | grep '\"actor\": \"token:guardhouse\"' | grep -q 'console csrf ok'"
check "the refused ones were not journaled" sh -c "! grep -q 'no csrf\|bad csrf' '$T/j'"
check "a guard's session may not set the mode: 403" [ "$(with -H "X-CSRF-Token: $csrf" -d '{"mode": "closed", "reason": "x"}' "$C/v1/mode")" = 403 ]
check "a bearer token needs no CSRF token" [ "$(rcurl c "$TOKEN_GUARD" -d '{"reason": "bearer"}' "$C/v1/lanes/ped/open")" = 200 ]
check "a forged cookie: 401" [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/tls/ca.crt" -b "session=$(printf '%064d' 7)" "$C/v1/status")" = 401 ]
check "sign out without the CSRF token: 403" [ "$(with -X DELETE "$C/v1/session")" = 403 ]
check "sign out: 200" [ "$(with -X DELETE -H "X-CSRF-Token: $csrf" "$C/v1/session")" = 200 ]
check "the cookie after sign-out: 401" [ "$(with "$C/v1/status")" = 401 ]
check "GET /v1/session after sign-out: signed_in false" sh -c "[ \"\$(curl -s -o '$T/body' -w '%{http_code}' --cacert '$T/tls/ca.crt' -b '$jar' '$C/v1/session')\" = 200 ] && grep -q '\"signed_in\":false' '$T/body'"
journal c >"$T/j"
check "sign-in and sign-out journaled (kind auth)" sh -c "cat '$T/j' | grep '\"kind\": \"auth\"' | grep 'token:guardhouse' | grep -q signed-out"
check "a bad token at sign-in: 401" [ "$(signin wrong --interface 127.0.0.3)" = 401 ]
for i in 2 3 4 5; do signin wrong --interface 127.0.0.3 >/dev/null; done
check "the 6th failure from one address: 429" [ "$(signin "$TOKEN_ADMIN" --interface 127.0.0.3)" = 429 ]
journal c >"$T/j"
check "the failures journaled once, and the block" sh -c "[ \$(cat '$T/j' | grep '\"kind\": \"auth\"' | grep -c '127.0.0.3') -eq 2 ]"
check "the Unix socket has no sessions: 404" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --unix-socket '$L' http://gate/v1/session)\" = 404 ]"

# ---- the browser -----------------------------------------------------------
if [ -n "${CONSOLE_NO_BROWSER:-}" ]; then
	echo "SKIP: the browser (CONSOLE_NO_BROWSER set)"
	remote_finish
fi
for need in /usr/bin/chromium node npm; do
	command -v "$need" >/dev/null || { fail "$need is installed (scripts/install-deps all)"; remote_finish; }
done
if [ ! -d "$top/tests/browser/node_modules/puppeteer-core" ]; then
	(cd "$top/tests/browser" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null) ||
	    { fail "npm ci in tests/browser"; remote_finish; }
fi
ART=$top/$BUILD/test-artifacts/console
mkdir -p "$ART"
URL=$C ART=$ART SOCK=$L GATECTL=$GATECTL \
    TOKEN_ADMIN=$TOKEN_ADMIN TOKEN_GUARD=$TOKEN_GUARD TOKEN_VIEWER=$TOKEN_VIEWER \
    CONSOLE_DIR=$CONSOLE timeout 180 node "$top/tests/browser/console.mjs" 2>&1 | tee "$T/browser.out"
failures=$((failures + $(grep -c '^FAIL' "$T/browser.out")))
grep -q '^PASS: the browser test ran to its end' "$T/browser.out" || fail "the browser test ran to its end"
journal c >"$T/j"
check "the journal shows the operator of the page's acknowledgement" sh -c "cat '$T/j' | grep '\"kind\": \"ack\"' | grep 'token:guardhouse' | grep -q 'fever checked at the booth'"
remote_finish
