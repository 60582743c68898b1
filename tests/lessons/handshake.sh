#!/usr/bin/env bash
# labels: lesson root lab
# timeout: 60
# lesson handshake: every check passes; then, independently of its report:
#   ss, polled in the run's namespace: the states each side held long enough for a 50 ms poll, in
#   order - the first client SYN-SENT then TIME-WAIT, its server SYN-RECV then LAST-ACK; the second
#   client ESTAB while its server is still SYN-RECV, then CLOSE-WAIT and LAST-ACK; that server
#   SYN-RECV, FIN-WAIT-2, TIME-WAIT;
#   the wire (tcpdump in the namespace): each SYN's seq is the ISN the report read, the SYN-ACK
#   acknowledges ISN + 1, the options each SYN carried are those TCP_INFO reported, the SYNs and
#   SYN-ACKs sent again are the retransmissions TCP_INFO counted; each FIN's relative seq is the
#   report's; the first close has no bare ACK from the server between the two FINs (three segments,
#   the ACK riding on the FIN), the second has the client's bare ACK of the server's FIN when the
#   report says, before the client's FIN (four); the FIN the lab made the passive side send again
#   is the only retransmission of the close.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq ss
SS_WATCH='( sport = :PORT or dport = :PORT )'
run_lesson_lab handshake
assert_report "$TMP/r.json" handshake "$RC"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the ss and wire checks below are Linux's"
[ "$(jget "$TMP/r.json" '.lab.applied | length')" -ge 4 ] || skip "no impairment lab here: nothing was slowed"
[ "$SS_WATCHED" = 1 ] || skip "handshake: the checks agree; ss and the capture in the lab's namespace need root"

# ss: the states of one end (client port C; "client" or "server" end), as the snapshots saw them
ss_states() {
    awk -v p="$PORT" -v c="$1" -v side="$2" '
        function port(a) { sub(/.*:/, "", a); return a + 0 }
        /^==/ { next }
        { l = port($4); r = port($5)
          if ((side == "server" && l == p && r == c) || (side == "client" && l == c && r == p))
              if ($1 != last) { printf "%s%s", sep, $1; sep = " "; last = $1 } }
        END { print "" }' "$TMP/ss.txt"
}
# in_order "A B C" "WANT1 WANT2": every wanted state appears, in this order
in_order() { awk -v seen="$1" -v want="$2" 'BEGIN { n = split(seen, s, " "); m = split(want, w, " "); j = 1
    for (i = 1; i <= n && j <= m; i++) if (s[i] == w[j]) j++; exit !(j > m) }'; }
for want in "first client SYN-SENT TIME-WAIT" "first server SYN-RECV LAST-ACK" "second client ESTAB CLOSE-WAIT LAST-ACK" \
            "second server SYN-RECV FIN-WAIT-2 TIME-WAIT"; do
    read -r v end states <<< "$want"
    got=$(ss_states "$(f "$v.client_port")" "$end")
    in_order "$got" "$states" || fail "ss: $v $end: saw '$got', expected $states in this order"
    note "ss: $v $end: $got"
done
c=$(f second.client_port)
awk -v p="$PORT" -v c="$c" 'function port(a) { sub(/.*:/, "", a); return a + 0 }
    /^==/ { if (ce && sr) ok = 1; ce = sr = 0; next }
    port($4) == c && port($5) == p && $1 == "ESTAB" { ce = 1 }
    port($4) == p && port($5) == c && $1 == "SYN-RECV" { sr = 1 }
    END { if (ce && sr) ok = 1; exit !ok }' "$TMP/ss.txt" ||
    fail "ss: second: never the client ESTAB while the server was SYN-RECV"
note "ss: second: the client ESTAB while the server was still SYN-RECV"

