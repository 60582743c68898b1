#!/usr/bin/env bash
# labels: lesson root lab
# timeout: 60
# lesson keepalive: every check passes; then, independently of its report, tcpdump inside the run's
# own network namespace sees: on the live connection, zero-length probes from the client about
# every idle period, each answered by the server; on the vanished one, after the server's last data
# segment, exactly TCP_KEEPCNT probes at idle, idle + interval, ... and then the client's RST at
# idle + count x interval - and nothing from the server after its data.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq
run_lesson_lab keepalive
assert_report "$TMP/r.json" keepalive "$RC"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the wire checks below are Linux's"
[ "$(jget "$TMP/r.json" '.lab.applied | length')" -ge 1 ] || fail "the report shows no rule applied in the lab"
need_wire keepalive

# Lines between PORT and client port C as "time from length flags": from = c or s.
lines() {
    conn "$1" | awk -v p=".$PORT:" '{ from = index($5, p) ? "c" : "s"
        n = $0; sub(/.*length /, "", n); sub(/[^0-9].*/, "", n)
        match($0, /Flags \[[^]]*\]/); fl = substr($0, RSTART + 7, RLENGTH - 8)
        print $1, from, n + 0, fl }'
}
# alive: client probes (length 0, after the handshake, not FIN) and server ACKs right after each
c=$(f alive.client_port)
lines "$c" > "$TMP/alive"
probes=$(awk '$2 == "c" && $3 == 0 && $4 == "." && NR > 3 && prev_fin == 0 { n++ } $4 ~ /F/ { prev_fin = 1 } END { print n + 0 }' "$TMP/alive")
answered=$(awk '$2 == "c" && $3 == 0 && $4 == "." && NR > 3 { t = $1; want = 1; next } want && $2 == "s" && $1 - t < 0.1 { n++; want = 0 } $4 ~ /F/ { exit } END { print n + 0 }' "$TMP/alive")
[ "$probes" = "$(f alive.probes_sent)" ] || fail "wire: alive: $probes probes on the wire, the report says $(f alive.probes_sent)"
[ "$answered" = "$probes" ] || fail "wire: alive: $answered of $probes probes answered"
note "wire: alive: $probes probes, each answered within 100 ms"

# vanished: after the server's data byte, only client segments: COUNT probes then an RST
c=$(f vanished.client_port)
lines "$c" > "$TMP/vanished"
awk '$2 == "s" && $3 > 0 { t0 = $1; go = 1; next } go { printf "%.3f %s %s %s\n", $1 - t0, $2, $3, $4 }' "$TMP/vanished" \
    | awk '$1 > 0.5' > "$TMP/after"   # past the client's ACK of the byte
cat "$TMP/after" | sed 's/^/    /'
# the server's kernel stays silent until its own close (its FIN, seconds later, is dropped too)
[ "$(awk '$4 ~ /R/ { exit } $2 == "s"' "$TMP/after" | wc -l)" = 0 ] || fail "wire: vanished: the server answered after its byte"
nprobes=$(awk '$4 == "." && $3 == 0' "$TMP/after" | wc -l)
[ "$nprobes" = 3 ] || fail "wire: vanished: $nprobes probes, expected TCP_KEEPCNT = 3"
awk '$4 == "." { n++; want = n == 1 ? 2 : n + 1; if ($1 < want - 0.2 || $1 > want + 0.5) { print "probe " n " at " $1 " s, expected about " want; bad = 1 } }
     $4 ~ /R/ { if ($1 < 4.8 || $1 > 5.8) { print "RST at " $1 " s, expected about 5"; bad = 1 } rst = 1 }
     END { if (!rst) { print "no RST from the client"; bad = 1 } exit bad }' "$TMP/after" || fail "wire: vanished: the probe schedule is off"
pass "keepalive: checks and the capture agree (alive: $probes probes answered; vanished: 3 unanswered probes at 2, 3, 4 s and an RST at about 5 s)"
