#!/usr/bin/env bash
# --ladder FILE.svg with compare: a column per lesson, and in each the packets drawn as arrows, the
# packets a band stands for and the packets counted as not drawn add up to the lesson's capture -
# which tshark counts again in the pcapng of the same run. close-graceful has a band (its burst),
# close-wait-leak eight connections (past the four drawn).
. "$SOCKLAB_TESTS/lib.sh"
need_root "capturing packets"
need_cmd python3 tshark jq

"$SOCKLAB" compare close-graceful close-wait-leak --quiet --json --capture "$TMP/two.pcapng" \
    --ladder "$TMP/two.svg" > "$TMP/r.json" 2> "$TMP/err" || fail "compare failed: $(cat "$TMP/err")"
[ -s "$TMP/two.svg" ] || fail "no ladder written"
PYTHONPATH="$SOCKLAB_TESTS/cli" python3 - "$TMP/two.svg" "$TMP/r.json" <<'PY' || fail "the ladder's counts do not add up (above)"
import json, sys
from ladder_lib import columns
cols = columns(open(sys.argv[1]).read())
reports = json.load(open(sys.argv[2]))
if [c["name"] for c in cols] != [r["lesson"] for r in reports]:
    sys.exit(f"columns {[c['name'] for c in cols]} for lessons {[r['lesson'] for r in reports]}")
for c, r in zip(cols, reports):
    drawn = c["arrows"] + sum(c["bands"]) + c["hidden_packets"]
    print(f"{c['name']}: {c['arrows']} arrows + {sum(c['bands'])} in {len(c['bands'])} bands + "
          f"{c['hidden_packets']} not drawn = {drawn}; captured {r['capture']['packets']}")
    if drawn != r["capture"]["packets"] or r["capture"]["packets"] == 0:
        sys.exit(f"{c['name']}: {drawn} packets in the ladder, {r['capture']['packets']} captured")
by = {c["name"]: c for c in cols}
if not by["close-graceful"]["bands"]:
    sys.exit("close-graceful's burst is not a band")
if by["close-wait-leak"]["hidden_packets"] == 0:
    sys.exit("close-wait-leak's connections past the fourth were drawn or lost, not counted")
PY
in_file=$(tshark -r "$TMP/two.pcapng" 2>/dev/null | wc -l)
captured=$(jq '[.[].capture.packets] | add' "$TMP/r.json")
[ "$in_file" = "$captured" ] || fail "tshark reads $in_file packets in the pcapng, the reports say $captured"
pass "every captured packet is an arrow, in a band or counted as not drawn ($captured packets, tshark agrees)"
