/* probe_game.c - server_probe's game-protocol commands: a whole session, the HELLO rule, bad and
 * random frames, rooms, and a room member that stops reading. */
#include "tests/server/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

/* ---- game ------------------------------------------------------------------------------------ */

int cmd_hello(void)
{
    static struct reader r;
    struct proto_frame f;
    uint8_t out[64];
    uint32_t id, tick;
    uint16_t hz, count;
    uint64_t t = 0x1122334455667788ull, back;
    struct proto_player p;
    size_t i;
    int found = 0, states = 0;

    r.s = dial();
    send_frame(r.s, proto_encode_hello("probe", out, sizeof out), out);
    expect_frame(&r, PROTO_WELCOME, &f);
    proto_decode_welcome(&f, &id, &hz);
    printf("WELCOME id=%lu tick_hz=%u\n", (unsigned long)id, (unsigned)hz);
    send_frame(r.s, proto_encode_ping(PROTO_PING, t, out, sizeof out), out);
    expect_frame(&r, PROTO_PONG, &f);
    if (proto_decode_ping(&f, &back) != 0 || back != t)
        die("PONG", "carries another timestamp");
    printf("PONG ok\n");
    send_frame(r.s, proto_encode_text(PROTO_CHAT, "hi room", out, sizeof out), out);
    expect_frame(&r, PROTO_CHAT, &f);
    if (f.payload_len != 7 || memcmp(f.payload, "hi room", 7) != 0)
        die("CHAT", "came back changed");
    printf("CHAT ok\n");
    send_frame(r.s, proto_encode_move(-12, 345, out, sizeof out), out);
    while (!found && states < 100) {
        expect_frame(&r, PROTO_STATE, &f);
        states++;
        proto_decode_state(&f, &tick, &count, NULL);
        for (i = 0; i < count; i++)
            if (proto_decode_state_player(&f, i, &p) == 0 && p.id == id && p.x == -12 && p.y == 345)
                found = 1;
    }
    if (!found)
        die("STATE", "never showed our MOVE");
    printf("STATE ok: tick %lu, %u players\n", (unsigned long)tick, (unsigned)count);
    send_frame(r.s, proto_encode_text(PROTO_BYE, "done", out, sizeof out), out);
    /* After BYE the server flushes and closes: only STATE frames, then EOF. */
    for (;;) {
        int rc = read_frame(&r, &f, TIMEOUT_MS);
        if (rc == R_EOF)
            break;
        if (rc != R_FRAME || f.type != PROTO_STATE)
            die("after BYE", "expected EOF");
    }
    printf("BYE ok\n");
    sock_close(r.s);
    return 0;
}

int cmd_oversize(void)
{
    static struct reader r;
    static uint8_t frame[2 + 5000];
    struct proto_frame f;
    int rc;

    /* A whole 5000-byte frame: the server refuses it after 2 bytes and must read the rest away, or
     * closing with unread input would reset the connection and lose the ERROR. */
    frame[0] = 5000 >> 8;
    frame[1] = 5000 & 0xff;
    frame[2] = PROTO_CHAT;
    memset(frame + 3, 'x', sizeof frame - 3);
    r.s = dial();
    send_all(r.s, frame, sizeof frame);
    rc = read_frame(&r, &f, TIMEOUT_MS);
    if (rc != R_FRAME || f.type != PROTO_ERROR)
        die("expected an ERROR frame", rc == R_RESET ? "got a reset" : NULL);
    printf("ERROR: %.*s\n", (int)f.payload_len, (const char *)f.payload);
    rc = read_frame(&r, &f, TIMEOUT_MS);
    printf("then: %s\n", rc == R_EOF ? "EOF" : rc == R_RESET ? "RST" : rc == R_FRAME ? "a frame" : "timeout");
    sock_close(r.s);
    return rc == R_EOF ? 0 : 1;
}

static uint32_t rng_state;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Discards whatever the server sent on a non-blocking socket, waiting up to wait_ms for more each
 * time it runs dry; returns 0 once the server has closed. */
