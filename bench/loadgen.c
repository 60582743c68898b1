/* loadgen.c - socklab's load generator: drives echo servers on 127.0.0.1 and reports what it
 * managed, and what it cost each server: the server's own CPU time, read from /proc/PID/task/
 * (TID)/schedstat (nanoseconds on the CPU, summed over its threads) around every measured slice,
 * and its resident set size (/proc/PID/statm).
 *
 * bench/ is a Linux benchmarking tool and stands outside the rule that keeps platform code in
 * compat/: it uses epoll, /proc and POSIX headers directly, and CMake builds it only on Linux.
 *
 *   socklab-loadgen pingpong --port P [--conns 50] [--size 64]   one message in flight per
 *                            connection: msgs/s, round-trip p50/p99
 *   socklab-loadgen stream   --port P [--conns 4] [--chunk 65536] [--window 1048576]
 *                            each connection keeps up to --window bytes in flight: MB/s echoed
 *   socklab-loadgen churn    --port P [--conns 32] [--size 64] [--close client|rst|server]
 *                            --conns connections at a time, each connect, one echo, close:
 *                            connections/s. client: the client closes first (TIME_WAIT on the
 *                            client); rst: SO_LINGER{1,0}, no TIME_WAIT; server: the client waits
 *                            for the server's EOF (the server must close after echoing)
 *   socklab-loadgen hold     --port P [--count 10000]  opens --count idle connections (each
 *                            echoes one byte first), then reads the server's RSS growth
 *   common: [--seconds 3] [--warmup 0.5] [--server-pid PID] [--verbose 1: each slice on stderr]
 *
 * Two servers at once (pingpong, stream, churn): --vs-port P2 --vs-server-pid PID2 sets up the
 * same connections to a second server and alternates between the two in slices (--slice 0.5 s
 * measured, after --slice-warmup 0.1 s), in the order ABBA ABBA..., until each had --seconds: only
 * one server has work at any time, and whatever else the machine does meanwhile falls on both
 * alike. Between slices the active connections finish what is in flight and start nothing new.
 *
 * Output: one line of key=value pairs per server on stdout ("target=1 port=... mode=pingpong ...
 * rate=185000.0 unit=msg server_cpu_us_per_op=5.31 ..."); errors on stderr and exit status 1.
 * Every loop is bounded by a count or by a deadline. */
#define _GNU_SOURCE 1

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "compat/os.h"

#define PROG "socklab-loadgen"
#define MAX_EVENTS 512
#define RBUF_SIZE (256 * 1024)
#define MAX_SIZE (1024 * 1024)
#define MAX_CONNS 100000
#define MAX_SAMPLES (4u * 1024u * 1024u)
#define SETUP_SLACK_NS (30ull * 1000000000ull)
#define STALL_NS (5ull * 1000000000ull)
#define DRAIN_NS (5ull * 1000000000ull)
#define HOLD_CONNECTING 256

enum mode { PINGPONG, STREAM, CHURN, HOLD };
enum close_how { CLOSE_CLIENT, CLOSE_RST, CLOSE_SERVER };
enum state { ST_FREE, ST_CONNECTING, ST_WAIT_ECHO, ST_WAIT_EOF, ST_IDLE, ST_RETRY };

struct opts {
    enum mode mode;
    const char *mode_name;
    int conns, size, chunk, window, count;
    double seconds, warmup, slice, slice_warmup;
    enum close_how close_how;
    int verbose;
};

/* A server under load, and what was measured on it over all its slices. */
struct target {
    long port, pid;
    struct sockaddr_in addr;
    uint64_t ops, bytes, errors;       /* running counts */
    double secs, m_ops, m_bytes;       /* measured slices only */
    uint64_t m_errors;
    long long m_cpu_ns;                /* < 0: the server's CPU could not be read */
    double m_self_us, m_machine_s, m_others_ns;
    uint32_t *samples;
    size_t nsamples;
    int slices;
};

struct lconn {
    int fd;
    uint8_t state, out_armed, tgt, busy;
    uint32_t got, to_send, gen;
    uint64_t t_sent;
    uint64_t sent, rcvd;
};

