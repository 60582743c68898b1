/* loadgen_slices.c - the epoll loop, and the run of pingpong, stream and churn: the same connections
 * to one or two servers, and slices of work for one server at a time. */
#define _GNU_SOURCE 1

#include "loadgen.h"

#include <errno.h>
#include <string.h>

#define MAX_EVENTS 512
#define STALL_NS (5ull * 1000000000ull)
#define DRAIN_NS (5ull * 1000000000ull)

static int in_flight(const struct lg *lg, int t)
{
    const struct lg_mode *m = lg->mode;
    long i;
    for (i = 0; i < lg->nslots; i++)
        if (lg->lc[i].tgt == t && (m->in_flight != NULL ? m->in_flight(lg, i) : lg->lc[i].busy))
            return 1;
    return 0;
}

/* Runs the loop until `until`; with drain >= 0, returns as soon as that target has nothing in
 * flight (and dies if it still has at `until`). */
static void pump(struct lg *lg, uint64_t until, int drain)
{
    const struct lg_mode *m = lg->mode;
    struct epoll_event evs[MAX_EVENTS];
    uint64_t now = lg_now_ns(), last_tick = 0;

    while (now < until) {
        int n, k, timeout;
        if (drain >= 0 && !in_flight(lg, drain))
            return;
        timeout = (int)((until - now + 999999u) / 1000000u);
        if (timeout > 100)
            timeout = 100;
        if (m->tick != NULL && timeout > m->tick_ms)
            timeout = m->tick_ms;
        n = epoll_wait(lg->ep, evs, MAX_EVENTS, timeout);
        if (n < 0 && errno != EINTR)
            lg_die("epoll_wait: %s", strerror(errno));
        now = lg_now_ns();
        for (k = 0; k < n; k++) {
            long idx = (long)(uint32_t)evs[k].data.u64;
            uint32_t gen = (uint32_t)(evs[k].data.u64 >> 32);
            if (idx >= lg->nslots || lg->lc[idx].gen != gen || lg->lc[idx].fd < 0)
                continue; /* a connection closed earlier in this batch */
            m->on_event(lg, idx, evs[k].events, now);
        }
        if (m->tick != NULL && now - last_tick >= (uint64_t)m->tick_ms * 1000000u) {
            last_tick = now;
            m->tick(lg);
        }
        if (now - lg->last_progress_ns > STALL_NS)
            lg_die("no progress for 5 s: is the server stuck?%s", m->stall_hint != NULL ? m->stall_hint(lg) : "");
    }
    if (drain >= 0 && in_flight(lg, drain))
        lg_die("the server on port %ld did not finish the work in flight in 5 s", lg->tg[drain].port);
}

/* Gives target t work to do. */
static void activate(struct lg *lg, int t)
{
    uint64_t now = lg_now_ns();
    long i;
    lg->act = t;
    lg->stopping = 0;
    lg->last_progress_ns = now;
    for (i = 0; i < lg->nslots; i++)
        if (lg->lc[i].tgt == t)
            lg->mode->start(lg, i, now);
}

/* Lets target t finish what is in flight, starting nothing new. */
static void wind_down(struct lg *lg, int t)
{
    long i;
    lg->stopping = 1;
    if (lg->mode->stop != NULL)
        for (i = 0; i < lg->nslots; i++)
            if (lg->lc[i].tgt == t)
                lg->mode->stop(lg, i);
    pump(lg, lg_now_ns() + DRAIN_NS, t);
    lg->act = -1;
}

/* One measured slice of `secs` for target t, after `warm` seconds of unmeasured work. */
static void slice(struct lg *lg, int t, double warm, double secs)
{
    struct lg_snap a, b;
    activate(lg, t);
    pump(lg, lg_now_ns() + (uint64_t)(warm * 1e9), -1);
    lg_snap_take(lg, &a, t);
    lg->measuring = t;
    pump(lg, a.t + (uint64_t)(secs * 1e9), -1);
    lg_snap_take(lg, &b, t);
    lg->measuring = -1;
    wind_down(lg, t);
    lg_account(lg, t, &a, &b, lg->o.verbose && secs > 0);
}

void lg_run_slices(struct lg *lg)
{
    const struct lg_opts *o = &lg->o;
    long i, j;
    int t, n, k;

    lg_slots(lg, (long)o->conns * lg->ntg);
    for (t = 0; t < lg->ntg; t++)
        for (j = 0; j < o->conns; j++) {
            i = t * o->conns + j;
            lg->lc[i].tgt = (uint8_t)t;
            if (lg->mode->connects_per_op)
                continue;
            lg->lc[i].fd = lg_connect_ready(&lg->tg[t].addr);
            lg_watch(lg, i, EPOLL_CTL_ADD, EPOLLIN);
        }

    if (lg->ntg == 1) { /* warm up, then one slice */
        slice(lg, 0, o->warmup, o->seconds);
    } else {
        n = (int)(o->seconds / o->slice + 0.5);
        if (n < 1)
            n = 1;
        for (t = 0; t < lg->ntg; t++) { /* each server's first work is unmeasured */
            slice(lg, t, o->warmup, 0.0);
            lg_forget_measured(&lg->tg[t]);
        }
        for (k = 0; k < 2 * n; k++) { /* ABBA ABBA ...: a drift in time falls on both alike */
            int first = (k / 2) % 2 == 0 ? 0 : 1;
            slice(lg, k % 2 == 0 ? first : 1 - first, o->slice_warmup, o->slice);
        }
    }
    for (t = 0; t < lg->ntg; t++)
        lg_report(lg, t);
}
