#!/usr/bin/env bash
# labels: lesson root
# lesson close-abortive: every check passes; ss finds no TIME_WAIT; on the wire (tcpdump) the
# server's close is an RST and it never sends FIN.
. "$SOCKLAB_TESTS/lib.sh"
close_lesson close-abortive
need_wire close-abortive
sfin=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag F | n)
srst=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag R | n)
[ "$srst" -ge 1 ] && [ "$sfin" = 0 ] || fail "wire: expected RST and no FIN from the server (RST $srst, FIN $sfin)"
pass "close-abortive: checks, ss and the capture agree ($srst RST, no FIN from the server)"
