/* stats.c - what running many connections needs to be seen: the open-files limit raised at start,
 * the STATE tick's timing, a figures line every --stats seconds, and the summary at shutdown.
 *
 * A tick is timed with the monotonic clock around its callback: `work` is how long encoding and
 * sending every room's STATE took, `late` how long after its due time the tick started (the loop was
 * busy with other callbacks, or the previous tick overran). A tick whose work exceeds the period
 * cannot keep the tick rate, whatever the rest of the loop does. */
#include "server/game.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

#define FD_SPARE 64          /* the listener, the loop's own descriptors, stdio, a margin */
#define FD_WANT (1L << 20)   /* without --expect-conns: as many as the hard limit allows */

struct srv_stats {
    struct event *ev;        /* --stats timer */
    long fd_limit;
    uint64_t t_start, cpu_start, t_end, cpu_end;
    uint64_t iv_t, iv_cpu, iv_in, iv_out; /* at the last --stats line */
    uint64_t ticks, ticks_over, period_us;
    struct srv_hist work, late;       /* the whole run */
    struct srv_hist work_iv, late_iv; /* since the last --stats line */
};

/* ---- the histogram ------------------------------------------------------------------------- */

/* Values below 64 have a bucket each; above, each power of two is cut into 32 buckets. */
static size_t bucket_of(uint64_t v)
{
    size_t e = 0;
    if (v > 0xffffffffu)
        v = 0xffffffffu;
    while (v >= 64) {
        v >>= 1;
        e++;
    }
    return e == 0 ? (size_t)v : 32 + e * 32 + (size_t)(v - 32);
}

static uint64_t bucket_mid(size_t i)
{
    uint64_t x, lo, hi;
    size_t e;
    if (i < 64)
        return i;
    e = (i - 32) / 32;
    x = 32 + (i - 32) % 32;
    lo = x << e;
    hi = ((x + 1) << e) - 1;
    return lo + (hi - lo) / 2;
}

void srv_hist_add(struct srv_hist *h, uint64_t us)
{
    h->b[bucket_of(us)]++;
    h->n++;
    if (us > h->max)
        h->max = us;
}

uint64_t srv_hist_pct(const struct srv_hist *h, double p)
{
    uint64_t rank, seen = 0, v;
    size_t i;
    if (h->n == 0)
        return 0;
    rank = (uint64_t)((p / 100.0) * (double)h->n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > h->n)
        rank = h->n;
    for (i = 0; i < SRV_HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank)
            break;
    }
    v = bucket_mid(i < SRV_HIST_BUCKETS ? i : SRV_HIST_BUCKETS - 1);
    return v < h->max ? v : h->max;
}

/* ---- start and the open-files limit ------------------------------------------------------- */

int srv_stats_init(struct srv *s)
{
    struct srv_stats *st = calloc(1, sizeof *st);
    long want = s->cfg.expect_conns > 0 ? (long)s->cfg.expect_conns + FD_SPARE : FD_WANT;

    if (st == NULL) {
        fprintf(stderr, "%s: out of memory\n", SRV_PROG);
        return -1;
    }
    s->stats = st;
    st->t_start = st->iv_t = os_now_us();
    st->cpu_start = st->iv_cpu = os_cpu_us();
    st->period_us = 1000000u / (uint64_t)(s->cfg.tick_hz > 0 ? s->cfg.tick_hz : 1);
    /* Every connection is a descriptor: 10,000 players need more than the usual soft limit of 1024.
     * The soft limit may be raised up to the hard one without privileges. */
    st->fd_limit = os_raise_fd_limit(want);
    if (s->cfg.expect_conns > 0 && st->fd_limit >= 0 && st->fd_limit < want) {
        fprintf(stderr,
                "%s: --expect-conns %d needs %ld open files but the limit is %ld "
                "(raise the hard limit, e.g. ulimit -Hn %ld as root, or LimitNOFILE= for a service)\n",
                SRV_PROG, s->cfg.expect_conns, want, st->fd_limit, want);
        return -1;
    }
    return 0;
}

