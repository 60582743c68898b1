/* sock_win32_views.c - what Windows tells about a socket: SIO_TCP_INFO, the receive queue
 * (FIONREAD), a new socket's buffer sizes, and the socket table (GetTcpTable / GetTcp6Table). The
 * Windows twin of sock_linux.c; the rest of compat/sock.h on Winsock is sock_win32.c.
 *
 * Notes that matter for the lessons:
 *  - SIO_TCP_INFO needs Windows 10 1703 (v0) or 1809 (v1); where it is missing (and under Wine 8)
 *    sock_tcp_info reports "unsupported".
 *  - There is no SIOCOUTQ: sock_queue_sizes reports outq = -1.
 *
 * Build switch: SOCKLAB_MINIMAL_SDK is for SDK headers older than Windows 10 RS2, i.e. Wine 8's,
 * which only the MSVC-proxy syntax check (scripts/msvc-proxy-check.sh) uses: it compiles out
 * SIO_TCP_INFO / TCP_INFO_v0/v1 (sock_tcp_info then reports "unsupported") and declares the
 * GetTcp6Table prototype those headers lack. Real builds never define it. */
#include "compat/sock_sys.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- kernel views ----------------------------------------------------------------------------- */

/* The call is missing from this Windows or Wine (or compiled out): say which, and why. */
static int unsupported(char *err, int code, const char *what)
{
    compat_fail_msg(err, code, "%s", what);
    if (err != NULL) {
        size_t k = strlen(err);
        snprintf(err + k, SOCK_ERR_LEN - k, "; %s",
                 sock_runtime_quirk() != NULL ? "not implemented by this Wine"
                                              : "needs Windows 10 1703 or later");
    }
    sys_set_error(code); /* kept past the calls above, for sock_last_error() */
    return SOCK_UNSUPPORTED;
}

#ifndef SOCKLAB_MINIMAL_SDK
static enum sock_state map_tcpstate(TCPSTATE st)
{
    switch (st) {
    case TCPSTATE_CLOSED: return SOCK_ST_CLOSE;
    case TCPSTATE_LISTEN: return SOCK_ST_LISTEN;
    case TCPSTATE_SYN_SENT: return SOCK_ST_SYN_SENT;
    case TCPSTATE_SYN_RCVD: return SOCK_ST_SYN_RECV;
    case TCPSTATE_ESTABLISHED: return SOCK_ST_ESTABLISHED;
    case TCPSTATE_FIN_WAIT_1: return SOCK_ST_FIN_WAIT1;
    case TCPSTATE_FIN_WAIT_2: return SOCK_ST_FIN_WAIT2;
    case TCPSTATE_CLOSE_WAIT: return SOCK_ST_CLOSE_WAIT;
    case TCPSTATE_CLOSING: return SOCK_ST_CLOSING;
    case TCPSTATE_LAST_ACK: return SOCK_ST_LAST_ACK;
    case TCPSTATE_TIME_WAIT: return SOCK_ST_TIME_WAIT;
    default: return SOCK_ST_UNKNOWN;
    }
}

static long per_mss(ULONG64 bytes, ULONG mss)
{
    if (mss == 0)
        return -1;
    bytes = (bytes + mss - 1) / mss;
    return bytes > (ULONG64)LONG_MAX ? LONG_MAX : (long)bytes;
}

static long clamp_long(ULONG64 v) { return v > (ULONG64)LONG_MAX ? LONG_MAX : (long)v; }
#endif

