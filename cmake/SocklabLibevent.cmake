# Finds libevent 2.1 and provides the target socklab::libevent (core + extra, no OpenSSL).
# First libevent's own CMake package (vcpkg, or a cross build's install prefix); then pkg-config,
# because Debian's libevent-dev ships only .pc files.
find_package(Libevent 2.1 CONFIG QUIET COMPONENTS core extra)
if(Libevent_FOUND)
  add_library(socklab::libevent INTERFACE IMPORTED)
  target_link_libraries(socklab::libevent INTERFACE libevent::core libevent::extra)
  message(STATUS "libevent ${Libevent_VERSION}: CMake package (${Libevent_DIR})")
else()
  find_package(PkgConfig QUIET)
  if(NOT PKG_CONFIG_FOUND)
    message(FATAL_ERROR "libevent 2.1 not found: no CMake package and no pkg-config. "
                        "Debian/Ubuntu: apt-get install libevent-dev pkg-config; Windows: vcpkg install libevent")
  endif()
  pkg_check_modules(SOCKLAB_LIBEVENT REQUIRED IMPORTED_TARGET libevent_core>=2.1 libevent_extra>=2.1)
  add_library(socklab::libevent INTERFACE IMPORTED)
  target_link_libraries(socklab::libevent INTERFACE PkgConfig::SOCKLAB_LIBEVENT)
  message(STATUS "libevent ${SOCKLAB_LIBEVENT_libevent_core_VERSION}: pkg-config")
endif()
