#!/usr/bin/env bash
# labels: lesson root
# lesson close-unread: every check passes; ss agrees on TIME_WAIT; on the wire (tcpdump) the server,
# closing with unread data, sends RST and never FIN (RFC 2525 2.17).
. "$SOCKLAB_TESTS/lib.sh"
close_lesson close-unread
need_wire close-unread
server_reset_not_fin
pass "close-unread: checks, ss and the capture agree (an RST, no FIN from the server)"
