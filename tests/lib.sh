# lib.sh - shared helpers for socklab's shell tests (sourced; bash).
#
# Every wait here is bounded in count and time. Tests that need root call need_root: outside CI
# they skip (exit 77, which CTest reports as skipped) with the reason printed; in CI (CI set) a
# skip would hide a missing check, so it is a failure instead.
set -u

BIN=${SOCKLAB_BIN_DIR:?SOCKLAB_BIN_DIR is set by CTest}
SOCKLAB="$BIN/socklab"
SERVER="$BIN/socklab-server"
BOT="$BIN/socklab-bot"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/socklab-test.XXXXXX")
_BG_PIDS=()

cleanup() {
    local p
    for p in "${_BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${_BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; exit 0; }
note() { echo "  $*"; }

skip() {
    if [ -n "${CI:-}" ]; then
        echo "FAIL (CI may not skip): $*" >&2
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}

need_root() { [ "$(id -u)" = 0 ] || skip "needs root: $*"; }
need_cmd() { local c; for c in "$@"; do command -v "$c" >/dev/null 2>&1 || skip "needs '$c' (./lab installs it)"; done; }

# A port that nothing listens on or uses now, below the ephemeral range (so no client picks it).
free_port() {
    local p tries=0
    while [ $tries -lt 200 ]; do
        p=$((20000 + RANDOM % 12000))
        if ! ss -Htan "( sport = :$p or dport = :$p )" 2>/dev/null | grep -q .; then
            echo "$p"; return 0
        fi
        tries=$((tries + 1))
    done
    fail "no free port found in 200 tries"
}

# bg NAME CMD...: runs CMD in the background, output in $TMP/NAME.out; its pid in $BG_PID.
bg() {
    local name=$1; shift
    "$@" >"$TMP/$name.out" 2>&1 &
    BG_PID=$!
    _BG_PIDS+=("$BG_PID")
}

# wait_for FILE REGEX [SECONDS]: polls until FILE has a line matching REGEX (default 10 s).
wait_for() {
    local file=$1 re=$2 secs=${3:-10} i=0
    while [ $i -lt $((secs * 20)) ]; do
        grep -qE "$re" "$file" 2>/dev/null && return 0
        sleep 0.05; i=$((i + 1))
    done
    echo "--- $file:" >&2; cat "$file" >&2 2>/dev/null
    fail "timed out after ${secs}s waiting for /$re/ in $(basename "$file")"
}

# start_server ARGS...: socklab-server on a free port; sets SERVER_PORT and SERVER_PID.
start_server() {
    SERVER_PORT=$(free_port)
    bg server "$SERVER" --port "$SERVER_PORT" "$@"
    SERVER_PID=$BG_PID
    wait_for "$TMP/server.out" "listening on" 10
}

# Capture: capture_start PORT [FILTER]; ...; capture_stop -> $TMP/cap.txt holds tcpdump's text lines.
# FILTER narrows the capture (a pcap expression ANDed to "tcp port PORT"): a test that needs only
# some segments of a bulk transfer should say so. Headers only (-s 256) and a 16 MiB buffer: with a
# full snap length the kernel's ring holds a few frames and a loopback burst overflows it. Immediate
# mode: otherwise packets wait in the ring in blocks, and a capture stopped soon after the run loses
# the last of them without counting them as dropped. A capture that lost packets proves nothing, so
# capture_stop fails the test when the kernel dropped any.
# With CAPTURE_NETNS_PID set, the capture runs in that process's network namespace (nsenter).
capture_start() {
    local enter=()
    need_root "tcpdump on lo needs CAP_NET_RAW"
    need_cmd tcpdump
    [ -n "${CAPTURE_NETNS_PID:-}" ] && enter=(nsenter -t "$CAPTURE_NETNS_PID" -n)
    bg tcpdump "${enter[@]}" tcpdump -i lo --immediate-mode -nn -tt -U -l -s 256 -B 16384 "tcp port $1${2:+ and ($2)}"
    CAP_PID=$BG_PID
    wait_for "$TMP/tcpdump.out" "listening on" 10
}
capture_stop() {
    local dropped
    sleep 0.3   # let the last segments of the run reach the capture
    kill "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null
    grep -E '^[0-9:.]+ IP6? ' "$TMP/tcpdump.out" > "$TMP/cap.txt" || true
    dropped=$(sed -nE 's/^([0-9]+) packets? dropped by kernel$/\1/p' "$TMP/tcpdump.out")
    [ "${dropped:-0}" = 0 ] || fail "tcpdump: the kernel dropped $dropped packets ($(grep -E 'captured|dropped' "$TMP/tcpdump.out" | tr '\n' ' '))"
    note "capture: $(grep -cE '' "$TMP/cap.txt") packets, none dropped"
}
# Lines of the capture sent FROM port P whose flags contain F (F, R, S, P): count_flag P F
count_flag() {
    grep -E "\.$1 > [^ ]+: Flags \[[^]]*$2" "$TMP/cap.txt" | wc -l
}

# The kernel's table while a lesson runs, for state that lives only as long as the run (CLOSE_WAIT
# of leaked sockets, TIME_WAIT in a lab namespace): with SS_WATCH set to an ss filter (PORT in it
# stands for the run's port), run_lesson / run_lesson_lab poll `ss -Htano FILTER` every 50 ms during
# the run - in the lab's namespace through nsenter - into $TMP/ss.txt: each snapshot is a line
# "== <unix time>" and its rows. SS_WATCHED is 1 when it ran (not for a plain user in the lab).
SS_WATCH=${SS_WATCH:-}
SS_WATCHED=0
ss_watch_start() {
    local filter=${SS_WATCH//PORT/$PORT} enter=""
    [ -n "$SS_WATCH" ] || return 0
    need_cmd ss
    if [ -n "${CAPTURE_NETNS_PID:-}" ]; then
        [ "$(id -u)" = 0 ] || return 0
        enter="nsenter -t $CAPTURE_NETNS_PID -n"
    fi
    bg sswatch bash -c "while :; do echo \"== \$(date +%s.%N)\"; $enter ss -Htano '$filter' 2>/dev/null; sleep 0.05; done"
    SSW_PID=$BG_PID
    SS_WATCHED=1
}
ss_watch_stop() {
    [ "$SS_WATCHED" = 1 ] || return 0
    kill "$SSW_PID" 2>/dev/null; wait "$SSW_PID" 2>/dev/null
    grep -q '^==' "$TMP/sswatch.out" || fail "ss watch: no snapshot taken ($(head -c 300 "$TMP/sswatch.out"))"
    cp "$TMP/sswatch.out" "$TMP/ss.txt"
    note "ss: $(grep -c '^==' "$TMP/ss.txt") snapshots of the table during the run"
}

# run_lesson LESSON [CAPTURE_FILTER]: `socklab run LESSON --json $LESSON_ARGS` on a free port ($PORT), watched by
# tcpdump when root ($ROOT = 1; the capture in $TMP/cap.txt). The report is $TMP/r.json, stderr
# $TMP/err, the exit status $RC. CI must be root: there every wire check runs.
run_lesson() {
    local lesson=$1 filter=${2:-}
    ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1
    [ -n "${CI:-}" ] && [ $ROOT = 0 ] && fail "CI must run as root: the wire checks need tcpdump"
    PORT=$(free_port)
    [ $ROOT = 1 ] && capture_start "$PORT" "$filter"
    ss_watch_start
    # shellcheck disable=SC2086 # LESSON_ARGS: extra options, split on purpose
    "$SOCKLAB" run "$lesson" --port "$PORT" --json --quiet ${LESSON_ARGS:-} > "$TMP/r.json" 2> "$TMP/err"
    RC=$?
    ss_watch_stop
    [ $ROOT = 1 ] && capture_stop
    [ -s "$TMP/err" ] && { echo "stderr:"; cat "$TMP/err"; }
    [ $RC -lt 128 ] || fail "socklab crashed (exit $RC)"
}
# run_lesson_lab LESSON [CAPTURE_FILTER]: run_lesson for a lesson that runs in the impairment lab (its
# own network namespace): socklab starts with --pause, the capture is started inside its namespace,
# then the lesson goes on. Same results as run_lesson. As a plain user there is no capture. Just
# before the lesson goes on, LAB_WATCH runs with LAB_PID set to socklab's pid (its namespace is
# /proc/$LAB_PID/ns/net): a test may redefine it to watch the lab from outside while it runs.
LAB_WATCH() { :; }
run_lesson_lab() {
    local lesson=$1 filter=${2:-} pid
    ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1
    [ -n "${CI:-}" ] && [ $ROOT = 0 ] && fail "CI must run as root: the wire checks need tcpdump"
    PORT=$(free_port)
    mkfifo "$TMP/go"
    "$SOCKLAB" run "$lesson" --port "$PORT" --json --quiet --pause < "$TMP/go" > "$TMP/r.json" 2> "$TMP/err" &
    pid=$!
    exec 7> "$TMP/go"
    wait_for "$TMP/err" "ready" 10
    if [ $ROOT = 1 ]; then
        CAPTURE_NETNS_PID=$pid capture_start "$PORT" "$filter"
    fi
    CAPTURE_NETNS_PID=$pid ss_watch_start
    LAB_PID=$pid LAB_WATCH
    echo >&7
    exec 7>&-
    wait "$pid"; RC=$?
    ss_watch_stop
    [ $ROOT = 1 ] && capture_stop
    grep -v ' ready' "$TMP/err" | grep . && { echo "(stderr above)"; }
    [ $RC -lt 128 ] || fail "socklab crashed (exit $RC)"
    grep -q "impairment lab" "$TMP/err" || note "no impairment lab on this system: $(cat "$TMP/err")"
}

# f KEY: a fact of the report run_lesson made (jq path below .facts, e.g. "sizes.small.requested").
f() { jget "$TMP/r.json" ".facts.$1"; }
# need_wire LESSON: the rest of the test reads the capture, which needs root (a skip outside CI).
need_wire() { [ "$ROOT" = 1 ] || skip "$1: the checks agree; the wire check needs root for tcpdump"; }

# Reading the capture of one connection between the server port $PORT and client port C:
conn() { grep -E "\.($PORT > [0-9.]+\.$1|$1 > [0-9.]+\.$PORT):" "$TMP/cap.txt"; } # conn C: its lines
from() { grep -E "\.$1 > [0-9.]+\.$2:"; }    # ... | from A B: the lines sent from port A to port B
flag() { grep -E "Flags \[[^]]*$1"; }        # ... | flag F: with flag F (F, R, S, P, .)
data() { grep -E 'length [1-9]'; }            # ... | data: carrying payload
n() { wc -l | tr -d ' '; }                     # ... | n: how many
ts() { awk '{print $1}'; }                     # ... | ts: their time stamps
first_fin_from() { conn "$1" | flag F | head -1 | sed -E 's/.* IP6? [0-9.:a-f]+\.([0-9]+) > .*/\1/'; }

# ss: TIME_WAIT entries between local port A and remote port B.
tw_local() { ss -Htan state time-wait "( sport = :$1 and dport = :$2 )" | wc -l; }
# check_time_wait C HOLDER: ss, independently of the report, finds TIME_WAIT for client port C on
# the server's port only (server), the client's only (client), or on neither (none).
check_time_wait() {
    local s c
    s=$(tw_local "$PORT" "$1"); c=$(tw_local "$1" "$PORT")
    case $2 in
    server) [ "$s" -ge 1 ] && [ "$c" = 0 ] || fail "ss: expected TIME_WAIT on the server port only (server $s, client $c)";;
    client) [ "$c" -ge 1 ] && [ "$s" = 0 ] || fail "ss: expected TIME_WAIT on client port $1 only (server $s, client $c)";;
    none)   [ "$s" = 0 ] && [ "$c" = 0 ] || fail "ss: expected no TIME_WAIT (server $s, client $c)";;
    *) fail "check_time_wait: holder '$2'";;
    esac
    note "ss: TIME_WAIT on $2 for client port $1"
}
# close_lesson LESSON: the close lessons' common part - run it under capture, every check passed,
# the report's ports are this run's, ss agrees on where TIME_WAIT is. Sets CPORT.
close_lesson() {
    need_cmd jq ss
    run_lesson "$1"
    assert_report "$TMP/r.json" "$1" "$RC"
    [ "$(f server_port)" = "$PORT" ] || fail "server_port is not the --port given"
    CPORT=$(f client_port)
    check_time_wait "$CPORT" "$(f time_wait_on)"
}

