#!/usr/bin/env bash
# server_bad_args: bad option values, an unknown proto, an unknown lesson and an unknown option end
# with exit 2 and one line on stderr; --help and --version exit 0.
. "$SOCKLAB_TESTS/lib.sh"

# run_server STATUS NAME REGEX ARGS...: exits STATUS with one stderr line matching REGEX, no stdout.
run_server() {
    local want=$1 name=$2 re=$3 rc; shift 3
    timeout 5 "$SERVER" "$@" > "$TMP/o" 2> "$TMP/e"; rc=$?
    [ $rc = "$want" ] || fail "$name: exit $rc, expected $want"
    [ "$(wc -l < "$TMP/e")" = 1 ] || { cat "$TMP/e" >&2; fail "$name: stderr is not one line"; }
    grep -qE "^socklab-server: $re" "$TMP/e" || { cat "$TMP/e" >&2; fail "$name: unexpected message"; }
    [ -s "$TMP/o" ] && fail "$name: printed on stdout"
    note "$name: $(cat "$TMP/e")"
}
run_server 2 "port out of range" "--port: '70000' is not a port" --port 70000
run_server 2 "port not a number" "--port: 'abc' is not a port" --port abc
run_server 2 "unknown proto" "--proto: 'http' is not echo or game" --proto http
run_server 2 "unknown lesson" "unknown lesson 'no-such-lesson' \(try: socklab list\)$" --lesson no-such-lesson
run_server 2 "unknown option" "unknown option '--frobnicate'" --frobnicate
run_server 2 "tick rate 0" "--tick-hz" --tick-hz 0
run_server 2 "room size 0" "--room-size" --room-size 0
run_server 2 "tiny output cap" "--max-outbuf" --max-outbuf 100
run_server 2 "missing value" "--port needs a value" --port
run_server 2 "stray argument" "unexpected argument 'extra'" extra
run_server 2 "close-after-echo in game" "--close-after-echo is for --proto echo" --proto game --close-after-echo

timeout 5 "$SERVER" --help > "$TMP/o" 2>&1 || fail "--help: exit $?"
grep -q -- "--max-outbuf" "$TMP/o" || fail "--help does not list --max-outbuf"
timeout 5 "$SERVER" --version > "$TMP/o" 2>&1 || fail "--version: exit $?"
grep -qE "^socklab-server [0-9]+\.[0-9]+" "$TMP/o" || fail "--version printed '$(cat "$TMP/o")'"

pass "bad arguments exit 2 with one line on stderr; --help and --version exit 0"
