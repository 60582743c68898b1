#!/usr/bin/env bash
# COLUMNS=100 socklab compare with more lessons than fit: the fact table comes in groups of lessons,
# the charts one lesson after another instead of side by side, and check lines wrap, so no line is
# wider than the terminal (but a Wireshark filter, which must stay whole).
. "$SOCKLAB_TESTS/lib.sh"
export LC_ALL=C.UTF-8 # wc -L counts display columns, not bytes, in a UTF-8 locale

COLUMNS=100 "$SOCKLAB" compare close-graceful close-abortive buffer-autotune stalled-reader --quiet \
    > "$TMP/out.txt" 2> "$TMP/err" || fail "compare failed: $(cat "$TMP/err"; grep -E 'FAIL|ERROR' "$TMP/out.txt")"
# A Wireshark filter stays on one line, whole, so it can be copied into Wireshark.
grep -v '^  Wireshark: ' "$TMP/out.txt" > "$TMP/text.txt"
widest=$(wc -L < "$TMP/text.txt")
[ "$widest" -le 100 ] || fail "a line is $widest columns wide: $(awk 'length > 100' "$TMP/text.txt" | head -1)"
groups=$(grep -c '^fact (measured)' "$TMP/out.txt")
[ "$groups" -ge 2 ] || fail "4 lessons in 100 columns came as $groups table(s), not in groups"
for l in close-graceful close-abortive buffer-autotune stalled-reader; do
    grep -qE "^fact \(measured\) .*$l" "$TMP/out.txt" || fail "no table column for $l"
done
grep -q 'charts, side by side' "$TMP/out.txt" && fail "charts side by side do not fit in 100 columns"
grep -q '^charts of buffer-autotune' "$TMP/out.txt" || fail "buffer-autotune's charts are missing"
grep -q '^charts of stalled-reader' "$TMP/out.txt" || fail "stalled-reader's charts are missing"
# a wrapped check line continues under its expectation, not at the left margin
grep -qE '^ {30,}[^ ]' "$TMP/out.txt" || fail "no check line was wrapped under its expectation"

# Without a width (not a terminal, no COLUMNS) nothing is cut: one table, charts side by side.
"$SOCKLAB" compare buffer-autotune stalled-reader --quiet > "$TMP/wide.txt" || fail "compare without COLUMNS failed"
[ "$(grep -c '^fact (measured)' "$TMP/wide.txt")" -eq 1 ] || fail "without a width the table was split"
grep -q 'charts, side by side' "$TMP/wide.txt" || fail "without a width the charts were not side by side"
pass "compare fits 100 columns: tables in groups, charts stacked, checks wrapped"
