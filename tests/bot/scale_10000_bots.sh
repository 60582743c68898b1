#!/usr/bin/env bash
# bot_scale_10000_bots (label bench): the workshop-at-scale scenario. One socklab-server holds 10,000 game bots
# (MOVE at 10 Hz, STATE at 20 Hz in rooms of 16) until all of them play at once; every bot connects
# and ends 'done', and the figures are reported: connect and first-reply times, STATE latency and
# intervals, bytes/s, the server's tick work and lateness, its CPU and RSS. No timing thresholds:
# on a small machine the ticks fall behind, and the report says by how much.
#
# It is a load: it holds the lock the other load runs hold (SOCKLAB_LOAD_LOCK, default
# /tmp/socklab-load.lock), and pins the server to CPU 0 and the bots to CPU 1 when it can.
# SCALE_COUNT and SCALE_DURATION change the size (defaults 10000 bots, 25 s of play each).
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq ss
COUNT=${SCALE_COUNT:-10000}
DURATION=${SCALE_DURATION:-25}
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    PIN_SRV=(taskset -c 0) PIN_BOT=(taskset -c 1)
else
    PIN_SRV=() PIN_BOT=()
fi
LOCKFILE=${SOCKLAB_LOAD_LOCK:-/tmp/socklab-load.lock}

# The whole load under the lock: the server starts, the bots play, the server stops.
if command -v flock >/dev/null; then
    exec 9>>"$LOCKFILE"
    note "waiting for the load lock $LOCKFILE"
    flock 9
fi
SERVER_PORT=$(free_port)
# All 10,000 bots come from 127.0.0.1: no --max-per-source here.
"${PIN_SRV[@]}" "$SERVER" --port "$SERVER_PORT" --proto game --quiet --stats 5 --expect-conns "$COUNT" --max-per-source 0 \
    >"$TMP/server.out" 2>&1 9>&- &
SERVER_PID=$!
_BG_PIDS+=("$SERVER_PID")
wait_for "$TMP/server.out" "listening on" 10
rc=0
timeout $((DURATION + 240)) "${PIN_BOT[@]}" "$BOT" --count "$COUNT" --duration "$DURATION" --port "$SERVER_PORT" \
    --json >"$TMP/out.json" 2>"$TMP/err" 9>&- || rc=$?
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || echo "server exit status $?" >>"$TMP/server.out"
if command -v flock >/dev/null; then
    flock -u 9
    exec 9>&-
fi

grep -E "stats:|tick:|process:|served" "$TMP/server.out"
jq -e . "$TMP/out.json" >/dev/null || fail "the bot's stdout is not one JSON object: $(cat "$TMP/err")"
j() { jget "$TMP/out.json" "$1"; }
jq -c '{connected, ends, connect_ms, reply_ms, tick_latency_us, tick_interval_us, tick_spacing_us, bytes_received_per_s,
        bytes_sent_per_s, rtt_us, timer_lag_us, bot_cpu_pct, all_playing}' "$TMP/out.json"
[ "$(j .connected)" = "$COUNT" ] || fail "$(j .connected) of $COUNT bots connected"
[ "$(j .ends.done)" = "$COUNT" ] || fail "$(j .ends.done) of $COUNT bots ended 'done': $(jq -c .end_details "$TMP/out.json")"
[ "$rc" = 0 ] || fail "the bot's exit status was $rc"
jq -e '.all_playing != null' "$TMP/out.json" >/dev/null ||
    fail "the server never held all $COUNT at once (a bot finished before the last joined): raise SCALE_DURATION"
jq -e '.connect_ms.p99 != null and .reply_ms.p99 != null and .tick_latency_us.p99 != null and
       .tick_interval_us.p99 != null and .tick_spacing_us.p99 != null and .bytes_received_per_s > 0 and
       .all_playing.tick_latency_us.p99 != null' \
    "$TMP/out.json" >/dev/null || fail "a figure is missing from the bot's report"
grep -qE "^socklab-server: tick: [0-9]+ ticks at 20 Hz .* work p50 [0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+ ms" "$TMP/server.out" ||
    fail "the server did not report its tick duration"
grep -qE "^socklab-server: process: .* peak RSS [0-9.]+ MiB" "$TMP/server.out" || fail "the server did not report its RSS"
pass "$COUNT bots held at once for $(j .all_playing.seconds) s; all connected and ended done"
