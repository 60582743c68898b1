#!/usr/bin/env bash
# labels: lesson root
# lesson close-abortive: every check passes; ss finds no TIME_WAIT; on the wire (tcpdump) the
# server's close is an RST and it never sends FIN, and only what the client received ever left the
# server (most of the burst was never sent).
. "$SOCKLAB_TESTS/lib.sh"
close_lesson close-abortive
need_wire close-abortive
server_reset_not_fin
# what left the server is what arrived: the rest of the burst never reached the wire
sent=$(conn "$CPORT" | from "$PORT" "$CPORT" | grep -o 'length [0-9]*' | awk '{ s += $2 } END { print s + 0 }')
[ "$sent" = "$(f bytes_peer_received)" ] || fail "wire: $sent bytes left the server, the client received $(f bytes_peer_received)"
[ "$sent" -lt "$(f bytes_written_before_close)" ] || fail "wire: the whole burst left the server"
[ "$(f in_flight_at_close)" -le "$sent" ] || fail "in_flight_at_close $(f in_flight_at_close) is more than left the server ($sent)"
note "wire: $sent of $(f bytes_written_before_close) bytes written ever left the server"
pass "close-abortive: checks, ss and the capture agree (an RST, no FIN from the server)"
