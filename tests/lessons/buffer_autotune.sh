#!/usr/bin/env bash
# labels: lesson
# lesson buffer-autotune: its checks pass, and independently of its report: `ss -tmi` sampled
# during the run sees the locked receiver's buffer (skmem rb) fixed at the size the lesson set and
# the default receiver's grow past tcp_rmem[1]; the samples it wrote with --csv are consistent
# (time moves forward, buffer sizes > 0, the locked SO_RCVBUF constant, the byte counts end at the
# totals the report gives).
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq ss awk

port=$(free_port)
"$SOCKLAB" run buffer-autotune --port "$port" --json --quiet --csv "$TMP/s.csv" > "$TMP/r.json" 2> "$TMP/err" &
pid=$!
# ss every 100 ms while it runs (bounded: 10 s), the receiving (client) sockets only.
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
    ss -Htmi state established "( dport = :$port )" >> "$TMP/ss.txt" 2>/dev/null
    sleep 0.1; i=$((i + 1))
done
wait "$pid"; rc=$?
[ $rc -lt 128 ] || fail "socklab crashed (exit $rc)"
jq -e . "$TMP/r.json" >/dev/null || fail "stdout is not one JSON document"
jq -r '.checks[] | "  \(if .pass then "PASS" else "FAIL" end)  \(.id): expect \(.expect), observed \(.observed)"' "$TMP/r.json"
[ "$(jget "$TMP/r.json" .pass)" = true ] || fail "buffer-autotune: a check failed (exit $rc): $(cat "$TMP/err")"
[ $rc = 0 ] || fail "checks passed but exit status was $rc"

# --- the CSV ---------------------------------------------------------------------------------
[ "$(head -1 "$TMP/s.csv")" = "lesson,connection,side,metric,unit,t_ms,value" ] || fail "CSV header"
awk -F, 'NR > 1 {
    if (NF != 7) { print "row " NR " has " NF " fields"; bad = 1 }
    k = $2 "," $3 "," $4
    if (k in last && $6 + 0 < last[k]) { print "time goes back in " k " at row " NR; bad = 1 }
    last[k] = $6 + 0; n[k]++
    if (($4 == "rcvbuf" || $4 == "sndbuf") && $7 + 0 <= 0) { print "size <= 0 at row " NR; bad = 1 }
} END {
    if (n["locked,client,rcvbuf"] < 10 || n["default,client,rcvbuf"] < 10) { print "fewer than 10 samples"; bad = 1 }
    exit bad
}' "$TMP/s.csv" || fail "CSV is inconsistent"
set_rcv=$(f locked.receiver.so_rcvbuf_set)
locked_vals=$(awk -F, '$2 == "locked" && $3 == "client" && $4 == "rcvbuf" {print $7}' "$TMP/s.csv" | sort -u)
[ "$locked_vals" = "$set_rcv" ] || fail "CSV: the locked SO_RCVBUF took values other than $set_rcv: $(echo $locked_vals)"
for c in default locked; do
    last=$(awk -F, -v c=$c '$2 == c && $3 == "client" && $4 == "received" {v = $7} END {print v}' "$TMP/s.csv")
    [ "$last" = "$(f $c.receiver.bytes)" ] || fail "CSV: $c received ends at $last, the report says $(f $c.receiver.bytes)"
done
note "CSV: $(($(wc -l < "$TMP/s.csv") - 1)) samples; locked SO_RCVBUF always $set_rcv"

# --- ss, independently of socklab --------------------------------------------------------------
# "RECVQ SENDQ 127.0.0.1:CPORT 127.0.0.1:PORT" (no state column with a state filter), then a line
# with "skmem:(r0,rb131072,...)": rb is the socket's receive buffer, sk_rcvbuf.
rb_of() {
    awk -v p=":$1 " 'index($0, p) {want = 1; next}
        want {if (match($0, /skmem:\(r[0-9]+,rb[0-9]+/)) {s = substr($0, RSTART, RLENGTH); sub(/.*rb/, "", s); print s}; want = 0}' \
        "$TMP/ss.txt"
}
rdef=$(awk '{print $2}' /proc/sys/net/ipv4/tcp_rmem)
locked_rb=$(rb_of "$(f locked.client_port)" | sort -u)
default_rb=$(rb_of "$(f default.client_port)" | sort -n | tail -1)
[ -n "$locked_rb" ] && [ -n "$default_rb" ] || fail "ss: never saw the two receiving sockets (ss output: $(wc -l < "$TMP/ss.txt") lines)"
[ "$locked_rb" = "$set_rcv" ] || fail "ss: the locked receiver's rb was $(echo $locked_rb), not $set_rcv"
if [ "$(f default.receiver.so_rcvbuf.max)" -gt "$rdef" ]; then
    [ "$default_rb" -gt "$rdef" ] || fail "ss: the default receiver's rb never grew past tcp_rmem[1] ($rdef)"
fi
note "ss: locked rb always $locked_rb; default rb up to $default_rb (tcp_rmem[1] = $rdef)"
note "throughput: default $(f default.receiver.mib_per_s) MiB/s, locked $(f locked.receiver.mib_per_s) MiB/s (reported, not asserted)"
pass "buffer-autotune: checks, the CSV and ss agree"
