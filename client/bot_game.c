/* bot_game.c - a game bot: HELLO, wait for WELCOME, then MOVE (a small random walk) and PING at
 * their rates while counting STATE frames and timing the ticks; at the end of play BYE and a
 * graceful close. Frames are parsed with proto_parse straight from the loop's shared read buffer;
 * only a frame split across reads is kept (by bot_conn.c) until the rest arrives. */
#include "client/bot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
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

#define CLOCK_SANE_US 60000000u /* a STATE older than this says the server's clock is not ours */

/* Tick timing: the interval between the arrivals of consecutive new ticks (a big STATE may come as
 * several frames carrying the same tick; a bot that reads late gets several ticks in one read, 0
 * apart), its distance from 1/tick_hz, ticks never seen, and the spacing of the server's own time
 * stamps (how often it really ticked). On the server's machine also the latency: arrival minus the
 * tick's time stamp (both the same monotonic clock), which is everything between the server's tick
 * and our read of it. */
static void got_state(struct bot *b, const struct proto_frame *f, uint64_t now)
{
    struct bot_stats *st = b->loop->st;
    uint32_t tick;
    uint16_t count;
    uint64_t t_tick;
    st->states++;
    if (proto_decode_state(f, &tick, &count, &t_tick) != 0)
        return;
    if (b->have_tick && tick == b->last_tick)
        return;
    if (b->loop->o->same_clock && !st->clocks_differ) {
        if (t_tick > now || now - t_tick > CLOCK_SANE_US)
            st->clocks_differ = 1; /* from the future, or absurdly old: not our clock after all */
        else
            bot_series_add2(st, &st->tick_lat_us, &st->full_lat_us, now - t_tick);
    }
    if (b->have_tick && tick > b->last_tick) {
        uint64_t iv = now - b->t_last_tick;
        bot_series_add2(st, &st->tick_us, &st->full_tick_us, iv);
        if (b->tick_hz > 0) {
            double want = 1e6 / (double)b->tick_hz, d = (double)iv - want;
            st->jitter_sum_us += d < 0 ? -d : d;
            st->jitter_n++;
        }
        st->ticks_skipped += tick - b->last_tick - 1u;
        /* The server's own clock on both ends: comparable from any machine, and untouched by how
         * late this bot reads. With ticks skipped in between, the gap covers them all. */
        if (t_tick > b->t_last_stamp)
            bot_series_add2(st, &st->tick_gap_us, &st->full_gap_us,
                            (t_tick - b->t_last_stamp) / (tick - b->last_tick));
    }
    b->have_tick = 1;
    b->last_tick = tick;
    b->t_last_tick = now;
    b->t_last_stamp = t_tick;
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
            bot_series_add2(st, &st->rtt_us, &st->full_rtt_us, now - t);
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
    case PROTO_HELLO: /* a server never sends one: ours came back */
        if (b->state != BOT_HELLO)
            return 0;
        bot_stats_wrong_server(st, T("it sent the bots' HELLO back: an echo server (start socklab-server with "
                                     "--proto game, or run socklab-bot --proto echo)"));
        bot_end(b, BOT_END_PROTOCOL_ERROR, "the server echoed HELLO");
        return -1;
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
            if (b->state == BOT_HELLO) /* its first bytes: not a socklab game server at all */
                bot_stats_wrong_server(b->loop->st, T("its first bytes are not a socklab game frame: not a game "
                                                      "server (is it socklab-server --proto game?)"));
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

/* MOVE and PING when due. A PING that falls due before the next MOVE rides in the same write as
 * this one: one segment instead of two, so one wakeup of the server, one recv() and one ACK fewer
 * (a real client sends what it has once per frame, too). Its time stamp is taken when it is written,
 * so the round trip is measured the same way; only its phase moves, by less than a MOVE period.
 * A bot whose earlier output still waits in its queue skips them (a real client sends the newest
 * position, not a backlog), and the skip is counted. */
static int game_timer(struct bot *b, uint64_t now, uint64_t *next)
{
    const struct bot_opts *o = b->loop->o;
    struct bot_stats *st = b->loop->st;
    uint64_t move_p = period_us(o->move_hz), ping_p = period_us(o->ping_hz);
    uint8_t frame[2 * (PROTO_HDR_LEN + 8)];
    size_t n = 0, k;
    int move_due, ping_due;
    *next = 0;
    if (b->state != BOT_PLAYING)
        return 0;
    move_due = b->t_a != 0 && now >= b->t_a;
    ping_due = b->t_b != 0 && (now >= b->t_b || (move_due && b->t_b < now + move_p));
    if (move_due) {
        /* How late this timer ran: a bot loop that cannot keep up shows here first, and then the
         * run measures the bots rather than the server. */
        bot_series_add2(st, &st->lag_us, &st->full_lag_us, now - b->t_a);
        if (b->out != NULL) {
            st->sends_skipped++;
        } else {
            int dx = (int)(bot_rand(&st->rng) % 3u) - 1, dy = (int)(bot_rand(&st->rng) % 3u) - 1;
            if (b->x + dx >= -WALK_LIMIT && b->x + dx <= WALK_LIMIT)
                b->x = (int16_t)(b->x + dx);
            if (b->y + dy >= -WALK_LIMIT && b->y + dy <= WALK_LIMIT)
                b->y = (int16_t)(b->y + dy);
            k = proto_encode_move(b->x, b->y, frame + n, sizeof frame - n);
            if (k == 0)
                return send_frame(b, frame, 0);
            n += k;
            st->moves_sent++;
        }
        b->t_a += move_p;
        if (b->t_a <= now) /* fell behind (a stalled loop): no burst to catch up */
            b->t_a = now + move_p;
    }
    if (ping_due) {
        if (b->out != NULL) {
            st->sends_skipped++;
        } else {
            k = proto_encode_ping(PROTO_PING, os_now_us(), frame + n, sizeof frame - n);
            if (k == 0)
                return send_frame(b, frame, 0);
            n += k;
            st->pings_sent++;
        }
        b->t_b += ping_p;
        if (b->t_b <= now)
            b->t_b = now + ping_p;
    }
    if (n > 0 && send_frame(b, frame, n) < 0)
        return -1;
    /* A PING due after the next MOVE waits for it (and rides with it); one due before it, as when
     * PINGs are more frequent than MOVEs or there are none (--move-hz 0), keeps its own time. */
    *next = b->t_a;
    if (b->t_b != 0 && (b->t_a == 0 || b->t_b < b->t_a))
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
