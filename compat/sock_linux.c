/* sock_linux.c - what the Linux kernel tells about a socket: TCP_INFO, queue sizes and the
 * socket table (sock_diag netlink, the interface `ss` uses, so TIME_WAIT sockets that no process
 * owns any more are listed too). */
#define COMPAT_LINUX_TCP_H 1 /* sock_sys.h: <linux/tcp.h>, not glibc's <netinet/tcp.h> */
#include "compat/sock_sys.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>

static const enum sock_state linux_states[] = {
    SOCK_ST_UNKNOWN,   SOCK_ST_ESTABLISHED, SOCK_ST_SYN_SENT,   SOCK_ST_SYN_RECV,
    SOCK_ST_FIN_WAIT1, SOCK_ST_FIN_WAIT2,   SOCK_ST_TIME_WAIT,  SOCK_ST_CLOSE,
    SOCK_ST_CLOSE_WAIT, SOCK_ST_LAST_ACK,   SOCK_ST_LISTEN,     SOCK_ST_CLOSING};

static enum sock_state map_state(unsigned st)
{
    return st < sizeof linux_states / sizeof linux_states[0] ? linux_states[st] : SOCK_ST_UNKNOWN;
}

/* The kernel fills only the prefix of struct tcp_info it knows; later fields stay -1. */
#define HAS_FIELD(len, f) ((size_t)(len) >= offsetof(struct tcp_info, f) + sizeof(((struct tcp_info *)0)->f))

/* Fields that kernels newer than some headers append (Linux 6.7: tcpi_total_rto, _recoveries, _time).
 * struct tcp_info only ever grows at its end, so their offsets are fixed: read them by offset. */
#define TCPI_TOTAL_RTO_AT 240            /* __u16 */
#define TCPI_TOTAL_RTO_RECOVERIES_AT 242 /* __u16 */
#define TCPI_TOTAL_RTO_TIME_AT 244       /* __u32, ms */
#define TCPI_RAW_LEN 320

static long raw_u16(const unsigned char *raw, socklen_t len, size_t at)
{
    uint16_t v;
    if ((size_t)len < at + sizeof v)
        return -1;
    memcpy(&v, raw + at, sizeof v);
    return (long)v;
}

static long raw_u32(const unsigned char *raw, socklen_t len, size_t at)
{
    uint32_t v;
    if ((size_t)len < at + sizeof v)
        return -1;
    memcpy(&v, raw + at, sizeof v);
    return (long)v;
}

