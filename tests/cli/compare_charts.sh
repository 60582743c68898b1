#!/usr/bin/env bash
# socklab compare buffer-autotune stalled-reader: both lessons pass, the terminal report shows both
# lessons' charts in columns (a flowing connection's window beside a stalled one's), and --plot writes one SVG
# with a column of panels for each.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd python3
has() { grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks '$2'"; }

"$SOCKLAB" compare buffer-autotune stalled-reader --quiet --plot "$TMP/both.svg" > "$TMP/out.txt" 2> "$TMP/err" \
    || fail "compare failed: $(cat "$TMP/err"; grep -E 'FAIL|ERROR' "$TMP/out.txt")"
grep -qE '^checks +PASS [0-9]+/[0-9]+ +PASS' "$TMP/out.txt" || fail "the table's checks row is not PASS for both"
has "$TMP/out.txt" "charts, side by side"
grep -qE '^buffer-autotune +stalled-reader$' "$TMP/out.txt" || fail "no column headings for the two lessons"
has "$TMP/out.txt" "sender snd_wnd: the reader's window"
has "$TMP/out.txt" "sender evbuffer: the app's own output buffer"
# Side by side: an autotune line (default/locked) and a stalled-reader line (capped/uncapped) on one row.
beside=$(grep -cE '^    (default|locked) .* (capped|uncapped) ' "$TMP/out.txt")
[ "$beside" -ge 12 ] || fail "only $beside rows carry both lessons' sparklines side by side"

python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$TMP/both.svg" || fail "both.svg is not well-formed XML"
has "$TMP/both.svg" ">buffer-autotune</text>"
has "$TMP/both.svg" ">stalled-reader</text>"
has "$TMP/both.svg" "sender persist backoff: zero-window probes sent"
has "$TMP/both.svg" ">uncapped</text>"
has "$TMP/both.svg" ">locked</text>"
pass "compare shows buffer-autotune's and stalled-reader's charts together, in the terminal and in one SVG"
