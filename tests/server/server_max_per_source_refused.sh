#!/usr/bin/env bash
# server_max_per_source_refused: a source address holding --max-per-source connections gets an
# ERROR naming the address and the cap for one more, and a graceful close; another address is
# still served. (127.0.0.2 stands for another machine.)
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

start_server --proto game --max-per-source 2
bg hold "$PROBE" silent "$SERVER_PORT" 2 4000 127.0.0.2
wait_for "$TMP/hold.out" "2 silent connections open" 5
probe third player 127.0.0.2
cat "$TMP/third.out"
expect_line "$TMP/third.out" "^ERROR: 127.0.0.2 already has 2 connections \(--max-per-source\)$" "no ERROR for a third connection"
expect_line "$TMP/third.out" "^then: EOF" "the refusal was not a graceful close"
probe other player 127.0.0.1
expect_line "$TMP/other.out" "^WELCOME after" "another address was refused too"
pass "a third connection from 127.0.0.2 refused; 127.0.0.1 served"
