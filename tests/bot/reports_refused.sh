#!/usr/bin/env bash
# bot_reports_refused: connecting to a port nothing listens on: every bot ends 'refused'
# (ECONNREFUSED), none connected, exit status 1, and no crash.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq ss

PORT=$(free_port)
rc=0
timeout 20 "$BOT" --count 10 --duration 1 --port "$PORT" --json >"$TMP/out.json" 2>"$TMP/err" || rc=$?
cat "$TMP/err"
[ "$rc" = 1 ] || fail "exit status $rc, expected 1"
jq -c . "$TMP/out.json" || fail "stdout is not one JSON object"
[ "$(jget "$TMP/out.json" .ends.refused)" = 10 ] || fail "not every bot ended 'refused'"
[ "$(jget "$TMP/out.json" .connected)" = 0 ] || fail "a bot counted as connected"
jq -e '.end_details[] | select(.end == "refused") | .detail | test("ECONNREFUSED")' "$TMP/out.json" >/dev/null ||
    fail "the refusal does not name ECONNREFUSED"
# and the human report says the same
timeout 20 "$BOT" --count 3 --port "$PORT" --quiet >"$TMP/out.txt" 2>&1
[ $? = 1 ] || fail "text mode: exit status not 1"
grep -qE '^ +refused +3 +ECONNREFUSED' "$TMP/out.txt" || { cat "$TMP/out.txt"; fail "text report has no 'refused 3' row"; }
pass "10 bots refused, exit 1"
