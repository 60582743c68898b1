/* test_proto.c - the frame parser and encoders of common/proto.c. Each case is one CTest test. */
#include "common/proto.h"
#include "tests/check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A small deterministic PRNG (xorshift32) so failures reproduce on every platform. */
static uint32_t rng_state = 0x2545F491u;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

/* Parses buf[0..len) from a heap copy of exactly len bytes, so ASan sees any read past the end. */
static enum proto_status parse_exact(const uint8_t *buf, size_t len, struct proto_frame *f, size_t *used)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    enum proto_status st;
    CHECK(copy != NULL);
    if (len > 0)
        memcpy(copy, buf, len);
    st = proto_parse(len > 0 ? copy : NULL, len, f, used);
    /* The frame points into the parsed buffer; re-point it at the caller's bytes before freeing. */
    if (st == PROTO_OK && f != NULL)
        f->payload = buf + (f->payload - copy);
    free(copy);
    return st;
}

static int is_status(enum proto_status st)
{
    switch (st) {
    case PROTO_OK:
    case PROTO_NEED_MORE:
    case PROTO_E_EMPTY:
    case PROTO_E_OVERSIZE:
    case PROTO_E_TYPE:
    case PROTO_E_PAYLOAD: return 1;
    }
    return 0;
}

/* One valid frame of each type, and how to encode it. */
struct sample {
    uint8_t buf[PROTO_MAX_FRAME];
    size_t len;
};

