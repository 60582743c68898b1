/* loadgen_hold.c - the hold load: --count connections to one server, each echoes one byte (so the
 * server has really taken it on) and then stays idle; reports the growth of the server's RSS. */
#define _GNU_SOURCE 1

#include "loadgen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cli.h"
#include "compat/os.h"

#define MAX_EVENTS 512
/* Connects in progress at once: under the servers' listen backlogs (511 and more), so no SYN is
 * dropped and sent again a second later, which would count in setup_seconds. */
#define MAX_CONNECTING 256
#define SETUP_SLACK_NS (30ull * 1000000000ull)

static void prepare(struct lg *lg)
{
    if (lg->ntg > 1) /* RSS is read from one server at a time */
        cli_fail(LG_PROG, "hold loads one server: no --vs-port");
    if (lg->tg[0].pid <= 0)
        cli_fail(LG_PROG, "hold needs --server-pid (it reads the server's RSS)");
}

/* One connect + 1-byte echo + close, blocking: warms the server's buffers before the baseline. */
static void warm_one(const struct lg *lg)
{
    int fd = lg_connect_ready(&lg->tg[0].addr), guard;
    char b = 'w';
    if (send(fd, &b, 1, MSG_NOSIGNAL) != 1)
        lg_die("warm-up send: %s", strerror(errno));
    for (guard = 0; guard < 5000; guard++) {
        ssize_t n = recv(fd, &b, 1, 0);
        if (n == 1)
            break;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            lg_die("warm-up recv: %s", n == 0 ? "EOF" : strerror(errno));
        os_sleep_ms(1);
    }
    close(fd);
}

/* Opens all --count connections, each through its one-byte echo; returns how long that took. */
static uint64_t open_all(struct lg *lg)
{
    struct epoll_event evs[MAX_EVENTS];
    uint64_t start = lg_now_ns(), deadline = start + SETUP_SLACK_NS + (uint64_t)(lg->o.seconds * 1e9);
    long opened = 0, idle = 0, connecting = 0, count = lg->o.count;

    while (idle < count) {
        int n, k;
        while (opened < count && connecting < MAX_CONNECTING) {
            if (lg_start_connect(lg, opened) != 0)
                lg_die("hold: connect failed after %ld connections: %s", opened, strerror(errno));
            opened++;
            connecting++;
        }
        n = epoll_wait(lg->ep, evs, MAX_EVENTS, 100);
        if (n < 0 && errno != EINTR)
            lg_die("epoll_wait: %s", strerror(errno));
        for (k = 0; k < n; k++) {
            long idx = (long)(uint32_t)evs[k].data.u64;
            if (idx >= lg->nslots || lg->lc[idx].fd < 0 || lg->lc[idx].state == LG_IDLE)
                continue;
            if (lg_cycle_event(lg, idx, evs[k].events, 1, LG_STAY)) {
                idle++;
                connecting--;
            } else if (lg->lc[idx].state == LG_FREE) {
                lg_die("hold: a connection failed or closed");
            }
        }
        if (lg_now_ns() > deadline)
            lg_die("hold: timed out opening connections");
    }
    return lg_now_ns() - start;
}

static void run(struct lg *lg)
{
    const struct lg_target *g = &lg->tg[0];
    double count = lg->o.count;
    long long rss0, rss1, rss2, cpu0, cpu1;
    uint64_t setup_ns;
    long i;

    lg_slots(lg, lg->o.count);
    for (i = 0; i < 3; i++)
        warm_one(lg);
    os_sleep_ms(300);
    rss0 = lg_rss_bytes_of(g->pid);
    cpu0 = lg_cpu_ns_of(g->pid);
    setup_ns = open_all(lg);
    os_sleep_ms(500); /* let the server finish with the last ones */
    rss1 = lg_rss_bytes_of(g->pid);
    cpu1 = lg_cpu_ns_of(g->pid);
    for (i = 0; i < lg->o.count; i++)
        lg_close(lg, i, 0);
    os_sleep_ms(1000); /* and with the closes */
    rss2 = lg_rss_bytes_of(g->pid);
    printf("target=1 port=%ld mode=hold count=%d rss_before=%lld rss_held=%lld rss_after_close=%lld "
           "bytes_per_conn=%.1f rate=%.1f unit=byte setup_seconds=%.3f server_cpu_us_per_conn=%.3f errors=%llu\n",
           g->port, lg->o.count, rss0, rss1, rss2, (double)(rss1 - rss0) / count, (double)(rss1 - rss0) / count,
           (double)setup_ns / 1e9, (double)(cpu1 - cpu0) / 1e3 / count, (unsigned long long)g->errors);
}

const struct lg_mode lg_hold = {
    .name = "hold",
    .unit = "byte",
    .ops_per_unit = 1,
    .prepare = prepare,
    .run = run,
};
