#!/usr/bin/env bash
# labels: lesson root netns
# timeout: 60
# lesson_segmentation: the segmentation lesson across three hosts in network namespaces (server A,
# router W, client B; veth, MTU 1500, 198.18.0.0/15), run by scripts/netns-lab.sh with tcpdump at
# four points, the receiver's GRO off and then on. Asserts what this kernel was measured to do:
#   the sender's capture has segments larger than the MSS (GSO/TSO: the stack hands over 64 KiB);
#   a plain veth pair carries them across unsplit (W's capture from A is identical);
#   the router's veth with TSO off cuts them: nothing above the MSS there, and TCP_INFO's
#   data_segs_out counts exactly those wire segments;
#   the receiver's capture shows the MSS-sized pieces with GRO off, super-segments again with it on.
# Needs root: skipped without it, a failure in CI. The namespaces go away also on failure.
. "$SOCKLAB_TESTS/lib.sh"
need_root "network namespaces, tcpdump and ethtool"
need_cmd ip tcpdump ethtool jq
LAB="$SOCKLAB_TESTS/../scripts/netns-lab.sh"
PFX="sltest$$"

# Namespaces left by an earlier run of this test that was killed (no trap runs on SIGKILL).
for ns in $(ip netns list | awk '{print $1}' | grep -E '^sltest[0-9]+-[awb]$'); do
    pid=${ns#sltest}; pid=${pid%-*}
    kill -0 "$pid" 2>/dev/null || ip netns del "$ns" 2>/dev/null
done
trap 'bash "$LAB" down --prefix "$PFX" >/dev/null 2>&1; cleanup' EXIT

rc=0
timeout 40 bash "$LAB" segmentation --prefix "$PFX" --bin "$BIN" --out "$TMP/lab" >"$TMP/lab.txt" 2>&1 || rc=$?
cat "$TMP/lab.txt"
[ $rc = 0 ] || fail "netns-lab.sh segmentation exited $rc"
left=$(ip netns list | grep -c "^$PFX-" || true)
[ "$left" = 0 ] || fail "netns-lab.sh left $left namespaces behind"

T="$TMP/lab/histograms.tsv"
[ -s "$T" ] || fail "no histograms.tsv"
# col POINT GRO COLUMN: one value of the histogram table
col() { awk -F'\t' -v p="$1" -v g="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
                                                   $1 == p && $2 == g { print $k[c] }' "$T"; }
above() { echo $(( $(col "$1" "$2" mss_to_8x) + $(col "$1" "$2" above_8x) )); }

for g in off on; do
    S="$TMP/lab/server.gro-$g.json" C="$TMP/lab/client.gro-$g.json"
    jq -e '.pass == true' "$S" >/dev/null || fail "GRO $g: the server side's checks failed"
    jq -e '.pass == true' "$C" >/dev/null || fail "GRO $g: the client side's checks failed"
    mss=$(jget "$S" .facts.sender.snd_mss) sent=$(jget "$S" .facts.sender.bytes_sent)
    [ "$mss" = 1448 ] || fail "GRO $g: MSS $mss, expected 1500 - 20 (IP) - 20 (TCP) - 12 (timestamps) = 1448"
    syn=$(tcpdump -nn -r "$TMP/lab/a_sender.gro-$g.pcap" 'tcp[tcpflags] == tcp-syn' 2>/dev/null | grep -o 'mss [0-9]*')
    [ "$syn" = "mss 1460" ] || fail "GRO $g: the SYN announced '$syn', expected mss 1460 (1500 - 40)"
    for pt in a_sender w_from_a w_to_b b_receiver; do
        [ "$(col $pt $g bytes)" -ge "$sent" ] || fail "GRO $g: the capture at $pt holds $(col $pt $g bytes) of $sent bytes"
    done
    [ "$(above a_sender $g)" -ge 1 ] && [ "$(col a_sender $g largest)" -gt "$mss" ] ||
        fail "GRO $g: the sender's capture has no segment above the MSS (GSO/TSO)"
    for c in packets lt_mss eq_mss mss_to_8x above_8x largest; do
        [ "$(col w_from_a $g $c)" = "$(col a_sender $g $c)" ] ||
            fail "GRO $g: W's capture from A differs from A's in $c: a veth pair cut or merged segments"
    done
    [ "$(col w_to_b $g largest)" -le "$mss" ] || fail "GRO $g: a segment above the MSS on the wire (TSO off)"
    [ "$(jget "$S" .facts.sender.data_segs_out)" = "$(col w_to_b $g packets)" ] ||
        fail "GRO $g: TCP_INFO data_segs_out $(jget "$S" .facts.sender.data_segs_out) != $(col w_to_b $g packets) wire segments"
    seen() { echo "$(col "$1" $g packets) (largest $(col "$1" $g largest))"; }
    note "GRO $g: packets at the sender $(seen a_sender), on the wire $(seen w_to_b), at the receiver $(seen b_receiver)"
done
[ "$(col b_receiver off largest)" -le "$mss" ] && [ "$(col b_receiver off packets)" = "$(col w_to_b off packets)" ] ||
    fail "GRO off: the receiver's capture is not the wire's MSS-sized segments"
[ "$(above b_receiver on)" -ge 1 ] && [ "$(col b_receiver on packets)" -lt "$(col w_to_b on packets)" ] ||
    fail "GRO on: the receiver's capture shows no merged segments"
pass "segmentation: sender's capture above the MSS, veth unsplit, the wire at most the MSS, GRO merges on the receiver"
