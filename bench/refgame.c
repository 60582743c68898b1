/* refgame.c - the reference game server of socklab's scale benchmark (bench/scale.sh): what
 * socklab-server --proto game does per tick, with nothing else, so that the 10,000-bot figures
 * can be compared with about the least a server speaking the same protocol can cost.
 *
 * Linux only, like the rest of bench/: epoll, timerfd, POSIX headers directly.
 *
 * One thread, level-triggered epoll. HELLO gets WELCOME and a seat in the first room with space
 * (rooms of --room-size, 16), MOVE sets the player's position, PING gets PONG, BYE or the peer's
 * EOF ends the connection (after BYE: shutdown, then close at the peer's EOF, so the bot sees the
 * FIN it waits for). Every tick (timerfd, --tick-hz 20) each room's STATE is encoded once with
 * proto_encode_state, from common/, and sent to each player with one send(); what the kernel does
 * not take waits in a per-connection buffer (malloc'd, capped at 1 MiB, then the peer is cut off)
 * and goes out on EPOLLOUT. Input is parsed from one shared 64 KiB buffer; only a frame cut by a
 * read boundary is kept per connection. TCP_NODELAY on accepted sockets, no logging.
 *
 *   socklab-refgame [--port P] [--tick-hz 20] [--room-size 16] [--max-seconds S]
 *
 * Prints "socklab-refgame: listening on 127.0.0.1:PORT" once ready; on SIGINT/SIGTERM prints one
 * line, "socklab-refgame: ticks=N seconds=S work_p50_ms=... work_p99_ms=..." (a tick's work: the
 * encodes and sends of all rooms) and exits. */
#define _GNU_SOURCE 1

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "refcommon.h"
#include "common/cli.h"
#include "common/proto.h"
#include "compat/os.h"

#define PROG "socklab-refgame"
#define BUF_SIZE 65536
#define MAX_EVENTS 256
#define MAX_OUT (1u << 20)
#define MAX_TICKS 100000

struct conn {
    uint8_t *in;   /* a frame cut by a read boundary, NULL while there is none */
    uint8_t *out;  /* unsent output, NULL while there is none */
    uint32_t in_len, out_len, out_off;
    int32_t room;  /* index into rooms, -1 before HELLO */
    uint32_t slot; /* index into the room's players */
    int16_t x, y;
    uint8_t open, bye, shut;
};

struct room {
    int fds[PROTO_STATE_MAX_COUNT];
    uint32_t count;
};

static struct conn *conns;
static long nconns;
static struct room *rooms;
static size_t nrooms, cap_rooms;
static int room_size = 16, tick_hz = 20;
static int ep;
static uint8_t buf[BUF_SIZE], frame[PROTO_MAX_FRAME];
static double tick_ms[MAX_TICKS];
static long nticks;

static void leave_room(struct conn *c)
{
    struct room *r;
    int last;
    if (c->room < 0)
        return;
    r = &rooms[c->room];
    last = r->fds[--r->count]; /* the last player takes the freed seat */
    r->fds[c->slot] = last;
    conns[last].slot = c->slot;
    c->room = -1;
}

static void drop(int fd)
{
    struct conn *c = &conns[fd];
    leave_room(c);
    free(c->in);
    free(c->out);
    memset(c, 0, sizeof *c);
    c->room = -1;
    close(fd);
}

/* One send; what the kernel does not take is appended to the connection's output. */
static void send_frame(int fd, const uint8_t *p, size_t n)
{
    struct conn *c = &conns[fd];
    uint8_t *grown;
    if (c->out == NULL) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                c->open = 0; /* dropped after the tick or the read that found it */
                return;
            }
            w = 0;
        }
        if ((size_t)w == n)
            return;
        p += w;
        n -= (size_t)w;
        ref_want(ep, fd, EPOLLIN | EPOLLOUT);
    }
    if (c->out_off > 0) { /* what went out already is dropped before appending */
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    if (c->out_len + n > MAX_OUT) {
        c->open = 0; /* not reading: cut off, as socklab-server's --max-outbuf does */
        return;
    }
    grown = realloc(c->out, c->out_len + n);
    if (grown == NULL) {
        c->open = 0;
        return;
    }
    memcpy(grown + c->out_len, p, n);
    c->out = grown;
    c->out_len += (uint32_t)n;
}

