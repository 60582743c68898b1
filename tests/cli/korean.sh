#!/usr/bin/env bash
# Korean and English: a Korean locale picks Korean with no flag, --lang overrides the locale either
# way, --help and errors speak the chosen language, a run's report labels are Korean, compare's
# table stays aligned by display width (Hangul takes two columns), and an unknown language is a
# one-line error with exit status 2.
. "$SOCKLAB_TESTS/lib.sh"
export LC_ALL=C.UTF-8
ko() { env -u LANGUAGE -u LC_MESSAGES LC_ALL= LANG=ko_KR.UTF-8 "$@"; }

ko "$SOCKLAB" explain close-graceful > "$TMP/ko.txt" || fail "explain under a Korean locale failed"
grep -q '^눈여겨볼 것:' "$TMP/ko.txt" || fail "a Korean locale did not pick Korean: $(head -3 "$TMP/ko.txt")"
ko "$SOCKLAB" explain close-graceful --lang en > "$TMP/en.txt" || fail "explain --lang en failed"
grep -q '^What to watch for:' "$TMP/en.txt" || fail "--lang en did not override the Korean locale"
LANGUAGE=en "$SOCKLAB" --lang ko --help > "$TMP/help.txt" || fail "--help --lang ko failed"
grep -q '^사용법: socklab' "$TMP/help.txt" && grep -q -- '--ladder FILE  run/compare: 캡처한' "$TMP/help.txt" \
    || fail "--help is not in Korean"
"$SOCKLAB" --lang ko run close-gracefull 2> "$TMP/err" && fail "an unknown lesson was accepted"
grep -q "알 수 없는 레슨 'close-gracefull' (close-graceful을(를) 말씀하신" "$TMP/err" || fail "the error is not Korean: $(cat "$TMP/err")"

"$SOCKLAB" --lang ko compare close-graceful close-abortive --quiet > "$TMP/cmp.txt" || fail "compare --lang ko failed"
grep -q '^측정값 (fact)' "$TMP/cmp.txt" || fail "the table heading is not Korean"
# the lesson columns start at the same display column on the heading row as on every fact row
head_col=$(grep '^측정값 (fact)' "$TMP/cmp.txt" | head -1 | sed 's/close-graceful.*//' | wc -L)
fact_col=$(grep '^closer ' "$TMP/cmp.txt" | head -1 | sed 's/server.*//' | wc -L)
[ "$head_col" = "$fact_col" ] || fail "the Korean heading shifts the columns ($head_col vs $fact_col)"

"$SOCKLAB" --lang xx list 2> "$TMP/err"
rc=$?
[ "$rc" = 2 ] && [ "$(wc -l < "$TMP/err")" = 1 ] || fail "--lang xx: exit $rc, $(cat "$TMP/err")"
pass "Korean by locale or --lang, in explain, --help, errors and compare's aligned table"
