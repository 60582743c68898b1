/* probe_limits.c - server_probe's commands for the server's limits: what a hostile client does
 * (stays silent, sends half a frame, floods CHAT, PING or MOVE, keeps sending after an error,
 * opens connections from one address) and what it sees the server do about it. Each prints what
 * happened; the test scripts judge. */
#include "tests/server/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

/* A connection from a chosen source address (127.0.0.2 stands for another machine). */
sock_t dial_from(const char *src)
{
    char err[SOCK_ERR_LEN];
    int family;
    sock_t s;
    if (src == NULL)
        return dial();
    family = sock_host_family(HOST, err);
    s = family < 0 ? SOCK_INVALID : sock_tcp_socket(family, err);
    if (s == SOCK_INVALID)
        die("socket", err);
    if (sock_bind_local(s, src, 0, err) != 0 || sock_connect(s, HOST, g_port, 3000, err) != 0)
        die("connect", err);
    return s;
}

static const char *end_name(int rc)
{
    return rc == R_EOF ? "EOF" : rc == R_RESET ? "RST" : rc == R_TIMEOUT ? "still open" : "bad bytes";
}

/* Reads until the server closes or wait_ms pass, printing every frame but STATE and CHAT (and
 * counting those), then how it ended and when: "then: EOF after 1234 ms". */
static int watch(struct reader *r, int wait_ms, uint64_t t0)
{
    uint64_t deadline = os_now_us() + (uint64_t)wait_ms * 1000u;
    long states = 0, chats = 0;
    struct proto_frame f;
    int rc;
    for (;;) {
        uint64_t now = os_now_us();
        int left = now >= deadline ? 0 : (int)((deadline - now) / 1000u);
        rc = left > 0 ? read_frame(r, &f, left) : R_TIMEOUT;
        if (rc != R_FRAME)
            break;
        if (f.type == PROTO_STATE)
            states++;
        else if (f.type == PROTO_CHAT)
            chats++;
        else
            printf("%s: %.*s\n", proto_type_name(f.type), (int)f.payload_len, (const char *)f.payload);
    }
    printf("then: %s after %lu ms (%ld STATE, %ld CHAT)\n", end_name(rc),
           (unsigned long)((os_now_us() - t0) / 1000u), states, chats);
    fflush(stdout);
    return rc;
}

/* One game connection that misbehaves in time: silent (sends nothing), pings (PING every 200 ms
 * but never HELLO), half (HELLO, then the first 3 bytes of a MOVE), idle (HELLO, then nothing but
 * reading), moving (HELLO, then a MOVE every 200 ms). */
int cmd_linger(const char *mode, int wait_ms)
{
    static struct reader r;
    struct proto_frame f;
    uint8_t out[64];
    uint64_t t0 = os_now_us(), deadline = t0 + (uint64_t)wait_ms * 1000u;
    size_t n;
    int rc = R_TIMEOUT;

    r.s = dial();
    if (strcmp(mode, "half") == 0 || strcmp(mode, "idle") == 0 || strcmp(mode, "moving") == 0) {
        send_frame(r.s, proto_encode_hello("linger", out, sizeof out), out);
        expect_frame(&r, PROTO_WELCOME, &f);
    }
    if (strcmp(mode, "half") == 0) {
        n = proto_encode_move(1, 2, out, sizeof out);
        send_all(r.s, out, n - 4);
    }
    if (strcmp(mode, "pings") == 0 || strcmp(mode, "moving") == 0) {
        while (os_now_us() < deadline) {
            if (mode[0] == 'p')
                n = proto_encode_ping(PROTO_PING, os_now_us(), out, sizeof out);
            else
                n = proto_encode_move(3, 4, out, sizeof out);
            if (sock_send(r.s, out, n) != (long)n)
                break;
            rc = watch(&r, 200, t0);
            if (rc != R_TIMEOUT)
                break;
        }
    } else {
        rc = watch(&r, wait_ms, t0);
    }
    sock_close(r.s);
    return rc == R_TIMEOUT || rc == R_EOF ? 0 : 1;
}

/* n connections (from src, if given) that send `first` (len bytes, maybe none) and then nothing,
 * held hold_ms, then closed; `what` says so once they are all open. */
static int hold_open(int n, int hold_ms, const char *src, const void *first, size_t len, const char *what)
{
    sock_t *s = calloc((size_t)n, sizeof *s);
    int i;
    if (s == NULL)
        die("out of memory", NULL);
    need_fds(n);
    for (i = 0; i < n; i++) {
        s[i] = dial_from(src);
        if (len > 0)
            send_all(s[i], first, len);
    }
    printf("%d %s\n", n, what);
    fflush(stdout);
    os_sleep_ms(hold_ms);
    for (i = 0; i < n; i++)
        sock_close(s[i]);
    free(s);
    return 0;
}

/* n connections that say nothing (from src, if given), held hold_ms, then closed. */
int cmd_silent(int n, int hold_ms, const char *src)
{
    return hold_open(n, hold_ms, src, NULL, 0, "silent connections open");
}

/* A player (from src, if given): HELLO, and what came back within 5 s - "WELCOME after 3 ms", or
 * the ERROR and how the connection ended. */
