/* bot_loop.c - the event loop that runs many bots: the paced start of their non-blocking connects
 * (so thousands of SYNs never flood the server's listen backlog), Ctrl-C, setup and teardown. A bot
 * that ends or is first answered fires the start event (bot_conn.c), which brings the loop here. */
#include "client/bot.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

#define RBUF_SIZE 65536u /* the one read buffer: plus room for a carried partial frame */
#define START_BATCH 16   /* connects started per loop turn, so completions are seen promptly */

/* Starts queued bots while fewer than --max-connecting connections wait for the server's first
 * byte: thousands of SYNs at once would overflow the server's listen backlog, and so would
 * handshakes the server's kernel completed but the server has not accept()ed yet; the overflow
 * turns into SYNs dropped and sent again a second later. A few per loop turn only: a long burst
 * would delay noticing the connects that already completed, and connect_ms would measure this loop
 * instead of the handshake. */
static void start_more(struct bot_loop *L)
{
    int n = 0;
    while (!L->stopping && L->next_start < L->nbots && L->in_flight < L->o->max_connecting) {
        if (n++ == START_BATCH) {
            struct timeval now0 = {0, 0};
            event_add(L->start_ev, &now0);
            break;
        }
        bot_start(&L->bots[L->next_start++]);
    }
    if (L->active == 0 && (L->next_start >= L->nbots || L->stopping))
        event_base_loopbreak(L->base);
}

static void on_start(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    start_more(arg);
}

/* ---- the loop -------------------------------------------------------------------------------- */

static void on_sigint(evutil_socket_t sig, short what, void *arg)
{
    struct bot_loop *L = arg;
    size_t i;
    uint64_t now = os_now_us();
    (void)sig;
    (void)what;
    if (L->stopping) { /* the second Ctrl-C: stop waiting */
        event_base_loopbreak(L->base);
        return;
    }
    L->stopping = 1;
    if (!L->o->quiet)
        fprintf(stderr, "socklab-bot: stopping: ending play now (Ctrl-C again to quit at once)\n");
    for (i = 0; i < L->next_start; i++) {
        struct bot *b = &L->bots[i];
        if (b->state == BOT_PLAYING) {
            b->t_end = now;
            bot_schedule(b, now, now);
        }
    }
    if (L->active == 0)
        event_base_loopbreak(L->base);
}

int bot_loop_init(struct bot_loop *L, const struct bot_opts *o, struct bot_stats *st, char *err)
{
    struct event_config *cfg;
    size_t i;
    memset(L, 0, sizeof *L);
    L->o = o;
    L->st = st;
    L->ops = o->proto == BOT_PROTO_ECHO ? &bot_echo_ops : &bot_game_ops;
    /* Precise timers (timerfd on Linux): libevent's default clock is the coarse one, a kernel tick
     * (4 ms here) fine, so MOVEs would go up to 4 ms late on an idle machine and the timer lag the
     * report shows would measure the clock instead of the bots' load. */
    cfg = event_config_new();
    if (cfg != NULL)
        event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
    L->base = cfg != NULL ? event_base_new_with_config(cfg) : NULL;
    if (cfg != NULL)
        event_config_free(cfg);
    if (L->base != NULL)
        L->start_ev = evtimer_new(L->base, on_start, L);
    L->nbots = (size_t)o->count;
    L->bots = calloc(L->nbots, sizeof *L->bots);
    L->rbuf_cap = RBUF_SIZE + BOT_CARRY_MAX;
    L->rbuf = malloc(L->rbuf_cap);
    if (o->proto == BOT_PROTO_ECHO)
        L->pattern = malloc((size_t)o->msg_size);
    if (L->base == NULL || L->start_ev == NULL || L->bots == NULL || L->rbuf == NULL ||
        (o->proto == BOT_PROTO_ECHO && L->pattern == NULL)) {
        strcpy(err, "out of memory");
        return -1;
    }
    for (i = 0; L->pattern != NULL && i < (size_t)o->msg_size; i++)
        L->pattern[i] = (uint8_t)('a' + i % 26u);
    for (i = 0; i < L->nbots; i++) {
        L->bots[i].loop = L;
        L->bots[i].index = (uint32_t)i;
        L->bots[i].fd = SOCK_INVALID;
        L->bots[i].state = BOT_QUEUED;
    }
    return 0;
}

void bot_loop_run(struct bot_loop *L)
{
    struct event *sig = evsignal_new(L->base, SIGINT, on_sigint, L);
    if (sig != NULL)
        event_add(sig, NULL);
    start_more(L);
    if (L->active > 0)
        event_base_dispatch(L->base);
    if (sig != NULL)
        event_free(sig);
}

void bot_loop_free(struct bot_loop *L)
{
    size_t i;
    for (i = 0; L->bots != NULL && i < L->nbots; i++)
        if (L->bots[i].state != BOT_QUEUED && L->bots[i].state != BOT_ENDED)
            bot_end(&L->bots[i], BOT_END_ERROR, "interrupted");
    free(L->bots);
    free(L->rbuf);
    free(L->pattern);
    if (L->start_ev != NULL)
        event_free(L->start_ev);
    if (L->base != NULL)
        event_base_free(L->base);
    memset(L, 0, sizeof *L);
}
