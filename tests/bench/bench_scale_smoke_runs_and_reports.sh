#!/usr/bin/env bash
# bench_scale_smoke_runs_and_reports: the scale benchmark's short variant (bench/scale.sh with 100
# bots, 2 s of play, one round: socklab-server and the reference game server) runs, every bot of
# both runs connects and ends 'done', and every figure it reports is a number. No timing
# thresholds: the comparison itself is ./lab bench-scale.
. "$SOCKLAB_TESTS/lib.sh"
SCALE=${1:?usage: bench_scale_smoke_runs_and_reports.sh SCALE_SH}
need_cmd jq

bash "$SCALE" "$BIN" --count 100 --duration 2 --rounds 1 --raw "$TMP/raw.txt" >"$TMP/out.txt" 2>&1
rc=$?
cat "$TMP/out.txt"
[ "$rc" = 0 ] || fail "scale.sh exited with $rc"
val() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
for kind in ref socklab; do
    line=$(grep -E "^server=$kind round=1 " "$TMP/raw.txt" | head -1)
    [ -n "$line" ] || fail "no line for $kind"
    [ "$(val "$line" connected)" = 100 ] && [ "$(val "$line" done)" = 100 ] || fail "$kind: not all 100 bots connected and ended done: $line"
    for k in tick_hz cpu_us_per_state latency_p50_ms latency_p99_ms rtt_p50_ms mb_per_s; do
        awk -v v="$(val "$line" $k)" 'BEGIN {exit !(v != "" && v + 0 > 0)}' || fail "$kind: $k is not a number above 0: $line"
    done
done
grep -q "^ticks per second" "$TMP/out.txt" || fail "no table printed"
pass "both servers played 100 bots to the end and every figure was reported"