static struct opts o;
static struct target tg[2];
static int ntg = 1;
static int act = -1;       /* the target whose connections may start new work */
static int stopping;       /* act's connections finish what is in flight and start nothing new */
static int measuring = -1; /* the target whose round trips are recorded */
static struct lconn *lc;
static long nslots;
static int ep;
static uint8_t *msg, *rbuf;
static uint64_t last_progress_ns;

/* ---- small helpers -------------------------------------------------------------------------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", PROG);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds the process has spent on a CPU: the first field of each thread's schedstat. */
static long long cpu_ns_of(long pid)
{
    char path[64], line[128];
    DIR *d;
    struct dirent *e;
    long long sum = 0;
    int n = 0;

    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%ld/task", pid);
    d = opendir(path);
    if (d == NULL)
        return -1;
    while (n < 4096 && (e = readdir(d)) != NULL) {
        char p[320];
        FILE *f;
        long long v;
        if (e->d_name[0] == '.')
            continue;
        n++;
        snprintf(p, sizeof p, "/proc/%ld/task/%s/schedstat", pid, e->d_name);
        f = fopen(p, "r");
        if (f == NULL)
            continue; /* the thread ended meanwhile */
        if (fgets(line, sizeof line, f) != NULL && sscanf(line, "%lld", &v) == 1)
            sum += v;
        fclose(f);
    }
    closedir(d);
    return sum;
}

static long long rss_bytes_of(long pid)
{
    char path[64];
    long long size, pages = -1;
    FILE *f;
    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%ld/statm", pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "%lld %lld", &size, &pages) != 2)
        pages = -1;
    fclose(f);
    return pages < 0 ? -1 : pages * (long long)sysconf(_SC_PAGESIZE);
}

/* CPU time the whole machine was busy (every CPU, every process and the kernel), in seconds:
 * /proc/stat's first line, all but idle and iowait. */
static double machine_busy_s(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
               &v[7]) != 8) {
        fclose(f);
        return -1;
    }
    fclose(f);
    /* user nice system irq softirq steal */
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
}

static int fcntl_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Every connection needs a descriptor, and the soft limit is often 1024. */
static void raise_fd_limit(long need)
{
    long have = os_raise_fd_limit(need);
    if (have >= 0 && have < need)
        die("needs %ld open files, the limit is %ld: raise it (ulimit -n)", need, have);
}

/* ---- connections ----------------------------------------------------------------------------- */

static void watch(long i, int op, uint32_t events)
{
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = (uint64_t)(uint32_t)i | ((uint64_t)lc[i].gen << 32);
    if (epoll_ctl(ep, op, lc[i].fd, &ev) != 0)
        die("epoll_ctl: %s", strerror(errno));
}

static void set_out(long i, int on)
{
    if (lc[i].out_armed == on)
        return;
    lc[i].out_armed = (uint8_t)on;
    watch(i, EPOLL_CTL_MOD, EPOLLIN | (on ? EPOLLOUT : 0));
}

/* A blocking connect (setup only), then non-blocking with TCP_NODELAY. */
static int connect_ready(const struct sockaddr_in *to)
{
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {5, 0};
    if (fd < 0)
        die("socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0)
        die("connect to port %u: %s", (unsigned)ntohs(to->sin_port), strerror(errno));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fcntl_nonblock(fd) != 0)
        die("fcntl: %s", strerror(errno));
    return fd;
}

