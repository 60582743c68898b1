#!/usr/bin/env bash
# --ladder: every timeline event is drawn on the lifeline of the side that logged it, in the
# timeline's order, with its whole text (a cut label keeps it in its tooltip); and the SVG renders
# (rsvg-convert draws it to a PNG).
. "$SOCKLAB_TESTS/lib.sh"
need_root "capturing packets"
need_cmd python3 rsvg-convert

"$SOCKLAB" run close-abortive --quiet --json --ladder "$TMP/l.svg" > "$TMP/r.json" 2> "$TMP/err" \
    || fail "run failed: $(cat "$TMP/err")"
PYTHONPATH="$SOCKLAB_TESTS/cli" python3 - "$TMP/l.svg" "$TMP/r.json" <<'PY' || fail "events misplaced (above)"
import json, sys
from ladder_lib import columns
(col,) = columns(open(sys.argv[1]).read())
timeline = [(e["side"], e["event"]) for e in json.load(open(sys.argv[2]))["timeline"]]
if col["hidden_events"] != 0:
    sys.exit(f"{col['hidden_events']} events not drawn in a one-connection lesson")
if col["events"] != timeline:
    for got, want in zip(col["events"], timeline):
        if got != want:
            sys.exit(f"drawn {got}, the timeline has {want}")
    sys.exit(f"{len(col['events'])} events drawn, {len(timeline)} in the timeline")
print(f"{len(timeline)} events, each on its side's lifeline in order")
PY
rsvg-convert "$TMP/l.svg" -o "$TMP/l.png" 2> "$TMP/rsvg.err" || fail "rsvg-convert: $(cat "$TMP/rsvg.err")"
[ "$(head -c 8 "$TMP/l.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "rsvg-convert wrote no PNG"
pass "every timeline event on its side's lifeline, in order; the SVG renders"
