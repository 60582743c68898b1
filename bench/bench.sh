#!/usr/bin/env bash
# bench.sh - socklab-server against the reference epoll echo server (bench/refecho.c), in the same
# run. Several rounds; in each, every case starts both servers afresh (in a network namespace of
# their own, when root) and one load generator run drives them in turn, in 0.5 s slices ordered
# ABBA ABBA... until each had --seconds of measured work, so whatever else the machine does falls on
# both alike. Odd rounds give the reference the first slice, even rounds socklab-server. The servers
# share CPU 0 (only one has work at a time), the load generator has CPU 1. The idle-memory case runs
# each server alone. Prints the medians over the rounds, the ratio socklab/reference, and whether
# socklab-server meets its goals (the goal column: server CPU per message, MB and churned connection
# at most 1.1x the reference's, msgs/s and MB/s at least 0.9x, idle memory at most 512 bytes per
# connection). Linux only (taskset, /proc).
#
#   bench/bench.sh BUILD_DIR [--rounds 3] [--seconds 3] [--warmup 0.5] [--hold 10000]
#                  [--cases NAME,...] [--max-other CPUS] [--raw FILE] [--tsv FILE] [--smoke]
#   bench/bench.sh BUILD_DIR --report FILE
#
#   BUILD_DIR  holds socklab-server and bench/socklab-{loadgen,refecho} (./lab bench: build/release)
#   --seconds  measured seconds per server and case (in slices); --warmup: unmeasured, first
#   --hold     idle connections in the hold case
#   --cases    run only these cases (pingpong, stream, churn, churn_rst, churn_srv, hold); the table
#              then shows only their rows and judges only their goals
#   --max-other  a run during which the rest of the machine (other programs, kernel threads) kept
#              more than this many CPUs busy (default 0.15; /proc/stat minus the servers and the
#              load generator) is disturbed: it is repeated, up to 4 tries
#   --raw      every load generator line, tagged with server, case and round (default: a temp file)
#   --tsv      the medians, one line per metric: metric, reference, socklab, ratio, goal, verdict
#   --report FILE  no runs: the table again from the lines a run saved with --raw FILE
#   --smoke    one short round (0.3 s per server and case, 200 held connections), no goal verdict:
#              checks that everything runs and reports (the test suite's bench_smoke_runs_and_reports)
#
# Every load generator run holds the lock /tmp/socklab-load.lock (flock), released between runs, so
# loads of other people on the machine never overlap a measurement (SOCKLAB_LOAD_LOCK=FILE to use
# another; --smoke does not lock: its runs are about a second). SOCKLAB_BENCH_NETNS=0: no namespaces.
# Exit status: 0 all goals met (or --smoke and every number reported), 1 a goal missed, 2 an error.
# --help: this text.
set -euo pipefail

die() { echo "bench: $*" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

help_if_asked "$@"
[ $# -ge 1 ] || die "usage: bench/bench.sh BUILD_DIR [options] (see --help)"
BUILD=$1; shift
ROUNDS=3 SECONDS_=3 WARMUP=0.5 HOLD=10000 RAW="" TSV="" SMOKE=0 ONLY="" REPORT="" MAX_OTHER=0.15 TRIES=4 SLICE=0.5 SLICE_WARM=0.1
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --hold) HOLD=$2; shift 2 ;;
    --cases) ONLY=",$2,"; shift 2 ;;
    --max-other) MAX_OTHER=$2; shift 2 ;;
    --raw) RAW=$2; shift 2 ;;
    --report) REPORT=$2; shift 2 ;;
    --tsv) TSV=$2; shift 2 ;;
    --smoke) SMOKE=1 ROUNDS=1 SECONDS_=0.3 WARMUP=0.05 HOLD=200 TRIES=1 SLICE=0.15 SLICE_WARM=0.02; shift ;;
    *) die "unknown option '$1'" ;;
    esac
done
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || die "--rounds: 1 to 99"