/* ---- ticks --------------------------------------------------------------------------------- */

void srv_stats_tick(struct srv *s, uint64_t late_us, uint64_t work_us)
{
    struct srv_stats *st = s->stats;
    if (st == NULL)
        return;
    st->ticks++;
    if (work_us > st->period_us)
        st->ticks_over++;
    srv_hist_add(&st->work, work_us);
    srv_hist_add(&st->late, late_us);
    if (st->ev != NULL) {
        srv_hist_add(&st->work_iv, work_us);
        srv_hist_add(&st->late_iv, late_us);
    }
}

/* ---- --stats lines ------------------------------------------------------------------------- */

static double ms(uint64_t us)
{
    return (double)us / 1000.0;
}

static double mib(long bytes)
{
    return bytes < 0 ? 0.0 : (double)bytes / 1048576.0;
}

/* Appends ", " (unless first) and the formatted item to out, when n is not 0. */
static void item(char *out, size_t cap, uint64_t n, const char *fmt, ...)
{
    size_t len = strlen(out);
    va_list ap;
    if (n == 0 || len + 2 >= cap)
        return;
    if (len > 0) {
        memcpy(out + len, ", ", 3);
        len += 2;
    }
    va_start(ap, fmt);
    vsnprintf(out + len, cap - len, fmt, ap);
    va_end(ap);
}

/* What the limits did so far, only what happened, for a --stats line and the summary: "" while
 * they did nothing. E.g. "refused 12 (per-source 12), timed out 3 (HELLO 3)". */
static void limits_text(const struct srv *s, char *out, size_t cap)
{
    const struct srv_counts *n = &s->counts;
    char refused[96] = "", late[96] = "";
    item(refused, sizeof refused, n->refused_full, "full %llu", (unsigned long long)n->refused_full);
    item(refused, sizeof refused, n->refused_source, "per-source %llu", (unsigned long long)n->refused_source);
    item(refused, sizeof refused, n->refused_allow, "not allowed %llu", (unsigned long long)n->refused_allow);
    item(late, sizeof late, n->late_hello, "HELLO %llu", (unsigned long long)n->late_hello);
    item(late, sizeof late, n->late_frame, "frame %llu", (unsigned long long)n->late_frame);
    item(late, sizeof late, n->idle, "idle %llu", (unsigned long long)n->idle);
    out[0] = '\0';
    item(out, cap, n->refused_full + n->refused_source + n->refused_allow, "refused %llu (%s)",
         (unsigned long long)(n->refused_full + n->refused_source + n->refused_allow), refused);
    item(out, cap, n->shed, "shed %llu", (unsigned long long)n->shed);
    item(out, cap, n->late_hello + n->late_frame + n->idle, "timed out %llu (%s)",
         (unsigned long long)(n->late_hello + n->late_frame + n->idle), late);
    item(out, cap, n->dropped + n->kicked, "over a rate %llu dropped and %llu closed",
         (unsigned long long)n->dropped, (unsigned long long)n->kicked);
    item(out, cap, n->protocol_errors, "protocol errors %llu", (unsigned long long)n->protocol_errors);
    item(out, cap, n->cut_short, "closing cut short %llu", (unsigned long long)n->cut_short);
}

