#!/usr/bin/env bash
# bot_bad_args: every bad argument ends in exit status 2 and exactly one line on stderr (nothing
# on stdout); --help and --version exit 0.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"

expect_bad() {
    local rc=0 lines
    timeout 10 "$BOT" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    [ "$rc" = 2 ] || fail "socklab-bot $*: exit status $rc, expected 2"
    lines=$(wc -l <"$TMP/err")
    [ "$lines" = 1 ] || { cat "$TMP/err" >&2; fail "socklab-bot $*: $lines lines on stderr, expected 1"; }
    [ ! -s "$TMP/out" ] || fail "socklab-bot $*: printed on stdout"
    grep -q '^socklab-bot: ' "$TMP/err" || fail "socklab-bot $*: stderr line does not start with 'socklab-bot: '"
    note "$* -> $(cat "$TMP/err")"
}

expect_bad --port 70000
expect_bad --port abc
expect_bad --port 0
expect_bad --port
expect_bad --count 0
expect_bad --count -3
expect_bad --count many
expect_bad --proto quic
expect_bad --no-such-option
expect_bad -x
expect_bad stray-argument
expect_bad --duration -1
expect_bad --msg-size 0
expect_bad --json=yes
expect_bad --lesson no-such-lesson
grep -qx "socklab-bot: unknown lesson 'no-such-lesson' (try: socklab list)" "$TMP/err" ||
    fail "unknown lesson message is '$(cat "$TMP/err")'"

timeout 10 "$BOT" --help >"$TMP/out" 2>&1 || fail "--help did not exit 0"
grep -q -- '--count' "$TMP/out" || fail "--help does not list --count"
timeout 10 "$BOT" --version >"$TMP/out" 2>&1 || fail "--version did not exit 0"
grep -qE '^socklab-bot [0-9]+\.[0-9]+' "$TMP/out" || fail "--version printed '$(cat "$TMP/out")'"
pass "bad arguments exit 2 with one line; --help and --version exit 0"
