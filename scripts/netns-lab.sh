#!/usr/bin/env bash
# netns-lab.sh - a three-host TCP lab in network namespaces, and the segmentation lesson's captures.
#
#   scripts/netns-lab.sh up            make the hosts and leave them up (then: ip netns exec ...)
#   scripts/netns-lab.sh down          remove them
#   scripts/netns-lab.sh segmentation  make them, run the segmentation lesson across them with
#                                      tcpdump at four points, print a segment-size histogram per
#                                      point (receiver's GRO off, then on), remove them
#
# options: --prefix P (namespace names P-a, P-w, P-b; default socklab), --bin DIR (where socklab-server
# and socklab-bot are; default $SOCKLAB_BIN_DIR or build/debug), --out DIR (keep the pcaps, the two
# sides' JSON reports and histograms.tsv there), --gro off|on|both (default both).
#
# The hosts, joined by veth pairs (MTU 1500), addresses from 198.18.0.0/15 (RFC 2544, benchmarking)
# only:
#   P-a  server   to-w 198.18.0.1/30 ----- to-a 198.18.0.2/30  P-w  router (forwards)
#   P-b  client   to-w 198.18.0.6/30 ----- to-b 198.18.0.5/30       TSO off on to-b: the kernel cuts
#                                                                   super-segments there, as a NIC would
# Needs root (namespaces, tcpdump, ethtool); without it, it says so and exits 77 (skipped).
set -u

PREFIX=socklab
BIN=${SOCKLAB_BIN_DIR:-}
OUT=
GRO=both
PORT=7100

die() { echo "netns-lab: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }

cmd=${1:-}
[ $# -gt 0 ] && shift
while [ $# -gt 0 ]; do
    case $1 in
    --prefix) PREFIX=${2:?}; shift 2 ;;
    --bin) BIN=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --gro) GRO=${2:?}; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "netns-lab: unknown option $1" >&2; usage 2 ;;
    esac
done
case $GRO in off|on|both) ;; *) die "--gro takes off, on or both" ;; esac
case $cmd in up|down|segmentation) ;; -h|--help|help) usage 0 ;; *) usage 2 ;; esac

A=$PREFIX-a W=$PREFIX-w B=$PREFIX-b
[ ${#A} -le 32 ] || die "--prefix too long"

if [ "$(id -u)" != 0 ]; then
    echo "netns-lab: needs root (network namespaces, tcpdump, ethtool): skipped" >&2
    exit 77
fi
for c in ip tcpdump ethtool; do
    command -v "$c" >/dev/null 2>&1 || die "needs '$c' (apt-get install iproute2 tcpdump ethtool)"
done

MADE=0 # set once this run has made the namespaces: only then does a failure remove them
lab_down() {
    local ns
    for ns in "$A" "$W" "$B"; do ip netns del "$ns" 2>/dev/null; done
    return 0
}

lab_up() {
    local ns
    for ns in "$A" "$W" "$B"; do
        ip netns list | grep -qw "^$ns" && die "namespace $ns exists already (scripts/netns-lab.sh down --prefix $PREFIX)"
    done
    MADE=1
    for ns in "$A" "$W" "$B"; do ip netns add "$ns" || return 1; ip -n "$ns" link set lo up || return 1; done
    ip link add to-w netns "$A" mtu 1500 type veth peer name to-a netns "$W" mtu 1500 || return 1
    ip link add to-w netns "$B" mtu 1500 type veth peer name to-b netns "$W" mtu 1500 || return 1
    ip -n "$A" addr add 198.18.0.1/30 dev to-w && ip -n "$W" addr add 198.18.0.2/30 dev to-a &&
    ip -n "$W" addr add 198.18.0.5/30 dev to-b && ip -n "$B" addr add 198.18.0.6/30 dev to-w || return 1
    ip -n "$A" link set to-w up && ip -n "$W" link set to-a up && ip -n "$W" link set to-b up &&
    ip -n "$B" link set to-w up || return 1
    ip -n "$A" route add 198.18.0.4/30 via 198.18.0.2 && ip -n "$B" route add 198.18.0.0/30 via 198.18.0.5 || return 1
    ip netns exec "$W" sysctl -qw net.ipv4.ip_forward=1 || return 1
    # The router's link to B is the "wire": no TSO there, so the kernel segments in software.
    ip netns exec "$W" ethtool -K to-b tso off >/dev/null || return 1
    ip netns exec "$B" ethtool -K to-w gro off >/dev/null || return 1
}

case $cmd in
up)
    lab_up || { lab_down; die "could not make the hosts"; }
    echo "up: $A (198.18.0.1) -- $W (router, TSO off toward B) -- $B (198.18.0.6)"
    echo "try: ip netns exec $A tcpdump -i to-w -nn 'tcp port $PORT' &     # the sender's capture"
    echo "     ip netns exec $A socklab-server --bind 198.18.0.1 --port $PORT --lesson segmentation &"
    echo "     ip netns exec $B socklab-bot --host 198.18.0.1 --port $PORT --lesson segmentation"
    echo "then: $0 down${PREFIX:+ --prefix $PREFIX}"
    exit 0 ;;
down)
    lab_down; echo "down: $A $W $B removed"; exit 0 ;;
