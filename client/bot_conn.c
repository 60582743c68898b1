/* bot_conn.c - one connection's life on the event loop: the connect and its outcome, reads into
 * the loop's shared buffer, writes, timers, the graceful close, and exactly how the connection
 * ended - every end of a bot is decided here. The protocols (bot_game.c, bot_echo.c) sit on top;
 * bot_out.c below only reports what a send did. The loop (bot_loop.c) is told through its start
 * event that a pacing slot came free: this file never calls it. */
#include "client/bot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

static void on_read(evutil_socket_t fd, short what, void *arg);
static void on_write(evutil_socket_t fd, short what, void *arg);
static void on_timer(evutil_socket_t fd, short what, void *arg);
static int shutdown_write(struct bot *b);

static void us_to_tv(struct timeval *tv, uint64_t us)
{
    tv->tv_sec = (long)(us / 1000000u);
    tv->tv_usec = (long)(us % 1000000u);
}

void bot_schedule(struct bot *b, uint64_t at, uint64_t now)
{
    struct timeval tv;
    us_to_tv(&tv, at > now ? at - now : 0);
    event_add(b->tev, &tv);
}

/* Names a failed socket call's end: refused, reset, timed out, or another named error. */
static void end_on_error(struct bot *b, int code, int connecting)
{
    const char *name = sock_err_name(code);
    if (code == SOCK_ECONNREFUSED)
        bot_end(b, BOT_END_REFUSED, name);
    else if (sock_err_is_reset(code))
        bot_end(b, BOT_END_RESET, name);
    else if (code == SOCK_ETIMEDOUT)
        bot_end(b, BOT_END_TIMEOUT, name);
    else
        bot_end(b, connecting ? BOT_END_CONNECT_ERROR : BOT_END_ERROR, name);
}

/* A bot stops playing (its end of play, or it ended): the all-playing window closes. */
static void full_close(struct bot_loop *L, uint64_t now)
{
    struct bot_stats *st = L->st;
    if (st->full != 1)
        return;
    st->full = 2;
    st->full_t1 = now;
    st->full_rx1 = st->bytes_received;
    st->full_tx1 = st->bytes_sent;
}

/* Every bot has been answered and none has stopped: from now on the server holds all of them. */
static void full_open(struct bot_loop *L, uint64_t now)
{
    struct bot_stats *st = L->st;
    if (st->full != 0 || L->joined < L->nbots || L->ended > 0)
        return;
    st->full = 1;
    st->full_t0 = now;
    st->full_rx0 = st->bytes_received;
    st->full_tx0 = st->bytes_sent;
}

void bot_end(struct bot *b, enum bot_end why, const char *detail)
{
    struct bot_loop *L = b->loop;
    if (b->state == BOT_ENDED || b->state == BOT_QUEUED)
        return;
    full_close(L, os_now_us());
    if (b->err_text != NULL) { /* the server said why before it went: that is the story */
        why = BOT_END_PROTOCOL_ERROR;
        detail = b->err_text;
    }
    bot_stats_end(L->st, why, detail);
    if (b->pacing)
        L->in_flight--;
    b->pacing = 0;
    if (b->rev != NULL)
        event_free(b->rev);
    if (b->wev != NULL)
        event_free(b->wev);
    if (b->tev != NULL)
        event_free(b->tev);
    b->rev = b->wev = b->tev = NULL;
    sock_close(b->fd);
    b->fd = SOCK_INVALID;
    free(b->out);
    free(b->carry);
    free(b->err_text);
    b->out = NULL;
    b->carry = NULL;
    b->err_text = NULL;
    b->carry_len = 0;
    b->state = BOT_ENDED;
    L->active--;
    L->ended++;
    L->st->t_last = os_now_us();
    /* A pacing slot came free, or the last bot ended: the loop starts more, or stops. */
    event_active(L->start_ev, EV_TIMEOUT, 0);
}

void bot_begin_close(struct bot *b, uint64_t now, int proto_busy)
{
    if (b->state == BOT_ENDED || b->state == BOT_CLOSING)
        return;
    b->state = BOT_CLOSING;
    b->t_end = now + BOT_CLOSE_WAIT_US;
    bot_schedule(b, b->t_end, now);
    if (b->out == NULL && !proto_busy)
        (void)shutdown_write(b);
}

/* FIN now, if not sent yet (the protocol finished its last message). -1 if the bot ended. */
static int shutdown_write(struct bot *b)
{
    if (b->shut_wr)
        return 0;
    b->shut_wr = 1;
    if (sock_shutdown(b->fd, SOCK_SHUT_WR, NULL) != 0) {
        end_on_error(b, sock_last_error(), 0);
        return -1;
    }
    return 0;
}

