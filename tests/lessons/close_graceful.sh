#!/usr/bin/env bash
# labels: lesson root
# lesson close-graceful: every check passes; ss finds TIME_WAIT where the report says; on the wire
# (tcpdump) nobody sends RST, the server's FIN rides on its last data segment (no data after it),
# every byte written left the server, the client's window went to 0 while it did not read, and the
# server probed that zero window with a bare ACK.
. "$SOCKLAB_TESTS/lib.sh"
close_lesson close-graceful
# the timeline is in the order things happened: the client's hello is sent before the server reads it
jq -e '([.timeline[] | select(.side == "client" and .event == "sent 1 bytes")][0].t_ms) <=
       ([.timeline[] | select(.side == "server" and .event == "received 1 bytes")][0].t_ms)' "$TMP/r.json" >/dev/null ||
    fail "the timeline shows the server receiving the hello before the client sent it"
need_wire close-graceful
anyrst=$(conn "$CPORT" | flag R | n)
[ "$anyrst" = 0 ] || fail "wire: $anyrst RST"
fin=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag F)
[ "$(echo "$fin" | grep -c .)" = 1 ] || fail "wire: expected one FIN from the server"
echo "$fin" | grep -qE 'Flags \[FP\.\].*length [1-9]' || fail "wire: the FIN does not ride on a data segment: $fin"
after=$(conn "$CPORT" | from "$PORT" "$CPORT" | awk '/Flags \[F/ { f = 1; next } f' | data | n)
[ "$after" = 0 ] || fail "wire: $after data segments after the FIN"
sent=$(conn "$CPORT" | from "$PORT" "$CPORT" | grep -o 'length [0-9]*' | awk '{ s += $2 } END { print s + 0 }')
[ "$sent" = "$(f bytes_written_before_close)" ] || fail "wire: $sent bytes left the server, it wrote $(f bytes_written_before_close)"
zero=$(conn "$CPORT" | from "$CPORT" "$PORT" | grep -c ', win 0,')
[ "$zero" -ge 1 ] || fail "wire: the client's window never went to 0"
# a probe: a bare ACK from the server while the client's last word was a zero window
probes=$(conn "$CPORT" | awk -v c=".$CPORT > " -v s=".$PORT > " '
    index($0, c) { shut = ($0 ~ /, win 0,/); next }
    index($0, s) && shut && /Flags \[\.\]/ && /length 0$/ { n++ }
    END { print n + 0 }')
[ "$probes" -ge 1 ] || fail "wire: no zero-window probe (a bare ACK) from the server"
note "wire: FIN on the last data segment, $sent bytes sent, $zero zero-window ACKs, $probes probe(s)"
pass "close-graceful: checks, ss and the capture agree (the FIN rode on the last data; no RST)"
