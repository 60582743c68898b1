/* sock_common.c - the parts of compat/sock.h that are the same on every platform: the error
 * formatter, resolving, listening, connecting with a timeout, addresses, the options whose call is
 * the same everywhere, and the socket-table filter. It calls the BSD socket functions both systems
 * have (through sock_sys.h's handle cast and length type), sock_sys.h's primitives and the public
 * sock_* calls; what differs per platform stays in sock_posix.c / sock_win32.c. */
#include "compat/sock_sys.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- errors ---------------------------------------------------------------------------------- */

int compat_fail_msg(char *err, int code, const char *fmt, ...)
{
    char what[SYS_ERR_WHAT_LEN], text[SYS_ERR_TEXT_LEN];
    va_list ap;
    if (err != NULL) {
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        snprintf(err, SOCK_ERR_LEN, "%s: %s", what, sock_err_text(code, text, sizeof text));
    }
    sys_set_error(code);
    return -1;
}

int compat_fail(char *err, const char *what) { return compat_fail_msg(err, sys_last_error(), "%s", what); }

void compat_close_keep_error(sock_t s)
{
    int code = sys_last_error();
    sock_close(s);
    sys_set_error(code);
}

int sock_err_is_retriable(int code)
{
    /* sys_connect_pending: a connect under way (EINPROGRESS; Winsock's WSAEWOULDBLOCK and
     * WSAEINPROGRESS). */
    return code == SOCK_EWOULDBLOCK || code == SOCK_EAGAIN || code == SOCK_EINTR || sys_connect_pending(code);
}

int sock_err_is_reset(int code)
{
    /* SOCK_EPIPE is WSAESHUTDOWN on Windows: what Linux reports as EPIPE after a local
     * shutdown(SHUT_WR), a send on a connection that can no longer send. POSIX counts EPIPE as a
     * reset, so Windows does too. */
    return code == SOCK_ECONNRESET || code == SOCK_ECONNABORTED || code == SOCK_EPIPE || code == SOCK_ENETRESET;
}

/* ---- resolving, listening, connecting ------------------------------------------------------------ */

