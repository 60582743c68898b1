/* run.c - runs a lesson: the server side and the client side on their own threads (a close()
 * that blocks on one side must not freeze the other), one connection after another, then joins
 * what both sides measured into one report. Also the one-sided runs used when the server and the
 * bots are on different machines. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "compat/impair.h"
#include "compat/os.h"

#define ACCEPT_TIMEOUT_MS 5000 /* beyond the lesson's own duration: a client that never comes */
#define CONNECT_TIMEOUT_MS 3000
#define PROGRESS_EVERY_MS 5000
#define PROGRESS_AFTER_MS 15000 /* lessons this long show they are alive */

static unsigned conn_count(const struct lesson *l)
{
    unsigned n = l->connections == 0 ? 1 : l->connections;
    return n > LESSON_MAX_CONNS ? LESSON_MAX_CONNS : n;
}

static void run_server_side(struct lesson_side *s)
{
    if (s->sock != SOCK_INVALID) { /* else the lesson accepts it itself (sides_handshake) */
        side_log(s, "accepted a connection from port %u", (unsigned)s->remote_port);
        side_record_ports(s);
    }
    s->lesson->server(s);
    if (!s->closed && !s->leaked && s->sock != SOCK_INVALID)
        sock_close(s->sock); /* a lesson that leaves its socket open must not leak it */
    side_release(s);
}

/* Client: socket, the lesson's pre-connect tuning, connect, the lesson's script. With a session
 * (the two-program mode) its line goes first; -1: refused, with why in r (the lesson did not run);
 * SESSION_BUSY: refused for now, by a server running all the runs it may. */
static int run_client_side(struct lesson_side *s, const char *host, uint16_t port,
                           const struct session_client *session, struct lesson_report *r)
{
    char err[SOCK_ERR_LEN];
    int rc, family = sock_host_family(host, err);
    sock_t sock = family < 0 ? SOCK_INVALID : sock_tcp_socket(family, err);
    if (sock == SOCK_INVALID) {
        side_error(s, "client socket", err);
        return 0;
    }
    s->sock = sock;
    /* the peer is known before the connect, so client_prepare can aim a rule at it */
    s->remote_port = port;
    snprintf(s->remote_addr, sizeof s->remote_addr, "%s", host);
    if (s->lesson->client_prepare != NULL)
        s->lesson->client_prepare(s, sock);
    if (s->lesson->sides_handshake) { /* the lesson connects it (side_connect_begin) */
        if (sock_resolve(host, s->remote_addr, sizeof s->remote_addr, err) != 0)
            side_error(s, "the server's address", err);
        else {
            s->remote_port = port;
            s->lesson->client(s);
        }
        if (!s->closed && !s->leaked)
            sock_close(s->sock);
        side_release(s);
        return 0;
    }
    if (sock_connect(sock, host, port, CONNECT_TIMEOUT_MS, err) != 0) {
        sock_close(sock);
        s->closed = 1;
        if (session != NULL) { /* socklab-bot: no lesson server there is a setup error, not a run */
            snprintf(r->refusal, sizeof r->refusal, T("no lesson server answers (%s): start socklab-server --lesson "
                                                      "%s there first"), err, s->lesson->name);
            side_release(s);
            return -1;
        }
        side_error(s, "connect", err);
        return 0;
    }
    side_learn_names(s);
    if (session != NULL && (rc = session_client_hello(s, session, r->refusal, sizeof r->refusal)) != 0) {
        sock_close(sock);
        side_release(s);
        return rc;
    }
    side_log(s, "connected from port %u to %u", (unsigned)s->local_port, (unsigned)s->remote_port);
    side_record_ports(s);
    s->lesson->client(s);
    if (!s->closed && !s->leaked)
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
    struct stepper *stepper;  /* --step, or NULL */
    struct lesson_side setup; /* the server's listener, before any connection */
    struct lesson_side server[LESSON_MAX_CONNS];
    struct lesson_side client[LESSON_MAX_CONNS];
};

/* The sockets a lesson leaked on purpose (side_leak), closed once both sides are done. */
static void close_leaked(struct lesson_side *sides, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++)
        if (sides[i].leaked && !sides[i].closed && sides[i].sock != SOCK_INVALID)
            sock_close(sides[i].sock);
}