static int drain_some(sock_t s, int wait_ms)
{
    static uint8_t sink[65536];
    for (;;) {
        long n = sock_recv(s, sink, sizeof sink);
        if (n > 0)
            continue;
        if (n == 0 || !sock_err_is_retriable(sock_last_error()))
            return 0;
        if (wait_ms <= 0 || sock_wait(s, 0, wait_ms) != 1)
            return 1;
    }
}

int cmd_garbage(unsigned long seed, long bytes, int hello_first)
{
    static uint8_t chunk[8192];
    char err[SOCK_ERR_LEN];
    sock_t s = dial();
    long sent = 0;
    size_t i, n;

    rng_state = (uint32_t)seed * 2654435761u + 1u;
    if (hello_first) {
        n = proto_encode_hello("fuzz", chunk, sizeof chunk);
        send_all(s, chunk, n);
    }
    sock_set_nonblocking(s, 1, err);
    while (sent < bytes) {
        /* Random bytes, sometimes led by a plausible header so the checks past the length run. */
        n = 1 + rng() % sizeof chunk;
        for (i = 0; i < n; i++)
            chunk[i] = (uint8_t)rng();
        if (rng() % 2 && n >= 3) {
            size_t flen = 1 + rng() % (n - 2);
            chunk[0] = (uint8_t)(flen >> 8), chunk[1] = (uint8_t)flen, chunk[2] = (uint8_t)(1 + rng() % 10);
        }
        if (sock_wait(s, 1, 1000) != 1)
            break;
        {
            long k = sock_send(s, chunk, n);
            if (k < 0 && !sock_err_is_retriable(sock_last_error()))
                break; /* the server closed on us: expected sooner or later */
            if (k > 0)
                sent += k;
        }
        if (!drain_some(s, 0))
            break;
    }
    sock_shutdown(s, SOCK_SHUT_WR, NULL);
    drain_some(s, 3000);
    sock_close(s);
    printf("garbage: sent %ld bytes\n", sent);
    return 0;
}

/* The HELLO rule: PING is answered before HELLO; anything else gets ERROR, then EOF. */
int cmd_rules(void)
{
    static struct reader r;
    struct proto_frame f;
    uint8_t out[64];
    int rc;

    r.s = dial();
    send_frame(r.s, proto_encode_ping(PROTO_PING, 7, out, sizeof out), out);
    if (read_frame(&r, &f, TIMEOUT_MS) != R_FRAME || f.type != PROTO_PONG)
        die("PING before HELLO", "no PONG");
    printf("PONG before HELLO ok\n");
    send_frame(r.s, proto_encode_move(1, 2, out, sizeof out), out);
    if (read_frame(&r, &f, TIMEOUT_MS) != R_FRAME || f.type != PROTO_ERROR)
        die("MOVE before HELLO", "no ERROR");
    printf("ERROR: %.*s\n", (int)f.payload_len, (const char *)f.payload);
    rc = read_frame(&r, &f, TIMEOUT_MS);
    printf("then: %s\n", rc == R_EOF ? "EOF" : rc == R_RESET ? "RST" : "something else");
    sock_close(r.s);
    return rc == R_EOF ? 0 : 1;
}

/* n players join; once a few ticks have passed, each reports the player count of the newest STATE
 * it has, which shows how the server filled its rooms. */
int cmd_rooms(int n)
{
    struct reader *r = calloc((size_t)n, sizeof *r);
    struct proto_frame f;
    uint8_t out[64];
    uint32_t id = 0, tick;
    uint16_t hz = 20, count;
    int i, last;

    if (r == NULL)
        die("out of memory", NULL);
    for (i = 0; i < n; i++) {
        r[i].s = dial();
        send_frame(r[i].s, proto_encode_hello("roomer", out, sizeof out), out);
        expect_frame(&r[i], PROTO_WELCOME, &f);
        proto_decode_welcome(&f, &id, &hz);
    }
    os_sleep_ms(3 * 1000 / (hz ? hz : 1) + 50);
    for (i = 0; i < n; i++) {
        sock_set_nonblocking(r[i].s, 1, NULL);
        for (last = -1; read_frame(&r[i], &f, 0) == R_FRAME;)
            if (proto_decode_state(&f, &tick, &count, NULL) == 0)
                last = count;
        printf("player %d: %d in room\n", i + 1, last);
        sock_close(r[i].s);
    }
    free(r);
    return 0;
}

