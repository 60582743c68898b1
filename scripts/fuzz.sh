#!/usr/bin/env bash
# fuzz.sh BUILD_DIR [SECONDS] - runs each libFuzzer target of tests/fuzz (built by the fuzz preset:
# clang, ASan + UBSan) for SECONDS (default 60), one after the other. ./lab fuzz builds and calls it.
#
# Each target reads its seed corpus (tests/fuzz/corpus/TARGET, never written to) and a working
# corpus in BUILD_DIR/fuzz-work/TARGET that keeps what it learns from run to run. A crash, a leak,
# a sanitizer report or an input slower than 10 s ends that target: the reproducer is saved as
# BUILD_DIR/fuzz-crashes/TARGET-*, named in the output with how to replay it and printed in base64
# (a CI log keeps it), and the exit status is 1. To keep a reproducer as a regression test, copy it
# into tests/fuzz/corpus/TARGET/: ./lab test replays every file there (fuzz_corpus_TARGET).
set -uo pipefail
die() { echo "fuzz: $*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: scripts/fuzz.sh BUILD_DIR [SECONDS]"
case ${1:-} in -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
build=$1 secs=${2:-60}
[[ $secs =~ ^[1-9][0-9]*$ ]] || die "SECONDS: a whole number above 0"
root=$(cd "$(dirname "$0")/.." && pwd)
failed=0
for t in frames game; do
    bin=$build/tests/fuzz/fuzz_$t
    [ -x "$bin" ] || die "$bin is missing (./lab fuzz builds it)"
    work=$build/fuzz-work/$t crashes=$build/fuzz-crashes
    mkdir -p "$work" "$crashes"
    find "$crashes" -name "$t-*" | sort >"$build/fuzz-$t.before"
    echo "fuzz: $t for $secs s (seeds: tests/fuzz/corpus/$t, $(find "$work" -type f | wc -l) learned inputs)"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$crashes/$t-" "$work" "$root/tests/fuzz/corpus/$t" >"$build/fuzz-$t.log" 2>&1
    rc=$?
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$build/fuzz-$t.log" | sed 's/^/  /'
    new=$(find "$crashes" -name "$t-*" | sort | comm -13 "$build/fuzz-$t.before" -)
    if [ $rc != 0 ] || [ -n "$new" ]; then
        failed=1
        grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$build/fuzz-$t.log" | head -20
        for f in $new; do
            echo "fuzz: $t: reproducer $f ($(wc -c <"$f") bytes); replay: $build/tests/fuzz/fuzz_$t $f"
            [ "$(wc -c <"$f")" -le 4096 ] && echo "  base64: $(base64 -w0 "$f")"
        done
        echo "fuzz: $t FAILED (exit $rc; log $build/fuzz-$t.log)"
    else
        echo "fuzz: $t: no crash in $secs s"
    fi
done
exit $failed
