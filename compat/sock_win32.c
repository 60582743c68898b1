/* sock_win32.c - the Winsock 2.2 side of compat/sock.h (MSVC, MinGW-w64 and clang): what
 * sock_common.c cannot say once because the call or its meaning differs from POSIX. The POSIX twin
 * is sock_posix.c; the kernel views are in sock_win32_views.c (sock_linux.c's twin). Keep the
 * pairs saying the same things.
 *
 * Notes that matter for the lessons:
 *  - Error codes are WSAGetLastError() values (WSAECONNRESET = 10054, ...), never errno.
 *  - closesocket with SO_LINGER {1,N>0} on a NON-blocking socket fails with WSAEWOULDBLOCK and the
 *    handle stays open (Linux close() blocks instead); {1,0} resets the connection. */
#include "compat/sock_sys.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Per-socket keepalive timing (Windows 10 1709+; TCP_KEEPCNT is listed from 1703). The Windows SDK
 * defines these in ws2ipdef.h; MinGW-w64 10 and Wine 8's headers do not. */
#ifndef TCP_KEEPALIVE
#define TCP_KEEPALIVE 3
#endif
#ifndef TCP_KEEPIDLE
#define TCP_KEEPIDLE TCP_KEEPALIVE
#endif
#ifndef TCP_KEEPCNT
#define TCP_KEEPCNT 16
#endif
#ifndef TCP_KEEPINTVL
#define TCP_KEEPINTVL 17
#endif

#ifndef WSA_FLAG_NO_HANDLE_INHERIT
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#endif

/* ---- process setup ---------------------------------------------------------------------------- */

int sock_init(char *err)
{
    WSADATA wsa;
    int rc = WSAStartup(MAKEWORD(2, 2), &wsa); /* returns the error; WSAGetLastError is not set */
    if (rc != 0)
        return compat_fail_msg(err, rc, "WSAStartup 2.2");
    if (LOBYTE(wsa.wVersion) != 2 || HIBYTE(wsa.wVersion) != 2) {
        WSACleanup();
        return compat_fail_msg(err, WSAVERNOTSUPPORTED, "WSAStartup 2.2 (got %d.%d)", LOBYTE(wsa.wVersion),
                               HIBYTE(wsa.wVersion));
    }
    return 0;
}

void sock_cleanup(void) { WSACleanup(); }

const char *sock_platform(void) { return "windows"; }

const char *sock_runtime_quirk(void)
{
    /* Wine's ntdll exports wine_get_version; Windows' does not. Only its presence matters, so the
     * FARPROC is never called (and never cast). */
    static volatile LONG state = 0; /* 0 unknown, 1 Windows, 2 Wine */
    if (state == 0) {
        HMODULE ntdll = GetModuleHandleA("ntdll.dll");
        LONG v = (ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL) ? 2 : 1;
        InterlockedExchange(&state, v);
    }
    return state == 2 ? "wine" : NULL;
}

/* ---- errors ------------------------------------------------------------------------------------ */

int sock_last_error(void) { return WSAGetLastError(); }

