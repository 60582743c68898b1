/* capture_none.c - capture.h where socklab was built without libpcap: say so. */
#include "compat/capture.h"

#include <stdio.h>

#include "compat/sock.h"

struct capture *capture_start(uint16_t port, int snaplen, char *err)
{
    (void)port, (void)snaplen;
    if (err != NULL)
        snprintf(err, SOCK_ERR_LEN, "capture: this socklab was built without libpcap (apt-get install libpcap-dev)");
    return NULL;
}

int capture_poll(struct capture *c, capture_fn fn, void *arg)
{
    (void)c, (void)fn, (void)arg;
    return -1;
}

int capture_linktype(const struct capture *c)
{
    (void)c;
    return -1;
}

const char *capture_iface(const struct capture *c)
{
    (void)c;
    return "";
}

long capture_dropped(struct capture *c)
{
    (void)c;
    return -1;
}

void capture_stop(struct capture *c) { (void)c; }
