/* sock_posix.c - the POSIX side of compat/sock.h: what sock_common.c cannot say once because the
 * call or its meaning differs from Winsock (sock_win32.c is the twin; keep the two saying the same
 * things). The kernel views (TCP_INFO, queue sizes, the socket table) are per-kernel: sock_linux.c,
 * or sock_noviews.c which reports "unsupported". */
#include "compat/sock_sys.h"

#include <stdio.h>
#include <string.h>

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

/* ---- errors ------------------------------------------------------------------------------------ */

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

int sock_err_is_fd_limit(int code)
{
    return code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM;
}

/* ---- primitives for sock_common.c (sock_sys.h) ---------------------------------------------------- */

int sys_resolve_failed(int rc, char *text, size_t len)
{
    snprintf(text, len, "%s", gai_strerror(rc));
    return EINVAL; /* EAI_* codes are not errno values */
}

int sys_connect_pending(int code) { return code == EINPROGRESS; }

int sys_connect_wait(sock_t s, int timeout_ms, int *code)
{
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    int so_err = 0;
    socklen_t len = sizeof so_err;
    /* A failed wait is not reported on its own: the check below tells how the connect stands. */
    if (sock_wait(s, 1, timeout_ms) == 0)
        return 0;
    *code = 0;
    /* Connected means "has a peer". Reading SO_ERROR first would be wrong twice: a peer
     * that accepts and resets at once makes a completed connect look failed, and reading
     * SO_ERROR clears the ECONNRESET that the next recv() must report. */
    if (getpeername(s, (struct sockaddr *)&peer, &plen) != 0) {
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &so_err, &len) != 0 || so_err == 0)
            so_err = so_err ? so_err : ECONNREFUSED;
        *code = so_err;
    }
    return 1;
}

void sys_prepare_listener(sock_t s)
{
    int one = 1;
    /* Lessons restart servers on ports whose old connections sit in TIME_WAIT. */
    (void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

sock_t sock_tcp_socket(int family, char *err)
{
    int fd = socket(family, SOCK_STREAM, IPPROTO_TCP);
    if (fd < 0) {
        compat_fail(err, "socket");
        return SOCK_INVALID;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

sock_t sock_accept(sock_t lsock, char *err)
{
    int fd = accept(lsock, NULL, NULL);
    if (fd < 0) {
        compat_fail(err, "accept");
        return SOCK_INVALID;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

int sock_close(sock_t s) { return close(s); }

int sock_socketpair(sock_t pair[2], char *err)
{
    if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
        return compat_fail(err, "socketpair");
    (void)fcntl(pair[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(pair[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* ---- data --------------------------------------------------------------------------------- */

long sock_send(sock_t s, const void *buf, size_t len)
{
    return (long)send(s, buf, len, MSG_NOSIGNAL);
}

long sock_recv(sock_t s, void *buf, size_t len) { return (long)recv(s, buf, len, 0); }

/* ---- options ------------------------------------------------------------------------------ */

int sock_set_nonblocking(sock_t s, int on, char *err)
{
    int flags = fcntl(s, F_GETFL, 0);
    if (flags < 0)
        return compat_fail(err, "fcntl F_GETFL");
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (fcntl(s, F_SETFL, flags) != 0)
        return compat_fail(err, "fcntl F_SETFL O_NONBLOCK");
    return 0;
}

int sock_set_linger(sock_t s, int onoff, int seconds, char *err)
{
    struct linger lg;
    lg.l_onoff = onoff ? 1 : 0;
    lg.l_linger = seconds;
    if (setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
        return compat_fail(err, "setsockopt SO_LINGER");
    return 0;
}

int sock_set_rcvlowat(sock_t s, int bytes, char *err)
{
    if (setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes) != 0)
        return compat_fail(err, "setsockopt SO_RCVLOWAT");
    return 0;
}

int sock_set_keepalive(sock_t s, int idle_s, int intvl_s, int count, const char **path_out, char *err)
{
    int one = 1;
    if (path_out != NULL)
        *path_out = "none";
    if (setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) != 0)
        return compat_fail(err, "setsockopt SO_KEEPALIVE");
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
    if (setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s) != 0)
        return compat_fail(err, "setsockopt TCP_KEEPIDLE");
    if (setsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &intvl_s, sizeof intvl_s) != 0)
        return compat_fail(err, "setsockopt TCP_KEEPINTVL");
    if (setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) != 0)
        return compat_fail(err, "setsockopt TCP_KEEPCNT");
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
