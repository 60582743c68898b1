#!/usr/bin/env bash
# win-test.sh - the Windows cross check on Linux: build socklab for x86_64-w64-mingw32 and run it
# under Wine, headless.
#   1. scripts/win-deps.sh (packages, static libevent; cached)
#   2. configure + build in build-win/ with cmake/mingw-w64.cmake, warnings as errors
#   3. one persistent wineserver for the whole run (each wine start then takes ~0.05 s, not ~2 s)
#   4. ctest -L unit: the C unit tests run as .exe under Wine (CMAKE_CROSSCOMPILING_EMULATOR)
#   5. socklab.exe --version / list, then lessons run under Wine while tcpdump watches the wire:
#      close-graceful must show FIN (and TIME_WAIT on the closer's port), close-abortive RST.
#      Failed checks that the lesson declares as known Wine 8 differences are reported as XFAIL; a
#      lesson that needs the impairment lab must be refused, with its reason.
#
# Usage: scripts/win-test.sh [--build DIR] [--no-build] [--lessons "a b"] [--clang]
# Shell-script tests (ctest labels other than "unit") do not run here: they start the programs by
# their Linux names and talk to them with signals (kill -TERM), which a Wine process does not
# receive as a console Ctrl-C; see the summary for the list.
# Exit status: 0 all passed (XFAILs allowed), 1 something failed, 2 setup failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${SOCKLAB_WIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/socklab/win64}
build=$root/build-win
do_build=1
lessons="close-graceful close-abortive"
deps_args=()
toolchain=$root/cmake/mingw-w64.cmake
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift ;;
        --no-build) do_build=0 ;;
        --lessons) lessons=$2; shift ;;
        --clang) deps_args+=(--clang); toolchain=$root/cmake/clang-mingw-w64.cmake ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "win-test.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# Known Wine 8 differences from Windows are declared by each lesson (its `quirks`): the report
# marks such a failed check with "known_difference", and this script counts it as XFAIL. Anything
# else that fails, fails the run.

failures=0
xfails=0
refused=""
say() { printf '%s\n' "$*"; }
bad() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
t_start=$(date +%s.%N)
stamp() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

# ---- 1-2. dependencies and build -------------------------------------------------------------------
t=$(date +%s.%N)
prefix=$("$here/win-deps.sh" "${deps_args[@]}" | tail -n1) || { echo "win-deps.sh failed" >&2; exit 2; }
say "deps: $prefix ($(stamp "$t"))"
if [ "$do_build" = 1 ]; then
    t=$(date +%s.%N)
    mkdir -p "$build"
    cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_PREFIX_PATH="$prefix" \
          -DLibevent_DIR="$prefix/lib/cmake/libevent" \
          -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOCKLAB_WERROR=ON -DCMAKE_C_FLAGS="-Werror=format" \
          >"$build/win-test-configure.log" 2>&1 || { tail -n 30 "$build/win-test-configure.log"; echo "configure failed" >&2; exit 2; }
    cmake --build "$build" -j "$(nproc)" >"$build/win-test-build.log" 2>&1 ||
        { grep -E 'error|warning' "$build/win-test-build.log" | head -n 40; echo "build failed (log: $build/win-test-build.log)" >&2; exit 1; }
    say "build: $build ($(stamp "$t"))"
fi
[ -f "$build/socklab.exe" ] || { echo "no $build/socklab.exe" >&2; exit 2; }

# ---- 3. Wine, headless, one persistent wineserver ------------------------------------------------------
export WINEPREFIX=$cache/wineprefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
command -v wine >/dev/null && command -v wineserver >/dev/null || { echo "wine not installed" >&2; exit 2; }
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    t=$(date +%s.%N)
    wine wineboot --init >/dev/null 2>&1 || true   # creates the prefix (~5 s, ~700 MB)
    wineserver -w
    say "wine prefix created: $WINEPREFIX ($(stamp "$t"))"
