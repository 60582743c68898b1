#!/usr/bin/env bash
# server_stats_and_tick_summary: with --stats 1 a game server logs a figures line every second
# (connections, players and rooms, bytes/s, CPU, RSS, the ticks' work and lateness), and at shutdown
# it sums the run up: how many ticks ran, their work p50/p99/max and how late they started, and
# the process's CPU time, peak RSS and open-files limit.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd ss

start_server --proto game --quiet --stats 1 --room-size 16
timeout 30 "$BOT" --count 20 --duration 2 --port "$SERVER_PORT" --quiet >"$TMP/bot.txt" || fail "bots failed: $(cat "$TMP/bot.txt")"
wait_for "$TMP/server.out" "stats: [0-9]+ connections, in [0-9]+ B/s, out [0-9]+ B/s, CPU [0-9]+% of one core, RSS [0-9.]+ MiB; [0-9]+ players in [0-9]+ rooms; [0-9]+ ticks: work p50 [0-9.]+ ms p99 [0-9.]+ ms max [0-9.]+ ms, late p99 [0-9.]+ ms max [0-9.]+ ms" 5
grep -qE "stats: 20 connections, .*; 20 players in 2 rooms;" "$TMP/server.out" ||
    fail "no stats line saw the 20 players in 2 rooms of 16"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exit status $?"
cat "$TMP/server.out"
line=$(grep -E "^socklab-server: tick: [0-9]+ ticks at 20 Hz \(every 50.0 ms\): work p50 [0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+ ms \([0-9]+ over 50.0 ms\); started late p50 [0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+ ms$" "$TMP/server.out") ||
    fail "no tick summary at shutdown"
ticks=$(sed -E 's/.*tick: ([0-9]+) ticks.*/\1/' <<<"$line")
[ "$ticks" -ge 20 ] || fail "only $ticks ticks in more than 2 s at 20 Hz"
grep -qE "^socklab-server: process: [0-9.]+ s CPU in [0-9.]+ s \([0-9]+% of one core\), peak RSS [0-9.]+ MiB, open-files limit [0-9]+$" "$TMP/server.out" ||
    fail "no process summary at shutdown"
pass "stats lines every second; $ticks ticks summed up at shutdown"
