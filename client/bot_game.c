/* bot_game.c - a game bot: HELLO, wait for WELCOME, then MOVE (a small random walk) and PING at
 * their rates while counting STATE frames and timing the ticks; at the end of play BYE and a
 * graceful close. Frames are parsed with proto_parse straight from the loop's shared read buffer;
 * only a frame split across reads is kept (by bot_conn.c) until the rest arrives. */
#include "client/bot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "compat/os.h"

#define WALK_LIMIT 1000

/* The first MOVE and PING of each bot come at a random point of their period, so a thousand bots
 * started together do not send in lockstep. */
static uint64_t period_us(int hz)
{
    return hz > 0 ? 1000000u / (uint64_t)hz : 0;
}

static uint64_t first_due(struct bot *b, int hz, uint64_t now)
{
    uint64_t p = period_us(hz);
    return p == 0 ? 0 : now + 1 + bot_rand(&b->loop->st->rng) % p;
}

static int send_frame(struct bot *b, const uint8_t *frame, size_t n)
{
    if (n == 0) {
        bot_end(b, BOT_END_ERROR, "frame encoding failed");
        return -1;
    }
    return bot_send(b, frame, n);
}

static int game_connected(struct bot *b, uint64_t now)
{
    char name[PROTO_NAME_MAX + 1];
    uint8_t frame[PROTO_HDR_LEN + PROTO_NAME_MAX];
    (void)now;
    snprintf(name, sizeof name, "bot-%u", (unsigned)b->index);
    return send_frame(b, frame, proto_encode_hello(name, frame, sizeof frame));
}

/* Keeps the server's ERROR text (printable, bounded) for the report; the server closes next. */
static int got_error(struct bot *b, const struct proto_frame *f, uint64_t now)
{
    size_t i, n = f->payload_len < 95 ? f->payload_len : 95;
    if (b->err_text == NULL && (b->err_text = malloc(n + 1)) != NULL) {
        for (i = 0; i < n; i++) {
            uint8_t c = f->payload[i];
            b->err_text[i] = (char)(c >= 32 && c < 127 ? c : '?');
        }
        b->err_text[n] = '\0';
        if (n == 0)
            strcpy(b->err_text, "ERROR");
    }
    bot_begin_close(b, now, 0);
    return b->state == BOT_ENDED ? -1 : 0;
}

/* Tick timing: the interval between the arrivals of consecutive new ticks (a big STATE may come as
 * several frames carrying the same tick), its distance from 1/tick_hz, and ticks never seen. */
static void got_state(struct bot *b, const struct proto_frame *f, uint64_t now)
{
    struct bot_stats *st = b->loop->st;
    uint32_t tick;
    uint16_t count;
    st->states++;
    if (proto_decode_state(f, &tick, &count) != 0)
        return;
    if (b->have_tick && tick == b->last_tick)
        return;
    if (b->have_tick && tick > b->last_tick) {
        uint64_t iv = now - b->t_last_tick;
        bot_series_add(st, &st->tick_us, iv);
        if (b->tick_hz > 0) {
            double want = 1e6 / (double)b->tick_hz, d = (double)iv - want;
            st->jitter_sum_us += d < 0 ? -d : d;
            st->jitter_n++;
        }
        st->ticks_skipped += tick - b->last_tick - 1u;
    }
    b->have_tick = 1;
    b->last_tick = tick;
    b->t_last_tick = now;
}

static int handle_frame(struct bot *b, const struct proto_frame *f, uint64_t now)
{
    struct bot_stats *st = b->loop->st;
    uint8_t out[PROTO_HDR_LEN + 8];
    uint64_t t;
    switch (f->type) {
    case PROTO_WELCOME:
        if (b->state != BOT_HELLO)
            return 0;
        if (proto_decode_welcome(f, &b->id, &b->tick_hz) != 0)
            return 0;
        bot_play_begin(b, now);
        b->t_a = first_due(b, b->loop->o->move_hz, now);
        b->t_b = first_due(b, b->loop->o->ping_hz, now);
        return 0;
    case PROTO_PONG:
        if (proto_decode_ping(f, &t) == 0 && t <= now)
            bot_series_add(st, &st->rtt_us, now - t);
        return 0;
    case PROTO_PING: /* the server measuring us: answer at once */
        if (proto_decode_ping(f, &t) != 0)
            return 0;
        return send_frame(b, out, proto_encode_ping(PROTO_PONG, t, out, sizeof out));
    case PROTO_STATE:
        got_state(b, f, now);
        return 0;
    case PROTO_ERROR:
        return got_error(b, f, now);
    default: /* BYE (the server's EOF follows), CHAT, anything else: nothing to do */
        return 0;
    }
}

