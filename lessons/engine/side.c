/* side.c - one side of a lesson: who it is (role, connection, addresses), its timeline, its errors
 * and its waits. Everything a side does is built on these; nothing here states what *should*
 * happen (that is the checks' job). */
#include "lessons/engine/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat/os.h"

void side_init(struct lesson_side *s, const struct lesson *l, enum side_role role, sock_t sock,
               unsigned conn, uint64_t t0_us)
{
    memset(s, 0, sizeof *s);
    s->lesson = l;
    s->role = role;
    s->sock = sock;
    s->conn = conn;
    s->t0_us = t0_us;
    s->listener = SOCK_INVALID;
    if (sock != SOCK_INVALID)
        side_learn_names(s);
    side_fact_prefix(s, NULL);
}

void side_learn_names(struct lesson_side *s)
{
    sock_local_name(s->sock, s->local_addr, sizeof s->local_addr, &s->local_port);
    sock_peer_name(s->sock, s->remote_addr, sizeof s->remote_addr, &s->remote_port);
}

const char *side_role_name(enum side_role r) { return r == SIDE_SERVER ? "server" : "client"; }

sock_t side_sock(const struct lesson_side *s) { return s->sock; }
enum side_role side_role(const struct lesson_side *s) { return s->role; }
unsigned side_conn(const struct lesson_side *s) { return s->conn; }
long side_session_bytes_sent(const struct lesson_side *s) { return s->session_sent; }
sock_t side_listener(const struct lesson_side *s) { return s->listener; }
uint16_t side_local_port(const struct lesson_side *s) { return s->local_port; }
uint16_t side_remote_port(const struct lesson_side *s) { return s->remote_port; }
const char *side_remote_addr(const struct lesson_side *s) { return s->remote_addr; }
void side_leak(struct lesson_side *s) { s->leaked = 1; }

double side_now_ms(const struct lesson_side *s) { return (double)(os_now_us() - s->t0_us) / 1000.0; }

const char *side_platform(const struct lesson_side *s)
{
    (void)s;
    return sock_platform();
}

void side_fact_prefix(struct lesson_side *s, const char *prefix)
{
    const struct lesson *l = s->lesson;
    if (prefix == NULL) /* back to this connection's own */
        prefix = s->conn < sizeof l->conn_prefix / sizeof l->conn_prefix[0] && l->conn_prefix[s->conn] != NULL
                     ? l->conn_prefix[s->conn]
                     : "";
    snprintf(s->prefix, sizeof s->prefix, "%s", prefix);
}

static void log_at(struct lesson_side *s, uint64_t at_us, const char *fmt, va_list ap)
{
    struct event *e;
    if (s->nevents >= MAX_EVENTS)
        return;
    e = &s->events[s->nevents++];
    e->t_ms = (double)(at_us - s->t0_us) / 1000.0;
    e->role = s->role;
    e->conn = s->conn;
    e->client_port = s->role == SIDE_CLIENT ? s->local_port : s->remote_port;
    vsnprintf(e->text, sizeof e->text, fmt, ap);
}

void side_log(struct lesson_side *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_at(s, os_now_us(), fmt, ap);
    va_end(ap);
}

void side_log_at(struct lesson_side *s, uint64_t at_us, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_at(s, at_us, fmt, ap);
    va_end(ap);
}

void side_error(struct lesson_side *s, const char *what, const char *err)
{
    if (s->nerrors < MAX_ERRORS)
        snprintf(s->errors[s->nerrors++], ERROR_LEN, "%.60s: %s", what, err);
    side_log(s, "ERROR %s: %s", what, err);
}

int side_wait(struct lesson_side *s, int want_write, int timeout_ms)
{
    if (s->waiter == NULL)
        s->waiter = sock_waiter_new();
    if (s->waiter == NULL)
        return sock_wait(s->sock, want_write, timeout_ms);
    return sock_waiter_wait(s->waiter, s->sock, want_write, timeout_ms);
}

const char *side_queue_text(struct lesson_side *s, char *buf, size_t len, long *outq, long *notsent)
{
    struct sock_tcpinfo ti;
    long inq = -1;
    *outq = *notsent = -1;
    sock_queue_sizes(s->sock, &inq, outq, NULL);
    memset(&ti, 0xff, sizeof ti);
    if (sock_tcp_info(s->sock, &ti, NULL) == 0)
        *notsent = ti.notsent_bytes;
    if (*outq < 0)
        snprintf(buf, len, "its send queue not measurable here");
    else if (*notsent >= 0 && *notsent <= *outq)
        snprintf(buf, len, "%ld bytes in its send queue: %ld never sent yet, %ld sent and not yet acknowledged",
                 *outq, *notsent, *outq - *notsent);
    else
        snprintf(buf, len, "%ld bytes in its send queue (unsent or unacknowledged)", *outq);
    return buf;
}

void side_step(struct lesson_side *s, const char *about, const char *watch)
{
    struct stepper *st = s->stepper;
    int c;
    if (st == NULL)
        return;
    os_mutex_lock(st->lock);
    st->n++;
    fprintf(stderr, "\nstep %u, %.1f ms: %s (connection %u) is about to %s\n  watch in Wireshark: %s\n", st->n,
            side_now_ms(s), side_role_name(s->role), s->conn + 1, about, watch);
    if (st->delay_ms > 0) {
        fflush(stderr);
        os_sleep_ms(st->delay_ms);
    } else {
        fprintf(stderr, "  (Enter: go on; the kernel's timers keep running meanwhile)\n");
        fflush(stderr);
        while ((c = getchar()) != EOF && c != '\n')
            ;
    }
    os_mutex_unlock(st->lock);
}

void side_release(struct lesson_side *s)
{
    sock_waiter_free(s->waiter);
    s->waiter = NULL;
}

void side_sleep(struct lesson_side *s, int ms)
{
    (void)s;
    os_sleep_ms(ms);
}

/* ---- served runs side by side (socklab-server) ------------------------------------------------ */

/* Runs of lesson_serve_one under way in this process, and how many ever began: a run overlapped
 * another when one was under way as it began, or another began after it. */
static os_mutex *serve_lock;
static unsigned serve_active;
static unsigned long serve_begun;

int lesson_serve_init(void)
{
    if (serve_lock == NULL)
        serve_lock = os_mutex_new();
    return serve_lock != NULL ? 0 : -1;
}

void side_serve_begin(struct lesson_side *s)
{
    if (serve_lock == NULL)
        return;
    os_mutex_lock(serve_lock);
    s->served = 1;
    s->shared_process = serve_active > 0;
    s->serve_mark = serve_begun++;
    serve_active++;
    os_mutex_unlock(serve_lock);
}

void side_serve_end(struct lesson_side *s)
{
    if (!s->served)
        return;
    os_mutex_lock(serve_lock);
    serve_active--;
    os_mutex_unlock(serve_lock);
}

int side_process_shared(const struct lesson_side *s)
{
    int overlapped;
    if (s->shared_process || !s->served)
        return s->shared_process;
    os_mutex_lock(serve_lock);
    overlapped = serve_active > 1 || serve_begun != s->serve_mark + 1;
    os_mutex_unlock(serve_lock);
    return overlapped;
}
