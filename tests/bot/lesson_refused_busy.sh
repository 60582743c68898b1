#!/usr/bin/env bash
# bot_lesson_refused_busy_exits_2: socklab-server --lesson serves --max-lesson-runs runs at once; a
# bot that comes while they are all under way is told so by the session line, and socklab-bot
# prints that one line and exits 2 (a setup error) - no check list, never PASS. The run under way
# is not disturbed.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd ss

start_server --lesson close-linger --max-lesson-runs 1
bg first "$BOT" --lesson close-linger --port "$SERVER_PORT" --quiet
first=$BG_PID
wait_for "$TMP/server.out" "conn 1: lesson close-linger, connection 1 of 1" 5
rc=0
timeout 20 "$BOT" --lesson close-linger --port "$SERVER_PORT" --quiet >"$TMP/out" 2>"$TMP/err" || rc=$?
cat "$TMP/err"
[ "$rc" = 2 ] || { cat "$TMP/out"; fail "exit status $rc, expected 2"; }
[ ! -s "$TMP/out" ] || { cat "$TMP/out"; fail "a refused run printed a report"; }
[ "$(wc -l <"$TMP/err")" = 1 ] || fail "not one line on stderr"
grep -qx "socklab-bot: lesson close-linger at 127.0.0.1:$SERVER_PORT: the server refused the lesson: busy: 1 lesson runs under way (--max-lesson-runs 1); try again in a moment" "$TMP/err" ||
    fail "the line does not name the cause"
wait "$first" || { cat "$TMP/first.out"; fail "the run under way failed"; }
grep -q "^result: PASS" "$TMP/first.out" || fail "the run under way did not pass"
pass "the second bot: one line naming 'busy', exit 2; the first run passed"
