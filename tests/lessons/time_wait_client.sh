#!/usr/bin/env bash
# labels: lesson root
# lesson time-wait-client: every check passes; ss finds TIME_WAIT on the client's port; on the wire
# (tcpdump) the first FIN comes from the client.
. "$SOCKLAB_TESTS/lib.sh"
close_lesson time-wait-client
need_wire time-wait-client
[ "$(first_fin_from "$CPORT")" = "$CPORT" ] || fail "wire: the first FIN should come from the client port"
pass "time-wait-client: checks, ss and the capture agree (first FIN from client port $CPORT)"
