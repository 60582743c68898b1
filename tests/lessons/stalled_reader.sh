#!/usr/bin/env bash
# labels: lesson root
# lesson stalled-reader: every check passes (none left unevaluated on Linux), and independently of
# its report, tcpdump on the lesson's port sees, on each connection: the reader's ACKs with win 0,
# the server's zero-window probes (pure ACKs with no data while the window is shut) with the gap
# between them growing, and the server's FIN right after the last byte the lesson says it wrote,
# acknowledged by the reader - so the byte counts match on the wire too.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq awk

LESSON_ARGS="" ; [ "$(id -u)" = 0 ] && LESSON_ARGS="--capture $TMP/sr.pcapng" # for the display filters below
run_lesson stalled-reader
jq -e . "$TMP/r.json" >/dev/null || fail "stdout is not one JSON document"
jq -r '.checks[] | "  \(if .pass == null then "n/a " elif .pass then "PASS" else "FAIL" end)  \(.id): expect \(.expect), observed \(.observed)"' \
    "$TMP/r.json"
[ "$(jget "$TMP/r.json" .pass)" = true ] || fail "stalled-reader: a check failed (exit $RC): $(cat "$TMP/err")"
[ $RC = 0 ] || fail "checks passed but exit status was $RC"

if [ "$(jget "$TMP/r.json" .platform)" = linux ]; then
    # Linux measures every fact these checks need: none may be skipped as "not measured".
    unevaluated=$(jq -r '[.checks[] | select(.pass == null) | .id] | join(" ")' "$TMP/r.json")
    [ -z "$unevaluated" ] || fail "checks not evaluated on Linux: $unevaluated"
    for id in zero_window_seen send_failed_with_ewouldblock every_byte_in_one_of_three_queues persist_timer_probed \
              nothing_lost capped_slow_client_cut_off capped_memory_stayed_flat memory_grew_with_the_buffer; do
        jq -e --arg id "$id" 'any(.checks[]; .id == $id)' "$TMP/r.json" >/dev/null || fail "no check $id"
    done
fi
note "uncapped: app buffer peak $(f uncapped.app_buffer_peak), RSS +$(f uncapped.server_rss_growth_bytes); capped: RSS +$(f capped.server_rss_growth_bytes), cut $(f capped.slow_client_cut)"

need_wire stalled-reader

# --- the capture, one connection at a time -----------------------------------------------------
wire_check() { # VARIANT
    local v=$1 c written probes n fin_seq last_ack
    c=$(f "$v.client_port")
    written=$(f "$v.bytes_written")
    # the reader's zero window
    n=$(from "$c" "$PORT" < "$TMP/cap.txt" | grep -c ', win 0,')
    [ "$n" -ge 1 ] || fail "wire ($v): no segment with win 0 from the reader's port $c"
    # zero-window probes: the server's pure ACKs (its own data always has a length, and it never
    # receives data that it would acknowledge), before its FIN
    from "$PORT" "$c" < "$TMP/cap.txt" | awk '/Flags \[F/ {exit} /Flags \[\.\], ack 1, .*length 0$/' > "$TMP/probes.$v"
    probes=$(wc -l < "$TMP/probes.$v")
    [ "$probes" -ge 1 ] || fail "wire ($v): no zero-window probe from the server"
    # the FIN's sequence number is one past the last data byte (tcpdump's relative numbers)
    fin_seq=$(from "$PORT" "$c" < "$TMP/cap.txt" | grep -E 'Flags \[F' | head -1 |
              sed -E 's/.*, seq ([0-9]+:)?([0-9]+),.*/\2/')
    [ -n "$fin_seq" ] || fail "wire ($v): no FIN from the server"
    [ "$((fin_seq - 1))" = "$written" ] || fail "wire ($v): the server's FIN follows byte $((fin_seq - 1)), the report says $written written"
    last_ack=$(from "$c" "$PORT" < "$TMP/cap.txt" | grep -oE 'ack [0-9]+' | awk '{print $2}' | sort -n | tail -1)
    [ "$last_ack" = "$((written + 2))" ] || fail "wire ($v): the reader acknowledged up to $last_ack, not all $written bytes and the FIN"
    note "wire ($v): $n ACKs with win 0 from port $c, $probes zero-window probes, FIN after byte $written, all acknowledged"
    PROBES=$probes
}
wire_check capped
wire_check uncapped
# Uncapped: the reader stayed silent long enough for several probes; each rise of TCP_INFO's backoff
# that the lesson saw is one probe on the wire, and the persist timer backs off (gaps grow).
backoff=$(f uncapped.persist_backoff_max)
[ "$PROBES" -ge 2 ] || fail "wire (uncapped): only $PROBES zero-window probe(s)"
[ "$PROBES" = "$backoff" ] || fail "wire (uncapped): $PROBES probes, but the lesson reports backoff $backoff"
ts < "$TMP/probes.uncapped" | awk 'NR > 1 { g = $1 - prev; if (NR > 2 && g < 1.5 * pg) bad = 1; print "  gap " g " s"; pg = g } { prev = $1 } END { exit bad }' \
    || fail "wire (uncapped): the gaps between probes did not grow by half or more each time"
# The lesson's display filters, applied by tshark to its own capture: the probes-only filter its
# text offers matches exactly the probes counted above (all connections), the zero-window-probe one none.
if command -v tshark >/dev/null && [ -s "$TMP/sr.pcapng" ]; then
    total=$(($(wc -l < "$TMP/probes.capped") + $(wc -l < "$TMP/probes.uncapped")))
    ka=$(tshark -r "$TMP/sr.pcapng" -Y "tcp.port == $PORT && tcp.analysis.keep_alive" 2>/dev/null | wc -l)
    zwp=$(tshark -r "$TMP/sr.pcapng" -Y "tcp.analysis.zero_window_probe" 2>/dev/null | wc -l)
    [ "$ka" = "$total" ] || fail "tshark: the probes-only filter matches $ka packets, the capture has $total probes"
    [ "$zwp" = 0 ] || fail "tshark: tcp.analysis.zero_window_probe matched $zwp packets: the lesson's text says it never does"
    note "tshark: the probes-only filter matches the $ka probes; zero_window_probe matches none"
fi
pass "stalled-reader: checks, the capture's zero windows, probes and byte counts agree"
