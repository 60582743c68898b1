/* internal.h - the lesson engine's own structures. Lesson files never include this: they see only
 * lessons/lesson.h; the programs see engine.h.
 *
 * The engine, file by file, and what each calls (a file calls only files below it, so no two files
 * call each other):
 *   run.c           runs a lesson: both sides on threads, or one side  -> report, session, side, facts
 *   session.c       the workshop session line, both ends                -> side
 *   table.c         socklab compare: one column per lesson             -> text, chart_text, facts, checks
 *   text.c          the report as text                                 -> chart_text, side, facts, checks
 *   json.c          the report as JSON (--json)                        -> side, facts, checks
 *   explain.c       socklab explain LESSON                             -> (the lesson's text only)
 *   chart_text.c    sparklines in the terminal                         -> chart
 *   chart_svg.c     --plot: SVG panels                                 -> chart
 *   chart.c         what both kinds of chart share, and --csv          -> series
 *   report.c        both sides joined, the lesson's checks run         -> checks, facts, series
 *   checks.c        the expect_* checks and the verdict                -> facts
 *   backpressure.c  an app's output buffer; the writer's kernel watched -> lesson.h only, as a lesson
 *   sample.c        a side's time series; bulk transfers that sample   -> side, facts, series
 *   side_kernel.c   closing, and the kernel's view of the connection   -> side, facts
 *   side_io.c       sending and receiving, buffer sizes                -> side, facts
 *   facts.c         the fact store and every side_fact_*               -> side
 *   side.c          a side: who it is, its timeline, errors, waiting   -> compat only
 *   series.c        the sample store and its CSV rows                  -> nothing */
#ifndef SOCKLAB_LESSON_INTERNAL_H
#define SOCKLAB_LESSON_INTERNAL_H

#include <stdint.h>

#include "lessons/engine/engine.h"
#include "lessons/engine/series.h"

#define FACT_KEY_LEN 56
#define FACT_STR_LEN 96
#define CHECK_TEXT_LEN 160 /* two dotted fact keys and an operator */
#define MAX_FACTS 128
#define MAX_EVENTS 48
#define MAX_CHECKS 24
#define MAX_ERRORS 4
#define ERROR_LEN (SOCK_ERR_LEN + 64) /* "<step>: <compat message>" */

/* FACT_INTS: a list of integers (side_fact_ints), kept as decimal text in `s` ("100 1000 3000") with
 * the count in `i`; an array in --json. */
enum fact_type { FACT_STR, FACT_INT, FACT_MS, FACT_BOOL, FACT_NUM, FACT_INTS };

struct fact {
    char key[FACT_KEY_LEN];
    enum fact_type type;
    long long i;
    double ms; /* FACT_MS and FACT_NUM */
    char s[FACT_STR_LEN];
};

struct factset {
    struct fact f[MAX_FACTS];
    size_t n;
};

struct event {
    double t_ms; /* since the run started */
    enum side_role role;
    char text[160];
};

struct lesson_side {
    const struct lesson *lesson;
    enum side_role role;
    sock_t sock;
    unsigned conn;
    uint64_t t0_us;
    uint16_t local_port, remote_port;
    char local_addr[48], remote_addr[48]; /* to find the connection in the kernel after close */
    long long bytes_sent, bytes_received; /* over the whole connection */
    int closed;
    struct sock_waiter *waiter; /* made on the first wait, freed by side_release */
    int shared_process;         /* see side_process_shared */
    char prefix[24];
    struct factset facts;
    struct event events[MAX_EVENTS];
    size_t nevents;
    char errors[MAX_ERRORS][ERROR_LEN];
    size_t nerrors;
    struct series_set *series; /* NULL until the side samples; moved into the report */
};

enum check_status { CHECK_FAIL = 0, CHECK_PASS = 1, CHECK_NOT_EVALUATED = -1, CHECK_KNOWN_DIFF = 2 };

struct check {
    char id[48];
    char expect[CHECK_TEXT_LEN];
    char observed[CHECK_TEXT_LEN];
    enum check_status status;
    const char *why; /* CHECK_KNOWN_DIFF: the lesson's explanation */
};

struct lesson_report {
    const struct lesson *lesson;
    const char *platform;
    const char *runtime; /* NULL, or "wine" */
    int sides;           /* 1 = server side present, 2 = client side present */
    struct factset facts;
    struct event events[2 * MAX_EVENTS * 4];
    size_t nevents;
    struct check checks[MAX_CHECKS];
    size_t nchecks;
    char errors[2 * MAX_ERRORS * 4][ERROR_LEN];
    size_t nerrors;
    struct series_set *series; /* NULL when the lesson samples nothing */
    char refusal[ERROR_LEN + 64]; /* report_refusal; "" when the lesson ran */
};

/* session.c: the client's end of the session line. */
struct session_client {
    char id[24];
    unsigned conns;
};
void session_client_init(struct session_client *sc, unsigned conns);
/* On a connected client side: the line, then the answer. 0 on OK; -1 with why in refusal. */
int session_client_hello(struct lesson_side *s, const struct session_client *sc, char *refusal, size_t len);

/* side.c */
void side_init(struct lesson_side *s, const struct lesson *l, enum side_role role, sock_t sock,
               unsigned conn, uint64_t t0_us);
const char *side_role_name(enum side_role r);
void side_learn_names(struct lesson_side *s); /* addresses and ports of a connected socket */
void side_release(struct lesson_side *s);     /* frees what the side held; facts stay */

/* facts.c */
void factset_put(struct factset *fs, const struct fact *f);
const struct fact *factset_get(const struct factset *fs, const char *key);
void fact_format(const struct fact *f, char *buf, size_t len);
double fact_number(const struct fact *f); /* FACT_MS / FACT_NUM as they are, the rest as integers */
/* The facts in report order: the close lessons' contract keys first, then the rest in the order
 * they were measured, each dotted group together (so text reads like the JSON's nesting). */
size_t facts_ordered(const struct factset *fs, const struct fact **out, size_t max);

/* report.c */
struct lesson_report *report_new(const struct lesson *l); /* NULL: out of memory */
/* Adds a side's facts, events and errors, and moves its samples into the report. */
void report_add_side(struct lesson_report *r, struct lesson_side *s);
void report_add_error(struct lesson_report *r, const char *msg);
/* Joins both sides' views (time_wait_on) and runs the lesson's checks. */
void report_finish(struct lesson_report *r);

/* checks.c */
/* Failed checks that the lesson lists as a known difference of the runtime it runs under. */
void checks_mark_known_differences(struct lesson_report *r);
const char *check_status_word(enum check_status st); /* "PASS", "FAIL", "DIFF", "n/a " */

/* text.c */
/* The lesson's Wireshark display filter with this run's server port filled in. */
void report_print_filter(FILE *out, const struct lesson_report *r);

#endif