int sock_tcp_info(sock_t s, struct sock_tcpinfo *ti, char *err)
{
    /* What Windows has no counterpart for stays -1: all bits set is -1 in every long, and this
     * stays right when sock.h grows new long fields. */
    memset(ti, 0xff, sizeof *ti);
    ti->state = sock_state_name(SOCK_ST_UNKNOWN);
#ifdef SOCKLAB_MINIMAL_SDK
    (void)s;
    return unsupported(err, WSAEOPNOTSUPP, "WSAIoctl SIO_TCP_INFO (compiled out: SOCKLAB_MINIMAL_SDK)");
#else
    {
        TCP_INFO_v1 v1;
        TCP_INFO_v0 *v0 = (TCP_INFO_v0 *)&v1; /* v1 starts with v0's fields */
        DWORD version = 1, ret = 0;
        int rc, code, have_v1 = 1;
        memset(&v1, 0, sizeof v1);
        /* v1 (Windows 10 1809+) first, then v0 (1703+). */
        rc = WSAIoctl(SYS_SOCKET(s), SIO_TCP_INFO, &version, (DWORD)sizeof version, &v1,
                      (DWORD)sizeof v1, &ret, NULL, NULL);
        if (rc != 0) {
            version = 0;
            have_v1 = 0;
            memset(&v1, 0, sizeof v1);
            rc = WSAIoctl(SYS_SOCKET(s), SIO_TCP_INFO, &version, (DWORD)sizeof version, v0,
                          (DWORD)sizeof *v0, &ret, NULL, NULL);
        }
        if (rc != 0) {
            code = WSAGetLastError();
            /* WSAEOPNOTSUPP / WSAEINVAL: the ioctl (or the version) is unknown - Windows before
             * 1703, or Wine 8, which does not implement SIO_TCP_INFO at all. */
            if (code == WSAEOPNOTSUPP || code == WSAEINVAL)
                return unsupported(err, code, "WSAIoctl SIO_TCP_INFO");
            return compat_fail(err, "WSAIoctl SIO_TCP_INFO");
        }
        ti->state = sock_state_name(map_tcpstate(v0->State));
        ti->rtt_us = (long)v0->RttUs;
        /* rttvar, rcv_mss, notsent, retransmits, probes, backoff: no Windows counterpart (-1). */
        ti->snd_mss = (long)v0->Mss;
        ti->snd_cwnd = per_mss(v0->Cwnd, v0->Mss);          /* Windows counts bytes */
        ti->rcv_space = clamp_long(v0->RcvBuf);              /* the autotuned receive buffer */
        ti->snd_wnd = clamp_long(v0->SndWnd);
        ti->unacked = per_mss(v0->BytesInFlight, v0->Mss);  /* segments, from bytes in flight */
        ti->total_retrans = per_mss(v0->BytesRetrans, v0->Mss);
        ti->bytes_acked = clamp_long(v0->BytesOut >= v0->BytesInFlight ? v0->BytesOut - v0->BytesInFlight : 0);
        ti->bytes_received = clamp_long(v0->BytesIn);
        ti->opt_timestamps = v0->TimestampsEnabled ? 1 : 0; /* SACK: always on, not reported */
        ti->bytes_retrans = clamp_long(v0->BytesRetrans);
        ti->total_rto = (long)v0->TimeoutEpisodes;           /* retransmission timeouts */
        /* snd_wscale / rcv_wscale: SIO_TCP_INFO does not report the window scale (-1). */
        if (have_v1) { /* v1's SndLim* times are milliseconds */
            ti->rwnd_limited_us = clamp_long((ULONG64)v1.SndLimTimeRwin * 1000u);
            ti->sndbuf_limited_us = clamp_long((ULONG64)v1.SndLimTimeSnd * 1000u);
        }
        return 0;
    }
#endif
}

int sock_kernel_limits(struct sock_limits *out, char *err)
{
    /* Windows has no tcp_rmem / rmem_max knobs: receive-window autotuning is system-wide and
     * SO_RCVBUF / SO_SNDBUF have no documented ceiling. What can be told is the default, i.e. a
     * new socket's buffer sizes (the middle value of tcp_rmem / tcp_wmem on Linux). */
    SOCKET s;
    int v, len;
    out->tcp_rmem[0] = out->tcp_rmem[1] = out->tcp_rmem[2] = -1;
    out->tcp_wmem[0] = out->tcp_wmem[1] = out->tcp_wmem[2] = -1;
    out->rmem_max = out->wmem_max = -1;
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET)
        return compat_fail(err, "socket");
    v = 0;
    len = (int)sizeof v;
    if (getsockopt(s, SOL_SOCKET, SO_RCVBUF, (char *)&v, &len) != 0) {
        compat_fail(err, "getsockopt SO_RCVBUF");
        compat_close_keep_error((sock_t)s);
        return -1;
    }
    out->tcp_rmem[1] = v;
    v = 0;
    len = (int)sizeof v;
    if (getsockopt(s, SOL_SOCKET, SO_SNDBUF, (char *)&v, &len) != 0) {
        compat_fail(err, "getsockopt SO_SNDBUF");
        compat_close_keep_error((sock_t)s);
        return -1;
    }
    out->tcp_wmem[1] = v;
    closesocket(s);
    return 0;
}

