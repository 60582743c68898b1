#!/usr/bin/env bash
# server_protocol_error_stops_reading: after a protocol error the server parses nothing more: it
# sends ERROR, closes its side and reads away at most 64 KiB; a client that keeps pushing data is
# closed at once, so what the server read stays far below what the client tried to send.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

start_server --proto game
probe bad rateflood bad 3000
cat "$TMP/bad.out"
expect_line "$TMP/bad.out" "^ERROR: unknown frame type 42$" "no ERROR for the bad frame"
wait_for "$TMP/server.out" "conn 1: closed: .*\(in [0-9]+ B" 5
grep "conn 1: closed" "$TMP/server.out"
in=$(sed -nE 's/.*conn 1: closed: .*\(in ([0-9]+) B.*/\1/p' "$TMP/server.out")
[ "$in" -le 1048576 ] || fail "the server read $in bytes after the protocol error"
pass "ERROR, then the server read $in bytes in all"
