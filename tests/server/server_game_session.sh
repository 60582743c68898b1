#!/usr/bin/env bash
# server_game_session: a game client's whole session: HELLO -> WELCOME (id, tick rate), PING ->
# PONG with the same timestamp, CHAT comes back through the room, a MOVE shows in a STATE tick,
# BYE -> the server closes (EOF). Also the HELLO rule: PING is answered before HELLO, MOVE is not.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd ss

start_server --proto game --tick-hz 50
probe hello hello
cat "$TMP/hello.out"
expect_line "$TMP/hello.out" "^WELCOME id=1 tick_hz=50$" "WELCOME does not carry id 1 and 50 Hz"
expect_line "$TMP/hello.out" "^BYE ok" "no close after BYE"
wait_for "$TMP/server.out" "conn 1: closed: peer said BYE" 5

probe rules rules
cat "$TMP/rules.out"
expect_line "$TMP/rules.out" "^ERROR: expected HELLO first, got MOVE$" "MOVE before HELLO not refused"
pass "WELCOME, PONG, CHAT, STATE, BYE; MOVE before HELLO refused"