static int resolve_addr(const char *host, uint16_t port, int passive, struct sockaddr_storage *ss,
                        sys_socklen *sslen, char *err)
{
    struct addrinfo hints, *res = NULL;
    char portbuf[8];
    int rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    snprintf(portbuf, sizeof portbuf, "%u", (unsigned)port);
    rc = getaddrinfo(host, portbuf, &hints, &res);
    if (rc != 0 || res == NULL) {
        char text[128];
        int code = sys_resolve_failed(rc, text, sizeof text);
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "cannot resolve '%s': %s", host ? host : "*", text);
        sys_set_error(code);
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sslen = (sys_socklen)res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* Resolves host:port into *ss and makes a TCP socket of its family. */
static sock_t socket_for(const char *host, uint16_t port, int passive, struct sockaddr_storage *ss,
                         sys_socklen *sslen, char *err)
{
    if (resolve_addr(host, port, passive, ss, sslen, err) != 0)
        return SOCK_INVALID;
    return sock_tcp_socket(ss->ss_family, err);
}

sock_t sock_listen_tcp(const char *host, uint16_t port, int backlog, char *err)
{
    struct sockaddr_storage ss;
    sys_socklen sslen;
    sock_t fd = socket_for(host, port, 1, &ss, &sslen, err);
    if (fd == SOCK_INVALID)
        return SOCK_INVALID;
    sys_prepare_listener(fd);
    if (bind(SYS_SOCKET(fd), (struct sockaddr *)&ss, sslen) != 0) {
        compat_fail_msg(err, sys_last_error(), "bind %s:%u", host ? host : "*", (unsigned)port);
        compat_close_keep_error(fd);
        return SOCK_INVALID;
    }
    if (listen(SYS_SOCKET(fd), backlog) != 0) {
        compat_fail(err, "listen");
        compat_close_keep_error(fd);
        return SOCK_INVALID;
    }
    return fd;
}

/* Connects fd; with timeout_ms > 0 through a non-blocking connect and a wait, after which the
 * socket is made blocking again. */
static int connect_addr(sock_t fd, const struct sockaddr_storage *ss, sys_socklen sslen, int timeout_ms,
                        const char *host, uint16_t port, char *err)
{
    int rc, code;
    if (timeout_ms <= 0) {
        if (connect(SYS_SOCKET(fd), (const struct sockaddr *)ss, sslen) == 0)
            return 0;
        return compat_fail_msg(err, sys_last_error(), "connect %s:%u", host, (unsigned)port);
    }
    if (sock_set_nonblocking(fd, 1, err) != 0)
        return -1;
    if (connect(SYS_SOCKET(fd), (const struct sockaddr *)ss, sslen) != 0) {
        code = sys_last_error();
        if (!sys_connect_pending(code))
            return compat_fail_msg(err, code, "connect %s:%u", host, (unsigned)port);
        rc = sys_connect_wait(fd, timeout_ms, &code);
        if (rc == 0)
            return compat_fail_msg(err, SOCK_ETIMEDOUT, "connect %s:%u (no answer in %d ms)", host,
                                   (unsigned)port, timeout_ms);
        if (rc < 0)
            return compat_fail_msg(err, code, "select (connect %s:%u)", host, (unsigned)port);
        if (code != 0)
            return compat_fail_msg(err, code, "connect %s:%u", host, (unsigned)port);
    }
    return sock_set_nonblocking(fd, 0, err);
}

sock_t sock_connect_tcp(const char *host, uint16_t port, int timeout_ms, char *err)
{
    struct sockaddr_storage ss;
    sys_socklen sslen;
    sock_t fd = socket_for(host, port, 0, &ss, &sslen, err);
    if (fd == SOCK_INVALID)
        return SOCK_INVALID;
    if (connect_addr(fd, &ss, sslen, timeout_ms, host, port, err) != 0) {
        compat_close_keep_error(fd);
        return SOCK_INVALID;
    }
    return fd;
}

int sock_connect(sock_t s, const char *host, uint16_t port, int timeout_ms, char *err)
{
    struct sockaddr_storage ss;
    sys_socklen sslen;
    if (resolve_addr(host, port, 0, &ss, &sslen, err) != 0)
        return -1;
    return connect_addr(s, &ss, sslen, timeout_ms, host, port, err);
}

int sock_bind(sock_t s, const char *host, uint16_t port, char *err)
{
    struct sockaddr_storage ss;
    sys_socklen sslen;
    if (resolve_addr(host, port, 1, &ss, &sslen, err) != 0)
        return -1;
    if (bind(SYS_SOCKET(s), (struct sockaddr *)&ss, sslen) != 0)
        return compat_fail_msg(err, sys_last_error(), "bind %s:%u", host, (unsigned)port);
    return 0;
}

int sock_host_family(const char *host, char *err)
{
    struct sockaddr_storage ss;
    sys_socklen sslen;
    if (resolve_addr(host, 0, 0, &ss, &sslen, err) != 0)
        return -1;
    return ss.ss_family;
}

sock_t sock_connect_tcp_start(const char *host, uint16_t port, char *err)
{
    struct sockaddr_storage ss;
    sys_socklen sslen;
    sock_t fd = socket_for(host, port, 0, &ss, &sslen, err);
    if (fd == SOCK_INVALID)
        return SOCK_INVALID;
    if (sock_set_nonblocking(fd, 1, err) != 0) {
        compat_close_keep_error(fd);
        return SOCK_INVALID;
    }
    if (connect(SYS_SOCKET(fd), (struct sockaddr *)&ss, sslen) != 0) {
        int code = sys_last_error();
        if (!sys_connect_pending(code)) {
            compat_fail_msg(err, code, "connect %s:%u", host, (unsigned)port);
            compat_close_keep_error(fd);
            return SOCK_INVALID;
        }
    }
    return fd;
}

int sock_connect_result(sock_t s)
{
    int so_err = 0;
    sys_socklen len = (sys_socklen)sizeof so_err;
    if (getsockopt(SYS_SOCKET(s), SOL_SOCKET, SO_ERROR, (char *)&so_err, &len) != 0)
        return sys_last_error();
    return so_err;
}

int sock_shutdown(sock_t s, enum sock_how how, char *err)
{
    static const int hows[] = {SYS_SHUT_RD, SYS_SHUT_WR, SYS_SHUT_RDWR};
    static const char *const names[] = {SYS_SHUT_NAMES};
    if ((unsigned)how > SOCK_SHUT_RDWR)
        return compat_fail_msg(err, SOCK_EINVAL, "shutdown");
    if (shutdown(SYS_SOCKET(s), hows[how]) != 0)
        return compat_fail_msg(err, sys_last_error(), "shutdown %s", names[how]);
    return 0;
}

/* ---- addresses ----------------------------------------------------------------------------------- */

static uint16_t port_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)ss)->sin_port);
    if (ss->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return 0;
}

/* The address part of an IPv4 or IPv6 socket address, for inet_ntop. */
static const void *addr_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6)
        return &((const struct sockaddr_in6 *)ss)->sin6_addr;
    return &((const struct sockaddr_in *)ss)->sin_addr;
}

/* getsockname or getpeername into ss; 0 or -1. */
static int end_of(sock_t s, int peer, struct sockaddr_storage *ss)
{
    sys_socklen len = (sys_socklen)sizeof *ss;
    if (peer)
        return getpeername(SYS_SOCKET(s), (struct sockaddr *)ss, &len) == 0 ? 0 : -1;
    return getsockname(SYS_SOCKET(s), (struct sockaddr *)ss, &len) == 0 ? 0 : -1;
}

static uint16_t port_of_end(sock_t s, int peer)
{
    struct sockaddr_storage ss;
    return end_of(s, peer, &ss) == 0 ? port_of(&ss) : 0;
}

static int name_of_end(sock_t s, int peer, char *addr, size_t len, uint16_t *port)
{
    struct sockaddr_storage ss;
    if (end_of(s, peer, &ss) != 0 || sys_ntop(ss.ss_family, addr_of(&ss), addr, len) == NULL)
        return -1;
    *port = port_of(&ss);
    return 0;
}

