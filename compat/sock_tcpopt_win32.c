/* sock_tcpopt_win32.c - the timer and failure knobs of one connection on Winsock. Windows has a time
 * bound where Linux has counts (TCP_MAXRT for connects and retransmissions alike) and no
 * counterpart for defer-accept, TCP_LINGER2 or a per-socket port range: those say so and name what
 * Windows has instead. */
#include "compat/sock_sys.h"

#include <stdio.h>

/* ws2ipdef.h of the Windows SDK defines it; MinGW-w64's and Wine's headers may not. */
#ifndef TCP_MAXRT
#define TCP_MAXRT 5
#endif

static int none(char *err, const char *what, const char *instead)
{
    if (err != NULL)
        snprintf(err, SOCK_ERR_LEN, "%s: Windows has no such option (%s)", what, instead);
    sys_set_error(WSAENOPROTOOPT);
    return SOCK_UNSUPPORTED;
}

int sock_set_syn_count(sock_t s, int count, char *err)
{
    (void)s, (void)count;
    return none(err, "TCP_SYNCNT", "TCP_MAXRT bounds a connect in seconds instead");
}

int sock_set_user_timeout(sock_t s, int ms, char *err)
{
    /* TCP_MAXRT takes whole seconds; round up so a short timeout never becomes "the default" (0). */
    DWORD secs = ms <= 0 ? 0u : (DWORD)((ms + 999) / 1000);
    if (setsockopt(SYS_SOCKET(s), IPPROTO_TCP, TCP_MAXRT, (const char *)&secs, (int)sizeof secs) != 0)
        return compat_fail(err, "setsockopt TCP_MAXRT");
    return 0;
}

int sock_set_defer_accept(sock_t s, int secs, int *got, char *err)
{
    (void)s, (void)secs;
    *got = -1;
    return none(err, "TCP_DEFER_ACCEPT", "AcceptEx with a receive buffer is the nearest");
}

int sock_set_fin_wait2_timeout(sock_t s, int secs, char *err)
{
    (void)s, (void)secs;
    return none(err, "TCP_LINGER2", "the system-wide TcpFinWait2Delay registry value");
}

int sock_set_local_port_range(sock_t s, uint16_t lo, uint16_t hi, char *err)
{
    (void)s, (void)lo, (void)hi;
    return none(err, "IP_LOCAL_PORT_RANGE", "bind each socket to a port of its own range");
}

int sock_tcp_seq(sock_t s, uint32_t *snd_nxt, uint32_t *rcv_nxt, char *err)
{
    (void)s, (void)snd_nxt, (void)rcv_nxt;
    return none(err, "reading a connection's sequence numbers", "a capture shows them");
}
