#!/usr/bin/env bash
# server_lesson_mode: socklab-server --lesson NAME serves the server side of a lesson once per
# accepted connection (half-close makes 2 per run), each on its own thread, and prints one whole
# JSON report per connection on stdout; SIGTERM waits for the runs and exits 0 with a summary.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd jq ss

SERVER_PORT=$(free_port)
"$SERVER" --port "$SERVER_PORT" --lesson half-close --json > "$TMP/reports.out" 2> "$TMP/server.out" &
SERVER_PID=$!
_BG_PIDS+=("$SERVER_PID")
wait_for "$TMP/reports.out" "^socklab-server: listening on 127.0.0.1:$SERVER_PORT \(lesson half-close\)$" 10

probe client lesson half-close
# Both reports are printed when their threads finish, just after the client's last close.
reports() { tail -n +2 "$TMP/reports.out"; }
i=0
while [ "$(reports | jq -s length 2>/dev/null)" != 2 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
reports | jq -e -s 'length == 2 and all(.[]; .lesson == "half-close" and .pass == true)' > /dev/null \
    || { cat "$TMP/reports.out" >&2; fail "expected 2 passing half-close reports as JSON"; }
expect_line "$TMP/server.out" "conn 2: lesson half-close, connection 2 of 2" "second connection not logged"

kill -TERM "$SERVER_PID"
i=0
while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
wait "$SERVER_PID"; rc=$?
[ $rc = 0 ] || fail "exit status $rc after SIGTERM"
expect_line "$TMP/server.out" "served 2 connections: lesson half-close, 1 sessions \(bots' runs\), 2 connection runs: 2 passed, 0 failed, 0 not evaluated here" "no summary"
pass "2 JSON reports, both passing; clean exit"
