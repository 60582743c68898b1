/* attack.c - socklab-attack: what a hostile student does to socklab-server --proto game, bounded in
 * connections and time, for bench/attack.sh (the load-under-attack check). Linux only, like the
 * rest of bench/; it talks to the server through compat/ like any client.
 *
 *   socklab-attack MODE --port P [--from ADDRS] [--count N] [--seconds S]
 *
 * Modes (each keeps --count connections going for --seconds, reopening what the server closes):
 *   silent     connections that never say anything
 *   slowloris  HELLO, then a MOVE one byte at a time, a byte a second
 *   chatflood  HELLO, then 256-byte CHATs as fast as the socket takes them
 *   pingflood  HELLO, then PINGs as fast as the socket takes them
 *   garbage    64 KiB of random bytes, then close, again and again
 * --from: a comma-separated list of source addresses (127.0.0.2,...) used in turn, so one attacker
 * can stand for several machines; default 127.0.0.2.
 *
 * Prints one line: mode=... opened=... refused=... closed_by_server=... sent_bytes=... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/proto.h"
#include "compat/os.h"
#include "compat/sock.h"

#define PROG "socklab-attack"
#define MAX_COUNT 20000
#define MAX_FROM 16
#define TICK_MS 20 /* one pass over the connections */

enum mode { SILENT, SLOWLORIS, CHATFLOOD, PINGFLOOD, GARBAGE };

struct att {
    sock_t fd;
    uint64_t next_us; /* slowloris: the next byte */
    size_t sent;      /* of the current frame (slowloris) or blob (garbage) */
};

static const char *from[MAX_FROM];
static int nfrom, next_from;
static uint16_t port;
static unsigned long opened, refused, closed, sent_bytes;
static uint8_t blob[65536];

static sock_t open_one(void)
{
    char err[SOCK_ERR_LEN];
    const char *src = from[next_from++ % nfrom];
    sock_t s = sock_tcp_socket(sock_host_family("127.0.0.1", err), err);
    if (s == SOCK_INVALID)
        return SOCK_INVALID;
    if (sock_bind_local(s, src, 0, err) != 0 || sock_connect(s, "127.0.0.1", port, 1000, err) != 0) {
        sock_close(s);
        refused++;
        return SOCK_INVALID;
    }
    sock_set_nonblocking(s, 1, NULL);
    opened++;
    return s;
}

static void send_some(struct att *a, const void *p, size_t n)
{
    long k = sock_send(a->fd, p, n);
    if (k > 0)
        sent_bytes += (unsigned long)k;
}

/* Starts a connection's attack: the greeting the mode needs. */
static void begin(struct att *a, enum mode m)
{
    uint8_t f[64];
    a->sent = 0;
    a->next_us = os_now_us();
    if ((a->fd = open_one()) == SOCK_INVALID)
        return;
    if (m == SLOWLORIS || m == CHATFLOOD || m == PINGFLOOD)
        send_some(a, f, proto_encode_hello("attacker", f, sizeof f));
}

/* Reads what the server sent; 1 when it closed the connection. */
static int server_closed(struct att *a)
{
    static uint8_t sink[65536];
    for (;;) {
        long n = sock_recv(a->fd, sink, sizeof sink);
        if (n > 0)
            continue;
        return n == 0 || !sock_err_is_retriable(sock_last_error());
    }
}