/* Names, and short texts for when FormatMessage has none (Wine lacks many WSA message texts). */
#define E(c, text) {c, #c, text}
static const struct {
    int code;
    const char *name;
    const char *text;
} wsa_errors[] = {
    E(WSAEINTR, "Interrupted function call"), E(WSAEBADF, "Bad file handle"),
    E(WSAEACCES, "Permission denied"), E(WSAEFAULT, "Bad address"), E(WSAEINVAL, "Invalid argument"),
    E(WSAEMFILE, "Too many open sockets"), E(WSAEWOULDBLOCK, "Operation would block"),
    E(WSAEINPROGRESS, "Operation now in progress"), E(WSAEALREADY, "Operation already in progress"),
    E(WSAENOTSOCK, "Not a socket"), E(WSAEDESTADDRREQ, "Destination address required"),
    E(WSAEMSGSIZE, "Message too long"), E(WSAEPROTOTYPE, "Protocol wrong type for socket"),
    E(WSAENOPROTOOPT, "Bad protocol option"), E(WSAEPROTONOSUPPORT, "Protocol not supported"),
    E(WSAESOCKTNOSUPPORT, "Socket type not supported"), E(WSAEOPNOTSUPP, "Operation not supported"),
    E(WSAEPFNOSUPPORT, "Protocol family not supported"),
    E(WSAEAFNOSUPPORT, "Address family not supported"), E(WSAEADDRINUSE, "Address already in use"),
    E(WSAEADDRNOTAVAIL, "Cannot assign requested address"), E(WSAENETDOWN, "Network is down"),
    E(WSAENETUNREACH, "Network is unreachable"), E(WSAENETRESET, "Network dropped connection on reset"),
    E(WSAECONNABORTED, "Software caused connection abort"), E(WSAECONNRESET, "Connection reset by peer"),
    E(WSAENOBUFS, "No buffer space available"), E(WSAEISCONN, "Socket is already connected"),
    E(WSAENOTCONN, "Socket is not connected"), E(WSAESHUTDOWN, "Cannot send after socket shutdown"),
    E(WSAETOOMANYREFS, "Too many references"), E(WSAETIMEDOUT, "Connection timed out"),
    E(WSAECONNREFUSED, "Connection refused"), E(WSAELOOP, "Cannot translate name"),
    E(WSAENAMETOOLONG, "Name too long"), E(WSAEHOSTDOWN, "Host is down"),
    E(WSAEHOSTUNREACH, "No route to host"), E(WSAEPROCLIM, "Too many processes"),
    E(WSASYSNOTREADY, "Network subsystem is unavailable"),
    E(WSAVERNOTSUPPORTED, "Winsock version out of range"),
    E(WSANOTINITIALISED, "WSAStartup not yet performed"), E(WSAEDISCON, "Graceful shutdown in progress"),
    E(WSAHOST_NOT_FOUND, "Host not found"), E(WSATRY_AGAIN, "Nonauthoritative host not found"),
    E(WSANO_RECOVERY, "Nonrecoverable name server error"), E(WSANO_DATA, "No data record of requested type"),
    E(WSATYPE_NOT_FOUND, "Class type not found"), E(WSA_IO_PENDING, "Overlapped operation in progress"),
    E(WSA_OPERATION_ABORTED, "Overlapped operation aborted"),
    /* Win32 codes the IP Helper calls return. */
    E(ERROR_INSUFFICIENT_BUFFER, "The data area passed to a system call is too small"),
    E(ERROR_NOT_SUPPORTED, "The request is not supported"),
    E(ERROR_INVALID_PARAMETER, "The parameter is incorrect"),
    E(ERROR_NOT_ENOUGH_MEMORY, "Not enough memory"), E(ERROR_NO_DATA, "No data"),
    E(ERROR_CALL_NOT_IMPLEMENTED, "This function is not supported on this system"),
};
#undef E

const char *sock_err_name(int code)
{
    /* Unknown codes are rare; a small ring keeps two threads from sharing one buffer. */
    static char unknown[8][24];
    static volatile LONG next = 0;
    char *buf;
    size_t i;
    for (i = 0; i < sizeof wsa_errors / sizeof wsa_errors[0]; i++)
        if (wsa_errors[i].code == code)
            return wsa_errors[i].name;
    buf = unknown[(unsigned long)InterlockedIncrement(&next) % 8u];
    snprintf(buf, sizeof unknown[0], "E?%d", code);
    return buf;
}

const char *sock_err_text(int code, char *buf, size_t len)
{
    char text[160];
    DWORD n, saved = GetLastError();
    size_t i;
    const DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                        FORMAT_MESSAGE_MAX_WIDTH_MASK;
    /* English first, so lesson output reads the same everywhere; else the user's language. */
    n = FormatMessageA(flags, NULL, (DWORD)code, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), text,
                       (DWORD)sizeof text, NULL);
    if (n == 0)
        n = FormatMessageA(flags, NULL, (DWORD)code, 0, text, (DWORD)sizeof text, NULL);
    if (n == 0) {
        snprintf(text, sizeof text, "Winsock error %d", code);
        for (i = 0; i < sizeof wsa_errors / sizeof wsa_errors[0]; i++)
            if (wsa_errors[i].code == code)
                snprintf(text, sizeof text, "%s", wsa_errors[i].text);
    } else {
        /* Trim the trailing blanks and period FormatMessage leaves. */
        size_t k = strlen(text);
        while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\r' || text[k - 1] == '\n' ||
                         text[k - 1] == '.'))
            text[--k] = '\0';
    }
    if (len > 0)
        snprintf(buf, len, "%s (%s)", text, sock_err_name(code));
    SetLastError(saved); /* WSAGetLastError() is GetLastError(): keep it for the caller */
    return buf;
}

int sock_err_is_fd_limit(int code) { return code == WSAEMFILE || code == WSAENOBUFS; }

/* ---- primitives for sock_common.c (sock_sys.h) --------------------------------------------------- */

int sys_resolve_failed(int rc, char *text, size_t len)
{
    /* Winsock's getaddrinfo errors are WSA codes (WSAHOST_NOT_FOUND, ...): keep the real one.
     * (POSIX reports EINVAL here, as EAI_* codes are not errno values.) */
    if (rc == 0)
        rc = WSAHOST_NOT_FOUND;
    sock_err_text(rc, text, len);
    return rc;
}