int sock_tcp_info(sock_t s, struct sock_tcpinfo *ti, char *err)
{
    union {
        struct tcp_info t;
        unsigned char raw[TCPI_RAW_LEN];
    } u;
    struct tcp_info t;
    socklen_t len = sizeof u;
    memset(&u, 0, sizeof u);
    if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &u, &len) != 0)
        return compat_fail(err, "getsockopt TCP_INFO");
    t = u.t;
    ti->state = sock_state_name(map_state(t.tcpi_state));
    ti->rtt_us = t.tcpi_rtt;
    ti->rttvar_us = t.tcpi_rttvar;
    ti->snd_cwnd = t.tcpi_snd_cwnd;
    ti->snd_mss = t.tcpi_snd_mss;
    ti->rcv_mss = t.tcpi_rcv_mss;
    ti->rcv_space = t.tcpi_rcv_space;
    ti->unacked = t.tcpi_unacked;
    ti->retransmits = t.tcpi_retransmits;
    ti->probes = t.tcpi_probes;
    ti->backoff = t.tcpi_backoff;
    ti->total_retrans = t.tcpi_total_retrans;
    ti->notsent_bytes = HAS_FIELD(len, tcpi_notsent_bytes) ? (long)t.tcpi_notsent_bytes : -1;
    ti->bytes_acked = HAS_FIELD(len, tcpi_bytes_acked) ? (long)t.tcpi_bytes_acked : -1;
    ti->bytes_received = HAS_FIELD(len, tcpi_bytes_received) ? (long)t.tcpi_bytes_received : -1;
    ti->snd_wnd = HAS_FIELD(len, tcpi_snd_wnd) ? (long)t.tcpi_snd_wnd : -1;
    ti->snd_wscale = (t.tcpi_options & TCPI_OPT_WSCALE) ? (long)t.tcpi_snd_wscale : 0;
    ti->rcv_wscale = (t.tcpi_options & TCPI_OPT_WSCALE) ? (long)t.tcpi_rcv_wscale : 0;
    ti->rwnd_limited_us = HAS_FIELD(len, tcpi_rwnd_limited) ? (long)t.tcpi_rwnd_limited : -1;
    ti->sndbuf_limited_us = HAS_FIELD(len, tcpi_sndbuf_limited) ? (long)t.tcpi_sndbuf_limited : -1;
    ti->segs_out = HAS_FIELD(len, tcpi_segs_out) ? (long)t.tcpi_segs_out : -1;
    ti->segs_in = HAS_FIELD(len, tcpi_segs_in) ? (long)t.tcpi_segs_in : -1;
    ti->data_segs_out = HAS_FIELD(len, tcpi_data_segs_out) ? (long)t.tcpi_data_segs_out : -1;
    ti->data_segs_in = HAS_FIELD(len, tcpi_data_segs_in) ? (long)t.tcpi_data_segs_in : -1;
    ti->rto_us = (long)t.tcpi_rto;
    ti->last_data_recv_ms = (long)t.tcpi_last_data_recv;
    ti->last_ack_recv_ms = (long)t.tcpi_last_ack_recv;
    ti->opt_sack = (t.tcpi_options & TCPI_OPT_SACK) != 0;
    ti->opt_timestamps = (t.tcpi_options & TCPI_OPT_TIMESTAMPS) != 0;
    ti->advmss = (long)t.tcpi_advmss;
    ti->ca_state = (long)t.tcpi_ca_state;
    ti->sacked = (long)t.tcpi_sacked;
    ti->lost = (long)t.tcpi_lost;
    ti->retrans = (long)t.tcpi_retrans;
    ti->reordering = (long)t.tcpi_reordering;
    ti->reord_seen = HAS_FIELD(len, tcpi_reord_seen) ? (long)t.tcpi_reord_seen : -1;
    ti->dsack_dups = HAS_FIELD(len, tcpi_dsack_dups) ? (long)t.tcpi_dsack_dups : -1;
    ti->bytes_retrans = HAS_FIELD(len, tcpi_bytes_retrans) ? (long)t.tcpi_bytes_retrans : -1;
    ti->rcv_ooopack = HAS_FIELD(len, tcpi_rcv_ooopack) ? (long)t.tcpi_rcv_ooopack : -1;
    ti->total_rto = raw_u16(u.raw, len, TCPI_TOTAL_RTO_AT);
    ti->total_rto_recoveries = raw_u16(u.raw, len, TCPI_TOTAL_RTO_RECOVERIES_AT);
    ti->total_rto_time_ms = raw_u32(u.raw, len, TCPI_TOTAL_RTO_TIME_AT);
    return 0;
}

/* Reads up to n numbers from a /proc/sys file ("4096\t131072\t33554432\n"); how many it read. */
static int read_sysctl(const char *path, long *v, int n)
{
    FILE *f = fopen(path, "r");
    int i = 0;
    if (f == NULL)
        return -1;
    while (i < n && fscanf(f, "%ld", &v[i]) == 1)
        i++;
    fclose(f);
    return i;
}

int sock_kernel_limits(struct sock_limits *out, char *err)
{
    static const char *const paths[] = {"/proc/sys/net/ipv4/tcp_rmem", "/proc/sys/net/ipv4/tcp_wmem",
                                        "/proc/sys/net/core/rmem_max", "/proc/sys/net/core/wmem_max"};
    long *dest[] = {out->tcp_rmem, out->tcp_wmem, &out->rmem_max, &out->wmem_max};
    const int want[] = {3, 3, 1, 1};
    size_t i;
    out->tcp_rmem[0] = out->tcp_rmem[1] = out->tcp_rmem[2] = -1;
    out->tcp_wmem[0] = out->tcp_wmem[1] = out->tcp_wmem[2] = -1;
    out->rmem_max = out->wmem_max = -1;
    for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int got = read_sysctl(paths[i], dest[i], want[i]);
        if (got < 0) {
            char what[64];
            snprintf(what, sizeof what, "open %s", paths[i]);
            return compat_fail(err, what);
        }
        if (got != want[i]) {
            if (err != NULL)
                snprintf(err, SOCK_ERR_LEN, "read %s: expected %d numbers, found %d", paths[i], want[i], got);
            errno = EPROTO;
            return -1;
        }
    }
    return 0;
}

