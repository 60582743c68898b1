#!/usr/bin/env bash
# server_port_in_use: a second server on a port that is already listening fails to bind: one line
# on stderr naming the address and the error, nothing on stdout, exit 1; the first one is unharmed.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd nc ss

start_server --proto echo
timeout 5 "$SERVER" --port "$SERVER_PORT" > "$TMP/o" 2> "$TMP/e"; rc=$?
[ $rc = 1 ] || fail "exit $rc, expected 1"
[ "$(wc -l < "$TMP/e")" = 1 ] || { cat "$TMP/e" >&2; fail "stderr is not one line"; }
grep -qE "^socklab-server: cannot listen on 127.0.0.1:$SERVER_PORT: .*EADDRINUSE" "$TMP/e" \
    || { cat "$TMP/e" >&2; fail "unexpected message"; }
[ -s "$TMP/o" ] && fail "printed on stdout"
out=$(echo still | timeout 5 nc -N 127.0.0.1 "$SERVER_PORT") || fail "first server no longer answers"
[ "$out" = still ] || fail "first server echoed '$out'"
pass "$(cat "$TMP/e")"
