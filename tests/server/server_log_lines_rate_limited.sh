#!/usr/bin/env bash
# server_log_lines_rate_limited: 2000 connections opened and closed one after another, with the
# per-connection log on: the log holds a burst of their lines, then a few a second, and one line a
# second saying how many were left out - not two lines per connection.
. "$SOCKLAB_TESTS/lib.sh"
. "$SOCKLAB_TESTS/server/probe.sh"

start_server --proto echo
probe churn churn 2000
wait_for "$TMP/server.out" "per-connection lines left out in the last" 3
lines=$(grep -cE "^socklab-server: conn [0-9]+:" "$TMP/server.out")
note "$lines per-connection lines for 2000 connections; $(grep -m1 'left out' "$TMP/server.out")"
[ "$lines" -le 400 ] || fail "$lines per-connection lines: not rate-limited"
pass "$lines per-connection lines, and the summary of the rest"
