/* loadgen_pingpong.c - the pingpong load: one --size message in flight per connection; the next
 * leaves once the whole echo is back. Reports messages/s and the round trips' p50/p99. */
#define _GNU_SOURCE 1

#include "loadgen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void prepare(struct lg *lg)
{
    int t;
    for (t = 0; t < lg->ntg; t++)
        if ((lg->tg[t].samples = malloc(LG_MAX_SAMPLES * sizeof *lg->tg[t].samples)) == NULL)
            lg_die("out of memory");
}

static void send_msg(struct lg *lg, long i, uint64_t now)
{
    struct lg_conn *c = &lg->lc[i];
    uint32_t size = (uint32_t)lg->o.size;
    if (c->to_send == 0) { /* a new message */
        c->to_send = size;
        c->t_sent = now;
        c->busy = 1;
    }
    while (c->to_send > 0) {
        ssize_t n = send(c->fd, lg->msg + (size - c->to_send), c->to_send, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            lg_die("send: %s", strerror(errno));
        }
        c->to_send -= (uint32_t)n;
    }
    lg_set_out(lg, i, c->to_send > 0);
}

static void on_event(struct lg *lg, long i, uint32_t ev, uint64_t now)
{
    struct lg_conn *c = &lg->lc[i];
    struct lg_target *t = &lg->tg[c->tgt];
    uint32_t size = (uint32_t)lg->o.size;
    ssize_t n;
    if ((ev & EPOLLOUT) && c->to_send > 0) /* the rest of a message the kernel did not take at once */
        send_msg(lg, i, now);
    if (!(ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return;
    n = recv(c->fd, lg->rbuf, size - c->got, 0);
    if (n == 0)
        lg_die("pingpong: the server on port %ld closed a connection", t->port);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        lg_die("recv: %s", strerror(errno));
    }
    if (memcmp(lg->rbuf, lg->msg + c->got, (size_t)n) != 0)
        lg_die("pingpong: the echo differs from what was sent");
    c->got += (uint32_t)n;
    if (c->got < size)
        return;
    c->got = 0;
    c->busy = 0;
    lg_progress(lg, t, 1, size, now);
    if (lg->measuring == c->tgt && t->nsamples < LG_MAX_SAMPLES) {
        uint64_t rtt = now - c->t_sent;
        t->samples[t->nsamples++] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
    }
    if (lg_may_start(lg, i))
        send_msg(lg, i, now);
}

const struct lg_mode lg_pingpong = {
    .name = "pingpong",
    .default_conns = 50,
    .unit = "msg",
    .ops_per_unit = 1,
    .prepare = prepare,
    .run = lg_run_slices,
    .start = send_msg,
    .on_event = on_event,
};