static int seat(int fd)
{
    size_t i;
    for (i = 0; i < nrooms; i++)
        if (rooms[i].count < (uint32_t)room_size)
            break;
    if (i == nrooms) {
        if (nrooms == cap_rooms) {
            size_t cap = cap_rooms ? 2 * cap_rooms : 64;
            struct room *grown = realloc(rooms, cap * sizeof *grown);
            if (grown == NULL)
                return -1;
            rooms = grown;
            cap_rooms = cap;
        }
        rooms[nrooms++].count = 0;
    }
    conns[fd].room = (int32_t)i;
    conns[fd].slot = rooms[i].count;
    rooms[i].fds[rooms[i].count++] = fd;
    return 0;
}

static void on_frame(int fd, const struct proto_frame *f)
{
    struct conn *c = &conns[fd];
    uint64_t t;
    size_t n;
    switch (f->type) {
    case PROTO_HELLO:
        if (c->room >= 0 || seat(fd) != 0) {
            c->open = 0;
            return;
        }
        n = proto_encode_welcome((uint32_t)fd, (uint16_t)tick_hz, frame, sizeof frame);
        send_frame(fd, frame, n);
        break;
    case PROTO_MOVE:
        proto_decode_move(f, &c->x, &c->y);
        break;
    case PROTO_PING:
        if (proto_decode_ping(f, &t) == 0)
            send_frame(fd, frame, proto_encode_ping(PROTO_PONG, t, frame, sizeof frame));
        break;
    case PROTO_BYE:
        c->bye = 1;
        break;
    default:
        break;
    }
}

static void parse(int fd, const uint8_t *data, size_t len)
{
    struct conn *c = &conns[fd];
    size_t used = 0, consumed;
    struct proto_frame f;
    if (c->in != NULL) { /* complete the cut frame first, a byte range at a time */
        size_t take = len < PROTO_MAX_FRAME - c->in_len ? len : PROTO_MAX_FRAME - c->in_len;
        enum proto_status st;
        memcpy(c->in + c->in_len, data, take);
        st = proto_parse(c->in, c->in_len + take, &f, &consumed);
        if (st == PROTO_NEED_MORE) {
            c->in_len += (uint32_t)take;
            return;
        }
        if (st != PROTO_OK) {
            c->open = 0;
            return;
        }
        on_frame(fd, &f);
        used = consumed - c->in_len;
        free(c->in);
        c->in = NULL;
        c->in_len = 0;
    }
    while (used < len && c->open && !c->bye) {
        enum proto_status st = proto_parse(data + used, len - used, &f, &consumed);
        if (st == PROTO_OK) {
            on_frame(fd, &f);
            used += consumed;
        } else if (st == PROTO_NEED_MORE) {
            c->in = malloc(PROTO_MAX_FRAME);
            if (c->in == NULL) {
                c->open = 0;
                return;
            }
            memcpy(c->in, data + used, len - used);
            c->in_len = (uint32_t)(len - used);
            return;
        } else {
            c->open = 0;
            return;
        }
    }
}

/* After BYE: out of the room, and once the output is flushed our FIN (the bot waits for it); the
 * bot's own FIN then reads as EOF and ends the connection. */
static void finish_after_bye(int fd)
{
    struct conn *c = &conns[fd];
    if (!c->bye || c->shut)
        return;
    leave_room(c);
    if (c->out == NULL) {
        shutdown(fd, SHUT_WR);
        c->shut = 1;
    }
}

static void on_readable(int fd)
{
    struct conn *c = &conns[fd];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0 && !c->bye)
        parse(fd, buf, (size_t)n);
    else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        c->open = 0;
    if (!c->open)
        drop(fd);
    else
        finish_after_bye(fd);
}

static void on_writable(int fd)
{
    struct conn *c = &conns[fd];
    ssize_t w = send(fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        drop(fd);
        return;
    }
    if (w > 0)
        c->out_off += (uint32_t)w;
    if (c->out_off < c->out_len)
        return;
    free(c->out);
    c->out = NULL;
    c->out_len = c->out_off = 0;
    ref_want(ep, fd, EPOLLIN);
    finish_after_bye(fd);
}