int sock_queue_sizes(sock_t s, long *inq, long *outq, char *err)
{
    u_long n = 0;
    *inq = -1;
    /* Windows has no SIOCOUTQ (bytes sent but not yet acknowledged + not yet sent); the nearest
     * things are TCP_INFO's BytesInFlight and SIO_IDEAL_SEND_BACKLOG_QUERY, neither the same. */
    *outq = -1;
    if (ioctlsocket(SYS_SOCKET(s), FIONREAD, &n) != 0)
        return compat_fail(err, "ioctlsocket FIONREAD");
    *inq = n > (u_long)LONG_MAX ? LONG_MAX : (long)n;
    return 0;
}

/* ---- the kernel's socket table ---------------------------------------------------------------- */

static enum sock_state map_mib_state(DWORD st)
{
    switch (st) {
    case MIB_TCP_STATE_CLOSED: return SOCK_ST_CLOSE;
    case MIB_TCP_STATE_LISTEN: return SOCK_ST_LISTEN;
    case MIB_TCP_STATE_SYN_SENT: return SOCK_ST_SYN_SENT;
    case MIB_TCP_STATE_SYN_RCVD: return SOCK_ST_SYN_RECV;
    case MIB_TCP_STATE_ESTAB: return SOCK_ST_ESTABLISHED;
    case MIB_TCP_STATE_FIN_WAIT1: return SOCK_ST_FIN_WAIT1;
    case MIB_TCP_STATE_FIN_WAIT2: return SOCK_ST_FIN_WAIT2;
    case MIB_TCP_STATE_CLOSE_WAIT: return SOCK_ST_CLOSE_WAIT;
    case MIB_TCP_STATE_CLOSING: return SOCK_ST_CLOSING;
    case MIB_TCP_STATE_LAST_ACK: return SOCK_ST_LAST_ACK;
    case MIB_TCP_STATE_TIME_WAIT: return SOCK_ST_TIME_WAIT; /* 11 */
    default: return SOCK_ST_UNKNOWN;                        /* DELETE_TCB (12) */
    }
}

/* Ports in the IP Helper rows are in network order in the low 16 bits of a DWORD. */
#define ROW_PORT(dw) ntohs((u_short)((dw)&0xFFFFu))

static void add_entry(int family, DWORD state, const void *laddr, DWORD lport, const void *raddr,
                      DWORD rport, const uint16_t *ports, size_t nports, struct sock_entry *out,
                      size_t max, size_t *count)
{
    uint16_t lp = ROW_PORT(lport), rp = ROW_PORT(rport);
    struct sock_entry *e;
    if (!compat_port_wanted(ports, nports, lp, rp))
        return;
    if (*count < max) {
        e = &out[*count];
        e->state = map_mib_state(state);
        e->local_port = lp;
        e->remote_port = rp;
        if (sys_ntop(family, laddr, e->local_addr, sizeof e->local_addr) == NULL)
            e->local_addr[0] = '\0';
        if (sys_ntop(family, raddr, e->remote_addr, sizeof e->remote_addr) == NULL)
            e->remote_addr[0] = '\0';
        e->recv_q = -1; /* the IP Helper tables have no queue or timer columns */
        e->send_q = -1;
        e->timer = SOCK_TIMER_UNKNOWN;
        e->timer_ms = -1;
        e->timer_retrans = -1;
    }
    (*count)++;
}

#ifdef SOCKLAB_MINIMAL_SDK
/* Wine 8's iphlpapi.h has the MIB_TCP6TABLE type but not this (Vista+) prototype. */
ULONG WINAPI GetTcp6Table(PMIB_TCP6TABLE TcpTable, PULONG SizePointer, BOOL Order);
#endif

/* Calls an IP Helper "size, then fill" table function. The table can grow between the sizing call
 * and the real one (ERROR_INSUFFICIENT_BUFFER again), so retry a bounded number of times with
 * some headroom. Returns the table (free() it) or NULL with the Win32 error in *code. */
typedef ULONG(WINAPI *table_fn)(void *table, PULONG size, BOOL order);

static ULONG WINAPI get_tcp4(void *t, PULONG size, BOOL order)
{
    return GetTcpTable((MIB_TCPTABLE *)t, size, order);
}

