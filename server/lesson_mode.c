/* lesson_mode.c - --lesson NAME: the server side of a lesson, once per accepted connection.
 *
 * A lesson side is a blocking script (send, sleep, close, watch the kernel's socket table), so each
 * connection goes to its own thread and never onto the event loop. The loop keeps accepting, which
 * lets a lesson of several connections, or several bots at once, be served.
 *
 * Before a thread is spent on it, a connection must say on the loop, within LESSON_SESSION_TIMEOUT_MS
 * and one line, which lesson it wants (the session line, lessons/engine/engine.h). The answer is
 * OK, or ERR with the reason: another lesson runs here, or --max-lesson-runs runs are under way.
 * Silent or garbage connections therefore cost a small struct for a few seconds, never a thread,
 * and at most MAX_GREETING of them wait at once (the oldest is closed for a newer one).
 *
 * A thread that finished writes its job's address into a socket pair; the loop reads it, joins the
 * thread (so its stack is freed or reused) and counts the run. The join is what makes the job's
 * fields safe to read: nothing else is shared, so no lock is needed.
 *
 * Reports go to stdout whole: each thread renders its report into a temporary file and copies it
 * out with one fwrite, which stdio performs under its own stream lock, so two reports finishing at
 * the same moment never interleave. */
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"
#include "lessons/engine/engine.h"

#define MAX_GREETING 64 /* connections whose session line has not arrived yet */

struct lesson_job {
    struct lesson_job *prev, *next; /* running */
    os_thread *thread;
    const struct lesson *lesson;
    sock_t fd;
    sock_t done;     /* where the thread says it finished */
    unsigned index;
    int json;
    enum report_verdict verdict; /* written by the thread, read after joining it */
};

struct lesson_greet {
    struct lesson_greet *prev, *next; /* oldest first */
    struct srv *srv;
    struct event *ev; /* read, until the deadline */
    uint64_t deadline_us;
    sock_t fd;
    uint32_t id;
    size_t len;
    char line[LESSON_SESSION_LINE_MAX];
};

struct srv_lessons {
    struct lesson_job *running;
    unsigned n_running;
    struct lesson_greet *greet, *greet_tail;
    unsigned n_greet;
    sock_t done[2];          /* [0] the loop reads, [1] the threads write */
    struct event *done_ev, *tick;
    unsigned char done_buf[sizeof(struct lesson_job *)];
    size_t done_len;
    unsigned long accepted;
    struct srv_lesson_counts counts;
};

/* ---- a run, on its thread ------------------------------------------------------------------ */

static void print_report(const struct lesson_report *r, int json)
{
    FILE *tmp = tmpfile();
    char *text = NULL;
    long size = -1;

    if (tmp != NULL) {
        if (json)
            report_print_json(tmp, r);
        else
            report_print_text(tmp, r);
        size = ftell(tmp);
        text = size > 0 ? malloc((size_t)size) : NULL;
        rewind(tmp);
        if (text != NULL && fread(text, 1, (size_t)size, tmp) == (size_t)size)
            fwrite(text, 1, (size_t)size, stdout);
        else
            size = -1;
        free(text);
        fclose(tmp);
    }
    if (size < 0) { /* no temporary file (e.g. a read-only temp dir): print directly */
        if (json)
            report_print_json(stdout, r);
        else
            report_print_text(stdout, r);
    }
    fflush(stdout);
}

static void job_main(void *arg)
{
    struct lesson_job *job = arg;
    struct lesson_report *r = NULL;
    char ok[8];
    size_t n = lesson_session_answer(NULL, ok, sizeof ok);

    /* OK comes from here, not from the loop: once it is sent the lesson's bytes may follow, and
     * only a thread that runs can keep that promise. */
    if (sock_send(job->fd, ok, n) != (long)n)
        sock_close(job->fd);
    else
        r = lesson_serve_one(job->lesson, job->fd, job->index);
    job->verdict = VERDICT_FAIL;
    if (r == NULL) {
        srv_log("lesson %s, connection %u: no report", job->lesson->name, job->index + 1);
    } else {
        job->verdict = report_verdict(r);
        print_report(r, job->json);
        report_free(r);
    }
    if (sock_send(job->done, &job, sizeof job) != (long)sizeof job)
        srv_log("lesson %s: a finished run could not tell the loop (it is joined at shutdown)", job->lesson->name);
}

static void job_joined(struct srv_lessons *ls, struct lesson_job *job)
{
    os_thread_join(job->thread);
    if (job->prev != NULL)
        job->prev->next = job->next;
    else
        ls->running = job->next;
    if (job->next != NULL)
        job->next->prev = job->prev;
    ls->n_running--;
    ls->counts.runs++;
    if (job->verdict == VERDICT_PASS)
        ls->counts.passed++;
    else if (job->verdict == VERDICT_NOT_EVALUATED)
        ls->counts.not_evaluated++;
    else
        ls->counts.failed++;
    free(job);
}

