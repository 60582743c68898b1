/* room.c - game rooms of --room-size players, and the STATE frame each room gets every tick.
 *
 * A STATE frame is encoded once per room per tick and the same bytes are appended to every
 * player's output: with R rooms of P players the tick costs R encodes, not R*P. A player that keeps
 * up gets them straight from the shared frame, one send() and no copy; only one whose socket buffer
 * is full gets a copy in its own evbuffer (145 bytes for a room of 16: cheaper than a shared
 * reference-counted block, whose evbuffer_add_reference allocates a chain per recipient anyway),
 * and --max-outbuf cuts such a player off before its copies add up (the stalled-reader lesson). */
#include "server/game.h"

#include <stdlib.h>

#include "compat/os.h"

/* The first room with a free slot, else a new one: rooms fill up before new ones open. */
static struct srv_room *room_with_space(struct srv *s)
{
    struct srv_game *g = s->game;
    struct srv_room *r;
    size_t i;

    for (i = 0; i < g->n_rooms; i++)
        if (g->rooms[i]->count < (size_t)s->cfg.room_size)
            return g->rooms[i];
    if (g->n_rooms == g->cap_rooms) {
        size_t cap = g->cap_rooms ? 2 * g->cap_rooms : 8;
        struct srv_room **grown = realloc(g->rooms, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        g->rooms = grown;
        g->cap_rooms = cap;
    }
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->players = calloc((size_t)s->cfg.room_size, sizeof *r->players);
    if (r->players == NULL) {
        free(r);
        return NULL;
    }
    r->id = ++g->next_room_id;
    g->rooms[g->n_rooms++] = r;
    return r;
}

struct srv_room *srv_room_join(struct srv *s, struct srv_conn *c)
{
    struct srv_player *p = c->player;
    struct srv_room *r = room_with_space(s);
    if (r == NULL)
        return NULL;
    p->room = r;
    p->slot = r->count;
    r->players[r->count++] = c;
    s->game->n_players++;
    return r;
}

static void room_free(struct srv_room *r)
{
    free(r->players);
    free(r);
}

void srv_room_leave(struct srv *s, struct srv_conn *c)
{
    struct srv_game *g = s->game;
    struct srv_player *p = c->player;
    struct srv_room *r = p->room;
    struct srv_conn *last;
    size_t i;

    if (r == NULL)
        return;
    /* Swap the last player into the freed slot: O(1), and the order of a room does not matter. */
    last = r->players[--r->count];
    r->players[p->slot] = last;
    last->player->slot = p->slot;
    p->room = NULL;
    g->n_players--;
    if (r->count > 0)
        return;
    for (i = 0; i < g->n_rooms; i++) {
        if (g->rooms[i] == r) {
            g->rooms[i] = g->rooms[--g->n_rooms];
            break;
        }
    }
    room_free(r);
}

void srv_room_send(struct srv_room *r, const uint8_t *frame, size_t len)
{
    size_t i;
    /* srv_conn_send may cut a player off; that only marks it dead (freed later), so the room's
     * array does not change under this loop. */
    for (i = 0; i < r->count; i++)
        if (r->players[i]->state == SRV_OPEN)
            srv_conn_send(r->players[i], frame, len);
}

/* The tick: every room's STATE, stamped with the tick's start on the monotonic clock, encoded once
 * and sent to each player of the room. Its start and length are timed for stats.c.
 *
 * All rooms in one burst, on purpose. Spreading the rooms over the period in 5 ms slices (tried at
 * 10,000 players on 2 cores) let the loop read input between slices: PING round trips fell from
 * about 250 ms to 50 ms, but the input, read more often, came in smaller batches that cost more
 * CPU per frame, and the tick rate fell from 10 to 3-4 per second.
 *
 * When it runs is libevent's order: a due timer runs right after the (at most 4096) sockets one
 * epoll_wait returned. At 10,000 busy players a socket is then read about every third tick: round
 * trips 1.3-1.7x a plain epoll server's (bench/scale.sh), but each read carries more frames. Making
 * the tick wait for the input that was waiting brought the round trips to 0.8-1.0x, and cost tick
 * rate: a doorbell socket behind the ready sockets (as the plain server's timerfd) or one pass of
 * reads, 15-20% at 10,000 players; waiting up to one period, 30% at 6,000 (a steady trickle of
 * input kept it waiting the whole period). The tick rate is the figure a game lives by, so
 * libevent's order stays. */
void srv_rooms_tick(evutil_socket_t fd, short what, void *arg)
{
    struct srv *s = arg;
    struct srv_game *g = s->game;
    uint64_t t0 = os_now_us(), late = t0 > g->due_us ? t0 - g->due_us : 0;
    size_t i, j;
    (void)fd, (void)what;

    /* libevent runs a persistent timer a period after it was due, or a period from now once it fell
     * a whole period behind: the due time follows the same rule. */
    g->due_us += g->period_us;
    if (g->due_us < t0)
        g->due_us = t0 + g->period_us;
    g->tick_no++;
    for (i = 0; i < g->n_rooms; i++) {
        struct srv_room *r = g->rooms[i];
        size_t n = 0, len;
        for (j = 0; j < r->count; j++) {
            const struct srv_conn *c = r->players[j];
            const struct srv_player *p = c->player;
            if (c->state != SRV_OPEN)
                continue;
            g->snapshot[n].id = c->id;
            g->snapshot[n].x = p->x;
            g->snapshot[n].y = p->y;
            n++;
        }
        len = proto_encode_state(g->tick_no, t0, g->snapshot, n, g->frame, sizeof g->frame);
        if (len > 0 && n > 0)
            srv_room_send(r, g->frame, len);
    }
    srv_stats_tick(s, late, os_now_us() - t0);
}

void srv_rooms_free(struct srv_game *g)
{
    size_t i;
    for (i = 0; i < g->n_rooms; i++)
        room_free(g->rooms[i]);
    free(g->rooms);
    g->rooms = NULL;
    g->n_rooms = g->cap_rooms = 0;
}
