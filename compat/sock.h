/* sock.h - the one socket API socklab uses; the only place that knows Winsock from POSIX.
 *
 * Conventions (after redis anet.c): calls return 0 on success and -1 on failure. On failure the
 * platform error stays readable through sock_last_error(), and when `err` is not NULL it receives a
 * one-line message naming the call and the option, e.g. "setsockopt SO_LINGER: Invalid argument
 * (EINVAL)". Callers compare an error code with the portable SOCK_E* codes of sock_errno.h
 * (`code == SOCK_ECONNREFUSED`), or ask sock_err_is_retriable() / sock_err_is_reset(), and show
 * it with sock_err_name(): shared code needs no raw errno or WSAE* value.
 *
 * Implementations, chosen by compat/CMakeLists.txt: sock_common.c, sock_wait.c and sock_ip.c (the same
 * everywhere) over a private per-platform layer (sock_sys.h, sock_posix.c / sock_win32.c), and the
 * kernel views per kernel: sock_linux.c, sock_win32_views.c or sock_noviews.c (with
 * sock_conn_state_scan.c where the socket table has no exact lookup). */
#ifndef SOCKLAB_COMPAT_SOCK_H
#define SOCKLAB_COMPAT_SOCK_H

#include <stddef.h>
#include <stdint.h>

#include <event2/util.h>

#include "compat/sock_errno.h"

typedef evutil_socket_t sock_t;

#define SOCK_INVALID ((sock_t)-1)
#define SOCK_ERR_LEN 192

/* Returned (instead of -1) by calls whose feature this platform or build lacks. The error buffer
 * then says so; callers report "unsupported" rather than a failure. */
#define SOCK_UNSUPPORTED (-2)

/* ---- process setup ---------------------------------------------------------------------- */
int sock_init(char *err);   /* WSAStartup; ignores SIGPIPE on POSIX */
void sock_cleanup(void);
const char *sock_platform(void); /* "linux", "windows", "posix": keys of lesson expectations */
/* The runtime under the platform when it is not the real one ("wine" under Wine), else NULL. */
const char *sock_runtime_quirk(void);

/* ---- errors ----------------------------------------------------------------------------- */
int sock_last_error(void);
const char *sock_err_name(int code); /* "ECONNRESET" / "WSAECONNRESET"; "E?<n>" if unknown */
/* Fills buf with "<strerror> (<NAME>)"; returns buf. */
const char *sock_err_text(int code, char *buf, size_t len);
int sock_err_is_retriable(int code); /* EWOULDBLOCK, EAGAIN, EINTR, EINPROGRESS */
int sock_err_is_reset(int code);     /* ECONNRESET, ECONNABORTED, EPIPE, ENETRESET */
int sock_err_is_fd_limit(int code);  /* EMFILE, ENFILE, ENOBUFS, ENOMEM (accept pressure) */

/* ---- lifecycle -------------------------------------------------------------------------- */
enum sock_how { SOCK_SHUT_RD, SOCK_SHUT_WR, SOCK_SHUT_RDWR };

sock_t sock_tcp_socket(int family, char *err);
/* Binds and listens; port 0 picks an ephemeral one. SO_REUSEADDR on POSIX so a lesson can reuse
 * a server port that holds TIME_WAIT (Windows has no need and different semantics). */
sock_t sock_listen_tcp(const char *host, uint16_t port, int backlog, char *err);
/* Blocking connect with a timeout (ms, 0 = the kernel's own); the socket is left blocking. */
sock_t sock_connect_tcp(const char *host, uint16_t port, int timeout_ms, char *err);
/* The same on a socket made with sock_tcp_socket (options set before connect decide the SYN:
 * window scale, MSS). sock_host_family tells which family to create it with. */
int sock_connect(sock_t s, const char *host, uint16_t port, int timeout_ms, char *err);
int sock_host_family(const char *host, char *err); /* AF_INET / AF_INET6, or -1 */
/* Non-blocking connect start: returns the socket with the connect in progress (or done); when it
 * becomes writable, sock_connect_result() gives 0 or the connect's error code. */
sock_t sock_connect_tcp_start(const char *host, uint16_t port, char *err);
int sock_connect_result(sock_t s);
/* The same start on a socket made with sock_tcp_socket (so options set before it decide the SYN):
 * the socket becomes non-blocking; 0 when the connect is under way or done, -1 when it failed at
 * once (connection refused on some systems, an unreachable route). */
int sock_connect_begin(sock_t s, const char *host, uint16_t port, char *err);
sock_t sock_accept(sock_t lsock, char *err);
int sock_close(sock_t s);  /* close()/closesocket(); the platform error is kept */
int sock_shutdown(sock_t s, enum sock_how how, char *err);

