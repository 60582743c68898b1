/* bot_test_server.c - a misbehaving server for socklab-bot's tests, built on compat only.
 *
 *   bot_test_server reset PORT [SECONDS]  accept, then close with SO_LINGER {1, 0}: the kernel
 *                                         drops the connection and sends RST, so the peer's next
 *                                         recv/send fails with ECONNRESET (or EPIPE)
 *   bot_test_server eof PORT [SECONDS]    accept, then shutdown(SHUT_WR): a graceful FIN at once;
 *                                         whatever the peer sends is read and dropped until it
 *                                         closes too, so unread data never turns the close into RST
 *
 * Listens on 127.0.0.1 (PORT 0 = ephemeral) and prints "listening on <port>"; exits by itself
 * after SECONDS (default 30). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/cli.h"
#include "compat/sock.h"

#define PROG "bot_test_server"

static int reset_mode;

static void on_peer(evutil_socket_t fd, short what, void *arg)
{
    struct event *ev = arg;
    char buf[4096];
    int i;
    (void)what;
    for (i = 0; i < 16; i++) {
        long n = sock_recv((sock_t)fd, buf, sizeof buf);
        if (n > 0)
            continue;
        if (n < 0 && sock_err_is_retriable(sock_last_error()))
            return;
        sock_close((sock_t)fd); /* EOF from the peer (or an error): done with it */
        event_free(ev);
        return;
    }
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
    struct event_base *base = arg;
    char err[SOCK_ERR_LEN];
    int i;
    (void)what;
    for (i = 0; i < 64; i++) {
        sock_t s = sock_accept((sock_t)lfd, err);
        struct event *ev;
        if (s == SOCK_INVALID)
            return; /* nothing more pending (EAGAIN), or a failed accept: both end this round */
        if (reset_mode) {
            if (sock_set_linger(s, 1, 0, err) != 0)
                fprintf(stderr, "%s: %s\n", PROG, err);
            sock_close(s);
            continue;
        }
        if (sock_set_nonblocking(s, 1, err) != 0 || sock_shutdown(s, SOCK_SHUT_WR, err) != 0) {
            fprintf(stderr, "%s: %s\n", PROG, err);
            sock_close(s);
            continue;
        }
        ev = event_new(base, s, EV_READ | EV_PERSIST, on_peer, event_self_cbarg());
        if (ev == NULL || event_add(ev, NULL) != 0) {
            sock_close(s);
            if (ev != NULL)
                event_free(ev);
        }
    }
}

int main(int argc, char **argv)
{
    char err[SOCK_ERR_LEN];
    uint16_t port;
    long secs = 30;
    sock_t ls;
    struct event_base *base;
    struct event *lev;
    struct timeval tv;

    if (argc < 3 || (strcmp(argv[1], "reset") != 0 && strcmp(argv[1], "eof") != 0) ||
        cli_parse_port(argv[2], &port) != 0 || (argc > 3 && cli_parse_long(argv[3], 1, 600, &secs) != 0)) {
        fprintf(stderr, "usage: %s reset|eof PORT [SECONDS]\n", PROG);
        return 2;
    }
    reset_mode = strcmp(argv[1], "reset") == 0;
    if (sock_init(err) != 0) {
        fprintf(stderr, "%s: %s\n", PROG, err);
        return 1;
    }
    ls = sock_listen_tcp("127.0.0.1", port, 128, err);
    if (ls == SOCK_INVALID || sock_set_nonblocking(ls, 1, err) != 0) {
        fprintf(stderr, "%s: %s\n", PROG, err);
        return 1;
    }
    base = event_base_new();
    lev = event_new(base, ls, EV_READ | EV_PERSIST, on_accept, base);
    if (base == NULL || lev == NULL || event_add(lev, NULL) != 0) {
        fprintf(stderr, "%s: event loop setup failed\n", PROG);
        return 1;
    }
    printf("listening on %u (%s)\n", (unsigned)sock_local_port(ls), argv[1]);
    fflush(stdout);
    tv.tv_sec = secs;
    tv.tv_usec = 0;
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
    event_free(lev);
    event_base_free(base);
    sock_close(ls);
    sock_cleanup();
    return 0;
}
