/* loadgen_main.c - socklab's load generator: drives echo servers on 127.0.0.1 and reports what it
 * managed, and what it cost each server: the server's own CPU time, read from /proc/PID/task/
 * (TID)/schedstat (nanoseconds on the CPU, summed over its threads) around every measured slice,
 * and its resident set size (/proc/PID/statm). This file: the options and the start (it calls the
 * rest, nothing calls it); loadgen.h says where the rest is.
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
 *   socklab-loadgen hold     --port P --server-pid PID [--count 10000]  opens --count idle
 *                            connections (each echoes one byte first), then reads the server's
 *                            RSS growth
 *   common: [--seconds 3] [--warmup 0.5] [--server-pid PID] [--verbose 1: each slice on stderr]
 *
 * Two servers at once (pingpong, stream, churn): --vs-port P2 --vs-server-pid PID2 sets up the
 * same connections to a second server and alternates between the two in slices (--slice 0.5 s
 * measured, after --slice-warmup 0.1 s), in the order ABBA ABBA..., until each had --seconds: only
 * one server has work at any time, and whatever else the machine does meanwhile falls on both
 * alike. Between slices the active connections finish what is in flight and start nothing new.
 *
 * Output: one line of key=value pairs per server on stdout ("target=1 port=... mode=pingpong ...
 * rate=185000.0 unit=msg server_cpu_us_per_op=5.31 ..."). Bad options: one line on stderr and exit
 * status 2 (common/cli.c); a failure while running: one line on stderr and exit status 1.
 * Every loop is bounded by a count or by a deadline. */
#define _GNU_SOURCE 1

#include "loadgen.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"

static const struct lg_mode *const modes[] = {&lg_pingpong, &lg_stream, &lg_churn, &lg_hold};

static void parse(struct lg *lg, int argc, char **argv)
{
    struct lg_opts *o = &lg->o;
    int port = 0, pid = 0, vs_port = 0, vs_pid = 0, npos;
    const char *mode = NULL, *close_how = "client";
    size_t k;
    const struct cli_opt opts[] = {
        {"port", CLI_INT, &port, 1, 65535, "--port P            the server to load, on 127.0.0.1 (required)"},
        {"server-pid", CLI_INT, &pid, 1, 1 << 30,
         "--server-pid PID    its process, for its CPU time and RSS (hold: required)"},
        {"vs-port", CLI_INT, &vs_port, 1, 65535,
         "--vs-port P2        a second server, loaded in turns with the first (not hold)"},
        {"vs-server-pid", CLI_INT, &vs_pid, 1, 1 << 30, "--vs-server-pid PID2  its process"},
        {"conns", CLI_INT, &o->conns, 1, LG_MAX_CONNS / 2,
         "--conns C           connections per server (pingpong 50, stream 4, churn 32 at a time)"},
        {"size", CLI_INT, &o->size, 1, LG_MAX_SIZE, "--size S            pingpong, churn: bytes per message (64)"},
        {"chunk", CLI_INT, &o->chunk, 1, LG_MAX_SIZE, "--chunk B           stream: bytes per send (65536)"},
        {"window", CLI_INT, &o->window, 1, 1 << 30,
         "--window B          stream: bytes in flight per connection (1048576)"},
        {"close", CLI_STR, &close_how, 0, 0, "--close client|rst|server  churn: who closes, and how (client)"},
        {"count", CLI_INT, &o->count, 1, LG_MAX_CONNS, "--count N           hold: idle connections (10000)"},
        {"seconds", CLI_DOUBLE, &o->seconds, 0.01, 3600, "--seconds D         measured seconds per server (3)"},
        {"warmup", CLI_DOUBLE, &o->warmup, 0, 60, "--warmup W          unmeasured seconds first (0.5)"},
        {"slice", CLI_DOUBLE, &o->slice, 0.01, 60, "--slice S           two servers: measured seconds per turn (0.5)"},
        {"slice-warmup", CLI_DOUBLE, &o->slice_warmup, 0, 60,
         "--slice-warmup W    two servers: unmeasured seconds at the start of each turn (0.1)"},
        {"verbose", CLI_INT, &o->verbose, 0, 1, "--verbose 1         each slice on stderr"},
        {NULL, CLI_FLAG, NULL, 0, 0, NULL}};

    o->size = 64;
    o->chunk = 65536;
    o->window = 1048576;
    o->count = 10000;
    o->seconds = 3;
    o->warmup = 0.5;
    o->slice = 0.5;
    o->slice_warmup = 0.1;
    cli_parse(LG_PROG, "pingpong|stream|churn|hold --port P [options]", opts, argc, argv, 1, &mode, 1, &npos);
    if (npos == 0)
        cli_fail(LG_PROG, "which load? pingpong, stream, churn or hold (see --help)");
    for (k = 0; k < sizeof modes / sizeof modes[0] && lg->mode == NULL; k++)
        if (strcmp(mode, modes[k]->name) == 0)
            lg->mode = modes[k];
    if (lg->mode == NULL)
        cli_fail(LG_PROG, "unknown load '%s': pingpong, stream, churn or hold", mode);
    if (o->conns == 0) /* not given: its range starts at 1 */
        o->conns = lg->mode->default_conns;
    if (strcmp(close_how, "client") == 0)
        o->close_how = LG_CLOSE;
    else if (strcmp(close_how, "rst") == 0)
        o->close_how = LG_RESET;
    else if (strcmp(close_how, "server") == 0)
        o->close_how = LG_AWAIT_EOF;
    else
        cli_fail(LG_PROG, "--close: '%s' is not client, rst or server", close_how);
    if (port == 0)
        cli_fail(LG_PROG, "--port is required: the server to load");
    lg->tg[0].port = port;
    lg->tg[0].pid = pid;
    lg->tg[1].port = vs_port;
    lg->tg[1].pid = vs_pid;
    lg->ntg = vs_port > 0 ? 2 : 1;
    if (lg->mode->prepare != NULL)
        lg->mode->prepare(lg);
}

int main(int argc, char **argv)
{
    static struct lg run; /* static: all zero to begin with */
    struct lg *lg = &run;
    long i;
    int t;

    lg->act = lg->measuring = -1;
    parse(lg, argc, argv);
    signal(SIGPIPE, SIG_IGN);
    for (t = 0; t < lg->ntg; t++) {
        struct sockaddr_in *a = &lg->tg[t].addr;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)lg->tg[t].port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */
    }
    lg->msg = malloc(LG_MAX_SIZE);
    lg->rbuf = malloc(LG_RBUF_SIZE);
    lg->ep = epoll_create1(EPOLL_CLOEXEC);
    if (lg->msg == NULL || lg->rbuf == NULL || lg->ep < 0)
        lg_die("out of memory or descriptors");
    for (i = 0; i < LG_MAX_SIZE; i++)
        lg->msg[i] = (uint8_t)('a' + i % 26);
    lg->mode->run(lg);
    return 0;
}
