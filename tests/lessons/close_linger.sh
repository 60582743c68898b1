#!/usr/bin/env bash
# labels: lesson root
# lesson close-linger: every check passes; ss agrees on TIME_WAIT; on Linux the wire (tcpdump) shows
# no RST and a FIN from the server more than 1.5 s after its first data: the linger timeout did not
# reset the connection, the close waited.
. "$SOCKLAB_TESTS/lib.sh"
close_lesson close-linger
need_wire close-linger
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the wire check below is Linux's (Windows resets)"
sfin=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag F | n)
anyrst=$(conn "$CPORT" | flag R | n)
[ "$anyrst" = 0 ] && [ "$sfin" -ge 1 ] || fail "wire: Linux linger timeout must not reset (FIN $sfin, RST $anyrst)"
first=$(conn "$CPORT" | from "$PORT" "$CPORT" | data | head -1 | ts)
fin_t=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag F | head -1 | ts)
awk -v a="$first" -v b="$fin_t" 'BEGIN { exit !(b - a > 1.5) }' || fail "wire: FIN came too soon ($first -> $fin_t)"
pass "close-linger: checks, ss and the capture agree (first data $first, FIN $fin_t, no RST)"
