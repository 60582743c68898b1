#!/usr/bin/env bash
# labels: lesson root
# lesson close-unread: every check passes; ss agrees on TIME_WAIT; on the wire (tcpdump) the server,
# closing with unread data, sends RST and never FIN (RFC 2525 2.17).
. "$SOCKLAB_TESTS/lib.sh"
close_lesson close-unread
need_wire close-unread
sfin=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag F | n)
srst=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag R | n)
[ "$srst" -ge 1 ] && [ "$sfin" = 0 ] || fail "wire: expected RST and no FIN from the server (RST $srst, FIN $sfin)"
pass "close-unread: checks, ss and the capture agree ($srst RST, no FIN from the server)"
