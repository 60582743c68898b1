/* sock_posix.c - compat/sock.h on POSIX systems. The kernel views (TCP_INFO, queue sizes, the
 * socket table) are per-kernel: sock_linux.c, or sock_noviews.c which reports "unsupported". */
#define _GNU_SOURCE 1 /* MSG_NOSIGNAL, TCP_KEEPIDLE */
#include "compat/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/* Formats "<call>: <strerror> (<NAME>)" into err, keeping errno for the caller. */
static void fail_msg(char *err, int code, const char *fmt, ...)
{
    char what[80], text[100]; /* sized so the message always fits SOCK_ERR_LEN */
    va_list ap;
    if (err == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, SOCK_ERR_LEN, "%s: %s", what, sock_err_text(code, text, sizeof text));
    errno = code;
}

static int fail(char *err, const char *fmt, const char *arg)
{
    int code = errno;
    fail_msg(err, code, fmt, arg);
    errno = code;
    return -1;
}

int sock_init(char *err)
{
    (void)err;
    /* A write to a connection the peer reset must come back as EPIPE, not kill the process. */
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

void sock_cleanup(void) {}

const char *sock_platform(void)
{
#if defined(__linux__)
    return "linux";
#else
    return "posix";
#endif
}

const char *sock_runtime_quirk(void) { return NULL; }

int sock_last_error(void) { return errno; }

const char *sock_err_name(int code)
{
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {EWOULDBLOCK, "EWOULDBLOCK"}, {EAGAIN, "EAGAIN"},           {EINTR, "EINTR"},
        {EINPROGRESS, "EINPROGRESS"}, {EALREADY, "EALREADY"},       {ECONNRESET, "ECONNRESET"},
        {ECONNABORTED, "ECONNABORTED"}, {ECONNREFUSED, "ECONNREFUSED"}, {EPIPE, "EPIPE"},
        {ENETRESET, "ENETRESET"},     {ETIMEDOUT, "ETIMEDOUT"},     {ENOTCONN, "ENOTCONN"},
        {EADDRINUSE, "EADDRINUSE"},   {EADDRNOTAVAIL, "EADDRNOTAVAIL"}, {EACCES, "EACCES"},
        {EINVAL, "EINVAL"},           {EBADF, "EBADF"},             {ENOTSOCK, "ENOTSOCK"},
        {EMFILE, "EMFILE"},           {ENFILE, "ENFILE"},           {ENOBUFS, "ENOBUFS"},
        {ENOMEM, "ENOMEM"},           {ENOPROTOOPT, "ENOPROTOOPT"}, {EOPNOTSUPP, "EOPNOTSUPP"},
        {EHOSTUNREACH, "EHOSTUNREACH"}, {ENETUNREACH, "ENETUNREACH"}, {EPERM, "EPERM"},
        {EISCONN, "EISCONN"},         {EAFNOSUPPORT, "EAFNOSUPPORT"},
    };
    static char unknown[32];
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == code)
            return names[i].name;
    snprintf(unknown, sizeof unknown, "E?%d", code);
    return unknown;
}

const char *sock_err_text(int code, char *buf, size_t len)
{
    snprintf(buf, len, "%s (%s)", strerror(code), sock_err_name(code));
    return buf;
}

int sock_err_is_retriable(int code)
{
    return code == EAGAIN || code == EWOULDBLOCK || code == EINTR || code == EINPROGRESS;
}

int sock_err_is_reset(int code)
{
    return code == ECONNRESET || code == ECONNABORTED || code == EPIPE || code == ENETRESET;
}

