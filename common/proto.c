/* proto.c - the game protocol's framing, encoders and decoders (see proto.h).
 *
 * proto_parse is the one function that sees bytes from the network, so it is written to be safe on
 * any input: every read of buf is guarded by a length check made before it, and it rejects a frame
 * as early as the bytes seen so far allow (a server must not wait for 4 KiB of payload to learn
 * that a MOVE frame claims to be 5000 bytes long). */
#include "common/proto.h"

#include <stdio.h>
#include <string.h>

#define STATE_FIXED 14u /* tick:u32 count:u16 t_us:u64 */
#define STATE_COUNT_END 6u /* payload bytes up to and including count */
#define STATE_ENTRY 8u  /* id:u32 x:i16 y:i16 */
#define STATE_MAX_COUNT ((PROTO_MAX_LEN - 1u - STATE_FIXED) / STATE_ENTRY)

/* proto.h promises the number without the arithmetic; C11 checks the two agree. */
_Static_assert(STATE_MAX_COUNT == PROTO_STATE_MAX_COUNT, "PROTO_STATE_MAX_COUNT is wrong");

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int type_known(uint8_t type)
{
    return type >= PROTO_HELLO && type <= PROTO_ERROR;
}

/* Whether a payload of this size can belong to this (known) type. The size alone decides every
 * type except STATE, whose count field must also agree (checked once the payload is in). */
static int payload_size_ok(uint8_t type, size_t n)
{
    switch (type) {
    case PROTO_HELLO: return n >= 1 && n <= PROTO_NAME_MAX;
    case PROTO_WELCOME: return n == 6;
    case PROTO_MOVE: return n == 4;
    case PROTO_PING:
    case PROTO_PONG: return n == 8;
    case PROTO_STATE: return n >= STATE_FIXED && (n - STATE_FIXED) % STATE_ENTRY == 0;
    case PROTO_CHAT:
    case PROTO_BYE:
    case PROTO_ERROR: return n <= PROTO_MAX_LEN - 1;
    default: return 0;
    }
}

enum proto_status proto_parse(const uint8_t *buf, size_t len, struct proto_frame *f, size_t *consumed)
{
    size_t flen, plen;
    uint8_t type;

    if (consumed != NULL)
        *consumed = 0;
    if (buf == NULL || len < 2)
        return PROTO_NEED_MORE;
    flen = get16(buf);
    if (flen == 0)
        return PROTO_E_EMPTY;
    if (flen > PROTO_MAX_LEN)
        return PROTO_E_OVERSIZE;
    if (len < PROTO_HDR_LEN)
        return PROTO_NEED_MORE;
    type = buf[2];
    if (!type_known(type))
        return PROTO_E_TYPE;
    plen = flen - 1;
    if (!payload_size_ok(type, plen))
        return PROTO_E_PAYLOAD;
    /* STATE's count sits in payload bytes 4..5: check it as soon as it is in. */
    if (type == PROTO_STATE && len >= PROTO_HDR_LEN + STATE_COUNT_END &&
        STATE_FIXED + (size_t)get16(buf + PROTO_HDR_LEN + 4) * STATE_ENTRY != plen)
        return PROTO_E_PAYLOAD;
    if (len - 2 < flen)
        return PROTO_NEED_MORE;
    if (f != NULL) {
        f->type = type;
        f->payload = buf + PROTO_HDR_LEN;
        f->payload_len = plen;
    }
    if (consumed != NULL)
        *consumed = 2 + flen;
    return PROTO_OK;
}

const char *proto_status_text(enum proto_status st)
{
    switch (st) {
    case PROTO_OK: return "ok";
    case PROTO_NEED_MORE: return "incomplete frame";
    case PROTO_E_EMPTY: return "empty frame";
    case PROTO_E_OVERSIZE: return "frame too large";
    case PROTO_E_TYPE: return "unknown frame type";
    case PROTO_E_PAYLOAD: return "bad payload";
    }
    return "unknown status";
}

