#!/usr/bin/env bash
# labels: lesson root
# lesson nagle: its checks pass; then, independently of the report, the capture: during the burst
# (the client's data before the server's first reply) each connection sent as many data segments as
# TCP_INFO counted, carrying every frame byte, and the nagle connection fewer than the nodelay one;
# in the write-write-read part, Nagle held most payloads until the server had ACKed their header,
# while with TCP_NODELAY the payload followed the header before any ACK.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq

run_lesson nagle
assert_report "$TMP/r.json" nagle "$RC"
for c in nagle nodelay; do
    note "$c: $(f "$c.segments") segments for $(f "$c.frames") frames; write-write-read p50 $(f "$c.rtt_p50_us") us, p99 $(f "$c.rtt_p99_us") us"
done
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the wire checks below are Linux's"
need_wire nagle

# This connection's lines as "time from length seq_end ack": from = c (client) or s (server).
lines() {
    grep -E "\.($1 > [0-9.]+\.$PORT|$PORT > [0-9.]+\.$1): Flags" "$TMP/cap.txt" |
        awk -v c="$1" '{ from = ($3 ~ "\\." c "$") ? "c" : "s"
                         n = $0; sub(/.*length /, "", n); sub(/[^0-9].*/, "", n)
                         e = "-"; if (match($0, /seq [0-9]+:[0-9]+/)) { e = substr($0, RSTART + 4, RLENGTH - 4); sub(/.*:/, "", e) }
                         a = "-"; if (match($0, /ack [0-9]+/)) a = substr($0, RSTART + 4, RLENGTH - 4)
                         print $1, from, n + 0, e, a }'
}

declare -A burst
for c in nagle nodelay; do
    cport=$(f "$c.client_port")
    lines "$cport" > "$TMP/$c.lines"
    # the burst: client data segments before the server's first data segment (the STATE frame)
    read -r segs bytes < <(awk '$2 == "s" && $3 > 0 { exit } $2 == "c" && $3 > 0 { n++; b += $3 } END { print n + 0, b + 0 }' "$TMP/$c.lines")
    [ "$segs" = "$(f "$c.segments")" ] || fail "wire: $c burst: $segs data segments, TCP_INFO counted $(f "$c.segments")"
    [ "$bytes" = $(( $(f "$c.frames") * $(f "$c.frame_bytes") )) ] || fail "wire: $c burst: $bytes bytes, not every frame"
    burst[$c]=$segs
    # write-write-read: for each 3-byte header, did a server ACK of it come before the 8-byte payload?
    awk '$2 == "c" && $3 == 3 { hdr = $4; t = $1; waiting = 1; acked = 0; next }
         waiting && $2 == "s" && $5 == hdr { acked = 1; next }
         waiting && $2 == "c" && $3 == 8 { printf "%d %.0f\n", acked, ($1 - t) * 1e6; waiting = 0 }' \
        "$TMP/$c.lines" > "$TMP/$c.pairs"
    pairs=$(wc -l < "$TMP/$c.pairs")
    acked=$(awk '{ a += $1 } END { print a + 0 }' "$TMP/$c.pairs")
    gap=$(awk '{ print $2 }' "$TMP/$c.pairs" | sort -n | awk '{ g[NR] = $1 } END { print NR ? g[int((NR + 1) / 2)] : -1 }')
    [ "$pairs" = "$(f "$c.requests")" ] || fail "wire: $c: $pairs header/payload pairs for $(f "$c.requests") requests"
    eval "${c}_acked=$acked"
    note "wire: $c: burst $segs segments / $bytes bytes; $acked of $pairs payloads waited for the header's ACK (median header-to-payload gap $gap us)"
done
[ "${burst[nagle]}" -lt "${burst[nodelay]}" ] || fail "wire: Nagle sent ${burst[nagle]} segments, TCP_NODELAY ${burst[nodelay]}"
# The whole connection, as Statistics > Conversations shows it: fewer client data packets with
# Nagle, while the totals (both directions, ACKs included) differ by less - the lesson's claim.
declare -A cdata total
for c in nagle nodelay; do
    cdata[$c]=$(awk '$2 == "c" && $3 > 0' "$TMP/$c.lines" | wc -l)
    total[$c]=$(wc -l < "$TMP/$c.lines")
done
dc=$((cdata[nodelay] - cdata[nagle])); dt=$((total[nodelay] - total[nagle])); dt=${dt#-}
[ "$dc" -gt 0 ] || fail "wire: the nagle client sent ${cdata[nagle]} data packets, nodelay ${cdata[nodelay]}"
[ "$dt" -lt "$dc" ] || fail "wire: the totals differ by $dt, more than the client data packets ($dc)"
note "wire: client data packets ${cdata[nagle]} vs ${cdata[nodelay]}; all packets ${total[nagle]} vs ${total[nodelay]}"
[ $((nagle_acked * 2)) -gt "$(f nagle.requests)" ] || fail "wire: Nagle held only $nagle_acked payloads for the header's ACK"
[ $((nodelay_acked * 2)) -lt "$(f nodelay.requests)" ] || fail "wire: with TCP_NODELAY $nodelay_acked payloads still waited for an ACK"
pass "nagle: checks and the capture agree (burst ${burst[nagle]} vs ${burst[nodelay]} segments; Nagle held $nagle_acked payloads for an ACK, TCP_NODELAY $nodelay_acked)"