SERVER=$BUILD/socklab-server
LOADGEN=$BUILD/bench/socklab-loadgen
REF=$BUILD/bench/socklab-refecho
for f in "$SERVER" "$LOADGEN" "$REF"; do [ -x "$f" ] || die "$f: not built (./lab bench builds it)"; done
[ "$(uname -s)" = Linux ] || die "Linux only"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/socklab-bench.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
if [ -n "$REPORT" ]; then
    [ -s "$REPORT" ] || die "--report: $REPORT is empty or missing"
    RAW=$REPORT
    ROUNDS=$(sed -n 's/.* round=\([0-9]*\) .*/\1/p' "$RAW" | sort -u | wc -l)
    HOLD=$(sed -n 's/.* mode=hold count=\([0-9]*\) .*/\1/p' "$RAW" | head -1)
    SECONDS_=$(sed -n 's/.* case=pingpong .* seconds=\([0-9.]*\) .*/\1/p' "$RAW" | head -1 | awk '{printf "%.1f", $1}')
else
    [ -n "$RAW" ] || RAW=$TMP/raw.txt
    : >"$RAW"
fi

pin_cpus servers "load generator"
# Each run in a network namespace of its own (root): the TIME_WAIT sockets a churn run leaves behind
# (tens of thousands, for 60 s) would otherwise lengthen the next run's hash chains, or hit
# tcp_max_tw_buckets, and the run after a churn would pay for it - whichever server that is.
if fresh_netns_possible; then
    NETNS=1 ISOLATION="each run in a fresh network namespace"
else
    NETNS=0 ISOLATION="one network namespace for all runs (fresh ones need root, unshare, nsenter, ip)"
fi
LOCKFILE=${SOCKLAB_LOAD_LOCK:-/tmp/socklab-load.lock}
if [ "$SMOKE" = 1 ] || ! command -v flock >/dev/null; then LOCK=(); else LOCK=(flock "$LOCKFILE"); fi

# Cases: name | load generator arguments | extra reference arguments | extra socklab-server arguments
# | measured time as a multiple of --seconds (stream: each server's 4 connections settle for a
# second or so into a fast or a slow rhythm, 275 against 400-500 us of server CPU per MB, the
# reference's as much as socklab-server's; five times as long averages over more of them)
CASES=(
    "pingpong|pingpong --conns 50 --size 64|||1"
    "stream|stream --conns 4 --chunk 65536 --window 1048576|||5"
    "churn|churn --conns 32 --size 64 --close client|||1"
    "churn_rst|churn --conns 32 --size 64 --close rst|||1"
    "churn_srv|churn --conns 32 --size 64 --close server|--close-after-echo|--close-after-echo|1"
    "hold|hold|||1"
)

# start_server ref|socklab [NETNS_PID] EXTRA...: a fresh server on a free port, in a new network
# namespace or (NETNS_PID not "-") in that process's; sets SRV_PID and SRV_PORT.
STARTS=0 PIDS=()
start_server() {
    local kind=$1 nspid=$2 i out cmd; shift 2
    STARTS=$((STARTS + 1))
    out=$TMP/srv.$STARTS.out # a new file each time: the previous server's line must not be read
    if [ "$kind" = ref ]; then
        cmd=("${PIN_SRV[@]}" "$REF" --port 0 "$@")
    else
        # Every connection comes from 127.0.0.1 here: --max-per-source stays on (its cost is part
        # of the measurement) but above the 10,000 held connections.
        cmd=("${PIN_SRV[@]}" "$SERVER" --port 0 --proto echo --quiet --max-per-source 1000000 "$@")
    fi
    if [ "$NETNS" = 1 ] && [ "$nspid" = - ]; then # unshare and sh exec: the server keeps this PID
        unshare -n -- sh -c 'ip link set lo up && exec "$@"' sh "${cmd[@]}" >"$out" 2>&1 &
    elif [ "$NETNS" = 1 ]; then
        nsenter -t "$nspid" -n -- "${cmd[@]}" >"$out" 2>&1 &
    else
        "${cmd[@]}" >"$out" 2>&1 &
    fi
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    for i in $(seq 1 200); do
        grep -q "listening on" "$out" 2>/dev/null && break
        kill -0 "$SRV_PID" 2>/dev/null || { cat "$out" >&2; die "$kind server did not start"; }
        sleep 0.05
    done
    SRV_PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$out" | head -1)
    [ -n "$SRV_PORT" ] || die "$kind server did not report its port"
}

