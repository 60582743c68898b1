/* refecho.c - the reference echo server of socklab's benchmark: about the least a correct epoll
 * echo server can do, so socklab-server has something honest to be measured against.
 *
 * bench/ is a Linux benchmarking tool and stands outside the rule that keeps platform code in
 * compat/: it uses epoll and POSIX headers directly, and CMake builds it only on Linux.
 *
 * One thread, level-triggered epoll, one 64 KiB buffer shared by every connection. A readable
 * connection gets one read() and one send() of what was read. Only when the kernel takes less
 * does the rest go into a buffer of its own (malloc'd, freed once sent), and the connection then
 * waits for EPOLLOUT instead of reading. The listener accepts until EAGAIN on each event. Accepted
 * sockets get TCP_NODELAY (an echo has nothing to coalesce; socklab-server does the same).
 * A connection's state is 16 bytes in a table indexed by descriptor; no logging.
 *
 *   socklab-refecho [--port P] [--close-after-echo] [--max-seconds S]
 *
 * Prints "socklab-refecho: listening on 127.0.0.1:PORT" once ready; stops on SIGINT/SIGTERM.
 * --close-after-echo: close as soon as the first read has been echoed (the server closes first,
 * so TIME_WAIT lands on the server; the load generator's churn --close server). */
#define _GNU_SOURCE 1

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "refcommon.h"
#include "common/cli.h"

#define PROG "socklab-refecho"
#define BUF_SIZE 65536
#define MAX_EVENTS 256
#define MAX_ACCEPTS_PER_EVENT 4096

struct conn {
    char *pend;        /* unsent echo, NULL while there is none */
    uint32_t len, off; /* its length and how much of it went out */
};

static struct conn *conns;
static long nconns;
static int ep, close_after_echo;
static char buf[BUF_SIZE];

static void drop(int fd)
{
    if (fd < nconns) {
        free(conns[fd].pend);
        conns[fd].pend = NULL;
    }
    close(fd); /* also takes it out of the epoll set */
}

static void want(int fd, uint32_t events)
{
    if (ref_want(ep, fd, events) != 0)
        drop(fd);
}

/* What the kernel did not take is kept, and reading stops until it is sent. Returns 0 when all
 * was sent, 1 when some is pending, -1 when the connection was dropped. */
static int send_or_keep(int fd, const char *p, size_t n)
{
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    struct conn *c = &conns[fd];
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            drop(fd);
            return -1;
        }
        w = 0;
    }
    if ((size_t)w == n)
        return 0;
    c->pend = malloc(n - (size_t)w);
    if (c->pend == NULL) {
        drop(fd);
        return -1;
    }
    memcpy(c->pend, p + w, n - (size_t)w);
    c->len = (uint32_t)(n - (size_t)w);
    c->off = 0;
    want(fd, EPOLLOUT);
    return 1;
}

static void on_readable(int fd)
{
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
        if (send_or_keep(fd, buf, (size_t)n) == 0 && close_after_echo)
            drop(fd);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        drop(fd);
    }
}

static void on_writable(int fd)
{
    struct conn *c = &conns[fd];
    ssize_t w;
    if (c->pend == NULL) {
        want(fd, EPOLLIN);
        return;
    }
    w = send(fd, c->pend + c->off, c->len - c->off, MSG_NOSIGNAL);
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            drop(fd);
        return;
    }
    c->off += (uint32_t)w;
    if (c->off < c->len)
        return;
    free(c->pend);
    c->pend = NULL;
    if (close_after_echo)
        drop(fd);
    else
        want(fd, EPOLLIN);
}

static void on_listener(int lfd)
{
    int i;
    for (i = 0; i < MAX_ACCEPTS_PER_EVENT; i++)
        if (ref_accept(lfd, ep, nconns) == -1)
            return; /* EAGAIN: all taken; EMFILE and the like: try again on the next event */
}

int main(int argc, char **argv)
{
    struct epoll_event evs[MAX_EVENTS];
    struct timespec t0, t;
    uint16_t port = 0;
    int max_seconds = 3600, npos;
    unsigned long passes = 0;
    int lfd, i;
    const struct cli_opt opts[] = {
        {"port", CLI_PORT, &port, 0, 0, "--port P            port on 127.0.0.1 (default 0: any free port)"},
        {"close-after-echo", CLI_FLAG, &close_after_echo, 0, 0,
         "--close-after-echo  close once the first read is echoed (the server closes first)"},
        {"max-seconds", CLI_INT, &max_seconds, 1, INT_MAX, "--max-seconds S     stop after S seconds (default 3600)"},
        {NULL, CLI_FLAG, NULL, 0, 0, NULL}};

    cli_parse(PROG, "[--port P] [--close-after-echo] [--max-seconds S]", opts, argc, argv, 1, NULL, 0, &npos);
    nconns = ref_start();
    conns = calloc((size_t)nconns, sizeof *conns); /* untouched pages cost no RSS */
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (conns == NULL || ep < 0) {
        perror(PROG);
        return 1;
    }
    lfd = ref_listen(PROG, port, 4096, ep);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!ref_stop) {
        int n = ref_wait(PROG, ep, evs, MAX_EVENTS);
        for (i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd)
                on_listener(lfd);
            else if (evs[i].events & EPOLLOUT)
                on_writable(fd);
            else
                on_readable(fd); /* EPOLLIN, and EPOLLHUP/EPOLLERR, which read() reports */
        }
        if (n == 0 || ++passes % 256 == 0) { /* the clock, now and then */
            clock_gettime(CLOCK_MONOTONIC, &t);
            if (t.tv_sec - t0.tv_sec >= max_seconds) {
                fprintf(stderr, "%s: --max-seconds %d reached\n", PROG, max_seconds);
                break;
            }
        }
    }
    return 0;
}
