#!/usr/bin/env bash
# server_oversize_frame_error: a frame with len 5000 (> 4096) gets one ERROR frame naming the
# problem, then an orderly close: EOF, not a reset, even though the client's 5000 bytes were unread.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd ss

start_server --proto game
probe oversize oversize
expect_line "$TMP/oversize.out" "^ERROR: frame too large: len 5000 > 4096$" "no ERROR with the reason"
expect_line "$TMP/oversize.out" "^then: EOF$" "the ERROR was not followed by EOF"
wait_for "$TMP/server.out" "conn 1: protocol error: frame too large: len 5000 > 4096" 5
[ "$(grep -c "protocol error:" "$TMP/server.out")" = 1 ] || fail "expected one log line for the error"
kill -0 "$SERVER_PID" 2>/dev/null || fail "server died"
pass "ERROR 'frame too large: len 5000 > 4096', then EOF"
