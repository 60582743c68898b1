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
 * compares them with what the running platform is expected to do.
 *
 * This header is what a lesson file sees. The engine behind it is in lessons/engine/ (its map is at
 * the top of engine/internal.h); the programs run lessons through lessons/engine/engine.h. */
#ifndef SOCKLAB_LESSON_H
#define SOCKLAB_LESSON_H

#include <stddef.h>
#include <stdio.h>

#include "compat/sock.h"

struct lesson_side;
struct lesson_report;

enum side_role { SIDE_SERVER, SIDE_CLIENT };

/* One chart of a time-series lesson: a metric sampled on one side, one line per connection
 * (see side_sample). Shown in the text report as sparklines and drawn by --plot as SVG. */
struct lesson_chart {
    const char *title;  /* "receiver SO_RCVBUF"; NULL ends a lesson's list */
    enum side_role role;
    const char *metric; /* a series name: "rcvbuf", "rcv_space", "received", ... */
    const char *title_ko; /* the title in Korean */
};

/* A check that a runtime emulating the platform (Wine for Windows) is known to fail, and why.
 * When it fails there, the report marks it as a known difference rather than a failure; when it
 * passes there, it is an ordinary pass. */
struct lesson_quirk {
    const char *runtime;  /* as sock_runtime_quirk() names it: "wine" */
    const char *check_id;
    const char *why;      /* what the runtime does, and what the real platform does instead */
    const char *why_ko;   /* the same in Korean */
};

/* A lesson's words in Korean, beside its English ones in the same file (`socklab --lang ko`, or a
 * Korean locale). Terms as the field notes use them, the English term beside a term's first use;
 * check ids, fact keys, display filters and system calls stay as they are. */
struct lesson_text {
    const char *title, *explain, *watch, *on_linux, *on_windows, *under_wine;
};

/* A Wine difference that several lessons meet, so its explanation is written once. */
#define QUIRK_WINE_RESET_READS_AS_EOF                                                               \
    "Wine 8 hands a peer's RST to a select()-based reader as EOF (recv returns 0); Windows "        \
    "reports WSAECONNRESET"
#define QUIRK_WINE_RESET_READS_AS_EOF_KO                                                            \
    "Wine 8은 상대의 RST를 select() 기반 수신 측에 EOF로 전달합니다(recv가 0을 반환). Windows는 "  \
    "WSAECONNRESET을 보고합니다"

#define LESSON_MAX_CONNS 8

/* What a lesson needs from the impairment lab (compat/impair.h: a private network namespace where
 * nftables makes a peer vanish), given to the engine before the run. */
enum lesson_lab {
    LAB_NONE = 0, /* runs anywhere, on the host's loopback where Wireshark and ss see it */
    LAB_WANTS,    /* runs anywhere; the parts that drop packets run only in the lab (skipped, with the
                     reason, without it) */
    LAB_NEEDS     /* nothing to show without it: refused with the reason and what to run instead */
};

