#!/usr/bin/env bash
# server_game_hello_deadline: a game connection that never says HELLO - one silent, one sending
# only PINGs (answered, but no greeting) - gets an ERROR naming the deadline and a graceful close
# (EOF) once --hello-timeout (default 5 s) has passed, within the sweep's second or two; it does
# not stay open. --stats counts both.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

start_server --proto game --stats 1
bg silent "$PROBE" linger "$SERVER_PORT" silent 12000
p1=$BG_PID
bg pings "$PROBE" linger "$SERVER_PORT" pings 12000
p2=$BG_PID
wait "$p1" "$p2" # each ends when the server closes it, or after 12 s
for c in silent pings; do
    cat "$TMP/$c.out"
    expect_line "$TMP/$c.out" "^ERROR: no HELLO within 5 s of connecting \(--hello-timeout\)$" "$c: no ERROR"
    closed_within "$TMP/$c.out" 4900 8000 "$c"
done
wait_for "$TMP/server.out" "timed out 2 \(HELLO 2\)" 3
pass "silent and PING-only connections closed with ERROR after the HELLO deadline"
