#!/usr/bin/env bash
# loadgen_bad_args: bench/'s programs answer bad input as the other socklab programs do (common/cli.c):
# one line "PROG: message" on stderr naming what is wrong, nothing on stdout, exit status 2; and
# the command lines bench.sh uses still parse (--help lists what they use).
. "$SOCKLAB_TESTS/lib.sh"
LOADGEN=$BIN/bench/socklab-loadgen REFECHO=$BIN/bench/socklab-refecho REFGAME=$BIN/bench/socklab-refgame

expect_usage_error() { # expect_usage_error PROG PATTERN ARGS...
    local prog=$1 pat=$2 name rc; shift 2
    name=$(basename "$prog")
    "$prog" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
    [ $rc = 2 ] || fail "$name $*: exit $rc, expected 2 ($(cat "$TMP/err"))"
    [ "$(wc -l <"$TMP/err")" = 1 ] || fail "$name $*: stderr is not one line: $(cat "$TMP/err")"
    grep -qE "^$name: .*$pat" "$TMP/err" || fail "$name $*: message '$(cat "$TMP/err")' lacks /$pat/"
    [ ! -s "$TMP/out" ] || fail "$name $*: wrote to stdout on error"
    note "$name $* -> $(cat "$TMP/err")"
}
expect_usage_error "$LOADGEN" "which load"
expect_usage_error "$LOADGEN" "unknown load 'nope'" nope --port 7
expect_usage_error "$LOADGEN" "--port is required" pingpong
expect_usage_error "$LOADGEN" "--port: '0' is not a whole number from 1 to 65535" pingpong --port 0
expect_usage_error "$LOADGEN" "--seconds: 'abc' is not a number from 0.01 to 3600" pingpong --port 7 --seconds abc
expect_usage_error "$LOADGEN" "--seconds: '0' is not a number" pingpong --port 7 --seconds 0
expect_usage_error "$LOADGEN" "--slice: 'nan' is not a number" pingpong --port 7 --slice nan
expect_usage_error "$LOADGEN" "--warmup: '61' is not a number from 0 to 60" stream --port 7 --warmup 61
expect_usage_error "$LOADGEN" "--conns: '0' is not a whole number" churn --port 7 --conns 0
expect_usage_error "$LOADGEN" "--close: 'later' is not client, rst or server" churn --port 7 --close later
expect_usage_error "$LOADGEN" "--size 65536 at most" churn --port 7 --size 65537
expect_usage_error "$LOADGEN" "hold needs --server-pid" hold --port 7
expect_usage_error "$LOADGEN" "no --vs-port" hold --port 7 --server-pid 1 --vs-port 8
expect_usage_error "$LOADGEN" "--verbose needs a value" pingpong --port 7 --verbose
expect_usage_error "$LOADGEN" "unknown option '--nope'" pingpong --port 7 --nope 1
expect_usage_error "$REFECHO" "not a port number" --port 70000
expect_usage_error "$REFECHO" "--close-after-echo takes no value" --close-after-echo=1
expect_usage_error "$REFGAME" "--tick-hz: '0' is not a whole number from 1 to 1000" --tick-hz 0
expect_usage_error "$REFGAME" "--room-size: '511'" --room-size 511

help=$("$LOADGEN" --help) || fail "socklab-loadgen --help: exit $?"
for o in port server-pid vs-port vs-server-pid conns size chunk window close count seconds warmup slice slice-warmup verbose; do
    grep -q -- "--$o " <<<"$help" || fail "socklab-loadgen --help does not list --$o"
done
"$REFECHO" --help | grep -q -- "--close-after-echo" || fail "socklab-refecho --help does not list --close-after-echo"
pass "bad options are refused with one line and status 2; --help lists every option bench.sh uses"
