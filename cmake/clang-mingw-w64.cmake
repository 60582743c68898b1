# Cross toolchain: Debian's clang targeting x86_64-w64-mingw32 with the MinGW-w64 headers and CRT.
#   cmake -S . -B build-win-clang -DCMAKE_TOOLCHAIN_FILE=cmake/clang-mingw-w64.cmake -DCMAKE_PREFIX_PATH=<prefix>
# Useful as a second opinion next to mingw gcc: add -Werror=gnu to catch GNU syntax extensions
# (statement expressions, case ranges, ?:, binary literals, __auto_type) that MSVC rejects.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(TOOLCHAIN_PREFIX x86_64-w64-mingw32)

set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET ${TOOLCHAIN_PREFIX})
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_CXX_COMPILER_TARGET ${TOOLCHAIN_PREFIX})
set(CMAKE_RC_COMPILER  ${TOOLCHAIN_PREFIX}-windres)
set(CMAKE_AR           ${TOOLCHAIN_PREFIX}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB       ${TOOLCHAIN_PREFIX}-ranlib CACHE FILEPATH "")

# (1) Without a sysroot clang also searches the host's /usr/include.
set(CMAKE_SYSROOT /usr/${TOOLCHAIN_PREFIX})

# (2) Debian names the libgcc directory "<ver>-win32" (and "-posix"); clang's driver can't find it.
# (3) Without --ld-path clang would call the host's ELF /usr/bin/ld.
file(GLOB _socklab_gcc_dirs /usr/lib/gcc/${TOOLCHAIN_PREFIX}/*-win32)
if(NOT _socklab_gcc_dirs)
  message(FATAL_ERROR "clang-mingw-w64.cmake: no /usr/lib/gcc/${TOOLCHAIN_PREFIX}/*-win32 "
                      "(apt-get install gcc-mingw-w64-x86-64)")
endif()
list(SORT _socklab_gcc_dirs)
list(GET _socklab_gcc_dirs -1 _socklab_gcc_dir)
set(CMAKE_EXE_LINKER_FLAGS_INIT "--ld-path=/usr/bin/${TOOLCHAIN_PREFIX}-ld -L${_socklab_gcc_dir}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "--ld-path=/usr/bin/${TOOLCHAIN_PREFIX}-ld -L${_socklab_gcc_dir}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "--ld-path=/usr/bin/${TOOLCHAIN_PREFIX}-ld -L${_socklab_gcc_dir}")

# See mingw-w64.cmake: CMAKE_PREFIX_PATH entries must also be find roots (libevent's config file).
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

set(CMAKE_CROSSCOMPILING_EMULATOR wine)
