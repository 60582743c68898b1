/* lesson.h - what a lesson is, and the calls a lesson file uses to act and to observe.
 *
 * A lesson is a table entry (struct lesson) in its own file, read top to bottom like a packetdrill
 * script: a header comment saying what happens on the wire, then the server side, the client
 * side, and the checks. The two sides run on different threads (socklab run) or on different
 * machines (socklab-server --lesson / socklab-bot --lesson); they coordinate only through the
 * connection and the clock, so both set-ups tell the same story.
 *
 * Each side records timeline events and facts it measured. After both sides finish, the engine
 * joins the facts (time_wait_on from both sides' kernel state) and the lesson's check function
 * compares them with what the running platform is expected to do. */
#ifndef SOCKLAB_LESSON_H
#define SOCKLAB_LESSON_H

#include <stddef.h>
#include <stdio.h>

#include "compat/sock.h"

struct lesson_side;
struct lesson_report;

enum side_role { SIDE_SERVER, SIDE_CLIENT };

struct lesson {
    const char *name;      /* "close-abortive" */
    const char *title;     /* one line */
    const char *explain;   /* a paragraph: what happens and why */
    const char *wireshark; /* display filter; "{port}" stands for the server port */
    const char *watch;     /* what to look for in the capture, one item per line */
    const char *on_linux;  /* what Linux does, stated; the checks verify it when run there */
    const char *on_windows;
    int closer;            /* SIDE_SERVER or SIDE_CLIENT: whose close is the lesson's subject */
    unsigned connections;  /* connections per run, made one after another (default 1) */
    const char *conn_prefix[4]; /* fact-key prefix per connection ("" or NULL for none) */
    int duration_hint_ms;  /* roughly how long a run takes, for users and time-outs */
    /* Optional: tune the client socket before connect (buffer sizes decide the window scale). */
    void (*client_prepare)(struct lesson_side *s, sock_t sock);
    void (*server)(struct lesson_side *s); /* runs on the accepted socket */
    void (*client)(struct lesson_side *s); /* runs on the connected socket */
    void (*check)(struct lesson_report *r);
};

/* ---- the registry ------------------------------------------------------------------------- */
const struct lesson *const *lesson_all(size_t *count);
const struct lesson *lesson_find(const char *name);

/* ---- acting and observing, from inside a side -------------------------------------------------- */
sock_t side_sock(const struct lesson_side *s);
enum side_role side_role(const struct lesson_side *s);
unsigned side_conn(const struct lesson_side *s); /* 0-based index of this connection */
const char *side_platform(const struct lesson_side *s);

/* A timeline event, stamped with the time since the run started. */
void side_log(struct lesson_side *s, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void side_fact_str(struct lesson_side *s, const char *key, const char *value);
void side_fact_int(struct lesson_side *s, const char *key, long long value);
void side_fact_ms(struct lesson_side *s, const char *key, double ms);
void side_fact_bool(struct lesson_side *s, const char *key, int value);
/* Marks a step that failed for reasons outside the lesson (a setup call); shown and fails the run. */
void side_error(struct lesson_side *s, const char *what, const char *err);

void side_sleep(struct lesson_side *s, int ms);
/* Facts recorded from now on get this prefix ("" = none). The engine sets a lesson's
 * conn_prefix[conn] at the start of each connection; a lesson may change it for a variant. */
void side_fact_prefix(struct lesson_side *s, const char *prefix);

/* Writes up to `bytes` without blocking, waiting at most stall_ms for room each time the send
 * queue is full. Returns bytes written and records bytes_written_before_close. */
long side_fill(struct lesson_side *s, long bytes, int stall_ms);
/* Sends exactly `bytes` (blocking up to timeout_ms in all); returns bytes sent. A failure is
 * recorded as send_result (the error's name) and send_reset (whether it was a reset). */
long side_send(struct lesson_side *s, long bytes, int timeout_ms);
/* Reads until EOF, a reset, or idle_ms without data (a "timeout"). Records how it ended
 * ("eof", "reset", "timeout") under saw_key and the bytes received over the whole connection
 * under bytes_key (either may be NULL); the recv error's name, if any, goes to "<saw_key>_error".
 * Returns bytes read by this call. */
long side_drain(struct lesson_side *s, int idle_ms, const char *saw_key, const char *bytes_key);
/* Reads exactly `bytes` or until the peer ends; returns bytes read. */
long side_recv(struct lesson_side *s, long bytes, int timeout_ms);

/* Closes the socket the way the lesson set it up, timing the call. On the lesson's closer side it
 * records closer, close_call_ms, close_result, linger, bytes_written_before_close and
 * unsent_at_close / unread_at_close (queue sizes just before); on the other side only
 * <role>_close_result. Both record <role>_state_after_close, read from the kernel just after. Returns 0, or -1 when the
 * close call failed (the socket is then still open, as Winsock leaves it). */
int side_close(struct lesson_side *s);
/* shutdown(SHUT_WR / SD_SEND), timed: records shutdown_call_ms and shutdown_result. */
int side_shutdown_write(struct lesson_side *s);
/* Watches this connection in the kernel's socket table until it leaves the closing states
 * (bounded by max_ms); records <role>_final_state: TIME_WAIT, or "closed" when gone. */
void side_settle(struct lesson_side *s, int max_ms);
/* The kernel's current state of this connection, seen from this side ("closed" when gone). */
const char *side_kernel_state(struct lesson_side *s, char *buf, size_t len);

/* ---- checks, from a lesson's check function ---------------------------------------------------- */
const char *report_platform(const struct lesson_report *r);
/* Each adds one check with an id named after the behaviour. A check whose fact is missing (the
 * other side ran on another machine) is recorded as not evaluated and does not fail the run. */
void expect_str(struct lesson_report *r, const char *id, const char *key, const char *want);
void expect_true(struct lesson_report *r, const char *id, const char *key);
void expect_false(struct lesson_report *r, const char *id, const char *key);
void expect_range(struct lesson_report *r, const char *id, const char *key, double lo, double hi);
void expect_less(struct lesson_report *r, const char *id, const char *key_a, const char *key_b);
void expect_equal(struct lesson_report *r, const char *id, const char *key_a, const char *key_b);

/* ---- running and reporting (the runner, server and bot programs) --------------------------------- */
struct lesson_opts {
    const char *host;   /* server address for the client side; bind address for the server */
    uint16_t port;      /* 0 = ephemeral */
    int quiet;          /* no progress lines on stderr */
};

/* Runs both sides over loopback on separate threads and joins them. */
struct lesson_report *lesson_run(const struct lesson *l, const struct lesson_opts *o);
/* Runs several lessons at once, each on its own port (ports[i], 0 = ephemeral). */
int lesson_run_many(const struct lesson *const *ls, size_t n, const struct lesson_opts *o,
                    struct lesson_report **out);

/* One side only, for socklab-server --lesson (on an accepted socket) and socklab-bot --lesson. */
struct lesson_report *lesson_serve_one(const struct lesson *l, sock_t accepted, unsigned conn_index);
struct lesson_report *lesson_client_only(const struct lesson *l, const struct lesson_opts *o);

int report_passed(const struct lesson_report *r);
void report_print_text(FILE *out, const struct lesson_report *r);
void report_print_json(FILE *out, const struct lesson_report *r);
void report_print_json_array(FILE *out, struct lesson_report *const *rs, size_t n);
void report_print_table(FILE *out, struct lesson_report *const *rs, size_t n);
void report_free(struct lesson_report *r);

void lesson_print_explain(FILE *out, const struct lesson *l);

#endif
