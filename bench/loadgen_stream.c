/* loadgen_stream.c - the stream load: each connection keeps up to --window bytes in flight, sent
 * in --chunk writes, and reads back everything. Reports MB/s echoed (an operation is a byte). */
#define _GNU_SOURCE 1

#include "loadgen.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static void on_event(struct lg *lg, long i, uint32_t ev, uint64_t now)
{
    struct lg_conn *c = &lg->lc[i];
    uint64_t window = (uint64_t)lg->o.window;
    int k;
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        ssize_t n = recv(c->fd, lg->rbuf, LG_RBUF_SIZE, 0);
        if (n == 0)
            lg_die("stream: the server on port %ld closed a connection", lg->tg[c->tgt].port);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            lg_die("recv: %s", strerror(errno));
        if (n > 0) {
            c->rcvd += (uint64_t)n;
            lg_progress(lg, &lg->tg[c->tgt], (uint64_t)n, (uint64_t)n, now);
        }
    }
    if ((ev & EPOLLOUT) && lg_may_start(lg, i)) {
        for (k = 0; k < 4; k++) {
            uint64_t inflight = c->sent - c->rcvd, room;
            ssize_t n;
            if (inflight >= window)
                break;
            room = window - inflight;
            n = send(c->fd, lg->msg, room < (uint64_t)lg->o.chunk ? (size_t)room : (size_t)lg->o.chunk,
                     MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                    break;
                lg_die("send: %s", strerror(errno));
            }
            c->sent += (uint64_t)n;
        }
    }
    /* Hysteresis: stop asking for EPOLLOUT at a full window, ask again once half of it came back. */
    if (!lg_may_start(lg, i) || c->sent - c->rcvd >= window)
        lg_set_out(lg, i, 0);
    else if (c->sent - c->rcvd <= window / 2)
        lg_set_out(lg, i, 1);
    c->busy = c->sent != c->rcvd;
}

static void start(struct lg *lg, long i, uint64_t now)
{
    (void)now;
    lg_set_out(lg, i, 1);
}

static void stop(struct lg *lg, long i)
{
    lg_set_out(lg, i, 0);
}

const struct lg_mode lg_stream = {
    .name = "stream",
    .default_conns = 4,
    .unit = "MB",
    .ops_per_unit = 1e6,
    .size_is_chunk = 1,
    .run = lg_run_slices,
    .start = start,
    .on_event = on_event,
    .stop = stop,
};
