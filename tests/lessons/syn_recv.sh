#!/usr/bin/env bash
# labels: lesson root
# timeout: 60
# lesson syn-recv: every check passes; then, independently of its report, tcpdump on the lesson's
# port sees: for the silent client, the server's SYN-ACK twice - the second one the kept deferral
# after the first - and the client's bare ACK after each, no data from it, and no FIN before the
# second ACK; for the early client, one SYN-ACK and its 5 bytes. The accept times in the
# report (server clock minus the client's connect, one clock for both) match the capture: the silent
# client's second ACK, the early client's data. Before that: socklab-server --lesson and
# socklab-bot --lesson refuse it (the bot's session line would be the data the server defers for).
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq
run_lesson syn-recv
assert_report "$TMP/r.json" syn-recv "$RC"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the wire checks below are Linux's"

# workshop mode: both programs refuse it in one line (their first bytes would be the session line)
for prog in "$SERVER" "$BOT"; do
    "$prog" --port 1 --lesson syn-recv > "$TMP/one.out" 2> "$TMP/one.err" && fail "$(basename "$prog") ran syn-recv alone"
    [ "$(wc -l < "$TMP/one.err")" = 1 ] && grep -q "socklab run" "$TMP/one.err" ||
        fail "$(basename "$prog"): expected one line pointing at socklab run, got: $(cat "$TMP/one.err")"
done
note "workshop: socklab-server and socklab-bot refuse syn-recv with one line (its first bytes are the lesson)"

need_wire syn-recv

# syn_at C: client port C's SYN time; since T0: each time stamp on stdin, in s after T0
syn_at() { conn "$1" | from "$1" "$PORT" | flag S | head -1 | ts; }
since() { ts | awk -v t0="$1" '{ printf "%.4f\n", $1 - t0 }'; }
bare_acks() { grep -E 'Flags \[\.\]' | grep -E 'length 0'; } # no SYN, FIN or payload
close_to() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= tol) }'; }
ms_apart() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (a - b) / 1000 }'; }

kept=$(f defer_accept.kernel_kept_s)
c=$(f silent.client_port)
t0=$(syn_at "$c")
[ -n "$t0" ] || fail "wire: silent: no SYN from client port $c"
synacks=$(conn "$c" | from "$PORT" "$c" | flag S | since "$t0")
[ "$(echo "$synacks" | wc -l)" = 2 ] || fail "wire: silent: SYN-ACKs at $(echo $synacks) s, expected 2 (at once and at the end of the deferral)"
again=$(echo "$synacks" | sed -n 2p)
close_to "$again" "$kept" 0.3 || fail "wire: silent: the SYN-ACK came again at $again s, expected about $kept s (the kept deferral)"
[ "$(conn "$c" | from "$c" "$PORT" | data | n)" = 0 ] || fail "wire: silent: the silent client sent data"
acks=$(conn "$c" | from "$c" "$PORT" | bare_acks | since "$t0")
[ "$(echo "$acks" | awk -v t="$again" '$1 < t' | wc -l)" = 1 ] || fail "wire: silent: expected one bare ACK before the second SYN-ACK: $(echo $acks)"
ack2=$(echo "$acks" | awk -v t="$again" '$1 >= t' | head -1)
[ -n "$ack2" ] || fail "wire: silent: no ACK answered the second SYN-ACK"
fin=$(conn "$c" | flag F | head -1 | since "$t0")
[ -n "$fin" ] && awk -v a="$fin" -v b="$ack2" 'BEGIN { exit !(a >= b) }' ||
    fail "wire: silent: the first FIN (${fin:-none}) came before the ACK that created the server's socket ($ack2 s)"
sacc=$(ms_apart "$(f silent.accepted_at_ms)" "$(f silent.connected_at_ms)")
close_to "$sacc" "$ack2" 0.06 || fail "wire: silent: the report's accept came $sacc s after the connect, the capture's creating ACK at $ack2 s"
note "wire: silent: SYN-ACK at $(echo $synacks) s, bare ACKs at $(echo $acks) s, accept() $sacc s after connect"

c=$(f early.client_port)
t0=$(syn_at "$c")
[ -n "$t0" ] || fail "wire: early: no SYN from client port $c"
synacks=$(conn "$c" | from "$PORT" "$c" | flag S | n)
[ "$synacks" = 1 ] || fail "wire: early: $synacks SYN-ACKs, expected 1"
datat=$(conn "$c" | from "$c" "$PORT" | data | head -1 | since "$t0")
bytes=$(conn "$c" | from "$c" "$PORT" | data | sed -nE 's/.*length ([0-9]+).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
[ "$bytes" = "$(f early.data_at_accept)" ] || fail "wire: early: $bytes bytes on the wire, the server had $(f early.data_at_accept) readable at accept"
accept=$(ms_apart "$(f early.accepted_at_ms)" "$(f early.connected_at_ms)")
close_to "$accept" "$datat" 0.06 || fail "wire: early: the report's accept came $accept s after the connect, the data at $datat s"
note "wire: early: one SYN-ACK, $bytes bytes at $datat s, accept() $accept s after connect"
pass "syn-recv: checks and the capture agree (silent: SYN-ACK again at $again s, accepted $sacc s after connect without data; early: accepted $accept s after connect, with its data)"
