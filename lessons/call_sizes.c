/* call_sizes.c - for psh-recv and nagle: int-array facts (what each of a series of calls returned,
 * kept in one fact so the order and count survive into the report), the data segments a side sent,
 * and whole blocking calls. */
#include "lessons/internal.h"

#include <stdio.h>
#include <string.h>

void side_fact_ints(struct lesson_side *s, const char *key, const long *v, size_t n)
{
    struct fact f;
    size_t i, used = 0, plen = strlen(s->prefix), klen = strlen(key);
    memset(&f, 0, sizeof f);
    f.type = FACT_INTS;
    f.i = (long long)n;
    if (plen + klen >= sizeof f.key) {
        side_error(s, "fact key too long", key);
        return;
    }
    for (i = 0; i < n; i++) {
        /* room for "[...]" when shown as text, so the text form is never cut either */
        int w = snprintf(f.s + used, sizeof f.s - used, i == 0 ? "%ld" : " %ld", v[i]);
        if (w < 0 || used + (size_t)w + 2 >= sizeof f.s) {
            side_error(s, "list too long for one fact", key);
            return;
        }
        used += (size_t)w;
    }
    memcpy(f.key, s->prefix, plen);
    memcpy(f.key + plen, key, klen + 1);
    factset_put(&s->facts, &f);
}

long side_data_segs_out(struct lesson_side *s)
{
    struct sock_tcpinfo ti;
    if (sock_tcp_info(s->sock, &ti, NULL) != 0)
        return -1;
    return ti.data_segs_out;
}

void side_set_blocking(struct lesson_side *s)
{
    char err[SOCK_ERR_LEN];
    if (sock_set_nonblocking(s->sock, 0, err) != 0)
        side_error(s, "blocking mode", err);
}