stop_servers() {
    local p i
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do
        for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    PIDS=()
}

val() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }

summary() { # the few numbers of a load generator line worth showing while it runs
    tr ' ' '\n' <<<"$1" | awk -F= '$1 ~ /^(rate|unit|server_cpu_us_per_op|p99_us|bytes_per_conn|other_cpu_share)$/ {printf "%s=%s ", $1, $2}'
}

# loadgen ARGS...: the load generator on its CPU, in the servers' namespace, holding the lock.
loadgen() {
    local ns=()
    [ "$NETNS" = 1 ] && ns=(nsenter -t "${PIDS[0]}" -n --)
    "${LOCK[@]}" "${ns[@]}" "${PIN_LOAD[@]}" "$LOADGEN" "$@" 2>"$TMP/load.err"
}

# run_pair ROUND NAME LOADARGS REFARGS SRVARGS FIRST: both servers, one load generator run that
# alternates between them (FIRST gets the first slice); repeated while the rest of the machine was
# busier than --max-other during it.
REPEATED=0 DISTURBED=0
run_pair() {
    local round=$1 name=$2 load=$3 refx=$4 srvx=$5 first=$6 secs=$7 second out try k ok kind line other ports=() pids=()
    if [ "$first" = ref ]; then second=socklab; else second=ref; fi
    for try in $(seq 1 "$TRIES"); do
        ports=() pids=()
        for kind in "$first" "$second"; do
            # shellcheck disable=SC2086  # the extra argument strings are word lists
            if [ "$kind" = ref ]; then start_server ref "${PIDS[0]:--}" $refx; else start_server socklab "${PIDS[0]:--}" $srvx; fi
            ports+=("$SRV_PORT") pids+=("$SRV_PID")
        done
        # shellcheck disable=SC2086
        if ! out=$(loadgen $load --port "${ports[0]}" --server-pid "${pids[0]}" --vs-port "${ports[1]}" \
                   --vs-server-pid "${pids[1]}" --seconds "$secs" --warmup "$WARMUP" --slice "$SLICE" \
                   --slice-warmup "$SLICE_WARM"); then
            cat "$TMP/load.err" >&2
            stop_servers
            die "$name failed (round $round)"
        fi
        stop_servers
        ok=1
        for k in 1 2; do
            line=$(grep "^target=$k " <<<"$out") || die "$name: no line for target $k"
            other=$(val "$line" other_cpu_share)
            awk -v o="$other" -v m="$MAX_OTHER" 'BEGIN {exit !(o <= m)}' || ok=0
        done
        [ $ok = 1 ] && break
        if [ "$try" -lt "$TRIES" ]; then
            REPEATED=$((REPEATED + 1))
            printf '  round %s  %-9s disturbed: the rest of the machine kept more than %s CPUs busy; again\n' \
                "$round" "$name" "$MAX_OTHER" >&2
            sleep 2
        else
            DISTURBED=$((DISTURBED + 1))
        fi
    done
    for k in 1 2; do
        if [ $k = 1 ]; then kind=$first; else kind=$second; fi
        line=$(grep "^target=$k " <<<"$out")
        [ $ok = 1 ] || line="$line disturbed=1"
        echo "server=$kind case=$name round=$round tries=$try $line" >>"$RAW"
        printf '  round %s  %-9s %-8s %s\n' "$round" "$name" "$kind" "$(summary "$line")" >&2
    done
}

