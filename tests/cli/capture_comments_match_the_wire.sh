#!/usr/bin/env bash
# socklab run LESSON --capture FILE: tshark reads the pcapng; its packets are the ones an
# independent tcpdump of the same port saw (the same count, the same flags in the same order); every
# timeline event of the report is a packet comment, on a packet at or after the event's time (those
# after the last packet say so, on the last one); the section names the lesson and its start time,
# which --json gives too. compare writes every lesson into one file, an interface each.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd tshark jq capinfos
need_root "capturing needs root or CAP_NET_RAW"
PORT=$(free_port)
capture_start "$PORT"
"$SOCKLAB" run close-abortive --port "$PORT" --json --quiet --capture "$TMP/c.pcapng" > "$TMP/r.json" 2> "$TMP/err"
rc=$?
capture_stop
assert_report "$TMP/r.json" close-abortive "$rc"
[ "$(jget "$TMP/r.json" .capture.file)" = "$TMP/c.pcapng" ] || fail "the report does not name the capture file"
[ "$(jget "$TMP/r.json" .capture.dropped)" = 0 ] || fail "the capture dropped packets"
ours=$(tshark -r "$TMP/c.pcapng" -T fields -e tcp.flags.str 2>/dev/null)
theirs=$(awk '{ match($0, /Flags \[[^]]*\]/); print substr($0, RSTART + 7, RLENGTH - 8) }' "$TMP/cap.txt")
[ "$(echo "$ours" | wc -l)" = "$(wc -l < "$TMP/cap.txt")" ] ||
    fail "the pcapng holds $(echo "$ours" | wc -l) packets, tcpdump saw $(wc -l < "$TMP/cap.txt")"
[ "$(jget "$TMP/r.json" .capture.packets)" = "$(wc -l < "$TMP/cap.txt")" ] || fail "the report counts other packets"
# tcpdump's flags ("S", "S.", ".", "P.", "R.") against tshark's: the same SYN/ACK/PSH/RST/FIN sequence
norm_t() { sed 's/·//g' | sed -e 's/A/./' | awk '{ s = ""; if ($0 ~ /S/) s = s "S"; if ($0 ~ /F/) s = s "F"; if ($0 ~ /R/) s = s "R"; if ($0 ~ /P/) s = s "P"; if ($0 ~ /\./) s = s "."; print s }'; }
norm_d() { awk '{ s = ""; if ($0 ~ /S/) s = s "S"; if ($0 ~ /F/) s = s "F"; if ($0 ~ /R/) s = s "R"; if ($0 ~ /P/) s = s "P"; if ($0 ~ /\./) s = s "."; print s }'; }
[ "$(echo "$ours" | norm_t)" = "$(echo "$theirs" | norm_d)" ] || fail "the packets' flags differ from tcpdump's: $(echo $ours) / $(echo $theirs)"
note "pcapng: $(echo "$ours" | wc -l) packets, the same as tcpdump's, flag for flag"

# comments: every event of the timeline, each on a packet at or after its time
start=$(jget "$TMP/r.json" .start_unix_s)
tshark -r "$TMP/c.pcapng" -T fields -E separator='|' -e frame.time_epoch -e frame.comment 2>/dev/null |
    awk -F'|' '$2 != "" { n = split($2, c, ","); for (i = 1; i <= n; i++) print $1 "|" c[i] }' > "$TMP/comments"
events=$(jget "$TMP/r.json" '.timeline | length')
[ "$events" -ge 5 ] || fail "the timeline has only $events events"
# (an event's own text may hold commas: count the comments by their "side +t ms" heads)
heads=$(grep -cE '\|(server|client) [+-][0-9.]+ ms' "$TMP/comments")
[ "$heads" = "$events" ] || fail "$heads comments for $events timeline events"
awk -F'|' -v s="$start" 'match($2, /[+-][0-9.]+ ms/) { t = substr($2, RSTART, RLENGTH - 3) / 1000 + s
     after = index($2, "(after the last packet)")
     if (!after && $1 + 0.0005 < t) { printf "comment at %.6f for an event at %.6f: %s\n", $1, t, $2; bad = 1 } }
     END { exit bad }' "$TMP/comments" || fail "a comment sits on a packet before its event"
note "comments: all $events timeline events, each at or after its own time"
capinfos "$TMP/c.pcapng" | grep -q "Capture comment:.*socklab close-abortive.*started: $(jget "$TMP/r.json" .start_time)" ||
    fail "the section comment lacks the lesson or its start time"

"$SOCKLAB" compare close-graceful close-abortive --quiet --capture "$TMP/two.pcapng" > "$TMP/t.txt" 2>&1 || fail "compare failed"
[ "$(capinfos "$TMP/two.pcapng" | sed -nE 's/^Number of interfaces in file: ([0-9]+)/\1/p')" = 2 ] || fail "compare: not two interfaces"
grep -q "capture: every lesson's packets in" "$TMP/t.txt" || fail "compare does not say where the capture went"
pass "the capture equals tcpdump's, carries every event as a comment at or after its time, and compare writes one file"
