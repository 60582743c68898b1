/* proto.h - the game protocol: length-prefixed frames on a TCP byte stream.
 *
 * A byte stream has no message boundaries (see the psh-recv lesson), so every frame says how long
 * it is:
 *
 *   +--------+--------+--------+----------------------+
 *   | len (2 bytes, big-endian)| type   | payload ...  |
 *   +--------+--------+--------+----------------------+
 *
 * `len` counts the bytes after itself: the type byte plus the payload, so 1 <= len <= PROTO_MAX_LEN.
 * A frame whose len is 0 or above PROTO_MAX_LEN, or whose type is unknown, is a protocol error: the
 * server answers with one ERROR frame naming the problem and closes the connection gracefully.
 *
 * Payloads (all integers big-endian):
 *   HELLO  name (1..32 bytes of text)                       client -> server, first frame
 *   MOVE   x:i16 y:i16                                      client -> server
 *   CHAT   text (0..PROTO_MAX_LEN-1 bytes)                  client -> server -> all in room
 *   PING   t:u64 (sender's clock, microseconds)             either way
 *   PONG   t:u64 (copied from the PING)                     answer to PING
 *   STATE  tick:u32 count:u16 t_us:u64 then count x (id:u32 x:i16 y:i16)
 *                                                           server -> all, at the tick rate
 *   BYE    reason text (may be empty)                       either way, then the sender closes
 *   ERROR  reason text                                      server -> client, then the server closes
 *   WELCOME id:u32 tick_hz:u16                              server -> client, answer to HELLO
 *
 * STATE's t_us is the server's monotonic clock (microseconds) when the room's tick ran: the same in
 * every copy of the frame, since one encoding serves the whole room. A client on the same machine
 * reads the same clock, so its receive time minus t_us is the tick's latency (server send queue,
 * kernel, client read); across machines the clocks are unrelated and only intervals mean anything.
 * count sits before t_us so a parser sees it (and can reject a wrong length) as early as possible.
 */
#ifndef SOCKLAB_PROTO_H
#define SOCKLAB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_HDR_LEN 3u    /* 2 length bytes + 1 type byte */
#define PROTO_MAX_LEN 4096u /* largest allowed value of len: type byte + payload */
#define PROTO_MAX_FRAME (2u + PROTO_MAX_LEN)
#define PROTO_NAME_MAX 32u

enum proto_type {
    PROTO_HELLO = 1,
    PROTO_WELCOME = 2,
    PROTO_MOVE = 3,
    PROTO_CHAT = 4,
    PROTO_PING = 5,
    PROTO_PONG = 6,
    PROTO_STATE = 7,
    PROTO_BYE = 8,
    PROTO_ERROR = 9
};

enum proto_status {
    PROTO_OK = 0,        /* one whole frame parsed */
    PROTO_NEED_MORE = 1, /* a valid prefix: wait for more bytes */
    PROTO_E_EMPTY = -1,  /* len == 0 */
    PROTO_E_OVERSIZE = -2,
    PROTO_E_TYPE = -3,   /* unknown type byte */
    PROTO_E_PAYLOAD = -4 /* known type, payload of the wrong size or content */
};

struct proto_frame {
    uint8_t type;
    const uint8_t *payload; /* points into the parsed buffer */
    size_t payload_len;
};

/* Parses one frame from the start of buf. On PROTO_OK fills *f and sets *consumed to the frame's
 * size; otherwise *consumed is 0. Never reads past buf[len-1]. */
enum proto_status proto_parse(const uint8_t *buf, size_t len, struct proto_frame *f, size_t *consumed);
const char *proto_status_text(enum proto_status st); /* "frame too large (len 5000 > 4096)"-style base text */
const char *proto_type_name(uint8_t type);
/* The full one-line reason for an error status of proto_parse on the same bytes, for an ERROR frame
 * or a log line: "frame too large: len 5000 > 4096", "unknown frame type 42",
 * "bad MOVE payload: 3 bytes, expected 4". Returns the length written (always NUL-terminated). */
size_t proto_error_reason(enum proto_status st, const uint8_t *buf, size_t len, char *out, size_t cap);

/* Encoders write one whole frame into out (capacity cap) and return its size, or 0 if it does not
 * fit or the arguments are out of range. */
size_t proto_encode(uint8_t type, const void *payload, size_t payload_len, uint8_t *out, size_t cap);
size_t proto_encode_hello(const char *name, uint8_t *out, size_t cap);
size_t proto_encode_welcome(uint32_t id, uint16_t tick_hz, uint8_t *out, size_t cap);
size_t proto_encode_move(int16_t x, int16_t y, uint8_t *out, size_t cap);
size_t proto_encode_ping(uint8_t type /* PING or PONG */, uint64_t t_us, uint8_t *out, size_t cap);
size_t proto_encode_text(uint8_t type /* CHAT, BYE, ERROR */, const char *text, uint8_t *out, size_t cap);

/* STATE is built incrementally so one encode per tick serves every recipient. */
struct proto_player {
    uint32_t id;
    int16_t x, y;
};
#define PROTO_STATE_MAX_COUNT 510u /* players that fit in one STATE frame */
size_t proto_state_size(size_t count);
size_t proto_encode_state(uint32_t tick, uint64_t t_us, const struct proto_player *p, size_t count, uint8_t *out,
                          size_t cap);

/* Decoders for payloads of a frame that proto_parse accepted. Return 0 on success, -1 if the payload
 * does not fit the type. */
int proto_decode_move(const struct proto_frame *f, int16_t *x, int16_t *y);
int proto_decode_ping(const struct proto_frame *f, uint64_t *t_us);
int proto_decode_welcome(const struct proto_frame *f, uint32_t *id, uint16_t *tick_hz);
/* t_us may be NULL. */
int proto_decode_state(const struct proto_frame *f, uint32_t *tick, uint16_t *count, uint64_t *t_us);
/* Entry i (0-based, below count) of a STATE frame. */
int proto_decode_state_player(const struct proto_frame *f, size_t i, struct proto_player *p);

#endif
