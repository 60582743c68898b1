/* refcommon.h - what the two reference servers (refecho.c, refgame.c) share: their start-up. Linux
 * only, like the rest of bench/. */
#ifndef SOCKLAB_BENCH_REFCOMMON_H
#define SOCKLAB_BENCH_REFCOMMON_H

#include <signal.h>

extern volatile sig_atomic_t ref_stop; /* set by SIGINT/SIGTERM */

/* SIGINT/SIGTERM set ref_stop without SA_RESTART (epoll_wait returns EINTR), SIGPIPE is ignored, and
 * the open-files limit is raised to the hard one. Returns how many descriptors a table indexed by
 * descriptor needs: that limit, at most 2^20. */
long ref_start(void);

/* A non-blocking listener on 127.0.0.1:port (0: any free port), watched by ep for EPOLLIN, and the
 * line "PROG: listening on 127.0.0.1:PORT" on stdout. Exits with status 1 and a line on failure. */
int ref_listen(const char *prog, long port, int backlog, int ep);

#endif
