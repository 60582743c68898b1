#!/usr/bin/env bash
# wireshark/socklab.lua under tshark, on frames the test cuts and breaks on purpose: a HELLO sent in
# two segments 200 ms apart decodes once, whole (its name), in the segment that completes it; two
# frames in one segment decode as two; a frame whose length is over 4096 is flagged as malformed
# (Expert Info) and the server's ERROR frame that answers it is flagged too.
. "$SOCKLAB_TESTS/lib.sh"
need_cmd tshark python3
LUA="$SOCKLAB_TESTS/../wireshark/socklab.lua"
need_root "tcpdump on lo needs CAP_NET_RAW"
start_server --proto game --quiet
bg tcpdump tcpdump -i lo --immediate-mode -s 256 -B 16384 -U -w "$TMP/c.pcap" "tcp port $SERVER_PORT"
CAP_PID=$BG_PID
wait_for "$TMP/tcpdump.out" "listening on" 10
python3 - "$SERVER_PORT" <<'PY' || fail "the test client failed"
import socket, struct, sys, time
port = int(sys.argv[1])
def frame(t, payload): return struct.pack(">HB", len(payload) + 1, t) + payload
s = socket.create_connection(("127.0.0.1", port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
hello = frame(1, b"cut-in-two")
s.sendall(hello[:4]); time.sleep(0.2); s.sendall(hello[4:])           # one frame, two segments
time.sleep(0.2)
s.sendall(frame(3, struct.pack(">hh", 5, -7)) + frame(5, struct.pack(">Q", 42)))  # two frames, one segment
time.sleep(0.2)
s.sendall(struct.pack(">HB", 5000, 4) + b"x" * 10)                      # length over 4096
time.sleep(0.5)
s.close()
PY
sleep 0.3; kill "$CAP_PID"; wait "$CAP_PID" 2>/dev/null
T() { tshark -X lua_script:"$LUA" -r "$TMP/c.pcap" -d "tcp.port==$SERVER_PORT,socklab" "$@" 2>/dev/null; }
hellos=$(T -Y 'socklab.type == 1' -T fields -e socklab.hello.name)
[ "$hellos" = "cut-in-two" ] || fail "the cut HELLO decoded as '$hellos', expected once, whole: cut-in-two"
seg=$(T -Y 'socklab.type == 3 && socklab.type == 5' -T fields -e socklab.move.x -e socklab.move.y -e socklab.t_us)
[ "$seg" = "$(printf '5\t-7\t42')" ] || fail "MOVE and PING in one segment decoded as '$seg'"
T -Y 'socklab && _ws.expert.message contains "Frame length out of range"' | grep -q . || fail "the oversize frame is not flagged"
T -Y 'socklab.type == 9 && _ws.expert.message contains "ERROR frame"' | grep -q . || fail "the server's ERROR frame is not flagged"
note "errors: $(T -Y 'socklab.type == 9' -T fields -e socklab.text)"
pass "a cut frame decodes whole, two frames in a segment decode as two, the oversize frame and the ERROR are flagged"