/* ---- data ------------------------------------------------------------------------------- */
/* Return bytes moved, 0 on orderly EOF (recv), or -1 with sock_last_error() set. */
long sock_send(sock_t s, const void *buf, size_t len);
long sock_recv(sock_t s, void *buf, size_t len);
/* Waits up to timeout_ms for the socket to be readable (want_write=0) or writable (1).
 * Returns 1 ready, 0 timeout, -1 error. Built on libevent so lessons use one event mechanism.
 * Each call makes an event_base; code that waits often keeps a sock_waiter instead (on Windows
 * every event_base costs a loopback socket pair for libevent's signal handling). */
int sock_wait(sock_t s, int want_write, int timeout_ms);
struct sock_waiter;
struct sock_waiter *sock_waiter_new(void); /* NULL on failure; use from one thread only */
int sock_waiter_wait(struct sock_waiter *w, sock_t s, int want_write, int timeout_ms);
void sock_waiter_free(struct sock_waiter *w);

/* ---- addresses ---------------------------------------------------------------------------- */
uint16_t sock_local_port(sock_t s);
uint16_t sock_peer_port(sock_t s);
/* Numeric address text ("127.0.0.1", "::1") and port of either end; 0 or -1. */
int sock_local_name(sock_t s, char *addr, size_t len, uint16_t *port);
int sock_peer_name(sock_t s, char *addr, size_t len, uint16_t *port);
/* Resolves a numeric or named host into buf (dotted/colon form). */
int sock_resolve(const char *host, char *buf, size_t len, char *err);
/* A connected pair of stream sockets (AF_UNIX on POSIX, a loopback TCP pair on Windows). */
int sock_socketpair(sock_t pair[2], char *err);

/* ---- addresses as numbers (sock_ip.c): allow-lists and per-source counts --------------------- */
struct sockaddr;
struct sock_ip {
    uint8_t family; /* 4 or 6; 0 when the address is not an IP one (a socket pair) */
    uint8_t b[16];  /* network order; IPv4 in b[0..3] */
};
/* The IP of a socket address as accept() reports it. An IPv4-mapped IPv6 address (a dual-stack
 * listener's IPv4 peer) counts as the IPv4 address it carries. */
void sock_ip_of(const struct sockaddr *sa, int len, struct sock_ip *ip);
const char *sock_ip_text(const struct sock_ip *ip, char *buf, size_t len); /* "192.0.2.7", "?" */
/* A network: "198.51.100.0/24", "2001:db8::/32", or one address ("192.0.2.7" = /32, "::1" = /128). */
struct sock_cidr {
    struct sock_ip net; /* with the bits past the prefix cleared */
    unsigned bits;
};
int sock_cidr_parse(const char *text, struct sock_cidr *out, char *err);
int sock_cidr_match(const struct sock_cidr *c, const struct sock_ip *ip);

/* ---- options (a failed tuning call is reported, not fatal) -------------------------------- */
int sock_set_nonblocking(sock_t s, int on, char *err);
int sock_set_linger(sock_t s, int onoff, int seconds, char *err);
int sock_get_linger(sock_t s, int *onoff, int *seconds, char *err);
enum sock_buf { SOCK_SNDBUF, SOCK_RCVBUF };
int sock_set_bufsize(sock_t s, enum sock_buf which, int bytes, char *err);
int sock_get_bufsize(sock_t s, enum sock_buf which, int *bytes, char *err);
int sock_set_nodelay(sock_t s, int on, char *err);
/* SO_RCVLOWAT: a receive returns only once `bytes` are queued (or at EOF / an error). Linux has it for
 * TCP; Winsock defines the constant but its TCP/IP provider does not implement it, so there this
 * returns SOCK_UNSUPPORTED (and sets nothing). */
int sock_set_rcvlowat(sock_t s, int bytes, char *err);
int sock_set_reuseaddr(sock_t s, int on, char *err);
/* Keepalive with per-socket timing (seconds). *path_out (may be NULL) names the mechanism that
 * took effect: "TCP_KEEPIDLE/INTVL/CNT" or "SIO_KEEPALIVE_VALS" (Windows fallback). */
int sock_set_keepalive(sock_t s, int idle_s, int intvl_s, int count, const char **path_out, char *err);

/* ---- timers and failure knobs, per connection (sock_tcpopt_posix.c / sock_tcpopt_win32.c) ----
 * Each returns 0, -1, or SOCK_UNSUPPORTED when this platform has no such knob (err says so and
 * names the nearest thing it has). */
/* SYN retransmissions before connect() gives up: Linux TCP_SYNCNT (1-127). Windows has no count:
 * TCP_MAXRT (sock_set_user_timeout) bounds a connect in time instead. */
int sock_set_syn_count(sock_t s, int count, char *err);
/* How long sent data may stay unacknowledged (and, on Windows, a connect may go unanswered) before
 * the connection is dropped with ETIMEDOUT: Linux TCP_USER_TIMEOUT (ms), Windows TCP_MAXRT (whole
 * seconds, rounded up). 0 = the system default. */
