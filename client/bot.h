/* bot.h - socklab-bot's shared types: the options, one bot (one TCP connection), the event loop
 * that runs many bots, and the statistics they feed.
 *
 * One bot is small on purpose (one process runs 10,000 of them): a struct in one array, three
 * libevent events while it is alive, an output buffer only while the kernel's send queue is full,
 * and a copy of a partial frame only while a frame is split across reads. Reads go through one
 * buffer shared by every bot of the loop. */
#ifndef SOCKLAB_CLIENT_BOT_H
#define SOCKLAB_CLIENT_BOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <event2/event.h>

#include "compat/sock.h"

enum bot_proto { BOT_PROTO_GAME, BOT_PROTO_ECHO };

struct bot_opts {
    const char *host;
    const char *addr;       /* host resolved once, numeric */
    uint16_t port;
    enum bot_proto proto;
    int count;
    int duration_s;         /* seconds of play per bot; 0 = until the server ends it */
    int move_hz, ping_hz;   /* game: MOVE and PING rate per bot (0 = never) */
    int msg_size;           /* echo: bytes per message */
    int connect_timeout_ms;
    int idle_timeout_ms;    /* no data for this long = "timeout" */
    int max_connecting;     /* connections not yet answered by the server, at once (pacing) */
    int nagle;              /* leave Nagle's algorithm on (default: TCP_NODELAY, as games do) */
    int same_clock;         /* the server reads our monotonic clock: STATE latency is measurable */
    int json, quiet;
    int busy_wait_s;        /* --lesson: how long to keep asking a server that is full */
};

/* How a connection ended: the teaching point, so each is exact. */
enum bot_end {
    BOT_END_DONE,           /* the bot closed it itself at the end of play, and saw the server's EOF */
    BOT_END_EOF,            /* the server closed gracefully first */
    BOT_END_RESET,          /* recv/send failed with a reset (ECONNRESET, EPIPE, ...) */
    BOT_END_TIMEOUT,        /* connect timed out, no data for the idle period, or no EOF after close */
    BOT_END_REFUSED,        /* connect refused: nothing listens there */
    BOT_END_CONNECT_ERROR,  /* connect failed otherwise (named) */
    BOT_END_PROTOCOL_ERROR, /* the server sent ERROR (its text), or bytes we cannot parse */
    BOT_END_ERROR,          /* another socket error after connecting (named) */
    BOT_END__COUNT
};

enum bot_state {
    BOT_QUEUED,     /* not started yet (connect pacing) */
    BOT_CONNECTING, /* non-blocking connect in flight */
    BOT_HELLO,      /* game: HELLO sent, waiting for WELCOME */
    BOT_PLAYING,
    BOT_CLOSING,    /* no new messages; FIN once output is written, then wait for the server's EOF */
    BOT_ENDED
};

/* Output the kernel did not take yet; data follows the struct in the same allocation. */
struct bot_obuf {
    uint32_t off, len, cap;
};

struct bot_loop;

struct bot {
    struct bot_loop *loop;
    struct event *rev, *wev, *tev; /* read (persistent), write (connect / when blocked), timer */
    struct bot_obuf *out;          /* NULL when nothing waits to be written */
    uint8_t *carry;                /* start of a frame split across reads */
    char *err_text;                /* ERROR frame text from the server */
    uint64_t t_start;              /* connect started */
    uint64_t t_last_rx;            /* last byte received (idle timeout) */
    uint64_t t_end;                /* end of play (0 = none); in CLOSING, the EOF deadline */
    uint64_t t_a, t_b;             /* game: next MOVE, next PING; echo: message start, unused */
    uint64_t t_last_tick;          /* game: arrival of the last new tick */
    uint64_t t_last_stamp;         /* game: the server's time stamp on it */
    uint32_t index;
    uint32_t id;                   /* game: id from WELCOME */
    uint32_t last_tick;
    uint32_t sent_off, got;        /* echo: bytes of the current message sent / echoed back */
    sock_t fd;
    uint16_t carry_len;
    uint16_t tick_hz;
    int16_t x, y;
    uint8_t state;                 /* enum bot_state */
    uint8_t have_tick;
    uint8_t shut_wr;               /* FIN sent */
    uint8_t pacing;                /* counted in loop->in_flight: no byte from the server yet */
};

