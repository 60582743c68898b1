/* sock_tcpopt_posix.c - the timer and failure knobs of one connection on POSIX kernels. Each option
 * is used where the system headers define it (Linux has all of them); elsewhere the call says the
 * kernel lacks it rather than pretending. */
#include "compat/sock_sys.h"

#include <stdio.h>

/* IP_LOCAL_PORT_RANGE is Linux 6.3's; the headers of older C libraries lack it. */
#if defined(__linux__) && !defined(IP_LOCAL_PORT_RANGE)
#define IP_LOCAL_PORT_RANGE 51
#endif

#if !defined(TCP_SYNCNT) || !defined(TCP_USER_TIMEOUT) || !defined(TCP_DEFER_ACCEPT) || !defined(TCP_LINGER2) || \
    !defined(IP_LOCAL_PORT_RANGE) || !defined(TCP_REPAIR) || !defined(TCP_REPAIR_QUEUE) || !defined(TCP_QUEUE_SEQ)
static int lacks(char *err, const char *what)
{
    if (err != NULL)
        snprintf(err, SOCK_ERR_LEN, "%s: not available on this kernel", what);
    return SOCK_UNSUPPORTED;
}
#endif

static int set_int(sock_t s, int level, int opt, int v, const char *what, char *err)
{
    if (setsockopt(s, level, opt, &v, sizeof v) != 0)
        return compat_fail(err, what);
    return 0;
}

int sock_set_syn_count(sock_t s, int count, char *err)
{
#ifdef TCP_SYNCNT
    return set_int(s, IPPROTO_TCP, TCP_SYNCNT, count, "setsockopt TCP_SYNCNT", err);
#else
    (void)s, (void)count;
    return lacks(err, "TCP_SYNCNT");
#endif
}

int sock_set_user_timeout(sock_t s, int ms, char *err)
{
#ifdef TCP_USER_TIMEOUT
    return set_int(s, IPPROTO_TCP, TCP_USER_TIMEOUT, ms, "setsockopt TCP_USER_TIMEOUT", err);
#else
    (void)s, (void)ms;
    return lacks(err, "TCP_USER_TIMEOUT");
#endif
}

int sock_set_defer_accept(sock_t s, int secs, int *got, char *err)
{
#ifdef TCP_DEFER_ACCEPT
    socklen_t len = sizeof *got;
    *got = -1;
    if (set_int(s, IPPROTO_TCP, TCP_DEFER_ACCEPT, secs, "setsockopt TCP_DEFER_ACCEPT", err) != 0)
        return -1;
    if (getsockopt(s, IPPROTO_TCP, TCP_DEFER_ACCEPT, got, &len) != 0)
        return compat_fail(err, "getsockopt TCP_DEFER_ACCEPT");
    return 0;
#else
    (void)s, (void)secs;
    *got = -1;
    return lacks(err, "TCP_DEFER_ACCEPT");
#endif
}

int sock_set_fin_wait2_timeout(sock_t s, int secs, char *err)
{
#ifdef TCP_LINGER2
    return set_int(s, IPPROTO_TCP, TCP_LINGER2, secs, "setsockopt TCP_LINGER2", err);
#else
    (void)s, (void)secs;
    return lacks(err, "TCP_LINGER2");
#endif
}

int sock_set_local_port_range(sock_t s, uint16_t lo, uint16_t hi, char *err)
{
#ifdef IP_LOCAL_PORT_RANGE
    /* the low port in the low 16 bits, the high one above (linux/in.h) */
    uint32_t v = (uint32_t)lo | ((uint32_t)hi << 16);
    if (setsockopt(s, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &v, sizeof v) != 0)
        return compat_fail(err, "setsockopt IP_LOCAL_PORT_RANGE");
    return 0;
#else
    (void)s, (void)lo, (void)hi;
    return lacks(err, "IP_LOCAL_PORT_RANGE");
#endif
}

int sock_tcp_seq(sock_t s, uint32_t *snd_nxt, uint32_t *rcv_nxt, char *err)
{
#if defined(TCP_REPAIR) && defined(TCP_REPAIR_QUEUE) && defined(TCP_QUEUE_SEQ)
    /* Repair mode is what checkpoint/restore (CRIU) reads a live connection with; for the few
     * microseconds it is on, nothing is sent. Leaving it with TCP_REPAIR_OFF would send a window
     * probe; -1 (TCP_REPAIR_OFF_NO_WP, Linux 4.19+) leaves without one. */
    socklen_t len = sizeof *snd_nxt;
    int rc, reuse = 0;
    socklen_t rlen = sizeof reuse;
    /* Repair mode also resets SO_REUSEADDR (which a server's TIME_WAIT keeps): put it back after. */
    if (getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, &rlen) != 0)
        return compat_fail(err, "getsockopt SO_REUSEADDR");
    if (set_int(s, IPPROTO_TCP, TCP_REPAIR, 1, "setsockopt TCP_REPAIR", err) != 0)
        return -1;
    rc = set_int(s, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE, "setsockopt TCP_REPAIR_QUEUE", err);
    if (rc == 0 && getsockopt(s, IPPROTO_TCP, TCP_QUEUE_SEQ, snd_nxt, &len) != 0)
        rc = compat_fail(err, "getsockopt TCP_QUEUE_SEQ (send queue)");
    if (rc == 0)
        rc = set_int(s, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE, "setsockopt TCP_REPAIR_QUEUE", err);
    len = sizeof *rcv_nxt;
    if (rc == 0 && getsockopt(s, IPPROTO_TCP, TCP_QUEUE_SEQ, rcv_nxt, &len) != 0)
        rc = compat_fail(err, "getsockopt TCP_QUEUE_SEQ (receive queue)");
    if (set_int(s, IPPROTO_TCP, TCP_REPAIR, -1, "setsockopt TCP_REPAIR off", rc == 0 ? err : NULL) != 0)
        rc = -1;
    if (set_int(s, SOL_SOCKET, SO_REUSEADDR, reuse, "setsockopt SO_REUSEADDR", rc == 0 ? err : NULL) != 0)
        rc = -1;
    return rc;
#else
    (void)s, (void)snd_nxt, (void)rcv_nxt;
    return lacks(err, "TCP_REPAIR (reading a connection's sequence numbers)");
#endif
}