int sock_set_user_timeout(sock_t s, int ms, char *err);
/* TCP_DEFER_ACCEPT on a listener (Linux): accept() only once data arrived, or after about `secs`
 * of SYN-ACK retransmission slots. *got reads back what the kernel keeps (it rounds up to whole
 * retransmission slots). No equivalent on Windows. */
int sock_set_defer_accept(sock_t s, int secs, int *got, char *err);
/* How long an orphaned socket may stay in FIN_WAIT2: Linux TCP_LINGER2 (seconds; instead of
 * net.ipv4.tcp_fin_timeout). No equivalent on Windows. */
int sock_set_fin_wait2_timeout(sock_t s, int secs, char *err);
/* The ephemeral ports this socket may pick at connect (Linux 6.3+ IP_LOCAL_PORT_RANGE, inside the
 * system's range), so a lesson can run a client out of ports in seconds. Elsewhere: bind each
 * socket to a port of its own range with sock_bind_local instead. */
int sock_set_local_port_range(sock_t s, uint16_t lo, uint16_t hi, char *err);
/* Binds s to addr:port before connect (port 0: any): a client's source address (tests and loads
 * use 127.0.0.2 and up to stand for other machines) or port. */
int sock_bind_local(sock_t s, const char *addr, uint16_t port, char *err);

/* ---- kernel views ------------------------------------------------------------------------- */
/* A portable subset of TCP_INFO / SIO_TCP_INFO. Fields the platform lacks are -1. */
struct sock_tcpinfo {
    const char *state; /* "ESTABLISHED", "FIN_WAIT1", ... */
    long rtt_us, rttvar_us;
    long snd_cwnd;     /* segments */
    long snd_mss, rcv_mss;
    long rcv_space;    /* receiver's autotuning estimate, bytes */
    long snd_wnd;      /* peer's advertised window as the sender sees it, bytes */
    long notsent_bytes;
    long unacked;      /* segments in flight */
    long retransmits, probes, backoff;
    long total_retrans;
    long bytes_acked, bytes_received;
    /* Window scale shifts in effect (RFC 7323): snd_wscale is the one the peer announced in its SYN,
     * rcv_wscale the one this end announced (0 both when scaling was not negotiated). */
    long snd_wscale, rcv_wscale;
    /* Microseconds the sender spent limited by the peer's receive window / by its own send buffer. */
    long rwnd_limited_us, sndbuf_limited_us;
    /* Segments sent / received so far (RFC 4898 tcpEStatsPerfSegsOut/In), all and data-carrying
     * only. Linux counts in MSS-sized segments (a GSO/TSO packet of 20 x MSS counts 20), not in the
     * packets a capture shows. Windows' SIO_TCP_INFO has no such counts (-1). */
    long segs_out, segs_in, data_segs_out, data_segs_in;
    /* The retransmission timeout now (microseconds; it doubles with each backoff), and how long ago
     * data / an ACK last arrived (milliseconds): the clocks keepalive and the user timeout read. */
    long rto_us, last_data_recv_ms, last_ack_recv_ms;
    /* What the two SYNs negotiated: 1 both carried the option, 0 not; advmss is the MSS this end
     * announced in its own SYN (bytes). */
    long opt_sack, opt_timestamps, advmss;
    /* Loss recovery. Now: the sender's congestion state (Linux's TCP_CA_*: 0 open, 1 disorder, 2 cwr,
     * 3 recovery, 4 loss - the retransmission timer fired), and the segments in flight that the
     * peer's SACK blocks (without SACK: its duplicate ACKs) say arrived, that are deemed lost, that
     * are retransmitted and not yet acknowledged. Over the connection: the reordering the sender
     * tolerates (segments), how often it saw reordering, duplicate data the peer reported with
     * D-SACK, bytes sent again, out-of-order packets this end received, and the retransmission
     * timeouts: how many, how many recoveries they started, and the time spent in them (ms). */
    long ca_state, sacked, lost, retrans;
    long reordering, reord_seen, dsack_dups, bytes_retrans, rcv_ooopack;
    long total_rto, total_rto_recoveries, total_rto_time_ms;
};
int sock_tcp_info(sock_t s, struct sock_tcpinfo *ti, char *err); /* 0, -1 or SOCK_UNSUPPORTED */
/* The connection's next sequence numbers: the next byte this end will send (after everything
 * queued) and the next it expects to receive - before any data, each end's ISN + 1. Linux reads them
 * in repair mode (TCP_REPAIR, TCP_QUEUE_SEQ: needs CAP_NET_ADMIN in the socket's network namespace,
 * which the impairment lab gives) and leaves it without a window probe, so nothing is sent. Windows
 * exposes no sequence numbers (SOCK_UNSUPPORTED): read them from a capture. */
