#!/usr/bin/env bash
# server_game_partial_frame_deadline: a player that sends the first 3 bytes of a 7-byte MOVE and
# then nothing (a slowloris) gets an ERROR naming the deadline and a graceful close once
# --frame-timeout (default 5 s) has passed since the frame began; it does not stay open.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

start_server --proto game
probe half linger half 12000
cat "$TMP/half.out"
expect_line "$TMP/half.out" "^ERROR: frame not completed within 5 s: 3 bytes of it came \(--frame-timeout\)$" "no ERROR"
closed_within "$TMP/half.out" 4900 8000 "half a frame"
wait_for "$TMP/server.out" "closed: a frame not completed in time" 3
pass "half a frame: ERROR and EOF after $CLOSED_MS ms"
