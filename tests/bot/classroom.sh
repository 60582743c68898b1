#!/usr/bin/env bash
# classroom.sh LESSON N: a class at once - N socklab-bot --lesson LESSON started together against
# one socklab-server --lesson LESSON. Each bot's session line names its run and connection, so no
# run takes another's connection: every bot passes (exit 0), none is refused, and the server's
# summary counts N sessions, each connection's run once, and no failure.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
LESSON=$1 N=$2

start_server --lesson "$LESSON" --json
pids=()
for i in $(seq "$N"); do
    # bounded: the slowest lesson runs about 8 s alone; a busy server is waited for 10 s at most
    timeout 90 "$BOT" --lesson "$LESSON" --port "$SERVER_PORT" --json --quiet >"$TMP/bot$i.json" 2>"$TMP/bot$i.err" &
    pids+=($!)
done
failed=0
for i in $(seq "$N"); do
    rc=0
    wait "${pids[$((i - 1))]}" || rc=$?
    [ "$rc" = 0 ] && continue
    failed=$((failed + 1))
    echo "--- bot $i (exit $rc):" >&2
    cat "$TMP/bot$i.err" >&2
    jq -c '[.checks[] | select(.pass == false)], .errors' "$TMP/bot$i.json" >&2 2>/dev/null
done
kill -TERM "$SERVER_PID"
i=0
while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
summary=$(grep "served .* connections: lesson $LESSON" "$TMP/server.out")
note "$summary"
[ "$failed" = 0 ] || fail "$failed of $N bots did not pass"
echo "$summary" | grep -qE ", $N sessions .* 0 failed, [0-9]+ not evaluated here .*; 0 refused$" ||
    { cat "$TMP/server.out" >&2; fail "the server's summary does not count $N sessions, no failure, no refusal"; }
runs=$(echo "$summary" | sed -E 's/.* ([0-9]+) connection runs.*/\1/')
[ "$((runs % N))" = 0 ] || fail "$runs connection runs for $N bots: a connection served twice or lost"
pass "$N bots of $LESSON at once against one server: all passed; $runs connection runs"
