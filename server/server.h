/* server.h - the parts of socklab-server and how they share state.
 *
 * One event loop (libevent) serves every connection with plain events, no bufferevents: a
 * connection costs a small header and one embedded `struct event` while idle, and its write event,
 * output buffer and partial-frame buffer exist only while they hold bytes.
 *
 * Who calls whom (downwards only; conn.c reaches the protocol through the srv_proto table that main.c
 * picked, never by name):
 *   main.c        options, the protocol chosen once, start-up, signals and the shutdown summary
 *   lesson_mode.c --lesson NAME: the session line on the loop, then one lesson side per connection
 *                 on its own thread, --max-lesson-runs at once, each joined when it finishes
 *                                                                     -> lessons/engine
 *   listener.c    the evconnlistener, --allow, and shedding or pausing when descriptors run out
 *                                                                     -> limits.c
 *   limits.c      admission (--max-conns, --max-per-source, shedding those not greeted yet) and
 *                 the deadlines, one sweep a second                    -> conn.c, sources.c
 *   echo.c        --proto echo (srv_echo_proto)                       -> conn.c
 *   game.c        --proto game (srv_game_proto): frames from a client -> room.c, conn.c
 *   room.c        --proto game: rooms and the STATE tick              -> conn.c, stats.c
 *   conn.c        a connection's life: opening, reading, backpressure, sending, and the one place
 *                 that ends a connection                              -> output.c, sources.c
 *   output.c      a connection's output: send now or buffer the rest; says what happened (sent,
 *                 queued, over the cap, failed) and leaves the consequence to conn.c
 *   sources.c     connections per source address, and how they went
 *   stats.c       the open-files limit, the tick's timing, --stats lines and the shutdown summary
 *   log.c         the one-line log, its per-connection lines rate-limited */
#ifndef SOCKLAB_SERVER_H
#define SOCKLAB_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "compat/sock.h"

#define SRV_PROG "socklab-server"
#define SRV_READ_CHUNK 65536u    /* the loop's one read buffer */
#define SRV_DRAIN_MS 2000        /* how long a graceful close or the shutdown may wait for the peer */
/* A connection younger than this is not shed for its age: a client greets within a round trip, and
 * shedding the newest would let each newcomer push out the one before it before either could say
 * HELLO. Only a silent source loses its young ones too: one that opens silent connections as fast
 * as they are shed would otherwise keep them all young, and every real player out. */
#define SRV_SHED_GRACE_MS 500
#define SRV_SHED_SCAN 1024 /* the queue entries one shedding looks at, at most */

struct srv_config {
    const char *bind;
    uint16_t port;
    const char *proto_name;
    const char *lesson_name;
    int tick_hz;
    int room_size;
    int max_outbuf;
    int json;
    int quiet;
    int close_after_echo; /* echo: end a connection gracefully once its first read is echoed */
    int stats_s;          /* --stats: a figures line every this many seconds (0 = none) */
    int expect_conns;     /* --expect-conns: exit at start unless the open-files limit holds this many */
    /* The limits (README: Security). 0 switches a limit off. */
    int max_conns, max_per_source;
    const char *allow;    /* --allow CIDR[,CIDR...]: only these sources (NULL: any) */
    int hello_timeout_s, frame_timeout_s, idle_timeout_s; /* idle: -1 = the protocol's default */
    int chat_rate, chat_max, ping_rate, move_rate;        /* game: frames a second; CHAT text bytes */
    int max_lesson_runs;
};

/* What the limits did: --stats lines and the shutdown summary show them. */
struct srv_counts {
    uint64_t refused_full, refused_source, refused_allow; /* at accept */
    uint64_t shed;                                        /* not greeted yet, closed to make room */
    uint64_t late_hello, late_frame, idle;                /* deadlines */
    uint64_t dropped, kicked;  /* game: frames over a rate limit dropped; players closed for it */
    uint64_t protocol_errors;  /* game: ERROR and a close for a frame that breaks the protocol */
    uint64_t cut_short;        /* closing connections closed at once: the peer kept sending */
};

