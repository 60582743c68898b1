/* bot_out.c - a bot's writes, without per-bot buffers in the usual case: what the kernel takes at
 * once is never copied; only what it refuses (a full send queue) is kept, in a buffer allocated
 * then and freed as soon as it is written. It says what happened - sent, queued, failed - and
 * leaves the consequence to bot_conn.c, where a bot ends. */
#include "client/bot.h"

#include <stdlib.h>
#include <string.h>

enum bot_out bot_out_some(struct bot *b, const void *p, size_t n, long *sent, int *code)
{
    long r;
    *sent = 0;
    if (n == 0)
        return BOT_OUT_SENT;
    r = sock_send(b->fd, p, n);
    if (r < 0) {
        *code = sock_last_error();
        if (!sock_err_is_retriable(*code))
            return BOT_OUT_FAILED;
        event_add(b->wev, NULL);
        return BOT_OUT_QUEUED;
    }
    b->loop->st->bytes_sent += (uint64_t)r;
    *sent = r;
    if ((size_t)r < n) {
        event_add(b->wev, NULL); /* the rest when the socket is writable */
        return BOT_OUT_QUEUED;
    }
    return BOT_OUT_SENT;
}

enum bot_out bot_out_write(struct bot *b, const void *p, size_t n, int *code)
{
    const uint8_t *src = p;
    struct bot_obuf *ob = b->out;
    if (ob == NULL) { /* the usual case: the kernel takes it all, nothing is allocated */
        long r;
        enum bot_out st = bot_out_some(b, src, n, &r, code);
        if (st != BOT_OUT_QUEUED)
            return st;
        src += r;
        n -= (size_t)r;
    }
    if (ob == NULL || ob->len + n > ob->cap) {
        uint32_t keep = ob != NULL ? ob->len - ob->off : 0;
        uint32_t cap = keep + (uint32_t)n < 512u ? 512u : (keep + (uint32_t)n) * 2u;
        struct bot_obuf *nb = malloc(sizeof *nb + cap);
        if (nb == NULL)
            return BOT_OUT_NO_MEMORY;
        nb->off = 0;
        nb->len = keep;
        nb->cap = cap;
        if (ob != NULL)
            memcpy((uint8_t *)(nb + 1), (uint8_t *)(ob + 1) + ob->off, keep);
        free(ob);
        b->out = ob = nb;
    }
    memcpy((uint8_t *)(ob + 1) + ob->len, src, n);
    ob->len += (uint32_t)n;
    event_add(b->wev, NULL);
    return BOT_OUT_QUEUED;
}

enum bot_out bot_out_flush(struct bot *b, int *code)
{
    struct bot_obuf *ob = b->out;
    enum bot_out st;
    long r;
    if (ob == NULL)
        return BOT_OUT_SENT;
    st = bot_out_some(b, (uint8_t *)(ob + 1) + ob->off, ob->len - ob->off, &r, code);
    if (st == BOT_OUT_FAILED)
        return st;
    ob->off += (uint32_t)r;
    if (ob->off < ob->len)
        return BOT_OUT_QUEUED; /* bot_out_some armed the write event */
    free(ob);
    b->out = NULL;
    return BOT_OUT_SENT;
}