# jget FILE JQ-EXPR: a value from a JSON file (jq -r).
jget() { jq -r "$2" "$1"; }

# one_line WHAT PATTERN: a setup error, after a run with $RC, $TMP/out and $TMP/err: exit 2, one
# line on stderr matching PATTERN, nothing on stdout; passes the test.
one_line() {
    [ "$RC" = 2 ] || fail "$1: exit $RC, not 2 ($(cat "$TMP/err"))"
    [ "$(wc -l < "$TMP/err")" = 1 ] || fail "$1: $(wc -l < "$TMP/err") lines on stderr: $(cat "$TMP/err")"
    grep -qE "$2" "$TMP/err" || fail "$1: '$(cat "$TMP/err")' does not say '$2'"
    [ ! -s "$TMP/out" ] || fail "$1: a report on stdout: $(head -3 "$TMP/out")"
    pass "$1: $(cat "$TMP/err")"
}

# assert_report FILE LESSON RC: socklab's --json report in FILE (exit status RC) is one JSON
# document for LESSON, its checks are printed, every one passed, and the exit status agrees.
assert_report() {
    local file=$1 lesson=$2 rc=$3
    [ "$rc" -lt 128 ] || fail "socklab crashed (exit $rc)"
    jq -e . "$file" >/dev/null || fail "stdout is not one JSON document"
    jq -r '.checks[] | "  \(if .pass then "PASS" elif .pass == false then "FAIL" else "n/a " end)  \(.id): expect \(.expect), observed \(.observed)"' "$file"
    [ "$(jget "$file" .lesson)" = "$lesson" ] || fail "the report names another lesson"
    [ "$(jget "$file" .pass)" = true ] || fail "$lesson: a check failed (exit $rc)$( [ -s "$TMP/err" ] && printf ': %s' "$(cat "$TMP/err")")"
    [ "$rc" = 0 ] || fail "$lesson: checks passed but exit status was $rc"
}

