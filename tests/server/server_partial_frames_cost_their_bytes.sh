#!/usr/bin/env bash
# server_partial_frames_cost_their_bytes: 2000 game connections that each send one byte of a frame
# cost the server about what idle ones do, not a whole frame buffer each (4 KiB): the buffer of a
# cut frame grows with the bytes that came. Measured as the server's RSS growth per connection.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
[ -r /proc/self/status ] || skip "needs /proc"

N=2000
# All from 127.0.0.1: more than --max-per-source allows by default.
start_server --proto game --quiet --max-per-source 0 --stats 1
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; } # KiB
wait_for "$TMP/server.out" "stats: 0 connections" 5
r0=$(rss)
bg hold "$PROBE" onebyte "$SERVER_PORT" $N 4000
wait_for "$TMP/hold.out" "$N connections sent one byte" 20
wait_for "$TMP/server.out" "stats: $N connections" 5
sleep 0.5
r1=$(rss)
per=$(( (r1 - r0) * 1024 / N ))
note "RSS $r0 KiB before, $r1 KiB with $N one-byte connections: $per bytes each"
[ "$per" -lt 1024 ] || fail "$per bytes of RSS per connection that sent one byte (a whole frame buffer each?)"
pass "$per bytes per connection holding one byte of a frame"
