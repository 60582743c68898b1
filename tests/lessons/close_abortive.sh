#!/usr/bin/env bash
# labels: lesson root
# lesson close-abortive: every check passes; ss finds no TIME_WAIT; on the wire (tcpdump) the
# server's close is an RST and it never sends FIN.
. "$SOCKLAB_TESTS/lib.sh"
close_lesson close-abortive
need_wire close-abortive
server_reset_not_fin
pass "close-abortive: checks, ss and the capture agree (an RST, no FIN from the server)"