/* A thread finished: its job's address arrives whole or in pieces (a stream), then it is joined. */
static void on_done(evutil_socket_t fd, short what, void *arg)
{
    struct srv_lessons *ls = arg;
    (void)what;
    for (;;) {
        long n = sock_recv(fd, ls->done_buf + ls->done_len, sizeof ls->done_buf - ls->done_len);
        if (n <= 0)
            return;
        ls->done_len += (size_t)n;
        if (ls->done_len == sizeof ls->done_buf) {
            struct lesson_job *job;
            memcpy(&job, ls->done_buf, sizeof job);
            ls->done_len = 0;
            job_joined(ls, job);
        }
    }
}

static void start_run(struct srv *s, sock_t fd, uint32_t id, const struct lesson_session *hello)
{
    struct srv_lessons *ls = s->lessons;
    struct lesson_job *job = calloc(1, sizeof *job);
    char err[SOCK_ERR_LEN], answer[96];
    size_t n;

    if (job != NULL) {
        job->lesson = s->lesson;
        job->fd = fd;
        job->done = ls->done[1];
        job->index = hello->conn - 1;
        job->json = s->cfg.json;
        /* The lesson scripts blocking calls. */
        if (sock_set_nonblocking(fd, 0, err) != 0)
            srv_log("lesson connection: %s", err);
        job->thread = os_thread_start(job_main, job);
    }
    if (job != NULL && job->thread != NULL && hello->conn == 1)
        ls->counts.sessions++;
    if (job == NULL || job->thread == NULL) {
        free(job);
        ls->counts.refused++;
        srv_log("cannot start a thread for lesson connection %lu: refused it", (unsigned long)id);
        n = lesson_session_answer("the server cannot start a thread for the lesson now (out of memory?)", answer,
                                  sizeof answer);
        (void)sock_send(fd, answer, n);
        sock_close(fd);
        return;
    }
    job->next = ls->running;
    if (ls->running != NULL)
        ls->running->prev = job;
    ls->running = job;
    ls->n_running++;
}

/* ---- the session line, on the loop --------------------------------------------------------- */

static void greet_free(struct srv_lessons *ls, struct lesson_greet *g, int close_fd)
{
    if (g->prev != NULL)
        g->prev->next = g->next;
    else
        ls->greet = g->next;
    if (g->next != NULL)
        g->next->prev = g->prev;
    else
        ls->greet_tail = g->prev;
    ls->n_greet--;
    event_free(g->ev);
    if (close_fd)
        sock_close(g->fd);
    free(g);
}

/* Closes a connection that did not say what it wants, with ERR when there is a reason to give.
 * What already arrived is read first (a few KiB at most): closing on unread bytes would send a RST,
 * which can destroy the ERR before the peer reads it. */
static void greet_refuse(struct lesson_greet *g, const char *log, const char *reason)
{
    struct srv *s = g->srv;
    char answer[LESSON_SESSION_LINE_MAX + 16], sink[4096];
    if (reason != NULL) {
        size_t n = lesson_session_answer(reason, answer, sizeof answer);
        (void)sock_recv(g->fd, sink, sizeof sink);
        (void)sock_send(g->fd, answer, n);
        sock_shutdown(g->fd, SOCK_SHUT_WR, NULL);
    }
    s->lessons->counts.refused++;
    srv_log_conn(s, g->id, "refused: %s", log);
    greet_free(s->lessons, g, 1);
}

/* The whole line is in: refuse it with the reason, or hand the connection to a thread. */
static void greet_decide(struct lesson_greet *g, size_t line_len)
{
    struct srv *s = g->srv;
    struct srv_lessons *ls = s->lessons;
    struct lesson_session hello;
    char why[160], log[256];
    sock_t fd = g->fd;
    uint32_t id = g->id;

    if (lesson_session_parse(g->line, line_len, &hello, why, sizeof why) != 0) {
        snprintf(log, sizeof log, "%s", why);
        greet_refuse(g, log, why);
        return;
    }
    if (line_len + 1 != g->len) {
        greet_refuse(g, "bytes after the session line, before OK",
                     "the lesson's bytes must wait for OK (is this socklab-bot --lesson?)");
        return;
    }
    if (strcmp(hello.lesson, s->lesson->name) != 0) {
        snprintf(why, sizeof why, "wrong lesson: this server runs %s, not %s", s->lesson->name, hello.lesson);
        greet_refuse(g, why, why);
        return;
    }
    if (ls->n_running >= (unsigned)s->cfg.max_lesson_runs) {
        snprintf(why, sizeof why, LESSON_SESSION_BUSY " %u lesson runs under way (--max-lesson-runs %d); try again in a "
                 "moment", ls->n_running, s->cfg.max_lesson_runs);
        greet_refuse(g, why, why);
        return;
    }
    srv_log_conn(s, id, "lesson %s, connection %u of %u (session %s), from port %u", s->lesson->name, hello.conn,
                 hello.conns, hello.id, (unsigned)sock_peer_port(fd));
    greet_free(ls, g, 0);
    start_run(s, fd, id, &hello);
}

