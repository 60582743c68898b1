#!/usr/bin/env bash
# server_expect_conns_over_fd_limit: under a hard open-files limit of 256, --expect-conns 1000 ends
# the server at start (exit 1) with one line naming what it needs and the limit; --expect-conns 100
# fits, and the server raises its soft limit to what that needs; without the option it raises the
# soft limit to the hard one.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd ss

rc=0
bash -c 'ulimit -n 256 && exec "$0" "$@"' "$SERVER" --port 0 --proto game --expect-conns 1000 \
    >"$TMP/o" 2>"$TMP/e" || rc=$?
cat "$TMP/e"
[ "$rc" = 1 ] || fail "exit status $rc, expected 1"
[ "$(wc -l <"$TMP/e")" = 1 ] || fail "stderr is not one line"
grep -q "^socklab-server: --expect-conns 1000 needs 1064 open files but the limit is 256 " "$TMP/e" ||
    fail "the line does not name what is needed and the limit"
[ -s "$TMP/o" ] && fail "printed on stdout (it must not claim to listen)"

# soft_limit PID: the soft "Max open files" of a running process
soft_limit() { awk '/^Max open files/ {print $4}' "/proc/$1/limits"; }

SERVER_PORT=$(free_port)
bg fits bash -c 'ulimit -n 256 && ulimit -Sn 64 && exec "$0" "$@"' "$SERVER" --port "$SERVER_PORT" \
    --proto game --expect-conns 100
wait_for "$TMP/fits.out" "listening on" 10
got=$(soft_limit "$BG_PID")
[ "$got" = 164 ] || fail "--expect-conns 100: soft limit $got, expected 164 (100 + 64 spare)"
note "--expect-conns 100 under 64/256: soft limit raised to $got"

SERVER_PORT=$(free_port)
bg plain bash -c 'ulimit -n 256 && ulimit -Sn 64 && exec "$0" "$@"' "$SERVER" --port "$SERVER_PORT" --proto echo
wait_for "$TMP/plain.out" "listening on" 10
got=$(soft_limit "$BG_PID")
[ "$got" = 256 ] || fail "no --expect-conns: soft limit $got, expected the hard limit 256"
pass "too few open files: one line and exit 1; otherwise the soft limit is raised ($got)"