uint16_t sock_local_port(sock_t s) { return port_of_end(s, 0); }
uint16_t sock_peer_port(sock_t s) { return port_of_end(s, 1); }

int sock_local_name(sock_t s, char *addr, size_t len, uint16_t *port) { return name_of_end(s, 0, addr, len, port); }
int sock_peer_name(sock_t s, char *addr, size_t len, uint16_t *port) { return name_of_end(s, 1, addr, len, port); }

int sock_resolve(const char *host, char *buf, size_t len, char *err)
{
    struct sockaddr_storage ss;
    sys_socklen sslen;
    if (resolve_addr(host, 0, 0, &ss, &sslen, err) != 0)
        return -1;
    if (sys_ntop(ss.ss_family, addr_of(&ss), buf, len) == NULL)
        return compat_fail(err, "inet_ntop");
    return 0;
}

/* ---- options whose call is the same everywhere (lengths and casts from sock_sys.h) -------------- */

int sock_get_linger(sock_t s, int *onoff, int *seconds, char *err)
{
    struct linger lg; /* int fields on POSIX, u_short on Windows: read through the struct */
    sys_socklen len = (sys_socklen)sizeof lg;
    memset(&lg, 0, sizeof lg);
    if (getsockopt(SYS_SOCKET(s), SOL_SOCKET, SO_LINGER, (char *)&lg, &len) != 0)
        return compat_fail(err, "getsockopt SO_LINGER");
    *onoff = lg.l_onoff != 0;
    *seconds = lg.l_linger;
    return 0;
}

int sock_set_bufsize(sock_t s, enum sock_buf which, int bytes, char *err)
{
    int opt = which == SOCK_SNDBUF ? SO_SNDBUF : SO_RCVBUF;
    if (setsockopt(SYS_SOCKET(s), SOL_SOCKET, opt, (const char *)&bytes, (sys_socklen)sizeof bytes) != 0)
        return compat_fail(err, which == SOCK_SNDBUF ? "setsockopt SO_SNDBUF" : "setsockopt SO_RCVBUF");
    return 0;
}

int sock_get_bufsize(sock_t s, enum sock_buf which, int *bytes, char *err)
{
    int opt = which == SOCK_SNDBUF ? SO_SNDBUF : SO_RCVBUF;
    sys_socklen len = (sys_socklen)sizeof *bytes;
    *bytes = 0;
    if (getsockopt(SYS_SOCKET(s), SOL_SOCKET, opt, (char *)bytes, &len) != 0)
        return compat_fail(err, which == SOCK_SNDBUF ? "getsockopt SO_SNDBUF" : "getsockopt SO_RCVBUF");
    return 0;
}

int sock_set_nodelay(sock_t s, int on, char *err)
{
    int v = on ? 1 : 0; /* a BOOL-sized value for Winsock; getsockopt may write only 1 byte (Wine) */
    if (setsockopt(SYS_SOCKET(s), IPPROTO_TCP, TCP_NODELAY, (const char *)&v, (sys_socklen)sizeof v) != 0)
        return compat_fail(err, "setsockopt TCP_NODELAY");
    return 0;
}

int sock_set_reuseaddr(sock_t s, int on, char *err)
{
    /* Careful: on Windows this allows binding a port another socket actively uses (see
     * sys_prepare_listener in sock_win32.c), not just reuse past TIME_WAIT as on POSIX. */
    int v = on ? 1 : 0;
    if (setsockopt(SYS_SOCKET(s), SOL_SOCKET, SO_REUSEADDR, (const char *)&v, (sys_socklen)sizeof v) != 0)
        return compat_fail(err, "setsockopt SO_REUSEADDR");
    return 0;
}

/* ---- the kernel's socket table ------------------------------------------------------------------- */

int compat_port_wanted(const uint16_t *ports, size_t nports, uint16_t a, uint16_t b)
{
    size_t i;
    if (nports == 0)
        return 1;
    for (i = 0; i < nports; i++)
        if (ports[i] == a || ports[i] == b)
            return 1;
    return 0;
}

const char *sock_state_name(enum sock_state st)
{
    switch (st) {
    case SOCK_ST_ESTABLISHED: return "ESTABLISHED";
    case SOCK_ST_SYN_SENT: return "SYN_SENT";
    case SOCK_ST_SYN_RECV: return "SYN_RECV";
    case SOCK_ST_FIN_WAIT1: return "FIN_WAIT1";
    case SOCK_ST_FIN_WAIT2: return "FIN_WAIT2";
    case SOCK_ST_TIME_WAIT: return "TIME_WAIT";
    case SOCK_ST_CLOSE: return "CLOSE";
    case SOCK_ST_CLOSE_WAIT: return "CLOSE_WAIT";
    case SOCK_ST_LAST_ACK: return "LAST_ACK";
    case SOCK_ST_LISTEN: return "LISTEN";
    case SOCK_ST_CLOSING: return "CLOSING";
    case SOCK_ST_UNKNOWN: break;
    }
    return "UNKNOWN";
}
