#!/usr/bin/env bash
# wireshark/socklab.lua under tshark, on a capture of a real game session (3 bots against
# socklab-server): the frames it decodes per type equal the bot's own counters (HELLO and BYE one per
# bot, MOVE and PING as sent, PONG one per round trip measured, STATE as received, WELCOME one per
# bot), and the bytes of the decoded frames each way equal the bot's byte counts - so no frame was
# missed or invented, whatever the segmentation.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd tshark jq
LUA="$SOCKLAB_TESTS/../wireshark/socklab.lua"
start_server --proto game --quiet
capture_to_file() { # starts tcpdump writing $TMP/g.pcap
    need_root "tcpdump on lo needs CAP_NET_RAW"
    bg tcpdump tcpdump -i lo --immediate-mode -s 256 -B 16384 -U -w "$TMP/g.pcap" "tcp port $SERVER_PORT"
    CAP_PID=$BG_PID
    wait_for "$TMP/tcpdump.out" "listening on" 10
}
capture_to_file
"$BOT" --port "$SERVER_PORT" --count 3 --duration 2 --json > "$TMP/bot.json" 2> "$TMP/bot.err" || fail "the bots failed: $(cat "$TMP/bot.err")"
sleep 0.3; kill "$CAP_PID"; wait "$CAP_PID" 2>/dev/null
grep -q '^0 packets dropped by kernel' "$TMP/tcpdump.out" || fail "tcpdump dropped packets: $(cat "$TMP/tcpdump.out")"

tshark -X lua_script:"$LUA" -r "$TMP/g.pcap" -d "tcp.port==$SERVER_PORT,socklab" -Y socklab \
       -T fields -e tcp.srcport -e socklab.type -e socklab.len 2>/dev/null > "$TMP/frames"
# one line per frame: "from type len" (a segment with several frames lists them comma-separated)
awk -v sp="$SERVER_PORT" '{ n = split($2, t, ","); split($3, l, ","); for (i = 1; i <= n; i++) print ($1 == sp ? "s" : "c"), t[i], l[i] }' \
    "$TMP/frames" > "$TMP/each"
count() { awk -v d="$1" -v t="$2" '$1 == d && $2 == t' "$TMP/each" | wc -l; }
b() { jget "$TMP/bot.json" "$1"; }
bots=$(b .bots)
check_eq() { [ "$2" = "$3" ] || fail "$1: the dissector decoded $2, the bot counted $3"; note "$1: $2"; }
check_eq HELLO "$(count c 1)" "$bots"
check_eq WELCOME "$(count s 2)" "$bots"
check_eq MOVE "$(count c 3)" "$(b .moves_sent)"
check_eq PING "$(count c 5)" "$(b .pings_sent)"
check_eq PONG "$(count s 6)" "$(b .rtt_us.samples)"
check_eq STATE "$(count s 7)" "$(b .states_received)"
check_eq BYE "$(count c 8)" "$bots"
sent=$(awk '$1 == "c" { s += $3 + 2 } END { print s + 0 }' "$TMP/each")
recv=$(awk '$1 == "s" { s += $3 + 2 } END { print s + 0 }' "$TMP/each")
check_eq "bytes client->server" "$sent" "$(b .bytes_sent)"
check_eq "bytes server->client" "$recv" "$(b .bytes_received)"
pass "the dissector's frames and bytes equal the bot's counters"
