#!/usr/bin/env bash
# server_allow_list: with --allow, a source outside the listed networks is closed at once without a
# word (logged and counted), a source inside is served; a bad network is one line and exit 2.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

start_server --proto game --allow 10.0.0.0/8,127.0.0.2 --stats 1
probe out player 127.0.0.1
cat "$TMP/out.out"
grep -q "WELCOME" "$TMP/out.out" && fail "127.0.0.1 is not in --allow but was served"
expect_line "$TMP/out.out" "^then: (EOF|RST)" "127.0.0.1 was not closed"
probe in player 127.0.0.2
expect_line "$TMP/in.out" "^WELCOME after" "127.0.0.2 is in --allow but was not served"
expect_line "$TMP/server.out" "refused: 127.0.0.1 is not in --allow" "the refusal was not logged"
wait_for "$TMP/server.out" "limits: refused 1 \(not allowed 1\)" 3
rc=0
"$SERVER" --allow 10.0.0.0/33 > "$TMP/o" 2> "$TMP/e" || rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$TMP/e")" = 1 ] || fail "--allow 10.0.0.0/33: exit $rc, $(cat "$TMP/e")"
grep -q "^socklab-server: --allow: '10.0.0.0/33': the prefix length must be 0 to 32$" "$TMP/e" || fail "$(cat "$TMP/e")"
pass "outside --allow closed, inside served, a bad network refused"
