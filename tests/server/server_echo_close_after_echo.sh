#!/usr/bin/env bash
# server_echo_close_after_echo: with --close-after-echo the server echoes a connection's first read
# and then closes first (gracefully: the client still gets the whole echo, then EOF), so the
# TIME_WAIT is the server's: it sits on the server's port, not on the client's.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd nc ss

start_server --proto echo --close-after-echo
out=$(printf 'once\n' | timeout 5 nc 127.0.0.1 "$SERVER_PORT") || fail "nc failed or hung (exit $?)"
[ "$out" = once ] || fail "echo came back as '$out'"
wait_for "$TMP/server.out" "conn 1: closed: echoed its first read \(--close-after-echo\) \(in 5 B, out 5 B\)" 5
tw=$(ss -Htan state time-wait "( sport = :$SERVER_PORT )" | wc -l)
note "TIME_WAIT sockets on the server's port $SERVER_PORT: $tw"
[ "$tw" -ge 1 ] || { ss -tan "( sport = :$SERVER_PORT or dport = :$SERVER_PORT )" >&2; fail "no TIME_WAIT on the server's side"; }
kill -0 "$SERVER_PID" 2>/dev/null || fail "server died"
pass "the server echoed, closed first, and holds the TIME_WAIT"
