/* probe.c - server_probe, a small client that drives socklab-server the way the server tests need:
 * game frames, bad frames, resets, many connections. Built on compat/ so it runs wherever the server
 * does. This file: the shared helpers and the command line.
 *
 *   server_probe hello  PORT                  game: HELLO, WELCOME, PING/PONG, CHAT, MOVE seen in STATE
 *   server_probe oversize PORT                game: a len=5000 frame -> one ERROR, then EOF (not RST)
 *   server_probe garbage PORT SEED BYTES [hello]  game: random bytes and frames, reading what comes back
 *   server_probe rst    PORT ROUNDS           echo: fill the server's output, then reset (SO_LINGER 0)
 *   server_probe many   PORT N                echo: N connections open at once, each echoes its own line
 *   server_probe emfile PORT N HOLD_MS        echo: N connections held open, then closed; a new one works
 *   server_probe stuff  PORT MS               echo: fill the server's output, then read nothing for MS
 *   server_probe rules  PORT                  game: PING before HELLO is answered, MOVE gets ERROR + EOF
 *   server_probe rooms  PORT N                game: N players join; prints each one's room head count
 *   server_probe lesson PORT NAME             the client side of lesson NAME (its report on stdout)
 *   server_probe slowroom PORT MB             game: one player never reads while another sends MB of CHAT
 *   server_probe flood  PORT MS               game: one player floods MOVE for MS; another counts STATEs
 *   server_probe linger PORT MODE MS          game: silent|pings|half|idle|moving for up to MS: what came
 *   server_probe silent PORT N MS [SRC]       N connections (from address SRC) that say nothing, for MS
 *   server_probe player PORT [SRC]            game: HELLO (from SRC): WELCOME, or the refusal
 *   server_probe onebyte PORT N MS            N connections that send one byte of a frame, held MS
 *   server_probe rateflood PORT KIND MS       game: flood chat|ping|move frames, or bad + junk, for MS
 *   server_probe churn  PORT N                N connections opened and closed one after another
 *
 * Prints what it saw on stdout; exit 0 when the server behaved, 1 when not, 2 on bad usage. */
#include "tests/server/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

uint16_t g_port;