static ULONG WINAPI get_tcp6(void *t, PULONG size, BOOL order)
{
    return GetTcp6Table((MIB_TCP6TABLE *)t, size, order);
}

static void *fetch_table(table_fn fn, ULONG *code)
{
    ULONG size = 0, rc = 0;
    void *buf = NULL;
    int tries;
    rc = fn(NULL, &size, FALSE);
    for (tries = 0; tries < 5 && rc == ERROR_INSUFFICIENT_BUFFER; tries++) {
        void *nb;
        size += size / 8 + 4096; /* headroom for rows that appear meanwhile */
        nb = realloc(buf, size);
        if (nb == NULL) {
            free(buf);
            *code = ERROR_NOT_ENOUGH_MEMORY;
            return NULL;
        }
        buf = nb;
        rc = fn(buf, &size, FALSE);
    }
    if (rc == ERROR_NO_DATA || (rc == NO_ERROR && buf == NULL)) {
        /* An empty table: some versions answer the sizing call with ERROR_NO_DATA / NO_ERROR. */
        free(buf);
        buf = calloc(1, sizeof(DWORD) + 64);
        if (buf == NULL) {
            *code = ERROR_NOT_ENOUGH_MEMORY;
            return NULL;
        }
        rc = NO_ERROR;
    }
    if (rc != NO_ERROR) {
        free(buf);
        *code = rc;
        return NULL;
    }
    *code = NO_ERROR;
    return buf;
}

int sock_state_table(const uint16_t *ports, size_t nports, struct sock_entry *out, size_t max,
                     size_t *count, char *err)
{
    MIB_TCPTABLE *t4;
    MIB_TCP6TABLE *t6;
    ULONG code = 0;
    DWORD i;

    *count = 0;
    /* The basic tables (GetTcpTable / GetTcp6Table), not GetTcpTable2 or the owner-PID tables of
     * GetExtendedTcpTable: socklab needs only addresses, ports and states, which all of them
     * carry. The owning PID costs: Wine finds it by scanning every process's /proc/<pid>/fd for
     * each row, and Wine's GetTcpTable2 takes that same path - measured 282 ms against 54 ms per
     * call for a 100-socket host, and it grows with the host's socket count. */
    t4 = fetch_table(get_tcp4, &code);
    if (t4 == NULL) {
        compat_fail_msg(err, (int)code, "GetTcpTable");
        return -1;
    }
    for (i = 0; i < t4->dwNumEntries; i++) {
        const MIB_TCPROW *r = &t4->table[i];
        struct in_addr la, ra;
        la.s_addr = r->dwLocalAddr;
        ra.s_addr = r->dwRemoteAddr;
        add_entry(AF_INET, r->dwState, &la, r->dwLocalPort, &ra, r->dwRemotePort, ports, nports,
                  out, max, count);
    }
    free(t4);

    t6 = fetch_table(get_tcp6, &code);
    if (t6 == NULL) {
        /* No IPv6 stack is not an error for a table of IPv4 lesson sockets. */
        if (code == ERROR_NOT_SUPPORTED || code == ERROR_CALL_NOT_IMPLEMENTED)
            return 0;
        compat_fail_msg(err, (int)code, "GetTcp6Table");
        return -1;
    }
    for (i = 0; i < t6->dwNumEntries; i++) {
        const MIB_TCP6ROW *r = &t6->table[i];
        add_entry(AF_INET6, (DWORD)r->State, &r->LocalAddr, r->dwLocalPort, &r->RemoteAddr,
                  r->dwRemotePort, ports, nports, out, max, count);
    }
    free(t6);
    return 0;
}

/* Windows keeps its TCP parameters in the registry (TcpMaxConnectRetransmissions,
 * TcpTimedWaitDelay, ...) and its counters in GetTcpStatistics, neither under the names these
 * take: say so rather than guess. */
int sock_kernel_setting(const char *name, long *value, char *err)
{
    *value = -1;
    compat_fail_msg(err, WSAEOPNOTSUPP, "kernel setting %.60s: Linux sysctls only", name);
    return SOCK_UNSUPPORTED;
}

int sock_kernel_counter(const char *name, long long *value, char *err)
{
    *value = -1;
    compat_fail_msg(err, WSAEOPNOTSUPP, "kernel counter %.60s: Linux nstat names only", name);
    return SOCK_UNSUPPORTED;
}