fi
# Is a wineserver already serving this prefix? It runs in a directory named after the prefix's
# device and inode. Start (and later stop) one only if not.
server_id=$(printf 'server-%x-%x' $(stat -c '%d %i' "$WINEPREFIX"))
our_server=0
running=0
for p in $(pgrep -x wineserver64; pgrep -x wineserver); do
    case $(readlink "/proc/$p/cwd" 2>/dev/null) in */"$server_id") running=1 ;; esac
done
if [ "$running" = 0 ]; then
    wineserver -p
    our_server=1
fi
cleanup() {
    [ -n "${td_pid:-}" ] && kill "$td_pid" 2>/dev/null
    if [ "$our_server" = 1 ]; then wineserver -k 2>/dev/null; fi
}
trap cleanup EXIT
wrun() { wine "$@" | tr -d '\r'; return "${PIPESTATUS[0]}"; } # Wine's stdout is CRLF
# The first program after `wineserver -p` starts Wine's services, and they inherit its stdout and
# stderr. Started under CTest, they would hold CTest's pipes open and the first test would time out;
# started here, with no pipes, they hold nothing.
wine "$build/socklab.exe" --version >/dev/null 2>&1 </dev/null || true

# ---- 4. unit tests under Wine -----------------------------------------------------------------------------
t=$(date +%s.%N)
if (cd "$build" && ctest -L unit --output-on-failure --timeout 60) >"$build/win-test-ctest.log" 2>&1; then
    say "ctest -L unit under wine: $(grep -E 'tests passed' "$build/win-test-ctest.log" | tr -d '\r') ($(stamp "$t"))"
else
    tr -d '\r' < "$build/win-test-ctest.log" | grep -E 'Failed|Timeout|check failed|\*\*\*' | head -n 30
    bad "ctest -L unit under wine (log: $build/win-test-ctest.log)"
