#!/usr/bin/env bash
# server_game_idle_player_closed: a player that sends no MOVE and no PING for --idle-timeout gets a
# BYE naming it and a graceful close; one that keeps moving stays in the game.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

start_server --proto game --idle-timeout 2
bg moving "$PROBE" linger "$SERVER_PORT" moving 6000
mover=$BG_PID
probe idle linger idle 8000
cat "$TMP/idle.out"
expect_line "$TMP/idle.out" "^BYE: idle for 2 s \(--idle-timeout\)$" "no BYE for the idle player"
closed_within "$TMP/idle.out" 1900 5000 "the idle player"
wait "$mover"
cat "$TMP/moving.out"
expect_line "$TMP/moving.out" "^then: still open after" "the moving player was closed"
pass "idle player: BYE and EOF after $CLOSED_MS ms; the moving one stayed"