void bot_play_begin(struct bot *b, uint64_t now)
{
    const struct bot_opts *o = b->loop->o;
    b->state = BOT_PLAYING;
    b->t_end = o->duration_s > 0 ? now + (uint64_t)o->duration_s * 1000000u : 0;
    if (b->loop->stopping)
        b->t_end = now;
    bot_schedule(b, now, now); /* on_timer plans the first messages and the end of play */
}

static void connect_done(struct bot *b, short what)
{
    struct bot_loop *L = b->loop;
    uint64_t now = os_now_us();
    int code;
    if (what & EV_TIMEOUT) {
        char d[64];
        snprintf(d, sizeof d, "connect not completed within %d ms", L->o->connect_timeout_ms);
        bot_end(b, BOT_END_TIMEOUT, d);
        return;
    }
    code = sock_connect_result(b->fd);
    if (code != 0 && !sock_err_is_reset(code)) {
        end_on_error(b, code, 1);
        return;
    }
    /* connected; a reset here came after the handshake completed (SYN_SENT turns a RST into
     * ECONNREFUSED), so the connection did exist. It stays counted in in_flight until the server's
     * first byte: a completed handshake only means the server's kernel queued the connection, and
     * counting it out now would let a server that is slow to accept() overflow its backlog. */
    b->state = BOT_HELLO;
    L->st->connected++;
    bot_series_add(L->st, &L->st->connect_us, now - b->t_start);
    if (code != 0) {
        bot_end(b, BOT_END_RESET, sock_err_name(code));
        return;
    }
    b->t_last_rx = now;
    event_add(b->rev, NULL);
    if (L->ops->on_connected(b, now) < 0)
        return;
    if (b->state != BOT_ENDED)
        on_timer(b->fd, EV_TIMEOUT, b);
}

/* ---- events -------------------------------------------------------------------------------- */

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct bot *b = arg;
    struct bot_loop *L = b->loop;
    size_t have = b->carry_len;
    long n, used;
    uint64_t now;
    (void)fd;
    (void)what;
    if (have > 0)
        memcpy(L->rbuf, b->carry, have);
    n = sock_recv(b->fd, L->rbuf + have, L->rbuf_cap - have);
    if (n < 0) {
        int code = sock_last_error();
        if (!sock_err_is_retriable(code))
            end_on_error(b, code, 0);
        return;
    }
    if (n == 0) { /* the server's FIN: after our own close it is the end we asked for */
        bot_end(b, b->state == BOT_CLOSING ? BOT_END_DONE : BOT_END_EOF, NULL);
        return;
    }
    now = os_now_us();
    b->t_last_rx = now;
    L->st->bytes_received += (uint64_t)n;
    if (b->pacing) { /* the server's first byte: it accepted us and answered */
        b->pacing = 0;
        L->in_flight--;
        L->joined++;
        bot_series_add(L->st, &L->st->reply_us, now - b->t_start);
        full_open(L, now);
        event_active(L->start_ev, EV_TIMEOUT, 0); /* the loop may start another bot */
    }
    used = L->ops->on_data(b, L->rbuf, have + (size_t)n, now);
    if (used < 0 || b->state == BOT_ENDED)
        return;
    free(b->carry);
    b->carry = NULL;
    b->carry_len = 0;
    if ((size_t)used < have + (size_t)n) {
        size_t rest = have + (size_t)n - (size_t)used;
        if (rest > BOT_CARRY_MAX || (b->carry = malloc(rest)) == NULL) {
            bot_end(b, BOT_END_PROTOCOL_ERROR, "partial frame too large to keep");
            return;
        }
        memcpy(b->carry, L->rbuf + used, rest);
        b->carry_len = (uint16_t)rest;
    }
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    struct bot *b = arg;
    int busy, code = 0;
    (void)fd;
    if (b->state == BOT_CONNECTING) {
        connect_done(b, what);
        return;
    }
    switch (bot_out_flush(b, &code)) {
    case BOT_OUT_FAILED:
        end_on_error(b, code, 0);
        return;
    case BOT_OUT_QUEUED:
        return; /* bot_out_some armed the write event */
    default:
        break;
    }
    busy = b->loop->ops->on_writable(b, os_now_us());
    if (busy < 0 || b->state == BOT_ENDED)
        return;
    if (b->state == BOT_CLOSING && b->out == NULL && !busy)
        (void)shutdown_write(b);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct bot *b = arg;
    struct bot_loop *L = b->loop;
    uint64_t now = os_now_us(), next = 0, idle_at;
    int busy;
    (void)fd;
    (void)what;
    if (b->state == BOT_CLOSING) {
        if (now >= b->t_end) {
            bot_end(b, BOT_END_TIMEOUT, b->shut_wr ? "no EOF within 2 s of closing"
                                                   : "output not written within 2 s of closing");
            return;
        }
        bot_schedule(b, b->t_end, now);
        return;
    }
    idle_at = b->t_last_rx + (uint64_t)L->o->idle_timeout_ms * 1000u;
    if (now >= idle_at) {
        char d[64];
        snprintf(d, sizeof d, "%s for %d ms", b->state == BOT_HELLO ? "no WELCOME" : "no data",
                 L->o->idle_timeout_ms);
        bot_end(b, BOT_END_TIMEOUT, d);
        return;
    }
    if (b->state == BOT_PLAYING && b->t_end != 0 && now >= b->t_end) {
        full_close(L, now);
        busy = L->ops->on_stop(b, now);
        if (busy >= 0 && b->state != BOT_ENDED)
            bot_begin_close(b, now, busy);
        return;
    }
    if (L->ops->on_timer(b, now, &next) < 0 || b->state == BOT_ENDED)
        return;
    if (next == 0 || next > idle_at)
        next = idle_at;
    if (b->state == BOT_PLAYING && b->t_end != 0 && b->t_end < next)
        next = b->t_end;
    bot_schedule(b, next, now);
}

