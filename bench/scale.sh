#!/usr/bin/env bash
# bench/scale.sh BUILD_DIR [options]: the game at scale. socklab-bot --count N plays against
# socklab-server --proto game and against bench/socklab-refgame (the same protocol and per-tick
# work, nothing else), one server after the other, alternating which goes first, for --rounds
# rounds; prints each figure's median and the ratio socklab/reference (median of the per-round
# ratios, and their lowest-highest). ./lab bench-scale runs it on the release build.
#
#   --count N     bots (default 10000)
#   --duration S  seconds of play per bot (default 20; all of them play at once for S minus the ramp)
#   --rounds R    rounds (default 2)
#   --raw FILE    keep every run's figures, one key=value line per run
#   --help        this text
#
# As root each run gets a network namespace of its own (a clean loopback, no TIME_WAIT left from
# the run before). Server on CPU 0, bots on CPU 1. Runs of 1,000 bots or more hold the load lock
# /tmp/socklab-load.lock, like the other loads.
set -euo pipefail
die() { echo "scale: $*" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

help_if_asked "$@"
[ $# -ge 1 ] || die "usage: bench/scale.sh BUILD_DIR [--count N] [--duration S] [--rounds R] [--raw FILE]"
BUILD=$1; shift
COUNT=10000 DURATION=20 ROUNDS=2 RAW=""
while [ $# -gt 0 ]; do
    case $1 in
    --count) COUNT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --raw) RAW=$2; shift 2 ;;
    *) die "unknown option '$1'" ;;
    esac
done
SERVER=$BUILD/socklab-server BOT=$BUILD/socklab-bot REF=$BUILD/bench/socklab-refgame
for f in "$SERVER" "$BOT" "$REF"; do [ -x "$f" ] || die "$f is missing: build first (./lab build-release)"; done
command -v jq >/dev/null || die "needs jq"
[ "$(ulimit -Hn)" -ge $((COUNT + 64)) ] || die "the open-files hard limit $(ulimit -Hn) is below --count + 64"

