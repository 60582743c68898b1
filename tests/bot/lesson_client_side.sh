#!/usr/bin/env bash
# bot_runs_lesson_client_side: socklab-bot --lesson runs one lesson's client side against
# socklab-server --lesson and prints its report (text, or JSON with --json); exit 0 when it passed.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq ss
[ -x "$SERVER" ] || fail "socklab-server not built"

start_server --lesson close-graceful
rc=0
timeout 30 "$BOT" --lesson close-graceful --port "$SERVER_PORT" --json --quiet >"$TMP/out.json" 2>"$TMP/err" || rc=$?
cat "$TMP/err"
jq -e '.lesson == "close-graceful"' "$TMP/out.json" >/dev/null || { cat "$TMP/out.json"; fail "no JSON lesson report"; }
[ "$rc" = 0 ] || fail "exit status $rc, expected 0"
jq -e '.pass == true' "$TMP/out.json" >/dev/null || fail "the lesson's client side did not pass"
pass "close-graceful client side: $(jq -c '[.checks[] | select(.pass == true) | .id]' "$TMP/out.json") passed"
