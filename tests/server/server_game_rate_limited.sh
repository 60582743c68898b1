#!/usr/bin/env bash
# server_game_{chat,ping,move}_rate_limited KIND: a player that floods frames of one kind as fast as
# the server takes them is held to the kind's rate - frames past a burst dropped, and once it keeps
# on, an ERROR naming the limit and a close. CHAT, which the server multiplies by the room, must not
# reach the room beyond the burst; PING's PONGs are bounded the same way. A CHAT longer than
# --chat-max is an ERROR at once.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
KIND=${2:?the kind: chat, ping or move}

start_server --proto game --stats 1
probe flood rateflood "$KIND" 3000
cat "$TMP/flood.out"
case $KIND in
chat) want="CHAT faster than 5 a second \(--chat-rate\)" ;;
ping) want="PING faster than 20 a second \(--ping-rate\)" ;;
move) want="MOVE faster than 60 a second \(--move-rate\)" ;;
esac
expect_line "$TMP/flood.out" "^ERROR: $want$" "no ERROR naming the rate limit"
expect_line "$TMP/flood.out" "^then: (EOF|RST)" "the flooder was not closed"
answers=$(sed -nE 's/.*; ([0-9]+) PONG or CHAT came back to the sender$/\1/p' "$TMP/flood.out")
[ "${answers:-0}" -le 100 ] || fail "$answers answers came back: the flood was served"
if [ "$KIND" = chat ]; then
    got=$(sed -nE "s/^the room's other player got ([0-9]+) CHAT frames$/\1/p" "$TMP/flood.out")
    [ -n "$got" ] && [ "$got" -le 40 ] || fail "the room got ${got:-?} CHAT frames from one flooder"
    probe long rateflood longchat 1000
    expect_line "$TMP/long.out" "^ERROR: CHAT of 1000 bytes, longer than 256 \(--chat-max\)$" "a long CHAT was not refused"
fi
wait_for "$TMP/server.out" "over a rate [1-9][0-9]* dropped and 1 closed" 3
pass "$KIND flood: $(grep '^ERROR' "$TMP/flood.out" | head -1); $answers answers"