/* ---- writing, for the protocols ------------------------------------------------------------- */

int bot_send(struct bot *b, const void *p, size_t n)
{
    int code = 0;
    switch (bot_out_write(b, p, n, &code)) {
    case BOT_OUT_FAILED:
        end_on_error(b, code, 0);
        return -1;
    case BOT_OUT_NO_MEMORY:
        bot_end(b, BOT_END_ERROR, "out of memory");
        return -1;
    default:
        return 0;
    }
}

long bot_send_some(struct bot *b, const void *p, size_t n)
{
    long sent = 0;
    int code = 0;
    if (bot_out_some(b, p, n, &sent, &code) == BOT_OUT_FAILED) {
        end_on_error(b, code, 0);
        return -1;
    }
    return sent;
}

/* ---- starting ------------------------------------------------------------------------------- */

void bot_start(struct bot *b)
{
    struct bot_loop *L = b->loop;
    char err[SOCK_ERR_LEN];
    uint64_t now = os_now_us();
    struct timeval tv;
    L->st->attempted++;
    if (L->st->t_first == 0)
        L->st->t_first = now;
    b->t_start = now;
    b->fd = sock_connect_tcp_start(L->o->addr, L->o->port, err);
    if (b->fd == SOCK_INVALID) {
        int code = sock_last_error();
        b->state = BOT_ENDED; /* nothing to free */
        L->ended++;
        L->st->t_last = now;
        bot_stats_end(L->st, code == SOCK_ECONNREFUSED ? BOT_END_REFUSED : BOT_END_CONNECT_ERROR,
                      sock_err_name(code));
        if (!L->o->quiet && L->ended == 1)
            fprintf(stderr, "socklab-bot: bot %u: %s\n", (unsigned)b->index, err);
        return;
    }
    /* Small frames written back to back (MOVE then PING) would otherwise wait for the ACK of the
     * first (Nagle), which the server delays up to 40 ms: RTT p99 would show the delayed ACK. */
    if (!L->o->nagle && sock_set_nodelay(b->fd, 1, err) != 0 && !L->o->quiet && b->index == 0)
        fprintf(stderr, "socklab-bot: %s (continuing with Nagle on)\n", err);
    b->rev = event_new(L->base, b->fd, EV_READ | EV_PERSIST, on_read, b);
    b->wev = event_new(L->base, b->fd, EV_WRITE, on_write, b);
    b->tev = evtimer_new(L->base, on_timer, b);
    b->state = BOT_CONNECTING;
    b->pacing = 1;
    L->in_flight++;
    L->active++;
    if (b->rev == NULL || b->wev == NULL || b->tev == NULL) {
        bot_end(b, BOT_END_CONNECT_ERROR, "out of memory");
        return;
    }
    us_to_tv(&tv, (uint64_t)L->o->connect_timeout_ms * 1000u);
    event_add(b->wev, &tv);
}
