#!/usr/bin/env bash
# server_echo_idle_closed: an echo connection with no input for --idle-timeout is closed (EOF; echo
# has no way to say why, the log does), while one that keeps sending stays and is echoed.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"
need_cmd nc

start_server --proto echo --idle-timeout 2
bg talker bash -c 'for i in 1 2 3 4 5 6 7 8; do echo "line $i"; sleep 0.5; done | timeout 10 nc -q 1 127.0.0.1 '"$SERVER_PORT"
talker=$BG_PID
probe silent linger silent 8000
cat "$TMP/silent.out"
closed_within "$TMP/silent.out" 1900 5000 "the silent echo connection"
wait "$talker"
[ "$(grep -c '^line ' "$TMP/talker.out")" = 8 ] || { cat "$TMP/talker.out"; fail "the talking connection was not echoed to the end"; }
wait_for "$TMP/server.out" "closed: idle" 3
pass "silent echo connection closed after $CLOSED_MS ms; a talking one echoed all 8 lines"
