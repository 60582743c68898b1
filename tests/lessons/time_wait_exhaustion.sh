#!/usr/bin/env bash
# labels: lesson root lab
# timeout: 60
# lesson time-wait-exhaustion: every check passes; then, independently of its report:
#   ss, polled in the run's namespace during the run: each churn's 20-port range holds 20 TIME-WAIT
#   entries on the client's side and none on the server's; the pool's holds one; server_first's
#   client ports hold none and the server's port holds them instead;
#   the wire (tcpdump in the namespace): the exhausting churn's first 20 SYNs come from 20 different
#   ports of the range and then none for about tcp_tw_reuse_delay (the failing connects send
#   nothing), so the connection that failed is the range's size + 1; without reuse (tw_reuse 2 on a
#   non-loopback address, and 0) no port of the range ever sends a second SYN; the pool is one
#   connection; in server_first the server's FIN comes first on every connection.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq ss
SS_WATCH='( sport = :PORT or dport = :PORT )'
run_lesson_lab time-wait-exhaustion "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 or tcp[tcpflags] & tcp-push != 0"
assert_report "$TMP/r.json" time-wait-exhaustion "$RC"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the ss and wire checks below are Linux's"
[ "$(jget "$TMP/r.json" '.lab.applied | length')" -ge 1 ] || skip "no impairment lab here: the tcp_tw_reuse variants did not run"
[ "$SS_WATCHED" = 1 ] || skip "time-wait-exhaustion: the checks agree; ss and the capture in the lab's namespace need root"

range() { jget "$TMP/r.json" ".facts.$1.port_range | join(\" \")"; }
# ss: the most TIME-WAIT rows at once on the client's side of range LO HI, and on the server's side
tw_max() {
    awk -v lo="$1" -v hi="$2" -v p="$PORT" -v side="$3" '
        function port(a) { sub(/.*:/, "", a); return a + 0 }
        /^==/ { if (n > m) m = n; n = 0; next }
        $1 == "TIME-WAIT" { l = port($4); r = port($5)
            if (side == "client" && l >= lo && l <= hi && r == p) n++
            if (side == "server" && l == p && r >= lo && r <= hi) n++ }
        END { if (n > m) m = n; print m + 0 }' "$TMP/ss.txt"
}
for v in exhaust nonlo_tw2 nonlo_tw0 nonlo_tw1 pool server_first; do
    read -r lo hi <<< "$(range "$v")"
    [ $((hi - lo + 1)) = 20 ] || fail "$v: the report's port range $lo-$hi is not 20 ports"
    c=$(tw_max "$lo" "$hi" client); s=$(tw_max "$lo" "$hi" server)
    case $v in
    pool) want_c=1; want_s=0 ;;
    server_first) want_c=0; want_s=$(f server_first.server_time_wait_at_end)
        [ "$want_s" -ge 1 ] || fail "server_first: the report counts no TIME_WAIT on the server" ;;
    *) want_c=20; want_s=0 ;;
    esac
    [ "$c" = "$want_c" ] && [ "$s" = "$want_s" ] ||
        fail "ss: $v (ports $lo-$hi): TIME-WAIT $c on the client's side, $s on the server's; expected $want_c and $want_s"
    note "ss: $v (ports $lo-$hi): TIME-WAIT at most $c on the client's ports, $s on the server's"
done

need_wire time-wait-exhaustion
# "time source-port" of each SYN towards the server's port from ports LO..HI, in order
syns() {
    awk -v lo="$1" -v hi="$2" -v p="$PORT" '/Flags \[S\]/ { s = $3; d = $5; sub(/.*\./, "", s); sub(/.*\./, "", d); sub(/:$/, "", d)
        if (d + 0 == p && s + 0 >= lo && s + 0 <= hi) print $1, s }' "$TMP/cap.txt"
}
for v in exhaust nonlo_tw2 nonlo_tw0 nonlo_tw1; do
    read -r lo hi <<< "$(range "$v")"
    syns "$lo" "$hi" > "$TMP/syns"
    total=$(n < "$TMP/syns")
    [ "$total" = "$(f "$v.connected")" ] || fail "wire: $v: $total SYNs from ports $lo-$hi, the report connected $(f "$v.connected")"
    distinct=$(head -20 "$TMP/syns" | awk '{print $2}' | sort -u | n)
    [ "$distinct" = 20 ] || fail "wire: $v: the first 20 SYNs came from $distinct different ports"
    if [ "$total" -gt 20 ]; then
        gap=$(awk 'NR == 1 { t = $1 } NR == 21 { printf "%.2f", $1 - t }' "$TMP/syns")
        awk -v g="$gap" 'BEGIN { exit !(g >= 0.9) }' || fail "wire: $v: SYN 21 came $gap s after the first, before any reuse delay"
        note "wire: $v: 20 SYNs from 20 ports, then SYN 21 $gap s after the first, $total in all"
    else
        note "wire: $v: 20 SYNs from 20 ports, then none"
    fi
    expect=$(jget "$TMP/r.json" ".facts.$v.first_failure_at")
    [ "$expect" = $((hi - lo + 2)) ] || fail "$v: the connection that failed, $expect, is not the range's size + 1"
    case $v in
    nonlo_tw2|nonlo_tw0) [ "$total" = 20 ] || fail "wire: $v: a port was reused ($total SYNs)" ;;
    *) [ "$total" -gt 20 ] || fail "wire: $v: no port was reused ($total SYNs)" ;;
    esac
done
read -r lo hi <<< "$(range pool)"
[ "$(syns "$lo" "$hi" | n)" = 1 ] || fail "wire: pool: more than one connection"
read -r lo hi <<< "$(range server_first)"
conns=$(syns "$lo" "$hi" | n)
# per connection (a SYN starts it), whose FIN came first: s (the server's port) or c
firsts=$(awk -v lo="$lo" -v hi="$hi" -v p="$PORT" '{ s = $3; d = $5; sub(/.*\./, "", s); sub(/.*\./, "", d); sub(/:$/, "", d); s += 0; d += 0 }
    /Flags \[S\]/ && d == p && s >= lo && s <= hi { open[s] = 1; next }
    /Flags \[F/ && s == p && open[d] { print "s"; open[d] = 0 }
    /Flags \[F/ && d == p && open[s] { print "c"; open[s] = 0 }' "$TMP/cap.txt" | sort | uniq -c | tr '\n' ' ')
[ "$firsts" = "$(printf '%7d s ' "$conns")" ] || fail "wire: server_first: first FINs by side: $firsts ($conns connections)"
note "wire: pool: one connection; server_first: the server's FIN first on all $conns connections"
pass "time-wait-exhaustion: checks, ss and the capture agree (connection 21 fails on a 20-port range; reuse only where tw_reuse allows it)"