TMP=$(mktemp -d)
SRV_PID=""
cleanup() {
    [ -z "$SRV_PID" ] || kill -KILL "$SRV_PID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
[ -n "$RAW" ] || RAW=$TMP/raw.txt
: >"$RAW"

pin_cpus server bots
if fresh_netns_possible; then NETNS=1; else NETNS=0; fi
# A load holds the lock other loads hold; a small smoke run (under 1,000 bots) does not wait for it.
LOCK=()
if [ "$COUNT" -ge 1000 ] && command -v flock >/dev/null; then LOCK=(flock "${SOCKLAB_LOAD_LOCK:-/tmp/socklab-load.lock}"); fi

cpu_ns() { awk '{s += $1} END {printf "%.0f\n", s}' /proc/"$1"/task/*/schedstat 2>/dev/null || echo 0; }

# run KIND ROUND: one server, the bots against it; appends a key=value line to $RAW.
run() {
    local kind=$1 round=$2 out=$TMP/srv.out cmd i port ns=() c0 c1 rc
    if [ "$kind" = ref ]; then
        cmd=("${PIN_SRV[@]}" "$REF" --port 0)
    else
        # Every bot comes from 127.0.0.1: --max-per-source stays on (its cost is measured) but above
        # the bots; the other limits keep their defaults.
        cmd=("${PIN_SRV[@]}" "$SERVER" --port 0 --proto game --quiet --expect-conns "$COUNT" --max-per-source 1000000)
    fi
    if [ "$NETNS" = 1 ]; then
        unshare -n -- sh -c 'ip link set lo up && exec "$@"' sh "${cmd[@]}" >"$out" 2>&1 &
    else
        "${cmd[@]}" >"$out" 2>&1 &
    fi
    SRV_PID=$!
    for i in $(seq 1 200); do
        grep -q "listening on" "$out" && break
        kill -0 "$SRV_PID" 2>/dev/null || { cat "$out" >&2; die "$kind server did not start"; }
        sleep 0.05
    done
    port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$out" | head -1)
    [ -n "$port" ] || die "$kind server did not report its port"
    [ "$NETNS" = 1 ] && ns=(nsenter -t "$SRV_PID" -n --)
    c0=$(cpu_ns "$SRV_PID")
    rc=0
    "${LOCK[@]}" "${ns[@]}" "${PIN_LOAD[@]}" "$BOT" --count "$COUNT" --duration "$DURATION" --port "$port" \
        --json --quiet >"$TMP/bot.json" 2>"$TMP/bot.err" || rc=$?
    c1=$(cpu_ns "$SRV_PID")
    kill -TERM "$SRV_PID"
    for i in $(seq 1 100); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$SRV_PID" 2>/dev/null || true
    wait "$SRV_PID" 2>/dev/null || true
    SRV_PID=""
    if [ "$rc" != 0 ]; then # the bot's exit status says some did not end done or eof: how they ended
        cat "$TMP/bot.err" >&2
        jq -c '{connected, ends, end_details}' "$TMP/bot.json" >&2 2>/dev/null || true
        die "$kind, round $round: the bots exited with status $rc"
    fi
    jq -r --arg kind "$kind" --arg round "$round" --arg cpu "$((c1 - c0))" '
        def p(x): if x == null then -1 else x end;
        "server=\($kind) round=\($round) connected=\(.connected) done=\(p(.ends.done))"
        + " tick_hz=\(if .all_playing.tick_spacing_us.p50 then 1e6 / .all_playing.tick_spacing_us.p50 else -1 end)"
        + " cpu_us_per_state=\(if .states_received > 0 then ($cpu | tonumber) / 1000 / .states_received else -1 end)"
        + " latency_p50_ms=\(p(.all_playing.tick_latency_us.p50) / 1000) latency_p99_ms=\(p(.all_playing.tick_latency_us.p99) / 1000)"
        + " rtt_p50_ms=\(p(.all_playing.rtt_us.p50) / 1000) mb_per_s=\(p(.all_playing.bytes_received_per_s) / 1e6)"' \
        "$TMP/bot.json" >>"$RAW"
    printf '  round %s  %-8s %s\n' "$round" "$kind" "$(tail -1 "$RAW" | cut -d' ' -f3-)" >&2
}

echo "scale: $COUNT bots, $DURATION s of play, $ROUNDS round(s); $PINNING" >&2
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then run ref "$round"; run socklab "$round"
    else run socklab "$round"; run ref "$round"; fi
done

val() { # val SERVER KEY -> one value per round (-1, not measured, left out)
    awk -v s="server=$1" -v k="$2" '$1 == s {for (i = 1; i <= NF; i++) {split($i, a, "="); if (a[1] == k && a[2] + 0 >= 0) print a[2]}}' "$RAW"
}
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
two() { awk '{if ($1 == "-") print "-"; else printf "%.2f\n", $1}'; }
ratios() { # per-round socklab/reference
    awk -v k="$1" '{split($2, r, "="); for (i = 1; i <= NF; i++) {split($i, a, "="); if (a[1] == k) v[$1, r[2]] = a[2]}; rounds[r[2]] = 1}
        END {for (x in rounds) {p = v["server=ref", x]; q = v["server=socklab", x]; if (p + 0 > 0 && q + 0 > 0) printf "%.6f\n", q / p}}' "$RAW"
}
echo
echo "socklab scale: $(date -u '+%Y-%m-%d %H:%M UTC'), Linux $(uname -r), $(nproc) CPUs, loopback; $COUNT game bots"
echo "(MOVE 10 Hz, PING 2 Hz, STATE due at 20 Hz in rooms of 16), $DURATION s of play; medians of $ROUNDS round(s); $PINNING"
printf '%-52s %10s %15s %6s %10s\n' "while all bots played" "reference" "socklab-server" "ratio" "(rounds)"
for m in "tick_hz|ticks per second (1 / the STATE stamps' spacing p50)" \
         "cpu_us_per_state|server CPU us per STATE delivered (whole run)" \
         "latency_p50_ms|STATE latency p50, ms (tick to the bot's read)" \
         "latency_p99_ms|STATE latency p99, ms" \
         "rtt_p50_ms|PING round trip p50, ms" \
         "mb_per_s|MB/s received by the bots"; do
    IFS='|' read -r key label <<<"$m"
    r=$(val ref "$key" | median | two) s=$(val socklab "$key" | median | two)
    ratio=$(ratios "$key" | median | two)
    spread=$(ratios "$key" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {if (NR) printf "%.2f-%.2f", lo, hi; else print "-"}')
    printf '%-52s %10s %15s %6s %10s\n' "$label" "$r" "$s" "$ratio" "$spread"
done
bad=$(awk -v n="$COUNT" '{split($3, c, "="); split($4, d, "="); if (c[2] != n || d[2] != n) print}' "$RAW")
if [ -n "$bad" ]; then
    echo "not every bot connected and ended done:"; echo "$bad"; exit 1
fi
echo "every run: all $COUNT bots connected and ended done"