need_wire handshake
# Lines of connection C as "time from flags length seq ack options" (seq/ack as tcpdump prints them)
lines() {
    conn "$1" | awk -v p=".$PORT:" '{ from = index($5, p) ? "c" : "s"
        match($0, /Flags \[[^]]*\]/); fl = substr($0, RSTART + 7, RLENGTH - 8)
        seq = "-"; if (match($0, /seq [0-9:]+/)) seq = substr($0, RSTART + 4, RLENGTH - 4)
        ack = "-"; if (match($0, /ack [0-9]+/)) ack = substr($0, RSTART + 4, RLENGTH - 4)
        opt = "-"; if (match($0, /options \[[^]]*\]/)) { opt = substr($0, RSTART + 9, RLENGTH - 10); gsub(/ /, "_", opt) }
        n = $0; sub(/.*length /, "", n); sub(/[^0-9].*/, "", n)
        print $1, from, fl, n + 0, seq, ack, opt }'
}
for v in first second; do
    c=$(f "$v.client_port")
    lines "$c" > "$TMP/$v"
    for end in client server; do
        [ $end = client ] && who=c fl=S || who=s fl=S.
        syns=$(awk -v w=$who -v f=$fl '$2 == w && $3 == f' "$TMP/$v")
        first_syn=$(echo "$syns" | head -1)
        read -r _ _ _ _ seq ack opt <<< "$first_syn"
        [ "$seq" = "$(f "$v.$end.isn")" ] || fail "wire: $v: the $end's SYN carries seq $seq, the report's ISN is $(f "$v.$end.isn")"
        [ $end = server ] && { [ "$ack" = $(( $(f "$v.client.isn") + 1 )) ] || fail "wire: $v: the SYN-ACK acknowledges $ack, not the client's ISN + 1"; }
        echo "$opt" | grep -q "mss_$(f "$v.$end.syn_mss")," || fail "wire: $v: the $end's SYN options $opt, the report says mss $(f "$v.$end.syn_mss")"
        echo "$opt" | grep -q "wscale_$(f "$v.$end.syn_wscale")" || fail "wire: $v: the $end's SYN options $opt, the report says wscale $(f "$v.$end.syn_wscale")"
        [ "$(echo "$opt" | grep -c sackOK)" = "$(f "$v.$end.sack_permitted")" ] || fail "wire: $v: the $end's SYN: sackOK vs the report's sack_permitted $(f "$v.$end.sack_permitted")"
        [ "$(echo "$opt" | grep -c TS_val)" = "$(f "$v.$end.timestamps")" ] || fail "wire: $v: the $end's SYN: TS vs the report's timestamps $(f "$v.$end.timestamps")"
        [ "$(echo "$syns" | grep -c .)" = $(( 1 + $(f "$v.$end.handshake_retransmissions") )) ] ||
            fail "wire: $v: $(echo "$syns" | grep -c .) SYNs from the $end, TCP_INFO counted $(f "$v.$end.handshake_retransmissions") retransmissions"
        fin=$(awk -v w=$who '$2 == w && $3 ~ /F/ { print $5; exit }' "$TMP/$v")
        [ "$fin" = "$(f "$v.$end.fin_seq_relative")" ] || fail "wire: $v: the $end's FIN has relative seq $fin, the report $(f "$v.$end.fin_seq_relative")"
    done
    note "wire: $v: ISNs $(f "$v.client.isn") and $(f "$v.server.isn"), SYN options and FIN seqs as reported"
done
# the closes, from the first FIN: first "c F, s F, c ., s F, c ." (the server's FIN sent again after the
# dropped ACK); second "s F, c ., c F, s ., c F, s ."
close_of() { awk '$3 ~ /F/ { go = 1 } go { printf "%s%s %s", sep, $2, ($3 ~ /F/ ? "F" : $3 == "." && $4 == 0 ? "." : $3); sep = ", " } END { print "" }' "$TMP/$1"; }
[ "$(close_of first)" = "c F, s F, c ., s F, c ." ] || fail "wire: first close: $(close_of first); expected c F, s F, c ., s F, c ."
[ "$(close_of second)" = "s F, c ., c F, s ., c F, s ." ] || fail "wire: second close: $(close_of second); expected s F, c ., c F, s ., c F, s ."
delay=$(awk '$3 ~ /F/ && $2 == "s" && !t { t = $1; next } t && $2 == "c" { printf "%.0f", ($1 - t) * 1000; exit }' "$TMP/second")
awk -v a="$delay" -v b="$(f second.client.fin_acked_alone_after_ms)" 'BEGIN { d = a - b; exit !(d >= -5 && d <= 15) }' ||
    fail "wire: second: the client's bare ACK came $delay ms after the server's FIN, the report says $(f second.client.fin_acked_alone_after_ms) ms"
note "wire: first close: $(close_of first); second: $(close_of second) (the bare ACK after $delay ms)"
pass "handshake: checks, ss and the capture agree"