esac

# ---- segmentation -------------------------------------------------------------------------------
[ -n "$BIN" ] || BIN=$(cd "$(dirname "$0")/.." && pwd)/build/debug
[ -x "$BIN/socklab-server" ] && [ -x "$BIN/socklab-bot" ] || die "no socklab-server/socklab-bot in $BIN (--bin DIR)"
command -v jq >/dev/null 2>&1 || die "needs 'jq'"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/netns-lab.XXXXXX")
PIDS=()
finish() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    [ $MADE = 1 ] && lab_down
    if [ -n "$OUT" ]; then mkdir -p "$OUT" && cp "$WORK"/* "$OUT"/ 2>/dev/null; fi
    rm -rf "$WORK"
}
trap finish EXIT
trap 'exit 130' INT TERM

# wait_line FILE REGEX SECONDS: bounded poll for a line in a file.
wait_line() {
    local i=0
    while [ $i -lt $(($3 * 20)) ]; do
        grep -qE "$2" "$1" 2>/dev/null && return 0
        sleep 0.05; i=$((i + 1))
    done
    return 1
}

# The four capture points: name, namespace, device.
POINTS=("a_sender:$A:to-w" "w_from_a:$W:to-a" "w_to_b:$W:to-b" "b_receiver:$B:to-w")
LABELS=("A  server's veth (the sender's capture)" "W  veth from A (a plain veth pair)"
        "W  veth to B, TSO off (the wire)" "B  client's veth (the receiver's capture)")

# histogram PCAP MSS: "packets lt eq mid big largest bytes" of the server's data segments.
histogram() {
    tcpdump -nn -r "$1" "src host 198.18.0.1 and src port $PORT" 2>/dev/null |
        sed -nE 's/.* length ([0-9]+)$/\1/p' |
        awk -v mss="$2" '$1 > 0 { n++; b += $1; if ($1 > big) big = $1
                 if ($1 < mss) lt++; else if ($1 == mss) eq++; else if ($1 <= 8 * mss) mid++; else hi++ }
             END { printf "%d %d %d %d %d %d %d\n", n, lt, eq, mid, hi, big, b }'
}

run_once() { # run_once GRO(off|on)
    local g=$1 i p ns dev pt wire=? wire_bytes=?
    ip netns exec "$B" ethtool -K to-w gro "$g" >/dev/null || die "ethtool -K to-w gro $g in $B failed"
    p=$(ip netns exec "$B" ethtool -k to-w | awk '/^generic-receive-offload:/ { print $2 }')
    [ "$p" = "$g" ] || die "GRO on B's veth reads '$p' after asking for $g"
    local cpids=()
    for i in "${!POINTS[@]}"; do
        IFS=: read -r pt ns dev <<<"${POINTS[$i]}"
        ip netns exec "$ns" tcpdump -i "$dev" -nn -U --immediate-mode -s 128 -B 8192 -w "$WORK/$pt.gro-$g.pcap" "tcp port $PORT" \
            2>"$WORK/$pt.gro-$g.tcpdump" &
        cpids+=($!); PIDS+=($!)
    done
    for i in "${!POINTS[@]}"; do
        IFS=: read -r pt ns dev <<<"${POINTS[$i]}"
        wait_line "$WORK/$pt.gro-$g.tcpdump" "listening on" 5 || die "tcpdump in $ns did not start"
    done
    ip netns exec "$A" "$BIN/socklab-server" --bind 198.18.0.1 --port $PORT --lesson segmentation --json --quiet \
        >"$WORK/server.gro-$g.out" 2>"$WORK/server.gro-$g.err" &
    local spid=$!; PIDS+=($spid)
    wait_line "$WORK/server.gro-$g.out" "listening on" 5 || { cat "$WORK/server.gro-$g.err" >&2; die "socklab-server did not start"; }
    timeout 20 ip netns exec "$B" "$BIN/socklab-bot" --host 198.18.0.1 --port $PORT --lesson segmentation --json --quiet \
        >"$WORK/client.gro-$g.json" 2>"$WORK/client.gro-$g.err"
    wait_line "$WORK/server.gro-$g.out" '"lesson"' 10 || die "the server side wrote no report"
    sleep 0.2 # the last segments reach the captures
    kill "$spid" "${cpids[@]}" 2>/dev/null; wait "$spid" "${cpids[@]}" 2>/dev/null
    sed 1d "$WORK/server.gro-$g.out" >"$WORK/server.gro-$g.json" # after its "listening on" line
    for i in "${!POINTS[@]}"; do
        IFS=: read -r pt ns dev <<<"${POINTS[$i]}"
        # Every packet the filter passed must be in the file: nothing dropped, nothing left unread.
        p=$(awk '/packets? captured/ {c = $1} /received by filter/ {r = $1} /dropped by kernel/ {d = $1}
                 END { if (c != r || d != 0) printf "captured %s of %s, %s dropped", c, r, d }' "$WORK/$pt.gro-$g.tcpdump")
        [ -z "$p" ] || die "tcpdump at $pt: $p - the histogram would lie (try again)"
    done
    jq -e '.pass' "$WORK/server.gro-$g.json" >/dev/null || echo "netns-lab: the server side's checks failed" >&2
    jq -e '.pass' "$WORK/client.gro-$g.json" >/dev/null || echo "netns-lab: the client side's checks failed" >&2
    local mss bytes
    mss=$(jq -r '.facts.sender.snd_mss // empty' "$WORK/server.gro-$g.json")
    bytes=$(jq -r '.facts.sender.bytes_sent // empty' "$WORK/server.gro-$g.json")
    [ -n "$mss" ] && [ -n "$bytes" ] || die "the server's report has no sender.snd_mss / bytes_sent"
    echo
    echo "the server's data segments, $bytes bytes; MSS $mss (TCP_INFO snd_mss); GRO on B's veth: $g"
    printf '  %-44s %8s %7s %7s %8s %7s %8s\n' "capture point" packets "<MSS" "=MSS" "2-8xMSS" ">8xMSS" largest
    for i in "${!POINTS[@]}"; do
        IFS=: read -r pt ns dev <<<"${POINTS[$i]}"
        local h; h=$(histogram "$WORK/$pt.gro-$g.pcap" "$mss")
        # shellcheck disable=SC2086
        set -- $h
        printf '  %-44s %8s %7s %7s %8s %7s %8s\n' "${LABELS[$i]}" "$1" "$2" "$3" "$4" "$5" "$6"
        printf '%s\t%s\t%s\t%s\n' "$pt" "$g" "$mss" "$(echo "$h" | tr ' ' '\t')" >>"$WORK/histograms.tsv"
        [ "$pt" = w_to_b ] && wire=$1 && wire_bytes=$7
    done
    local segs_out segs_in retrans
    segs_out=$(jq -r '.facts.sender.data_segs_out // "?"' "$WORK/server.gro-$g.json")
    retrans=$(jq -r '.facts.sender.total_retrans // "?"' "$WORK/server.gro-$g.json")
    segs_in=$(jq -r '.facts.receiver.data_segs_in // "?"' "$WORK/client.gro-$g.json")
    echo "  TCP_INFO counted $segs_out data segments sent (total_retrans $retrans) and $segs_in received;"
    # One of the server's data segments is the session line's "OK\n" (3 bytes) that precedes the
    # lesson's own bytes in the two-program mode (README: a workshop); TCP_INFO counts it too.
    echo "  the wire capture holds $wire, carrying $wire_bytes bytes for the $bytes written and the 3 of the session's OK"
}

lab_up || die "could not make the hosts"
printf 'point\tgro\tmss\tpackets\tlt_mss\teq_mss\tmss_to_8x\tabove_8x\tlargest\tbytes\n' >"$WORK/histograms.tsv"
echo "hosts: $A 198.18.0.1 (server) -- $W (router; TSO off toward B) -- $B 198.18.0.6 (client), MTU 1500"
offloads() { # offloads NS DEV: the segmentation offloads in force, as ethtool reports them
    ip netns exec "$1" ethtool -k "$2" |
        awk '/^(tcp|generic)-segmentation-offload:/ { sub(/-offload:/, ""); printf "%s %s  ", $1, $2 }'
}
echo "offloads: A to-w: $(offloads "$A" to-w)"
echo "          W to-b: $(offloads "$W" to-b)"
case $GRO in
both) run_once off && run_once on ;;
*) run_once "$GRO" ;;
esac
echo
echo "2-8xMSS: more than one MSS, at most 8; the table counts TCP segments with data from the server"
