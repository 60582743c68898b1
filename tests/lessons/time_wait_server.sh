#!/usr/bin/env bash
# labels: lesson root
# lesson time-wait-server: every check passes; ss finds TIME_WAIT on the server's port; on the wire
# (tcpdump) the first FIN comes from the server.
. "$SOCKLAB_TESTS/lib.sh"
close_lesson time-wait-server
need_wire time-wait-server
[ "$(first_fin_from "$CPORT")" = "$PORT" ] || fail "wire: the first FIN should come from the server port"
pass "time-wait-server: checks, ss and the capture agree (first FIN from server port $PORT)"
