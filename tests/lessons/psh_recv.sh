#!/usr/bin/env bash
# labels: lesson root
# lesson psh-recv: its checks pass; the recv() sizes add up to the writes; then, independently of the
# report, the capture: the paused writes' segments (told apart by the pauses) add up to each write,
# are as many as TCP_INFO counted, and the last one of each carries PSH; the rcvlowat writes all
# carried PSH although recv() waited for SO_RCVLOWAT bytes; the back-to-back segments match too.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd jq

run_lesson psh-recv
assert_report "$TMP/r.json" psh-recv "$RC"
for c in paused back_to_back rcvlowat; do
    [ "$(f "$c.recv_sizes | add")" = "$(f "$c.write_sizes | add")" ] || fail "$c: recv_sizes do not add up to write_sizes"
    note "$c: writes $(f "$c.write_sizes | tostring"), recv() returned $(f "$c.recv_sizes | tostring")"
done
[ "$(f 'paused.write_sizes | length')" = "$(f paused.writes)" ] || fail "paused: write_sizes and writes disagree"
[ "$(jget "$TMP/r.json" .platform)" = linux ] || skip "the wire checks below are Linux's"
need_wire psh-recv

# Data segments from the server to client port C: "time flags length", one per line.
data_to() {
    grep -E "\.$PORT > [0-9.]+\.$1: Flags" "$TMP/cap.txt" |
        awk '{ match($0, /Flags \[[^]]*\]/); fl = substr($0, RSTART + 7, RLENGTH - 8)
               n = $0; sub(/.*length /, "", n); sub(/[^0-9].*/, "", n)
               if (n + 0 > 0) print $1, fl, n }'
}
# Groups of segments separated by more than 40 ms (half the lesson's pause): one line per group,
# "bytes segments last_flags psh_inside" (PSH on a segment other than the group's last).
groups() {
    awk 'function out() { if (segs) print bytes, segs, last, inner + 0 }
         { if (segs && $1 - t > 0.04) { out(); bytes = segs = inner = 0 }
           if (segs && last ~ /P/) inner++
           bytes += $3; segs++; last = $2; t = $1 }
         END { out() }'
}

cport=$(f paused.client_port)
data_to "$cport" | groups > "$TMP/paused.groups"
ngroups=$(wc -l < "$TMP/paused.groups")
[ "$ngroups" = "$(f paused.writes)" ] || fail "wire: $ngroups groups of segments for $(f paused.writes) paused writes"
i=0
while read -r bytes segs last inner; do
    want=$(f "paused.write_sizes[$i]")
    [ "$bytes" = "$want" ] || fail "wire: paused write $i: $bytes bytes on the wire, $want written"
    [ "$segs" = "$(f "paused.segments_per_write[$i]")" ] ||
        fail "wire: paused write $i: $segs segments, TCP_INFO counted $(f "paused.segments_per_write[$i]")"
    case $last in *P*) ;; *) fail "wire: the last segment of paused write $i ($bytes bytes) has no PSH ($last)";; esac
    note "wire: write $i: $bytes bytes in $segs segment(s), last [$last]$([ "$inner" -gt 0 ] && echo ", PSH also on $inner earlier segment(s)")"
    i=$((i + 1))
done < "$TMP/paused.groups"

cport=$(f rcvlowat.client_port)
data_to "$cport" > "$TMP/lowat.segs"
pushed=$(awk '$2 ~ /P/' "$TMP/lowat.segs" | wc -l)
[ "$(wc -l < "$TMP/lowat.segs")" = "$(f rcvlowat.writes)" ] && [ "$pushed" = "$(f rcvlowat.writes)" ] ||
    fail "wire: rcvlowat: expected $(f rcvlowat.writes) segments, all with PSH ($(wc -l < "$TMP/lowat.segs"), $pushed pushed)"
first=$(f 'rcvlowat.recv_sizes[0]')
per=$(f 'rcvlowat.write_sizes[0]')
[ "$first" -gt "$per" ] || fail "rcvlowat: the first recv() returned $first bytes: it did not wait for more than one pushed segment"
note "wire: rcvlowat: $pushed pushed segments; the first recv() still waited for $((first / per)) of them"

cport=$(f back_to_back.client_port)
data_to "$cport" > "$TMP/b2b.segs"
[ "$(wc -l < "$TMP/b2b.segs")" = "$(f back_to_back.segments)" ] ||
    fail "wire: back_to_back: $(wc -l < "$TMP/b2b.segs") data segments, TCP_INFO counted $(f back_to_back.segments)"
[ "$(awk '{ s += $3 } END { print s }' "$TMP/b2b.segs")" = "$(f back_to_back.bytes_sent)" ] || fail "wire: back_to_back bytes differ"
pass "psh-recv: checks and the capture agree (PSH ends every paused write; $pushed pushed segments did not wake a SO_RCVLOWAT reader)"
