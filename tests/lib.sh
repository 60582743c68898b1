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
# some segments of a bulk transfer should say so, or the kernel may drop the ones it needs while
# tcpdump is still printing hundreds of megabytes.
capture_start() {
    need_root "tcpdump on lo needs CAP_NET_RAW"
    need_cmd tcpdump
    bg tcpdump tcpdump -i lo -nn -tt -U -l "tcp port $1${2:+ and ($2)}"
    CAP_PID=$BG_PID
    wait_for "$TMP/tcpdump.out" "listening on" 10
}
capture_stop() {
    sleep 0.3   # let the last segments of the run reach the capture
    kill "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null
    grep -E '^[0-9:.]+ IP6? ' "$TMP/tcpdump.out" > "$TMP/cap.txt" || true
}
# Lines of the capture sent FROM port P whose flags contain F (F, R, S, P): count_flag P F
count_flag() {
    grep -E "\.$1 > [^ ]+: Flags \[[^]]*$2" "$TMP/cap.txt" | wc -l
}

# jget FILE JQ-EXPR: a value from a JSON file (jq -r).
jget() { jq -r "$2" "$1"; }

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
