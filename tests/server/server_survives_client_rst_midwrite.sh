#!/usr/bin/env bash
# server_survives_client_rst_midwrite: clients that stop reading until the echo server's output
# backs up, then reset (SO_LINGER {1,0}), end only their own connection: no SIGPIPE death, and
# the next client is served.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd nc ss

start_server --proto echo
probe rst rst 3
wait_for "$TMP/server.out" "conn 3: closed: peer reset the connection" 5
kill -0 "$SERVER_PID" 2>/dev/null || fail "server died"
out=$(echo after | timeout 5 nc -N 127.0.0.1 "$SERVER_PORT") || fail "nc after the resets failed"
[ "$out" = after ] || fail "echo after the resets came back as '$out'"
pass "3 resets mid-write logged as peer resets; server still echoes"
