#!/usr/bin/env bash
# server_many_connections: 300 echo connections open at once are all served, in bounded time, and
# --quiet keeps the per-connection lines out of the log.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd ss

# All 300 come from 127.0.0.1: more than --max-per-source allows by default.
start_server --proto echo --quiet --max-per-source 0
probe many many 300
expect_line "$TMP/many.out" "^300 of 300 echoed correctly" "not all connections echoed"
grep -q "conn [0-9]" "$TMP/server.out" && fail "--quiet still logged per-connection lines"
kill -0 "$SERVER_PID" 2>/dev/null || fail "server died"
pass "$(tail -1 "$TMP/many.out")"
