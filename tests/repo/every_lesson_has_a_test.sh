#!/usr/bin/env bash
# The registry (socklab list) and tests/lessons/ name the same lessons: a new lesson cannot land
# without its test, and a test cannot outlive its lesson.
. "$SOCKLAB_TESTS/lib.sh"
"$SOCKLAB" list | awk '{print $1}' | tr '-' '_' | sort > "$TMP/registry"
[ -s "$TMP/registry" ] || fail "socklab list printed no lessons"
(cd "$SOCKLAB_TESTS/lessons" && ls -- *.sh) | sed 's/\.sh$//' | sort > "$TMP/tests"
missing=$(comm -23 "$TMP/registry" "$TMP/tests" | tr '\n' ' ')
orphans=$(comm -13 "$TMP/registry" "$TMP/tests" | tr '\n' ' ')
[ -z "$missing" ] || fail "lessons without a test in tests/lessons/: $missing"
[ -z "$orphans" ] || fail "tests/lessons/ files without a lesson: $orphans"
pass "every one of the $(wc -l < "$TMP/registry") lessons has its test file, and no test file is orphaned"