int sock_tcp_seq(sock_t s, uint32_t *snd_nxt, uint32_t *rcv_nxt, char *err);

/* The kernel's buffer limits. Linux: tcp_rmem / tcp_wmem (min, default, max: the bounds of
 * autotuning, and the default is a new socket's buffer) from /proc/sys/net/ipv4, and rmem_max /
 * wmem_max (the ceiling for SO_RCVBUF / SO_SNDBUF set by a program) from /proc/sys/net/core.
 * What the platform has no counterpart for is -1. Returns 0, -1 or SOCK_UNSUPPORTED. */
struct sock_limits {
    long tcp_rmem[3], tcp_wmem[3];
    long rmem_max, wmem_max;
};
int sock_kernel_limits(struct sock_limits *out, char *err);

/* One of the kernel's TCP settings by its sysctl name ("net.ipv4.tcp_syn_retries"), as seen from
 * this process's network namespace. Linux only; elsewhere SOCK_UNSUPPORTED. */
int sock_kernel_setting(const char *name, long *value, char *err);
/* One of the kernel's TCP counters by the name nstat prints ("TcpExtListenDrops",
 * "TcpRetransSegs"), for this network namespace. Linux only; elsewhere SOCK_UNSUPPORTED. */
int sock_kernel_counter(const char *name, long long *value, char *err);

/* Bytes in the receive queue not yet read (SIOCINQ/FIONREAD) and in the send queue not yet
 * acknowledged (SIOCOUTQ); -1 where the platform cannot tell. */
int sock_queue_sizes(sock_t s, long *inq, long *outq, char *err);

/* ---- the kernel's socket table ------------------------------------------------------------- */
enum sock_state {
    SOCK_ST_UNKNOWN = 0,
    SOCK_ST_ESTABLISHED,
    SOCK_ST_SYN_SENT,
    SOCK_ST_SYN_RECV,
    SOCK_ST_FIN_WAIT1,
    SOCK_ST_FIN_WAIT2,
    SOCK_ST_TIME_WAIT,
    SOCK_ST_CLOSE,
    SOCK_ST_CLOSE_WAIT,
    SOCK_ST_LAST_ACK,
    SOCK_ST_LISTEN,
    SOCK_ST_CLOSING
};
const char *sock_state_name(enum sock_state st); /* "TIME_WAIT", ... */

/* The timer the kernel runs for a connection, as `ss -o` shows it: "on" is the retransmission
 * timer (SYN, SYN-ACK, data), "keepalive", "timewait" (TIME_WAIT and an orphan's FIN_WAIT2),
 * "persist" (zero-window probes). */
enum sock_timer { SOCK_TIMER_NONE = 0, SOCK_TIMER_ON, SOCK_TIMER_KEEPALIVE, SOCK_TIMER_TIMEWAIT,
                  SOCK_TIMER_PERSIST, SOCK_TIMER_UNKNOWN };
const char *sock_timer_name(enum sock_timer t); /* "off", "on", "keepalive", "timewait", "persist" */

struct sock_entry {
    enum sock_state state;
    char local_addr[48];
    uint16_t local_port;
    char remote_addr[48];
    uint16_t remote_port;
    long recv_q, send_q; /* -1 when the table has no such column */
    /* The connection's timer: which, ms left until it fires, and how often it fired (retries or
     * probes). SOCK_TIMER_UNKNOWN and -1 where the table has no timers (Windows). */
    enum sock_timer timer;
    long timer_ms, timer_retrans;
};

/* Lists TCP sockets (IPv4 and IPv6) whose local or remote port is one of ports[0..nports-1]
 * (all sockets when nports is 0). Fills up to max entries, sets *count to the number found
 * (which may exceed max). Linux: sock_diag netlink (what ss uses); Windows: GetTcpTable and
 * GetTcp6Table (the owner-PID and *Table2 variants are several times slower under Wine). */
int sock_state_table(const uint16_t *ports, size_t nports, struct sock_entry *out, size_t max,
                     size_t *count, char *err);

/* The kernel's state of one connection, by its exact addresses and ports (as from
 * sock_local_name / sock_peer_name). Returns 1 and sets *st when found, 0 when the kernel has no
 * such connection, -1 on error. Works after the socket was closed (FIN_WAIT, TIME_WAIT). */
int sock_conn_state(const char *laddr, uint16_t lport, const char *raddr, uint16_t rport,
                    enum sock_state *st, char *err);
/* The same lookup, with the whole row: its state, queues and timer. 1 found, 0 gone, -1 error. */
int sock_conn_entry(const char *laddr, uint16_t lport, const char *raddr, uint16_t rport,
                    struct sock_entry *out, char *err);

#endif