int sock_kernel_setting(const char *name, long *value, char *err)
{
    char path[128];
    size_t i, n;
    if (strncmp(name, "net.", 4) != 0 || strlen(name) > 80 || strstr(name, "..") != NULL) {
        errno = EINVAL;
        return compat_fail_msg(err, EINVAL, "kernel setting '%.40s': not a net.* sysctl", name);
    }
    n = (size_t)snprintf(path, sizeof path, "/proc/sys/%s", name);
    for (i = 10; i < n; i++) /* the dots of the name are the folders of /proc/sys */
        if (path[i] == '.')
            path[i] = '/';
    if (read_sysctl(path, value, 1) != 1)
        return compat_fail_msg(err, errno ? errno : EPROTO, "read %s", path);
    return 0;
}

/* /proc/net/netstat and /proc/net/snmp hold counters as pairs of lines, "TcpExt: A B C" then
 * "TcpExt: 1 2 3"; nstat names them by the prefix and the column: "TcpExtListenDrops". */
static int find_counter(const char *path, const char *name, long long *value)
{
    char head[4096], vals[4096];
    FILE *f = fopen(path, "r");
    int found = 0;
    if (f == NULL)
        return -1;
    while (!found && fgets(head, sizeof head, f) != NULL && fgets(vals, sizeof vals, f) != NULL) {
        char *hs = NULL, *vs = NULL, *h, *v;
        size_t plen;
        h = strtok_r(head, " \n", &hs);
        v = strtok_r(vals, " \n", &vs);
        if (h == NULL || v == NULL || strcmp(h, v) != 0)
            continue;
        plen = strlen(h) - 1; /* "TcpExt:" without the colon */
        if (strncmp(name, h, plen) != 0)
            continue;
        while ((h = strtok_r(NULL, " \n", &hs)) != NULL && (v = strtok_r(NULL, " \n", &vs)) != NULL) {
            if (strcmp(name + plen, h) == 0) {
                *value = strtoll(v, NULL, 10);
                found = 1;
                break;
            }
        }
    }
    fclose(f);
    return found;
}

int sock_kernel_counter(const char *name, long long *value, char *err)
{
    static const char *const files[] = {"/proc/net/netstat", "/proc/net/snmp"};
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        int rc = find_counter(files[i], name, value);
        if (rc == 1)
            return 0;
        if (rc < 0)
            return compat_fail_msg(err, errno, "read %s", files[i]);
    }
    return compat_fail_msg(err, ENOENT, "kernel counter %.60s", name);
}

int sock_queue_sizes(sock_t s, long *inq, long *outq, char *err)
{
    int v = 0;
    *inq = -1;
    *outq = -1;
    if (ioctl(s, SIOCINQ, &v) != 0)
        return compat_fail(err, "ioctl SIOCINQ");
    *inq = v;
    if (ioctl(s, SIOCOUTQ, &v) != 0)
        return compat_fail(err, "ioctl SIOCOUTQ");
    *outq = v;
    return 0;
}

/* idiag_timer, as ss reads it: 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe. */
static enum sock_timer map_timer(unsigned t)
{
    static const enum sock_timer timers[] = {SOCK_TIMER_NONE, SOCK_TIMER_ON, SOCK_TIMER_KEEPALIVE,
                                             SOCK_TIMER_TIMEWAIT, SOCK_TIMER_PERSIST};
    return t < sizeof timers / sizeof timers[0] ? timers[t] : SOCK_TIMER_UNKNOWN;
}

static void fill_entry(const struct inet_diag_msg *m, struct sock_entry *e)
{
    e->state = map_state(m->idiag_state);
    e->local_port = ntohs(m->id.idiag_sport);
    e->remote_port = ntohs(m->id.idiag_dport);
    inet_ntop(m->idiag_family, m->id.idiag_src, e->local_addr, sizeof e->local_addr);
    inet_ntop(m->idiag_family, m->id.idiag_dst, e->remote_addr, sizeof e->remote_addr);
    e->recv_q = (long)m->idiag_rqueue;
    e->send_q = (long)m->idiag_wqueue;
    e->timer = map_timer(m->idiag_timer);
    e->timer_ms = e->timer == SOCK_TIMER_NONE ? 0 : (long)m->idiag_expires;
    e->timer_retrans = (long)m->idiag_retrans;
}

static void add_entry(const struct inet_diag_msg *m, struct sock_entry *out, size_t max, size_t *count)
{
    if (*count < max)
        fill_entry(m, &out[*count]);
    (*count)++;
}

