#!/usr/bin/env bash
# server_game_rooms: players fill rooms of --room-size before a new room opens, and each player's
# STATE lists exactly the players of its room (5 players, rooms of 2: 2, 2 and 1).
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd ss

start_server --proto game --room-size 2 --tick-hz 50
probe rooms rooms 5
cat "$TMP/rooms.out"
got=$(sed -n 's/^player [0-9]*: \(-\{0,1\}[0-9]*\) in room$/\1/p' "$TMP/rooms.out" | tr '\n' ' ')
[ "$got" = "2 2 2 2 1 " ] || fail "room head counts were '$got', expected '2 2 2 2 1 '"
pass "rooms of 2 filled in order: $got"