static void on_stats(evutil_socket_t fd, short what, void *arg)
{
    struct srv *s = arg;
    struct srv_stats *st = s->stats;
    uint64_t now = os_now_us(), cpu = os_cpu_us();
    double secs = (double)(now - st->iv_t) / 1e6;
    char game[256] = "", limits[512];
    (void)fd, (void)what;

    if (secs <= 0.0)
        secs = 1e-6;
    if (s->game != NULL)
        snprintf(game, sizeof game,
                 "; %lu players in %lu rooms; %llu ticks: work p50 %.1f ms p99 %.1f ms max %.1f ms, "
                 "late p99 %.1f ms max %.1f ms",
                 (unsigned long)s->game->n_players, (unsigned long)s->game->n_rooms,
                 (unsigned long long)st->work_iv.n, ms(srv_hist_pct(&st->work_iv, 50)),
                 ms(srv_hist_pct(&st->work_iv, 99)), ms(st->work_iv.max), ms(srv_hist_pct(&st->late_iv, 99)),
                 ms(st->late_iv.max));
    limits_text(s, limits, sizeof limits);
    srv_log("stats: %lu connections, in %.0f B/s, out %.0f B/s, CPU %.0f%% of one core, RSS %.1f MiB%s%s%s",
            (unsigned long)s->n_live, (double)(s->bytes_in - st->iv_in) / secs,
            (double)(s->bytes_out - st->iv_out) / secs, 100.0 * (double)(cpu - st->iv_cpu) / 1e6 / secs,
            mib(os_rss_bytes()), game, limits[0] != '\0' ? "; limits: " : "", limits);
    st->iv_t = now;
    st->iv_cpu = cpu;
    st->iv_in = s->bytes_in;
    st->iv_out = s->bytes_out;
    memset(&st->work_iv, 0, sizeof st->work_iv);
    memset(&st->late_iv, 0, sizeof st->late_iv);
}

int srv_stats_start(struct srv *s)
{
    struct srv_stats *st = s->stats;
    struct timeval tv;
    if (st == NULL || s->cfg.stats_s <= 0 || s->lesson != NULL)
        return 0;
    st->ev = event_new(s->base, -1, EV_PERSIST, on_stats, s);
    if (st->ev == NULL)
        return -1;
    tv.tv_sec = s->cfg.stats_s;
    tv.tv_usec = 0;
    return event_add(st->ev, &tv);
}

/* The loop ended: stop the timer, note the time and CPU used. */
static void stats_end(struct srv *s)
{
    struct srv_stats *st = s->stats;
    if (st == NULL)
        return;
    if (st->ev != NULL)
        event_free(st->ev);
    st->ev = NULL;
    st->t_end = os_now_us();
    st->cpu_end = os_cpu_us();
}

/* ---- the summary --------------------------------------------------------------------------- */

void srv_stats_summary(struct srv *s, int print)
{
    struct srv_stats *st = s->stats;
    if (st == NULL)
        return;
    if (print && s->lesson == NULL) {
        char limits[512];
        double secs;
        if (st->t_end == 0)
            stats_end(s);
        secs = (double)(st->t_end - st->t_start) / 1e6;
        if (s->game != NULL)
            srv_log("tick: %llu ticks at %d Hz (every %.1f ms): work p50 %.2f ms, p99 %.2f ms, max %.2f ms "
                    "(%llu over %.1f ms); started late p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                    (unsigned long long)st->ticks, s->cfg.tick_hz, ms(st->period_us),
                    ms(srv_hist_pct(&st->work, 50)), ms(srv_hist_pct(&st->work, 99)), ms(st->work.max),
                    (unsigned long long)st->ticks_over, ms(st->period_us), ms(srv_hist_pct(&st->late, 50)),
                    ms(srv_hist_pct(&st->late, 99)), ms(st->late.max));
        srv_log("process: %.2f s CPU in %.2f s (%.0f%% of one core), peak RSS %.1f MiB, open-files limit %ld",
                (double)(st->cpu_end - st->cpu_start) / 1e6, secs,
                secs > 0.0 ? 100.0 * (double)(st->cpu_end - st->cpu_start) / 1e6 / secs : 0.0,
                mib(os_peak_rss_bytes()), st->fd_limit);
        limits_text(s, limits, sizeof limits);
        if (limits[0] != '\0')
            srv_log("limits: %s", limits);
    }
    if (st->ev != NULL)
        event_free(st->ev); /* teardown calls this while the loop still exists */
    free(st);
    s->stats = NULL;
}
