/* internal.h - the lesson engine's own structures. Lesson files never include this: they see only
 * lessons/lesson.h; the programs see engine.h.
 *
 * The engine, file by file, and what each calls (a file calls only files below it, so no two files
 * call each other):
 *   run.c           runs a lesson: both sides on threads, or one side  -> report, capture, session, side, facts
 *   session.c       the workshop session line, both ends               -> side
 *   table.c         socklab compare: one column per lesson             -> text, chart_text, facts, checks
 *   json.c          the report as JSON (--json)                        -> side, facts, checks
 *   explain.c       socklab explain LESSON                             -> (the lesson's text only)
 *   report.c        both sides joined, the lesson's checks run         -> capture, checks, facts, series
 *   ladder_text.c   --ladder -: the sequence diagram in the terminal   -> ladder
 *   ladder_svg.c    --ladder FILE.svg                                  -> ladder
 *   ladder.c        the diagram's rows: packets and events by time     -> capture (its packets)
 *   capture.c       --capture: the run's packets as commented pcapng   -> text, side, facts, checks
 *   text.c          the report as text                                 -> chart_text, side, facts, checks
 *   chart_text.c    sparklines in the terminal                         -> chart
 *   chart_svg.c     --plot: SVG panels                                 -> chart
 *   chart.c         what both kinds of chart share, and --csv          -> series
 *   checks.c        the expect_* checks and the verdict                -> facts
 *   backpressure.c  an app's output buffer; the writer's kernel watched -> lesson.h only, as a lesson
 *   side_timers.c   timers sampled, kernel settings, the impairment lab -> side, facts, sample
 *   sample.c        a side's time series; bulk transfers that sample   -> side, facts, series
 *   side_states.c   the states a side's end goes through, as facts     -> side, facts
 *   side_handshake.c a handshake the sides make themselves; port facts  -> side, facts
 *   side_kernel.c   closing, and the kernel's view of the connection   -> side, facts
 *   side_io.c       sending and receiving, buffer sizes                -> side, facts
 *   facts.c         the fact store and every side_fact_*               -> side
 *   side.c          a side: who it is, its timeline, errors, waiting   -> compat only
 *   series.c        the sample store and its CSV rows                  -> nothing
 *   words.c         a lesson's words in the chosen language            -> nothing (common/i18n) */
#ifndef SOCKLAB_LESSON_INTERNAL_H
#define SOCKLAB_LESSON_INTERNAL_H

#include <stdint.h>

#include "compat/os.h"

#include "lessons/engine/engine.h"
#include "lessons/engine/series.h"

#define FACT_KEY_LEN 56
#define FACT_STR_LEN 96
#define CHECK_TEXT_LEN 160 /* two dotted fact keys and an operator */
#define MAX_FACTS 192 /* time-wait-exhaustion reports about 110 */
#define MAX_EVENTS 48
#define MAX_CHECKS 24
#define MAX_ERRORS 4
#define ERROR_LEN (SOCK_ERR_LEN + 64) /* "<step>: <compat message>" */
#define MAX_LAB_LINES 12
#define MAX_NOTED_STATES 8 /* side_state_note: a connection's life has at most 7 states and the end */
#define LAB_LINE_LEN 512              /* one lesson's nftables commands or a sysctl, as applied */

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
    size_t dropped; /* facts refused because the store was full: the report says so */
};

struct event {
    double t_ms; /* since the run started */
    enum side_role role;
    unsigned conn;         /* the side's connection (0 for lessons with one) */
    uint16_t client_port;  /* that connection's client port when it was logged, 0 before connect */
    char text[160];
};

/* --step: before each action of either side, what is about to happen and what to watch, then a
 * wait for Enter (or delay_ms). One prompt at a time: the lock keeps the two sides' apart. */
