#!/usr/bin/env bash
# labels: lesson root lab
# timeout: 60
# lesson user-timeout: every check passes; then, independently of its report, tcpdump inside the
# run's own network namespace sees, after the server's last segment on each vanished connection:
#   default       the unanswered request retransmitted, each gap about twice the one before (after
#                 the first, a tail-loss probe), as many times as TCP_INFO counted, the server silent
#   user_timeout  the same until the user timeout, then silence: no RST, nothing more from the client
#   keepalive     zero-length probes every second, more of them than TCP_KEEPCNT, then the client's
#                 RST at about the user timeout
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq
run_lesson_lab user-timeout
assert_report "$TMP/r.json" user-timeout "$RC"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the wire checks below are Linux's"
[ "$(jget "$TMP/r.json" '.lab.applied | length')" -ge 3 ] || fail "the report shows fewer than 3 rules applied in the lab"
need_wire user-timeout

# after_server C FILE: connection C's segments after the server's last data segment, as
# "secs from len flags seq" with secs counted from it (from = c or s; seq "a:b", "-" when absent).
after_server() {
    conn "$1" | awk -v p=".$PORT:" '{ from = index($5, p) ? "c" : "s"
        n = $0; sub(/.*length /, "", n); sub(/[^0-9].*/, "", n)
        match($0, /Flags \[[^]]*\]/); fl = substr($0, RSTART + 7, RLENGTH - 8)
        sq = "-"; if (match($0, /seq [0-9]+:[0-9]+/)) sq = substr($0, RSTART + 4, RLENGTH - 4)
        print $1, from, n + 0, fl, sq }' > "$TMP/all"
    awk '$2 == "s" && $3 > 0 { t0 = $1; line = NR } END { print t0, line }' "$TMP/all" > "$TMP/t0"
    read -r t0 line < "$TMP/t0"
    [ -n "$t0" ] || fail "wire: client port $1: no data from the server"
    awk -v t0="$t0" -v l="$line" 'NR > l { printf "%.3f %s %s %s %s\n", $1 - t0, $2, $3, $4, $5 }' "$TMP/all" > "$2"
}

# default and user_timeout: the request after the drop, and its retransmissions (same seq)
retransmissions() { # FILE: times of the request's transmissions, first one included
    awk '$2 == "c" && $3 > 0 { if (sq == "") sq = $5; if ($5 == sq) print $1 }' "$1"
}
for v in default user_timeout; do
    after_server "$(f $v.client_port)" "$TMP/$v"
    retransmissions "$TMP/$v" > "$TMP/$v.tx"
    note "wire: $v: the request at $(head -1 "$TMP/$v.tx") s after the server's last segment, then at:" \
         "$(tail -n +2 "$TMP/$v.tx" | tr '\n' ' ')"
    [ "$(awk '$2 == "c" && $3 > 0' "$TMP/$v" | awk '{print $5}' | sort -u | wc -l)" = 1 ] ||
        fail "wire: $v: the client sent more than the one request after the drop"
done

# default: within the watched time the wire holds what TCP_INFO counted, spaced by a doubling RTO
t_req=$(head -1 "$TMP/default.tx")
awk -v t="$t_req" -v w=4.5 '$1 > t && $1 - t <= w { print $1 - t }' "$TMP/default.tx" > "$TMP/default.rtx"
[ "$(wc -l < "$TMP/default.rtx")" = "$(jget "$TMP/r.json" '.facts.default.retransmit_ms | length')" ] ||
    fail "wire: default: $(wc -l < "$TMP/default.rtx") retransmissions in 4.5 s, TCP_INFO counted $(jget "$TMP/r.json" '.facts.default.retransmit_ms | length')"
awk 'NR > 1 { gap = $1 - prev; if (NR > 2 && (gap < 1.6 * pgap || gap > 2.5 * pgap)) { print "gap " gap " s after " pgap " s"; bad = 1 } pgap = gap }
     { prev = $1 } END { if (NR < 4) { print "only " NR " retransmissions"; bad = 1 } exit bad }' "$TMP/default.rtx" ||
    fail "wire: default: the retransmission timeout does not double"
[ "$(awk -v t="$t_req" '$2 == "s" && $1 - t <= 4.5' "$TMP/default" | wc -l)" = 0 ] ||
    fail "wire: default: the server sent something after the drop"

# user_timeout: retransmissions up to about the user timeout, then nothing at all from the client
ut=$(f user_timeout.error_after_send_ms)
t_req=$(head -1 "$TMP/user_timeout.tx")
last=$(awk '$2 == "c"' "$TMP/user_timeout" | tail -1 | awk '{print $1}')
awk -v a="$last" -v t="$t_req" -v e="$ut" 'BEGIN { exit !(a - t < e / 1000 && a - t > e / 1000 - 2) }' ||
    fail "wire: user_timeout: the client's last segment at $last s, its recv() failed $ut ms after the request"
[ "$(awk '$2 == "c" && $4 ~ /R/' "$TMP/user_timeout" | wc -l)" = 0 ] ||
    fail "wire: user_timeout: the client sent an RST (the user timeout drops the connection silently)"

# keepalive: probes (no payload) every interval, more than TCP_KEEPCNT = 2, then the client's RST
after_server "$(f keepalive.client_port)" "$TMP/ka"
awk '$1 > 0.5' "$TMP/ka" > "$TMP/keepalive"   # past the client's ACK of the byte
sed 's/^/    /' "$TMP/keepalive"
probes=$(awk '$2 == "c" && $3 == 0 && $4 == "."' "$TMP/keepalive" | wc -l)
[ "$probes" -gt 2 ] || fail "wire: keepalive: $probes probes, expected more than TCP_KEEPCNT = 2"
awk '$2 == "c" && $4 ~ /R/ { if ($1 < 4.4 || $1 > 5.8) { print "RST at " $1 " s"; exit 1 } r = 1 }
     END { if (!r) { print "no RST"; exit 1 } }' "$TMP/keepalive" ||
    fail "wire: keepalive: expected the client's RST at about the user timeout (4.5 s)"
[ "$(awk '$4 ~ /R/ { exit } $2 == "s"' "$TMP/keepalive" | wc -l)" = 0 ] || fail "wire: keepalive: the server answered"
pass "user-timeout: checks and the capture agree (default: $(wc -l < "$TMP/default.rtx") retransmissions in 4.5 s," \
     "doubling; user_timeout: silence after $last s; keepalive: $probes probes, then an RST)"
