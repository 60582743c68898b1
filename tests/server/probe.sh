# probe.sh - sourced by the server tests after lib.sh: runs server_probe (the scripts' first
# argument) against the server under test.
PROBE=${1:?the path of server_probe is the first argument}

# probe NAME COMMAND ARGS...: server_probe COMMAND $SERVER_PORT ARGS..., output in $TMP/NAME.out,
# bounded by 30 s; a failure shows the probe's output and fails the test.
probe() {
    local name=$1 cmd=$2; shift 2
    if ! timeout 30 "$PROBE" "$cmd" "$SERVER_PORT" "$@" > "$TMP/$name.out" 2>&1; then
        cat "$TMP/$name.out" >&2
        fail "server_probe $cmd failed"
    fi
}

# closed_within FILE LO_MS HI_MS WHAT: server_probe's output in FILE says the server closed the
# connection gracefully ("then: EOF after N ms") with N from LO_MS to HI_MS; sets CLOSED_MS.
closed_within() {
    CLOSED_MS=$(sed -nE 's/^then: EOF after ([0-9]+) ms.*/\1/p' "$1")
    [ -n "$CLOSED_MS" ] || fail "$4: the server did not close the connection gracefully"
    [ "$CLOSED_MS" -ge "$2" ] && [ "$CLOSED_MS" -le "$3" ] || fail "$4: closed after $CLOSED_MS ms, not $2 to $3 ms"
}

# expect_line FILE REGEX WHAT: FILE has a line matching REGEX, else show FILE and fail.
expect_line() {
    grep -qE "$2" "$1" && return 0
    cat "$1" >&2
    fail "$3"
}