struct srv_conn;
struct srv_proto;
struct srv_player;
struct srv_game;
struct srv_lessons;
struct srv_stats;
struct srv_sources;
struct sock_cidr;
struct lesson;

struct srv {
    struct srv_config cfg;
    const struct srv_proto *proto; /* --proto; NULL in lesson mode */
    struct event_base *base;
    uint16_t port; /* the one actually bound */

    struct evconnlistener *listener;
    evconnlistener_cb on_accept;
    struct event *accept_retry; /* re-enables the listener after a descriptor shortage */
    int accept_paused;
    unsigned long accept_retries;

    struct event *sig_int, *sig_term, *drain_timer;
    int stopping;

    /* Connections: greeted ones (a HELLO; echo: a first byte) in `conns`, the rest in `fresh`,
     * oldest first, so the ones to shed when room runs short are at hand. Closed ones wait on
     * `reap` until the loop comes back, so no callback ever frees a connection another part of
     * the same callback still uses. */
    struct srv_conn *conns;
    struct srv_conn *fresh, *fresh_tail;
    struct srv_conn *reap;
    struct event *reaper;
    struct event *sweep;  /* once a second: the deadlines, and the log's summary line */
    uint64_t t0_us;
    uint32_t clock_s;     /* seconds since start as of the last sweep: what activity is stamped with */
    struct srv_sources *sources; /* sources.c: connections per source address */
    struct sock_cidr *allow;
    size_t n_allow;
    struct srv_counts counts;
    size_t n_live, n_with_output; /* n_live: open sockets, not yet ended */
    uint32_t next_id;
    size_t pause_at, resume_at; /* read backpressure thresholds on pending output */

    uint8_t *rbuf; /* SRV_READ_CHUNK bytes shared by every read */

    uint64_t served, bytes_in, bytes_out;
    struct srv_stats *stats; /* stats.c */

    struct srv_game *game;
    const struct lesson *lesson;
    struct srv_lessons *lessons;
};

