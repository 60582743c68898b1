#!/usr/bin/env bash
# msvc-proxy-check.sh - a syntax-only stand-in for "does this build with MSVC?", run on Linux.
#
# Compiles every .c file MSVC would compile with clang in MSVC mode (--target=x86_64-pc-windows-msvc,
# _MSC_VER defined, __GNUC__ not) against Wine's MSVC-style CRT and Windows SDK headers from
# Debian's libwine-dev (downloaded with `apt-get download`, never installed; only the two header
# directories are unpacked into the cache). It catches what mingw-gcc lets through: VLAs and other
# GNU extensions, POSIX headers and types (<pthread.h>, <sys/time.h>, <strings.h>, <unistd.h>,
# ssize_t), __attribute__ / __builtin_* / __int128 (poisoned), void* arithmetic, implicit
# declarations. It links nothing and is no substitute for a real MSVC build.
#
# Usage: scripts/msvc-proxy-check.sh [-v] [FILE.c ...]
#   no FILE: the default set, every .c file of the project except the POSIX-only ones
#   (compat/*posix*.c, compat/sock_linux.c, compat/sock_noviews.c)
#   -v: print the full diagnostics of failing files (default: the first 20 lines)
# Exit status: 0 all files pass, 1 some fail, 2 setup failed.
#
# Limits of the proxy:
#   * Wine 8's SDK lacks newer APIs (SIO_TCP_INFO, TCP_INFO_v0/v1, GetTcpTable2, the GetTcp6Table
#     prototype), so files are compiled with -DSOCKLAB_MINIMAL_SDK: compat/sock_win32_views.c then
#     compiles out SIO_TCP_INFO and declares GetTcp6Table itself, and tests/compat_win leaves out its
#     GetTcpTable2 timing. A real MSVC build must be done without that macro.
#   * <unistd.h> and <dirent.h> exist in Wine's CRT but not MSVC's; shims here turn them into errors.
#   * `#include <Windows.h>` with capitals would fail here although Windows (case-insensitive)
#     accepts it: a false positive. libevent's own "BaseTsd.h" is shimmed.
#   * clang defines __clang__ even in MSVC mode; it is undefined here so that code guarded by
#     `#if defined(__GNUC__) || defined(__clang__)` takes the path MSVC takes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${SOCKLAB_WIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/socklab/win64}
verbose=0
files=()
while [ $# -gt 0 ]; do
    case $1 in
        -v) verbose=1 ;;
        -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "msvc-proxy-check: unknown option $1" >&2; exit 2 ;;
        *) files+=("$1") ;;
    esac
    shift
done

log() { printf 'msvc-proxy-check: %s\n' "$*" >&2; }
die() { printf 'msvc-proxy-check: error: %s\n' "$*" >&2; exit 2; }

command -v clang >/dev/null || die "clang not found (apt-get install clang)"
mkdir -p "$cache/msvc"
cache=$(cd "$cache" && pwd)
m=$cache/msvc

# ---- Wine's MSVC-style headers ---------------------------------------------------------------------
wh=$m/usr/include/wine/wine
if [ ! -f "$m/.unpacked" ]; then
    log "fetching libwine-dev (headers only)"
    rm -rf "$m/usr" "$m"/libwine-dev_*.deb
    if ! (cd "$m" && apt-get download -o APT::Sandbox::User=root libwine-dev >/dev/null 2>&1); then
        # apt-get download needs the package lists; a fresh machine may not have them yet.
        apt-get update -qq >&2 || die "apt-get update failed"
        (cd "$m" && apt-get download -o APT::Sandbox::User=root libwine-dev >&2) ||
            die "apt-get download libwine-dev failed"
    fi
    deb=$(ls "$m"/libwine-dev_*.deb | head -n1)
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$m" ./usr/include/wine/wine/msvcrt ./usr/include/wine/wine/windows
    rm -f "$deb"
    [ -f "$wh/msvcrt/stdio.h" ] && [ -f "$wh/windows/winsock2.h" ] || die "unexpected libwine-dev layout"
    touch "$m/.unpacked"
