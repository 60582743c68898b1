#!/usr/bin/env bash
# setup_errors.sh CASE: a run that cannot start is a setup error, not a failed lesson: one line on
# stderr naming the cause, nothing on stdout (no check list, no "{port}" filter), exit status 2.
#   port_in_use    --port of a port another program listens on
#   foreign_host   --host of an address this machine does not have (198.18.0.99, nobody's)
#   unknown_host   --host that does not resolve
#   lesson_typo    a misspelled lesson: "did you mean"
#   extra_args     socklab list extra
. "$SOCKLAB_TESTS/lib.sh"


case $1 in
port_in_use)
    need_cmd python3
    port=$(free_port)
    python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(); time.sleep(30)' "$port" &
    holder=$!
    for _ in $(seq 50); do ss -Htln "sport = :$port" | grep -q . && break; sleep 0.1; done
    "$SOCKLAB" run close-graceful --port "$port" --quiet > "$TMP/out" 2> "$TMP/err"; RC=$?
    kill "$holder"; wait "$holder" 2>/dev/null
    one_line "a port in use" "close-graceful: cannot listen: .*EADDRINUSE" ;;
foreign_host)
    "$SOCKLAB" run close-graceful --host 198.18.0.99 --quiet > "$TMP/out" 2> "$TMP/err"; RC=$?
    one_line "an address not of this machine" "cannot listen: .*198.18.0.99.*EADDRNOTAVAIL" ;;
unknown_host)
    "$SOCKLAB" compare close-graceful close-abortive --host no-such-host.invalid --quiet > "$TMP/out" 2> "$TMP/err"; RC=$?
    # one line per lesson of the compare
    [ "$RC" = 2 ] && [ "$(grep -c "cannot resolve 'no-such-host.invalid'" "$TMP/err")" = 2 ] && [ ! -s "$TMP/out" ] \
        || fail "an unresolvable host: exit $RC, $(cat "$TMP/err")"
    pass "an unresolvable host: one line per lesson, exit 2" ;;
lesson_typo)
    "$SOCKLAB" run close-abortiv > "$TMP/out" 2> "$TMP/err"; RC=$?
    one_line "a misspelled lesson" "unknown lesson 'close-abortiv' \(did you mean close-abortive\?" ;;
extra_args)
    "$SOCKLAB" list extra > "$TMP/out" 2> "$TMP/err"; RC=$?
    one_line "socklab list extra" "usage: socklab list \(it takes no arguments\)" ;;
*) fail "unknown case $1" ;;
esac