int cmd_player(const char *src)
{
    static struct reader r;
    struct proto_frame f;
    uint8_t out[64];
    uint64_t t0 = os_now_us();
    int rc;

    r.s = dial_from(src);
    send_frame(r.s, proto_encode_hello("player", out, sizeof out), out);
    rc = read_frame(&r, &f, TIMEOUT_MS);
    if (rc == R_FRAME && f.type == PROTO_WELCOME) {
        printf("WELCOME after %lu ms\n", (unsigned long)((os_now_us() - t0) / 1000u));
    } else if (rc == R_FRAME) {
        printf("%s: %.*s\n", proto_type_name(f.type), (int)f.payload_len, (const char *)f.payload);
        watch(&r, 2000, t0);
    } else {
        printf("then: %s after %lu ms\n", end_name(rc), (unsigned long)((os_now_us() - t0) / 1000u));
    }
    sock_close(r.s);
    return 0;
}

/* n connections, each sending the first byte of a frame and nothing more, held hold_ms. */
int cmd_onebyte(int n, int hold_ms)
{
    return hold_open(n, hold_ms, NULL, "\x00", 1, "connections sent one byte");
}

/* Sends frames of one kind as fast as the server takes them for up to ms, after HELLO: chat (200
 * bytes of text each; a second player in the room counts what the room got), longchat (1000
 * bytes), ping, move, each until the ERROR; or bad: an unknown frame type, then 64 KiB blocks of
 * junk for as long as the connection takes them. Prints what it sent, what came back and how the
 * connection ended. */
int cmd_rateflood(const char *kind, int ms)
{
    static struct reader r, room;
    static uint8_t junk[65536];
    static char text[1001];
    struct proto_frame f;
    uint8_t out[1100], batch[4096];
    uint64_t t0, end, answers = 0;
    long frames = 0, bytes = 0;
    size_t one = 0, n = 0;
    int rc = R_TIMEOUT, have_room = strcmp(kind, "chat") == 0;

    memset(text, 'c', strcmp(kind, "longchat") == 0 ? 1000 : 200);
    if (have_room) {
        room.s = dial();
        send_frame(room.s, proto_encode_hello("room", out, sizeof out), out);
        expect_frame(&room, PROTO_WELCOME, &f);
    }
    r.s = dial();
    send_frame(r.s, proto_encode_hello("flooder", out, sizeof out), out);
    expect_frame(&r, PROTO_WELCOME, &f);
    if (strcmp(kind, "chat") == 0 || strcmp(kind, "longchat") == 0)
        one = proto_encode_text(PROTO_CHAT, text, out, sizeof out);
    else if (strcmp(kind, "ping") == 0)
        one = proto_encode_ping(PROTO_PING, 1, out, sizeof out);
    else if (strcmp(kind, "move") == 0)
        one = proto_encode_move(5, 6, out, sizeof out);
    else if (strcmp(kind, "bad") == 0)
        one = 0;
    else
        die("rateflood: the kinds are chat, longchat, ping, move, bad", kind);
    while (one > 0 && n + one <= sizeof batch) {
        memcpy(batch + n, out, one);
        n += one;
    }
    if (one == 0) { /* len 1, type 42: unknown, a protocol error at once */
        batch[0] = 0, batch[1] = 1, batch[2] = 42;
        n = 3;
    }
    sock_set_nonblocking(r.s, 1, NULL);
    t0 = os_now_us();
    end = t0 + (uint64_t)ms * 1000u;
    while (os_now_us() < end) { /* bounded by time; the socket never blocks */
        const uint8_t *p = one == 0 && frames > 0 ? junk : batch;
        size_t len = one == 0 && frames > 0 ? sizeof junk : n;
        long k = sock_send(r.s, p, len);
        if (k < 0 && !sock_err_is_retriable(sock_last_error()))
            break;
        if (k > 0) {
            bytes += k;
            frames += one > 0 ? (long)((size_t)k / one) : 1;
        }
        while (rc != R_EOF && (rc = read_frame(&r, &f, 0)) == R_FRAME) {
            if (f.type == PROTO_ERROR) {
                printf("ERROR: %.*s\n", (int)f.payload_len, (const char *)f.payload);
                if (one > 0)
                    end = 0; /* stop sending; what follows is read below. bad: go on pushing */
            } else if (f.type == PROTO_PONG || f.type == PROTO_CHAT) {
                answers++;
            }
        }
        if (rc == R_RESET || (rc == R_EOF && one > 0))
            break; /* bad: a hostile client ignores the server's FIN and pushes on */
        if (k <= 0)
            sock_wait(r.s, 1, 50);
    }
    printf("sent %ld bytes (%ld frames) in %lu ms; %llu PONG or CHAT came back to the sender\n", bytes, frames,
           (unsigned long)((os_now_us() - t0) / 1000u), (unsigned long long)answers);
    sock_set_nonblocking(r.s, 0, NULL);
    if (rc != R_EOF && rc != R_RESET)
        rc = watch(&r, 3000, t0);
    else
        printf("then: %s\n", end_name(rc));
    if (have_room) { /* what the room got: everything it holds, read for a second and a half */
        uint64_t stop = os_now_us() + 1500000u;
        long got = 0;
        while (os_now_us() < stop && read_frame(&room, &f, 300) == R_FRAME)
            got += f.type == PROTO_CHAT;
        printf("the room's other player got %ld CHAT frames\n", got);
        sock_close(room.s);
    }
    sock_close(r.s);
    return 0;
}

/* n connections one after another, each closed at once: log lines, not load. */
int cmd_churn(int n)
{
    int i;
    for (i = 0; i < n; i++)
        sock_close(dial());
    printf("%d connections opened and closed\n", n);
    return 0;
}
