/* sock_wait.c - waiting for one socket with libevent, so scripted lesson steps use the same event
 * mechanism as the server (epoll on Linux, select on Windows) instead of a hand-rolled poll(). */
#include "compat/sock.h"

#include <event2/event.h>

struct wait_state {
    int fired;
};

static void on_ready(evutil_socket_t fd, short what, void *arg)
{
    struct wait_state *w = arg;
    (void)fd;
    /* Ready wins over the timeout: libevent can report both in the same pass. */
    w->fired = (what & (EV_READ | EV_WRITE)) ? 1 : 0;
}

int sock_wait(sock_t s, int want_write, int timeout_ms)
{
    struct event_config *cfg;
    struct event_base *base;
    struct wait_state w = {-1};
    struct timeval tv;
    int rc;

    /* A private base per call: lessons wait from several threads at once, and an event_base
     * must not be shared between threads without libevent's locking. */
    cfg = event_config_new();
    if (cfg == NULL)
        return -1;
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (base == NULL)
        return -1;
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    rc = event_base_once(base, s, want_write ? EV_WRITE : EV_READ, on_ready, &w, &tv);
    if (rc == 0)
        rc = event_base_dispatch(base);
    event_base_free(base);
    if (rc < 0 || w.fired < 0)
        return -1;
    return w.fired;
}