int sock_err_is_fd_limit(int code)
{
    return code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

sock_t sock_tcp_socket(int family, char *err)
{
    int fd = socket(family, SOCK_STREAM, IPPROTO_TCP);
    if (fd < 0) {
        fail(err, "socket", NULL);
        return SOCK_INVALID;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

static int resolve_addr(const char *host, uint16_t port, int passive, struct sockaddr_storage *ss,
                        socklen_t *sslen, char *err)
{
    struct addrinfo hints, *res = NULL;
    char portbuf[8];
    int rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    snprintf(portbuf, sizeof portbuf, "%u", (unsigned)port);
    rc = getaddrinfo(host, portbuf, &hints, &res);
    if (rc != 0 || res == NULL) {
        if (err != NULL)
            snprintf(err, SOCK_ERR_LEN, "cannot resolve '%s': %s", host ? host : "*", gai_strerror(rc));
        errno = EINVAL;
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sslen = (socklen_t)res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

sock_t sock_listen_tcp(const char *host, uint16_t port, int backlog, char *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int fd, one = 1;
    if (resolve_addr(host, port, 1, &ss, &sslen, err) != 0)
        return SOCK_INVALID;
    fd = sock_tcp_socket(ss.ss_family, err);
    if (fd == SOCK_INVALID)
        return SOCK_INVALID;
    /* Lessons restart servers on ports whose old connections sit in TIME_WAIT. */
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
        int code = errno;
        fail_msg(err, code, "bind %s:%u", host ? host : "*", (unsigned)port);
        close(fd);
        errno = code;
        return SOCK_INVALID;
    }
    if (listen(fd, backlog) != 0) {
        int code = errno;
        fail_msg(err, code, "listen");
        close(fd);
        errno = code;
        return SOCK_INVALID;
    }
    return fd;
}

static int connect_addr(int fd, const struct sockaddr_storage *ss, socklen_t sslen, int timeout_ms,
                        const char *host, uint16_t port, char *err)
{
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    int so_err = 0;
    socklen_t len = sizeof so_err;
    if (timeout_ms <= 0) {
        if (connect(fd, (const struct sockaddr *)ss, sslen) == 0)
            return 0;
        fail_msg(err, errno, "connect %s:%u", host, (unsigned)port);
        return -1;
    }
    if (sock_set_nonblocking(fd, 1, err) != 0)
        return -1;
    if (connect(fd, (const struct sockaddr *)ss, sslen) != 0) {
        int rc;
        if (errno != EINPROGRESS) {
            fail_msg(err, errno, "connect %s:%u", host, (unsigned)port);
            return -1;
        }
        rc = sock_wait(fd, 1, timeout_ms);
        if (rc == 0) {
            fail_msg(err, ETIMEDOUT, "connect %s:%u (no answer in %d ms)", host, (unsigned)port, timeout_ms);
            return -1;
        }
        /* Connected means "has a peer". Reading SO_ERROR first would be wrong twice: a peer
         * that accepts and resets at once makes a completed connect look failed, and reading
         * SO_ERROR clears the ECONNRESET that the next recv() must report. */
        if (getpeername(fd, (struct sockaddr *)&peer, &plen) != 0) {
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_err, &len) != 0 || so_err == 0)
                so_err = so_err ? so_err : ECONNREFUSED;
            fail_msg(err, so_err, "connect %s:%u", host, (unsigned)port);
            return -1;
        }
    }
    return sock_set_nonblocking(fd, 0, err);
}

int sock_connect(sock_t s, const char *host, uint16_t port, int timeout_ms, char *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (resolve_addr(host, port, 0, &ss, &sslen, err) != 0)
        return -1;
    return connect_addr(s, &ss, sslen, timeout_ms, host, port, err);
}

int sock_host_family(const char *host, char *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (resolve_addr(host, 0, 0, &ss, &sslen, err) != 0)
        return -1;
    return ss.ss_family;
}

sock_t sock_connect_tcp(const char *host, uint16_t port, int timeout_ms, char *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int fd;
    if (resolve_addr(host, port, 0, &ss, &sslen, err) != 0)
        return SOCK_INVALID;
    fd = sock_tcp_socket(ss.ss_family, err);
    if (fd == SOCK_INVALID)
        return SOCK_INVALID;
    if (connect_addr(fd, &ss, sslen, timeout_ms, host, port, err) != 0) {
        int code = errno;
        close(fd);
        errno = code;
        return SOCK_INVALID;
    }
    return fd;
}

sock_t sock_connect_tcp_start(const char *host, uint16_t port, char *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int fd;
    if (resolve_addr(host, port, 0, &ss, &sslen, err) != 0)
        return SOCK_INVALID;
    fd = sock_tcp_socket(ss.ss_family, err);
    if (fd == SOCK_INVALID)
        return SOCK_INVALID;
    if (sock_set_nonblocking(fd, 1, err) != 0 ||
        (connect(fd, (struct sockaddr *)&ss, sslen) != 0 && errno != EINPROGRESS)) {
        int code = errno;
        fail_msg(err, code, "connect %s:%u", host, (unsigned)port);
        close(fd);
        errno = code;
        return SOCK_INVALID;
    }
    return fd;
}

int sock_connect_result(sock_t s)
{
    int so_err = 0;
    socklen_t len = sizeof so_err;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &so_err, &len) != 0)
        return errno;
    return so_err;
}

sock_t sock_accept(sock_t lsock, char *err)
{
    int fd = accept(lsock, NULL, NULL);
    if (fd < 0) {
        fail(err, "accept", NULL);
        return SOCK_INVALID;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

int sock_close(sock_t s) { return close(s); }

int sock_shutdown(sock_t s, enum sock_how how, char *err)
{
    static const int hows[] = {SHUT_RD, SHUT_WR, SHUT_RDWR};
    static const char *names[] = {"SHUT_RD", "SHUT_WR", "SHUT_RDWR"};
    if (shutdown(s, hows[how]) != 0)
        return fail(err, "shutdown %s", names[how]);
    return 0;
}

/* ---- data --------------------------------------------------------------------------------- */

long sock_send(sock_t s, const void *buf, size_t len)
{
    return (long)send(s, buf, len, MSG_NOSIGNAL);
}

long sock_recv(sock_t s, void *buf, size_t len) { return (long)recv(s, buf, len, 0); }

/* ---- addresses ---------------------------------------------------------------------------- */

static uint16_t port_of(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)ss)->sin_port);
    if (ss->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return 0;
}

