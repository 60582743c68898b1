/* loadgen_conn.c - connection slots: the set-up connects of pingpong and stream, and the
 * non-blocking connect + one echo that is churn's operation and how hold opens its connections. */
#define _GNU_SOURCE 1

#include "loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compat/os.h"

void lg_slots(struct lg *lg, long n)
{
    long i, need = n + 64, have = os_raise_fd_limit(need); /* 64: epoll, stdio, a margin */
    if (have >= 0 && have < need)
        lg_die("needs %ld open files, the limit is %ld: raise it (ulimit -n)", need, have);
    lg->nslots = n;
    lg->lc = calloc((size_t)n, sizeof *lg->lc);
    if (lg->lc == NULL)
        lg_die("out of memory");
    for (i = 0; i < n; i++)
        lg->lc[i].fd = -1;
}

void lg_watch(struct lg *lg, long i, int op, uint32_t events)
{
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = (uint64_t)(uint32_t)i | ((uint64_t)lg->lc[i].gen << 32);
    if (epoll_ctl(lg->ep, op, lg->lc[i].fd, &ev) != 0)
        lg_die("epoll_ctl: %s", strerror(errno));
}

static int fcntl_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Blocking, as it is set-up only, then non-blocking. TCP_NODELAY: the load is to measure the server,
 * not Nagle holding a short tail back until an ACK (both servers measured set it too). */
int lg_connect_ready(const struct sockaddr_in *to)
{
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {5, 0};
    if (fd < 0)
        lg_die("socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0)
        lg_die("connect to port %u: %s", (unsigned)ntohs(to->sin_port), strerror(errno));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fcntl_nonblock(fd) != 0)
        lg_die("fcntl: %s", strerror(errno));
    return fd;
}

void lg_close(struct lg *lg, long i, int rst)
{
    struct lg_conn *c = &lg->lc[i];
    if (rst) {
        struct linger l = {1, 0};
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close(c->fd);
    c->fd = -1;
    c->state = LG_FREE;
    c->gen++;
}

int lg_start_connect(struct lg *lg, long i)
{
    struct lg_conn *c = &lg->lc[i];
    struct lg_target *t = &lg->tg[c->tgt];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        t->errors++;
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)&t->addr, sizeof t->addr) != 0 && errno != EINPROGRESS) {
        close(fd);
        t->errors++;
        return -1;
    }
    c->fd = fd;
    c->state = LG_CONNECTING;
    c->got = 0;
    /* Edge-triggered: one epoll_ctl per connection; EPOLLOUT fires once connected. */
    lg_watch(lg, i, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
    return 0;
}

static void fail_conn(struct lg *lg, long i)
{
    lg->tg[lg->lc[i].tgt].errors++;
    lg_close(lg, i, 0);
}

int lg_cycle_event(struct lg *lg, long i, uint32_t ev, size_t size, enum lg_after_echo after)
{
    struct lg_conn *c = &lg->lc[i];
    int guard;
    if (c->state == LG_CONNECTING) {
        if (ev & EPOLLERR) {
            fail_conn(lg, i);
            return 0;
        }
        if (!(ev & EPOLLOUT))
            return 0;
        if (send(c->fd, lg->msg, size, MSG_NOSIGNAL) != (ssize_t)size) {
            fail_conn(lg, i);
            return 0;
        }
        c->state = LG_WAIT_ECHO;
    }
    /* Edge-triggered: read on until EAGAIN (or the cycle's end), as no new edge may come. */
    for (guard = 0; guard < 64 && (c->state == LG_WAIT_ECHO || c->state == LG_WAIT_EOF); guard++) {
        ssize_t n = recv(c->fd, lg->rbuf, c->state == LG_WAIT_EOF ? LG_RBUF_SIZE : size - c->got, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return 0;
        if (c->state == LG_WAIT_EOF && n == 0) {
            lg_close(lg, i, 0);
            return 1;
        }
        if (n <= 0 || c->state == LG_WAIT_EOF || memcmp(lg->rbuf, lg->msg + c->got, (size_t)n) != 0) {
            fail_conn(lg, i); /* an error, an early EOF, bytes after the echo, or a wrong echo */
            return 0;
        }
        c->got += (uint32_t)n;
        if (c->got < size)
            continue;
        switch (after) {
        case LG_STAY:
            c->state = LG_IDLE;
            return 1;
        case LG_AWAIT_EOF:
            c->state = LG_WAIT_EOF;
            continue;
        case LG_CLOSE:
        case LG_RESET:
            break;
        }
        lg_close(lg, i, after == LG_RESET);
        return 1;
    }
    return 0;
}
