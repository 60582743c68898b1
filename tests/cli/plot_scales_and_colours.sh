#!/usr/bin/env bash
# --plot with lines of very different sizes: a panel whose lines' largest samples differ more than
# 20 times gets a logarithmic y axis (named in the axis title), others stay linear; a connection name
# keeps one colour in every panel of the file, across lessons (buffer-sizes and buffer-autotune both
# have a "default" connection).
. "$SOCKLAB_TESTS/lib.sh"
need_cmd python3

"$SOCKLAB" compare buffer-sizes buffer-autotune --quiet --plot "$TMP/two.svg" > "$TMP/out.txt" 2> "$TMP/err" \
    || fail "compare failed: $(cat "$TMP/err")"
python3 - "$TMP/two.svg" <<'PY' || fail "the SVG's scales or colours are wrong (above)"
import re, sys, xml.dom.minidom
svg = open(sys.argv[1]).read()
xml.dom.minidom.parseString(svg)
# buffer-sizes sets SO_RCVBUF from a few KiB to past the maximum: far more than 20x apart
if "client rcvbuf (MiB, log scale)" not in svg and "client rcvbuf (KiB, log scale)" not in svg:
    sys.exit("buffer-sizes' rcvbuf panel is not on a log scale")
if not re.search(r"\((segments|ms|bytes|KiB|MiB|GiB)\)</text>", svg):
    sys.exit("no panel kept a linear axis")
# legend entries: <line ... stroke="C" stroke-width="3"/> then <text ...>NAME</text>
pairs = re.findall(r'stroke="(#[0-9a-f]{6})" stroke-width="3"/>\s*<text[^>]*>([^<]+)</text>', svg)
colours = {}
for colour, name in pairs:
    colours.setdefault(name, set()).add(colour)
for name, cs in colours.items():
    if len(cs) != 1:
        sys.exit(f"connection {name} is drawn in {len(cs)} colours: {sorted(cs)}")
if "default" not in colours or "locked" not in colours or "small" not in colours:
    sys.exit(f"legend names missing: {sorted(colours)}")
if len({next(iter(c)) for c in colours.values()}) != len(colours):
    sys.exit("two connection names share a colour")
PY
pass "--plot: log axis where lines differ more than 20x, one colour per connection name across lessons"
