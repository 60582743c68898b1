#!/usr/bin/env bash
# labels: lesson root
# timeout: 60
# lesson syn-retries: every check passes; then, independently of its report: tcpdump on lo (SYNs and
# RSTs of every port, since the slow server's ports are chosen at run time) sees the probe's SYNs to
# the slow port at the times the report's TCP_INFO polling recorded, and nothing answering them; the
# closed port answers its SYN with an RST at once; TcpExtListenDrops, read from /proc before and
# after the run, grew by at least the probe's SYNs on the wire; and the report's ETIMEDOUT came one
# last RTO after the last SYN on the wire.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq

# listen_drops: the kernel's TcpExtListenDrops now (the host's; other programs may add to it)
listen_drops() {
    awk '$1 == "TcpExt:" { if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1 } else { for (i = 2; i <= NF; i++) if (k[i] == "ListenDrops") print $i } }' /proc/net/netstat
}

ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1
[ -n "${CI:-}" ] && [ $ROOT = 0 ] && fail "CI must run as root: the wire checks need tcpdump"
PORT=$(free_port)
if [ $ROOT = 1 ]; then
    need_cmd tcpdump
    bg tcpdump tcpdump -i lo -nn -tt -U -l -s 128 -B 16384 'tcp[tcpflags] & (tcp-syn|tcp-rst) != 0'
    CAP_PID=$BG_PID
    wait_for "$TMP/tcpdump.out" "listening on" 10
fi
drops0=$(listen_drops)
"$SOCKLAB" run syn-retries --port "$PORT" --json --quiet > "$TMP/r.json" 2> "$TMP/err"
RC=$?
drops1=$(listen_drops)
[ $ROOT = 1 ] && capture_stop
[ -s "$TMP/err" ] && { echo "stderr:"; cat "$TMP/err"; }
assert_report "$TMP/r.json" syn-retries "$RC"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the checks below are Linux's"

syns=$(f probe.syns_sent)
[ $((drops1 - drops0)) -ge "$syns" ] || fail "/proc/net/netstat: ListenDrops grew by $((drops1 - drops0)) over the run, less than the probe's $syns SYNs"
note "/proc/net/netstat: ListenDrops +$((drops1 - drops0)) over the run (the report: +$(f slow_server.listen_drops), $syns SYNs)"
need_wire syn-retries

slow=$(f slow_server.port); closed=$(f slow_server.closed_port); c=$(f probe.client_port)
# the probe's SYNs, in s after the first; nothing at all from the slow port to the probe's port
grep -E "\.$c > [0-9.]+\.$slow: Flags \[S\]" "$TMP/cap.txt" | ts > "$TMP/syns"
[ "$(grep -cE "\.$slow > [0-9.]+\.$c: " "$TMP/cap.txt")" = 0 ] || fail "wire: the slow port answered the probe"
[ "$(wc -l < "$TMP/syns")" = "$syns" ] || fail "wire: $(wc -l < "$TMP/syns") SYNs from the probe's port $c, the report says $syns"
rel=$(awk 'NR == 1 { t0 = $1 } { printf "%s%d", (NR > 1 ? " " : ""), ($1 - t0) * 1000 }' "$TMP/syns")
# each retransmission as TCP_INFO saw it (polled every 5 ms) and as the capture saw it
jq -r '.facts.probe.retransmit_at_ms | map(tostring) | join(" ")' "$TMP/r.json" > "$TMP/seen"
awk -v wire="$rel" '{ n = split(wire, w, " "); for (i = 1; i <= NF; i++) { d = $i - w[i + 1]
        if (d < -5 || d > 40) { print "retransmission " i ": TCP_INFO at " $i " ms, the wire at " w[i + 1] " ms"; bad = 1 } }
      exit bad }' "$TMP/seen" || fail "wire: the report's retransmission times are not the capture's"
note "wire: probe SYNs at $rel ms; TCP_INFO saw the retransmissions at $(cat "$TMP/seen") ms"
# ETIMEDOUT one (last) RTO after the last SYN, as the timer that finds the budget spent
last=$(echo "$rel" | awk '{ print $NF }')
rto=$(jq -r '.facts.probe.rto_ms[-1]' "$TMP/r.json")
awk -v e="$(f probe.error_at_ms)" -v l="$last" -v r="$rto" 'BEGIN { d = e - l - r; exit !(d >= -5 && d <= 300) }' ||
    fail "wire: ETIMEDOUT at $(f probe.error_at_ms) ms, the last SYN at $last ms and the RTO then $rto ms"
note "wire: $(f probe.error) at $(f probe.error_at_ms) ms = last SYN ($last ms) + RTO $rto ms"
# the closed port: one SYN, and an RST from it within 10 ms
cs=$(grep -E "\.[0-9]+ > [0-9.]+\.$closed: Flags \[S\]" "$TMP/cap.txt" | head -1 | ts)
cr=$(grep -E "\.$closed > [0-9.]+\.[0-9]+: Flags \[R" "$TMP/cap.txt" | head -1 | ts)
[ -n "$cs" ] && [ -n "$cr" ] || fail "wire: closed port $closed: SYN ${cs:-missing}, RST ${cr:-missing}"
awk -v a="$cs" -v b="$cr" 'BEGIN { exit !(b - a >= 0 && b - a < 0.01) }' || fail "wire: the closed port's RST came $cr - $cs s after the SYN"
pass "syn-retries: checks, the capture and /proc agree ($syns SYNs at $rel ms, none answered; $(f probe.error) at $(f probe.error_at_ms) ms; the closed port reset at once)"