struct stepper {
    os_mutex *lock;
    int delay_ms; /* 0: wait for Enter */
    unsigned n;
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
    long session_sent;                    /* the session line before the lesson (session.c) */
    int closed;
    struct sock_waiter *waiter; /* made on the first wait, freed by side_release */
    int shared_process;         /* see side_process_shared */
    int served;                 /* by lesson_serve_one: shared also when another run overlapped */
    unsigned long serve_mark;   /* runs begun in the process when this one began */
    int leaked;                 /* side_leak: the engine closes the socket at the end of the run */
    sock_t listener;            /* side_listener; SOCK_INVALID when not this process's */
    struct stepper *stepper;    /* --step: NULL when the run does not step */
    char prefix[24];
    struct factset facts;
    struct event events[MAX_EVENTS];
    size_t nevents;
    char errors[MAX_ERRORS][ERROR_LEN];
    size_t nerrors;
    char lab[MAX_LAB_LINES][LAB_LINE_LEN]; /* what this side did in the impairment lab */
    size_t nlab;
    struct series_set *series; /* NULL until the side samples; moved into the report */
    struct {                   /* side_state_note: the states its end went through */
        char name[MAX_NOTED_STATES][16];
        double at_ms[MAX_NOTED_STATES];
        int n;
    } states;
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
    struct event events[2 * MAX_EVENTS * LESSON_MAX_CONNS];
    size_t nevents;
    struct check checks[MAX_CHECKS];
    size_t nchecks;
    char errors[2 * MAX_ERRORS * LESSON_MAX_CONNS][ERROR_LEN];
    size_t nerrors;
    /* The impairment lab: the command that watches it live, and every rule and setting applied. */
    char lab_watch[160];
    char lab[MAX_LAB_LINES][LAB_LINE_LEN];
    size_t nlab;
    struct series_set *series; /* NULL when the lesson samples nothing */
    /* When the run started on the calendar clock, so its timeline lines up with any capture. */
    uint64_t t0_wall_us;
    char start_time[40]; /* ISO 8601, UTC, microseconds */
    /* --capture: the packets (capture.c), what became of them, and the file they went to. */
    struct capture_store *capture;
    long capture_packets, capture_dropped, capture_not_kept;
    int capture_snaplen;
    char capture_file[256];
    unsigned long long capture_file_bytes;
    char capture_note[SOCK_ERR_LEN]; /* why there is no capture, when one was asked for */
    /* The run never started (its listener could not be made): why, in one line. */
    char setup_error[ERROR_LEN];
    char refusal[ERROR_LEN + 64]; /* report_refusal; "" when the lesson ran */
};

/* session.c: the client's end of the session line. */
struct session_client {
    char id[24];
    unsigned conns;
};
void session_client_init(struct session_client *sc, unsigned conns);
/* On a connected client side: the line, then the answer. 0 on OK; -1 with why in refusal, or
 * SESSION_BUSY when the server is full for now (ERR busy: ...). */
#define SESSION_BUSY (-2)
int session_client_hello(struct lesson_side *s, const struct session_client *sc, char *refusal, size_t len);

/* side.c */
void side_init(struct lesson_side *s, const struct lesson *l, enum side_role role, sock_t sock,
               unsigned conn, uint64_t t0_us);
const char *side_role_name(enum side_role r);
void side_learn_names(struct lesson_side *s); /* addresses and ports of a connected socket */
void side_release(struct lesson_side *s);     /* frees what the side held; facts stay */
/* lesson_serve_one's run begins / ends: side_process_shared then knows whether another overlapped. */
void side_serve_begin(struct lesson_side *s);
void side_serve_end(struct lesson_side *s);
/* side_handshake.c: the connection's ports as facts (server_port, client_port) */
void side_record_ports(struct lesson_side *s);
/* A timeline event stamped when it happened (at_us, os_now_us's clock) rather than when it is
 * written down: "sent N bytes" belongs at the send, before the peer's "received". */
void side_log_at(struct lesson_side *s, uint64_t at_us, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The send queue in words: how much never left and how much is in flight (SIOCOUTQ counts both,
 * TCP_INFO's notsent_bytes tells them apart). *outq / *notsent: the figures, -1 where unknown. */
const char *side_queue_text(struct lesson_side *s, char *buf, size_t len, long *outq, long *notsent);
/* --step: announces the action about to happen and what to watch in Wireshark now, and waits. */
void side_step(struct lesson_side *s, const char *about, const char *watch);

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
/* The run started at wall_us on the calendar clock (the same moment as its monotonic t0). */
void report_set_start(struct lesson_report *r, uint64_t wall_us);

/* checks.c */
/* Failed checks that the lesson lists as a known difference of the runtime it runs under. */
void checks_mark_known_differences(struct lesson_report *r);
const char *check_status_word(enum check_status st); /* "PASS", "FAIL", "DIFF", "n/a " */

/* text.c */
/* The lesson's Wireshark display filter with this run's server port filled in. */
void report_print_filter(FILE *out, const struct lesson_report *r);
const char *report_filter_text(const struct lesson_report *r, char *buf, size_t len);

/* capture.c */
struct capture_store;
/* Starts capturing the run's port; -1 with err (one line) when it cannot. */
int report_capture_start(struct lesson_report *r, uint16_t port, int snaplen, char *err);
/* The run is over: waits for the last packets, stops, and records what was kept. */
void report_capture_finish(struct lesson_report *r);
void report_capture_free(struct lesson_report *r);
/* The kept packets, in capture order, for drawing them (ladder.c): how many, the port captured, the
 * link type, and packet i's time (us since 1970) and kept bytes. */
size_t capture_store_count(const struct capture_store *c);
uint16_t capture_store_port(const struct capture_store *c);
int capture_store_linktype(const struct capture_store *c);
const uint8_t *capture_store_packet(const struct capture_store *c, size_t i, uint64_t *ts_us, uint32_t *caplen);

#endif
