#!/usr/bin/env bash
# run_lesson.sh LESSON - runs one lesson, asserts that every check passed, then verifies the same
# story independently of socklab: tcpdump on lo (FIN vs RST, who sent the first FIN, timing) and
# ss (which side holds TIME_WAIT). The lesson's own report is never trusted for the wire part.
. "$SOCKLAB_TESTS/lib.sh"
lesson=$1
need_cmd jq ss

root=0; [ "$(id -u)" = 0 ] && root=1
[ -n "${CI:-}" ] && [ $root = 0 ] && fail "CI must run as root: the wire checks need tcpdump"

port=$(free_port)
[ $root = 1 ] && capture_start "$port"
"$SOCKLAB" run "$lesson" --port "$port" --json --quiet > "$TMP/report.json" 2> "$TMP/stderr.txt"
rc=$?
[ $root = 1 ] && capture_stop
[ -s "$TMP/stderr.txt" ] && { echo "stderr:"; cat "$TMP/stderr.txt"; }
assert_report "$TMP/report.json" "$lesson" "$rc"

cport=$(jget "$TMP/report.json" .facts.client_port)
[ "$(jget "$TMP/report.json" .facts.server_port)" = "$port" ] || fail "server_port is not the --port given"

# ss: TIME_WAIT entries of this connection, as "local-port" (independent of the report).
tw_local() { ss -Htan state time-wait "( sport = :$1 and dport = :$2 )" | wc -l; }
check_time_wait() { # expected holder: server|client|none
    local s c
    s=$(tw_local "$port" "$1"); c=$(tw_local "$1" "$port")
    case $2 in
    server) [ "$s" -ge 1 ] && [ "$c" = 0 ] || fail "ss: expected TIME_WAIT on the server port only (server $s, client $c)";;
    client) [ "$c" -ge 1 ] && [ "$s" = 0 ] || fail "ss: expected TIME_WAIT on client port $1 only (server $s, client $c)";;
    none)   [ "$s" = 0 ] && [ "$c" = 0 ] || fail "ss: expected no TIME_WAIT (server $s, client $c)";;
    esac
    note "ss: TIME_WAIT on $2 for client port $1"
}
check_time_wait "$cport" "$(jget "$TMP/report.json" .facts.time_wait_on)"

[ $root = 1 ] || skip "$lesson: checks and ss agree; wire verification needs root for tcpdump"

# Capture helpers on this connection only: lines between SPORT and DPORT.
conn() { grep -E "\.($port > [0-9.]+\.$1|$1 > [0-9.]+\.$port):" "$TMP/cap.txt"; }
from() { grep -E "\.$1 > [0-9.]+\.$2:"; }
flag() { grep -E "Flags \[[^]]*$1"; }
data() { grep -E 'length [1-9]'; }
n() { wc -l | tr -d ' '; }
first_fin_from() { conn "$1" | flag F | head -1 | sed -E 's/.* IP6? [0-9.:a-f]+\.([0-9]+) > .*/\1/'; }
ts() { awk '{print $1}'; }

sfin=$(conn "$cport" | from "$port" "$cport" | flag F | n)
srst=$(conn "$cport" | from "$port" "$cport" | flag R | n)
anyrst=$(conn "$cport" | flag R | n)
note "capture: server FIN $sfin, server RST $srst, any RST $anyrst, first FIN from port $(first_fin_from "$cport")"

case $lesson in
close-graceful)
    [ "$sfin" -ge 1 ] && [ "$anyrst" = 0 ] || fail "wire: expected FIN and no RST"
    last_data=$(conn "$cport" | from "$port" "$cport" | data | tail -1 | ts)
    fin_t=$(conn "$cport" | from "$port" "$cport" | flag F | head -1 | ts)
    awk -v d="$last_data" -v f="$fin_t" 'BEGIN { exit !(f >= d) }' || fail "wire: FIN ($fin_t) before the last data ($last_data)"
    ;;
close-abortive|close-unread)
    [ "$srst" -ge 1 ] && [ "$sfin" = 0 ] || fail "wire: expected RST and no FIN from the server"
    ;;
close-linger)
    if [ "$(jget "$TMP/report.json" .platform)" = linux ]; then
        [ "$anyrst" = 0 ] && [ "$sfin" -ge 1 ] || fail "wire: Linux linger timeout must not reset (FIN $sfin, RST $anyrst)"
        first=$(conn "$cport" | from "$port" "$cport" | data | head -1 | ts)
        fin_t=$(conn "$cport" | from "$port" "$cport" | flag F | head -1 | ts)
        awk -v a="$first" -v b="$fin_t" 'BEGIN { exit !(b - a > 1.5) }' || fail "wire: FIN came too soon ($first -> $fin_t)"
    fi
    ;;
half-close)
    cfin_t=$(conn "$cport" | from "$cport" "$port" | flag F | head -1 | ts)
    after=$(conn "$cport" | from "$port" "$cport" | data | ts | awk -v f="$cfin_t" '$1 > f' | wc -l)
    [ "$after" -ge 1 ] && [ "$anyrst" = 0 ] || fail "wire: expected server data after the client's FIN and no RST ($after)"
    c2=$(jget "$TMP/report.json" .facts.with_close_client_port)
    [ "$(conn "$c2" | from "$c2" "$port" | flag R | n)" -ge 1 ] || fail "wire: close() variant: no RST from the client"
    [ "$(first_fin_from "$c2")" = "$c2" ] || fail "wire: close() variant: first FIN not from the client"
    ;;
time-wait-client)
    [ "$(first_fin_from "$cport")" = "$cport" ] || fail "wire: the first FIN should come from the client port"
    ;;
time-wait-server)
    [ "$(first_fin_from "$cport")" = "$port" ] || fail "wire: the first FIN should come from the server port"
    ;;
*) fail "no wire check written for $lesson";;
esac
pass "$lesson: checks, ss and the capture agree"
