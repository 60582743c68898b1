#!/usr/bin/env bash
# bot_reports_eof: a server that accepts and closes gracefully at once (FIN): every bot connects
# and ends 'eof' - the server closed first - which is an expected end, so exit status 0.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
bots_against_helper "${1:?usage: reports_eof.sh BOT_TEST_SERVER}" eof 0 eof
pass "10 bots (game and echo) reported eof"
