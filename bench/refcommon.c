/* refcommon.c - what the reference servers share (refcommon.h). */
#define _GNU_SOURCE 1

#include "refcommon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compat/os.h"

#define MAX_TABLE (1L << 20)

volatile sig_atomic_t ref_stop;

static void on_signal(int sig)
{
    (void)sig;
    ref_stop = 1;
}

long ref_start(void)
{
    struct sigaction act;
    long limit;

    memset(&act, 0, sizeof act);
    act.sa_handler = on_signal;
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    limit = os_raise_fd_limit(MAX_TABLE);
    if (limit < 0)
        return 1024; /* unreadable: the usual default */
    return limit < MAX_TABLE ? limit : MAX_TABLE;
}

int ref_listen(const char *prog, long port, int backlog, int ep)
{
    struct sockaddr_in sa;
    socklen_t slen = sizeof sa;
    struct epoll_event ev;
    int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (lfd < 0) {
        fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
        exit(1);
    }
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, backlog) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &slen) != 0) {
        fprintf(stderr, "%s: cannot listen on 127.0.0.1:%ld: %s\n", prog, port, strerror(errno));
        exit(1);
    }
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
        fprintf(stderr, "%s: epoll_ctl: %s\n", prog, strerror(errno));
        exit(1);
    }
    printf("%s: listening on 127.0.0.1:%u\n", prog, (unsigned)ntohs(sa.sin_port));
    fflush(stdout);
    return lfd;
}

int ref_accept(int lfd, int ep, long table)
{
    struct epoll_event ev;
    int one = 1, fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fd >= table) {
        close(fd);
        return REF_REFUSED;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        return REF_REFUSED;
    }
    return fd;
}

int ref_want(int ep, int fd, uint32_t events)
{
    struct epoll_event ev;
    ev.events = events;
    ev.data.fd = fd;
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

int ref_wait(const char *prog, int ep, struct epoll_event *evs, int max)
{
    int n = epoll_wait(ep, evs, max, 1000);
    if (n >= 0 || errno == EINTR)
        return n < 0 ? 0 : n;
    fprintf(stderr, "%s: epoll_wait: %s\n", prog, strerror(errno));
    exit(1);
}
