#!/usr/bin/env bash
# labels: lesson root
# lesson close-graceful: every check passes; ss finds TIME_WAIT where the report says; on the wire
# (tcpdump) the server sends FIN and nobody sends RST, and the FIN comes no earlier than the server's
# last data segment - a plain close() loses nothing.
. "$SOCKLAB_TESTS/lib.sh"
close_lesson close-graceful
need_wire close-graceful
sfin=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag F | n)
anyrst=$(conn "$CPORT" | flag R | n)
[ "$sfin" -ge 1 ] && [ "$anyrst" = 0 ] || fail "wire: expected FIN and no RST (server FIN $sfin, any RST $anyrst)"
last_data=$(conn "$CPORT" | from "$PORT" "$CPORT" | data | tail -1 | ts)
fin_t=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag F | head -1 | ts)
awk -v d="$last_data" -v f="$fin_t" 'BEGIN { exit !(f >= d) }' || fail "wire: FIN ($fin_t) before the last data ($last_data)"
pass "close-graceful: checks, ss and the capture agree (server FIN at $fin_t, last data at $last_data, no RST)"
