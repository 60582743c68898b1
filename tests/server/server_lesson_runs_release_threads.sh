#!/usr/bin/env bash
# server_lesson_runs_release_threads: a finished lesson run's thread is joined, so its stack is
# freed or reused: 12 runs one after another leave the server's address space (VSZ) about where
# the first few left it (a run's server side may still finish while the next one starts: two
# stacks), not 8 MiB larger per run; and the server with its one thread. One malloc arena
# (MALLOC_ARENA_MAX=1), so that a 64 MiB arena glibc may add for a second thread is not counted.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd ss
[ -r /proc/self/status ] || skip "needs /proc"

export MALLOC_ARENA_MAX=1
start_server --lesson close-graceful --quiet
unset MALLOC_ARENA_MAX
st() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SERVER_PID/status"; }
run() { timeout 20 "$BOT" --lesson close-graceful --port "$SERVER_PORT" --quiet >"$TMP/bot.out" 2>&1 || { cat "$TMP/bot.out"; fail "run $1 failed"; }; }
for i in 1 2 3; do run "w$i"; done
sleep 0.2
v0=$(st VmSize)
for i in $(seq 1 12); do run "$i"; done
i=0
while [ "$(st Threads)" != 1 ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
[ "$(st Threads)" = 1 ] || fail "$(st Threads) threads after the runs finished"
v1=$(st VmSize)
grow=$(( (v1 - v0) / 1024 ))
note "VSZ $v0 KiB after 3 runs, $v1 KiB after 12 more: $grow MiB"
[ "$grow" -lt 20 ] || fail "VSZ grew $grow MiB over 12 finished runs: their threads were not released"
pass "12 runs: VSZ grew $grow MiB, one thread left"