# bots_against_helper HELPER MODE RC END: tests/bot's misbehaving server (bot_test_server) in MODE,
# then 10 game bots and 10 echo bots against it: each run exits RC, all 10 bots connected, all 10
# ended END. The JSON summary of the last run stays in $TMP/out.json.
bots_against_helper() {
    local helper=$1 mode=$2 want_rc=$3 want_end=$4 proto rc port
    need_cmd jq
    bg helper "$helper" "$mode" 0 30
    wait_for "$TMP/helper.out" "listening on [0-9]+" 10
    port=$(sed -nE 's/^listening on ([0-9]+).*/\1/p' "$TMP/helper.out")
    for proto in game echo; do
        rc=0
        timeout 20 "$BOT" --proto "$proto" --count 10 --duration 1 --port "$port" --json >"$TMP/out.json" 2>"$TMP/err" || rc=$?
        cat "$TMP/err"
        jq -c . "$TMP/out.json" || fail "$proto: stdout is not one JSON object"
        [ "$rc" = "$want_rc" ] || fail "$proto: exit status $rc, expected $want_rc"
        [ "$(jget "$TMP/out.json" .connected)" = 10 ] || fail "$proto: not all 10 bots connected"
        [ "$(jget "$TMP/out.json" ".ends.$want_end")" = 10 ] || fail "$proto: not every bot ended '$want_end'"
        BOTS_CHECK "$proto"
    done
}
BOTS_CHECK() { :; } # a test may redefine it: more checks on each run's $TMP/out.json

# server_reset_not_fin: in a close lesson's capture, the server ended client port $CPORT's
# connection with an RST and never sent a FIN.
server_reset_not_fin() {
    local sfin srst
    sfin=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag F | n)
    srst=$(conn "$CPORT" | from "$PORT" "$CPORT" | flag R | n)
    [ "$srst" -ge 1 ] && [ "$sfin" = 0 ] || fail "wire: expected RST and no FIN from the server (RST $srst, FIN $sfin)"
    note "wire: the server sent $srst RST and no FIN"
}
