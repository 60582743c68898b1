#!/usr/bin/env bash
# win-clang-build.sh - the second MSVC stand-in: build the Windows executables with clang for
# x86_64-w64-mingw32 and -Werror=gnu, which rejects the GNU C extensions gcc accepts silently
# (statement expressions, case ranges, `?:`, zero-length arrays, __auto_type ...) and MSVC refuses.
# Links the gcc-built libevent from win-deps.sh; builds only (the Wine tests run the gcc build).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build/win-clang}
prefix=$("$root/scripts/win-deps.sh" | tail -n1)
command -v clang >/dev/null || { echo "win-clang-build: clang is not installed" >&2; exit 2; }
cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/clang-mingw-w64.cmake" \
      -DCMAKE_PREFIX_PATH="$prefix" -DLibevent_DIR="$prefix/lib/cmake/libevent" -DCMAKE_BUILD_TYPE=Debug \
      -DSOCKLAB_WERROR=ON -DCMAKE_C_FLAGS="-Werror=gnu -Werror=vla -Werror=pointer-arith" >"$build.configure.log" 2>&1 ||
    { tail -n 30 "$build.configure.log"; exit 1; }
if ! cmake --build "$build" -j "$(nproc)" >"$build.build.log" 2>&1; then
    grep -E 'error|warning' "$build.build.log" | head -n 20
    echo "win-clang-build: FAILED (log: $build.build.log)" >&2
    exit 1
fi
echo "win-clang-build: clang x86_64-w64-mingw32 with -Werror=gnu built $(ls "$build"/*.exe | wc -l) programs"