/* ---- log.c ---------------------------------------------------------------------------------- */
void srv_log(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Per-connection lines: silenced by --quiet, and rate-limited (an attack must not turn into a
 * flood of log lines): past a burst, a few a second; the rest are counted and srv_log_flush says
 * how many were left out. */
void srv_log_conn(const struct srv *s, uint32_t id, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void srv_log_flush(void); /* the summary of lines left out, if any (the sweep calls it) */

/* ---- stats.c: the open-files limit, the tick's timing, --stats lines, the shutdown summary ------ */
/* Microsecond values in log-spaced buckets (32 per power of two): O(1) to add, bounded memory for
 * any run length, percentiles within 1.6 %, the maximum exact. */
#define SRV_HIST_BUCKETS 896
struct srv_hist {
    uint64_t n, max;
    uint32_t b[SRV_HIST_BUCKETS];
};
void srv_hist_add(struct srv_hist *h, uint64_t us);
uint64_t srv_hist_pct(const struct srv_hist *h, double p); /* nearest rank; 0 when empty */

/* Before the loop exists: raises the open-files limit (to the hard limit, or to what --expect-conns
 * needs) and sets up the figures. -1 after one line on stderr when --expect-conns does not fit. */
int srv_stats_init(struct srv *s);
int srv_stats_start(struct srv *s); /* the --stats timer */
/* One STATE tick ran: started late_us after it was due, took work_us. */
void srv_stats_tick(struct srv *s, uint64_t late_us, uint64_t work_us);
/* Teardown, while the loop still exists: prints the tick and process lines (print = 1; echo and
 * game only) and frees the figures. */
void srv_stats_summary(struct srv *s, int print);

/* ---- listener.c ----------------------------------------------------------------------------- */
int srv_listener_start(struct srv *s, evconnlistener_cb on_accept);
void srv_listener_stop(struct srv *s);

/* ---- conn.c --------------------------------------------------------------------------------- */
enum srv_conn_state { SRV_OPEN, SRV_DRAINING, SRV_DEAD };

struct srv_conn {
    struct srv *srv;
    struct srv_conn *prev, *next; /* srv->conns, or srv->fresh while not greeted */
    struct srv_conn *reap_next;
    struct event *rev;            /* in the same allocation as the connection */
    struct event *wev;            /* NULL while nothing is pending */
    struct evbuffer *out;         /* NULL while nothing is pending */
    uint8_t *in;                  /* game: a partial frame (in_len bytes), NULL while there is none */
    struct srv_player *player;    /* game: set by HELLO */
    struct srv_source *source;    /* sources.c: its source address's count; NULL when not counted */
    const char *end_why;          /* why a graceful end began (a static string), logged at close */
    uint64_t bytes_in, bytes_out;
    uint64_t drain_deadline_us;
    uint64_t ping_tat_us;         /* game: the PING rate limit (GCRA, see game.c) */
    uint32_t t_active;            /* srv->clock_s at accept, greeting, and activity since */
    uint32_t t_partial;           /* srv->clock_s when the partial frame in `in` began */
    uint32_t discard_left;        /* closing: input it may still read away */
    uint32_t born_ms;             /* accepted, in ms since start: shedding spares the newest */
    sock_t fd;
    uint32_t id;
    uint16_t in_len;
    uint8_t state;                /* enum srv_conn_state */
    uint8_t reading, writing, peer_eof, shut_wr, paused, fresh;
};

int srv_conns_init(struct srv *s);
/* Sends bytes to the peer: at once when nothing is pending, the rest buffered. A peer whose
 * pending output would pass --max-outbuf is cut off; a failed send ends the connection. Either
 * only marks it dead (it is freed when the loop comes back), so callers iterating over players may
 * go on. */
void srv_conn_send(struct srv_conn *c, const void *data, size_t len);
/* Ends the connection gracefully: flush, shutdown(SHUT_WR), read until the peer's EOF (so unread
 * input never turns the close into a RST), close. Input is ignored from now on. */
void srv_conn_finish(struct srv_conn *c, const char *why);
/* Ends it now (peer reset, error, cut off): the socket is closed at once, the connection freed when
 * the loop comes back. */
void srv_conn_kill(struct srv_conn *c, const char *why);
/* Output waiting for the peer to read, in bytes. */
size_t srv_conn_pending(const struct srv_conn *c);
/* The peer proved to be a client of the protocol (game: HELLO; echo: its first bytes): it is no
 * longer the first to be shed, and its deadline is now the idle one. */
void srv_conn_greeted(struct srv_conn *c);
/* Activity that keeps a greeted connection from its idle deadline (game: MOVE, PING; echo: input).
 * Before the greeting it changes nothing: that deadline counts from the connect, whatever comes. */
static inline void srv_conn_active(struct srv_conn *c)
{
    if (!c->fresh)
        c->t_active = c->srv->clock_s;
}
/* Opens an accepted connection that limits.c admitted (it joins the not-greeted list); NULL when
 * there is no memory (the caller closes the socket). */
struct srv_conn *srv_conn_open(struct srv *s, sock_t fd, uint32_t id, struct srv_source *src);
uint32_t srv_clock_ms(const struct srv *s); /* ms since srv_conns_init */
/* Shutdown: stop reading everywhere, keep flushing; the loop ends when nothing is pending. */
void srv_conns_stop(struct srv *s);
void srv_conns_free_all(struct srv *s);

/* ---- limits.c: admission and deadlines (README: Security) ------------------------------------ */
int srv_limits_start(struct srv *s); /* the sweep's timer */
void srv_limits_free(struct srv *s);
/* The accept callback of --proto modes: --max-per-source, --max-conns, then srv_conn_open. */
void srv_on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr, int addrlen,
                   void *arg);
/* Descriptors or room ran short: closes the oldest connection not greeted yet that either had time
 * to greet (SRV_SHED_GRACE_MS) or comes from a silent source (srv_source_silent). 1 if one was. */
int srv_limits_shed(struct srv *s, const char *why);
/* One pass of the deadlines now (the sweep's work; the fuzz target calls it directly). */
void srv_limits_sweep(struct srv *s);

/* ---- sources.c: connections per source address (--max-per-source) --------------------------- */
struct srv_source;
/* One more connection from ip: its source's entry, or NULL when it is not counted (not an IP
 * address, no memory; *over 0) or when the source already holds --max-per-source (*over 1). */
struct srv_source *srv_source_take(struct srv *s, const struct sock_ip *ip, int *over);
void srv_source_drop(struct srv *s, struct srv_source *src); /* a counted connection ended */
/* How its connections went: greeted, or ended without a greeting (shed, late, closed). */
void srv_source_greeted(struct srv_source *src);
void srv_source_unanswered(struct srv_source *src);
/* A source whose connections mostly end without a greeting: at least SRV_SILENT_MIN of them, and
 * more than it greeted (the attacker that opens silent sockets; a player's machine greets). */
#define SRV_SILENT_MIN 16
int srv_source_silent(const struct srv_source *src);
void srv_sources_free(struct srv *s);

/* ---- output.c: a connection's pending output (conn.c only) ----------------------------------- */
enum srv_out {
    SRV_OUT_SENT,     /* the kernel took all of it */
    SRV_OUT_QUEUED,   /* some or all waits in the connection's buffer for the socket to be writable */
    SRV_OUT_OVER_CAP, /* not taken: pending output would pass --max-outbuf */
    SRV_OUT_FAILED,   /* send() failed */
    SRV_OUT_NO_MEMORY
};
struct srv_out_why {
    int code;      /* FAILED: send()'s error */
    size_t wanted; /* OVER_CAP: the pending output it would have made */
};
enum srv_out srv_output_write(struct srv_conn *c, const void *data, size_t len, struct srv_out_why *why);
/* Sends what the kernel takes of the pending output: SENT (all gone), QUEUED or FAILED. */
enum srv_out srv_output_flush(struct srv_conn *c, struct srv_out_why *why);
size_t srv_output_pending(const struct srv_conn *c);
void srv_output_drop(struct srv_conn *c); /* frees the buffer and what it holds */

/* ---- the protocols: what a connection does with its input ------------------------------------ */
enum srv_farewell { SRV_FAREWELL_IDLE, SRV_FAREWELL_ERROR };
struct srv_proto {
    const char *name; /* --proto NAME */
    /* Before the loop runs (game: the rooms and the tick timer); 0 or -1. NULL: nothing to do. */
    int (*start)(struct srv *s);
    void (*stop)(struct srv *s); /* shutdown began: no more timers. NULL: nothing to do. */
    void (*free)(struct srv *s);
    /* When reading pauses and resumes, by pending output (read backpressure with hysteresis). */
    void (*read_pause)(const struct srv *s, size_t *pause_at, size_t *resume_at);
    /* How much the next read may take (0: none now; the read waits for output to drain).
     * NULL: SRV_READ_CHUNK. */
    size_t (*read_limit)(const struct srv_conn *c);
    void (*input)(struct srv_conn *c, const uint8_t *data, size_t len);
    void (*conn_gone)(struct srv_conn *c); /* it is being freed; NULL: nothing to release */
    /* The bytes that tell a peer why the server ends or refuses its connection (game: an ERROR
     * frame, a BYE for idleness); 0 written: nothing to say. NULL: the protocol has no way to say
     * it (echo). */
    size_t (*farewell)(enum srv_farewell kind, const char *text, uint8_t *out, size_t cap);
    int precise_timers; /* its loop has timers finer than a millisecond to keep (game: the tick) */
    int greeting;       /* a client must greet within --hello-timeout (game: HELLO) */
    int idle_default_s; /* --idle-timeout when not given */
};
extern const struct srv_proto srv_echo_proto; /* echo.c */
extern const struct srv_proto srv_game_proto; /* game.c (its internals are in game.h) */

/* ---- lesson_mode.c -------------------------------------------------------------------------- */
int srv_lessons_init(struct srv *s);
void srv_lesson_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr, int addrlen,
                       void *arg);
/* What the lesson runs came to: each run is one connection's server side, with its verdict; a
 * session is one bot's run (its first connection), whatever number of connections it makes. */
struct srv_lesson_counts {
    unsigned runs, passed, failed, not_evaluated, refused, sessions;
};
/* Closes the connections still greeting, waits for every lesson thread, and counts. */
void srv_lessons_join(struct srv *s, struct srv_lesson_counts *c);

#endif
