#!/usr/bin/env bash
# Bad input to socklab: one clear line on stderr and exit status 2, never a crash.
. "$SOCKLAB_TESTS/lib.sh"
expect_usage_error() { # expect_usage_error PATTERN ARGS...
    local pat=$1; shift
    "$SOCKLAB" "$@" >"$TMP/out" 2>"$TMP/err"; local rc=$?
    [ $rc = 2 ] || fail "socklab $*: exit $rc, expected 2"
    [ "$(wc -l < "$TMP/err")" = 1 ] || fail "socklab $*: stderr is not one line: $(cat "$TMP/err")"
    grep -qE "^socklab: .*$pat" "$TMP/err" || fail "socklab $*: message '$(cat "$TMP/err")' lacks /$pat/"
    [ ! -s "$TMP/out" ] || fail "socklab $*: wrote to stdout on error"
    note "socklab $* -> $(cat "$TMP/err")"
}
expect_usage_error "unknown lesson 'no-such'" run no-such
expect_usage_error "unknown lesson" explain no-such
expect_usage_error "unknown lesson" compare close-graceful no-such
expect_usage_error "not a port" run close-graceful --port 70000
expect_usage_error "not a port" run close-graceful --port abc
expect_usage_error "needs a value" run close-graceful --port
expect_usage_error "unknown option '--nope'" list --nope
expect_usage_error "unknown option '-x'" list -x
expect_usage_error "unknown command 'frobnicate'" frobnicate
expect_usage_error "missing command"
expect_usage_error "usage: socklab run LESSON" run
"$SOCKLAB" --help | grep -q "compare LESSON" || fail "--help does not describe compare"
"$SOCKLAB" --version | grep -qE '^socklab [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"
pass "bad arguments are refused cleanly"
