#!/usr/bin/env bash
# bot_reports_reset: a server that accepts and closes with SO_LINGER {1, 0} sends RST: every bot
# connects (the handshake completed) and then ends 'reset', naming the error.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq
HELPER=${1:?usage: reports_reset.sh BOT_TEST_SERVER}

bg helper "$HELPER" reset 0 30
wait_for "$TMP/helper.out" "listening on [0-9]+" 10
PORT=$(sed -nE 's/^listening on ([0-9]+).*/\1/p' "$TMP/helper.out")

for proto in game echo; do
    rc=0
    timeout 20 "$BOT" --proto "$proto" --count 10 --duration 1 --port "$PORT" --json >"$TMP/out.json" 2>"$TMP/err" || rc=$?
    cat "$TMP/err"
    jq -c . "$TMP/out.json" || fail "$proto: stdout is not one JSON object"
    [ "$rc" = 1 ] || fail "$proto: exit status $rc, expected 1"
    [ "$(jget "$TMP/out.json" .connected)" = 10 ] || fail "$proto: not all 10 bots connected before the reset"
    [ "$(jget "$TMP/out.json" .ends.reset)" = 10 ] || fail "$proto: not every bot ended 'reset'"
    jq -e '[.end_details[] | select(.end == "reset") | .detail | test("ECONNRESET|EPIPE|ECONNABORTED")] | all' \
        "$TMP/out.json" >/dev/null || fail "$proto: a reset does not name its error"
done
pass "10 bots (game and echo) reported reset"