/* Winsock's "in progress" for a non-blocking connect is WSAEWOULDBLOCK (or WSAEINPROGRESS). */
int sys_connect_pending(int code) { return code == WSAEWOULDBLOCK || code == WSAEINPROGRESS; }

int sys_connect_wait(sock_t fd, int timeout_ms, int *code)
{
    SOCKET s = SYS_SOCKET(fd);
    fd_set wfds, efds;
    struct timeval tv;
    int rc, so_err = 0, len = (int)sizeof so_err;
    /* Plain select(), not sock_wait(): every libevent event_base on Windows opens a loopback
     * TCP socket pair for its notifications. A failed connect shows up in the except set
     * (not the write set) on Windows. fd_set is an array of handles here, so any SOCKET
     * value fits. */
    FD_ZERO(&wfds);
    FD_ZERO(&efds);
    FD_SET(s, &wfds);
    FD_SET(s, &efds);
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    rc = select(0, NULL, &wfds, &efds, &tv);
    if (rc == 0)
        return 0;
    if (rc < 0) {
        *code = WSAGetLastError();
        return -1;
    }
    *code = 0;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&so_err, &len) != 0 || so_err != 0 ||
        FD_ISSET(s, &efds)) {
        int e = so_err ? so_err : WSAGetLastError();
        *code = e ? e : WSAECONNREFUSED;
    }
    return 1;
}

void sys_prepare_listener(sock_t s)
{
    /* No SO_REUSEADDR here, unlike POSIX. Windows already lets a new listener bind a port whose
     * old connections sit in TIME_WAIT, and its SO_REUSEADDR means something else: it lets a
     * socket bind a port another socket is *actively* using (even listening on), so two servers
     * could share a port and steal each other's connections. (SO_EXCLUSIVEADDRUSE is no better
     * for lessons: it refuses the bind while the port's old connections are still closing.) */
    (void)s;
}

/* ---- lifecycle -------------------------------------------------------------------------------- */

/* Like FD_CLOEXEC on POSIX: child processes must not inherit lesson sockets. */
static void no_inherit(SOCKET s) { (void)SetHandleInformation((HANDLE)s, HANDLE_FLAG_INHERIT, 0); }

sock_t sock_tcp_socket(int family, char *err)
{
    /* WSA_FLAG_OVERLAPPED matches what socket() creates (libevent's IOCP path needs it). */
    SOCKET s = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET && WSAGetLastError() == WSAEINVAL) /* before Windows 7 SP1 */
        s = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) {
        compat_fail(err, "socket");
        return SOCK_INVALID;
    }
    no_inherit(s);
    return (sock_t)s;
}

sock_t sock_accept(sock_t lsock, char *err)
{
    SOCKET s = accept(SYS_SOCKET(lsock), NULL, NULL);
    u_long off = 0;
    if (s == INVALID_SOCKET) {
        compat_fail(err, "accept");
        return SOCK_INVALID;
    }
    no_inherit(s);
    /* A Winsock accepted socket inherits the listener's non-blocking mode; a POSIX one starts
     * blocking. Match POSIX. (This fails harmlessly if the listener used WSAEventSelect.) */
    (void)ioctlsocket(s, FIONBIO, &off);
    return (sock_t)s;
}

int sock_close(sock_t s) { return closesocket(SYS_SOCKET(s)) == 0 ? 0 : -1; }

int sock_socketpair(sock_t pair[2], char *err)
{
    /* Winsock has no socketpair(): libevent makes one from two loopback TCP sockets. */
    if (evutil_socketpair(AF_INET, SOCK_STREAM, 0, pair) != 0)
        return compat_fail(err, "socketpair (loopback TCP)");
    no_inherit(SYS_SOCKET(pair[0]));
    no_inherit(SYS_SOCKET(pair[1]));
    return 0;
}

/* ---- data ------------------------------------------------------------------------------------- */

/* Winsock lengths are int: clamp (a short write/read is allowed by the contract anyway). */
static int clamp_len(size_t len) { return len > (size_t)INT_MAX ? INT_MAX : (int)len; }

long sock_send(sock_t s, const void *buf, size_t len)
{
    /* No MSG_NOSIGNAL: Windows has no SIGPIPE; a send on a reset connection just fails. */
    int n = send(SYS_SOCKET(s), (const char *)buf, clamp_len(len), 0);
    return n == SOCKET_ERROR ? -1L : (long)n;
}

long sock_recv(sock_t s, void *buf, size_t len)
{
    int n = recv(SYS_SOCKET(s), (char *)buf, clamp_len(len), 0);
    return n == SOCKET_ERROR ? -1L : (long)n;
}

/* ---- options ---------------------------------------------------------------------------------- */

