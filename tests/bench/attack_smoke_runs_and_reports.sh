#!/usr/bin/env bash
# attack_smoke_runs_and_reports: the load-under-attack check's short variant (bench/attack.sh with
# 20 bots, 2 s of play, the baseline and the CHAT flood only) runs, every bound it checks holds, and
# it prints its table with the limit that stopped the flood. No timing thresholds: the figures are
# ./lab attack's. Its own lock file: a smoke run does not wait for other loads.
. "$SOCKLAB_TESTS/lib.sh"
ATTACK=${1:?usage: attack_smoke_runs_and_reports.sh ATTACK_SH}
need_cmd jq

SOCKLAB_LOAD_LOCK=$TMP/lock bash "$ATTACK" "$BIN" --bots 20 --seconds 2 --only none,chatflood >"$TMP/out.txt" 2>&1
rc=$?
cat "$TMP/out.txt"
[ "$rc" = 0 ] || fail "attack.sh exited with $rc"
grep -qE "^none +[0-9.]+ / [0-9.]+ +[0-9]+ / [0-9]+ " "$TMP/out.txt" || fail "no baseline row"
grep -qE "^chatflood .*over a rate [1-9][0-9]* dropped and [1-9][0-9]* closed" "$TMP/out.txt" ||
    fail "the CHAT flood row does not show the rate limit acting"
grep -q "^every bound held$" "$TMP/out.txt" || fail "no verdict"
pass "baseline and CHAT flood reported, every bound held"
