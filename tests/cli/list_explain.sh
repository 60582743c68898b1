#!/usr/bin/env bash
# Every lesson is listed and explained, with its Wireshark filter and both platforms' behaviour.
. "$SOCKLAB_TESTS/lib.sh"
lessons=$("$SOCKLAB" list | awk '{print $1}')
[ "$(echo "$lessons" | wc -l)" -ge 7 ] || fail "socklab list shows fewer than 7 lessons"
for l in $lessons; do
    "$SOCKLAB" explain "$l" > "$TMP/x" || fail "explain $l failed"
    for section in "Wireshark display filter" "What to watch for" "On Linux" "On Windows"; do
        grep -q "$section" "$TMP/x" || fail "explain $l lacks '$section'"
    done
    grep -qE '^  tcp\.' "$TMP/x" || fail "explain $l has no filter line"
    grep -q -- "$l" "$SOCKLAB_TESTS/../README.md" || fail "lesson $l is not in README.md"
done
pass "$(echo $lessons | wc -w) lessons listed, explained and in the README"
