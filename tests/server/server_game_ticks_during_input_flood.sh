#!/usr/bin/env bash
# server_game_ticks_during_input_flood: a player that floods MOVE frames, so that there is always
# input to read, must not stop the room's STATE ticks, whatever decides when a due tick runs
# (server/room.c: libevent's order; a tick that waited for input to run dry would starve here).
# The bound is a liveness one (a quarter of the ticks due), not a speed goal: starved ticks give 0.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

# --move-rate 0: no MOVE rate limit, or the flooder would be closed (server_game_move_rate_limited)
# instead of keeping the server's input busy.
start_server --proto game --tick-hz 50 --move-rate 0
probe flood flood 1000
cat "$TMP/flood.out"
got=$(sed -n 's/.*watcher got \([0-9]*\) STATE frames of \([0-9]*\) ticks due$/\1 \2/p' "$TMP/flood.out")
[ -n "$got" ] || fail "the probe did not report its count"
read -r states due <<<"$got"
[ "$due" -gt 0 ] || fail "no ticks were due: the WELCOME's tick rate did not arrive"
[ "$states" -ge $((due / 4)) ] || fail "only $states STATE frames of $due ticks due while another player flooded input"
pass "$states STATE frames of $due ticks due while another player flooded MOVE frames"
