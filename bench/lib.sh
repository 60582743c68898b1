# bench/lib.sh - what bench.sh and scale.sh both need to set up a load run; sourced, not run.

# help_if_asked ARGS...: with --help among them, prints the calling script's opening comment (its
# documentation, kept in one place) and exits 0.
help_if_asked() {
    local a
    for a in "$@"; do
        if [ "$a" = --help ]; then
            sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
            exit 0
        fi
    done
}

# pin_cpus SERVER_WORDS LOAD_WORDS: the server(s) on CPU 0, the load on CPU 1, when there are two
# CPUs and taskset. Sets PIN_SRV and PIN_LOAD (command prefixes) and PINNING (for the report).
pin_cpus() {
    if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
        PIN_SRV=(taskset -c 0) PIN_LOAD=(taskset -c 1) PINNING="$1 on CPU 0, $2 on CPU 1"
    else
        PIN_SRV=() PIN_LOAD=() PINNING="not pinned (needs 2 CPUs and taskset)"
    fi
}

# fresh_netns_possible: a server can be started in a network namespace of its own (unshare -n) and
# the load run inside it (nsenter): root, the three tools, and a namespace that can bring lo up.
# SOCKLAB_BENCH_NETNS=0 says no.
fresh_netns_possible() {
    [ "${SOCKLAB_BENCH_NETNS:-1}" = 1 ] && [ "$(id -u)" = 0 ] &&
        command -v unshare >/dev/null && command -v nsenter >/dev/null && command -v ip >/dev/null &&
        unshare -n -- ip link set lo up 2>/dev/null
}