static void tick(uint32_t no)
{
    struct proto_player snap[PROTO_STATE_MAX_COUNT];
    uint64_t t0 = os_now_us(); /* STATE's stamp: socklab-bot reads the same clock */
    size_t i, j, players = 0;
    for (i = 0; i < nrooms; i++) {
        struct room *r = &rooms[i];
        size_t n;
        for (j = 0; j < r->count; j++) {
            snap[j].id = (uint32_t)r->fds[j];
            snap[j].x = conns[r->fds[j]].x;
            snap[j].y = conns[r->fds[j]].y;
        }
        players += r->count;
        n = proto_encode_state(no, t0, snap, r->count, frame, sizeof frame);
        for (j = 0; j < r->count && n > 0; j++)
            send_frame(r->fds[j], frame, n);
    }
    for (i = 0; i < nrooms; i++) /* those the sends found dead */
        for (j = 0; j < rooms[i].count; j++)
            if (!conns[rooms[i].fds[j]].open)
                drop(rooms[i].fds[j--]);
    if (nticks < MAX_TICKS && players > 0) /* ticks with players only, as socklab-server counts */
        tick_ms[nticks++] = (double)(os_now_us() - t0) / 1000.0;
}

static void on_listener(int lfd)
{
    for (;;) {
        int fd = ref_accept(lfd, ep, nconns);
        if (fd == -1 && (errno == EMFILE || errno == ENFILE)) { /* the listener stays ready: do not spin on it */
            fprintf(stderr, "%s: out of file descriptors: %s\n", PROG, strerror(errno));
            exit(1);
        }
        if (fd == -1)
            return;
        if (fd == REF_REFUSED)
            continue;
        memset(&conns[fd], 0, sizeof conns[fd]);
        conns[fd].room = -1;
        conns[fd].open = 1;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    struct epoll_event ev, evs[MAX_EVENTS];
    struct itimerspec its;
    uint16_t port = 0;
    int max_seconds = 3600, npos;
    uint64_t started, expirations;
    uint32_t tick_no = 0;
    int lfd, tfd, i;
    const struct cli_opt opts[] = {
        {"port", CLI_PORT, &port, 0, 0, "--port P          port on 127.0.0.1 (default 0: any free port)"},
        {"tick-hz", CLI_INT, &tick_hz, 1, 1000, "--tick-hz N       STATE frames per second (default 20)"},
        {"room-size", CLI_INT, &room_size, 1, PROTO_STATE_MAX_COUNT, "--room-size N     players per room (default 16)"},
        {"max-seconds", CLI_INT, &max_seconds, 1, 86400, "--max-seconds S   stop after S seconds (default 3600)"},
        {NULL, CLI_FLAG, NULL, 0, 0, NULL}};

    cli_parse(PROG, "[--port P] [--tick-hz 20] [--room-size 16] [--max-seconds S]", opts, argc, argv, 1, NULL, 0,
              &npos);
    nconns = ref_start();
    conns = calloc((size_t)nconns, sizeof *conns);
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (conns == NULL || tfd < 0 || ep < 0) {
        perror(PROG);
        return 1;
    }
    lfd = ref_listen(PROG, port, 511, ep);
    memset(&its, 0, sizeof its);
    its.it_interval.tv_sec = 1 / tick_hz;
    its.it_interval.tv_nsec = (1000000000L / tick_hz) % 1000000000L;
    its.it_value = its.it_interval;
    ev.events = EPOLLIN;
    ev.data.fd = tfd;
    if (timerfd_settime(tfd, 0, &its, NULL) != 0 || epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) != 0) {
        perror(PROG);
        return 1;
    }

    started = os_now_us();
    while (!ref_stop && os_now_us() - started < (uint64_t)max_seconds * 1000000u) {
        int n = ref_wait(PROG, ep, evs, MAX_EVENTS);
        for (i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd)
                on_listener(lfd);
            else if (fd == tfd) {
                /* A late tick runs once, not once per period missed: like libevent's timer. */
                if (read(tfd, &expirations, sizeof expirations) > 0)
                    tick(++tick_no);
            } else if ((evs[i].events & EPOLLOUT) && conns[fd].out != NULL)
                on_writable(fd);
            else if (conns[fd].open)
                on_readable(fd);
        }
    }
    qsort(tick_ms, (size_t)nticks, sizeof tick_ms[0], cmp_double);
    printf("%s: ticks=%ld seconds=%.2f work_p50_ms=%.2f work_p99_ms=%.2f\n", PROG, nticks,
           (double)(os_now_us() - started) / 1e6, nticks ? tick_ms[nticks / 2] : 0.0,
           nticks ? tick_ms[(nticks * 99) / 100] : 0.0);
    return 0;
}
