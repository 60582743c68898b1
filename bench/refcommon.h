/* refcommon.h - what the two reference servers (refecho.c, refgame.c) share: their start-up, the
 * listener, accepting, and waiting for events. Linux only, like the rest of bench/. */
#ifndef SOCKLAB_BENCH_REFCOMMON_H
#define SOCKLAB_BENCH_REFCOMMON_H

#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>

extern volatile sig_atomic_t ref_stop; /* set by SIGINT/SIGTERM */

/* SIGINT/SIGTERM set ref_stop without SA_RESTART (epoll_wait returns EINTR), SIGPIPE is ignored, and
 * the open-files limit is raised to the hard one. Returns how many descriptors a table indexed by
 * descriptor needs: that limit, at most 2^20. */
long ref_start(void);

/* A non-blocking listener on 127.0.0.1:port (0: any free port), watched by ep for EPOLLIN, and the
 * line "PROG: listening on 127.0.0.1:PORT" on stdout. Exits with status 1 and a line on failure. */
int ref_listen(const char *prog, long port, int backlog, int ep);

/* Accepts one connection: non-blocking, TCP_NODELAY (what these servers send are replies, nothing
 * to coalesce; socklab-server does the same), watched by ep for EPOLLIN. Returns its descriptor;
 * -1 when accept() failed (errno EAGAIN: none left waiting); REF_REFUSED when it was closed again at
 * once, its descriptor being past the connection table (table) or ep refusing it. */
#define REF_REFUSED (-2)
int ref_accept(int lfd, int ep, long table);

/* Changes what ep watches fd for; returns epoll_ctl's result. */
int ref_want(int ep, int fd, uint32_t events);

/* Waits up to a second for events; a signal (EINTR) is no events, any other error ends the program
 * (status 1). */
int ref_wait(const char *prog, int ep, struct epoll_event *evs, int max);

#endif