void die(const char *what, const char *detail)
{
    fprintf(stderr, "server_probe: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

sock_t dial(void)
{
    char err[SOCK_ERR_LEN];
    sock_t s = sock_connect_tcp(HOST, g_port, 3000, err);
    if (s == SOCK_INVALID)
        die("connect", err);
    return s;
}

void need_fds(int n)
{
    long have = os_raise_fd_limit(n + 64);
    if (have >= 0 && have < n + 16) /* -1: the platform has no such limit to raise */
        die("cannot raise the descriptor limit far enough", NULL);
}

void send_all(sock_t s, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        long n = sock_send(s, p, len);
        if (n <= 0)
            die("send", sock_err_name(sock_last_error()));
        p += n;
        len -= (size_t)n;
    }
}

/* ---- reading frames with a deadline ---------------------------------------------------------- */

int read_frame(struct reader *r, struct proto_frame *f, int timeout_ms)
{
    uint64_t deadline = os_now_us() + (uint64_t)timeout_ms * 1000u;
    memmove(r->buf, r->buf + r->skip, r->len - r->skip);
    r->len -= r->skip;
    r->skip = 0;
    for (;;) {
        size_t used;
        uint64_t now;
        int wait_ms;
        long n;
        enum proto_status st = proto_parse(r->buf, r->len, f, &used);
        if (st == PROTO_OK) {
            r->skip = used;
            return R_FRAME;
        }
        if (st != PROTO_NEED_MORE)
            return R_BAD;
        /* timeout 0: the caller made the socket non-blocking and wants only what is there now (a
         * short sock_wait may report its timeout even when the socket is ready). */
        now = os_now_us();
        wait_ms = now >= deadline ? 1 : (int)((deadline - now) / 1000u) + 1;
        if (timeout_ms > 0 && sock_wait(r->s, 0, wait_ms) != 1)
            return R_TIMEOUT;
        n = sock_recv(r->s, r->buf + r->len, sizeof r->buf - r->len);
        if (n == 0)
            return R_EOF;
        if (n < 0)
            return sock_err_is_retriable(sock_last_error()) ? R_TIMEOUT : R_RESET;
        r->len += (size_t)n;
    }
}

/* Reads frames until one of `type` arrives, skipping the STATE ticks in between. */
void expect_frame(struct reader *r, uint8_t type, struct proto_frame *f)
{
    uint64_t deadline = os_now_us() + TIMEOUT_MS * 1000u;
    while (os_now_us() < deadline) {
        int rc = read_frame(r, f, TIMEOUT_MS);
        if (rc != R_FRAME) {
            fprintf(stderr, "server_probe: waiting for %s: read result %d\n", proto_type_name(type), rc);
            exit(1);
        }
        if (f->type == type)
            return;
        if (f->type != PROTO_STATE && f->type != PROTO_CHAT)
            die("unexpected frame", proto_type_name(f->type));
    }
    die("timed out waiting for", proto_type_name(type));
}

void send_frame(sock_t s, size_t len, const uint8_t *frame)
{
    if (len == 0)
        die("encode", "frame did not fit");
    send_all(s, frame, len);
}

/* ---- main ------------------------------------------------------------------------------------ */

static long arg_num(int argc, char **argv, int i, long min, long max)
{
    char *end;
    long v;
    if (i >= argc)
        die("missing argument (see the header of probe.c)", NULL);
    v = strtol(argv[i], &end, 10);
    if (*end != '\0' || v < min || v > max)
        die("bad number", argv[i]);
    return v;
}

int main(int argc, char **argv)
{
    char err[SOCK_ERR_LEN];
    const char *cmd = argc > 1 ? argv[1] : "";

    if (argc < 3) {
        fprintf(stderr, "usage: server_probe COMMAND PORT ... (commands: see tests/server/probe.c)\n");
        return 2;
    }
    if (sock_init(err) != 0)
        die("sock_init", err);
    g_port = (uint16_t)arg_num(argc, argv, 2, 1, 65535);
    if (strcmp(cmd, "hello") == 0)
        return cmd_hello();
    if (strcmp(cmd, "oversize") == 0)
        return cmd_oversize();
    if (strcmp(cmd, "garbage") == 0)
        return cmd_garbage((unsigned long)arg_num(argc, argv, 3, 0, 1L << 30),
                           arg_num(argc, argv, 4, 1, 1L << 30), argc > 5 && strcmp(argv[5], "hello") == 0);
    if (strcmp(cmd, "rst") == 0)
        return cmd_rst((int)arg_num(argc, argv, 3, 1, 1000));
    if (strcmp(cmd, "many") == 0)
        return cmd_many((int)arg_num(argc, argv, 3, 1, 20000));
    if (strcmp(cmd, "emfile") == 0)
        return cmd_emfile((int)arg_num(argc, argv, 3, 1, 20000), (int)arg_num(argc, argv, 4, 0, 60000));
    if (strcmp(cmd, "stuff") == 0)
        return cmd_stuff((int)arg_num(argc, argv, 3, 0, 60000));
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules();
    if (strcmp(cmd, "rooms") == 0)
        return cmd_rooms((int)arg_num(argc, argv, 3, 1, 1000));
    if (strcmp(cmd, "lesson") == 0)
        return argc > 3 ? cmd_lesson(argv[3]) : 2;
    if (strcmp(cmd, "slowroom") == 0)
        return cmd_slowroom(arg_num(argc, argv, 3, 1, 1024));
    if (strcmp(cmd, "flood") == 0)
        return cmd_flood((int)arg_num(argc, argv, 3, 1, 60000));
    if (strcmp(cmd, "linger") == 0 && argc > 4)
        return cmd_linger(argv[3], (int)arg_num(argc, argv, 4, 1, 120000));
    if (strcmp(cmd, "silent") == 0)
        return cmd_silent((int)arg_num(argc, argv, 3, 1, 20000), (int)arg_num(argc, argv, 4, 0, 120000),
                          argc > 5 ? argv[5] : NULL);
    if (strcmp(cmd, "player") == 0)
        return cmd_player(argc > 3 ? argv[3] : NULL);
    if (strcmp(cmd, "onebyte") == 0)
        return cmd_onebyte((int)arg_num(argc, argv, 3, 1, 20000), (int)arg_num(argc, argv, 4, 0, 120000));
    if (strcmp(cmd, "rateflood") == 0 && argc > 4)
        return cmd_rateflood(argv[3], (int)arg_num(argc, argv, 4, 1, 60000));
    if (strcmp(cmd, "churn") == 0)
        return cmd_churn((int)arg_num(argc, argv, 3, 1, 100000));
    fprintf(stderr, "server_probe: unknown command '%s'\n", cmd);
    return 2;
}
