#!/usr/bin/env bash
# bench/attack.sh BUILD_DIR [options]: the load-under-attack check. Legitimate game bots
# (socklab-bot --count N, from 127.0.0.1) play against socklab-server --proto game while bounded
# attackers (bench/socklab-attack, from 127.0.0.2 to 127.0.0.9, standing for other machines) do
# what a hostile student would; one scenario per attack, one with all of them at once, and one with
# none, the baseline. Reports, per scenario, which of the server's limits acted (its shutdown
# summary), its RSS and descriptors at their highest during the attack and 6 s after it, and the
# bots' PING round trip p99 and tick spacing beside the baseline's; and checks the bounds the
# README's Security section documents. ./lab attack runs it on the release build.
#
#   --bots N       legitimate bots (default 200)
#   --seconds S    seconds of play per scenario (default 10)
#   --max-conns N  the server's --max-conns (default 1000): the cap the silent attack fills
#   --only A,B     only these scenarios: none silent slowloris chatflood pingflood garbage all
#   --help         this text
#
# The attacks: silent (1200 connections that never say anything: more than the cap), slowloris (400
# that send a frame a byte a second), chatflood and pingflood (20 players sending as fast as their
# sockets take it), garbage (20 at a time sending 64 KiB of random bytes, again and again). Each
# reopens whatever the server closes, for the whole scenario: bounded in connections and time.
# The bounds: descriptors at most --max-conns + 64, RSS at most 64 MiB, during and after; after,
# the descriptors back within 32 of the baseline's; every legitimate bot connected and ended done.
# Server on CPU 0, bots and attackers on CPU 1; the check holds the load lock /tmp/socklab-load.lock.
# Exit status: 0 every bound held, 1 one did not, 2 an error.
set -uo pipefail
die() { echo "attack: $*" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

help_if_asked "$@"
[ $# -ge 1 ] || die "usage: bench/attack.sh BUILD_DIR [--bots N] [--seconds S] [--max-conns N] [--only A,B]"
BUILD=$1; shift
BOTS=200 SECS=10 MAXC=1000 ONLY="" RSS_BOUND_MB=64
while [ $# -gt 0 ]; do
    case $1 in
    --bots) BOTS=$2; shift 2 ;;
    --seconds) SECS=$2; shift 2 ;;
    --max-conns) MAXC=$2; shift 2 ;;
    --only) ONLY=",$2,"; shift 2 ;;
    *) die "unknown option '$1'" ;;
    esac
done
SERVER=$BUILD/socklab-server BOT=$BUILD/socklab-bot ATTACK=$BUILD/bench/socklab-attack
for f in "$SERVER" "$BOT" "$ATTACK"; do [ -x "$f" ] || die "$f is missing: build first (./lab build-release)"; done
command -v jq >/dev/null || die "needs jq"
[ -r /proc/self/status ] || die "needs /proc"
[ "$(ulimit -Hn)" -ge 4096 ] || die "the open-files hard limit $(ulimit -Hn) is below 4096"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/socklab-attack.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
pin_cpus server "bots and attackers"
if command -v flock >/dev/null; then # the whole check is one load: other loads wait, and it waits for them
    exec 9>>"${SOCKLAB_LOAD_LOCK:-/tmp/socklab-load.lock}"
    flock 9
fi
FROM8=127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8,127.0.0.9

# attackers SCENARIO PORT SECONDS: starts the scenario's attackers in the background.
attackers() {
    local sc=$1 port=$2 secs=$3 a
    for a in silent slowloris chatflood pingflood garbage; do
        [ "$sc" = "$a" ] || [ "$sc" = all ] || continue
        case $a in
        silent) set -- --count 1200 --from "$FROM8" ;;
        slowloris) set -- --count 400 --from 127.0.0.2,127.0.0.3 ;;
        *) set -- --count 20 --from 127.0.0.4 ;;
        esac
        "${PIN_LOAD[@]}" "$ATTACK" "$a" --port "$port" --seconds "$secs" "$@" >"$TMP/att.$sc.$a" 2>&1 &
        PIDS+=($!) ATT_PIDS+=($!)
    done
}

st() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; } # st PID KEY (kB for sizes)
fds() { find "/proc/$1/fd" -mindepth 1 2>/dev/null | wc -l; }