static void close_conn(long i, int rst)
{
    if (rst) {
        struct linger l = {1, 0};
        setsockopt(lc[i].fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close(lc[i].fd);
    lc[i].fd = -1;
    lc[i].state = ST_FREE;
    lc[i].gen++;
}

static int may_start(long i)
{
    return lc[i].tgt == act && !stopping;
}

static void progress(struct target *t, uint64_t ops, uint64_t bytes, uint64_t now)
{
    t->ops += ops;
    t->bytes += bytes;
    last_progress_ns = now;
}

/* ---- pingpong -------------------------------------------------------------------------------- */

static void pp_send(long i, uint64_t now)
{
    struct lconn *c = &lc[i];
    if (c->to_send == 0) { /* a new message */
        c->to_send = (uint32_t)o.size;
        c->t_sent = now;
        c->busy = 1;
    }
    while (c->to_send > 0) {
        ssize_t n = send(c->fd, msg + (o.size - c->to_send), c->to_send, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            die("send: %s", strerror(errno));
        }
        c->to_send -= (uint32_t)n;
    }
    set_out(i, c->to_send > 0);
}

static void pp_event(long i, uint32_t ev, uint64_t now)
{
    struct lconn *c = &lc[i];
    struct target *t = &tg[c->tgt];
    ssize_t n;
    if ((ev & EPOLLOUT) && c->to_send > 0) /* the rest of a message the kernel did not take at once */
        pp_send(i, now);
    if (!(ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return;
    n = recv(c->fd, rbuf, (size_t)o.size - c->got, 0);
    if (n == 0)
        die("pingpong: the server on port %ld closed a connection", t->port);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        die("recv: %s", strerror(errno));
    }
    if (memcmp(rbuf, msg + c->got, (size_t)n) != 0)
        die("pingpong: the echo differs from what was sent");
    c->got += (uint32_t)n;
    if (c->got < (uint32_t)o.size)
        return;
    c->got = 0;
    c->busy = 0;
    progress(t, 1, (uint64_t)o.size, now);
    if (measuring == c->tgt && t->nsamples < MAX_SAMPLES) {
        uint64_t rtt = now - c->t_sent;
        t->samples[t->nsamples++] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
    }
    if (may_start(i))
        pp_send(i, now);
}

/* ---- stream ---------------------------------------------------------------------------------- */

static void st_event(long i, uint32_t ev, uint64_t now)
{
    struct lconn *c = &lc[i];
    int k;
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        ssize_t n = recv(c->fd, rbuf, RBUF_SIZE, 0);
        if (n == 0)
            die("stream: the server on port %ld closed a connection", tg[c->tgt].port);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            die("recv: %s", strerror(errno));
        if (n > 0) {
            c->rcvd += (uint64_t)n;
            progress(&tg[c->tgt], (uint64_t)n, (uint64_t)n, now);
        }
    }
    if ((ev & EPOLLOUT) && may_start(i)) {
        for (k = 0; k < 4; k++) {
            uint64_t inflight = c->sent - c->rcvd, room;
            ssize_t n;
            if (inflight >= (uint64_t)o.window)
                break;
            room = (uint64_t)o.window - inflight;
            n = send(c->fd, msg, room < (uint64_t)o.chunk ? (size_t)room : (size_t)o.chunk, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                    break;
                die("send: %s", strerror(errno));
            }
            c->sent += (uint64_t)n;
        }
    }
    /* Hysteresis: stop asking for EPOLLOUT at a full window, ask again once half of it came back. */
    if (!may_start(i) || c->sent - c->rcvd >= (uint64_t)o.window)
        set_out(i, 0);
    else if (c->sent - c->rcvd <= (uint64_t)o.window / 2)
        set_out(i, 1);
    c->busy = c->sent != c->rcvd;
}

/* ---- churn and hold: non-blocking connects ---------------------------------------------------- */

static int start_connect(long i)
{
    const struct sockaddr_in *to = &tg[lc[i].tgt].addr;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        tg[lc[i].tgt].errors++;
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0 && errno != EINPROGRESS) {
        close(fd);
        tg[lc[i].tgt].errors++;
        return -1;
    }
    lc[i].fd = fd;
    lc[i].state = ST_CONNECTING;
    lc[i].got = 0;
    /* Edge-triggered: one epoll_ctl per connection; EPOLLOUT fires once connected. */
    watch(i, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
    return 0;
}

static void fail_conn(long i)
{
    tg[lc[i].tgt].errors++;
    close_conn(i, 0);
}

/* Drives one connection of churn/hold; returns 1 when its cycle just completed. */
static int cycle_event(long i, uint32_t ev, size_t size)
{
    struct lconn *c = &lc[i];
    int guard;
    if (c->state == ST_CONNECTING) {
        if (ev & EPOLLERR) {
            fail_conn(i);
            return 0;
        }
        if (!(ev & EPOLLOUT))
            return 0;
        if (send(c->fd, msg, size, MSG_NOSIGNAL) != (ssize_t)size) {
            fail_conn(i);
            return 0;
        }
        c->state = ST_WAIT_ECHO;
    }
    for (guard = 0; guard < 64 && (c->state == ST_WAIT_ECHO || c->state == ST_WAIT_EOF); guard++) {
        ssize_t n = recv(c->fd, rbuf, c->state == ST_WAIT_EOF ? RBUF_SIZE : size - c->got, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return 0;
        if (c->state == ST_WAIT_EOF && n == 0) {
            close_conn(i, 0);
            return 1;
        }
        if (n <= 0 || c->state == ST_WAIT_EOF || memcmp(rbuf, msg + c->got, (size_t)n) != 0) {
            fail_conn(i); /* an error, an early EOF, bytes after the echo, or a wrong echo */
            return 0;
        }
        c->got += (uint32_t)n;
        if (c->got < size)
            continue;
        if (o.mode == HOLD) {
            c->state = ST_IDLE;
            return 1;
        }
        if (o.close_how == CLOSE_SERVER) {
            c->state = ST_WAIT_EOF;
            continue;
        }
        close_conn(i, o.close_how == CLOSE_RST);
        return 1;
    }
    return 0;
}

/* Starts the next cycle on a free churn slot of the active target. */
static void churn_refill(long i)
{
    if (lc[i].state != ST_FREE && lc[i].state != ST_RETRY)
        return;
    if (!may_start(i)) {
        lc[i].state = ST_FREE;
        return;
    }
    lc[i].state = start_connect(i) == 0 ? ST_CONNECTING : ST_RETRY;
}

/* ---- the loop: slices of work for one target at a time ---------------------------------------- */

static int in_flight(int t)
{
    long i;
    for (i = 0; i < nslots; i++)
        if (lc[i].tgt == t && (o.mode == CHURN ? lc[i].state != ST_FREE && lc[i].state != ST_RETRY : lc[i].busy))
            return 1;
    return 0;
}

/* Runs the loop until `until`; with drain >= 0, returns as soon as that target has nothing in
 * flight (and dies if it still has at `until`). */
static void pump(uint64_t until, int drain)
{
    struct epoll_event evs[MAX_EVENTS];
    uint64_t now = now_ns(), last_retry = 0;
    long i;

    while (now < until) {
        int n, k, timeout;
        if (drain >= 0 && !in_flight(drain))
            return;
        timeout = (int)((until - now + 999999u) / 1000000u);
        if (timeout > 100)
            timeout = 100;
        if (o.mode == CHURN && timeout > 1)
            timeout = 1; /* slots waiting to retry a connect */
        n = epoll_wait(ep, evs, MAX_EVENTS, timeout);
        if (n < 0 && errno != EINTR)
            die("epoll_wait: %s", strerror(errno));
        now = now_ns();
        for (k = 0; k < n; k++) {
            long idx = (long)(uint32_t)evs[k].data.u64;
            uint32_t gen = (uint32_t)(evs[k].data.u64 >> 32), ev = evs[k].events;
            if (idx >= nslots || lc[idx].gen != gen || lc[idx].fd < 0)
                continue; /* a connection closed earlier in this batch */
            if (o.mode == PINGPONG)
                pp_event(idx, ev, now);
            else if (o.mode == STREAM)
                st_event(idx, ev, now);
            else {
                if (cycle_event(idx, ev, (size_t)o.size))
                    progress(&tg[lc[idx].tgt], 1, (uint64_t)o.size, now);
                if (lc[idx].state == ST_FREE)
                    churn_refill(idx);
            }
        }
        if (o.mode == CHURN && now - last_retry >= 1000000u) { /* ports or descriptors were short */
            last_retry = now;
            for (i = 0; i < nslots; i++)
                if (lc[i].state == ST_RETRY)
                    churn_refill(i);
        }
        if (now - last_progress_ns > STALL_NS)
            die("no progress for 5 s: is the server stuck?%s",
                o.mode == CHURN && o.close_how == CLOSE_SERVER ? " (--close server needs a server that closes first)"
                                                               : "");
    }
    if (drain >= 0 && in_flight(drain))
        die("the server on port %ld did not finish the work in flight in 5 s", tg[drain].port);
}

/* Gives target t work to do. */
static void activate(int t)
{
    uint64_t now = now_ns();
    long i;
    act = t;
    stopping = 0;
    last_progress_ns = now;
    for (i = 0; i < nslots; i++) {
        if (lc[i].tgt != t)
            continue;
        if (o.mode == PINGPONG)
            pp_send(i, now);
        else if (o.mode == STREAM)
            set_out(i, 1);
        else
            churn_refill(i);
    }
}

/* Lets target t finish what is in flight, starting nothing new. */
static void wind_down(int t)
{
    long i;
    stopping = 1;
    for (i = 0; i < nslots; i++)
        if (lc[i].tgt == t && o.mode == STREAM)
            set_out(i, 0);
        else if (lc[i].tgt == t && o.mode == CHURN && lc[i].state == ST_RETRY)
            lc[i].state = ST_FREE;
    pump(now_ns() + DRAIN_NS, t);
    act = -1;
}

struct snap {
    uint64_t t, ops, bytes, errors;
    long long cpu_ns[2];
    double self_us, machine_s;
};

static void snap_take(struct snap *s, int t)
{
    int k;
    s->t = now_ns();
    s->ops = tg[t].ops;
    s->bytes = tg[t].bytes;
    s->errors = tg[t].errors;
    for (k = 0; k < ntg; k++)
        s->cpu_ns[k] = cpu_ns_of(tg[k].pid);
    s->self_us = (double)os_cpu_us();
    s->machine_s = machine_busy_s();
}

/* One measured slice of `secs` for target t, after `warm` seconds of unmeasured work. */
static void slice(int t, double warm, double secs)
{
    struct target *g = &tg[t];
    struct snap a, b;
    int k;
    activate(t);
    pump(now_ns() + (uint64_t)(warm * 1e9), -1);
    snap_take(&a, t);
    measuring = t;
    pump(a.t + (uint64_t)(secs * 1e9), -1);
    snap_take(&b, t);
    measuring = -1;
    wind_down(t);

    g->slices++;
    g->secs += (double)(b.t - a.t) / 1e9;
    g->m_ops += (double)(b.ops - a.ops);
    g->m_bytes += (double)(b.bytes - a.bytes);
    g->m_errors += b.errors - a.errors;
    if (g->m_cpu_ns >= 0 && a.cpu_ns[t] >= 0 && b.cpu_ns[t] >= 0)
        g->m_cpu_ns += b.cpu_ns[t] - a.cpu_ns[t];
    else
        g->m_cpu_ns = -1;
    for (k = 0; k < ntg; k++)
        if (k != t && a.cpu_ns[k] >= 0 && b.cpu_ns[k] >= 0)
            g->m_others_ns += (double)(b.cpu_ns[k] - a.cpu_ns[k]); /* the idle server, ~0 */
    g->m_self_us += b.self_us - a.self_us;
    if (o.verbose && secs > 0) {
        double ops = o.mode == STREAM ? (double)(b.bytes - a.bytes) / 1e6 : (double)(b.ops - a.ops);
        fprintf(stderr, "%s: slice %d of target %d: %.3f s, %.1f %s, server CPU %.3f us each\n", PROG, g->slices,
                t + 1, (double)(b.t - a.t) / 1e9, ops, o.mode == STREAM ? "MB" : "ops",
                ops > 0 && a.cpu_ns[t] >= 0 ? (double)(b.cpu_ns[t] - a.cpu_ns[t]) / 1e3 / ops : -1.0);
    }
    g->m_machine_s = g->m_machine_s >= 0 && a.machine_s >= 0 && b.machine_s >= 0
                         ? g->m_machine_s + (b.machine_s - a.machine_s)
                         : -1;
}

static void forget_measured(struct target *g)
{
    g->slices = 0;
    g->secs = g->m_ops = g->m_bytes = g->m_self_us = g->m_machine_s = g->m_others_ns = 0;
    g->m_errors = 0;
    g->m_cpu_ns = 0;
    g->nsamples = 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_us(const struct target *g, double p)
{
    size_t k;
    if (g->nsamples == 0)
        return -1;
    k = (size_t)(p * (double)g->nsamples + 0.999999); /* nearest rank */
    if (k < 1)
        k = 1;
    if (k > g->nsamples)
        k = g->nsamples;
    return g->samples[k - 1] / 1000.0;
}

static void report(int t)
{
    struct target *g = &tg[t];
    double ops = o.mode == STREAM ? g->m_bytes / 1e6 : g->m_ops; /* MB = 10^6 bytes */
    double div = ops > 0 ? ops : 1, srv_share = -1, load_share = -1, other = -1, per_op = -1, cpu_us = -1;
    if (g->nsamples > 0)
        qsort(g->samples, g->nsamples, sizeof *g->samples, cmp_u32);
    if (g->m_cpu_ns >= 0) {
        cpu_us = (double)g->m_cpu_ns / 1e3;
        per_op = cpu_us / div;
    }
    if (g->secs > 0) {
        load_share = g->m_self_us / 1e6 / g->secs;
        if (g->m_cpu_ns >= 0)
            srv_share = (double)g->m_cpu_ns / 1e9 / g->secs;
        /* What else kept the CPUs busy meanwhile (other programs, kernel threads), in CPUs. */
        if (srv_share >= 0 && g->m_machine_s >= 0)
            other = g->m_machine_s / g->secs - srv_share - load_share - g->m_others_ns / 1e9 / g->secs;
    }
    printf("target=%d port=%ld mode=%s conns=%d size=%d seconds=%.3f slices=%d ops=%.1f rate=%.1f unit=%s "
           "server_cpu_us=%.0f server_cpu_us_per_op=%.3f server_cpu_share=%.3f loadgen_cpu_share=%.3f "
           "other_cpu_share=%.3f p50_us=%.1f p99_us=%.1f errors=%llu",
           t + 1, g->port, o.mode_name, o.conns, o.mode == STREAM ? o.chunk : o.size, g->secs, g->slices, ops,
           g->secs > 0 ? ops / g->secs : 0, o.mode == STREAM ? "MB" : o.mode == PINGPONG ? "msg" : "conn", cpu_us,
           per_op, srv_share, load_share, other, pct_us(g, 0.50), pct_us(g, 0.99), (unsigned long long)g->m_errors);
    if (o.mode == CHURN)
        printf(" close=%s", o.close_how == CLOSE_CLIENT ? "client" : o.close_how == CLOSE_RST ? "rst" : "server");
    printf("\n");
}

static void run_timed(void)
{
    long i, j;
    int t, n, k;

    nslots = o.conns * ntg;
    lc = calloc((size_t)nslots, sizeof *lc);
    if (lc == NULL)
        die("out of memory");
    for (t = 0; t < ntg; t++)
        for (j = 0; j < o.conns; j++) {
            i = t * o.conns + j;
            lc[i].fd = -1;
            lc[i].tgt = (uint8_t)t;
            if (o.mode == CHURN)
                continue; /* connects are the work itself */
            lc[i].fd = connect_ready(&tg[t].addr);
            watch(i, EPOLL_CTL_ADD, EPOLLIN);
        }

    if (ntg == 1) { /* warm up, then one slice */
        slice(0, o.warmup, o.seconds);
    } else {
        n = (int)(o.seconds / o.slice + 0.5);
        if (n < 1)
            n = 1;
        for (t = 0; t < ntg; t++) { /* each server's first work is unmeasured */
            slice(t, o.warmup, 0.0);
            forget_measured(&tg[t]);
        }
        for (k = 0; k < 2 * n; k++) { /* ABBA ABBA ...: a drift in time falls on both alike */
            int first = (k / 2) % 2 == 0 ? 0 : 1;
            slice(k % 2 == 0 ? first : 1 - first, o.slice_warmup, o.slice);
        }
    }
    for (t = 0; t < ntg; t++)
        report(t);
}

/* ---- hold ------------------------------------------------------------------------------------ */

/* One connect + 1-byte echo + close, blocking: warms the server's buffers before the baseline. */
static void warm_one(void)
{
    int fd = connect_ready(&tg[0].addr), guard;
    char b = 'w';
    if (send(fd, &b, 1, MSG_NOSIGNAL) != 1)
        die("warm-up send: %s", strerror(errno));
    for (guard = 0; guard < 5000; guard++) {
        ssize_t n = recv(fd, &b, 1, 0);
        if (n == 1)
            break;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            die("warm-up recv: %s", n == 0 ? "EOF" : strerror(errno));
        os_sleep_ms(1);
    }
    close(fd);
}

static void run_hold(void)
{
    struct epoll_event evs[MAX_EVENTS];
    uint64_t start, deadline, setup_ns;
    long long rss0, rss1, rss2, cpu0, cpu1;
    long opened = 0, idle = 0, connecting = 0, i;
    int guard;

    if (tg[0].pid <= 0)
        die("hold needs --server-pid (it reads the server's RSS)");
    nslots = o.count;
    lc = calloc((size_t)nslots, sizeof *lc);
    if (lc == NULL)
        die("out of memory");
    for (i = 0; i < nslots; i++)
        lc[i].fd = -1;
    for (i = 0; i < 3; i++)
        warm_one();
    os_sleep_ms(300);
    rss0 = rss_bytes_of(tg[0].pid);
    cpu0 = cpu_ns_of(tg[0].pid);
    start = now_ns();
    deadline = start + SETUP_SLACK_NS + (uint64_t)(o.seconds * 1e9);
    while (idle < o.count) {
        int n, k;
        while (opened < o.count && connecting < HOLD_CONNECTING) {
            if (start_connect(opened) != 0)
                die("hold: connect failed after %ld connections: %s", opened, strerror(errno));
            opened++;
            connecting++;
        }
        n = epoll_wait(ep, evs, MAX_EVENTS, 100);
        if (n < 0 && errno != EINTR)
            die("epoll_wait: %s", strerror(errno));
        for (k = 0; k < n; k++) {
            long idx = (long)(uint32_t)evs[k].data.u64;
            if (idx >= nslots || lc[idx].fd < 0 || lc[idx].state == ST_IDLE)
                continue;
            if (cycle_event(idx, evs[k].events, 1)) {
                idle++;
                connecting--;
            } else if (lc[idx].state == ST_FREE) {
                die("hold: a connection failed or closed");
            }
        }
        if (now_ns() > deadline)
            die("hold: timed out opening connections");
    }
    setup_ns = now_ns() - start;
    os_sleep_ms(500); /* let the server finish with the last ones */
    rss1 = rss_bytes_of(tg[0].pid);
    cpu1 = cpu_ns_of(tg[0].pid);
    for (i = 0; i < o.count; i++)
        close_conn(i, 0);
    for (guard = 0; guard < 20; guard++)
        os_sleep_ms(50);
    rss2 = rss_bytes_of(tg[0].pid);
    printf("target=1 port=%ld mode=hold count=%d rss_before=%lld rss_held=%lld rss_after_close=%lld "
           "bytes_per_conn=%.1f rate=%.1f unit=byte setup_seconds=%.3f server_cpu_us_per_conn=%.3f errors=%llu\n",
           tg[0].port, o.count, rss0, rss1, rss2, (double)(rss1 - rss0) / (double)o.count,
           (double)(rss1 - rss0) / (double)o.count, (double)setup_ns / 1e9,
           (double)(cpu1 - cpu0) / 1e3 / (double)o.count, (unsigned long long)tg[0].errors);
}

/* ---- options --------------------------------------------------------------------------------- */

static void parse(int argc, char **argv)
{
    int port = 0, pid = 0, vs_port = 0, vs_pid = 0, npos;
    const char *mode = NULL, *close_how = "client";
    const struct cli_opt opts[] = {
        {"port", CLI_INT, &port, 1, 65535, "--port P            the server to load, on 127.0.0.1 (required)"},
        {"server-pid", CLI_INT, &pid, 1, 1 << 30,
         "--server-pid PID    its process, for its CPU time and RSS (hold: required)"},
        {"vs-port", CLI_INT, &vs_port, 1, 65535,
         "--vs-port P2        a second server, loaded in turns with the first (not hold)"},
        {"vs-server-pid", CLI_INT, &vs_pid, 1, 1 << 30, "--vs-server-pid PID2  its process"},
        {"conns", CLI_INT, &o.conns, 1, MAX_CONNS / 2,
         "--conns C           connections per server (pingpong 50, stream 4, churn 32 at a time)"},
        {"size", CLI_INT, &o.size, 1, MAX_SIZE, "--size S            pingpong, churn: bytes per message (64)"},
        {"chunk", CLI_INT, &o.chunk, 1, MAX_SIZE, "--chunk B           stream: bytes per send (65536)"},
        {"window", CLI_INT, &o.window, 1, 1 << 30, "--window B          stream: bytes in flight per connection (1048576)"},
        {"close", CLI_STR, &close_how, 0, 0, "--close client|rst|server  churn: who closes, and how (client)"},
        {"count", CLI_INT, &o.count, 1, MAX_CONNS, "--count N           hold: idle connections (10000)"},
        {"seconds", CLI_DOUBLE, &o.seconds, 0.01, 3600, "--seconds D         measured seconds per server (3)"},
        {"warmup", CLI_DOUBLE, &o.warmup, 0, 60, "--warmup W          unmeasured seconds first (0.5)"},
        {"slice", CLI_DOUBLE, &o.slice, 0.01, 60, "--slice S           two servers: measured seconds per turn (0.5)"},
        {"slice-warmup", CLI_DOUBLE, &o.slice_warmup, 0, 60,
         "--slice-warmup W    two servers: unmeasured seconds at the start of each turn (0.1)"},
        {"verbose", CLI_INT, &o.verbose, 0, 1, "--verbose 1         each slice on stderr"},
        {NULL, CLI_FLAG, NULL, 0, 0, NULL}};

    o.size = 64;
    o.chunk = 65536;
    o.window = 1048576;
    o.count = 10000;
    o.seconds = 3;
    o.warmup = 0.5;
    o.slice = 0.5;
    o.slice_warmup = 0.1;
    cli_parse(PROG, "pingpong|stream|churn|hold --port P [options]", opts, argc, argv, 1, &mode, 1, &npos);
    if (npos == 0)
        cli_fail(PROG, "which load? pingpong, stream, churn or hold (see --help)");
    o.mode_name = mode;
    if (strcmp(mode, "pingpong") == 0)
        o.mode = PINGPONG, o.conns = o.conns ? o.conns : 50;
    else if (strcmp(mode, "stream") == 0)
        o.mode = STREAM, o.conns = o.conns ? o.conns : 4;
    else if (strcmp(mode, "churn") == 0)
        o.mode = CHURN, o.conns = o.conns ? o.conns : 32;
    else if (strcmp(mode, "hold") == 0)
        o.mode = HOLD;
    else
        cli_fail(PROG, "unknown load '%s': pingpong, stream, churn or hold", mode);
    if (strcmp(close_how, "client") == 0)
        o.close_how = CLOSE_CLIENT;
    else if (strcmp(close_how, "rst") == 0)
        o.close_how = CLOSE_RST;
    else if (strcmp(close_how, "server") == 0)
        o.close_how = CLOSE_SERVER;
    else
        cli_fail(PROG, "--close: '%s' is not client, rst or server", close_how);
    if (port == 0)
        cli_fail(PROG, "--port is required: the server to load");
    if (o.mode == CHURN && o.size > 65536) /* one send, one socket buffer */
        cli_fail(PROG, "churn sends each message at once: --size 65536 at most");
    if (o.mode == HOLD && vs_port > 0) /* RSS is read from one server at a time */
        cli_fail(PROG, "hold loads one server: no --vs-port");
    if (o.mode == HOLD && pid == 0)
        cli_fail(PROG, "hold needs --server-pid (it reads the server's RSS)");
    tg[0].port = port;
    tg[0].pid = pid;
    tg[1].port = vs_port;
    tg[1].pid = vs_pid;
    ntg = vs_port > 0 ? 2 : 1;
}

int main(int argc, char **argv)
{
    long i;
    int t;

    parse(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit((o.mode == HOLD ? o.count : o.conns * ntg) + 64);
    for (t = 0; t < ntg; t++) {
        memset(&tg[t].addr, 0, sizeof tg[t].addr);
        tg[t].addr.sin_family = AF_INET;
        tg[t].addr.sin_port = htons((uint16_t)tg[t].port);
        tg[t].addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */
        if (o.mode == PINGPONG && (tg[t].samples = malloc(MAX_SAMPLES * sizeof *tg[t].samples)) == NULL)
            die("out of memory");
    }
    msg = malloc(MAX_SIZE);
    rbuf = malloc(RBUF_SIZE);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (msg == NULL || rbuf == NULL || ep < 0)
        die("out of memory or descriptors");
    for (i = 0; i < MAX_SIZE; i++)
        msg[i] = (uint8_t)('a' + i % 26);

    if (o.mode == HOLD)
        run_hold();
    else
        run_timed();
    return 0;
}