/* Two players in one room: the first says HELLO and then reads nothing (a small receive window set
 * before connecting keeps the kernel from absorbing much), the second sends `mb` MiB of CHAT,
 * reading its own copies back. The room's CHATs pile up for the first until the server cuts it off;
 * the second must still get a PONG afterwards. */
int cmd_slowroom(long mb)
{
    static struct reader chatter;
    static char text[PROTO_MAX_LEN];
    static uint8_t frame[PROTO_MAX_FRAME];
    char err[SOCK_ERR_LEN];
    struct proto_frame f;
    uint64_t t = 42, back;
    long sent = 0;
    size_t n;
    int family = sock_host_family(HOST, err);
    sock_t sloth = family < 0 ? SOCK_INVALID : sock_tcp_socket(family, err);

    if (sloth == SOCK_INVALID)
        die("socket", err);
    sock_set_bufsize(sloth, SOCK_RCVBUF, 4096, err);
    if (sock_connect(sloth, HOST, g_port, 3000, err) != 0)
        die("connect", err);
    send_frame(sloth, proto_encode_hello("sloth", frame, sizeof frame), frame);
    chatter.s = dial();
    send_frame(chatter.s, proto_encode_hello("chatter", frame, sizeof frame), frame);
    expect_frame(&chatter, PROTO_WELCOME, &f);
    memset(text, 'c', sizeof text - 1);
    n = proto_encode_text(PROTO_CHAT, text, frame, sizeof frame);
    while (sent < mb * 1024 * 1024) {
        send_frame(chatter.s, n, frame);
        sent += (long)n;
        expect_frame(&chatter, PROTO_CHAT, &f); /* our own copy: keeps our side drained */
    }
    send_frame(chatter.s, proto_encode_ping(PROTO_PING, t, frame, sizeof frame), frame);
    expect_frame(&chatter, PROTO_PONG, &f);
    if (proto_decode_ping(&f, &back) != 0 || back != t)
        die("PONG", "wrong timestamp");
    printf("chatter sent %ld bytes of CHAT and still got its PONG\n", sent);
    sock_close(chatter.s);
    sock_close(sloth);
    return 0;
}


/* A player that never stops sending must not hold back the others' ticks: one player floods MOVE
 * frames for `ms` ms (so the server always has input to read) while a second one counts the STATE
 * frames it gets. Prints the count and the ticks that fell due; the script judges. */
int cmd_flood(int ms)
{
    static struct reader watcher, flooder;
    static uint8_t batch[4096 * 7];
    struct proto_frame f;
    uint8_t out[64];
    uint32_t id;
    uint16_t hz = 0;
    size_t n = 0, one;
    long states = 0;
    uint64_t end;

    watcher.s = dial();
    send_frame(watcher.s, proto_encode_hello("watcher", out, sizeof out), out);
    expect_frame(&watcher, PROTO_WELCOME, &f);
    proto_decode_welcome(&f, &id, &hz);
    flooder.s = dial();
    send_frame(flooder.s, proto_encode_hello("flooder", out, sizeof out), out);
    expect_frame(&flooder, PROTO_WELCOME, &f);
    while (n + 16 <= sizeof batch && (one = proto_encode_move((int16_t)n, 1, batch + n, sizeof batch - n)) > 0)
        n += one;
    sock_set_nonblocking(watcher.s, 1, NULL);
    end = os_now_us() + (uint64_t)ms * 1000u;
    while (os_now_us() < end) { /* bounded by time; each send blocks only while the server reads */
        send_all(flooder.s, batch, n);
        while (read_frame(&watcher, &f, 0) == R_FRAME)
            states += f.type == PROTO_STATE;
    }
    printf("flooder sent MOVE for %d ms; watcher got %ld STATE frames of %ld ticks due\n", ms, states,
           (long)hz * ms / 1000);
    sock_close(flooder.s);
    sock_close(watcher.s);
    return 0;
}
