#!/usr/bin/env bash
# bot_echo_against_socat: echo bots against socat's `cat` echo server get every byte back.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd socat jq

PORT=$(free_port)
bg socat socat "TCP-LISTEN:$PORT,bind=127.0.0.1,fork,reuseaddr" EXEC:cat
i=0   # bounded wait (5 s) for socat to listen
until ss -Htln "sport = :$PORT" | grep -q .; do
    [ $i -lt 100 ] || fail "socat did not listen on $PORT within 5 s"
    sleep 0.05; i=$((i + 1))
done

rc=0
timeout 20 "$BOT" --proto echo --count 5 --duration 1 --port "$PORT" --json >"$TMP/out.json" 2>"$TMP/err" || rc=$?
cat "$TMP/err"
jq -c . "$TMP/out.json" || fail "stdout is not one JSON object"
[ "$rc" = 0 ] || fail "exit status $rc, expected 0"
[ "$(jget "$TMP/out.json" .connected)" = 5 ] || fail "not all 5 bots connected"
jq -e '.rtt_us.p50 > 0' "$TMP/out.json" >/dev/null || fail "no echo round-trip time"
jq -e '.bytes_sent > 0 and .bytes_received == .bytes_sent' "$TMP/out.json" >/dev/null ||
    fail "bytes received != bytes sent"
[ "$(jget "$TMP/out.json" .ends.done)" = 5 ] || fail "not every bot ended 'done'"
pass "5 echo bots: rtt p50 $(jget "$TMP/out.json" .rtt_us.p50) us, $(jget "$TMP/out.json" .bytes_sent) bytes echoed"
