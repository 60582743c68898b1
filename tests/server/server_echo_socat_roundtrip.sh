#!/usr/bin/env bash
# server_echo_socat_roundtrip: 1 MiB of random bytes through the echo server with socat comes back
# byte for byte (exercises partial sends, the output buffer and read backpressure).
. "$SOCKLAB_TESTS/lib.sh"
need_cmd socat cmp ss

start_server --proto echo
head -c 1048576 /dev/urandom > "$TMP/in.bin"
timeout 20 socat -t 10 -b 65536 - "TCP:127.0.0.1:$SERVER_PORT" < "$TMP/in.bin" > "$TMP/out.bin" \
    || fail "socat failed or hung (exit $?)"
cmp "$TMP/in.bin" "$TMP/out.bin" || fail "echo differs ($(stat -c %s "$TMP/out.bin") bytes back)"
wait_for "$TMP/server.out" "closed: peer closed \(in 1048576 B, out 1048576 B\)" 5
pass "1 MiB echoed intact"
