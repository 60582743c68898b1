#!/usr/bin/env bash
# --plot / --csv on lessons that sample no time series: refused before anything runs (exit 2,
# one line naming the lessons that do), and no file is left behind.
. "$SOCKLAB_TESTS/lib.sh"
"$SOCKLAB" run close-graceful --plot "$TMP/x.svg" > "$TMP/out" 2> "$TMP/err"; rc=$?
[ $rc = 2 ] || fail "exit $rc, expected 2"
[ "$(wc -l < "$TMP/err")" = 1 ] || fail "stderr is not one line: $(cat "$TMP/err")"
grep -q "buffer-autotune" "$TMP/err" || fail "the message does not name a lesson that samples: $(cat "$TMP/err")"
[ ! -e "$TMP/x.svg" ] || fail "a file was created anyway"
[ ! -s "$TMP/out" ] || fail "it ran anyway"
"$SOCKLAB" compare close-graceful half-close --csv "$TMP/x.csv" > /dev/null 2>&1; rc=$?
[ $rc = 2 ] && [ ! -e "$TMP/x.csv" ] || fail "compare --csv without a time series: exit $rc"
"$SOCKLAB" run buffer-sizes --plot "$TMP/no/such/dir/x.svg" > /dev/null 2> "$TMP/err"; rc=$?
[ $rc = 2 ] && grep -q "cannot write" "$TMP/err" || fail "an unwritable --plot path: exit $rc, $(cat "$TMP/err")"
pass "--plot and --csv need a lesson with a time series and a writable file"
