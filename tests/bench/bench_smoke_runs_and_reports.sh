#!/usr/bin/env bash
# bench_smoke_runs_and_reports: the benchmark's short variant (bench.sh --smoke: every case for
# 0.3 s against socklab-server and the reference server, 200 held connections) runs, and every
# measurement it reports is a number above zero. No timing thresholds: the comparison itself is
# ./lab bench (CTest label bench).
. "$SOCKLAB_TESTS/lib.sh"
BENCH=${1:?usage: bench_smoke_runs_and_reports.sh BENCH_SH}

bash "$BENCH" "$BIN" --smoke --raw "$TMP/raw.txt" --tsv "$TMP/medians.tsv" >"$TMP/out.txt" 2>&1
rc=$?
cat "$TMP/out.txt"
[ "$rc" = 0 ] || fail "bench.sh --smoke exited with $rc"

# raw lines: server=KIND case=NAME round=1 mode=... key=value ...
val() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
positive() { awk -v v="$1" 'BEGIN {exit !(v != "" && v+0 > 0)}'; }
for kind in ref socklab; do
    for case in pingpong stream churn churn_rst churn_srv hold; do
        line=$(grep -E "^server=$kind case=$case " "$TMP/raw.txt" | head -1)
        [ -n "$line" ] || fail "$case against $kind: no line reported"
        [ "$(val "$line" errors)" = 0 ] || fail "$case against $kind: errors: $line"
        if [ "$case" = hold ]; then
            for k in rss_before rss_held; do
                positive "$(val "$line" $k)" || fail "$case against $kind: $k not > 0: $line"
            done
            if [ "$kind" = socklab ]; then
                positive "$(val "$line" bytes_per_conn)" || fail "socklab-server's RSS did not grow with 200 connections: $line"
            fi
        else
            for k in ops rate server_cpu_us_per_op; do
                positive "$(val "$line" $k)" || fail "$case against $kind: $k not > 0: $line"
            done
        fi
        if [ "$case" = pingpong ]; then
            for k in p50_us p99_us; do
                positive "$(val "$line" $k)" || fail "pingpong against $kind: $k not > 0: $line"
            done
        fi
    done
done
# The table has a row per metric with both medians.
[ "$(wc -l <"$TMP/medians.tsv")" -ge 13 ] || fail "the table has fewer than 13 metrics"
grep -q "pingpong msgs/s" "$TMP/out.txt" || fail "no table printed"
pass "every load mode ran against both servers and reported its numbers"
