/* fuzz_frames.c - libFuzzer target: the game protocol's parser (common/proto.c), the one function
 * that sees every byte a client sends. The input is a byte stream: frames are parsed from it one
 * after another as the server does, every accepted frame's payload goes through its decoder, and
 * every error through the reason a client would read. Built with -fsanitize=fuzzer by the fuzz
 * preset (./lab fuzz); replay.c runs the corpus with any compiler. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(const struct proto_frame *f)
{
    uint32_t id, tick;
    uint16_t hz, count;
    uint64_t t;
    int16_t x, y;
    struct proto_player p;
    size_t i;
    switch (f->type) {
    case PROTO_MOVE: proto_decode_move(f, &x, &y); break;
    case PROTO_PING:
    case PROTO_PONG: proto_decode_ping(f, &t); break;
    case PROTO_WELCOME: proto_decode_welcome(f, &id, &hz); break;
    case PROTO_STATE:
        if (proto_decode_state(f, &tick, &count, &t) == 0)
            for (i = 0; i < count; i++)
                proto_decode_state_player(f, i, &p);
        break;
    default: break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t out[PROTO_MAX_FRAME];
    char reason[128];
    size_t used = 0;
    while (used < size) {
        struct proto_frame f;
        size_t consumed = 0;
        enum proto_status st = proto_parse(data + used, size - used, &f, &consumed);
        if (st == PROTO_NEED_MORE)
            break;
        if (st != PROTO_OK) {
            proto_error_reason(st, data + used, size - used, reason, sizeof reason);
            used += 1; /* resynchronise one byte on, to parse what follows too */
            continue;
        }
        decode(&f);
        /* What the server accepts it can send back unchanged (CHAT to a room). */
        if (proto_encode(f.type, f.payload, f.payload_len, out, sizeof out) != consumed ||
            memcmp(out, data + used, consumed) != 0)
            abort(); /* a crash with the input saved: proto_encode and proto_parse disagree */
        used += consumed;
    }
    return 0;
}
