#!/usr/bin/env bash
# --plot FILE.svg: an SVG document that parses as XML, with the chart titles, axis names, units
# and a legend naming each connection; with compare, one file with a column of panels per lesson.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd python3
parses() { python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$1"; }
has() { grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks '$2'"; }

"$SOCKLAB" run buffer-sizes --quiet --plot "$TMP/one.svg" > "$TMP/out.txt" || fail "run failed"
parses "$TMP/one.svg" || fail "one.svg is not well-formed XML"
has "$TMP/one.svg" "<svg xmlns=\"http://www.w3.org/2000/svg\""
has "$TMP/one.svg" "receiver SO_RCVBUF during the stream"
has "$TMP/one.svg" "ms since the connection's first sample" # the x axis
has "$TMP/one.svg" "client rcvbuf (MiB, log scale)"         # the y axis, its unit and scale
for c in small default large above_max; do has "$TMP/one.svg" ">$c</text>"; done # the legend
[ "$(grep -c '<polyline' "$TMP/one.svg")" -ge 4 ] || fail "fewer than 4 lines drawn"
grep -q 'first .* max .* last' "$TMP/out.txt" || fail "the text report has no sparkline rows"

"$SOCKLAB" compare buffer-sizes buffer-autotune --quiet --plot "$TMP/two.svg" > /dev/null || fail "compare failed"
parses "$TMP/two.svg" || fail "two.svg is not well-formed XML"
has "$TMP/two.svg" ">buffer-sizes</text>"
has "$TMP/two.svg" ">buffer-autotune</text>"
has "$TMP/two.svg" ">locked</text>"
pass "--plot draws well-formed SVG charts with axes, units and legends"