static long game_data(struct bot *b, const uint8_t *p, size_t n, uint64_t now)
{
    size_t off = 0;
    while (off < n) {
        struct proto_frame f;
        size_t used = 0;
        enum proto_status ps = proto_parse(p + off, n - off, &f, &used);
        if (ps == PROTO_NEED_MORE)
            break;
        if (ps != PROTO_OK) {
            char why[120], detail[160];
            proto_error_reason(ps, p + off, n - off, why, sizeof why);
            snprintf(detail, sizeof detail, "bad frame from server: %s", why);
            bot_end(b, BOT_END_PROTOCOL_ERROR, detail);
            return -1;
        }
        off += used;
        if (handle_frame(b, &f, now) < 0 || b->state == BOT_ENDED)
            return -1;
    }
    return (long)off;
}

static int game_writable(struct bot *b, uint64_t now)
{
    (void)b;
    (void)now;
    return 0; /* everything the game sends goes through bot_send's queue */
}

/* MOVE and PING when due. A bot whose earlier output still waits in its queue skips them (a real
 * client sends the newest position, not a backlog), and the skip is counted. */
static int game_timer(struct bot *b, uint64_t now, uint64_t *next)
{
    const struct bot_opts *o = b->loop->o;
    struct bot_stats *st = b->loop->st;
    uint8_t frame[PROTO_HDR_LEN + 8];
    *next = 0;
    if (b->state != BOT_PLAYING)
        return 0;
    if (b->t_a != 0 && now >= b->t_a) {
        if (b->out != NULL) {
            st->sends_skipped++;
        } else {
            int dx = (int)(bot_rand(&st->rng) % 3u) - 1, dy = (int)(bot_rand(&st->rng) % 3u) - 1;
            if (b->x + dx >= -WALK_LIMIT && b->x + dx <= WALK_LIMIT)
                b->x = (int16_t)(b->x + dx);
            if (b->y + dy >= -WALK_LIMIT && b->y + dy <= WALK_LIMIT)
                b->y = (int16_t)(b->y + dy);
            if (send_frame(b, frame, proto_encode_move(b->x, b->y, frame, sizeof frame)) < 0)
                return -1;
            st->moves_sent++;
        }
        b->t_a += period_us(o->move_hz);
        if (b->t_a <= now) /* fell behind (a stalled loop): no burst to catch up */
            b->t_a = now + period_us(o->move_hz);
    }
    if (b->t_b != 0 && now >= b->t_b) {
        if (b->out != NULL) {
            st->sends_skipped++;
        } else {
            if (send_frame(b, frame, proto_encode_ping(PROTO_PING, os_now_us(), frame, sizeof frame)) < 0)
                return -1;
            st->pings_sent++;
        }
        b->t_b += period_us(o->ping_hz);
        if (b->t_b <= now)
            b->t_b = now + period_us(o->ping_hz);
    }
    *next = b->t_a;
    if (b->t_b != 0 && (*next == 0 || b->t_b < *next))
        *next = b->t_b;
    return 0;
}

static int game_stop(struct bot *b, uint64_t now)
{
    uint8_t frame[PROTO_HDR_LEN + 8];
    (void)now;
    if (send_frame(b, frame, proto_encode_text(PROTO_BYE, "done", frame, sizeof frame)) < 0)
        return -1;
    return 0;
}

const struct bot_proto_ops bot_game_ops = {
    game_connected, game_data, game_writable, game_timer, game_stop,
};
