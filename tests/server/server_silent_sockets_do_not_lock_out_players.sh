#!/usr/bin/env bash
# server_silent_sockets_do_not_lock_out_players: with 64 descriptors, 60 connections that never say
# HELLO take them all; a player that connects next still gets its WELCOME at once, long before the
# HELLO deadline (5 s) frees anything: when accept() runs out of descriptors the server sheds the
# oldest connection that has not greeted.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

SERVER_PORT=$(free_port)
bg server bash -c 'ulimit -n 64 && exec "$0" "$@"' "$SERVER" --port "$SERVER_PORT" --proto game
SERVER_PID=$BG_PID
wait_for "$TMP/server.out" "listening on" 10
bg silent "$PROBE" silent "$SERVER_PORT" 60 6000
wait_for "$TMP/silent.out" "60 silent connections open" 10
sleep 1 # older than the shedding grace (500 ms), younger than the HELLO deadline
probe player player
cat "$TMP/player.out"
expect_line "$TMP/player.out" "^WELCOME after [0-9]+ ms$" "the player got no WELCOME while silent sockets held the descriptors"
ms=$(sed -nE 's/^WELCOME after ([0-9]+) ms$/\1/p' "$TMP/player.out")
[ "$ms" -lt 2000 ] || fail "WELCOME after $ms ms: not by shedding (the HELLO deadline frees descriptors at 5 s)"
expect_line "$TMP/server.out" "closed: shed: not greeted yet, and descriptors ran short" "nothing shed"
pass "WELCOME after $ms ms with 60 silent connections on 64 descriptors"
