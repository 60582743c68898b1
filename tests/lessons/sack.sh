#!/usr/bin/env bash
# labels: lesson root lab
# timeout: 60
# lesson sack: every check passes; then, independently of its report, tcpdump in the run's
# namespace sees, for each of the four transfers:
#   the SYN and the SYN-ACK carry sackOK exactly when the variant has SACK on, and no ACK of a
#   variant without it carries a SACK block;
#   the data packets sent a second time are as many as TCP_INFO's total_retrans, and none of them
#   (with SACK) overlaps a range a SACK block had already reported: only holes;
#   one_*: exactly one range sent twice, the hole the duplicate ACK before it pointed at (its ack);
#   with SACK that ACK's block starts where the hole ends and ends at the end of the data (its left
#   and right edges); without SACK it has none and the hole goes out again only after the
#   retransmission timer, 200 ms or more later.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq
run_lesson_lab sack
assert_report "$TMP/r.json" sack "$RC"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the wire checks below are Linux's"
[ "$(jget "$TMP/r.json" '.lab.applied | length')" -ge 4 ] || skip "no impairment lab here: nothing was dropped"
need_wire sack

# One transfer's packets as "time dir seq_from seq_to ack sacks opts" (dir d: data from the sender
# C, a: an ACK from the server; seq as tcpdump prints it, relative; sacks "l:r,l:r" or "-").
lines() {
    conn "$1" | awk -v c=".$1 >" '{ dir = index($0, c) ? "d" : "a"
        from = to = ack = "-"; sacks = "-"
        if (match($0, /seq [0-9]+:[0-9]+/)) { split(substr($0, RSTART + 4, RLENGTH - 4), q, ":"); from = q[1]; to = q[2] }
        if (match($0, /ack [0-9]+/)) ack = substr($0, RSTART + 4, RLENGTH - 4)
        if (match($0, /sack [0-9]+ [{][^]]*/)) { s = substr($0, RSTART, RLENGTH); sub(/sack [0-9]+ /, "", s)
            gsub(/[{]/, "", s); gsub(/[}]/, ",", s); sub(/,$/, "", s); sacks = s }
        flags = "-"; if (match($0, /Flags \[[^]]*\]/)) flags = substr($0, RSTART + 7, RLENGTH - 8)
        print $1, dir, from, to, ack, sacks, flags, (index($0, "sackOK") ? "sackOK" : "-") }'
}
# Data ranges sent again - a packet whose bytes an earlier one carried (the capture may list packets
# sent at the same moment from two contexts in either order, so "earlier" is only for the copy) - as
# "time from to sacked_before", sacked_before 1 when a SACK block had covered part of it at least 1 ms
# before (the sender had had it in hand).
resent() {
    awk '$2 == "a" && $6 != "-" { n = split($6, b, ","); for (i = 1; i <= n; i++) { split(b[i], e, ":"); L[++nb] = e[1] + 0; R[nb] = e[2] + 0; T[nb] = $1 } }
         $2 == "d" && $3 != "-" { f = $3 + 0; t = $4 + 0; copy = 0
             for (i = 1; i <= nd && !copy; i++) if (f < DT[i] && t > DF[i]) copy = 1
             DF[++nd] = f; DT[nd] = t
             if (!copy) next
             hit = 0; for (i = 1; i <= nb; i++) if (T[i] < $1 - 0.001 && f < R[i] && t > L[i]) hit = 1
             print $1, f, t, hit }' "$1"
}
for v in one_sack one_nosack random_sack random_nosack; do
    c=$(f "$v.client_port")
    lines "$c" > "$TMP/$v"
    resent "$TMP/$v" > "$TMP/$v.resent"
    syn_ok=$(awk '$7 ~ /S/ && $8 == "sackOK"' "$TMP/$v" | n)
    blocks=$(awk '$2 == "a" && $6 != "-"' "$TMP/$v" | n)
    again=$(n < "$TMP/$v.resent")
    case $v in
    *_nosack) [ "$syn_ok" = 0 ] && [ "$blocks" = 0 ] || fail "wire: $v: $syn_ok SYNs with sackOK, $blocks ACKs with SACK blocks; expected none" ;;
    *) [ "$syn_ok" = 2 ] && [ "$blocks" -ge 1 ] || fail "wire: $v: $syn_ok SYNs with sackOK (expected 2), $blocks ACKs with SACK blocks"
       [ "$(awk '$4 == 1' "$TMP/$v.resent" | n)" = 0 ] || fail "wire: $v: resent a range a SACK block had reported: $(awk '$4 == 1' "$TMP/$v.resent" | head -3 | tr '\n' ';')" ;;
    esac
    [ "$again" = "$(f "$v.retransmitted")" ] || fail "wire: $v: $again data packets sent again, TCP_INFO counted $(f "$v.retransmitted")"
    note "wire: $v: SYNs with sackOK $syn_ok, ACKs with SACK blocks $blocks, $again packets sent again"
done
for v in one_sack one_nosack; do
    [ "$(n < "$TMP/$v.resent")" = 1 ] || fail "wire: $v: $(n < "$TMP/$v.resent") ranges sent again, expected the hole alone"
    read -r t_again from to _ < "$TMP/$v.resent"
    # the ACKs that pointed at the hole, acknowledging up to it: the duplicate ACK among them (the
    # receiver acknowledges every other segment, so the one before the hole may have no ACK of its own)
    awk -v h="$from" '$2 == "a" && $5 == h' "$TMP/$v" > "$TMP/$v.dups"
    [ "$(n < "$TMP/$v.dups")" -ge 1 ] || fail "wire: $v: resent $from:$to, but no ACK pointed at it"
    end=$(( $(f "$v.sent") + 1 ))
    t_dup=$(awk -v t="$t_again" '$1 < t { d = $1 } END { print d }' "$TMP/$v.dups")
    t_next=$(awk -v f="$to" '$2 == "d" && $3 == f { print $1; exit }' "$TMP/$v")
    awk -v a="$t_dup" -v b="$t_next" 'BEGIN { exit !(b != "" && a > b) }' ||
        fail "wire: $v: no ACK of the hole after the segment behind it arrived (a duplicate ACK)"
    gap=$(awk -v a="$t_again" -v b="$t_dup" 'BEGIN { printf "%.0f", (a - b) * 1000 }')
    if [ $v = one_sack ]; then
        grep -q " $to:$end " "$TMP/$v.dups" || fail "wire: one_sack: no duplicate ACK with the SACK block $to:$end (what arrived beyond the hole): $(awk '{print $6}' "$TMP/$v.dups" | tr '\n' ' ')"
        note "wire: one_sack: a duplicate ACK of $from with sack {$to:$end}; the hole $from:$to alone, $gap ms later"
    else
        [ "$(awk '$6 != "-"' "$TMP/$v.dups" | n)" = 0 ] || fail "wire: one_nosack: a SACK block without SACK"
        [ "$gap" -ge 200 ] || fail "wire: one_nosack: the hole went out again $gap ms after the duplicate ACK, before any retransmission timer"
        note "wire: one_nosack: a bare duplicate ACK of $from; the hole $from:$to alone, $gap ms later (the timer)"
    fi
done
pass "sack: checks and the capture agree"