struct lesson {
    const char *name;      /* "close-abortive" */
    const char *title;     /* one line */
    const char *explain;   /* a paragraph: what happens and why */
    const char *wireshark; /* display filter; "{port}" stands for the server port */
    const char *watch;     /* what to look for in the capture, one item per line */
    const char *on_linux;  /* what Linux does, stated; the checks verify it when run there */
    const char *on_windows;
    /* Optional: where Wine 8, on which CI runs the Windows build, does what Windows would not (the
     * checks it fails because of that are the quirks below). */
    const char *under_wine;
    int closer;            /* SIDE_SERVER or SIDE_CLIENT: whose close is the lesson's subject */
    unsigned connections;  /* connections per run, made one after another (default 1) */
    const char *conn_prefix[LESSON_MAX_CONNS]; /* fact-key prefix per connection ("" or NULL for none) */
    int lab;               /* enum lesson_lab */
    /* Both sides must share one process (socklab run): the lesson's client opens connections of its
     * own, or its server serves them from the listener, or keeps earlier connections' sockets open
     * (side_leak). socklab-server/-bot --lesson refuse it, and its explanation says so. */
    int one_process;
    /* Each side takes part in its connection's handshake itself, so it can read its end's state
     * while the handshake runs (SYN_SENT, SYN_RECV): client() gets a socket not yet connected and
     * connects it (side_connect_begin / side_connect_result); server() gets none and accepts the
     * connection from the run's listener (side_accept) when it chooses. Both sides in one process
     * only, as with one_process. */
    int sides_handshake;
    /* The server side measures what has arrived when accept() returns, so the client's first bytes
     * are the lesson: across two programs the bot's first bytes would be its session line (which
     * tells the server whose connection it is), so both sides in one process only. */
    int first_bytes_are_the_lesson;
    int duration_hint_ms;  /* roughly how long a run takes, for users and time-outs */
    /* Optional: tune the client socket before connect (buffer sizes decide the window scale). */
    void (*client_prepare)(struct lesson_side *s, sock_t sock);
    /* Optional: tune the listening socket before any connection (TCP_DEFER_ACCEPT); socklab run and
     * socklab-server --lesson both apply it (the server logs what it did, its facts stay local). */
    void (*listener_prepare)(struct lesson_side *s, sock_t listener);
    void (*server)(struct lesson_side *s); /* runs on the accepted socket */
    void (*client)(struct lesson_side *s); /* runs on the connected socket */
    void (*check)(struct lesson_report *r);
    const struct lesson_chart *charts; /* optional: what its samples show, ended by {NULL} */
    const struct lesson_quirk *quirks; /* optional: known differences under emulation, ended by {NULL} */
    const struct lesson_text *ko;      /* the lesson's words in Korean */
};

/* ---- the registry (registry.c) ------------------------------------------------------------ */
const struct lesson *const *lesson_all(size_t *count);
const struct lesson *lesson_find(const char *name);

/* ---- who this side is, and its timeline (engine/side.c) ----------------------------------- */
sock_t side_sock(const struct lesson_side *s);
enum side_role side_role(const struct lesson_side *s);
unsigned side_conn(const struct lesson_side *s); /* 0-based index of this connection */
/* Bytes sent on this connection before the lesson began: socklab-bot's session line, which the
 * kernel's counters (TCP_INFO bytes_acked, SIOCOUTQ history) include; 0 in socklab run. */
long side_session_bytes_sent(const struct lesson_side *s);
/* This side's port and its peer's (0 before a connection exists; the client knows its peer's in
 * client_prepare already, and with sides_handshake its own once bound). */
uint16_t side_local_port(const struct lesson_side *s);
uint16_t side_remote_port(const struct lesson_side *s);
/* The peer's address as text ("127.0.0.1"); "" before a connection exists (in client_prepare, and
 * for a sides_handshake client: the host as given, which may be a name). */
const char *side_remote_addr(const struct lesson_side *s);
const char *side_platform(const struct lesson_side *s);
/* Whether other lessons ran in this process since this side began (socklab compare; a
 * socklab-server serving several bots): process-wide measurements such as RSS then include their
 * work and are not this lesson's to report. */
int side_process_shared(const struct lesson_side *s);

