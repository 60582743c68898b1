/* loadgen.h - the parts of socklab-loadgen, private to bench/. One struct lg holds a run's state and
 * is passed to everything. The core: loadgen_main.c (options, start-up), loadgen_conn.c (connection
 * slots), loadgen_slices.c (the epoll loop, and the slices that alternate between two servers),
 * loadgen_measure.c (/proc readings, the report line) and loadgen_die.c (giving up). A load mode is one file that exports a
 * struct lg_mode; the core knows a mode only through that table. */
#ifndef SOCKLAB_BENCH_LOADGEN_H
#define SOCKLAB_BENCH_LOADGEN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <time.h>

#define LG_PROG "socklab-loadgen"
#define LG_MAX_SIZE (1024 * 1024) /* the largest --size and --chunk: lg.msg holds that many bytes */
#define LG_RBUF_SIZE (256 * 1024)
#define LG_MAX_CONNS 100000
#define LG_MAX_SAMPLES (4u * 1024u * 1024u) /* round trips kept per target: 16 MiB, touched as used */

/* What the client does once its message has come back: churn's --close, or hold's staying open. */
enum lg_after_echo { LG_CLOSE, LG_RESET, LG_AWAIT_EOF, LG_STAY };

enum lg_state { LG_FREE, LG_CONNECTING, LG_WAIT_ECHO, LG_WAIT_EOF, LG_IDLE, LG_RETRY };

struct lg_opts {
    int conns, size, chunk, window, count, verbose;
    double seconds, warmup, slice, slice_warmup;
    enum lg_after_echo close_how;
};

/* A server under load, and what was measured on it over all its slices. */
struct lg_target {
    long port, pid;
    struct sockaddr_in addr;
    uint64_t ops, bytes, errors;       /* running counts */
    double secs, m_ops, m_bytes;       /* measured slices only */
    uint64_t m_errors;
    long long m_cpu_ns;                /* < 0: the server's CPU could not be read */
    double m_self_us, m_machine_s, m_others_ns;
    uint32_t *samples;
    size_t nsamples;
    int slices;
};

/* A connection slot. gen counts the descriptors the slot has had: an epoll event carries it, so an
 * event queued for a connection closed earlier in the same batch is recognised and skipped. */
struct lg_conn {
    int fd;
    uint8_t state, out_armed, tgt, busy;
    uint32_t got, to_send, gen;
    uint64_t t_sent;
    uint64_t sent, rcvd;
};

struct lg_mode;

struct lg {
    const struct lg_mode *mode;
    struct lg_opts o;
    struct lg_target tg[2];
    int ntg;
    int act;       /* the target whose connections may start new work; -1: none */
    int stopping;  /* act's connections finish what is in flight and start nothing new */
    int measuring; /* the target whose round trips are recorded; -1: none */
    struct lg_conn *lc;
    long nslots;
    int ep;
    uint8_t *msg;  /* LG_MAX_SIZE bytes of 'a'..'z': what every connection sends, and the echo's check */
    uint8_t *rbuf; /* LG_RBUF_SIZE bytes every recv() shares */
    uint64_t last_progress_ns;
};

/* A load mode. NULL hooks are skipped. Hooks other than prepare and run serve lg_run_slices only,
 * which calls them per slot, per epoll event or per pass of its loop, never per byte. */
struct lg_mode {
    const char *name;    /* the command's first word, and the report's mode= */
    int default_conns;   /* --conns when not given */
    const char *unit;    /* the report's unit= */
    double ops_per_unit; /* 1, or 1e6 where an operation is a byte and the unit MB (10^6 bytes) */
    int size_is_chunk;   /* the report's size= is --chunk, not --size */
    int connects_per_op; /* the slots start closed: each operation opens its own connection */
    int tick_ms;         /* with tick: the loop waits at most this long, and calls tick this often */

    void (*prepare)(struct lg *lg); /* after option parsing: cli_fail() on what the mode cannot do */
    void (*run)(struct lg *lg);     /* the whole run: lg_run_slices, or the mode's own */
    void (*start)(struct lg *lg, long i, uint64_t now);                 /* slot i's target is active */
    void (*on_event)(struct lg *lg, long i, uint32_t ev, uint64_t now); /* epoll's events for slot i */
    void (*stop)(struct lg *lg, long i);           /* slot i's target winds down */
    int (*in_flight)(const struct lg *lg, long i); /* the default: lc[i].busy */
    void (*tick)(struct lg *lg);
    const char *(*stall_hint)(const struct lg *lg); /* why the server may have stalled, or "" */
    void (*report_tail)(const struct lg *lg);       /* more " key=value" at the end of the line */
};

extern const struct lg_mode lg_pingpong, lg_stream, lg_churn, lg_hold;

/* loadgen_die.c */
void lg_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* loadgen_conn.c */
void lg_slots(struct lg *lg, long n);                   /* n closed slots, and descriptors for them */
void lg_watch(struct lg *lg, long i, int op, uint32_t events);
int lg_connect_ready(const struct sockaddr_in *to);     /* blocking (set-up only), then non-blocking */
void lg_close(struct lg *lg, long i, int rst);
int lg_start_connect(struct lg *lg, long i);            /* non-blocking; 0, or -1 counted as an error */
/* Drives slot i's connect + one echo of size bytes; returns 1 when its cycle just completed. */
int lg_cycle_event(struct lg *lg, long i, uint32_t ev, size_t size, enum lg_after_echo after);

/* loadgen_slices.c */
void lg_run_slices(struct lg *lg);

/* loadgen_measure.c */
struct lg_snap {
    uint64_t t, ops, bytes, errors;
    long long cpu_ns[2];
    double self_us, machine_s;
};
long long lg_cpu_ns_of(long pid);
long long lg_rss_bytes_of(long pid);
void lg_snap_take(const struct lg *lg, struct lg_snap *s, int t);
void lg_account(struct lg *lg, int t, const struct lg_snap *a, const struct lg_snap *b, int say);
void lg_forget_measured(struct lg_target *g);
void lg_report(struct lg *lg, int t);

/* Small and on every message's path, so inline. */
static inline uint64_t lg_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int lg_may_start(const struct lg *lg, long i)
{
    return lg->lc[i].tgt == lg->act && !lg->stopping;
}

static inline void lg_progress(struct lg *lg, struct lg_target *t, uint64_t ops, uint64_t bytes, uint64_t now)
{
    t->ops += ops;
    t->bytes += bytes;
    lg->last_progress_ns = now;
}

/* EPOLLOUT only while there is something to send: an epoll_ctl only when that changes. */
static inline void lg_set_out(struct lg *lg, long i, int on)
{
    if (lg->lc[i].out_armed == on)
        return;
    lg->lc[i].out_armed = (uint8_t)on;
    lg_watch(lg, i, EPOLL_CTL_MOD, EPOLLIN | (on ? EPOLLOUT : 0));
}

#endif
