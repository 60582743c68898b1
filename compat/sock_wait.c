/* sock_wait.c - waiting for one socket with libevent, so scripted lesson steps use the same event
 * mechanism as the server (epoll on Linux, select on Windows) instead of a hand-rolled poll(). */
#include "compat/sock.h"

#include <stdlib.h>

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

struct sock_waiter {
    struct event_base *base;
};

struct sock_waiter *sock_waiter_new(void)
{
    struct sock_waiter *w = malloc(sizeof *w);
    struct event_config *cfg = event_config_new();
    if (w == NULL || cfg == NULL) {
        free(w);
        if (cfg != NULL)
            event_config_free(cfg);
        return NULL;
    }
    /* One thread owns a waiter, so the base needs no locks. */
    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
    w->base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (w->base == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

void sock_waiter_free(struct sock_waiter *w)
{
    if (w == NULL)
        return;
    event_base_free(w->base);
    free(w);
}

int sock_waiter_wait(struct sock_waiter *w, sock_t s, int want_write, int timeout_ms)
{
    struct wait_state st = {-1};
    struct timeval tv;
    int rc;
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    rc = event_base_once(w->base, s, want_write ? EV_WRITE : EV_READ, on_ready, &st, &tv);
    if (rc == 0)
        rc = event_base_dispatch(w->base);
    if (rc < 0 || st.fired < 0)
        return -1;
    return st.fired;
}

/* A private waiter per call: lessons wait from several threads at once, and an event_base must
 * not be shared between threads. */
int sock_wait(sock_t s, int want_write, int timeout_ms)
{
    struct sock_waiter *w = sock_waiter_new();
    int rc;
    if (w == NULL)
        return -1;
    rc = sock_waiter_wait(w, s, want_write, timeout_ms);
    sock_waiter_free(w);
    return rc;
}
