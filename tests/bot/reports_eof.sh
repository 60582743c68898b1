#!/usr/bin/env bash
# bot_reports_eof: a server that accepts and closes gracefully at once (FIN): every bot connects
# and ends 'eof' - the server closed first - which is an expected end, so exit status 0.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq
HELPER=${1:?usage: reports_eof.sh BOT_TEST_SERVER}

bg helper "$HELPER" eof 0 30
wait_for "$TMP/helper.out" "listening on [0-9]+" 10
PORT=$(sed -nE 's/^listening on ([0-9]+).*/\1/p' "$TMP/helper.out")

for proto in game echo; do
    rc=0
    timeout 20 "$BOT" --proto "$proto" --count 10 --duration 1 --port "$PORT" --json >"$TMP/out.json" 2>"$TMP/err" || rc=$?
    cat "$TMP/err"
    jq -c . "$TMP/out.json" || fail "$proto: stdout is not one JSON object"
    [ "$rc" = 0 ] || fail "$proto: exit status $rc, expected 0"
    [ "$(jget "$TMP/out.json" .connected)" = 10 ] || fail "$proto: not all 10 bots connected"
    [ "$(jget "$TMP/out.json" .ends.eof)" = 10 ] || fail "$proto: not every bot ended 'eof'"
done
pass "10 bots (game and echo) reported eof"
