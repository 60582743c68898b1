#!/usr/bin/env bash
# bot_300_bots_all_play_at_once: 300 game bots against socklab-server are all connected and playing
# at the same time, end 'done', and report what the 10,000-bot run reports: connect and first-reply
# times, STATE latency (same machine, so the server's time stamps are on our clock), tick intervals
# and the spacing of the server's stamps, bytes/s, the bots' own timer lag and CPU, and the window
# in which all 300 played. No speed thresholds: the figures must be there and consistent, not fast
# (the one loose bound says the stamps are the 20 Hz tick's, not garbage).
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq ss

# All 300 bots come from 127.0.0.1: more than --max-per-source allows by default.
start_server --proto game --quiet --max-per-source 0
rc=0
timeout 60 "$BOT" --count 300 --duration 2 --port "$SERVER_PORT" --quiet --json >"$TMP/out.json" || rc=$?
jq -e . "$TMP/out.json" >/dev/null || fail "stdout is not one JSON object"
[ "$rc" = 0 ] || fail "exit status $rc, expected 0"
j() { jget "$TMP/out.json" "$1"; }
[ "$(j .connected)" = 300 ] || fail "$(j .connected) of 300 bots connected"
[ "$(j .ends.done)" = 300 ] || fail "$(j .ends.done) of 300 bots ended 'done': $(jq -c .ends "$TMP/out.json")"
jq -e '.connect_ms.p50 > 0 and .connect_ms.p99 >= .connect_ms.p50' "$TMP/out.json" >/dev/null || fail "no connect times"
jq -e '.reply_ms.samples == 300 and .reply_ms.p50 >= .connect_ms.p50' "$TMP/out.json" >/dev/null ||
    fail "first-reply times missing, or shorter than the connect they follow"
[ "$(j .tick_latency)" = measured ] || fail "tick latency not measured on loopback: $(j .tick_latency)"
jq -e '.tick_latency_us.p50 > 0 and .tick_latency_us.p99 >= .tick_latency_us.p50' "$TMP/out.json" >/dev/null ||
    fail "no STATE latency"
jq -e '.tick_interval_us.p50 > 0 and .bytes_received_per_s > 0 and .bytes_sent_per_s > 0' "$TMP/out.json" >/dev/null ||
    fail "no tick intervals or bytes/s"
# the server's own stamps: about 1/20 s apart (libevent keeps a late timer's period)
jq -e '.tick_spacing_us.p50 > 25000 and .tick_spacing_us.p50 < 100000' "$TMP/out.json" >/dev/null ||
    fail "the server's tick stamps are not about 50 ms apart: $(jq -c .tick_spacing_us "$TMP/out.json")"
jq -e '.timer_lag_us.samples > 0 and .bot_cpu_s > 0' "$TMP/out.json" >/dev/null || fail "no timer lag or CPU figure"
jq -e '.all_playing != null and .all_playing.seconds > 0 and .all_playing.tick_latency_us.samples > 0' "$TMP/out.json" >/dev/null ||
    fail "the 300 bots were never all playing at once: $(jq -c .all_playing "$TMP/out.json")"
# PINGs ride with MOVEs: as many PINGs as --ping-hz asks for, give or take one per bot
jq -e '.pings_sent >= 300 * 2 * 2 - 300 and .pings_sent <= 300 * 2 * 2 + 300' "$TMP/out.json" >/dev/null ||
    fail "$(j .pings_sent) PINGs sent, expected about 1200 (2 s at 2 Hz by 300 bots)"
pass "300 bots all played for $(j .all_playing.seconds) s at once; STATE latency p50 $(j .tick_latency_us.p50) us"