# run SCENARIO: one server, the attack and the bots; appends a key=value line to $TMP/runs.
run() {
    local sc=$1 out=$TMP/srv.$1 port i spid rc=0 rss_max=0 fd_max=0 r f rss_after fd_after
    "${PIN_SRV[@]}" "$SERVER" --port 0 --proto game --quiet --max-conns "$MAXC" >"$out" 2>&1 &
    spid=$!
    PIDS+=("$spid")
    for i in $(seq 1 100); do grep -q "listening on" "$out" && break; sleep 0.05; done
    port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$out" | head -1)
    [ -n "$port" ] || die "$sc: the server did not start"
    ATT_PIDS=()
    [ "$sc" = none ] || attackers "$sc" "$port" $((SECS + 3))
    sleep 1
    ( while kill -0 "$spid" 2>/dev/null; do echo "$(st "$spid" VmRSS) $(fds "$spid")"; sleep 0.5; done ) >"$TMP/samples.$sc" &
    local sampler=$!
    "${PIN_LOAD[@]}" "$BOT" --count "$BOTS" --duration "$SECS" --port "$port" --json --quiet \
        >"$TMP/bots.$sc.json" 2>"$TMP/bots.$sc.err" || rc=$?
    for i in "${ATT_PIDS[@]}"; do wait "$i"; done # each ends on its own --seconds
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
    while read -r r f; do
        [ -n "$r" ] || continue
        [ "$r" -gt "$rss_max" ] && rss_max=$r
        [ "$f" -gt "$fd_max" ] && fd_max=$f
    done <"$TMP/samples.$sc"
    sleep 6 # the attackers are gone; whatever they left waiting meets its deadline
    rss_after=$(st "$spid" VmRSS) fd_after=$(fds "$spid")
    kill -TERM "$spid"
    wait "$spid" 2>/dev/null
    jq -r --arg sc "$sc" --arg rc "$rc" --arg rm "$rss_max" --arg fm "$fd_max" --arg ra "$rss_after" --arg fa "$fd_after" \
        --arg limits "$(sed -n 's/.*socklab-server: limits: //p' "$out" | tr ' ' '_')" '
        def p(x): if x == null then -1 else x end;
        "scenario=\($sc) rc=\($rc) connected=\(.connected) done=\(p(.ends.done)) rtt_p50_ms=\(p(.rtt_us.p50) / 1000)"
        + " rtt_p99_ms=\(p(.rtt_us.p99) / 1000) spacing_p50_ms=\(p(.tick_spacing_us.p50) / 1000)"
        + " spacing_p99_ms=\(p(.tick_spacing_us.p99) / 1000) rss_max_kb=\($rm) fds_max=\($fm)"
        + " rss_after_kb=\($ra) fds_after=\($fa) limits=\(if $limits == "" then "none" else $limits end)"' \
        "$TMP/bots.$sc.json" >>"$TMP/runs" 2>/dev/null || echo "scenario=$sc rc=$rc connected=0 bots_failed=1" >>"$TMP/runs"
    printf '  %-10s %s\n' "$sc" "$(tail -1 "$TMP/runs" | cut -d' ' -f2-9)" >&2
}

echo "attack: $BOTS bots, $SECS s of play per scenario, --max-conns $MAXC; $PINNING" >&2
: >"$TMP/runs"
for sc in none silent slowloris chatflood pingflood garbage all; do
    [ -z "$ONLY" ] || [[ $ONLY == *",$sc,"* ]] || continue
    run "$sc"
done

v() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
base=$(grep '^scenario=none ' "$TMP/runs")
echo
echo "socklab attack: $(date -u '+%Y-%m-%d %H:%M UTC'), Linux $(uname -r), $(nproc) CPUs, loopback; $BOTS game bots, $SECS s of play"
echo "socklab-server --proto game --max-conns $MAXC, other limits at their defaults; $PINNING"
printf '%-10s %-13s %-13s %-22s %-22s %s\n' attack "RSS MiB" descriptors "bots' RTT p99 ms" "tick spacing p99 ms" "limits that acted (server summary)"
printf '%-10s %-13s %-13s %-22s %-22s %s\n' "" "max / after" "max / after" "(none: baseline)" "(none: baseline)" ""
bad=0 fd0=$(v "$base" fds_after)
while read -r line; do
    sc=$(v "$line" scenario)
    if [ "$(v "$line" connected)" = 0 ]; then echo "$sc: the bots did not run ($(cat "$TMP/bots.$sc.err"))"; bad=1; continue; fi
    mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
    printf '%-10s %-13s %-13s %-22s %-22s %s\n' "$sc" "$(mib "$(v "$line" rss_max_kb)") / $(mib "$(v "$line" rss_after_kb)")" \
        "$(v "$line" fds_max) / $(v "$line" fds_after)" \
        "$(v "$line" rtt_p99_ms) ($(v "$base" rtt_p99_ms))" "$(v "$line" spacing_p99_ms) ($(v "$base" spacing_p99_ms))" \
        "$(v "$line" limits | tr '_' ' ')"
    for k in rss_max_kb rss_after_kb; do
        [ "$(v "$line" $k)" -le $((RSS_BOUND_MB * 1024)) ] || { echo "  $sc: $k $(v "$line" $k) kB over $RSS_BOUND_MB MiB"; bad=1; }
    done
    [ "$(v "$line" fds_max)" -le $((MAXC + 64)) ] || { echo "  $sc: $(v "$line" fds_max) descriptors, over --max-conns + 64"; bad=1; }
    [ -z "$fd0" ] || [ "$(v "$line" fds_after)" -le $((fd0 + 32)) ] || { echo "  $sc: $(v "$line" fds_after) descriptors after the attack"; bad=1; }
    [ "$(v "$line" rc)" = 0 ] && [ "$(v "$line" done)" = "$BOTS" ] ||
        { echo "  $sc: $(v "$line" done) of $BOTS bots ended done (exit $(v "$line" rc)): $(jq -c .ends "$TMP/bots.$sc.json")"; bad=1; }
done <"$TMP/runs"
for f in "$TMP"/att.*; do [ -s "$f" ] && echo "${f##*/att.}: $(cat "$f")"; done | sed 's/^/  attackers, /'
if [ $bad = 0 ]; then echo "every bound held"; exit 0; fi
echo "a bound did not hold"
exit 1
