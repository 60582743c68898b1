#!/usr/bin/env bash
# server_survives_garbage: the game server takes random bytes (raw, after a valid HELLO, and random
# frames with plausible headers) without dying, and a normal client is served afterwards.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd nc ss

start_server --proto game --quiet
for i in 1 2 3 4; do
    head -c 65536 /dev/urandom | timeout 10 nc -N 127.0.0.1 "$SERVER_PORT" > /dev/null 2>&1
done
for seed in 1 2 3 4 5 6; do
    probe garbage garbage "$seed" 65536
    probe garbage garbage "$seed" 65536 hello
done
kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.out" >&2; fail "server died"; }
probe hello hello
expect_line "$TMP/hello.out" "^WELCOME id=" "no WELCOME"
expect_line "$TMP/hello.out" "^PONG ok" "no PONG"
pass "16 garbage connections, then WELCOME and PONG for a normal client"
