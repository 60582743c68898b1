/* run.c - runs a lesson: the server side and the client side on their own threads (a close()
 * that blocks on one side must not freeze the other), one connection after another, then joins
 * what both sides measured into one report. Also the one-sided runs used when the server and the
 * bots are on different machines. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

#define ACCEPT_TIMEOUT_MS 5000
#define CONNECT_TIMEOUT_MS 3000
#define MAX_CONNS 4

static unsigned conn_count(const struct lesson *l)
{
    unsigned n = l->connections == 0 ? 1 : l->connections;
    return n > MAX_CONNS ? MAX_CONNS : n;
}

static void record_ports(struct lesson_side *s)
{
    uint16_t server_port = s->role == SIDE_SERVER ? s->local_port : s->remote_port;
    side_fact_int(s, "server_port", server_port);
    side_fact_int(s, "client_port", s->role == SIDE_CLIENT ? s->local_port : s->remote_port);
    /* Every connection of a run goes to the one listener: its port is also a fact of the run, so
     * the Wireshark filter has it even when every connection's facts carry a prefix. */
    side_fact_prefix(s, "");
    side_fact_int(s, "server_port", server_port);
    side_fact_prefix(s, NULL); /* before the lesson runs: its connection's prefix */
}

static void run_server_side(struct lesson_side *s)
{
    char what[64];
    snprintf(what, sizeof what, "accepted a connection from port %u", (unsigned)s->remote_port);
    side_log(s, "%s", what);
    record_ports(s);
    s->lesson->server(s);
    if (!s->closed)
        sock_close(s->sock); /* a lesson that leaves its socket open must not leak it */
    side_release(s);
}

/* Client: socket, the lesson's pre-connect tuning, connect, the lesson's script. With a session
 * (the two-program mode) its line goes first; -1: refused, with why in r (the lesson did not run). */
static int run_client_side(struct lesson_side *s, const char *host, uint16_t port,
                           const struct session_client *session, struct lesson_report *r)
{
    char err[SOCK_ERR_LEN];
    int family = sock_host_family(host, err);
    sock_t sock = family < 0 ? SOCK_INVALID : sock_tcp_socket(family, err);
    if (sock == SOCK_INVALID) {
        side_error(s, "client socket", err);
        return 0;
    }
    s->sock = sock;
    if (s->lesson->client_prepare != NULL)
        s->lesson->client_prepare(s, sock);
    if (sock_connect(sock, host, port, CONNECT_TIMEOUT_MS, err) != 0) {
        side_error(s, "connect", err);
        sock_close(sock);
        s->closed = 1;
        return 0;
    }
    side_learn_names(s);
    if (session != NULL && session_client_hello(s, session, r->refusal, sizeof r->refusal) != 0) {
        sock_close(sock);
        side_release(s);
        return -1;
    }
    side_log(s, "connected from port %u to %u", (unsigned)s->local_port, (unsigned)s->remote_port);
    record_ports(s);
    s->lesson->client(s);
    if (!s->closed)
        sock_close(s->sock);
    side_release(s);
    return 0;
}

struct run {
    const struct lesson *lesson;
    const char *host;
    sock_t listener;
    uint16_t port;
    uint64_t t0_us;
    int shared_process;
    struct lesson_side server[MAX_CONNS];
    struct lesson_side client[MAX_CONNS];
};

static void server_thread(void *arg)
{
    struct run *run = arg;
    unsigned i, n = conn_count(run->lesson);
    char err[SOCK_ERR_LEN];
    for (i = 0; i < n; i++) {
        struct lesson_side *s = &run->server[i];
        sock_t c;
        side_init(s, run->lesson, SIDE_SERVER, SOCK_INVALID, i, run->t0_us);
        if (sock_wait(run->listener, 0, ACCEPT_TIMEOUT_MS) <= 0) {
            side_error(s, "accept", "no connection arrived in time");
            s->closed = 1;
            return;
        }
        c = sock_accept(run->listener, err);
        if (c == SOCK_INVALID) {
            side_error(s, "accept", err);
            return;
        }
        side_init(s, run->lesson, SIDE_SERVER, c, i, run->t0_us);
        s->shared_process = run->shared_process;
        run_server_side(s);
    }
}

static void client_thread(void *arg)
{
    struct run *run = arg;
    unsigned i, n = conn_count(run->lesson);
    for (i = 0; i < n; i++) {
        side_init(&run->client[i], run->lesson, SIDE_CLIENT, SOCK_INVALID, i, run->t0_us);
        run->client[i].shared_process = run->shared_process;
        run_client_side(&run->client[i], run->host, run->port, NULL, NULL);
    }
}