int sock_set_nonblocking(sock_t s, int on, char *err)
{
    u_long mode = on ? 1u : 0u;
    if (ioctlsocket(SYS_SOCKET(s), FIONBIO, &mode) != 0)
        return compat_fail(err, on ? "ioctlsocket FIONBIO 1" : "ioctlsocket FIONBIO 0");
    return 0;
}

int sock_set_linger(sock_t s, int onoff, int seconds, char *err)
{
    struct linger lg; /* Winsock: u_short l_onoff, l_linger */
    if (seconds < 0 || seconds > USHRT_MAX) {
        return compat_fail_msg(err, WSAEINVAL, "setsockopt SO_LINGER (%d s is outside 0..%u)", seconds,
                               (unsigned)USHRT_MAX);
    }
    lg.l_onoff = (u_short)(onoff ? 1 : 0);
    lg.l_linger = (u_short)seconds;
    if (setsockopt(SYS_SOCKET(s), SOL_SOCKET, SO_LINGER, (const char *)&lg, (int)sizeof lg) != 0)
        return compat_fail(err, "setsockopt SO_LINGER");
    return 0;
}

int sock_set_rcvlowat(sock_t s, int bytes, char *err)
{
    /* winsock2.h defines SO_RCVLOWAT (0x1004) "for backward compatibility" with BSD sockets, but the
     * Windows TCP/IP provider does not implement it (Microsoft's SOL_SOCKET options page): a receive
     * there completes on PSH, a full buffer or a timer, never on a byte count. Nothing is called, so
     * Wine, which could hand the option to its Linux kernel, behaves like Windows here. */
    (void)s;
    (void)bytes;
    if (err != NULL)
        snprintf(err, SOCK_ERR_LEN, "setsockopt SO_RCVLOWAT: not implemented by Winsock's TCP/IP provider");
    sys_set_error(WSAENOPROTOOPT);
    return SOCK_UNSUPPORTED;
}

int sock_set_keepalive(sock_t s, int idle_s, int intvl_s, int count, const char **path_out, char *err)
{
    SOCKET h = SYS_SOCKET(s);
    DWORD one = 1, v_idle = (DWORD)idle_s, v_intvl = (DWORD)intvl_s, v_cnt = (DWORD)count, ret = 0;
    struct tcp_keepalive ka;
    const char *failed;
    int failed_code;

    if (path_out != NULL)
        *path_out = "none";
    if (idle_s <= 0 || intvl_s <= 0 || count <= 0 || idle_s > INT_MAX / 1000 || intvl_s > INT_MAX / 1000) {
        return compat_fail_msg(err, WSAEINVAL, "keepalive timing (idle %d s, interval %d s, count %d)",
                               idle_s, intvl_s, count);
    }
    if (setsockopt(h, SOL_SOCKET, SO_KEEPALIVE, (const char *)&one, (int)sizeof one) != 0)
        return compat_fail(err, "setsockopt SO_KEEPALIVE");

    /* Windows 10 1709+: per-socket options in seconds, like Linux. */
    failed = NULL;
    if (setsockopt(h, IPPROTO_TCP, TCP_KEEPIDLE, (const char *)&v_idle, (int)sizeof v_idle) != 0)
        failed = "TCP_KEEPIDLE";
    else if (setsockopt(h, IPPROTO_TCP, TCP_KEEPINTVL, (const char *)&v_intvl, (int)sizeof v_intvl) != 0)
        failed = "TCP_KEEPINTVL";
    else if (setsockopt(h, IPPROTO_TCP, TCP_KEEPCNT, (const char *)&v_cnt, (int)sizeof v_cnt) != 0)
        failed = "TCP_KEEPCNT";
    if (failed == NULL) {
        if (path_out != NULL)
            *path_out = "TCP_KEEPIDLE/INTVL/CNT";
        return 0;
    }
    failed_code = WSAGetLastError();

    /* Older Windows (and Wine 8, which answers WSAENOPROTOOPT): SIO_KEEPALIVE_VALS takes
     * milliseconds and has no probe count: since Vista it is fixed at 10, so `count` is ignored. */
    ka.onoff = 1;
    ka.keepalivetime = (ULONG)idle_s * 1000u;
    ka.keepaliveinterval = (ULONG)intvl_s * 1000u;
    if (WSAIoctl(h, SIO_KEEPALIVE_VALS, &ka, (DWORD)sizeof ka, NULL, 0, &ret, NULL, NULL) != 0) {
        return compat_fail_msg(err, WSAGetLastError(), "WSAIoctl SIO_KEEPALIVE_VALS (after setsockopt %s: %s)",
                               failed, sock_err_name(failed_code));
    }
    if (path_out != NULL)
        *path_out = "SIO_KEEPALIVE_VALS";
    return 0;
}

