#!/usr/bin/env bash
# --csv FILE: one row per sample in long form (lesson,connection,side,metric,unit,t_ms,value),
# a header first, every connection and metric the lesson sampled, stdout left to the report.
. "$SOCKLAB_TESTS/lib.sh"
"$SOCKLAB" run buffer-sizes --quiet --json --csv "$TMP/s.csv" > "$TMP/r.json" || fail "run failed"
jq -e .lesson "$TMP/r.json" >/dev/null || fail "--csv disturbed the JSON on stdout"
[ "$(head -1 "$TMP/s.csv")" = "lesson,connection,side,metric,unit,t_ms,value" ] || fail "header: $(head -1 "$TMP/s.csv")"
rows=$(($(wc -l < "$TMP/s.csv") - 1))
[ "$rows" -gt 0 ] || fail "no rows"
awk -F, 'NR > 1 && (NF != 7 || $1 != "buffer-sizes" || $6 !~ /^[0-9.]+$/ || $7 !~ /^-?[0-9.e+]+$/) {print "bad row " NR ": " $0; bad = 1} END {exit bad}' \
    "$TMP/s.csv" || fail "malformed rows"
for c in small default large above_max; do
    grep -q "^buffer-sizes,$c,client,rcvbuf,bytes," "$TMP/s.csv" || fail "no rcvbuf samples for connection $c"
done
for m in sndbuf rcvbuf inq rcv_space snd_cwnd received; do
    grep -q ",client,$m," "$TMP/s.csv" || fail "metric $m missing"
done
pass "--csv wrote $rows samples"