/* A run that could not get its memory: the report says so (NULL when even the report has none). */
static struct lesson_report *out_of_memory(struct lesson_report *r, void *other)
{
    free(other);
    if (r != NULL)
        report_add_error(r, "out of memory");
    return r;
}

struct lesson_report *lesson_run(const struct lesson *l, const struct lesson_opts *o)
{
    struct lesson_report *r = report_new(l);
    struct run *run = calloc(1, sizeof *run);
    const char *host = o->host != NULL ? o->host : "127.0.0.1";
    char err[SOCK_ERR_LEN];
    os_thread *ts, *tc;
    unsigned i;

    if (r == NULL || run == NULL)
        return out_of_memory(r, run);
    run->lesson = l;
    run->host = host;
    run->shared_process = o->shared_process;
    run->listener = sock_listen_tcp(host, o->port, 16, err);
    if (run->listener == SOCK_INVALID) {
        report_add_error(r, err);
        free(run);
        return r;
    }
    run->port = sock_local_port(run->listener);
    run->t0_us = os_now_us();
    if (!o->quiet)
        fprintf(stderr, "socklab: %s on %s:%u (about %.0f s)\n", l->name, host, (unsigned)run->port,
                l->duration_hint_ms / 1000.0 + 0.5);
    ts = os_thread_start(server_thread, run);
    tc = os_thread_start(client_thread, run);
    if (ts == NULL || tc == NULL) {
        report_add_error(r, "could not start the lesson's threads");
        os_thread_join(ts);
        os_thread_join(tc);
    } else {
        os_thread_join(tc);
        os_thread_join(ts);
    }
    sock_close(run->listener);
    for (i = 0; i < conn_count(l); i++) {
        report_add_side(r, &run->server[i]);
        report_add_side(r, &run->client[i]);
    }
    free(run);
    report_finish(r);
    return r;
}

struct many_item {
    const struct lesson *lesson;
    struct lesson_opts opts;
    struct lesson_report *report;
};

static void many_thread(void *arg)
{
    struct many_item *it = arg;
    it->report = lesson_run(it->lesson, &it->opts);
}

int lesson_run_many(const struct lesson *const *ls, size_t n, const struct lesson_opts *o,
                    struct lesson_report **out)
{
    struct many_item *items = calloc(n, sizeof *items);
    os_thread **threads = calloc(n, sizeof *threads);
    size_t i;
    int ok = 1, lost = 0;
    if (items == NULL || threads == NULL) {
        free(items);
        free(threads);
        return -1;
    }
    for (i = 0; i < n; i++) {
        items[i].lesson = ls[i];
        items[i].opts = *o;
        items[i].opts.shared_process = n > 1;
        /* A fixed base port gives each lesson its own: base, base+1, ... (0 stays ephemeral). */
        items[i].opts.port = o->port == 0 ? 0 : (uint16_t)(o->port + i);
        threads[i] = os_thread_start(many_thread, &items[i]);
        if (threads[i] == NULL)
            many_thread(&items[i]);
    }
    for (i = 0; i < n; i++) {
        os_thread_join(threads[i]);
        out[i] = items[i].report;
        lost |= out[i] == NULL;
        ok &= out[i] != NULL && report_passed(out[i]);
    }
    free(items);
    free(threads);
    if (lost) { /* all or nothing: the table needs every column */
        for (i = 0; i < n; i++)
            report_free(out[i]);
        return -1;
    }
    return ok ? 0 : 1;
}

struct lesson_report *lesson_serve_one(const struct lesson *l, sock_t accepted, unsigned conn_index)
{
    struct lesson_report *r = report_new(l);
    struct lesson_side *s = calloc(1, sizeof *s);
    if (r == NULL || s == NULL) {
        sock_close(accepted);
        return out_of_memory(r, s);
    }
    side_init(s, l, SIDE_SERVER, accepted, conn_index % conn_count(l), os_now_us());
    run_server_side(s);
    report_add_side(r, s);
    free(s);
    report_finish(r);
    return r;
}

struct lesson_report *lesson_client_only(const struct lesson *l, const struct lesson_opts *o)
{
    struct lesson_report *r = report_new(l);
    struct lesson_side *s = calloc(1, sizeof *s);
    struct session_client sc;
    uint64_t t0 = os_now_us();
    unsigned i;
    if (r == NULL || s == NULL)
        return out_of_memory(r, s);
    session_client_init(&sc, conn_count(l));
    for (i = 0; i < conn_count(l); i++) {
        side_init(s, l, SIDE_CLIENT, SOCK_INVALID, i, t0);
        if (run_client_side(s, o->host != NULL ? o->host : "127.0.0.1", o->port, o->session ? &sc : NULL, r) != 0)
            break; /* refused: report_refusal says why */
        report_add_side(r, s);
    }
    free(s);
    report_finish(r);
    return r;
}