static void server_thread(void *arg)
{
    struct run *run = arg;
    unsigned i, n = conn_count(run->lesson);
    char err[SOCK_ERR_LEN];
    for (i = 0; i < n; i++) {
        struct lesson_side *s = &run->server[i];
        sock_t c = SOCK_INVALID;
        side_init(s, run->lesson, SIDE_SERVER, SOCK_INVALID, i, run->t0_us);
        if (run->lesson->sides_handshake) /* the lesson accepts it itself (side_accept) */
            goto serve;
        if (sock_wait(run->listener, 0, run->lesson->duration_hint_ms + ACCEPT_TIMEOUT_MS) <= 0) {
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
    serve:
        s->shared_process = run->shared_process;
        s->listener = run->listener;
        s->stepper = run->stepper;
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
        run->client[i].stepper = run->stepper;
        run_client_side(&run->client[i], run->host, run->port, NULL, NULL);
    }
}

/* --pause: everything is set up (the listener, the impairment lab); a capture can be started now. */
static void wait_for_enter(const struct lesson *l, const struct lesson_report *r)
{
    int c;
    if (r->lab_watch[0] != '\0')
        fprintf(stderr, "socklab: %s ready in the impairment lab (watch it: %s): press Enter to start\n", l->name,
                r->lab_watch);
    else
        fprintf(stderr, "socklab: %s ready: press Enter to start\n", l->name);
    fflush(stderr);
    while ((c = getchar()) != EOF && c != '\n')
        ;
}

/* Joins the client thread; a long lesson says every few seconds that it is still running. */
static void wait_showing_progress(os_thread *tc, const struct lesson *l, const struct lesson_opts *o)
{
    uint64_t t0 = os_now_us();
    if (o->quiet || l->duration_hint_ms < PROGRESS_AFTER_MS) {
        os_thread_join(tc);
        return;
    }
    while (!os_thread_wait(tc, PROGRESS_EVERY_MS))
        fprintf(stderr, "socklab: %s: %.0f s of about %.0f s\n", l->name, (double)(os_now_us() - t0) / 1e6,
                l->duration_hint_ms / 1000.0);
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
    struct stepper stepper;
    unsigned i;

    if (r == NULL || run == NULL)
        return out_of_memory(r, run);
    run->lesson = l;
    run->host = host;
    run->shared_process = o->shared_process;
    run->listener = sock_listen_tcp(host, o->port, 16, err);
    if (run->listener == SOCK_INVALID) { /* a setup error, not a lesson that failed: nothing ran */
        snprintf(r->setup_error, sizeof r->setup_error, "%s: cannot listen: %s", l->name, err);
        report_add_error(r, err);
        free(run);
        return r;
    }
    run->port = sock_local_port(run->listener);
    run->t0_us = os_now_us();
    report_set_start(r, os_wall_us());
    if (o->capture && report_capture_start(r, run->port, o->snaplen, r->capture_note) != 0)
        fprintf(stderr, "socklab: %s: no capture: %s (the lesson runs without it)\n", l->name, r->capture_note);
    if (impair_active())
        impair_watch_hint(r->lab_watch, sizeof r->lab_watch);
    side_init(&run->setup, l, SIDE_SERVER, SOCK_INVALID, 0, run->t0_us);
    if (l->listener_prepare != NULL)
        l->listener_prepare(&run->setup, run->listener);
    if (!o->quiet)
        fprintf(stderr, "socklab: %s on %s:%u (about %.0f s)%s%s\n", l->name, host, (unsigned)run->port,
                l->duration_hint_ms / 1000.0 + 0.5, impair_active() ? "; in the impairment lab, watch it with: " : "",
                impair_active() ? r->lab_watch : "");
    if (o->pause)
        wait_for_enter(l, r);
    if (o->step) {
        run->stepper = &stepper;
        stepper.lock = os_mutex_new();
        stepper.delay_ms = o->step_delay_ms;
        stepper.n = 0;
        if (stepper.lock == NULL)
            run->stepper = NULL;
        else if (!o->quiet)
            fprintf(stderr, "socklab: %s, step by step: each side stops before each action; facts and checks "
                            "are those of a run without steps\n", l->name);
    }
    ts = os_thread_start(server_thread, run);
    tc = os_thread_start(client_thread, run);
    if (ts == NULL || tc == NULL) {
        report_add_error(r, "could not start the lesson's threads");
        os_thread_join(ts);
        os_thread_join(tc);
    } else {
        wait_showing_progress(tc, l, o);
        os_thread_join(ts);
    }
    close_leaked(run->server, conn_count(l));
    close_leaked(run->client, conn_count(l));
    report_capture_finish(r);
    if (run->stepper != NULL)
        os_mutex_free(stepper.lock);
    side_release(&run->setup);
    report_add_side(r, &run->setup);
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
    report_set_start(r, os_wall_us());
    side_init(s, l, SIDE_SERVER, accepted, conn_index % conn_count(l), os_now_us());
    side_serve_begin(s);
    run_server_side(s);
    side_serve_end(s);
    report_add_side(r, s);
    free(s);
    report_finish(r);
    return r;
}

void lesson_prepare_listener(const struct lesson *l, sock_t listener, FILE *log)
{
    struct lesson_side *s;
    size_t i;
    if (l->listener_prepare == NULL)
        return;
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        fprintf(log, "%s: out of memory: the listener is not tuned\n", l->name);
        return;
    }
    side_init(s, l, SIDE_SERVER, SOCK_INVALID, 0, os_now_us());
    l->listener_prepare(s, listener);
    for (i = 0; i < s->nevents; i++)
        fprintf(log, "%s: %s\n", l->name, s->events[i].text);
    for (i = 0; i < s->nerrors; i++)
        fprintf(log, "%s: error: %s\n", l->name, s->errors[i]);
    side_release(s);
    free(s);
}

