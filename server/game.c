/* game.c - --proto game: turning a client's byte stream into frames and answering them.
 *
 * Frames are parsed straight out of the loop's read buffer; only a frame cut by a read boundary is
 * copied, into a per-connection buffer that grows with the bytes that came and exists just until
 * the frame is complete. Any protocol error gets one ERROR frame naming it, then a graceful close:
 * the client learns why, and nothing it sends after that is parsed.
 *
 * The rate limits live here, per connection: CHAT (the one frame a room multiplies: each is sent
 * to every player of the room), PING (each costs a send() of its PONG) and MOVE. Over a rate,
 * frames are dropped; a sender that keeps on is closed. So a room's outgoing bytes are bounded by
 * the rates times the room, not by what one client sends. */
#include "server/game.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

/* ---- answering frames ---------------------------------------------------------------------- */

static void send_error(struct srv_conn *c, const char *reason)
{
    uint8_t frame[PROTO_HDR_LEN + 256];
    srv_conn_send(c, frame, proto_encode_text(PROTO_ERROR, reason, frame, sizeof frame));
}

static void reject(struct srv_conn *c, const char *reason)
{
    c->srv->counts.protocol_errors++;
    srv_log_conn(c->srv, c->id, "protocol error: %s; sent ERROR, closing", reason);
    send_error(c, reason);
    srv_conn_finish(c, "after a protocol error");
}

/* ---- rate limits ------------------------------------------------------------------------------ */

enum { RATE_PASS, RATE_DROP, RATE_CLOSE };

static void rate_set(struct srv_rate *r, int per_s, const char *what, const char *option)
{
    r->per_s = per_s;
    r->iv_us = per_s > 0 ? 1000000u / (uint64_t)per_s : 0;
    r->burst_us = 2u * (uint64_t)per_s * r->iv_us; /* two seconds' worth */
    r->what = what;
    r->option = option;
}

/* One rate limit as GCRA, the token bucket written as one number: `tat` is the time at which the
 * frames taken so far would be paid for at the rate. A frame passes while that is at most a burst
 * ahead of now. Past that it is dropped but still charged, so a sender that goes on runs up its
 * debt, and once it is a second burst deep the sender is closed: whoever keeps sending faster than
 * the rate is flooding, not playing. Every MOVE and PING passes here: the usual case is a few
 * additions and a comparison. */
static int rate_take(uint64_t *tat, uint64_t now, const struct srv_rate *r)
{
    uint64_t ahead;
    if (r->per_s <= 0)
        return RATE_PASS;
    if (*tat < now)
        *tat = now;
    ahead = *tat - now + r->iv_us;
    *tat += r->iv_us;
    if (ahead <= r->burst_us)
        return RATE_PASS;
    return ahead <= 2 * r->burst_us ? RATE_DROP : RATE_CLOSE;
}

/* A frame over its rate: dropped, or (RATE_CLOSE) its sender closed with an ERROR. */
static void over_rate(struct srv_conn *c, int verdict, const struct srv_rate *r)
{
    char reason[128];
    if (verdict == RATE_DROP) {
        c->srv->counts.dropped++;
        return;
    }
    c->srv->counts.kicked++;
    snprintf(reason, sizeof reason, "%s faster than %d a second (%s)", r->what, r->per_s, r->option);
    srv_log_conn(c->srv, c->id, "over a rate limit: %s; sent ERROR, closing", reason);
    send_error(c, reason);
    srv_conn_finish(c, "over a rate limit");
}