uint16_t sock_local_port(sock_t s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(s, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    return port_of(&ss);
}

uint16_t sock_peer_port(sock_t s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(s, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    return port_of(&ss);
}

static int name_of(const struct sockaddr_storage *ss, char *addr, size_t len, uint16_t *port)
{
    const void *a = ss->ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
                                              : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
    if (inet_ntop(ss->ss_family, a, addr, (socklen_t)len) == NULL)
        return -1;
    *port = port_of(ss);
    return 0;
}

int sock_local_name(sock_t s, char *addr, size_t len, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(s, (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    return name_of(&ss, addr, len, port);
}

int sock_peer_name(sock_t s, char *addr, size_t len, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getpeername(s, (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    return name_of(&ss, addr, len, port);
}

int sock_resolve(const char *host, char *buf, size_t len, char *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    const void *addr;
    if (resolve_addr(host, 0, 0, &ss, &sslen, err) != 0)
        return -1;
    addr = ss.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
                                   : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
    if (inet_ntop(ss.ss_family, addr, buf, (socklen_t)len) == NULL)
        return fail(err, "inet_ntop", NULL);
    return 0;
}

/* ---- options ------------------------------------------------------------------------------ */

int sock_set_nonblocking(sock_t s, int on, char *err)
{
    int flags = fcntl(s, F_GETFL, 0);
    if (flags < 0)
        return fail(err, "fcntl F_GETFL", NULL);
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (fcntl(s, F_SETFL, flags) != 0)
        return fail(err, "fcntl F_SETFL O_NONBLOCK", NULL);
    return 0;
}

int sock_set_linger(sock_t s, int onoff, int seconds, char *err)
{
    struct linger lg;
    lg.l_onoff = onoff ? 1 : 0;
    lg.l_linger = seconds;
    if (setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
        return fail(err, "setsockopt SO_LINGER", NULL);
    return 0;
}

int sock_get_linger(sock_t s, int *onoff, int *seconds, char *err)
{
    struct linger lg;
    socklen_t len = sizeof lg;
    memset(&lg, 0, sizeof lg);
    if (getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len) != 0)
        return fail(err, "getsockopt SO_LINGER", NULL);
    *onoff = lg.l_onoff != 0;
    *seconds = lg.l_linger;
    return 0;
}

int sock_set_bufsize(sock_t s, enum sock_buf which, int bytes, char *err)
{
    int opt = which == SOCK_SNDBUF ? SO_SNDBUF : SO_RCVBUF;
    if (setsockopt(s, SOL_SOCKET, opt, &bytes, sizeof bytes) != 0)
        return fail(err, "setsockopt %s", which == SOCK_SNDBUF ? "SO_SNDBUF" : "SO_RCVBUF");
    return 0;
}

int sock_get_bufsize(sock_t s, enum sock_buf which, int *bytes, char *err)
{
    int opt = which == SOCK_SNDBUF ? SO_SNDBUF : SO_RCVBUF;
    socklen_t len = sizeof *bytes;
    *bytes = 0;
    if (getsockopt(s, SOL_SOCKET, opt, bytes, &len) != 0)
        return fail(err, "getsockopt %s", which == SOCK_SNDBUF ? "SO_SNDBUF" : "SO_RCVBUF");
    return 0;
}

int sock_set_nodelay(sock_t s, int on, char *err)
{
    if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0)
        return fail(err, "setsockopt TCP_NODELAY", NULL);
    return 0;
}

int sock_set_rcvlowat(sock_t s, int bytes, char *err)
{
    if (setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes) != 0)
        return fail(err, "setsockopt SO_RCVLOWAT", NULL);
    return 0;
}

int sock_set_reuseaddr(sock_t s, int on, char *err)
{
    if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0)
        return fail(err, "setsockopt SO_REUSEADDR", NULL);
    return 0;
}

int sock_set_keepalive(sock_t s, int idle_s, int intvl_s, int count, const char **path_out, char *err)
{
    int one = 1;
    if (path_out != NULL)
        *path_out = "none";
    if (setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) != 0)
        return fail(err, "setsockopt SO_KEEPALIVE", NULL);
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
    if (setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s) != 0)
        return fail(err, "setsockopt TCP_KEEPIDLE", NULL);
    if (setsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &intvl_s, sizeof intvl_s) != 0)
        return fail(err, "setsockopt TCP_KEEPINTVL", NULL);
    if (setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) != 0)
        return fail(err, "setsockopt TCP_KEEPCNT", NULL);
    if (path_out != NULL)
        *path_out = "TCP_KEEPIDLE/INTVL/CNT";
    return 0;
#else
    (void)idle_s;
    (void)intvl_s;
    (void)count;
    if (err != NULL)
        snprintf(err, SOCK_ERR_LEN, "keepalive timing: this platform has no TCP_KEEPIDLE/INTVL/CNT");
    return SOCK_UNSUPPORTED;
#endif
}
