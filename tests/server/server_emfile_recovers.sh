#!/usr/bin/env bash
# server_emfile_recovers: with 64 descriptors and 100 clients the server runs out (EMFILE), pauses
# its listener instead of spinning on accept, and serves a new client once the others close.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd ss

SERVER_PORT=$(free_port)
bg server bash -c 'ulimit -n 64 && exec "$0" "$@"' "$SERVER" --port "$SERVER_PORT" --proto echo --quiet
SERVER_PID=$BG_PID
wait_for "$TMP/server.out" "listening on" 10

probe emfile emfile 100 1500
cat "$TMP/emfile.out"
expect_line "$TMP/server.out" "pausing accepts" "no EMFILE pause logged"
wait_for "$TMP/server.out" "accepting again" 5
# A listener that spins on EMFILE burns a CPU for the whole 1.5 s hold; a paused one almost nothing.
if [ -r "/proc/$SERVER_PID/stat" ]; then
    ticks=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    hz=$(getconf CLK_TCK)
    note "server CPU time: $ticks ticks of 1/$hz s"
    [ "$ticks" -lt $((hz / 2)) ] || fail "server used $ticks/$hz s of CPU: spinning on accept?"
fi
kill -0 "$SERVER_PID" 2>/dev/null || fail "server died"
pass "EMFILE paused the listener; a new connection was served afterwards"
