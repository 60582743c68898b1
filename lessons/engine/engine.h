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
    int pause;          /* wait for Enter once set up, before the first connection (to start a capture) */
    int capture;        /* capture the run's packets (written with report_write_pcapng) */
    int step;           /* pause before each action of each side (Enter, or step_delay_ms) */
    int step_delay_ms;
    int snaplen;        /* bytes kept of each captured packet */
    int session;        /* lesson_client_only: the session line first on each connection (below) */
    int busy_wait_ms;   /* lesson_client_only: how long to keep asking a full server (ERR busy) */
};

/* Before any thread starts: moves the process into the impairment lab when one of the lessons
 * wants or needs it. 0 when the run may go on (in the lab, or without it for lessons that only want
 * it; a line on stderr says what is skipped), -1 when a lesson needs the lab and the system refuses
 * it (one line says why and what to run instead). */
int lesson_lab_enter(const struct lesson *const *ls, size_t n, int quiet);

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
 * and socklab-bot --lesson. Runs on several threads at once may overlap: call lesson_serve_init
 * first, once, so each run learns whether another ran beside it (side_process_shared). */
int lesson_serve_init(void); /* 0, or -1 without memory for its lock */
struct lesson_report *lesson_serve_one(const struct lesson *l, sock_t accepted, unsigned conn_index);
/* socklab-server --lesson: the lesson's tuning of the listening socket (TCP_DEFER_ACCEPT), as
 * socklab run applies it; what it logged goes to `log`, one line each. */
void lesson_prepare_listener(const struct lesson *l, sock_t listener, FILE *log);
struct lesson_report *lesson_client_only(const struct lesson *l, const struct lesson_opts *o);

void report_free(struct lesson_report *r);
/* The run's verdict (checks.c): FAIL on an error or a failed check; PASS when at least one check
 * was evaluated and none failed; NOT_EVALUATED when this side holds none of the facts its checks
 * compare (the server of a two-machine run: the bot's report has them). */
enum report_verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_NOT_EVALUATED };
enum report_verdict report_verdict(const struct lesson_report *r);
int report_passed(const struct lesson_report *r); /* verdict PASS */
const char *report_verdict_word(const struct lesson_report *r); /* "PASS", "FAIL", "NOT EVALUATED HERE" */

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
#define LESSON_SESSION_BUSY "busy:" /* ERR busy: ... - full for now; the client tries again */
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
/* width: the terminal's columns (0: no limit); lessons that do not fit side by side come in groups. */
void report_print_table(FILE *out, struct lesson_report *const *rs, size_t n, int width); /* table.c */

/* Pictures of the time series. A lesson without charts prints and draws nothing. */
int lesson_has_charts(const struct lesson *l);                              /* chart.c */
void report_print_charts(FILE *out, const struct lesson_report *r);         /* chart_text.c */
/* The charts of several reports in terminal columns, one per lesson (compare). */
void report_print_charts_side_by_side(FILE *out, struct lesson_report *const *rs, size_t n, int width);
void report_write_csv(FILE *out, struct lesson_report *const *rs, size_t n); /* chart.c: every sample */
void report_write_svg(FILE *out, struct lesson_report *const *rs, size_t n); /* chart_svg.c */
/* The runs' captured packets as one pcapng file, every timeline event a comment on the first packet
 * at or after it (capture.c). 0, or -1 when a write failed; *bytes: the file's size. */
int report_write_pcapng(FILE *out, struct lesson_report *const *rs, size_t n, uint64_t *bytes);
/* Tells the report where its capture went (file, its size), for the text and JSON. */
void report_set_capture_file(struct lesson_report *r, const char *path, uint64_t bytes);
int report_has_capture(const struct lesson_report *r); /* the run captured its packets */
/* Why the run never started (no listener: the port is taken, the address is not this machine's),
 * or NULL. Such a run has no report to speak of: the programs say this in one line (report.c). */
const char *report_setup_error(const struct lesson_report *r);
/* The ladder (sequence) diagram of each captured run: its packets as arrows between the sides'
 * lifelines, its timeline events on them. In the terminal, width columns (0: 120), one lesson after
 * another (ladder_text.c); as SVG, a column per lesson, -1 when no run has a capture (ladder_svg.c). */
void report_print_ladder(FILE *out, struct lesson_report *const *rs, size_t n, int width);
int report_write_ladder_svg(FILE *out, struct lesson_report *const *rs, size_t n);

/* A lesson's words in the chosen language (words.c): Korean where its file has it, else English. */
const char *lesson_title(const struct lesson *l);
const char *lesson_explain(const struct lesson *l);
const char *lesson_watch(const struct lesson *l);
const char *lesson_on_linux(const struct lesson *l);
const char *lesson_on_windows(const struct lesson *l);
const char *lesson_under_wine(const struct lesson *l); /* NULL when the lesson says nothing of Wine */
const char *lesson_chart_title(const struct lesson_chart *c);
const char *lesson_quirk_why(const struct lesson_quirk *q);
/* What of the lesson's words has no Korean yet (a field, a chart or a quirk), or NULL. */
const char *lesson_missing_korean(const struct lesson *l);

/* A lesson's own text (explain.c): socklab explain LESSON; the same as a Markdown page
 * (docs/lessons/LESSON.md); the README's table of every lesson. */
void lesson_print_explain(FILE *out, const struct lesson *l);
void lesson_print_markdown(FILE *out, const struct lesson *l);
void lesson_print_markdown_table(FILE *out, const struct lesson *const *ls, size_t n);
/* Why the lesson cannot be split over socklab-server --lesson and socklab-bot --lesson (NULL when
 * it can): the programs refuse it with this reason, and its explanation says so. */
const char *lesson_needs_one_process(const struct lesson *l);

#endif
