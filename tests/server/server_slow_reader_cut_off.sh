#!/usr/bin/env bash
# server_slow_reader_cut_off: a game client that stops reading while its room chats has the CHATs
# pile up; once its pending output passes --max-outbuf the server cuts it off with a logged reason,
# and the rest of the room is still served.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd ss

# CHAT unlimited in size and rate: what piles up here is the room's output, not the chatter's input
# (the limits on that have their own tests).
start_server --proto game --max-outbuf 65536 --chat-rate 0 --chat-max 4095
probe slowroom slowroom 32
cat "$TMP/slowroom.out"
wait_for "$TMP/server.out" \
    "conn 1: closed: cut off: [0-9]+ bytes of output pending, over --max-outbuf 65536 \(peer not reading\)" 5
grep -q "conn 2: closed: cut off" "$TMP/server.out" && fail "the reading client was cut off too"
pass "$(grep 'cut off' "$TMP/server.out")"
