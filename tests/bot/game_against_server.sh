#!/usr/bin/env bash
# bot_game_against_server: 20 game bots against socklab-server play for 2 s: they receive STATE
# frames, measure PING/PONG round trips, and all end 'done' (BYE, FIN, the server's EOF).
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq ss
[ -x "$SERVER" ] || fail "socklab-server not built"

start_server --proto game
rc=0
timeout 30 "$BOT" --count 20 --duration 2 --port "$SERVER_PORT" --json >"$TMP/out.json" 2>"$TMP/err" || rc=$?
cat "$TMP/err"
jq -c . "$TMP/out.json" || fail "stdout is not one JSON object"
[ "$rc" = 0 ] || fail "exit status $rc, expected 0"
[ "$(jget "$TMP/out.json" .connected)" = 20 ] || fail "not all 20 bots connected"
jq -e '.states_received > 0' "$TMP/out.json" >/dev/null || fail "no STATE frames received"
jq -e '.rtt_us.p50 > 0 and .rtt_us.p99 >= .rtt_us.p50' "$TMP/out.json" >/dev/null || fail "no PING/PONG round-trip time"
[ "$(jget "$TMP/out.json" .ends.done)" = 20 ] || fail "not every bot ended 'done'"
pass "20 game bots: $(jget "$TMP/out.json" .states_received) STATE frames, rtt p50 $(jget "$TMP/out.json" .rtt_us.p50) us"
