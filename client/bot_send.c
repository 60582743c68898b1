/* bot_send.c - writing without per-bot buffers in the usual case: what the kernel takes at once is
 * never copied; only what it refuses (a full send queue) is kept, in a buffer allocated then and
 * freed as soon as it is written. */
#include "client/bot.h"

#include <stdlib.h>
#include <string.h>


long bot_send_some(struct bot *b, const void *p, size_t n)
{
    long r;
    if (n == 0)
        return 0;
    r = sock_send(b->fd, p, n);
    if (r < 0) {
        int code = sock_last_error();
        if (sock_err_is_retriable(code)) {
            event_add(b->wev, NULL);
            return 0;
        }
        bot_end_on_error(b, code, 0);
        return -1;
    }
    b->loop->st->bytes_sent += (uint64_t)r;
    if ((size_t)r < n)
        event_add(b->wev, NULL);
    return r;
}

int bot_send(struct bot *b, const void *p, size_t n)
{
    const uint8_t *src = p;
    struct bot_obuf *ob = b->out;
    long r = 0;
    if (ob == NULL) { /* the usual case: the kernel takes it all, nothing is allocated */
        r = bot_send_some(b, src, n);
        if (r < 0)
            return -1;
        if ((size_t)r == n)
            return 0;
        src += r;
        n -= (size_t)r;
    }
    if (ob == NULL || ob->len + n > ob->cap) {
        uint32_t keep = ob != NULL ? ob->len - ob->off : 0;
        uint32_t cap = keep + (uint32_t)n < 512u ? 512u : (keep + (uint32_t)n) * 2u;
        struct bot_obuf *nb = malloc(sizeof *nb + cap);
        if (nb == NULL) {
            bot_end(b, BOT_END_ERROR, "out of memory");
            return -1;
        }
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
    return 0;
}

int bot_shutdown_write(struct bot *b)
{
    if (b->shut_wr)
        return 0;
    b->shut_wr = 1;
    if (sock_shutdown(b->fd, SOCK_SHUT_WR, NULL) != 0) {
        bot_end_on_error(b, sock_last_error(), 0);
        return -1;
    }
    return 0;
}