# run_hold ROUND KIND: one server alone (its RSS is the measurement).
run_hold() {
    local round=$1 kind=$2 line
    start_server "$kind" -
    if ! line=$(loadgen hold --count "$HOLD" --port "$SRV_PORT" --server-pid "$SRV_PID"); then
        cat "$TMP/load.err" >&2
        stop_servers
        die "hold against $kind failed (round $round)"
    fi
    stop_servers
    echo "server=$kind case=hold round=$round tries=1 $line" >>"$RAW"
    printf '  round %s  %-9s %-8s %s\n' "$round" hold "$kind" "$(summary "$line")" >&2
}

[ -z "$REPORT" ] && echo "bench: $ROUNDS round(s), each server ${SECONDS_} s per case in alternating slices; $PINNING; $ISOLATION" >&2
for round in $(seq 1 "$ROUNDS"); do
    [ -z "$REPORT" ] || break
    if [ $((round % 2)) = 1 ]; then first=ref; else first=socklab; fi
    for c in "${CASES[@]}"; do
        IFS='|' read -r name load refx srvx factor <<<"$c"
        [ -z "$ONLY" ] || [[ $ONLY == *",$name,"* ]] || continue
        if [ "$name" = hold ]; then
            if [ "$first" = ref ]; then run_hold "$round" ref; run_hold "$round" socklab
            else run_hold "$round" socklab; run_hold "$round" ref; fi
        else
            run_pair "$round" "$name" "$load" "$refx" "$srvx" "$first" "$(awk -v s="$SECONDS_" -v f="$factor" 'BEGIN {print s * f}')"
        fi
    done
done

# ---- medians and the table ------------------------------------------------------------------------
# Metrics: id | case | key in the load generator's line | label | goal (ratio >=, ratio <=, abs <=)
METRICS=(
    "pp_rate|pingpong|rate|pingpong msgs/s (50 conns, 64 B)|ratio>=0.9"
    "pp_cpu|pingpong|server_cpu_us_per_op|  server CPU us/msg|ratio<=1.1"
    "pp_p50|pingpong|p50_us|  round trip p50 us|"
    "pp_p99|pingpong|p99_us|  round trip p99 us|"
    "st_rate|stream|rate|stream MB/s (4 conns, 64 KiB writes, 5x time)|ratio>=0.9"
    "st_cpu|stream|server_cpu_us_per_op|  server CPU us/MB|ratio<=1.1"
    "ch_rate|churn|rate|churn conns/s (32 at a time, client closes)|"
    "ch_cpu|churn|server_cpu_us_per_op|  server CPU us per connect+echo+close|ratio<=1.1"
    "cr_rate|churn_rst|rate|churn conns/s (client resets)|"
    "cr_cpu|churn_rst|server_cpu_us_per_op|  server CPU us per connection|"
    "cs_rate|churn_srv|rate|churn conns/s (server closes first)|"
    "cs_cpu|churn_srv|server_cpu_us_per_op|  server CPU us per connection|"
    "hold|hold|bytes_per_conn|idle bytes/conn, RSS ($HOLD conns)|abs<=512"
)

median() { # values on stdin, one a line -> the median ("-" if none)
    sort -g | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
values() { # values SERVER CASE KEY
    awk -v s="server=$1" -v c="case=$2" -v k="$3" '$1==s && $2==c {for (i=1;i<=NF;i++) {split($i,a,"="); if (a[1]==k) print a[2]}}' "$RAW"
}
round_ratios() { # round_ratios CASE KEY -> socklab/reference within each round, one a line
    awk -v c="case=$1" -v k="$2" '$2==c {split($3,rd,"="); for (i=1;i<=NF;i++) {split($i,a,"="); if (a[1]==k) v[$1, rd[2]]=a[2]}
                                         rounds[rd[2]]=1}
        END {for (r in rounds) {x=v["server=ref", r]; y=v["server=socklab", r]; if (x+0 > 0 && y != "") printf "%.6f\n", y/x}}' "$RAW"
}

missed=0 missing=0
tsv_lines=()
echo
if [ -n "$REPORT" ]; then # what the saved lines say about repeats
    REPEATED=$(awk '$2 != "case=hold" {split($4,a,"="); n += a[2] - 1} END {print n / 2}' "$RAW")
    DISTURBED=$(awk '/ disturbed=1/ {n++} END {print n / 2}' "$RAW")
    echo "(the run saved in $REPORT; this machine now:)"
