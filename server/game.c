/* game.c - --proto game: turning a client's byte stream into frames and answering them.
 *
 * Frames are parsed straight out of the loop's read buffer; only a frame cut by a read boundary is
 * copied, into a per-connection buffer that exists just until the frame is complete. Any protocol
 * error gets one ERROR frame naming it, then a graceful close: the client learns why. */
#include "server/game.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

/* ---- answering frames ---------------------------------------------------------------------- */

static void reject(struct srv_conn *c, const char *reason)
{
    uint8_t frame[PROTO_HDR_LEN + 256];
    size_t n = proto_encode_text(PROTO_ERROR, reason, frame, sizeof frame);
    srv_log_conn(c->srv, c->id, "protocol error: %s; sent ERROR, closing", reason);
    srv_conn_send(c, frame, n);
    srv_conn_finish(c, "after a protocol error");
}

static void reject_status(struct srv_conn *c, enum proto_status st, const uint8_t *buf, size_t len)
{
    char reason[128];
    proto_error_reason(st, buf, len, reason, sizeof reason);
    reject(c, reason);
}

/* Names are the peer's bytes: printable ASCII only before they reach a log line. */
static void copy_name(char *dst, const uint8_t *src, size_t len)
{
    size_t i;
    for (i = 0; i < len && i < PROTO_NAME_MAX; i++)
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
    dst[i] = '\0';
}

static void on_hello(struct srv_conn *c, const struct proto_frame *f)
{
    struct srv *s = c->srv;
    struct srv_player *p;
    struct srv_room *r;
    uint8_t frame[PROTO_HDR_LEN + 6];
    size_t n;

    if (c->player != NULL) {
        reject(c, "HELLO sent twice");
        return;
    }
    p = calloc(1, sizeof *p);
    if (p == NULL) {
        srv_conn_kill(c, "out of memory for a player");
        return;
    }
    copy_name(p->name, f->payload, f->payload_len);
    c->player = p;
    r = srv_room_join(s, c);
    if (r == NULL) {
        srv_conn_kill(c, "out of memory for a room");
        return;
    }
    n = proto_encode_welcome(c->id, (uint16_t)s->cfg.tick_hz, frame, sizeof frame);
    srv_conn_send(c, frame, n);
    srv_log_conn(s, c->id, "HELLO from '%s': player %lu in room %lu (%lu players)", p->name,
                 (unsigned long)c->id, (unsigned long)r->id, (unsigned long)r->count);
}

static void on_ping(struct srv_conn *c, const struct proto_frame *f)
{
    uint8_t frame[PROTO_HDR_LEN + 8];
    uint64_t t;
    size_t n;
    if (proto_decode_ping(f, &t) != 0)
        return; /* proto_parse checked the size: cannot happen */
    n = proto_encode_ping(PROTO_PONG, t, frame, sizeof frame);
    srv_conn_send(c, frame, n);
}

static void on_chat(struct srv_conn *c, const struct proto_frame *f)
{
    struct srv_game *g = c->srv->game;
    struct srv_player *p = c->player;
    size_t n = proto_encode(PROTO_CHAT, f->payload, f->payload_len, g->frame, sizeof g->frame);
    if (n > 0 && p->room != NULL)
        srv_room_send(p->room, g->frame, n);
}

static void on_frame(struct srv_conn *c, const struct proto_frame *f)
{
    struct srv_player *p = c->player;
    char reason[96];

    if (f->type == PROTO_PING) {
        on_ping(c, f);
        return;
    }
    if (f->type == PROTO_HELLO) {
        on_hello(c, f);
        return;
    }
    if (p == NULL) {
        snprintf(reason, sizeof reason, "expected HELLO first, got %s", proto_type_name(f->type));
        reject(c, reason);
        return;
    }
    switch (f->type) {
    case PROTO_MOVE:
        proto_decode_move(f, &p->x, &p->y);
        break;
    case PROTO_CHAT:
        on_chat(c, f);
        break;
    case PROTO_PONG: /* we never ping, but an answer hurts nobody */
        break;
    case PROTO_BYE:
        srv_conn_finish(c, "peer said BYE");
        break;
    case PROTO_ERROR:
        srv_conn_finish(c, "peer sent ERROR");
        break;
    default:
        snprintf(reason, sizeof reason, "%s is a server-to-client frame", proto_type_name(f->type));
        reject(c, reason);
        break;
    }
}

/* ---- framing the byte stream ----------------------------------------------------------------- */

