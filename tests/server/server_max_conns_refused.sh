#!/usr/bin/env bash
# server_max_conns_refused: at --max-conns, a newcomer is refused with an ERROR naming the cap and a
# graceful close, and --stats counts it - unless a connection that has not greeted is there to be
# shed for it: greeted players are never pushed out, silent sockets are.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

start_server --proto game --max-conns 3 --stats 1
bg m1 "$PROBE" linger "$SERVER_PORT" moving 8000
bg m2 "$PROBE" linger "$SERVER_PORT" moving 8000
bg m3 "$PROBE" linger "$SERVER_PORT" moving 3000
i=0
while [ "$(grep -c 'HELLO from' "$TMP/server.out")" != 3 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ "$(grep -c 'HELLO from' "$TMP/server.out")" = 3 ] || fail "the three players did not all join"
probe full player
cat "$TMP/full.out"
expect_line "$TMP/full.out" "^ERROR: server full: 3 connections \(--max-conns\)$" "no ERROR for the 4th connection"
expect_line "$TMP/full.out" "^then: EOF" "the refusal was not a graceful close"
wait_for "$TMP/server.out" "limits: refused 1 \(full 1\)" 3
# a player leaves (its close resets when STATE frames came after its last read); a silent socket takes its place
wait_for "$TMP/server.out" "conn [0-9]+: closed: peer (closed|reset)" 6 # whichever of them stays 3 s
bg silent "$PROBE" silent "$SERVER_PORT" 1 5000
wait_for "$TMP/silent.out" "1 silent connections open" 5
sleep 1
probe room player
cat "$TMP/room.out"
expect_line "$TMP/room.out" "^WELCOME after" "the silent socket was not shed for a player"
expect_line "$TMP/server.out" "closed: shed: not greeted yet, and the server is full \(--max-conns\)" "nothing shed"
pass "full of players: refused with ERROR; a silent socket shed for a player"
