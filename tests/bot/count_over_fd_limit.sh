#!/usr/bin/env bash
# bot_count_over_fd_limit_exits: when the hard open-files limit cannot hold --count connections, the
# bot says so in one line (what it needs, the limit, how to raise it) and exits 1 before connecting.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"

rc=0
bash -c 'ulimit -n 256 && exec "$0" "$@"' "$BOT" --count 1000 --port 9 >"$TMP/out" 2>"$TMP/err" || rc=$?
cat "$TMP/err"
[ "$rc" = 1 ] || fail "exit status $rc, expected 1"
[ "$(wc -l <"$TMP/err")" = 1 ] || fail "stderr is not one line"
grep -qx "socklab-bot: --count 1000 needs 1064 open files but the limit is 256 (raise it: ulimit -n 1064)" "$TMP/err" ||
    fail "unexpected message"
[ -s "$TMP/out" ] && fail "printed a report on stdout"
pass "--count 1000 under a limit of 256: one line, exit 1"
