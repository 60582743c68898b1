#!/usr/bin/env bash
# labels: lesson root
# timeout: 60
# lesson close-wait-leak: every check passes; then, independently of its report:
#   ss, polled during the run: the leaked connections pile up in CLOSE-WAIT on the server's port (as
#   many as the report counted), never with a timer; the client's orphans sit in FIN-WAIT-2 with a
#   timewait timer of at most TCP_LINGER2 (2 s, not tcp_fin_timeout's 60); the half-closed client's
#   FIN-WAIT-2 has no timer and lasts longer than that;
#   the wire (tcpdump): on the orphaned connection the server's late byte is answered by an RST and
#   the server never sends a FIN; the fixed connection's server FIN follows the client's at once,
#   the leaked ones' only after it, when the run ends and the engine closes them.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq ss
LINGER2=2
SS_WATCH='( sport = :PORT or dport = :PORT )'
run_lesson close-wait-leak
assert_report "$TMP/r.json" close-wait-leak "$RC"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the ss and wire checks below are Linux's"

# ---- ss: one line per row, "time state local remote timer", from the snapshots
awk '/^==/ { t = $2; next } { tm = "-"; for (i = 1; i <= NF; i++) if ($i ~ /^timer:/) tm = $i; print t, $1, $4, $5, tm }' \
    "$TMP/ss.txt" > "$TMP/rows"
cw_rows=$(awk '$2 == "CLOSE-WAIT"' "$TMP/rows" | wc -l)
[ "$cw_rows" -gt 0 ] || fail "ss: no CLOSE-WAIT row seen during the run"
[ "$(awk '$2 == "CLOSE-WAIT" && $5 != "-"' "$TMP/rows" | wc -l)" = 0 ] || fail "ss: a CLOSE-WAIT row with a timer"
# the largest number of CLOSE-WAIT rows on the server port that held for 3 snapshots or more
held=$(awk -v p=":$PORT" '/^==/ { if (seen) print n; n = 0; seen = 1; next }
        $1 == "CLOSE-WAIT" && substr($4, length($4) - length(p) + 1) == p { n++ } END { print n }' "$TMP/ss.txt" |
    sort -n | uniq -c | awk '$1 >= 3 { v = $2 } END { print v + 0 }')
want=$(f loop.close_wait_after_loop)
[ "$held" = "$want" ] || fail "ss: at most $held CLOSE-WAIT rows held on port $PORT, the report counted $want"
note "ss: $held CLOSE-WAIT rows on port $PORT at once, none with a timer ($cw_rows rows over the run)"

# the orphans' FIN-WAIT-2 timers: timer:(timewait,1.920ms,0) is 1.92 s; 920ms, 2sec also occur
secs() { sed -E 's/^timer:\(timewait,([^,]*),.*/\1/' | awk '{ v = $1
        if (v ~ /sec$/) { sub(/sec$/, "", v); print v + 0 } else if (v ~ /min$/) { sub(/min$/, "", v); print v * 60 }
        else { sub(/ms$/, "", v); if (index(v, ".")) { split(v, a, "."); print a[1] + a[2] / 1000 } else print v / 1000 } }'; }
longest=$(awk '$2 == "FIN-WAIT-2" && $5 ~ /timewait/ { print $5 }' "$TMP/rows" | secs | sort -n | tail -1)
[ -n "$longest" ] || fail "ss: no FIN-WAIT-2 row with a timewait timer"
awk -v l="$longest" -v m="$LINGER2" 'BEGIN { exit !(l > 0 && l <= m + 0.05) }' ||
    fail "ss: an orphan's FIN-WAIT-2 timer showed $longest s, more than TCP_LINGER2 = $LINGER2 s"
orphans=$(awk '/^==/ { if (seen) print n; n = 0; seen = 1; next } $1 == "FIN-WAIT-2" && /timewait/ { n++ } END { print n }' \
    "$TMP/ss.txt" | sort -n | tail -1)
[ "$orphans" -ge 5 ] || fail "ss: at most $orphans orphans in FIN-WAIT-2 at once, expected the loop's 5"
note "ss: up to $orphans orphaned FIN-WAIT-2 at once, timers at most $longest s (TCP_LINGER2 $LINGER2 s)"
# the half-closed client: FIN-WAIT-2 without a timer, for longer than an orphan may live
hc=$(f half_closed.client_port)
span=$(awk -v c=":$hc" '$2 == "FIN-WAIT-2" && $5 == "-" && substr($3, length($3) - length(c) + 1) == c { if (!a) a = $1; b = $1 }
        END { printf "%.2f", b - a }' "$TMP/rows")
awk -v s="$span" -v m="$LINGER2" 'BEGIN { exit !(s > m) }' ||
    fail "ss: the half-closed client (port $hc) was FIN-WAIT-2 without a timer for only $span s"
note "ss: half-closed port $hc in FIN-WAIT-2 with no timer for $span s"

# ---- the wire
need_wire close-wait-leak
mapfile -t ports < <(grep -E "\.[0-9]+ > [0-9.]+\.$PORT: Flags \[S\]" "$TMP/cap.txt" | sed -E 's/.* IP [0-9.]+\.([0-9]+) > .*/\1/')
[ "${#ports[@]}" = 8 ] || fail "wire: ${#ports[@]} connections, expected 8"
[ "${ports[0]}" = "$(f orphaned.client_port)" ] && [ "${ports[1]}" = "$hc" ] && [ "${ports[7]}" = "$(f fixed.client_port)" ] ||
    fail "wire: the connections' ports (${ports[*]}) are not the report's"
o=${ports[0]}
[ "$(conn "$o" | from "$PORT" "$o" | data | n)" = 1 ] || fail "wire: orphaned: expected one data segment from the server"
[ "$(conn "$o" | awk -v p=".$PORT >" 'index($0, p) && /length [1-9]/ { go = 1; next } go { print; exit }' | flag R | n)" = 1 ] ||
    fail "wire: orphaned: the server's late byte was not answered by an RST"
[ "$(conn "$o" | from "$PORT" "$o" | flag F | n)" = 0 ] || fail "wire: orphaned: the server sent a FIN"
note "wire: orphaned port $o: the server's late byte drew an RST; no FIN from the server"
fin_time() { conn "$1" | from "$2" "$3" | flag F | ts | head -1; }
fx=${ports[7]}
cfin=$(fin_time "$fx" "$fx" "$PORT"); sfin=$(fin_time "$fx" "$PORT" "$fx")
awk -v c="$cfin" -v s="$sfin" 'BEGIN { exit !(s != "" && s - c >= 0 && s - c < 0.1) }' ||
    fail "wire: fixed: the server's FIN ($sfin) did not follow the client's ($cfin) at once"
for c in "${ports[@]:1:6}"; do
    t=$(fin_time "$c" "$PORT" "$c")
    awk -v t="$t" -v f="$sfin" 'BEGIN { exit !(t == "" || t > f) }' ||
        fail "wire: leaked port $c: the server's FIN ($t) came before the fixed connection's end ($sfin)"
done
note "wire: fixed port $fx: the server's FIN at once; the 6 leaked connections': only as the run ends"
pass "close-wait-leak: checks, ss and the capture agree ($held CLOSE-WAIT without a timer, orphans' timers <= $LINGER2 s, RST on the late send)"