static size_t make_samples(struct sample *s)
{
    static const struct proto_player pl[3] = {{1, -5, 7}, {70000, 32767, -32768}, {42, 0, 0}};
    char big[PROTO_MAX_LEN];
    size_t n = 0;
    memset(big, 'c', sizeof big - 1);
    big[sizeof big - 1] = '\0'; /* 4095 bytes of text: the largest CHAT */
    s[n].len = proto_encode_hello("alice", s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_welcome(0xDEADBEEFu, 20, s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_move(-300, 1200, s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_text(PROTO_CHAT, "hello room", s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_text(PROTO_CHAT, big, s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_ping(PROTO_PING, 0x0123456789ABCDEFull, s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_ping(PROTO_PONG, 1, s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_state(99, 0x0102030405060708ull, pl, 3, s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_state(100, 0, NULL, 0, s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_text(PROTO_BYE, "", s[n].buf, sizeof s[n].buf), n++;
    s[n].len = proto_encode_text(PROTO_ERROR, "frame too large", s[n].buf, sizeof s[n].buf), n++;
    return n;
}

static void test_good_frames(void)
{
    static struct sample s[16];
    struct proto_frame f;
    size_t used, i, n = make_samples(s);
    int16_t x, y;
    uint64_t t;
    uint32_t id, tick;
    uint16_t hz, count;
    struct proto_player p;

    for (i = 0; i < n; i++) {
        CHECK(s[i].len >= PROTO_HDR_LEN);
        CHECK_EQ_LONG(parse_exact(s[i].buf, s[i].len, &f, &used), PROTO_OK);
        CHECK_EQ_LONG(used, s[i].len);
        CHECK_EQ_LONG(f.payload_len, s[i].len - PROTO_HDR_LEN);
        CHECK(f.payload == s[i].buf + PROTO_HDR_LEN);
    }
    CHECK_EQ_LONG(s[4].len, PROTO_MAX_FRAME); /* the 4095-byte CHAT is exactly the largest frame */

    CHECK_EQ_LONG(proto_parse(s[0].buf, s[0].len, &f, &used), PROTO_OK);
    CHECK_EQ_LONG(f.type, PROTO_HELLO);
    CHECK(f.payload_len == 5 && memcmp(f.payload, "alice", 5) == 0);
    CHECK_EQ_LONG(proto_parse(s[1].buf, s[1].len, &f, &used), PROTO_OK);
    CHECK(proto_decode_welcome(&f, &id, &hz) == 0 && id == 0xDEADBEEFu && hz == 20);
    CHECK_EQ_LONG(proto_parse(s[2].buf, s[2].len, &f, &used), PROTO_OK);
    CHECK(proto_decode_move(&f, &x, &y) == 0 && x == -300 && y == 1200);
    CHECK(proto_decode_ping(&f, &t) == -1); /* a decoder refuses another type */
    CHECK_EQ_LONG(proto_parse(s[5].buf, s[5].len, &f, &used), PROTO_OK);
    CHECK(proto_decode_ping(&f, &t) == 0 && t == 0x0123456789ABCDEFull && f.type == PROTO_PING);
    CHECK_EQ_LONG(proto_parse(s[6].buf, s[6].len, &f, &used), PROTO_OK);
    CHECK(proto_decode_ping(&f, &t) == 0 && t == 1 && f.type == PROTO_PONG);
    CHECK_EQ_LONG(proto_parse(s[7].buf, s[7].len, &f, &used), PROTO_OK);
    CHECK(proto_decode_state(&f, &tick, &count, &t) == 0 && tick == 99 && count == 3 &&
          t == 0x0102030405060708ull);
    CHECK(proto_decode_state(&f, &tick, &count, NULL) == 0 && tick == 99); /* the time is optional */
    CHECK_EQ_LONG(s[7].len, proto_state_size(3));
    CHECK_EQ_LONG(s[7].len, 3 + 14 + 3 * 8);
    CHECK(s[7].buf[7] == 0 && s[7].buf[8] == 3 && s[7].buf[9] == 1 && s[7].buf[16] == 8); /* count, t_us */
    CHECK(proto_decode_state_player(&f, 1, &p) == 0 && p.id == 70000 && p.x == 32767 && p.y == -32768);
    CHECK(proto_decode_state_player(&f, 3, &p) == -1);
    CHECK_EQ_LONG(proto_parse(s[10].buf, s[10].len, &f, &used), PROTO_OK);
    CHECK(f.type == PROTO_ERROR && f.payload_len == 15 && memcmp(f.payload, "frame too large", 15) == 0);

    /* Encoders refuse what the parser would reject, and buffers that are too small. */
    CHECK_EQ_LONG(proto_encode_hello("", s[0].buf, sizeof s[0].buf), 0);
    CHECK_EQ_LONG(proto_encode_hello("a-name-that-is-longer-than-32-bytes", s[0].buf, sizeof s[0].buf), 0);
    CHECK_EQ_LONG(proto_encode_move(1, 2, s[0].buf, 6), 0);
    CHECK_EQ_LONG(proto_encode_move(1, 2, s[0].buf, 7), 7);
    CHECK_EQ_LONG(proto_encode(42, "x", 1, s[0].buf, sizeof s[0].buf), 0);
    CHECK_EQ_LONG(proto_encode_state(1, 0, NULL, 512, s[0].buf, sizeof s[0].buf), 0);
    {
        static struct proto_player many[PROTO_STATE_MAX_COUNT + 1];
        /* the largest room fits one frame exactly as proto.h says, one more player does not */
        CHECK(proto_encode_state(1, 0, many, PROTO_STATE_MAX_COUNT, s[0].buf, sizeof s[0].buf) > 0);
        CHECK_EQ_LONG(proto_encode_state(1, 0, many, PROTO_STATE_MAX_COUNT + 1, s[0].buf, sizeof s[0].buf), 0);
    }
    CHECK_EQ_LONG(proto_type_name(PROTO_STATE)[0], 'S');
    CHECK_STR(proto_type_name(0), "UNKNOWN");
}

static void test_truncated(void)
{
    static struct sample s[16];
    struct proto_frame f;
    size_t used, i, k, n = make_samples(s);

    for (i = 0; i < n; i++) {
        for (k = 0; k < s[i].len; k++) {
            used = 12345;
            CHECK_EQ_LONG(parse_exact(s[i].buf, k, &f, &used), PROTO_NEED_MORE);
            CHECK_EQ_LONG(used, 0);
        }
        /* A longer buffer (the next frame's bytes) still yields exactly one frame. */
        CHECK_EQ_LONG(parse_exact(s[i].buf, s[i].len, &f, &used), PROTO_OK);
    }
}

static void test_oversize(void)
{
    static uint8_t buf[2 + 65535];
    struct proto_frame f;
    size_t used;
    char reason[128];

    buf[0] = 0x10, buf[1] = 0x01; /* 4097 */
    CHECK_EQ_LONG(parse_exact(buf, 2, &f, &used), PROTO_E_OVERSIZE);
    CHECK_EQ_LONG(used, 0);
    proto_error_reason(PROTO_E_OVERSIZE, buf, 2, reason, sizeof reason);
    CHECK_STR(reason, "frame too large: len 4097 > 4096");
    buf[0] = 0xFF, buf[1] = 0xFF;
    CHECK_EQ_LONG(parse_exact(buf, 2, &f, &used), PROTO_E_OVERSIZE);
    CHECK_EQ_LONG(parse_exact(buf, sizeof buf, &f, &used), PROTO_E_OVERSIZE);
    buf[0] = 0x13, buf[1] = 0x88;
    proto_error_reason(proto_parse(buf, 2, &f, &used), buf, 2, reason, sizeof reason);
    CHECK_STR(reason, "frame too large: len 5000 > 4096");

    /* len 4096 is the largest allowed: type + 4095 bytes of CHAT. */
    buf[0] = 0x10, buf[1] = 0x00, buf[2] = PROTO_CHAT;
    memset(buf + 3, 'z', 4095);
    CHECK_EQ_LONG(parse_exact(buf, 2, &f, &used), PROTO_NEED_MORE);
    CHECK_EQ_LONG(parse_exact(buf, 4097, &f, &used), PROTO_NEED_MORE);
    CHECK_EQ_LONG(parse_exact(buf, 4098, &f, &used), PROTO_OK);
    CHECK_EQ_LONG(used, 4098);
    CHECK_EQ_LONG(f.payload_len, 4095);
}

static void test_empty_len(void)
{
    const uint8_t buf[4] = {0, 0, PROTO_PING, 0};
    struct proto_frame f;
    size_t used = 7;
    char reason[64];

    CHECK_EQ_LONG(parse_exact(buf, 1, &f, &used), PROTO_NEED_MORE);
    CHECK_EQ_LONG(parse_exact(buf, 2, &f, &used), PROTO_E_EMPTY);
    CHECK_EQ_LONG(used, 0);
    CHECK_EQ_LONG(parse_exact(buf, 4, &f, &used), PROTO_E_EMPTY);
    proto_error_reason(PROTO_E_EMPTY, buf, 2, reason, sizeof reason);
    CHECK_STR(reason, "empty frame: len 0");
}

static void test_bad_type(void)
{
    uint8_t buf[8] = {0, 5, 0, 1, 2, 3, 4, 5};
    struct proto_frame f;
    size_t used;
    unsigned t;
    char reason[64];

    for (t = 0; t < 256; t++) {
        if (t >= PROTO_HELLO && t <= PROTO_ERROR)
            continue;
        buf[2] = (uint8_t)t;
        /* Rejected as soon as the type byte is in, before the payload. */
        CHECK_EQ_LONG(parse_exact(buf, 3, &f, &used), PROTO_E_TYPE);
        CHECK_EQ_LONG(parse_exact(buf, sizeof buf, &f, &used), PROTO_E_TYPE);
    }
    buf[2] = 42;
    proto_error_reason(PROTO_E_TYPE, buf, 3, reason, sizeof reason);
    CHECK_STR(reason, "unknown frame type 42");
}

/* Sets up a header claiming `plen` payload bytes of `type`, followed by plen zero bytes. */
static size_t header(uint8_t *buf, uint8_t type, size_t plen)
{
    buf[0] = (uint8_t)((plen + 1) >> 8);
    buf[1] = (uint8_t)(plen + 1);
    buf[2] = type;
    memset(buf + 3, 0, plen);
    return 3 + plen;
}

static void test_bad_payload(void)
{
    static const struct {
        uint8_t type;
        size_t plen;
    } bad[] = {{PROTO_MOVE, 0},    {PROTO_MOVE, 3},    {PROTO_MOVE, 5},     {PROTO_PING, 7},
               {PROTO_PING, 9},    {PROTO_PONG, 0},    {PROTO_WELCOME, 5},  {PROTO_WELCOME, 7},
               {PROTO_HELLO, 0},   {PROTO_HELLO, 33},  {PROTO_STATE, 0},    {PROTO_STATE, 6},
               {PROTO_STATE, 13},  {PROTO_STATE, 15},  {PROTO_STATE, 21},   {PROTO_MOVE, 4000}};
    static uint8_t buf[PROTO_MAX_FRAME];
    struct proto_frame f;
    size_t used, i, n;
    char reason[96];

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = header(buf, bad[i].type, bad[i].plen);
        /* The length alone condemns the frame: rejected once the type byte is in. */
        CHECK_EQ_LONG(parse_exact(buf, 3, &f, &used), PROTO_E_PAYLOAD);
        CHECK_EQ_LONG(parse_exact(buf, n, &f, &used), PROTO_E_PAYLOAD);
        CHECK_EQ_LONG(used, 0);
    }
    n = header(buf, PROTO_MOVE, 3);
    proto_error_reason(PROTO_E_PAYLOAD, buf, n, reason, sizeof reason);
    CHECK_STR(reason, "bad MOVE payload: 3 bytes, expected 4");

    /* STATE of the right shape but whose count disagrees with its length: rejected once the count
     * is in; until then it is a valid prefix. */
    n = header(buf, PROTO_STATE, 14 + 16);
    buf[3 + 5] = 3; /* count 3, but room for 2 */
    CHECK_EQ_LONG(parse_exact(buf, 8, &f, &used), PROTO_NEED_MORE);
    CHECK_EQ_LONG(parse_exact(buf, 9, &f, &used), PROTO_E_PAYLOAD);
    CHECK_EQ_LONG(parse_exact(buf, n, &f, &used), PROTO_E_PAYLOAD);
    buf[3 + 5] = 2;
    CHECK_EQ_LONG(parse_exact(buf, n, &f, &used), PROTO_OK);

    /* The edges that are allowed. */
    n = header(buf, PROTO_HELLO, 32);
    CHECK_EQ_LONG(parse_exact(buf, n, &f, &used), PROTO_OK);
    n = header(buf, PROTO_CHAT, 0);
    CHECK_EQ_LONG(parse_exact(buf, n, &f, &used), PROTO_OK);
    n = header(buf, PROTO_BYE, 0);
    CHECK_EQ_LONG(parse_exact(buf, n, &f, &used), PROTO_OK);
}

static void check_result(const uint8_t *buf, size_t len, enum proto_status st, const struct proto_frame *f,
                         size_t used)
{
    CHECK(is_status(st));
    if (st == PROTO_OK) {
        CHECK(used >= PROTO_HDR_LEN && used <= len && used <= PROTO_MAX_FRAME);
        CHECK(f->payload == buf + PROTO_HDR_LEN && f->payload_len == used - PROTO_HDR_LEN);
    } else {
        CHECK_EQ_LONG(used, 0);
    }
}

static void test_garbage(void)
{
    static uint8_t buf[PROTO_MAX_FRAME + 64];
    struct proto_frame f;
    size_t used, len, i, k;
    long counts[6] = {0};
    enum proto_status st;

    for (i = 0; i < 100000; i++) {
        len = rng() % (i % 10 == 0 ? sizeof buf + 1 : 64);
        for (k = 0; k < len; k++)
            buf[k] = (uint8_t)rng();
        /* Half the buffers get a plausible header, so the checks past the length are reached too. */
        if (len >= 3 && (rng() & 1)) {
            size_t flen = rng() % 16 == 0 ? 0 : 1 + rng() % (len - 2);
            buf[0] = (uint8_t)(flen >> 8), buf[1] = (uint8_t)flen;
            buf[2] = (uint8_t)(1 + rng() % 10);
        }
        used = 99999;
        st = parse_exact(buf, len, &f, &used);
        check_result(buf, len, st, &f, used);
        counts[st + 4]++;
    }
    /* Every outcome was reached at least once: the generator exercised the whole parser. */
    for (k = 0; k < 6; k++)
        CHECK(counts[k] > 0);
}

static void test_stream_split(void)
{
    static uint8_t stream[200 * PROTO_MAX_FRAME];
    static uint8_t pending[PROTO_MAX_FRAME + 5000]; /* a partial frame + the largest chunk */
    static size_t starts[2000], lens[2000];
    static struct sample s[16];
    size_t nsamples = make_samples(s), total = 0, nframes = 0, have = 0, pos = 0, got = 0;
    struct proto_frame f;
    size_t used;

    while (nframes < 2000) {
        const struct sample *x = &s[rng() % nsamples];
        if (total + x->len > sizeof stream)
            break;
        memcpy(stream + total, x->buf, x->len);
        starts[nframes] = total, lens[nframes] = x->len, nframes++;
        total += x->len;
    }
    /* Feed the stream in random chunk sizes (1 byte to 5 KiB) as recv would deliver it. */
    while (pos < total || have > 0) {
        size_t chunk = 1 + rng() % (rng() & 1 ? 16 : 5000), off = 0;
        enum proto_status st;
        if (chunk > total - pos)
            chunk = total - pos;
        memcpy(pending + have, stream + pos, chunk);
        have += chunk, pos += chunk;
        while ((st = parse_exact(pending + off, have - off, &f, &used)) == PROTO_OK) {
            CHECK(got < nframes);
            CHECK_EQ_LONG(used, lens[got]);
            CHECK(memcmp(pending + off, stream + starts[got], used) == 0);
            got++, off += used;
        }
        CHECK_EQ_LONG(st, PROTO_NEED_MORE);
        memmove(pending, pending + off, have - off);
        have -= off;
        if (pos == total)
            CHECK_EQ_LONG(have, 0);
    }
    CHECK_EQ_LONG(got, nframes);
    CHECK(nframes > 100);
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {{"proto_good_frames", test_good_frames},
                                             {"proto_truncated", test_truncated},
                                             {"proto_oversize", test_oversize},
                                             {"proto_empty_len", test_empty_len},
                                             {"proto_bad_type", test_bad_type},
                                             {"proto_bad_payload", test_bad_payload},
                                             {"proto_garbage", test_garbage},
                                             {"proto_stream_split", test_stream_split},
                                             {NULL, NULL}};
    return test_main(cases, argc, argv);
}
