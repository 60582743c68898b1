#!/usr/bin/env bash
# Platform conditionals belong in compat/ only: everything else must build unchanged everywhere.
. "$SOCKLAB_TESTS/lib.sh"
cd "$SOCKLAB_TESTS/.." || fail "no source tree"
leaks=$(grep -rlnE --include='*.c' --include='*.h' '#\s*if(def|ndef)?.*_WIN32|defined\s*\(?\s*_WIN32|_MSC_VER' \
        compat server client lessons runner common tests 2>/dev/null | grep -v '^compat/' || true)
[ -z "$leaks" ] || fail "platform conditionals outside compat/: $leaks"
# and no POSIX-only headers outside compat/ (MSVC has none of them)
posix=$(grep -rlnE --include='*.c' --include='*.h' '#\s*include\s*<(unistd|pthread|strings|netdb|fcntl|poll)\.h>|<sys/(socket|time|ioctl|resource)\.h>|<(netinet|arpa)/' \
        server client lessons runner common 2>/dev/null || true)
[ -z "$posix" ] || fail "POSIX-only headers outside compat/: $posix"
pass "platform code is confined to compat/"