fi
echo "socklab bench: $(date -u '+%Y-%m-%d %H:%M UTC'), Linux $(uname -r), $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), loopback"
echo "medians of $ROUNDS round(s); per case both servers in one run, alternating ${SLICE} s slices, ${SECONDS_} s each; $PINNING;"
echo "$ISOLATION; ratio = socklab-server / reference within a round: the median over the rounds, and the lowest-highest"
printf '%-50s %10s %15s %6s %10s %9s  %s\n' "" "reference" "socklab-server" "ratio" "(rounds)" "goal" ""
for m in "${METRICS[@]}"; do
    IFS='|' read -r id case key label goal <<<"$m"
    [ -z "$ONLY" ] || [[ $ONLY == *",$case,"* ]] || continue
    r=$(values ref "$case" "$key" | median)
    s=$(values socklab "$case" "$key" | median)
    # The ratio is taken within each round, where both servers shared the same slices of time, and
    # the median of those is shown: the machine's speed drifts from round to round more than the
    # servers differ, so a quotient of the two medians could pair numbers from different rounds.
    if [ "$case" = hold ]; then
        ratio=- spread=-
    else
        ratio=$(round_ratios "$case" "$key" | median | awk '{if ($1 == "-") print "-"; else printf "%.2f", $1}')
        spread=$(round_ratios "$case" "$key" | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {if (NR) printf "%.2f-%.2f", lo, hi; else print "-"}')
    fi
    verdict="" goaltxt=""
    case $goal in
    ratio\>=*) goaltxt=">= ${goal#ratio>=}x"
        verdict=$(awk -v x="$ratio" -v g="${goal#ratio>=}" 'BEGIN {print (x != "-" && x+0 >= g+0) ? "met" : "MISSED"}') ;;
    ratio\<=*) goaltxt="<= ${goal#ratio<=}x"
        verdict=$(awk -v x="$ratio" -v g="${goal#ratio<=}" 'BEGIN {print (x != "-" && x+0 <= g+0) ? "met" : "MISSED"}') ;;
    abs\<=*) goaltxt="<= ${goal#abs<=} B"
        verdict=$(awk -v x="$s" -v g="${goal#abs<=}" 'BEGIN {print (x != "-" && x+0 <= g+0) ? "met" : "MISSED"}') ;;
    esac
    [ "$SMOKE" = 1 ] && verdict=""
    [ "$verdict" = MISSED ] && missed=$((missed + 1))
    [ "$r" = - ] || [ "$s" = - ] && missing=$((missing + 1))
    fmt() { awk -v v="$1" 'BEGIN {if (v == "-") print "-"; else if (v+0 >= 100) printf "%.0f", v; else printf "%.2f", v}'; }
    printf '%-50s %10s %15s %6s %10s %9s  %s\n' "$label" "$(fmt "$r")" "$(fmt "$s")" "$ratio" "$spread" "$goaltxt" "$verdict"
    tsv_lines+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$id" "$r" "$s" "$ratio" "$goaltxt" "$verdict")")
done
echo "(server CPU = the server's own time on a CPU, /proc/PID/task/*/schedstat, during the measured phase;"
echo " idle bytes/conn = the server's RSS growth over $HOLD idle connections, each echoed one byte first;"
echo " runs repeated because the rest of the machine kept more than $MAX_OTHER CPUs busy: $REPEATED; still disturbed after $TRIES tries (kept): $DISTURBED)"
[ "$RAW" = "$TMP/raw.txt" ] || echo "every run's numbers: $RAW"
if [ -n "$TSV" ]; then printf '%s\n' "${tsv_lines[@]}" >"$TSV"; fi
[ $missing = 0 ] || die "$missing metric(s) had no value"
if [ "$SMOKE" = 1 ]; then exit 0; fi
if [ $missed = 0 ]; then echo "all goals met"; exit 0; fi
echo "$missed goal(s) missed"
exit 1
