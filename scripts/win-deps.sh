#!/usr/bin/env bash
# win-deps.sh - everything a Windows cross build of socklab needs on Debian 12, idempotently:
#   * the packages: gcc-mingw-w64-x86-64, wine64, wine (+ clang for --clang), installed only if missing;
#   * libevent 2.1.12's source from Debian's source packages (a private deb-src list that reuses the
#     URIs the system's apt already uses, so no host name appears here), checked against its sha256;
#   * libevent built statically for x86_64-w64-mingw32 into a cache directory keyed by a hash of the
#     toolchain file, the compiler version and the build options, so a warm run takes about a second.
#
# Usage: scripts/win-deps.sh [--clang] [--cache DIR] [--print-source] [--no-install]
#   --clang          build libevent with cmake/clang-mingw-w64.cmake instead of cmake/mingw-w64.cmake
#   --cache DIR      cache root (default: $SOCKLAB_WIN_CACHE or ${XDG_CACHE_HOME:-$HOME/.cache}/socklab/win64)
#   --print-source   only make sure the verified source tree exists and print its directory
#   --no-install     never call apt-get install (fail if a package is missing)
# Progress goes to stderr. The last line on stdout is the libevent install prefix (or the source
# directory with --print-source): PREFIX=$(scripts/win-deps.sh | tail -n1)
#
# Other paths under the cache root that the other scripts use: wineprefix/ (WINEPREFIX),
# src/libevent-2.1.12-stable/ (the unpacked source: WIN32-Code/nmake has the MSVC event-config.h).
set -euo pipefail

LIBEVENT_VER=2.1.12-stable
LIBEVENT_ORIG=libevent_${LIBEVENT_VER}.orig.tar.gz
LIBEVENT_SHA256=92e6de1be9ec176428fd2367677e61ceffc2ee1cb119035037a27d346b0403bb

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${SOCKLAB_WIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/socklab/win64}
toolchain=$root/cmake/mingw-w64.cmake
flavour=gcc
print_source=0
no_install=0

while [ $# -gt 0 ]; do
    case $1 in
        --clang) toolchain=$root/cmake/clang-mingw-w64.cmake; flavour=clang ;;
        --cache) cache=$2; shift ;;
        --cache=*) cache=${1#--cache=} ;;
        --print-source) print_source=1 ;;
        --no-install) no_install=1 ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "win-deps.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

log() { printf 'win-deps: %s\n' "$*" >&2; }
die() { printf 'win-deps: error: %s\n' "$*" >&2; exit 1; }
t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# One run at a time per cache (two builds of the same key would trample each other).
exec 9>"$cache/.lock"
if ! flock -n 9; then
    log "waiting for another win-deps.sh run on $cache"
    flock 9
fi

# ---- 1. packages ---------------------------------------------------------------------------------
need_pkgs=(gcc-mingw-w64-x86-64 wine64 wine)
[ "$flavour" = clang ] && need_pkgs+=(clang)
missing=()
for p in "${need_pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$no_install" = 1 ] && die "missing packages: ${missing[*]} (and --no-install given)"
    [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}; run as root or install them"
    log "installing ${missing[*]} (apt-get update first)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
    log "packages present: ${need_pkgs[*]}"
fi
for tool in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-ar cmake sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found"
done

# ---- 2. libevent source --------------------------------------------------------------------------
srcdir=$cache/src
mkdir -p "$srcdir"
orig=$srcdir/$LIBEVENT_ORIG

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$LIBEVENT_SHA256" ]; }

# The system's deb URI and first suite, from deb822 sources or the one-line format.
system_deb_source() {
    local f uri suite
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk '/^URIs:/ { print $2; exit }' "$f")
        suite=$(awk '/^Suites:/ { print $2; exit }' "$f")
        case $suite in *-security|*-updates|*-backports) continue ;; esac
        if [ -n "$uri" ] && [ -n "$suite" ]; then echo "$uri $suite"; return 0; fi
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # deb [opts] URI SUITE COMPONENTS...
        if awk '$1 == "deb" { sub(/^deb +(\[[^]]*\] +)?/, ""); split($0, a, " ");
                              if (a[2] !~ /-(security|updates|backports)$/) { print a[1], a[2]; found=1; exit } }
                END { exit !found }' "$f"; then
            return 0
        fi
    done
    return 1
}

