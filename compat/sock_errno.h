/* sock_errno.h - portable names for the socket errors shared code tests for (after nginx's
 * ngx_errno.h, which maps NGX_ECONNREFUSED to WSAECONNREFUSED the same way). Each SOCK_E* is the
 * platform's own value (an errno on POSIX, a WSAE* code on Windows), so a code from
 * sock_last_error() or sock_connect_result() is compared as it is: `code == SOCK_ECONNREFUSED`.
 * Comparing names as strings is never needed; sock_err_name() is for people reading output.
 *
 * Included by compat/sock.h; nothing else needs to include it. */
#ifndef SOCKLAB_COMPAT_SOCK_ERRNO_H
#define SOCKLAB_COMPAT_SOCK_ERRNO_H

#ifdef _WIN32
#include <winsock2.h> /* already pulled in by libevent's util.h, which sock.h includes */

#define SOCK_EWOULDBLOCK WSAEWOULDBLOCK
/* Winsock has no EAGAIN: its "try again later" is WSAEWOULDBLOCK. */
#define SOCK_EAGAIN WSAEWOULDBLOCK
#define SOCK_EINTR WSAEINTR
#define SOCK_EINVAL WSAEINVAL
#define SOCK_ECONNREFUSED WSAECONNREFUSED
#define SOCK_ECONNRESET WSAECONNRESET
#define SOCK_ECONNABORTED WSAECONNABORTED
#define SOCK_ENETRESET WSAENETRESET
/* Winsock has no EPIPE. A send on a connection this end can no longer send on (after a local
 * shutdown of the write side) fails with WSAESHUTDOWN where Linux says EPIPE. */
#define SOCK_EPIPE WSAESHUTDOWN
#define SOCK_ETIMEDOUT WSAETIMEDOUT
#define SOCK_EADDRINUSE WSAEADDRINUSE
#define SOCK_EADDRNOTAVAIL WSAEADDRNOTAVAIL
#define SOCK_ENOBUFS WSAENOBUFS
#define SOCK_EMFILE WSAEMFILE
#define SOCK_EHOSTUNREACH WSAEHOSTUNREACH
#define SOCK_ENETUNREACH WSAENETUNREACH
#define SOCK_ENOTCONN WSAENOTCONN

#else
#include <errno.h>

#define SOCK_EWOULDBLOCK EWOULDBLOCK
/* The same value as EWOULDBLOCK on Linux and the BSDs, but POSIX allows two: test for both (or
 * ask sock_err_is_retriable()). */
#define SOCK_EAGAIN EAGAIN
#define SOCK_EINTR EINTR
#define SOCK_EINVAL EINVAL
#define SOCK_ECONNREFUSED ECONNREFUSED
#define SOCK_ECONNRESET ECONNRESET
#define SOCK_ECONNABORTED ECONNABORTED
#define SOCK_ENETRESET ENETRESET
#define SOCK_EPIPE EPIPE
#define SOCK_ETIMEDOUT ETIMEDOUT
#define SOCK_EADDRINUSE EADDRINUSE
#define SOCK_EADDRNOTAVAIL EADDRNOTAVAIL
#define SOCK_ENOBUFS ENOBUFS
#define SOCK_EMFILE EMFILE
#define SOCK_EHOSTUNREACH EHOSTUNREACH
#define SOCK_ENETUNREACH ENETUNREACH
#define SOCK_ENOTCONN ENOTCONN
#endif

#endif
