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
ms=$(sed -nE 's/^then: EOF after ([0-9]+) ms.*/\1/p' "$TMP/half.out")
[ -n "$ms" ] || fail "the server did not close the connection gracefully"
[ "$ms" -ge 4900 ] && [ "$ms" -le 8000 ] || fail "closed after $ms ms, not 5 to 7 s"
wait_for "$TMP/server.out" "closed: a frame not completed in time" 3
pass "half a frame: ERROR and EOF after $ms ms"
