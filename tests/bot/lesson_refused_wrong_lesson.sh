#!/usr/bin/env bash
# bot_lesson_refused_wrong_lesson_exits_2: a bot asking a lesson server for another lesson, or
# talking to a server that is not a lesson server at all (echo), gets no lesson run: one line on
# stderr naming the cause, exit 2, nothing on stdout - a setup error, never a check list or PASS.
# shellcheck source=tests/lib.sh
. "$SOCKLAB_TESTS/lib.sh"
need_cmd ss

# refused REGEX ARGS...: the bot exits 2 with one line matching REGEX on stderr, nothing on stdout.
refused() {
    local want=$1 rc=0; shift
    timeout 20 "$BOT" "$@" --quiet >"$TMP/out" 2>"$TMP/err" || rc=$?
    cat "$TMP/err"
    [ "$rc" = 2 ] || { cat "$TMP/out"; fail "$*: exit status $rc, expected 2"; }
    [ ! -s "$TMP/out" ] || { cat "$TMP/out"; fail "$*: a refused run printed a report"; }
    [ "$(wc -l <"$TMP/err")" = 1 ] || fail "$*: not one line on stderr"
    grep -qxE "$want" "$TMP/err" || fail "$*: the line does not name the cause"
}

start_server --lesson close-graceful
refused "socklab-bot: lesson close-abortive at 127.0.0.1:$SERVER_PORT: the server refused the lesson: wrong lesson: this server runs close-graceful, not close-abortive" \
    --lesson close-abortive --port "$SERVER_PORT"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
start_server --proto echo
refused "socklab-bot: lesson close-abortive at 127.0.0.1:$SERVER_PORT: the server answered the session line with 'SOCKLAB-LESSON 1 close-abortive [0-9a-f]+ 1/1', not OK or ERR" \
    --lesson close-abortive --port "$SERVER_PORT"
pass "another lesson and an echo server: one line each, exit 2"