/* ---- statistics (bot_stats.c) --------------------------------------------------------------- */
#define BOT_SAMPLES_MAX 100000u /* reservoir size per series */
#define BOT_DETAILS_MAX 32u

struct bot_series {
    uint32_t *v;
    size_t n;      /* stored (<= BOT_SAMPLES_MAX) */
    uint64_t seen; /* offered */
    int sorted;
};

struct bot_detail {
    enum bot_end end;
    char text[96];
    uint64_t count;
};

struct bot_stats {
    uint64_t attempted, connected;
    uint64_t bytes_sent, bytes_received;
    uint64_t states, ticks_skipped, pings_sent, moves_sent, sends_skipped;
    uint64_t echo_messages;
    struct bot_series connect_us, reply_us, rtt_us, tick_us, tick_lat_us, lag_us;
    struct bot_series tick_gap_us; /* spacing of the server's tick stamps: its real tick period */
    int clocks_differ;        /* a STATE stamp proved the server's clock is not ours */
    /* The window while every bot was playing at once (all joined, none stopped yet): the figures
     * of a server holding all N connections, without the ramps up and down around it. */
    int full;                 /* 0 not yet, 1 open now, 2 over */
    uint64_t full_t0, full_t1, full_rx0, full_rx1, full_tx0, full_tx1;
    struct bot_series full_rtt_us, full_tick_us, full_lat_us, full_lag_us, full_gap_us;
    double jitter_sum_us;
    uint64_t jitter_n;
    uint64_t ends[BOT_END__COUNT];
    struct bot_detail details[BOT_DETAILS_MAX];
    size_t ndetails;
    uint64_t t_first, t_last; /* first connect start, last end */
    uint64_t cpu_us;          /* this process's CPU time over the run */
    uint64_t rng;
    /* The server answered in another protocol than the bots speak (an echo server returning the
     * game's HELLO, a game server's ERROR to echo bytes): the first bot to see it says how. */
    char wrong_server[200];
};

void bot_stats_init(struct bot_stats *s, uint64_t seed);
void bot_stats_free(struct bot_stats *s);
void bot_series_add(struct bot_stats *s, struct bot_series *se, uint64_t value);
/* Nearest-rank percentile (p in 0..100) of the stored samples; 0 when there are none. */
uint32_t bot_series_pct(struct bot_series *se, double p);
void bot_stats_end(struct bot_stats *s, enum bot_end why, const char *detail);
const char *bot_end_name(enum bot_end why);
void bot_stats_wrong_server(struct bot_stats *s, const char *why); /* the first one is kept */
/* bot_setup.c: why the run says nothing about the server's load - nothing answered, or not in the
 * bots' protocol - in one line for the caller to print before exiting 2; NULL when it does. */
const char *bot_setup_error(const struct bot_stats *s, const struct bot_opts *o, char *buf, size_t len);
uint64_t bot_rand(uint64_t *state); /* xorshift64* */

/* ---- report (bot_report.c) ------------------------------------------------------------------ */
int bot_report_passed(const struct bot_stats *s, const struct bot_opts *o);
void bot_report_text(FILE *out, struct bot_stats *s, const struct bot_opts *o);
void bot_report_json(FILE *out, struct bot_stats *s, const struct bot_opts *o);

