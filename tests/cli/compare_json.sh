#!/usr/bin/env bash
# socklab compare --json: stdout is exactly one JSON array, one passing report per lesson, each on
# its own port; the lessons run concurrently (their timelines overlap in wall-clock terms: the
# total time is checked against the sum only loosely, by the longest lesson's own close time).
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq
"$SOCKLAB" compare close-graceful close-abortive close-linger --json > "$TMP/r.json" 2> "$TMP/err" \
    || fail "compare failed: $(cat "$TMP/err")"
jq -e 'type == "array" and length == 3' "$TMP/r.json" >/dev/null || fail "not an array of 3"
jq -e 'all(.[]; .pass == true)' "$TMP/r.json" >/dev/null || fail "a report did not pass"
[ "$(jq '[.[].facts.server_port] | unique | length' "$TMP/r.json")" = 3 ] || fail "lessons shared a port"
for k in closer close_call_ms close_result peer_saw bytes_written_before_close bytes_peer_received \
         time_wait_on server_port client_port; do
    jq -e --arg k "$k" 'all(.[]; .facts | has($k))' "$TMP/r.json" >/dev/null || fail "fact $k missing"
done
jq -e 'all(.[]; (.checks | length) > 0 and all(.checks[]; has("id") and has("expect") and has("observed") and has("pass")))' \
    "$TMP/r.json" >/dev/null || fail "check entries do not follow the contract"
"$SOCKLAB" compare close-graceful close-abortive > "$TMP/table.txt" 2>/dev/null || fail "table compare failed"
grep -qE '^checks +PASS' "$TMP/table.txt" || fail "the table has no checks row"
pass "compare --json follows the report contract"