/* A timeline event, stamped with the time since the run started. */
void side_log(struct lesson_side *s, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Marks a step that failed for reasons outside the lesson (a setup call); shown and fails the run. */
void side_error(struct lesson_side *s, const char *what, const char *err);
void side_sleep(struct lesson_side *s, int ms);
/* Waits for this side's socket to become readable (want_write 0) or writable (1): 1, 0 timeout, -1. */
int side_wait(struct lesson_side *s, int want_write, int timeout_ms);
/* Milliseconds since the run started: the clock every timeline event and sample is stamped with. */
double side_now_ms(const struct lesson_side *s);
/* The run's listening socket, for a server side that serves more connections than the engine hands
 * it (one_process lessons); SOCK_INVALID when the listener is not this process's. */
sock_t side_listener(const struct lesson_side *s);
/* Keeps this side's socket open when its script returns - a leak on purpose (close-wait-leak); the
 * engine closes it when the whole run is over. Such a lesson is one_process: socklab-server, which
 * runs one connection at a time, would never close it. */
void side_leak(struct lesson_side *s);
/* Facts recorded from now on get this prefix ("" = none, NULL = this connection's own). The engine
 * sets a lesson's conn_prefix[conn] at the start of each connection; a lesson may change it for a
 * variant. */
void side_fact_prefix(struct lesson_side *s, const char *prefix);

/* ---- facts: what this side measured (engine/facts.c) -------------------------------------- */
/* Keys may contain dots: "kernel_limits.rmem_max" is shown as is in text and nested in --json
 * ({"kernel_limits": {"rmem_max": ...}}). A key must not be both a value and a group. */
void side_fact_str(struct lesson_side *s, const char *key, const char *value);
void side_fact_int(struct lesson_side *s, const char *key, long long value);
void side_fact_ms(struct lesson_side *s, const char *key, double ms);
void side_fact_bool(struct lesson_side *s, const char *key, int value);
void side_fact_num(struct lesson_side *s, const char *key, double value); /* a rate, a ratio */
/* A list of integers as one fact, e.g. the size each recv() returned: "recv_sizes" is
 * [100, 1000, 3000] in --json and "[100 1000 3000]" in text. A list too long for one fact is
 * recorded as an error, never cut. In checks (expect_range, expect_less, ...) it counts as its
 * length. */
void side_fact_ints(struct lesson_side *s, const char *key, const long *v, size_t n);

/* ---- acting on the socket (engine/side_io.c) ---------------------------------------------- */
/* Sets SO_SNDBUF/SO_RCVBUF (before connect it decides the SYN's window scale), reads back what the
 * kernel granted (Linux doubles it), logs both and records the granted size under `key`. */
void side_set_buffer(struct lesson_side *s, sock_t sock, enum sock_buf which, int bytes, const char *key);
/* Puts this side's socket in blocking mode, so each send() / recv() is one whole call. */
void side_set_blocking(struct lesson_side *s);
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
/* Credits bytes a lesson moved with its own sock_send / sock_recv calls to this side's counts (the
 * "sent" / "received" series, bytes_written_before_close), as side_send and side_sink do. */
void side_add_bytes(struct lesson_side *s, long long sent, long long received);
/* Data segments this side has sent so far (TCP_INFO tcpi_data_segs_out); -1 where not counted. */
long side_data_segs_out(struct lesson_side *s);

/* ---- the handshake, made by the sides themselves (sides_handshake; engine/side_handshake.c) -- */
/* Client: binds the socket to a port of its own (any address), so the port is known before the SYN
 * leaves - for a lab rule that names it. Returns the port (side_local_port gives it too), 0 after
 * recording an error. */
uint16_t side_connect_bind(struct lesson_side *s);
/* Client: starts the connect to the run's server (side_remote_addr / side_remote_port) without
 * blocking, binding first if not bound. 0 when under way, -1 after recording an error. The socket is
 * writable (side_wait(s, 1, ...)) once the handshake ended either way. */
int side_connect_begin(struct lesson_side *s);
/* Client: how the connect ended: 0 connected (the ports become facts, as for any connection), or
 * the error code. */
int side_connect_result(struct lesson_side *s);
/* Server: accepts the next connection from the run's listener, waiting up to timeout_ms for one:
 * 0, or -1 after recording an error. Until then side_sock is SOCK_INVALID. */
int side_accept(struct lesson_side *s, int timeout_ms);

/* ---- closing, and the kernel's view (engine/side_kernel.c) -------------------------------- */
/* Closes the socket the way the lesson set it up, timing the call. On the lesson's closer side it
 * records closer, close_call_ms, close_result, linger, bytes_written_before_close and
 * unsent_at_close / unread_at_close (queue sizes just before); on the other side only
 * <role>_close_result. Both record <role>_state_after_close, read from the kernel just after.
 * Returns 0, or -1 when the close call failed (the socket is then still open, as Winsock leaves
 * it). */
int side_close(struct lesson_side *s);
/* shutdown(SHUT_WR / SD_SEND), timed: records shutdown_call_ms and shutdown_result. */
int side_shutdown_write(struct lesson_side *s);
/* Watches this connection in the kernel's socket table until it leaves the closing states
 * (bounded by max_ms); records <role>_final_state: TIME_WAIT, or "closed" when gone. */
void side_settle(struct lesson_side *s, int max_ms);
/* The kernel's buffer limits as facts of the run (no prefix): kernel_limits.tcp_rmem.{min,default,
 * max} and kernel_limits.rmem_max for the receive side, tcp_wmem / wmem_max for the send side; only
 * those the platform has. */
void side_kernel_limits(struct lesson_side *s, int receive, int send);
/* The kernel's current state of this connection, seen from this side ("closed" when gone). */
const char *side_kernel_state(struct lesson_side *s, char *buf, size_t len);

/* ---- the states this side's end goes through (engine/side_states.c) ------------------------ */
/* Reads this side's end of the connection in the kernel's table - by its exact addresses, which
 * takes microseconds; a server side before side_accept finds its new entry on the listening port
 * in the listing, which takes milliseconds - and notes the state, stamped, when it differs from the
 * last one noted (a timeline event too). Returns it: "SYN_SENT" ... "TIME_WAIT", "CLOSED" once the
 * kernel has no such connection, "unknown" where the table cannot be read. */
const char *side_state_note(struct lesson_side *s);
/* Notes the state every poll_ms until it is one of `until` (space-separated, " TIME_WAIT CLOSED ")
 * or max_ms passed; returns the last one. */
const char *side_state_watch(struct lesson_side *s, const char *until, int poll_ms, int max_ms);
/* The states noted, as facts: <key>.states ("SYN_SENT ESTABLISHED ..."), <key>.entered_ms,
 * <key>.<state>_ms for each state but the last (how long it lasted, as far as the notes tell), and
 * <key>_final_state - "client_final_state" / "server_final_state", from which the engine tells
 * which side holds TIME_WAIT (time_wait_on). */
void side_state_facts(struct lesson_side *s, const char *key);

/* ---- timers, the kernel's settings and counters, the impairment lab (engine/side_timers.c) --- */
/* One point of each timer series of `sock` (any socket of this side, even one still in SYN_SENT;
 * raddr/rport its peer, NULL/0 for this side's own connection): TCP_INFO's retransmits, backoff,
 * rto (ms), probes, total_retrans, unacked, last_data_recv (ms), and the socket table's timer
 * (timer_left ms, timer_retrans) as `ss -o` shows it. */
void side_sample_timers(struct lesson_side *s, sock_t sock, const char *raddr, uint16_t rport);
/* The timer the kernel runs for this side's connection now, as `ss -o` names it ("keepalive",
 * "on", "timewait", "persist", "off"; "unknown" where the table has no timers), with the ms left
 * and how often it fired (each may be NULL). */
const char *side_timer(struct lesson_side *s, long *ms_left, long *fired);
/* The kernel's setting `name` ("net.ipv4.tcp_syn_retries") as the fact `key`; 1 when read (and
 * *value set when value is not NULL), 0 where the platform has no such setting (logged). */
int side_fact_setting(struct lesson_side *s, const char *key, const char *name, long *value);
/* A kernel counter (nstat's name, "TcpExtListenDrops") now; -1 where it cannot be read. */
long long side_counter(struct lesson_side *s, const char *name);
/* Whether this run is inside the impairment lab (its private network namespace). */
int side_lab(const struct lesson_side *s);
/* nftables commands, run in the lab (printf-style): shown on the timeline and in the report's
 * lab section, since the rule is part of the lesson. 0, or -1 after recording an error. */
int side_lab_nft(struct lesson_side *s, const char *why, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A sysctl of the lab's namespace, shown like the rules. 0, or -1 after recording an error. */
int side_lab_sysctl(struct lesson_side *s, const char *name, const char *value);
/* The lab's loopback made to carry packets as one Ethernet wire does: MTU 1500 and no TSO/GSO, so each
 * packet is one MSS-sized segment and a rule drops one segment; and in order - loopback fed from two
 * CPUs can reorder packets, so the calling thread and those it starts later stay on one CPU (call it
 * from listener_prepare, before the sides start). For connections made afterwards; shown like the
 * rules. 0, or -1 after recording an error. */
int side_lab_ethernet(struct lesson_side *s);
/* The packets a named nftables counter of the lab counted ("inet socklab_sack one_sack": family,
 * table, name); -1 after recording an error. */
long long side_lab_counter(struct lesson_side *s, const char *spec);
/* One more IPv4 address on the lab's loopback (addr/32; a second call replaces it), one the kernel
 * does not count as loopback (tcp_tw_reuse=2 does); shown like the rules. 0, or -1 after an error. */
int side_lab_address(struct lesson_side *s, const char *addr);
/* The lab's connection-tracking entry for this side's connection - what a stateful middlebox
 * (nftables `ct`) remembers of it: 1 with the whole seconds left before it expires (also sampled as
 * the series "conntrack_left"), 0 when it has none (expired, or never tracked), -1 where it cannot
 * be read (the reason logged). */
int side_lab_conntrack(struct lesson_side *s, long *secs_left);

/* ---- time series: samples taken while a side works (engine/sample.c) ------------------------ */
/* One point of the series `metric` (unit: "bytes", "segments", "ms") of this side and connection,
 * stamped now. The connection's fact prefix ("locked." -> "locked") names its line in a chart. */
void side_sample(struct lesson_side *s, const char *metric, const char *unit, double value);
/* One point of each standard series of this socket, all at the same moment: sndbuf, rcvbuf
 * (SO_SNDBUF/SO_RCVBUF), inq, outq (SIOCINQ/SIOCOUTQ), rcv_space, snd_cwnd, notsent, snd_wnd,
 * rwnd_limited, sndbuf_limited (TCP_INFO, where the platform has them), sent and received (bytes
 * this side moved so far). */
void side_sample_socket(struct lesson_side *s);
/* Facts summing up this side's series `metric`: <key>.first, .min, .max, .last and .samples. */
void side_series_facts(struct lesson_side *s, const char *metric, const char *key);

/* A bulk transfer, sampled every sample_ms (0: not sampled) with side_sample_socket. */
struct side_transfer {
    long long bytes;
    double ms;         /* from the first call to the end */
    double mib_per_s;
    const char *ended; /* "time limit", "byte limit", "eof", "reset", "timeout", "error" */
};
/* Sends as fast as the connection takes it, until max_bytes or duration_ms. */
void side_stream(struct lesson_side *s, long long max_bytes, int duration_ms, int sample_ms,
                 struct side_transfer *t);
/* Reads until EOF, a reset, or idle_ms without data. */
void side_sink(struct lesson_side *s, int idle_ms, int sample_ms, struct side_transfer *t);

/* ---- checks, from a lesson's check function (engine/checks.c) ------------------------------- */
const char *report_platform(const struct lesson_report *r);
/* Each adds one check with an id named after the behaviour. A check whose fact is missing (the
 * other side ran on another machine) is recorded as not evaluated and does not fail the run. */
void expect_str(struct lesson_report *r, const char *id, const char *key, const char *want);
void expect_true(struct lesson_report *r, const char *id, const char *key);
void expect_false(struct lesson_report *r, const char *id, const char *key);
void expect_range(struct lesson_report *r, const char *id, const char *key, double lo, double hi);
void expect_less(struct lesson_report *r, const char *id, const char *key_a, const char *key_b);
void expect_equal(struct lesson_report *r, const char *id, const char *key_a, const char *key_b);
/* Two integer facts taken as 32-bit sequence numbers (RFC 793's space, where numbers wrap): they lie
 * at least min_apart apart, whichever way round is shorter. */
void expect_seq_apart(struct lesson_report *r, const char *id, const char *key_a, const char *key_b,
                      long long min_apart);
/* key = want, where want was worked out from other measured facts; `how` says how ("2 x rmem_max"). */
void expect_int(struct lesson_report *r, const char *id, const char *key, long long want, const char *how);
/* A measured integer fact, for working out what another fact should be. 1 when present. */
int report_fact_int(const struct lesson_report *r, const char *key, long long *out);

#endif
