#!/usr/bin/env bash
# The impairment lab changes only its own network namespace: while keepalive runs, its nftables
# table exists inside the run's namespace and not on the host; after a normal end, and after Ctrl-C
# in the middle of the run (when its drop rule is in place), the host's ruleset, namespaces and TCP
# settings are exactly as before, and the process is gone.
. "$SOCKLAB_TESTS/lib.sh"
need_root "comparing the host's nftables ruleset and entering the lab's namespace"
need_cmd nft ip nsenter python3
host_state() {
    nft list ruleset 2>&1
    ip netns list 2>&1 | grep -v '^sltest' # (lesson_segmentation's own hosts may come and go meanwhile)
    sysctl -n net.ipv4.tcp_syn_linear_timeouts net.ipv4.ip_local_port_range net.ipv4.tcp_fin_timeout 2>&1
}
host_state > "$TMP/before"

"$SOCKLAB" run keepalive --quiet > "$TMP/r1.txt" 2>&1 || fail "keepalive failed: $(tail -5 "$TMP/r1.txt")"
host_state > "$TMP/after1"
cmp -s "$TMP/before" "$TMP/after1" || fail "the host changed after a run: $(diff "$TMP/before" "$TMP/after1")"

# A background job of a script starts with SIGINT ignored: give it back the default, as a terminal's
# Ctrl-C would find it.
python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$SOCKLAB" run keepalive --quiet > "$TMP/r2.txt" 2>&1 &
pid=$!
i=0; seen=0
while [ $i -lt 120 ] && kill -0 "$pid" 2>/dev/null; do   # up to 12 s for the drop rule to appear
    if nsenter -t "$pid" -n nft list ruleset 2>/dev/null | grep -q socklab_keepalive; then seen=1; break; fi
    sleep 0.1; i=$((i + 1))
done
[ $seen = 1 ] || fail "never saw the lesson's table inside its namespace"
nft list ruleset | grep -q socklab && fail "the lesson's table is on the host"
kill -INT "$pid"
i=0; while [ $i -lt 50 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill -0 "$pid" 2>/dev/null && fail "socklab did not end within 5 s of Ctrl-C"
wait "$pid" 2>/dev/null
host_state > "$TMP/after2"
cmp -s "$TMP/before" "$TMP/after2" || fail "the host changed after Ctrl-C: $(diff "$TMP/before" "$TMP/after2")"
pass "the lab's rule lived only in the run's namespace; the host is unchanged after a run and after Ctrl-C"