#define BUSY_WAIT_MS 250 /* between two tries of a full server */

struct lesson_report *lesson_client_only(const struct lesson *l, const struct lesson_opts *o)
{
    struct lesson_report *r = report_new(l);
    struct lesson_side *s = calloc(1, sizeof *s);
    struct session_client sc;
    uint64_t t0 = os_now_us();
    unsigned i, busy_tries = 0;
    int rc;
    if (r == NULL || s == NULL)
        return out_of_memory(r, s);
    report_set_start(r, os_wall_us());
    session_client_init(&sc, conn_count(l));
    for (i = 0; i < conn_count(l); i++) {
        side_init(s, l, SIDE_CLIENT, SOCK_INVALID, i, t0);
        rc = run_client_side(s, o->host != NULL ? o->host : "127.0.0.1", o->port, o->session ? &sc : NULL, r);
        /* A full server (--max-lesson-runs) says so before this connection did anything: a class
         * starting at once gets its turn a moment later instead of an error. */
        if (rc == SESSION_BUSY && busy_tries++ < (unsigned)(o->busy_wait_ms / BUSY_WAIT_MS)) {
            if (!o->quiet)
                fprintf(stderr, T("%s: the server is busy (%s): connection %u again in %d ms\n"), l->name,
                        r->refusal, i + 1, BUSY_WAIT_MS);
            r->refusal[0] = '\0';
            os_sleep_ms(BUSY_WAIT_MS);
            i--;
            continue;
        }
        if (rc != 0)
            break; /* refused: report_refusal says why */
        report_add_side(r, s);
    }
    free(s);
    report_finish(r);
    return r;
}

int lesson_lab_enter(const struct lesson *const *ls, size_t n, int quiet)
{
    char err[SOCK_ERR_LEN];
    size_t i;
    int wants = 0, needs = 0;
    for (i = 0; i < n; i++) {
        wants |= ls[i]->lab != LAB_NONE;
        if (ls[i]->lab == LAB_NEEDS)
            needs = 1;
    }
    if (!wants || impair_enter(err) == 0)
        return 0;
    for (i = 0; i < n; i++) {
        if (ls[i]->lab == LAB_NEEDS) {
            fprintf(stderr, "socklab: %s needs the impairment lab: %s\n", ls[i]->name, err);
            return -1;
        }
    }
    if (!quiet && !needs)
        fprintf(stderr, "socklab: no impairment lab (%s): the parts that drop packets are skipped\n", err);
    return 0;
}