/* How many more bytes the partial frame in c->in needs before it can be parsed again. */
static size_t partial_need(const struct srv_conn *c)
{
    size_t flen;
    if (c->in_len < PROTO_HDR_LEN)
        return PROTO_HDR_LEN - c->in_len;
    flen = ((size_t)c->in[0] << 8) | c->in[1]; /* proto_parse already accepted it: <= PROTO_MAX_LEN */
    return 2 + flen - c->in_len;
}

static void drop_partial(struct srv_conn *c)
{
    free(c->in);
    c->in = NULL;
    c->in_len = 0;
}

/* Completes the frame a previous read cut; returns the bytes of data it used. */
static size_t finish_partial(struct srv_conn *c, const uint8_t *data, size_t len)
{
    size_t used = 0;
    while (c->in != NULL && used < len && c->state == SRV_OPEN) {
        struct proto_frame f;
        size_t take = partial_need(c), consumed;
        enum proto_status st;
        if (take > len - used)
            take = len - used;
        memcpy(c->in + c->in_len, data + used, take);
        c->in_len = (uint16_t)(c->in_len + take);
        used += take;
        st = proto_parse(c->in, c->in_len, &f, &consumed);
        if (st == PROTO_NEED_MORE)
            continue;
        if (st == PROTO_OK)
            on_frame(c, &f);
        else
            reject_status(c, st, c->in, c->in_len);
        drop_partial(c);
    }
    return used;
}

static void game_input(struct srv_conn *c, const uint8_t *data, size_t len)
{
    size_t used = finish_partial(c, data, len);

    while (used < len && c->state == SRV_OPEN) {
        struct proto_frame f;
        size_t consumed;
        enum proto_status st = proto_parse(data + used, len - used, &f, &consumed);
        if (st == PROTO_OK) {
            on_frame(c, &f);
            used += consumed;
        } else if (st == PROTO_NEED_MORE) {
            /* A valid prefix is shorter than the largest frame, so it always fits. */
            c->in = malloc(PROTO_MAX_FRAME);
            if (c->in == NULL) {
                srv_conn_kill(c, "out of memory for input");
                return;
            }
            memcpy(c->in, data + used, len - used);
            c->in_len = (uint16_t)(len - used);
            return;
        } else {
            reject_status(c, st, data + used, len - used);
            return;
        }
    }
}

/* ---- life cycle -------------------------------------------------------------------------------- */

/* A player's input is small and must keep flowing while broadcasts queue up for it, so reading
 * pauses only at half the cap, and resumes at a quarter of that. */
static void game_read_pause(const struct srv *s, size_t *pause_at, size_t *resume_at)
{
    size_t half = (size_t)s->cfg.max_outbuf / 2;
    *pause_at = half < SRV_READ_CHUNK ? half : SRV_READ_CHUNK;
    *resume_at = *pause_at / 4;
}

/* The connection is being freed: leave its room, free its player. */
static void game_conn_gone(struct srv_conn *c)
{
    struct srv_player *p = c->player;
    if (p == NULL)
        return;
    srv_room_leave(c->srv, c);
    free(p);
    c->player = NULL;
}

static int game_start(struct srv *s)
{
    struct srv_game *g = calloc(1, sizeof *g);
    struct timeval tv;
    long us = 1000000L / s->cfg.tick_hz;

    s->game = g;
    if (g == NULL)
        return -1;
    g->snapshot = calloc((size_t)s->cfg.room_size, sizeof *g->snapshot);
    g->tick = event_new(s->base, -1, EV_PERSIST, srv_rooms_tick, s);
    if (g->snapshot == NULL || g->tick == NULL)
        return -1;
    tv.tv_sec = us / 1000000L;
    tv.tv_usec = us % 1000000L;
    g->period_us = (uint64_t)us;
    g->due_us = os_now_us() + g->period_us;
    return event_add(g->tick, &tv);
}

static void game_stop(struct srv *s) /* no more STATE ticks */
{
    if (s->game != NULL && s->game->tick != NULL)
        event_del(s->game->tick);
}

static void game_free(struct srv *s)
{
    struct srv_game *g = s->game;
    if (g == NULL)
        return;
    if (g->tick != NULL)
        event_free(g->tick);
    srv_rooms_free(g);
    free(g->snapshot);
    free(g);
    s->game = NULL;
}

const struct srv_proto srv_game_proto = {
    .name = "game",
    .start = game_start,
    .stop = game_stop,
    .free = game_free,
    .read_pause = game_read_pause,
    .input = game_input,
    .conn_gone = game_conn_gone,
    /* the STATE tick needs timers finer than epoll's milliseconds (timerfd on Linux): at
     * --tick-hz 1000 the plain timer manages about 250 ticks a second */
    .precise_timers = 1,
};
