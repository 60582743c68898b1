#!/usr/bin/env bash
# server_lesson_session_line_bounded: in lesson mode no thread is spent on a connection before its
# session line: 100 silent connections leave the server with its one thread, and are closed once
# the line's time (5 s) has passed; garbage gets ERR and is closed; a line too long is closed. All
# are logged and counted as refused, and a real bot is served throughout.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd nc ss
[ -r /proc/self/status ] || skip "needs /proc"

start_server --lesson close-graceful
threads() { awk '/^Threads:/ {print $2}' "/proc/$SERVER_PID/status"; }
bg silent "$PROBE" silent "$SERVER_PORT" 100 8000
wait_for "$TMP/silent.out" "100 silent connections open" 10
sleep 0.3
[ "$(threads)" = 1 ] || fail "$(threads) threads with 100 silent connections: a thread per connection"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 nc -q 2 127.0.0.1 "$SERVER_PORT" >"$TMP/http" 2>&1
grep -q "^ERR not a lesson session line" "$TMP/http" || { cat "$TMP/http"; fail "garbage got no ERR"; }
head -c 300 /dev/zero | tr '\0' x | timeout 5 nc -q 2 127.0.0.1 "$SERVER_PORT" >"$TMP/long" 2>&1
grep -q "^ERR not a lesson session line" "$TMP/long" || { cat "$TMP/long"; fail "a 300-byte line was not refused"; }
timeout 20 "$BOT" --lesson close-graceful --port "$SERVER_PORT" --quiet >"$TMP/bot.out" 2>&1 ||
    { cat "$TMP/bot.out"; fail "a real bot was not served among the silent connections"; }
wait_for "$TMP/server.out" "refused: no session line within the time allowed" 8
i=0
while [ "$(threads)" != 1 ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
[ "$(threads)" = 1 ] || fail "$(threads) threads after the run finished"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "exit status $? after SIGTERM"
expect_line "$TMP/server.out" "served 103 connections: lesson close-graceful, 1 sessions \(bots' runs\), 1 connection runs: .*; 102 refused" "no summary of the refusals"
pass "100 silent, garbage and an overlong line: no thread, ERR or closed; the bot served"
