/* sock_sys.h - compat's private per-platform primitive layer (libuv keeps uv-common.c over unix/
 * and win/ the same way). It holds what differs between Winsock and POSIX at the level of single
 * calls: the system headers, the socket-handle cast, the socket length type, the thread's last
 * error, shutdown's constants; and declares the few primitives each platform file implements
 * (sock_posix.c, sock_win32.c) and the helpers sock_common.c gives the platform files.
 *
 * Included by the .c files of compat/ only, and first: on POSIX it sets the feature macros the
 * system headers read, and it includes compat/sock.h after the system headers (Winsock's must come
 * before anything that includes <windows.h>). */
#ifndef SOCKLAB_COMPAT_SOCK_SYS_H
#define SOCKLAB_COMPAT_SOCK_SYS_H

#ifdef _WIN32
/* TCP_INFO_v0/v1 and SIO_TCP_INFO are declared only for NTDDI_VERSION >= NTDDI_WIN10_RS2 / RS5. Both
 * the Windows SDK (given _WIN32_WINNT=0x0A00) and MinGW-w64 default to the plain WIN10 value, so ask
 * for RS5 (0x0A000006) explicitly. This only affects declarations; the calls are probed at run
 * time and fail cleanly on older systems. */
#if !defined(NTDDI_VERSION) || NTDDI_VERSION < 0x0A000006
#undef NTDDI_VERSION
#define NTDDI_VERSION 0x0A000006
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
#include <windows.h>
#include <iphlpapi.h>

typedef int sys_socklen; /* Winsock lengths are int */
#define SYS_SOCKET(s) ((SOCKET)(s))

#define SYS_SHUT_RD SD_RECEIVE
#define SYS_SHUT_WR SD_SEND
#define SYS_SHUT_RDWR SD_BOTH
#define SYS_SHUT_NAMES "SD_RECEIVE", "SD_SEND", "SD_BOTH"

/* Room for the two halves of an error message. FormatMessage's texts run long (WSAETIMEDOUT's is
 * 180 characters), so the text gets more room here and a long one is cut at SOCK_ERR_LEN. */
#define SYS_ERR_WHAT_LEN 112
#define SYS_ERR_TEXT_LEN 128

static inline int sys_last_error(void) { return WSAGetLastError(); }
static inline void sys_set_error(int code) { WSASetLastError(code); }

/* inet_ntop: the Windows SDK takes const VOID *, Wine's SDK headers say PVOID, and the length is a
 * size_t. The cast suits both. */
static inline const char *sys_ntop(int family, const void *addr, char *buf, size_t len)
{
    return inet_ntop(family, (void *)addr, buf, len);
}

#else /* POSIX */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* MSG_NOSIGNAL, TCP_KEEPIDLE (the build is -std=c11, not gnu11) */
#endif

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
/* sock_linux.c reads the kernel's own struct tcp_info (glibc's stops before notsent_bytes and
 * snd_wnd), and <linux/tcp.h> cannot stand beside <netinet/tcp.h>: it asks for it instead. */
#ifdef COMPAT_LINUX_TCP_H
#include <linux/tcp.h>
#else
#include <netinet/tcp.h>
#endif

typedef socklen_t sys_socklen;
#define SYS_SOCKET(s) (s)

#define SYS_SHUT_RD SHUT_RD
#define SYS_SHUT_WR SHUT_WR
#define SYS_SHUT_RDWR SHUT_RDWR
#define SYS_SHUT_NAMES "SHUT_RD", "SHUT_WR", "SHUT_RDWR"

/* Sized so that "<what>: <text> (<NAME>)" always fits SOCK_ERR_LEN: strerror's texts are short. */
#define SYS_ERR_WHAT_LEN 80
#define SYS_ERR_TEXT_LEN 100

static inline int sys_last_error(void) { return errno; }
static inline void sys_set_error(int code) { errno = code; }

static inline const char *sys_ntop(int family, const void *addr, char *buf, size_t len)
{
    return inet_ntop(family, addr, buf, (socklen_t)len);
}
#endif

#include <stdint.h>

#include "compat/sock.h"

/* ---- given by each platform file (sock_posix.c, sock_win32.c) ------------------------------- */

/* getaddrinfo failed with rc (or found nothing, rc 0): fills text with the reason and returns the
 * error code the caller leaves as the thread's last error. */
int sys_resolve_failed(int rc, char *text, size_t len);
/* Whether a non-blocking connect() that failed with `code` is merely under way. */
int sys_connect_pending(int code);
/* Waits up to timeout_ms for a connect under way. Returns 1 when it finished (*code: 0 connected,
 * else its error), 0 when the time ran out, -1 when the wait itself (Windows' select) failed
 * (*code: that error). */
int sys_connect_wait(sock_t s, int timeout_ms, int *code);
/* Options a listening socket gets before bind (see each platform's reasons). */
void sys_prepare_listener(sock_t s);

/* ---- given by sock_common.c to the platform files ---------------------------------------------- */

/* The one error formatter (after redis anetSetError): fills err, when not NULL, with
 * "<what>: <text> (<NAME>)", what being fmt's expansion ("setsockopt SO_LINGER"), and leaves `code`
 * as the thread's last error so sock_last_error() still reads it after the formatting calls.
 * Returns -1. */
int compat_fail_msg(char *err, int code, const char *fmt, ...);
/* The common case: the call `what` just failed and the thread's last error says why. Returns -1. */
int compat_fail(char *err, const char *what);
/* Closes s and leaves the thread's last error as it was (the caller reports the earlier failure). */
void compat_close_keep_error(sock_t s);
/* Whether a socket-table row with ports a and b passes the filter ports[0..nports-1] (all do when
 * nports is 0). */
int compat_port_wanted(const uint16_t *ports, size_t nports, uint16_t a, uint16_t b);

#endif