static void greet_arm(struct lesson_greet *g)
{
    uint64_t now = os_now_us(), left = g->deadline_us > now ? g->deadline_us - now : 0;
    struct timeval tv;
    tv.tv_sec = (long)(left / 1000000u);
    tv.tv_usec = (long)(left % 1000000u);
    event_add(g->ev, &tv); /* not persistent: a trickle of bytes must not push the deadline on */
}

static void on_greet(evutil_socket_t fd, short what, void *arg)
{
    struct lesson_greet *g = arg;
    char *nl;
    long n;

    if (what & EV_TIMEOUT) {
        greet_refuse(g, "no session line within the time allowed", NULL);
        return;
    }
    n = sock_recv(fd, g->line + g->len, sizeof g->line - 1 - g->len);
    if (n == 0 || (n < 0 && !sock_err_is_retriable(sock_last_error()))) {
        greet_refuse(g, "closed before its session line", NULL);
        return;
    }
    if (n > 0)
        g->len += (size_t)n;
    g->line[g->len] = '\0';
    nl = memchr(g->line, '\n', g->len);
    if (nl != NULL) {
        greet_decide(g, (size_t)(nl - g->line));
        return;
    }
    if (g->len >= sizeof g->line - 1) {
        greet_refuse(g, "a line too long to be a session line", "not a lesson session line");
        return;
    }
    greet_arm(g);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    srv_log_flush();
}

/* ---- accepting ------------------------------------------------------------------------------ */

int srv_lessons_init(struct srv *s)
{
    struct srv_lessons *ls = calloc(1, sizeof *ls);
    struct timeval tv = {1, 0};
    char err[SOCK_ERR_LEN];

    s->lessons = ls;
    if (ls == NULL)
        return -1;
    ls->done[0] = ls->done[1] = SOCK_INVALID;
    if (lesson_serve_init() != 0)
        return -1;
    if (sock_socketpair(ls->done, err) != 0) {
        srv_log("lesson mode: %s", err);
        return -1;
    }
    sock_set_nonblocking(ls->done[0], 1, NULL);
    ls->done_ev = event_new(s->base, ls->done[0], EV_READ | EV_PERSIST, on_done, ls);
    ls->tick = event_new(s->base, -1, EV_PERSIST, on_tick, ls);
    if (ls->done_ev == NULL || ls->tick == NULL)
        return -1;
    return event_add(ls->done_ev, NULL) == 0 && event_add(ls->tick, &tv) == 0 ? 0 : -1;
}

void srv_lesson_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr, int addrlen,
                       void *arg)
{
    struct srv *s = arg;
    struct srv_lessons *ls = s->lessons;
    struct lesson_greet *g;
    (void)l, (void)addr, (void)addrlen;

    if (s->stopping) {
        sock_close(fd);
        return;
    }
    if (ls->n_greet >= MAX_GREETING)
        greet_refuse(ls->greet, "no session line yet, and newer connections are waiting", NULL);
    g = calloc(1, sizeof *g);
    if (g != NULL)
        g->ev = event_new(s->base, fd, EV_READ, on_greet, g);
    if (g == NULL || g->ev == NULL) {
        srv_log("out of memory for a lesson connection: closed it");
        free(g);
        sock_close(fd);
        return;
    }
    g->srv = s;
    g->fd = fd;
    g->id = (uint32_t)++ls->accepted;
    g->deadline_us = os_now_us() + (uint64_t)LESSON_SESSION_TIMEOUT_MS * 1000u;
    g->prev = ls->greet_tail;
    if (ls->greet_tail != NULL)
        ls->greet_tail->next = g;
    else
        ls->greet = g;
    ls->greet_tail = g;
    ls->n_greet++;
    s->served++;
    greet_arm(g);
    srv_log_flush();
}

void srv_lessons_join(struct srv *s, struct srv_lesson_counts *c)
{
    struct srv_lessons *ls = s->lessons;
    memset(c, 0, sizeof *c);
    if (ls == NULL)
        return;
    while (ls->greet != NULL)
        greet_free(ls, ls->greet, 1);
    while (ls->running != NULL) /* the loop is over: whatever finished or not, wait for it */
        job_joined(ls, ls->running);
    if (ls->done_ev != NULL)
        event_free(ls->done_ev);
    if (ls->tick != NULL)
        event_free(ls->tick);
    if (ls->done[0] != SOCK_INVALID) {
        sock_close(ls->done[0]);
        sock_close(ls->done[1]);
    }
    *c = ls->counts;
    free(ls);
    s->lessons = NULL;
}