static const char *payload_rule(uint8_t type)
{
    switch (type) {
    case PROTO_HELLO: return "1..32";
    case PROTO_WELCOME: return "6";
    case PROTO_MOVE: return "4";
    case PROTO_PING:
    case PROTO_PONG: return "8";
    case PROTO_STATE: return "14+8*count";
    default: return "0..4095";
    }
}

size_t proto_error_reason(enum proto_status st, const uint8_t *buf, size_t len, char *out, size_t cap)
{
    int n;
    size_t flen = (buf != NULL && len >= 2) ? get16(buf) : 0;
    uint8_t type = (buf != NULL && len >= PROTO_HDR_LEN) ? buf[2] : 0;

    if (out == NULL || cap == 0)
        return 0;
    switch (st) {
    case PROTO_E_EMPTY:
        n = snprintf(out, cap, "empty frame: len 0");
        break;
    case PROTO_E_OVERSIZE:
        n = snprintf(out, cap, "frame too large: len %u > %u", (unsigned)flen, PROTO_MAX_LEN);
        break;
    case PROTO_E_TYPE:
        n = snprintf(out, cap, "unknown frame type %u", (unsigned)type);
        break;
    case PROTO_E_PAYLOAD:
        if (type == PROTO_STATE && flen >= 1 + STATE_FIXED && len >= PROTO_HDR_LEN + STATE_COUNT_END)
            n = snprintf(out, cap, "bad STATE payload: %u bytes for count %u", (unsigned)(flen - 1),
                         (unsigned)get16(buf + PROTO_HDR_LEN + 4));
        else
            n = snprintf(out, cap, "bad %s payload: %u bytes, expected %s", proto_type_name(type),
                         (unsigned)(flen > 0 ? flen - 1 : 0), payload_rule(type));
        break;
    default:
        n = snprintf(out, cap, "%s", proto_status_text(st));
        break;
    }
    if (n < 0)
        n = 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

const char *proto_type_name(uint8_t type)
{
    static const char *const names[] = {"?",    "HELLO", "WELCOME", "MOVE", "CHAT",
                                        "PING", "PONG",  "STATE",   "BYE",  "ERROR"};
    return type_known(type) ? names[type] : "UNKNOWN";
}

size_t proto_encode(uint8_t type, const void *payload, size_t payload_len, uint8_t *out, size_t cap)
{
    size_t total = PROTO_HDR_LEN + payload_len;

    /* Only frames proto_parse accepts: a peer must never see us break our own rules. */
    if (out == NULL || !type_known(type) || !payload_size_ok(type, payload_len) || total > cap)
        return 0;
    if (payload_len > 0 && payload == NULL)
        return 0;
    if (type == PROTO_STATE && STATE_FIXED + (size_t)get16((const uint8_t *)payload + 4) * STATE_ENTRY !=
                                   payload_len)
        return 0;
    put16(out, (uint16_t)(payload_len + 1));
    out[2] = type;
    if (payload_len > 0)
        memmove(out + PROTO_HDR_LEN, payload, payload_len);
    return total;
}

size_t proto_encode_hello(const char *name, uint8_t *out, size_t cap)
{
    if (name == NULL)
        return 0;
    return proto_encode(PROTO_HELLO, name, strlen(name), out, cap);
}

size_t proto_encode_welcome(uint32_t id, uint16_t tick_hz, uint8_t *out, size_t cap)
{
    uint8_t p[6];
    put32(p, id);
    put16(p + 4, tick_hz);
    return proto_encode(PROTO_WELCOME, p, sizeof p, out, cap);
}

size_t proto_encode_move(int16_t x, int16_t y, uint8_t *out, size_t cap)
{
    uint8_t p[4];
    put16(p, (uint16_t)x);
    put16(p + 2, (uint16_t)y);
    return proto_encode(PROTO_MOVE, p, sizeof p, out, cap);
}

size_t proto_encode_ping(uint8_t type, uint64_t t_us, uint8_t *out, size_t cap)
{
    uint8_t p[8];
    if (type != PROTO_PING && type != PROTO_PONG)
        return 0;
    put32(p, (uint32_t)(t_us >> 32));
    put32(p + 4, (uint32_t)t_us);
    return proto_encode(type, p, sizeof p, out, cap);
}

size_t proto_encode_text(uint8_t type, const char *text, uint8_t *out, size_t cap)
{
    if (type != PROTO_CHAT && type != PROTO_BYE && type != PROTO_ERROR)
        return 0;
    if (text == NULL)
        text = "";
    return proto_encode(type, text, strlen(text), out, cap);
}

size_t proto_state_size(size_t count)
{
    return PROTO_HDR_LEN + STATE_FIXED + count * STATE_ENTRY;
}

size_t proto_encode_state(uint32_t tick, uint64_t t_us, const struct proto_player *p, size_t count, uint8_t *out,
                          size_t cap)
{
    size_t i, total;
    uint8_t *q;

    if (out == NULL || count > STATE_MAX_COUNT || (count > 0 && p == NULL))
        return 0;
    total = proto_state_size(count);
    if (total > cap)
        return 0;
    /* Written in place rather than through proto_encode: STATE is the one frame built per tick for a
     * whole room, so it skips the extra payload copy. */
    put16(out, (uint16_t)(total - 2));
    out[2] = PROTO_STATE;
    put32(out + 3, tick);
    put16(out + 7, (uint16_t)count);
    put32(out + 9, (uint32_t)(t_us >> 32));
    put32(out + 13, (uint32_t)t_us);
    for (i = 0, q = out + PROTO_HDR_LEN + STATE_FIXED; i < count; i++, q += STATE_ENTRY) {
        put32(q, p[i].id);
        put16(q + 4, (uint16_t)p[i].x);
        put16(q + 6, (uint16_t)p[i].y);
    }
    return total;
}

int proto_decode_move(const struct proto_frame *f, int16_t *x, int16_t *y)
{
    if (f == NULL || f->type != PROTO_MOVE || f->payload_len != 4)
        return -1;
    /* Through uint16_t: converting an out-of-range value to int16_t is implementation-defined, but
     * every compiler socklab supports wraps, which is what the wire format means. */
    *x = (int16_t)get16(f->payload);
    *y = (int16_t)get16(f->payload + 2);
    return 0;
}

int proto_decode_ping(const struct proto_frame *f, uint64_t *t_us)
{
    if (f == NULL || (f->type != PROTO_PING && f->type != PROTO_PONG) || f->payload_len != 8)
        return -1;
    *t_us = ((uint64_t)get32(f->payload) << 32) | get32(f->payload + 4);
    return 0;
}

int proto_decode_welcome(const struct proto_frame *f, uint32_t *id, uint16_t *tick_hz)
{
    if (f == NULL || f->type != PROTO_WELCOME || f->payload_len != 6)
        return -1;
    *id = get32(f->payload);
    *tick_hz = get16(f->payload + 4);
    return 0;
}

int proto_decode_state(const struct proto_frame *f, uint32_t *tick, uint16_t *count, uint64_t *t_us)
{
    uint16_t n;
    if (f == NULL || f->type != PROTO_STATE || f->payload_len < STATE_FIXED)
        return -1;
    n = get16(f->payload + 4);
    if (STATE_FIXED + (size_t)n * STATE_ENTRY != f->payload_len)
        return -1;
    *tick = get32(f->payload);
    *count = n;
    if (t_us != NULL)
        *t_us = ((uint64_t)get32(f->payload + 6) << 32) | get32(f->payload + 10);
    return 0;
}

int proto_decode_state_player(const struct proto_frame *f, size_t i, struct proto_player *p)
{
    const uint8_t *q;
    uint32_t tick;
    uint16_t count;
    if (proto_decode_state(f, &tick, &count, NULL) != 0 || i >= count)
        return -1;
    q = f->payload + STATE_FIXED + i * STATE_ENTRY;
    p->id = get32(q);
    p->x = (int16_t)get16(q + 4);
    p->y = (int16_t)get16(q + 6);
    return 0;
}