static void work(struct att *a, enum mode m, uint64_t now)
{
    static uint8_t chat[PROTO_HDR_LEN + 256], pings[64 * 11], move[8];
    static size_t nchat, npings, nmove;
    size_t i;
    if (nchat == 0) {
        char text[257];
        memset(text, 'a', 256);
        text[256] = '\0';
        nchat = proto_encode_text(PROTO_CHAT, text, chat, sizeof chat);
        for (i = 0; i < 64; i++)
            npings += proto_encode_ping(PROTO_PING, i, pings + npings, sizeof pings - npings);
        nmove = proto_encode_move(1, 1, move, sizeof move);
    }
    switch (m) {
    case SILENT:
        break;
    case SLOWLORIS:
        if (now >= a->next_us) {
            send_some(a, move + a->sent % nmove, 1);
            a->sent++;
            a->next_us = now + 1000000u;
        }
        break;
    case CHATFLOOD:
        for (i = 0; i < 64; i++)
            send_some(a, chat, nchat);
        break;
    case PINGFLOOD:
        send_some(a, pings, npings);
        break;
    case GARBAGE:
        send_some(a, blob, sizeof blob);
        sock_close(a->fd);
        a->fd = SOCK_INVALID;
        break;
    }
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"silent", "slowloris", "chatflood", "pingflood", "garbage"};
    const char *pos[1], *from_list = "127.0.0.2";
    int npos, count = 100, i;
    double seconds = 10;
    const struct cli_opt opts[] = {
        {"port", CLI_PORT, &port, 0, 0, "--port P        the server's port"},
        {"from", CLI_STR, &from_list, 0, 0, "--from A,B,...  source addresses, used in turn (default 127.0.0.2)"},
        {"count", CLI_INT, &count, 1, MAX_COUNT, "--count N       connections kept going at once (default 100)"},
        {"seconds", CLI_DOUBLE, &seconds, 0.1, 3600, "--seconds S     how long (default 10)"},
        {NULL, CLI_FLAG, NULL, 0, 0, NULL}};
    char err[SOCK_ERR_LEN], *list;
    struct att *a;
    enum mode m = SILENT;
    uint64_t end, rng = 88172645463325252ull;
    size_t k;

    cli_parse(PROG, "silent|slowloris|chatflood|pingflood|garbage --port P [options]", opts, argc, argv, 1, pos, 1,
              &npos);
    if (npos != 1)
        cli_fail(PROG, "name the attack: silent, slowloris, chatflood, pingflood or garbage");
    for (i = 0; i < 5 && strcmp(pos[0], names[i]) != 0; i++)
        ;
    if (i == 5)
        cli_fail(PROG, "'%s' is not an attack (silent, slowloris, chatflood, pingflood, garbage)", pos[0]);
    m = (enum mode)i;
    if (port == 0)
        cli_fail(PROG, "--port: the server's port is needed");
    list = malloc(strlen(from_list) + 1);
    a = calloc((size_t)count, sizeof *a);
    if (list == NULL || a == NULL || sock_init(err) != 0)
        cli_fail(PROG, "cannot start: %s", list == NULL || a == NULL ? "out of memory" : err);
    strcpy(list, from_list);
    for (char *t = strtok(list, ","); t != NULL && nfrom < MAX_FROM; t = strtok(NULL, ","))
        from[nfrom++] = t;
    if (nfrom == 0)
        cli_fail(PROG, "--from: no address");
    if (os_raise_fd_limit(count + 64) < count + 16)
        cli_fail(PROG, "--count %d: the open-files limit is too low", count);
    for (k = 0; k < sizeof blob; k++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        blob[k] = (uint8_t)rng;
    }
    for (i = 0; i < count; i++)
        a[i].fd = SOCK_INVALID;
    end = os_now_us() + (uint64_t)(seconds * 1e6);
    while (os_now_us() < end) { /* bounded by time; each pass touches each connection once */
        uint64_t now = os_now_us();
        for (i = 0; i < count && os_now_us() < end; i++) {
            if (a[i].fd == SOCK_INVALID) {
                begin(&a[i], m);
                continue;
            }
            if (server_closed(&a[i])) {
                closed++;
                sock_close(a[i].fd);
                a[i].fd = SOCK_INVALID;
                continue;
            }
            work(&a[i], m, now);
        }
        os_sleep_ms(m == CHATFLOOD || m == PINGFLOOD || m == GARBAGE ? 1 : TICK_MS);
    }
    for (i = 0; i < count; i++)
        if (a[i].fd != SOCK_INVALID)
            sock_close(a[i].fd);
    printf("mode=%s opened=%lu refused=%lu closed_by_server=%lu sent_bytes=%lu\n", names[m], opened, refused, closed,
           sent_bytes);
    free(a);
    free(list);
    sock_cleanup();
    return 0;
}
