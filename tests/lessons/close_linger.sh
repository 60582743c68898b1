#!/usr/bin/env bash
# labels: lesson root
# lesson close-linger: every check passes; ss agrees on TIME_WAIT; on Linux the wire (tcpdump) shows
# no RST and a FIN from the server more than 1.5 s after its first data: the linger timeout did not
# reset the connection, the close waited; the FIN rides on the last data segment, about 1 s after
# close() returned (when the client reads).
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
# the FIN rides on the last data segment, sent when the client reads: about 1 s after close() returned
conn "$CPORT" | from "$PORT" "$CPORT" | flag F | grep -qE 'Flags \[FP\.\].*length [1-9]' || fail "wire: the FIN is not on a data segment"
ret=$(jq -r '[.timeline[] | select(.side == "server" and (.event | startswith("close() returned")))][0].t_ms' "$TMP/r.json")
after=$(awk -v s="$(jget "$TMP/r.json" .start_unix_s)" -v r="$ret" -v f="$fin_t" 'BEGIN { printf "%.3f", f - (s + r / 1000) }')
awk -v d="$after" 'BEGIN { exit !(d > 0.5 && d < 1.6) }' || fail "wire: the FIN left $after s after close() returned, not about 1 s"
note "wire: the FIN rode on the last data segment, $after s after close() returned"
pass "close-linger: checks, ss and the capture agree (first data $first, FIN $fin_t, no RST)"