/* ---- the loop and one connection (bot_conn.c) ------------------------------------------------ */
struct bot_proto_ops {
    /* Each returns -1 when the bot has ended (then it must not be touched), else as noted. */
    int (*on_connected)(struct bot *b, uint64_t now);
    /* Returns bytes consumed; the rest is kept and handed back in front of the next read. */
    long (*on_data)(struct bot *b, const uint8_t *p, size_t n, uint64_t now);
    /* The socket took all queued output: 1 if the protocol still has bytes to write, else 0. */
    int (*on_writable)(struct bot *b, uint64_t now);
    /* Returns when it wants to be called next (0 = no wish). */
    int (*on_timer)(struct bot *b, uint64_t now, uint64_t *next);
    /* End of play: stop starting messages. 1 if the protocol still has bytes to write, else 0. */
    int (*on_stop)(struct bot *b, uint64_t now);
};
extern const struct bot_proto_ops bot_game_ops;
extern const struct bot_proto_ops bot_echo_ops;

struct bot_loop {
    struct event_base *base;
    const struct bot_opts *o;
    const struct bot_proto_ops *ops;
    struct bot_stats *st;
    struct bot *bots;
    size_t nbots, next_start, active, ended;
    size_t joined;            /* bots the server answered (its first byte) */
    int in_flight;
    /* Starts more bots on the next loop turn: after a batch, when a bot ends or is first answered
     * (a pacing slot came free), and stops the loop once every bot has ended. */
    struct event *start_ev;
    int stopping;             /* Ctrl-C: no new bots, end play now */
    uint8_t *rbuf;            /* the one read buffer */
    size_t rbuf_cap;
    uint8_t *pattern;         /* echo: the message every bot sends */
};

/* ---- the loop (bot_loop.c): paced starts, Ctrl-C, set-up and teardown ------------------------- */
int bot_loop_init(struct bot_loop *L, const struct bot_opts *o, struct bot_stats *st, char *err);
void bot_loop_run(struct bot_loop *L);
void bot_loop_free(struct bot_loop *L);

/* ---- one connection (bot_conn.c): what the loop and the protocols call ----------------------- */
/* Starts the bot's non-blocking connect. When a bot ends, or the server first answers it, the
 * loop's start event fires, so the loop starts more (bot_conn.c never calls the loop). */
void bot_start(struct bot *b);
/* Sends what the kernel takes now; the rest is queued and written when the socket is writable.
 * Returns 0, or -1 if the bot ended (a reset). */
int bot_send(struct bot *b, const void *p, size_t n);
/* Sends what the kernel takes now without queuing; returns bytes sent (0 if the send queue is
 * full: on_writable follows), or -1 if the bot ended. */
long bot_send_some(struct bot *b, const void *p, size_t n);
/* Play starts now: the end of play is set from --duration. */
void bot_play_begin(struct bot *b, uint64_t now);
/* Enters CLOSING: FIN once queued output is written, the server's EOF awaited for 2 s. */
void bot_begin_close(struct bot *b, uint64_t now, int proto_busy);
void bot_end(struct bot *b, enum bot_end why, const char *detail);
/* Calls the bot's timer at `at` (now or later). */
void bot_schedule(struct bot *b, uint64_t at, uint64_t now);
/* Adds a sample to a series and, while every bot plays, to its all-playing twin (bot_stats.c). */
void bot_series_add2(struct bot_stats *s, struct bot_series *se, struct bot_series *full, uint64_t value);

#define BOT_CLOSE_WAIT_US 2000000u
#define BOT_CARRY_MAX 8192u /* a partial frame is below PROTO_MAX_FRAME; echo keeps none */

/* ---- a bot's output (bot_out.c, for bot_conn.c only) ------------------------------------------ */
enum bot_out { BOT_OUT_SENT, BOT_OUT_QUEUED, BOT_OUT_FAILED, BOT_OUT_NO_MEMORY };
/* Sends what the kernel takes now, nothing kept: *sent bytes; QUEUED (the write event is armed for
 * the rest), SENT, or FAILED with *code. */
enum bot_out bot_out_some(struct bot *b, const void *p, size_t n, long *sent, int *code);
/* Sends what the kernel takes now and keeps the rest in the bot's buffer. */
enum bot_out bot_out_write(struct bot *b, const void *p, size_t n, int *code);
/* Writes what the kernel takes of the kept bytes: SENT once none are left. */
enum bot_out bot_out_flush(struct bot *b, int *code);

#endif
