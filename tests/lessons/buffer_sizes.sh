#!/usr/bin/env bash
# labels: lesson root
# lesson buffer-sizes: its checks pass; what it read from the kernel agrees with /proc; the sizes
# it reports are 2 x min(request, rmem_max/wmem_max) worked out here from /proc; and on the wire
# (tcpdump) each connection's SYN carries the window scale the lesson says it announced - a
# different one for the 4 KiB and the 1 MiB receive buffer.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq

# Only the SYNs matter here, and the default connection moves ~600 MB: capture just those.
run_lesson buffer-sizes "tcp[tcpflags] & tcp-syn != 0"
assert_report "$TMP/r.json" buffer-sizes "$RC"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the /proc and wire checks below are Linux's"

# The limits, read here from /proc, not from the report.
read -r rmin rdef rmax < /proc/sys/net/ipv4/tcp_rmem
read -r wmin wdef wmax < /proc/sys/net/ipv4/tcp_wmem
rmem_max=$(cat /proc/sys/net/core/rmem_max); wmem_max=$(cat /proc/sys/net/core/wmem_max)
[ "$(f kernel_limits.tcp_rmem.min) $(f kernel_limits.tcp_rmem.default) $(f kernel_limits.tcp_rmem.max)" = "$rmin $rdef $rmax" ] \
    || fail "kernel_limits.tcp_rmem differs from /proc"
[ "$(f kernel_limits.tcp_wmem.default) $(f kernel_limits.rmem_max) $(f kernel_limits.wmem_max)" = "$wdef $rmem_max $wmem_max" ] \
    || fail "kernel_limits differ from /proc"

min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }
for size in small large above_max; do
    req=$(f "sizes.$size.requested")
    [ "$(f "sizes.$size.effective.so_rcvbuf")" = $((2 * $(min "$req" "$rmem_max"))) ] || fail "$size: SO_RCVBUF not 2 x min($req, $rmem_max)"
    [ "$(f "sizes.$size.effective.so_sndbuf")" = $((2 * $(min "$req" "$wmem_max"))) ] || fail "$size: SO_SNDBUF not 2 x min($req, $wmem_max)"
    note "$size: requested $req, got SO_RCVBUF $(f "sizes.$size.effective.so_rcvbuf") SO_SNDBUF $(f "sizes.$size.effective.so_sndbuf")"
done
[ "$(f sizes.default.requested)" = "not set" ] || fail "the default connection should request nothing"
[ "$(f sizes.default.effective.so_rcvbuf)" = "$rdef" ] || fail "default SO_RCVBUF is not tcp_rmem[1] ($rdef)"

need_wire buffer-sizes
# The client's SYN of each connection: "Flags [S], ..., options [..., wscale N]".
syn_wscale() {
    grep -E "\.$1 > [0-9.]+\.$PORT: Flags \[S\]," "$TMP/cap.txt" | head -1 | sed -nE 's/.*wscale ([0-9]+).*/\1/p'
}
for size in small default large above_max; do
    cport=$(f "sizes.$size.client_port")
    ws=$(syn_wscale "$cport")
    [ -n "$ws" ] || fail "wire: no SYN with a wscale option from client port $cport ($size)"
    [ "$ws" = "$(f "sizes.$size.wscale_sent")" ] || fail "wire: $size SYN has wscale $ws, the report says $(f "sizes.$size.wscale_sent")"
    eval "ws_$size=$ws"
    note "wire: $size connection (port $cport): SYN wscale $ws"
done
[ "$ws_small" != "$ws_large" ] || fail "wire: the 4 KiB and 1 MiB buffers announced the same scale ($ws_small)"
pass "buffer-sizes: checks, /proc and the SYNs agree (wscale small $ws_small, default $ws_default, large $ws_large)"
