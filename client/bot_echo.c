/* bot_echo.c - an echo bot: send --msg-size bytes, wait until every one of them came back (the
 * stream may return them in any number of pieces), record the round trip, repeat until the end of
 * play. Every bot sends the loop's one shared message, so an echo bot owns no buffer at all: it
 * only remembers how far it got. At the end it sends FIN and reads the rest of the echo to EOF,
 * so bytes received equals bytes sent. */
#include "client/bot.h"

#include <string.h>

#include "common/i18n.h"
#include "common/proto.h"

static int send_more(struct bot *b)
{
    size_t size = (size_t)b->loop->o->msg_size;
    long r;
    if (b->sent_off >= size)
        return 0;
    r = bot_send_some(b, b->loop->pattern + b->sent_off, size - b->sent_off);
    if (r < 0)
        return -1;
    b->sent_off += (uint32_t)r;
    return b->sent_off < size ? 1 : 0; /* 1: bot_send_some armed the write event */
}

static int start_message(struct bot *b, uint64_t now)
{
    b->sent_off = 0;
    b->got = 0;
    b->t_a = now;
    return send_more(b);
}

static int echo_connected(struct bot *b, uint64_t now)
{
    bot_play_begin(b, now);
    return start_message(b, now) < 0 ? -1 : 0;
}

static long echo_data(struct bot *b, const uint8_t *p, size_t n, uint64_t now)
{
    struct bot_stats *st = b->loop->st;
    size_t size = (size_t)b->loop->o->msg_size;
    if (b->got + n > b->sent_off || memcmp(p, b->loop->pattern + b->got, n) != 0) {
        struct proto_frame f;
        size_t used;
        /* A socklab game server answers bytes it cannot parse with an ERROR frame. */
        if (b->got == 0 && proto_parse(p, n, &f, &used) == PROTO_OK && f.type == PROTO_ERROR)
            bot_stats_wrong_server(st, T("it answered with a game ERROR frame: a game server (start socklab-server "
                                         "with --proto echo, or run socklab-bot --proto game)"));
        bot_end(b, BOT_END_PROTOCOL_ERROR, b->got + n > b->sent_off ? "echo: more bytes came back than were sent"
                                                                    : "echo: bytes came back changed");
        return -1;
    }
    b->got += (uint32_t)n;
    if (b->got == size) {
        bot_series_add2(st, &st->rtt_us, &st->full_rtt_us, now - b->t_a);
        st->echo_messages++;
        if (b->state == BOT_PLAYING && (b->t_end == 0 || now < b->t_end) && start_message(b, now) < 0)
            return -1;
    }
    return (long)n;
}

static int echo_writable(struct bot *b, uint64_t now)
{
    (void)now;
    return send_more(b);
}

static int echo_timer(struct bot *b, uint64_t now, uint64_t *next)
{
    (void)b;
    (void)now;
    *next = 0; /* nothing periodic: the next message follows the echo of the last one */
    return 0;
}

static int echo_stop(struct bot *b, uint64_t now)
{
    (void)now;
    /* a message half-written is finished first, so the server never sees a torn one */
    return b->sent_off < (uint32_t)b->loop->o->msg_size ? 1 : 0;
}

const struct bot_proto_ops bot_echo_ops = {
    echo_connected, echo_data, echo_writable, echo_timer, echo_stop,
};
