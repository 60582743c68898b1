# Cross toolchain: Debian's MinGW-w64 gcc (x86_64-w64-mingw32, win32 threads) targeting Windows x64.
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake -DCMAKE_PREFIX_PATH=<libevent prefix>
# The libevent prefix comes from scripts/win-deps.sh (it prints it on its last line).
# Programs run through Wine: try_run() and ctest use CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(TOOLCHAIN_PREFIX x86_64-w64-mingw32)

set(CMAKE_C_COMPILER   ${TOOLCHAIN_PREFIX}-gcc)
set(CMAKE_CXX_COMPILER ${TOOLCHAIN_PREFIX}-g++)
set(CMAKE_RC_COMPILER  ${TOOLCHAIN_PREFIX}-windres)
set(CMAKE_AR           ${TOOLCHAIN_PREFIX}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB       ${TOOLCHAIN_PREFIX}-ranlib CACHE FILEPATH "")

# With the find modes below set to ONLY, every search path is re-rooted under CMAKE_FIND_ROOT_PATH.
# libevent's LibeventConfig.cmake calls find_path/find_library(... PATHS <its prefix> NO_DEFAULT_PATH),
# which would then be looked up *inside* the sysroot and fail ("Your libevent library does not
# contain header files!"). So each CMAKE_PREFIX_PATH entry must also be a root. list(APPEND), not
# set(): a set() here would shadow a -DCMAKE_FIND_ROOT_PATH= given on the command line.
list(APPEND CMAKE_FIND_ROOT_PATH /usr/${TOOLCHAIN_PREFIX} ${CMAKE_PREFIX_PATH})
list(REMOVE_DUPLICATES CMAKE_FIND_ROOT_PATH)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (SocklabLibevent.cmake's fallback) must never answer with the build machine's Linux
# packages: without this a missing -DCMAKE_PREFIX_PATH silently "finds" the host's libevent-dev.
# FindPkgConfig still searches <CMAKE_PREFIX_PATH>/lib/pkgconfig.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/${TOOLCHAIN_PREFIX}/lib/pkgconfig")

# try_run() and ctest's add_test(COMMAND <target>) run the .exe through Wine. Debian 12 has no
# /usr/bin/wine64; the `wine` wrapper picks /usr/lib/wine/wine64 when wine32 is absent.
set(CMAKE_CROSSCOMPILING_EMULATOR wine)