if sha_ok "$orig"; then
    log "source present: $orig (sha256 ok)"
else
    rm -f "$orig"
    read -r uri suite < <(system_deb_source) || die "cannot find the system's Debian apt source"
    aptdir=$cache/apt
    mkdir -p "$aptdir/lists/partial"
    cat > "$aptdir/src.sources" <<EOF
Types: deb-src
URIs: $uri
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    apto=(-o "Dir::Etc::SourceList=$aptdir/src.sources" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$aptdir/lists" -o APT::Sandbox::User=root)
    log "fetching libevent source package ($suite, deb-src from the system's URI)"
    apt-get "${apto[@]}" update -qq >&2
    (cd "$srcdir" && apt-get "${apto[@]}" source --download-only -qq libevent >&2)
    [ -f "$orig" ] || die "apt-get source did not produce $LIBEVENT_ORIG (another libevent version in $suite?)"
    sha_ok "$orig" || die "sha256 mismatch for $orig (want $LIBEVENT_SHA256)"
    log "source fetched, sha256 ok"
fi

src=$srcdir/libevent-$LIBEVENT_VER
if [ ! -f "$src/.socklab-unpacked" ]; then
    rm -rf "$src"
    tar -xzf "$orig" -C "$srcdir"
    [ -f "$src/CMakeLists.txt" ] || die "unexpected tarball layout (no $src/CMakeLists.txt)"
    touch "$src/.socklab-unpacked"
fi

if [ "$print_source" = 1 ]; then
    echo "$src"
    exit 0
fi

# ---- 3. static libevent for mingw, cached by key -------------------------------------------------
# Debian's two patches are not needed (one touches autotools, one glibc's arc4random): upstream as is.
opts=(-DCMAKE_BUILD_TYPE=Release -DEVENT__LIBRARY_TYPE=STATIC -DEVENT__DISABLE_OPENSSL=ON
      -DEVENT__DISABLE_TESTS=ON -DEVENT__DISABLE_REGRESS=ON -DEVENT__DISABLE_BENCHMARK=ON
      -DEVENT__DISABLE_SAMPLES=ON)
if [ "$flavour" = clang ]; then cc_version=$(clang --version | head -n1)
else cc_version=$(x86_64-w64-mingw32-gcc --version | head -n1); fi
key=$( { cat "$toolchain"; printf '%s\n' "${opts[@]}" "$cc_version" "$LIBEVENT_SHA256"; } |
       sha256sum | cut -c1-12)
prefix=$cache/libevent-$LIBEVENT_VER-$flavour-$key

if [ -f "$prefix/.socklab-complete" ] && [ -f "$prefix/lib/cmake/libevent/LibeventConfig.cmake" ] &&
   [ -f "$prefix/lib/libevent_core.a" ]; then
    log "libevent cached ($(elapsed) s)"
    echo "$prefix"
    exit 0
fi

build=$cache/build-libevent-$flavour-$key
rm -rf "$prefix" "$build"
log "configuring libevent for $flavour-mingw (about 40-50 s: ~110 try-compiles)"
# LibeventConfig.cmake records the absolute prefix, so install in place and mark completion last.
cmake -S "$src" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_INSTALL_PREFIX="$prefix" \
      "${opts[@]}" >"$cache/libevent-configure.log" 2>&1 ||
    { tail -n 30 "$cache/libevent-configure.log" >&2; die "libevent configure failed (log: $cache/libevent-configure.log)"; }
log "building libevent"
cmake --build "$build" -j "$(nproc)" >"$cache/libevent-build.log" 2>&1 ||
    { tail -n 30 "$cache/libevent-build.log" >&2; die "libevent build failed (log: $cache/libevent-build.log)"; }
cmake --install "$build" >"$cache/libevent-install.log" 2>&1 ||
    { tail -n 30 "$cache/libevent-install.log" >&2; die "libevent install failed"; }
[ -f "$prefix/lib/libevent_core.a" ] || die "install produced no libevent_core.a"
touch "$prefix/.socklab-complete"
rm -rf "$build"
log "libevent built ($(elapsed) s)"
echo "$prefix"
