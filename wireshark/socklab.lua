-- socklab.lua - a Wireshark dissector for socklab's game protocol (common/proto.h).
--
-- Frames on the TCP byte stream: len (2 bytes, big-endian: the type byte plus the payload),
-- type (1 byte), payload. TCP reassembly is left to Wireshark (dissect_tcp_pdus): a frame cut
-- across segments is shown whole in the segment that completes it, and one segment may carry
-- several frames. A len of 0 or above 4096, an unknown type, or a payload of the wrong size is
-- flagged with Expert Info, as the server would answer it with an ERROR frame.
--
-- Install: copy this file into Wireshark's personal Lua plugins folder
--   Linux:   ~/.local/lib/wireshark/plugins/   (Help > About Wireshark > Folders shows it)
--   Windows: %APPDATA%\Wireshark\plugins\
-- It decodes TCP port 7007 (socklab-server's default); for another port use Decode As... > SOCKLAB.
-- Check it with tshark:  tshark -X lua_script:socklab.lua -r game.pcap -Y socklab

local MAX_LEN = 4096
local DEFAULT_PORT = 7007

local names = {
    [1] = "HELLO", [2] = "WELCOME", [3] = "MOVE", [4] = "CHAT", [5] = "PING",
    [6] = "PONG", [7] = "STATE", [8] = "BYE", [9] = "ERROR",
}

local p = Proto("socklab", "socklab game protocol")

local f = {
    len = ProtoField.uint16("socklab.len", "Length", base.DEC, nil, nil, "type byte + payload"),
    type = ProtoField.uint8("socklab.type", "Type", base.DEC, names),
    name = ProtoField.string("socklab.hello.name", "Name"),
    id = ProtoField.uint32("socklab.welcome.id", "Player id"),
    tick_hz = ProtoField.uint16("socklab.welcome.tick_hz", "Tick rate (Hz)"),
    x = ProtoField.int16("socklab.move.x", "x"),
    y = ProtoField.int16("socklab.move.y", "y"),
    text = ProtoField.string("socklab.text", "Text"),
    t_us = ProtoField.uint64("socklab.t_us", "Time (us)", base.DEC, nil, nil, "the sender's monotonic clock"),
    tick = ProtoField.uint32("socklab.state.tick", "Tick"),
    count = ProtoField.uint16("socklab.state.count", "Players"),
    player = ProtoField.bytes("socklab.state.player", "Player"),
    pid = ProtoField.uint32("socklab.state.player.id", "Id"),
    px = ProtoField.int16("socklab.state.player.x", "x"),
    py = ProtoField.int16("socklab.state.player.y", "y"),
}
p.fields = { f.len, f.type, f.name, f.id, f.tick_hz, f.x, f.y, f.text, f.t_us, f.tick, f.count, f.player,
             f.pid, f.px, f.py }

local e_len = ProtoExpert.new("socklab.bad_len", "Frame length out of range (1..4096): the server answers ERROR",
                              expert.group.MALFORMED, expert.severity.ERROR)
local e_type = ProtoExpert.new("socklab.bad_type", "Unknown frame type", expert.group.MALFORMED,
                               expert.severity.ERROR)
local e_payload = ProtoExpert.new("socklab.bad_payload", "Payload of the wrong size for its type",
                                  expert.group.MALFORMED, expert.severity.ERROR)
local e_error = ProtoExpert.new("socklab.error_frame", "ERROR frame: the server closes next",
                                expert.group.RESPONSE_CODE, expert.severity.WARN)
p.experts = { e_len, e_type, e_payload, e_error }

-- Whether a payload of n bytes fits the type (the same rules as proto.c's payload_size_ok).
local function size_ok(t, n, tvb, off)
    if t == 1 then return n >= 1 and n <= 32 end
    if t == 2 then return n == 6 end
    if t == 3 then return n == 4 end
    if t == 5 or t == 6 then return n == 8 end
    if t == 7 then
        return n >= 14 and (n - 14) % 8 == 0 and tvb(off + 4, 2):uint() * 8 + 14 == n
    end
    if t == 4 or t == 8 or t == 9 then return n <= MAX_LEN - 1 end
    return false
end

local function payload(t, tvb, off, n, tree)
    if t == 1 then
        tree:add(f.name, tvb(off, n))
    elseif t == 2 then
        tree:add(f.id, tvb(off, 4)); tree:add(f.tick_hz, tvb(off + 4, 2))
    elseif t == 3 then
        tree:add(f.x, tvb(off, 2)); tree:add(f.y, tvb(off + 2, 2))
    elseif t == 5 or t == 6 then
        tree:add(f.t_us, tvb(off, 8))
    elseif t == 7 then
        local count = tvb(off + 4, 2):uint()
        tree:add(f.tick, tvb(off, 4)); tree:add(f.count, tvb(off + 4, 2)); tree:add(f.t_us, tvb(off + 6, 8))
        for i = 0, count - 1 do
            local at = off + 14 + i * 8
            local pt = tree:add(f.player, tvb(at, 8))
            pt:add(f.pid, tvb(at, 4)); pt:add(f.px, tvb(at + 4, 2)); pt:add(f.py, tvb(at + 6, 2))
            pt:set_text(string.format("Player %d at (%d, %d)", tvb(at, 4):uint(), tvb(at + 4, 2):int(),
                                      tvb(at + 6, 2):int()))
        end
    elseif n > 0 then -- CHAT, BYE, ERROR
        tree:add(f.text, tvb(off, n))
    end
end

-- The whole frame's size from its first two bytes. A length out of range cannot be framed: the
-- rest of the segment is taken as one malformed piece (the server stops reading there too).
local function frame_len(tvb, pinfo, off)
    local len = tvb(off, 2):uint()
    if len == 0 or len > MAX_LEN then
        return tvb:len() - off
    end
    return len + 2
end

local function dissect_frame(tvb, pinfo, tree)
    local len = tvb(0, 2):uint()
    local sub = tree:add(p, tvb(), "socklab")
    sub:add(f.len, tvb(0, 2))
    if len == 0 or len > MAX_LEN then
        sub:add_proto_expert_info(e_len)
        sub:set_text(string.format("socklab: bad frame length %d", len))
        pinfo.cols.info:append(" [socklab: bad length]")
        return tvb:len()
    end
    local t = tvb(2, 1):uint()
    local name = names[t]
    sub:add(f.type, tvb(2, 1))
    if name == nil then
        sub:add_proto_expert_info(e_type)
        sub:set_text(string.format("socklab: unknown type %d", t))
        return tvb:len()
    end
    local n = len - 1
    sub:set_text(string.format("socklab %s, %d bytes", name, len + 2))
    if not size_ok(t, n, tvb, 3) then
        sub:add_proto_expert_info(e_payload)
    else
        payload(t, tvb, 3, n, sub)
    end
    if t == 9 then
        sub:add_proto_expert_info(e_error)
    end
    return tvb:len()
end

-- Info column: every frame of the segment, in order.
function p.dissector(tvb, pinfo, tree)
    pinfo.cols.protocol = "SOCKLAB"
    local consumed = dissect_tcp_pdus(tvb, tree, 2, frame_len, function(ftvb, fpinfo, ftree)
        local t = ftvb:len() >= 3 and names[ftvb(2, 1):uint()] or nil
        fpinfo.cols.info:append(" " .. (t or "?"))
        return dissect_frame(ftvb, fpinfo, ftree)
    end, true)
    return consumed
end

DissectorTable.get("tcp.port"):add(DEFAULT_PORT, p)
-- Decode As... > SOCKLAB for any other port
DissectorTable.get("tcp.port"):add_for_decode_as(p)