/* 1 if the frame may be served; 0 if it is dropped or its sender closed. */
static int within_rate(struct srv_conn *c, uint64_t *tat, uint64_t now, const struct srv_rate *r)
{
    int verdict = rate_take(tat, now, r);
    if (verdict == RATE_PASS)
        return 1;
    over_rate(c, verdict, r);
    return 0;
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
    srv_conn_greeted(c);
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

static void on_ping(struct srv_conn *c, const struct proto_frame *f, uint64_t now)
{
    uint8_t frame[PROTO_HDR_LEN + 8];
    uint64_t t;
    size_t n;
    if (!within_rate(c, &c->ping_tat_us, now, &c->srv->game->ping_rate))
        return;
    srv_conn_active(c);
    if (proto_decode_ping(f, &t) != 0)
        return; /* proto_parse checked the size: cannot happen */
    n = proto_encode_ping(PROTO_PONG, t, frame, sizeof frame);
    srv_conn_send(c, frame, n);
}

static void on_move(struct srv_conn *c, const struct proto_frame *f, uint64_t now)
{
    struct srv_player *p = c->player;
    if (!within_rate(c, &p->move_tat_us, now, &c->srv->game->move_rate))
        return;
    srv_conn_active(c);
    proto_decode_move(f, &p->x, &p->y);
}

static void on_chat(struct srv_conn *c, const struct proto_frame *f, uint64_t now)
{
    struct srv *s = c->srv;
    struct srv_game *g = s->game;
    struct srv_player *p = c->player;
    char reason[96];
    size_t n;
    if (s->cfg.chat_max > 0 && f->payload_len > (size_t)s->cfg.chat_max) {
        snprintf(reason, sizeof reason, "CHAT of %u bytes, longer than %d (--chat-max)", (unsigned)f->payload_len,
                 s->cfg.chat_max);
        reject(c, reason);
        return;
    }
    if (!within_rate(c, &p->chat_tat_us, now, &g->chat_rate))
        return;
    n = proto_encode(PROTO_CHAT, f->payload, f->payload_len, g->frame, sizeof g->frame);
    if (n > 0 && p->room != NULL)
        srv_room_send(p->room, g->frame, n);
}

/* `now` is read once per read of input, and only when a frame needs it. */
static uint64_t clock_of(uint64_t *now)
{
    if (*now == 0)
        *now = os_now_us();
    return *now;
}

static void on_frame(struct srv_conn *c, const struct proto_frame *f, uint64_t *now)
{
    struct srv_player *p = c->player;
    char reason[96];

    if (f->type == PROTO_PING) {
        on_ping(c, f, clock_of(now));
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
        on_move(c, f, clock_of(now));
        break;
    case PROTO_CHAT:
        on_chat(c, f, clock_of(now));
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

/* Keeps n more bytes of a cut frame. The buffer grows with the bytes that came, never past the
 * frame's own length (partial_need), and never to the largest frame up front: a connection that
 * sent one byte holds one byte, not 4 KiB. Frames cut by a read are rare, so is the realloc. */
static int partial_add(struct srv_conn *c, const uint8_t *data, size_t n)
{
    uint8_t *grown = realloc(c->in, (size_t)c->in_len + n);
    if (grown == NULL) {
        srv_conn_kill(c, "out of memory for input");
        return -1;
    }
    if (c->in == NULL)
        c->t_partial = c->srv->clock_s; /* --frame-timeout counts from here */
    c->in = grown;
    memcpy(c->in + c->in_len, data, n);
    c->in_len = (uint16_t)(c->in_len + n);
    return 0;
}

/* Completes the frame a previous read cut; returns the bytes of data it used. */
static size_t finish_partial(struct srv_conn *c, const uint8_t *data, size_t len, uint64_t *now)
{
    size_t used = 0;
    while (c->in != NULL && used < len && c->state == SRV_OPEN) {
        struct proto_frame f;
        size_t take = partial_need(c), consumed;
        enum proto_status st;
        if (take > len - used)
            take = len - used;
        if (partial_add(c, data + used, take) != 0)
            return len;
        used += take;
        st = proto_parse(c->in, c->in_len, &f, &consumed);
        if (st == PROTO_NEED_MORE)
            continue;
        if (st == PROTO_OK)
            on_frame(c, &f, now);
        else
            reject_status(c, st, c->in, c->in_len);
        drop_partial(c);
    }
    return used;
}

static void game_input(struct srv_conn *c, const uint8_t *data, size_t len)
{
    uint64_t now = 0;
    size_t used = finish_partial(c, data, len, &now);

    while (used < len && c->state == SRV_OPEN) {
        struct proto_frame f;
        size_t consumed;
        enum proto_status st = proto_parse(data + used, len - used, &f, &consumed);
        if (st == PROTO_OK) {
            on_frame(c, &f, &now);
            used += consumed;
        } else if (st == PROTO_NEED_MORE) {
            partial_add(c, data + used, len - used); /* a valid prefix: shorter than its frame */
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
    rate_set(&g->chat_rate, s->cfg.chat_rate, "CHAT", "--chat-rate");
    rate_set(&g->ping_rate, s->cfg.ping_rate, "PING", "--ping-rate");
    rate_set(&g->move_rate, s->cfg.move_rate, "MOVE", "--move-rate");
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

/* Idleness gets a BYE (the server ends a session it has no quarrel with), the rest an ERROR. */
static size_t game_farewell(enum srv_farewell kind, const char *text, uint8_t *out, size_t cap)
{
    return proto_encode_text(kind == SRV_FAREWELL_IDLE ? PROTO_BYE : PROTO_ERROR, text, out, cap);
}

const struct srv_proto srv_game_proto = {
    .name = "game",
    .start = game_start,
    .stop = game_stop,
    .free = game_free,
    .read_pause = game_read_pause,
    .input = game_input,
    .conn_gone = game_conn_gone,
    .farewell = game_farewell,
    /* the STATE tick needs timers finer than epoll's milliseconds (timerfd on Linux): at
     * --tick-hz 1000 the plain timer manages about 250 ticks a second */
    .precise_timers = 1,
    .greeting = 1,
    .idle_default_s = 60,
};
