#!/usr/bin/env bash
# bot_reports_reset: a server that accepts and closes with SO_LINGER {1, 0} sends RST: every bot
# connects (the handshake completed) and then ends 'reset', naming the error.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
BOTS_CHECK() {
    jq -e '[.end_details[] | select(.end == "reset") | .detail | test("ECONNRESET|EPIPE|ECONNABORTED")] | all' \
        "$TMP/out.json" >/dev/null || fail "$1: a reset does not name its error"
}
bots_against_helper "${1:?usage: reports_reset.sh BOT_TEST_SERVER}" reset 1 reset
pass "10 bots (game and echo) reported reset"
