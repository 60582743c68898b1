#!/usr/bin/env bash
# labels: lesson root
# lesson half-close: every check passes; ss agrees on TIME_WAIT; on the wire (tcpdump) the server's
# data still flows after the client's FIN with no RST (shutdown), while on the second connection,
# where the client called close(), the client sends an RST and the first FIN.
. "$SOCKLAB_TESTS/lib.sh"
close_lesson half-close
need_wire half-close
anyrst=$(conn "$CPORT" | flag R | n)
cfin_t=$(conn "$CPORT" | from "$CPORT" "$PORT" | flag F | head -1 | ts)
after=$(conn "$CPORT" | from "$PORT" "$CPORT" | data | ts | awk -v f="$cfin_t" '$1 > f' | wc -l)
[ "$after" -ge 1 ] && [ "$anyrst" = 0 ] || fail "wire: expected server data after the client's FIN and no RST ($after)"
c2=$(f with_close_client_port)
[ "$(conn "$c2" | from "$c2" "$PORT" | flag R | n)" -ge 1 ] || fail "wire: close() variant: no RST from the client"
[ "$(first_fin_from "$c2")" = "$c2" ] || fail "wire: close() variant: first FIN not from the client"
# the RST answers the reply's first segment: the server's data on the wire stops there
sent2=$(conn "$c2" | from "$PORT" "$c2" | grep -o 'length [0-9]*' | awk '{ s += $2 } END { print s + 0 }')
[ "$sent2" -le "$(f with_close_reply_bytes_sent)" ] && [ "$sent2" -lt 65536 ] ||
    fail "wire: close() variant: $sent2 reply bytes on the wire (the lesson sent $(f with_close_reply_bytes_sent))"
note "wire: close() variant: the reply stopped after $sent2 bytes on the wire"
pass "half-close: checks, ss and the capture agree ($after data segments after the client's FIN; the close() variant reset)"
