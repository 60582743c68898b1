/* listener.c - accepting connections with an evconnlistener on a socket from sock_listen_tcp.
 *
 * When the process runs out of descriptors, accept() fails with EMFILE while the connection stays
 * in the backlog, so the listening socket stays readable: a listener that just logs and carries on
 * spins at 100% CPU (libevent#71). Instead the oldest connection that has not greeted yet is shed
 * (silent sockets must not lock real players out), and only when there is none is the listener
 * disabled and re-enabled 100 ms later, by which time closing connections may have freed
 * descriptors.
 *
 * --allow is decided here too, before anything else sees the connection, in every mode: a source
 * outside the list is closed at once and learns nothing. */
#include "server/server.h"

#include <stdio.h>

#define SRV_BACKLOG 511
#define ACCEPT_RETRY_MS 100

static int allowed(const struct srv *s, const struct sockaddr *addr, int addrlen)
{
    struct sock_ip ip;
    size_t i;
    sock_ip_of(addr, addrlen, &ip);
    for (i = 0; i < s->n_allow; i++)
        if (sock_cidr_match(&s->allow[i], &ip))
            return 1;
    return 0;
}

static void on_accepted(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr, int addrlen,
                        void *arg)
{
    struct srv *s = arg;
    if (s->n_allow > 0 && !allowed(s, addr, addrlen)) {
        char ipt[64];
        struct sock_ip ip;
        s->counts.refused_allow++;
        sock_ip_of(addr, addrlen, &ip);
        srv_log_conn(s, ++s->next_id, "refused: %s is not in --allow", sock_ip_text(&ip, ipt, sizeof ipt));
        sock_close(fd);
        return;
    }
    if (s->accept_paused) {
        srv_log("accepting again after a descriptor shortage (%lu retries)", s->accept_retries);
        s->accept_paused = 0;
        s->accept_retries = 0;
    }
    s->on_accept(l, fd, addr, addrlen, s);
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    struct srv *s = arg;
    int code = sock_last_error();
    char text[128];
    struct timeval tv;

    sock_err_text(code, text, sizeof text);
    if (!sock_err_is_fd_limit(code)) {
        srv_log("accept: %s (still listening)", text);
        return;
    }
    /* The reaper closes the shed one before the loop polls again: the next accept has its descriptor. */
    if (srv_limits_shed(s, "shed: not greeted yet, and descriptors ran short"))
        return;
    if (!s->accept_paused)
        srv_log("accept: %s: pausing accepts, retrying every %d ms", text, ACCEPT_RETRY_MS);
    else
        s->accept_retries++;
    s->accept_paused = 1;
    evconnlistener_disable(l);
    tv.tv_sec = 0;
    tv.tv_usec = ACCEPT_RETRY_MS * 1000;
    evtimer_add(s->accept_retry, &tv);
}

static void on_accept_retry(evutil_socket_t fd, short what, void *arg)
{
    struct srv *s = arg;
    (void)fd, (void)what;
    if (s->listener != NULL && !s->stopping)
        evconnlistener_enable(s->listener);
}

int srv_listener_start(struct srv *s, evconnlistener_cb on_accept)
{
    char err[SOCK_ERR_LEN];
    unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC;
    sock_t fd = sock_listen_tcp(s->cfg.bind, s->cfg.port, SRV_BACKLOG, err);

    if (fd == SOCK_INVALID) {
        fprintf(stderr, "%s: cannot listen on %s:%u: %s\n", SRV_PROG, s->cfg.bind, (unsigned)s->cfg.port,
                err);
        return -1;
    }
    if (sock_set_nonblocking(fd, 1, err) != 0) {
        fprintf(stderr, "%s: %s\n", SRV_PROG, err);
        sock_close(fd);
        return -1;
    }
    s->port = sock_local_port(fd);
    s->on_accept = on_accept;
    s->accept_retry = evtimer_new(s->base, on_accept_retry, s);
    /* Backlog 0: the socket already listens with SRV_BACKLOG; -1 would call listen() again with
     * libevent's 128, too few for a burst of a few hundred connects. */
    s->listener = s->accept_retry == NULL ? NULL : evconnlistener_new(s->base, on_accepted, s, flags, 0, fd);
    if (s->listener == NULL) {
        fprintf(stderr, "%s: cannot watch the listening socket\n", SRV_PROG);
        sock_close(fd);
        return -1;
    }
    evconnlistener_set_error_cb(s->listener, on_accept_error);
    return 0;
}

void srv_listener_stop(struct srv *s)
{
    if (s->listener != NULL)
        evconnlistener_free(s->listener);
    s->listener = NULL;
    if (s->accept_retry != NULL)
        event_free(s->accept_retry);
    s->accept_retry = NULL;
}
