#!/usr/bin/env bash
# --ladder -: the diagram in the terminal after the report, one arrow row per captured packet of a
# small lesson (close-abortive has no band), one '*' per timeline event, lines within the width;
# with --json it is refused (stdout is the JSON document).
. "$SOCKLAB_TESTS/lib.sh"
need_root "capturing packets"
export LC_ALL=C.UTF-8

COLUMNS=110 "$SOCKLAB" run close-abortive --quiet --ladder - > "$TMP/out.txt" 2> "$TMP/err" \
    || fail "run failed: $(cat "$TMP/err")"
sed -n '/^  ladder of close-abortive/,$p' "$TMP/out.txt" > "$TMP/ladder.txt"
[ -s "$TMP/ladder.txt" ] || fail "no ladder after the report"
packets=$(sed -n 's/^capture: \([0-9]*\) packets.*/\1/p' "$TMP/out.txt")
arrows=$(grep -cE '\|<-|->\|' "$TMP/ladder.txt")
[ -n "$packets" ] && [ "$arrows" = "$packets" ] || fail "$arrows arrows for $packets captured packets"
events=$(sed -n '/^timeline/,/^$/p' "$TMP/out.txt" | grep -cE '^ +[0-9.]+ ms +(server|client) ')
stars=$(grep -cE '^ +[0-9.]+ .*\*' "$TMP/ladder.txt")
[ "$stars" = "$events" ] || fail "$stars events on lifelines, $events in the timeline"
widest=$(wc -L < "$TMP/ladder.txt")
[ "$widest" -le 110 ] || fail "a ladder line is $widest columns wide"
grep -q '\[RST, ACK\]' "$TMP/ladder.txt" || fail "no RST arrow in close-abortive's ladder"

"$SOCKLAB" run close-abortive --quiet --json --ladder - > /dev/null 2> "$TMP/err2"
rc=$?
[ "$rc" = 2 ] && [ "$(wc -l < "$TMP/err2")" = 1 ] || fail "--ladder - --json: exit $rc, $(cat "$TMP/err2")"
pass "the terminal ladder: $arrows arrows for $packets packets, $stars events, within 110 columns"