fi

# ---- libevent's headers, MSVC flavour ---------------------------------------------------------------
# The hand-written event-config.h of WIN32-Code/nmake is what an MSVC build of libevent uses; the
# cross-built prefix carries mingw's generated one instead, so take the headers from the source.
src=$("$here/win-deps.sh" --print-source | tail -n1) || die "win-deps.sh --print-source failed"
[ -f "$src/WIN32-Code/nmake/event2/event-config.h" ] || die "no MSVC event-config.h under $src"

# ---- shims -----------------------------------------------------------------------------------------
shim=$m/shim
mkdir -p "$shim/sys"
cat > "$shim/BaseTsd.h" <<'EOF'
/* libevent's util.h spells it BaseTsd.h under _MSC_VER; Windows is case-insensitive. */
#include <basetsd.h>
EOF
for h in unistd.h dirent.h sys/unistd.h; do
    printf '#error "<%s> is not part of MSVC'"'"'s CRT (Wine ships one; MSVC does not)"\n' "$h" > "$shim/$h"
done
cat > "$shim/msvc-poison.h" <<'EOF'
/* GNU spellings MSVC does not know. */
#pragma GCC poison __attribute__ __int128 __builtin_expect __builtin_unreachable __builtin_clz
#pragma GCC poison __builtin_ctz __builtin_popcount __builtin_bswap32 __builtin_bswap64 typeof
EOF

# ---- the files ---------------------------------------------------------------------------------------
cd "$root"
if [ ${#files[@]} -eq 0 ]; then
    # Every C file of the folders MSVC builds, subfolders included (lessons/engine/); bench/ is
    # Linux-only and never built for Windows.
    for f in $(find compat common lessons server client runner tests -name '*.c' | sort); do
        case $f in
            compat/*posix*.c|compat/sock_linux.c|compat/sock_noviews.c|compat/impair_linux.c|compat/capture_pcap.c) continue ;;
        esac
        files+=("$f")
    done
fi
[ ${#files[@]} -gt 0 ] || die "no files to check"

version=$(sed -n 's/^project([^)]*VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt | head -n1)
resdir=$(clang -print-resource-dir)
flags=(--target=x86_64-pc-windows-msvc -fms-compatibility -fms-extensions -fms-compatibility-version=19.38
       -std=c11 -nostdinc -U__clang__
       -isystem "$shim" -isystem "$resdir/include" -isystem "$wh/msvcrt" -isystem "$wh/windows"
       -include msvc-poison.h
       -isystem "$src/WIN32-Code/nmake" -isystem "$src/include" -I "$root"
       -DWIN32_LEAN_AND_MEAN -D_WIN32_WINNT=0x0A00 -D_CRT_SECURE_NO_WARNINGS -DSOCKLAB_MINIMAL_SDK
       "-DSOCKLAB_VERSION=\"${version:-0}\""
       -fsyntax-only -Wall -Wno-unused-command-line-argument -Wno-builtin-macro-redefined
       -Werror=vla -Werror=gnu -Wpedantic -Werror=pedantic -Wno-language-extension-token
       -Werror=pointer-arith -Werror=implicit-function-declaration -Werror=int-conversion
       -Werror=incompatible-pointer-types)

pass=0
failed=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for f in "${files[@]}"; do
    if clang "${flags[@]}" "$f" >"$out" 2>&1 && ! grep -q 'error:' "$out"; then
        pass=$((pass + 1))
        if grep -q 'warning:' "$out"; then
            echo "ok   $f ($(grep -c 'warning:' "$out") warnings)"
        else
            echo "ok   $f"
        fi
    else
        failed+=("$f")
        echo "FAIL $f"
        if [ "$verbose" = 1 ]; then sed 's/^/     /' "$out"; else grep -v '^ *[0-9]* *|' "$out" | head -n 20 | sed 's/^/     /'; fi
    fi
done
echo "msvc-proxy-check: ${pass} passed, ${#failed[@]} failed (of ${#files[@]})"
[ ${#failed[@]} -eq 0 ]
