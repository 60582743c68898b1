#!/usr/bin/env bash
# bot_lesson_refused_busy_exits_2: socklab-server --lesson serves --max-lesson-runs runs at once; a
# bot that comes while they are all under way is told so by the session line. With --busy-wait 0
# socklab-bot prints that one line and exits 2 (a setup error) - no check list, never PASS; by
# default it says it waits, tries again every 250 ms and runs once a run has finished. The run under
# way is not disturbed.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd ss

start_server --lesson close-linger --max-lesson-runs 1
bg first "$BOT" --lesson close-linger --port "$SERVER_PORT" --quiet
first=$BG_PID
wait_for "$TMP/server.out" "conn 1: lesson close-linger, connection 1 of 1" 5
rc=0
timeout 20 "$BOT" --lesson close-linger --port "$SERVER_PORT" --busy-wait 0 --quiet >"$TMP/out" 2>"$TMP/err" || rc=$?
cat "$TMP/err"
[ "$rc" = 2 ] || { cat "$TMP/out"; fail "exit status $rc, expected 2"; }
[ ! -s "$TMP/out" ] || { cat "$TMP/out"; fail "a refused run printed a report"; }
[ "$(wc -l <"$TMP/err")" = 1 ] || fail "not one line on stderr"
grep -qx "socklab-bot: lesson close-linger at 127.0.0.1:$SERVER_PORT: the server refused the lesson: busy: 1 lesson runs under way (--max-lesson-runs 1); try again in a moment" "$TMP/err" ||
    fail "the line does not name the cause"
# the same while the first run still holds the server, waiting its turn this time
rc=0
timeout 30 "$BOT" --lesson close-linger --port "$SERVER_PORT" >"$TMP/out2" 2>"$TMP/err2" || rc=$?
wait "$first" || { cat "$TMP/first.out"; fail "the run under way failed"; }
grep -q "^result: PASS" "$TMP/first.out" || fail "the run under way did not pass"
[ "$rc" = 0 ] || { cat "$TMP/err2" "$TMP/out2"; fail "the waiting bot: exit status $rc"; }
grep -q "close-linger: the server is busy (.*): connection 1 again in 250 ms" "$TMP/err2" ||
    { cat "$TMP/err2"; fail "the waiting bot did not say it waits"; }
grep -q "^result: PASS" "$TMP/out2" || fail "the waiting bot's run did not pass"
pass "--busy-wait 0: one line naming 'busy', exit 2; by default the bot waited its turn and passed"
