/* engine.h - what the programs (socklab, socklab-server --lesson, socklab-bot --lesson) call: run a
 * lesson, both sides or one, and print its report as text, JSON, a comparison table, charts, CSV or
 * SVG. Lesson files never include this; they see only lessons/lesson.h. */
#ifndef SOCKLAB_LESSON_ENGINE_H
#define SOCKLAB_LESSON_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lessons/lesson.h"

/* ---- running (run.c) ----------------------------------------------------------------------- */
struct lesson_opts {
    const char *host;   /* server address for the client side; bind address for the server */
    uint16_t port;      /* 0 = ephemeral */
    int quiet;          /* no progress lines on stderr */
    int shared_process; /* set by lesson_run_many: other lessons run in this process meanwhile */
    int session;        /* lesson_client_only: the session line first on each connection (below) */
};

/* Each returns the run's report, or NULL when there was no memory even for the report (anything
 * else that goes wrong, a failed listen included, is an error inside the report). */

/* Runs both sides over loopback on separate threads and joins them. */
struct lesson_report *lesson_run(const struct lesson *l, const struct lesson_opts *o);
/* Runs several lessons at once, each on its own port (o->port + i, or ephemeral when o->port is 0).
 * Returns 0 when every lesson passed, 1 when one did not, -1 when a report could not be made
 * (out of memory: then no report is returned and none needs freeing). */
int lesson_run_many(const struct lesson *const *ls, size_t n, const struct lesson_opts *o,
                    struct lesson_report **out);
/* One side only, for socklab-server --lesson (on an accepted socket, which it owns and closes)
 * and socklab-bot --lesson. */
struct lesson_report *lesson_serve_one(const struct lesson *l, sock_t accepted, unsigned conn_index);
struct lesson_report *lesson_client_only(const struct lesson *l, const struct lesson_opts *o);

void report_free(struct lesson_report *r);
int report_passed(const struct lesson_report *r); /* checks.c */

/* ---- the workshop session (session.c) -------------------------------------------------------
 * In the two-program mode (socklab-bot --lesson against socklab-server --lesson, what
 * lesson_client_only does with opts.session set) each lesson connection begins with one line from
 * the client and one answer, before the lesson's own bytes:
 *     SOCKLAB-LESSON 1 <lesson> <session-id> <conn>/<conns>\n      (conn counts from 1)
 *     OK\n   or   ERR <reason>\n                                   (busy, another lesson, ...)
 * so a run the server will not serve is told why. socklab run (both sides in one process) never
 * sends it: lessons count the segments and captures of their connections. */
#define LESSON_SESSION_VERSION 1
#define LESSON_SESSION_LINE_MAX 128 /* the client's line, its newline included */
#define LESSON_SESSION_TIMEOUT_MS 5000
struct lesson_session {
    char lesson[40];
    char id[24];        /* hex: the same on every connection of one run */
    unsigned conn, conns;
};
/* The client's line without its newline: 0, or -1 with the reason (for an ERR answer) in why. */
int lesson_session_parse(const char *line, size_t len, struct lesson_session *out, char *why, size_t whylen);
/* The answer: "OK\n" when refusal is NULL, else "ERR <refusal>\n". Returns its length. */
size_t lesson_session_answer(const char *refusal, char *out, size_t cap);
/* Why lesson_client_only did not run the lesson - the server's ERR, or a handshake that failed -
 * or NULL when it ran. A refused run has no checks worth printing: it is a setup error. */
const char *report_refusal(const struct lesson_report *r);

/* ---- reporting ----------------------------------------------------------------------------- */
void report_print_text(FILE *out, const struct lesson_report *r);                   /* text.c */
void report_print_json(FILE *out, const struct lesson_report *r);                   /* json.c */
void report_print_json_array(FILE *out, struct lesson_report *const *rs, size_t n); /* json.c */
void report_print_table(FILE *out, struct lesson_report *const *rs, size_t n);      /* table.c */

/* Pictures of the time series. A lesson without charts prints and draws nothing. */
int lesson_has_charts(const struct lesson *l);                              /* chart.c */
void report_print_charts(FILE *out, const struct lesson_report *r);         /* chart_text.c */
/* The charts of several reports in terminal columns, one per lesson (compare). */
void report_print_charts_side_by_side(FILE *out, struct lesson_report *const *rs, size_t n);
void report_write_csv(FILE *out, struct lesson_report *const *rs, size_t n); /* chart.c: every sample */
void report_write_svg(FILE *out, struct lesson_report *const *rs, size_t n); /* chart_svg.c */

/* A lesson's own text (explain.c): socklab explain LESSON; the same as a Markdown page
 * (docs/lessons/LESSON.md); the README's table of every lesson. */
void lesson_print_explain(FILE *out, const struct lesson *l);
void lesson_print_markdown(FILE *out, const struct lesson *l);
void lesson_print_markdown_table(FILE *out, const struct lesson *const *ls, size_t n);

#endif