/* One SOCK_DIAG_BY_FAMILY dump for one address family. */
static int dump_family(int family, const uint16_t *ports, size_t nports, struct sock_entry *out,
                       size_t max, size_t *count, char *err)
{
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg;
    char *buf;
    const size_t buflen = 32768;
    int fd, done = 0, rounds;
    struct sockaddr_nl nl;

    fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return compat_fail(err, "socket NETLINK_SOCK_DIAG");
    buf = malloc(buflen); /* per call: lesson sides read the table from several threads at once */
    if (buf == NULL) {
        close(fd);
        errno = ENOMEM;
        return compat_fail(err, "sock_diag buffer");
    }
    memset(&nl, 0, sizeof nl);
    nl.nl_family = AF_NETLINK;
    memset(&msg, 0, sizeof msg);
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.req.sdiag_family = (unsigned char)family;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ~0u; /* every state, TIME_WAIT included */
    if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&nl, sizeof nl) < 0) {
        compat_fail(err, "sendto sock_diag");
        close(fd);
        free(buf);
        return -1;
    }
    /* Bounded: a dump of even 100k sockets fits in far fewer reads of 32 KiB. */
    for (rounds = 0; !done && rounds < 100000; rounds++) {
        long n = recv(fd, buf, buflen, 0);
        struct nlmsghdr *h;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            compat_fail(err, "recv sock_diag");
            close(fd);
            free(buf);
            return -1;
        }
        for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned long)n); h = NLMSG_NEXT(h, n)) {
            const struct inet_diag_msg *m;
            if (h->nlmsg_type == NLMSG_DONE) {
                done = 1;
                break;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                errno = -e->error;
                compat_fail(err, "sock_diag dump");
                close(fd);
                free(buf);
                return -1;
            }
            m = NLMSG_DATA(h);
            if (compat_port_wanted(ports, nports, ntohs(m->id.idiag_sport), ntohs(m->id.idiag_dport)))
                add_entry(m, out, max, count);
        }
    }
    close(fd);
    free(buf);
    return 0;
}

int sock_state_table(const uint16_t *ports, size_t nports, struct sock_entry *out, size_t max,
                     size_t *count, char *err)
{
    *count = 0;
    if (dump_family(AF_INET, ports, nports, out, max, count, err) != 0)
        return -1;
    return dump_family(AF_INET6, ports, nports, out, max, count, err);
}

/* One connection by its exact 4-tuple. Unlike a dump, which walks hash buckets in resumable steps
 * and can skip entries while other sockets come and go, an exact query is answered from the
 * kernel's lookup tables, TIME_WAIT sockets included. */
int sock_conn_entry(const char *laddr, uint16_t lport, const char *raddr, uint16_t rport,
                    struct sock_entry *out, char *err)
{
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg;
    union {
        struct nlmsghdr h;
        char bytes[8192];
    } reply;
    struct sockaddr_nl nl;
    const struct inet_diag_msg *m;
    int fd, family = strchr(laddr, ':') != NULL ? AF_INET6 : AF_INET;
    long n;

    memset(&msg, 0, sizeof msg);
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST;
    msg.req.sdiag_family = (unsigned char)family;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ~0u;
    msg.req.id.idiag_sport = htons(lport);
    msg.req.id.idiag_dport = htons(rport);
    msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (inet_pton(family, laddr, msg.req.id.idiag_src) != 1 || inet_pton(family, raddr, msg.req.id.idiag_dst) != 1) {
        errno = EINVAL;
        return compat_fail(err, "sock_diag lookup: bad address");
    }
    fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return compat_fail(err, "socket NETLINK_SOCK_DIAG");
    memset(&nl, 0, sizeof nl);
    nl.nl_family = AF_NETLINK;
    if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&nl, sizeof nl) < 0) {
        compat_fail(err, "sendto sock_diag");
        close(fd);
        return -1;
    }
    do
        n = recv(fd, &reply, sizeof reply, 0);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0)
        return compat_fail(err, "recv sock_diag");
    if (!NLMSG_OK(&reply.h, (unsigned long)n)) {
        errno = EPROTO;
        return compat_fail(err, "sock_diag lookup: short reply");
    }
    if (reply.h.nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(&reply.h);
        if (e->error == -ENOENT)
            return 0; /* the kernel has no such connection (any more) */
        errno = -e->error;
        return compat_fail(err, "sock_diag lookup");
    }
    m = NLMSG_DATA(&reply.h);
    /* The kernel's lookup falls back to the listening socket when the connection is gone: only
     * an exact match of both ports is this connection. */
    if (ntohs(m->id.idiag_sport) != lport || ntohs(m->id.idiag_dport) != rport)
        return 0;
    fill_entry(m, out);
    return 1;
}