fi
not_run=$(cd "$build" && ctest -N -LE unit 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: //p' | tr '\n' ' ')

# ---- 5. the programs, and the wire ----------------------------------------------------------------------
ver=$(cd "$build" && wrun ./socklab.exe --version) || bad "socklab.exe --version"
say "socklab.exe --version: $ver"
list=$(cd "$build" && wrun ./socklab.exe list) || bad "socklab.exe list"
say "socklab.exe list: $(printf '%s\n' "$list" | wc -l) lessons"

# ---- 5b. the zip an instructor hands out: the static .exe files, the dissector, the handouts -----------
t=$(date +%s.%N)
zipdir=$(mktemp -d "${TMPDIR:-/tmp}/socklab-zip.XXXXXX")
if (cd "$build" && cpack -G ZIP -B "$zipdir") >"$build/win-test-cpack.log" 2>&1; then
    zipfile=$(ls "$zipdir"/*.zip | head -1)
    (cd "$zipdir" && unzip -q "$zipfile")
    top=$(find "$zipdir" -mindepth 1 -maxdepth 1 -type d | head -1)
    missing=""
    for f in bin/socklab.exe bin/socklab-server.exe bin/socklab-bot.exe share/socklab/wireshark/socklab.lua; do
        [ -e "$top/$f" ] || missing="$missing $f"
    done
    handouts=$(ls "$top"/share/doc/socklab/handouts/*.md 2>/dev/null | wc -l)
    zlist=$(cd "$top/bin" && wrun ./socklab.exe list) || bad "socklab.exe list from the zip"
    if [ -n "$missing" ]; then
        bad "the zip lacks:$missing"
    elif [ "$handouts" != "$(printf '%s\n' "$list" | wc -l)" ] || [ "$zlist" != "$list" ]; then
        bad "the zip's handouts ($handouts) or lessons do not match the build's"
    else
        say "zip: $(basename "$zipfile") ($(du -k "$zipfile" | cut -f1) KiB): 3 .exe, the dissector, $handouts handouts; socklab.exe from it lists every lesson under Wine ($(stamp "$t"))"
    fi
else
    bad "cpack -G ZIP (log: $build/win-test-cpack.log)"
fi
rm -rf "$zipdir"

free_port() {
    local p i
    for i in $(seq 1 200); do
        p=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768+)
        ss -Htan "( sport = :$p or dport = :$p )" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}

have_tcpdump=0
if [ "$(id -u)" = 0 ] && command -v tcpdump >/dev/null; then have_tcpdump=1; fi
[ "$have_tcpdump" = 1 ] || say "note: no tcpdump or not root: lessons run without the wire check"
tmp=$(mktemp -d)
for lesson in $lessons; do
    printf '%s\n' "$list" | grep -q "^$lesson " || { say "skip $lesson: not in socklab list"; continue; }
    port=$(free_port) || { bad "$lesson: no free port"; continue; }
    cap=$tmp/$lesson.cap
    if [ "$have_tcpdump" = 1 ]; then
        tcpdump -i lo -nn -U -l "tcp port $port" >"$cap" 2>"$tmp/tcpdump.err" &
        td_pid=$!
        for i in $(seq 1 50); do grep -q "listening on" "$tmp/tcpdump.err" && break; sleep 0.1; done
    fi
    t=$(date +%s.%N)
    (cd "$build" && wrun ./socklab.exe run "$lesson" --json --quiet --port "$port") >"$tmp/$lesson.json" 2>"$tmp/$lesson.err"
    rc=$?
    # A lesson that needs the impairment lab (LAB_NEEDS) has nothing to show without it: Windows
    # refuses it with status 2 and the reason, which is the behaviour to check here.
    if [ "$rc" = 2 ] && grep -q "^socklab: $lesson needs the impairment lab: " "$tmp/$lesson.err"; then
        [ -s "$tmp/$lesson.json" ] && { bad "$lesson: refused, yet it printed a report"; continue; }
        refused="$refused $lesson"
        say "lesson $lesson (exit 2, $(stamp "$t")): refused, as it should be: $(tr -d '\r' < "$tmp/$lesson.err")"
        [ "$have_tcpdump" = 1 ] && { sleep 0.3; kill "$td_pid" 2>/dev/null; wait "$td_pid" 2>/dev/null; td_pid=; }
        continue
    fi
    tw=$(ss -Htan state time-wait "( sport = :$port or dport = :$port )" 2>/dev/null)
    if [ "$have_tcpdump" = 1 ]; then
        sleep 0.3; kill "$td_pid" 2>/dev/null; wait "$td_pid" 2>/dev/null; td_pid=
    fi
    # Which checks failed, and are they known Wine differences?
    fails=$(python3 - "$tmp/$lesson.json" <<'EOF'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print("unparsable-json"); sys.exit(0)
for c in r.get("checks", []):
    if c.get("pass") is False:
        kind = "xfail:" if c.get("known_difference") else ""
        print("%s%s=%s" % (kind, c["id"], str(c.get("observed")).replace(" ", "")))
for e in r.get("errors", []):
    print("error=%s" % str(e).replace(" ", "_"))
EOF
)
    line="$lesson (exit $rc, $(stamp "$t"))"
    for f in $fails; do
        case $f in
            xfail:*) line="$line; XFAIL ${f#xfail:}"; xfails=$((xfails + 1)) ;;
            *) line="$line; FAIL $f"; failures=$((failures + 1)) ;;
        esac
    done
    [ -z "$fails" ] && [ "$rc" != 0 ] && { line="$line; FAIL exit status"; failures=$((failures + 1)); }
    say "lesson $line"
    if [ "$have_tcpdump" = 1 ]; then
        fin=$(grep -cE "127\.0\.0\.1\.$port > .*Flags \[F" "$cap")
        rst=$(grep -cE "127\.0\.0\.1\.$port > .*Flags \[R" "$cap")
        cfin=$(grep -cE "> 127\.0\.0\.1\.$port: Flags \[F" "$cap")
        crst=$(grep -cE "> 127\.0\.0\.1\.$port: Flags \[R" "$cap")
        say "  wire (port $port, $(wc -l <"$cap") packets): server FIN $fin RST $rst; client FIN $cfin RST $crst"
        [ -n "$tw" ] && say "  ss time-wait: $(printf '%s' "$tw" | awk '{print $3" -> "$4}' | tr '\n' ' ')"
        case $lesson in
            close-graceful)
                [ "$fin" -ge 1 ] && [ "$rst" = 0 ] || bad "close-graceful: server side should send FIN, no RST"
                printf '%s' "$tw" | awk '{print $3}' | grep -q ":$port\$" ||
                    bad "close-graceful: no TIME-WAIT on the server port $port (ss)" ;;
            close-abortive)
                [ "$rst" -ge 1 ] && [ "$fin" = 0 ] || bad "close-abortive: server side should send RST, no FIN"
                printf '%s' "$tw" | grep -q . && bad "close-abortive: unexpected TIME-WAIT: $tw" ;;
        esac
    fi
done
# ---- 6. Windows closes, Linux observes ------------------------------------------------------------
# The Windows server side (socklab-server.exe --lesson, under Wine) against the Linux bot: the
# Linux kernel's view of what a Winsock close sent - a reset for SO_LINGER{1,0}, EOF for a plain close.
linux_bot=$root/build/debug/socklab-bot
if [ -x "$linux_bot" ]; then
    for pair in close-abortive:reset close-graceful:eof; do
        lesson=${pair%%:*} want=${pair#*:}
        port=$(free_port) || { bad "cross $lesson: no free port"; continue; }
        if [ "$have_tcpdump" = 1 ]; then
            tcpdump -i lo -nn -U -l "tcp port $port" >"$tmp/x.cap" 2>"$tmp/x.err" &
            td_pid=$!
            for i in $(seq 1 50); do grep -q "listening on" "$tmp/x.err" && break; sleep 0.1; done
        fi
        (cd "$build" && exec wine ./socklab-server.exe --port "$port" --lesson "$lesson" --json) >"$tmp/x.srv" 2>&1 &
        srv=$!
        for i in $(seq 1 100); do grep -q "listening on" "$tmp/x.srv" && break; sleep 0.05; done
        # The bot opens with the session line; a refusal (exit 2) is one line on stderr.
        "$linux_bot" --port "$port" --lesson "$lesson" --json --quiet >"$tmp/x.bot" 2>"$tmp/x.boterr"
        saw=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["facts"].get("peer_saw"))' "$tmp/x.bot" 2>/dev/null)
        sleep 0.3
        kill -INT "$srv" 2>/dev/null; sleep 0.5; kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
        wire=""
        if [ "$have_tcpdump" = 1 ]; then
            kill "$td_pid" 2>/dev/null; wait "$td_pid" 2>/dev/null; td_pid=
            fin=$(grep -cE "127\.0\.0\.1\.$port > .*Flags \[F" "$tmp/x.cap")
            rst=$(grep -cE "127\.0\.0\.1\.$port > .*Flags \[R" "$tmp/x.cap")
            wire="; wire: FIN $fin RST $rst from the Windows side"
            case $want in
                reset) [ "$rst" -ge 1 ] && [ "$fin" = 0 ] || bad "cross $lesson: the Windows side should send RST, no FIN" ;;
                eof) [ "$fin" -ge 1 ] && [ "$rst" = 0 ] || bad "cross $lesson: the Windows side should send FIN, no RST" ;;
            esac
        fi
        say "cross $lesson: Windows server, Linux bot saw '$saw' (expected '$want')$wire"
        [ "$saw" = "$want" ] || bad "cross $lesson: the Linux peer saw '$saw', expected '$want' $(head -c 300 "$tmp/x.boterr")"
    done
else
    say "note: no Linux build at $linux_bot: the Windows-closes/Linux-observes check did not run"
    [ -n "${CI:-}" ] && bad "CI must run the cross check (build the Linux preset first: ./lab test)"
fi
rm -rf "$tmp"

say ""
say "not run under wine (shell tests: Linux program names, POSIX signals, Linux-only tools): ${not_run:-none}"
say "refused under wine (they need the impairment lab, which only Linux has):${refused:- none}"
say "win-test: $failures failed, $xfails xfail (known Wine 8 differences), total $(stamp "$t_start")"
[ "$failures" = 0 ]
