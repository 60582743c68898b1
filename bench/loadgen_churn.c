/* loadgen_churn.c - the churn load: --conns slots, each a cycle of a non-blocking connect, one --size
 * echo and a close (--close: client, rst or server), again and again. Reports connections/s. */
#define _GNU_SOURCE 1

#include "loadgen.h"

#include <stdio.h>

#include "common/cli.h"

static void prepare(struct lg *lg)
{
    if (lg->o.size > 65536) /* lg_cycle_event sends the message at once: it must fit a socket buffer */
        cli_fail(LG_PROG, "churn sends each message at once: --size 65536 at most");
}

/* Starts the next cycle on a free slot of the active target. */
static void refill(struct lg *lg, long i)
{
    struct lg_conn *c = &lg->lc[i];
    if (c->state != LG_FREE && c->state != LG_RETRY)
        return;
    if (!lg_may_start(lg, i)) {
        c->state = LG_FREE;
        return;
    }
    c->state = lg_start_connect(lg, i) == 0 ? LG_CONNECTING : LG_RETRY;
}

static void start(struct lg *lg, long i, uint64_t now)
{
    (void)now;
    refill(lg, i);
}

static void on_event(struct lg *lg, long i, uint32_t ev, uint64_t now)
{
    if (lg_cycle_event(lg, i, ev, (size_t)lg->o.size, lg->o.close_how))
        lg_progress(lg, &lg->tg[lg->lc[i].tgt], 1, (uint64_t)lg->o.size, now);
    if (lg->lc[i].state == LG_FREE)
        refill(lg, i);
}

static void stop(struct lg *lg, long i)
{
    if (lg->lc[i].state == LG_RETRY)
        lg->lc[i].state = LG_FREE;
}

static int in_flight(const struct lg *lg, long i)
{
    return lg->lc[i].state != LG_FREE && lg->lc[i].state != LG_RETRY;
}

/* Slots whose connect failed (ports or descriptors were short) try again. */
static void tick(struct lg *lg)
{
    long i;
    for (i = 0; i < lg->nslots; i++)
        if (lg->lc[i].state == LG_RETRY)
            refill(lg, i);
}

static const char *stall_hint(const struct lg *lg)
{
    return lg->o.close_how == LG_AWAIT_EOF ? " (--close server needs a server that closes first)" : "";
}

static void report_tail(const struct lg *lg)
{
    printf(" close=%s", lg->o.close_how == LG_CLOSE ? "client" : lg->o.close_how == LG_RESET ? "rst" : "server");
}

const struct lg_mode lg_churn = {
    .name = "churn",
    .default_conns = 32,
    .unit = "conn",
    .ops_per_unit = 1,
    .connects_per_op = 1,
    .tick_ms = 1,
    .prepare = prepare,
    .run = lg_run_slices,
    .start = start,
    .on_event = on_event,
    .stop = stop,
    .in_flight = in_flight,
    .tick = tick,
    .stall_hint = stall_hint,
    .report_tail = report_tail,
};
