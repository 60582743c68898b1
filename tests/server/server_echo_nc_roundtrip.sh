#!/usr/bin/env bash
# server_echo_nc_roundtrip: the echo server returns exactly what netcat sends, and when netcat
# half-closes (nc -N) the server finishes the echo and closes, so nc exits on its own.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd nc ss

start_server --proto echo
out=$(printf 'hello socklab\nsecond line\n' | timeout 5 nc -N 127.0.0.1 "$SERVER_PORT") \
    || fail "nc failed or hung (exit $?)"
[ "$out" = $'hello socklab\nsecond line' ] || fail "echo came back as '$out'"
wait_for "$TMP/server.out" "conn 1: closed: peer closed \(in 26 B, out 26 B\)" 5
kill -0 "$SERVER_PID" 2>/dev/null || fail "server died"
pass "nc got both lines back and the server logged a clean close"
