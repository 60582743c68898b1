#!/usr/bin/env bash
# server_sigterm_drains: SIGTERM stops the server within 3 s with exit 0 and a summary line, even
# with an idle client and a client that stopped reading (its output gives up after 2 s).
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd nc ss

start_server --proto echo
bg idle nc -d 127.0.0.1 "$SERVER_PORT"
bg stuck "$PROBE" stuff "$SERVER_PORT" 20000
wait_for "$TMP/stuck.out" "not reading" 20
wait_for "$TMP/server.out" "conn 2: accepted" 5

kill -TERM "$SERVER_PID"
i=0
while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 "$SERVER_PID" 2>/dev/null && fail "server still running 3 s after SIGTERM"
wait "$SERVER_PID"; rc=$?
[ $rc = 0 ] || fail "exit status $rc after SIGTERM"
expect_line "$TMP/server.out" "^socklab-server: SIGTERM: stopping \(2 connections open\)" "no stop line"
expect_line "$TMP/server.out" "^socklab-server: shutdown: output still pending after 2000 ms" \
    "no line for the drain time-out"
expect_line "$TMP/server.out" "^socklab-server: served 2 connections, [0-9]+ bytes in, [0-9]+ bytes out$" \
    "no summary line"
pass "exit 0 after $((i * 50)) ms with: $(tail -1 "$TMP/server.out")"
