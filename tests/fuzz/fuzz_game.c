/* fuzz_game.c - libFuzzer target: the game server's real code (server/, less main.c) driven over
 * socket pairs. The input is a script of one-byte operations, most followed by their arguments:
 *
 *   0 open       a client connects (up to MAX_CLIENTS at once)
 *   1 write K N  client K sends the next N bytes of the input (frames, halves, junk)
 *   2 loop       one pass of the event loop: the server reads, answers, closes
 *   3 tick       a STATE tick now
 *   4 close K    client K closes its end (the server sees EOF, or a send fails)
 *   5 drain K    client K reads what the server sent it, so its output can flow
 *   6 later      the clock jumps 7 s: the sweep's deadlines pass (HELLO, a frame, idleness)
 *   7 half K     client K shuts down its sending side
 *
 * Every input starts a fresh server and ends by closing every client and tearing the server down,
 * so nothing carries over and a leak shows at the input that made it. The limits are small so that
 * short inputs reach them: rooms of 3, a 16 KiB output cap, 4 connections at most. */
#include <stdlib.h>
#include <string.h>

#include "server/game.h"

#define MAX_CLIENTS 6
#define LOOP_PASSES_AT_END 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct script {
    const uint8_t *p;
    size_t n, pos;
    sock_t client[MAX_CLIENTS];
    size_t nclients;
};

static int next(struct script *sc)
{
    return sc->pos < sc->n ? sc->p[sc->pos++] : -1;
}

static void setup(struct srv *s)
{
    memset(s, 0, sizeof *s);
    s->cfg.bind = "127.0.0.1";
    s->cfg.proto_name = "game";
    s->cfg.tick_hz = 20;
    s->cfg.room_size = 3;
    s->cfg.max_outbuf = 16384;
    s->cfg.quiet = 1;
    s->cfg.max_conns = 4;
    s->cfg.max_per_source = 2; /* socket pairs have no address: never counted, the path still runs */
    s->cfg.hello_timeout_s = 5;
    s->cfg.frame_timeout_s = 5;
    s->cfg.idle_timeout_s = 20;
    s->cfg.chat_rate = 5;
    s->cfg.chat_max = 64;
    s->cfg.ping_rate = 20;
    s->cfg.move_rate = 60;
    s->proto = &srv_game_proto;
    s->base = event_base_new();
    if (s->base == NULL || srv_conns_init(s) != 0 || srv_limits_start(s) != 0 || s->proto->start(s) != 0)
        abort();
}

static void teardown(struct srv *s, struct script *sc)
{
    size_t i;
    int pass;
    for (i = 0; i < sc->nclients; i++)
        sock_close(sc->client[i]);
    sc->nclients = 0;
    /* Let the server see every EOF and finish its closes, as it would, before the rest is freed. */
    for (pass = 0; pass < LOOP_PASSES_AT_END && s->n_live > 0; pass++)
        event_base_loop(s->base, EVLOOP_NONBLOCK);
    srv_conns_free_all(s);
    srv_limits_free(s);
    s->proto->free(s);
    event_base_free(s->base);
}

static sock_t pick(struct script *sc, size_t *k)
{
    int b = next(sc);
    if (sc->nclients == 0 || b < 0)
        return SOCK_INVALID;
    *k = (size_t)b % sc->nclients;
    return sc->client[*k];
}

static void drop_client(struct script *sc, size_t k)
{
    sock_close(sc->client[k]);
    sc->client[k] = sc->client[--sc->nclients];
}

static void step(struct srv *s, struct script *sc, int op)
{
    static uint8_t sink[65536];
    sock_t pair[2], c;
    size_t k = 0, len;
    int b;

    switch (op & 7) {
    case 0:
        if (sc->nclients < MAX_CLIENTS && sock_socketpair(pair, NULL) == 0) {
            sock_set_nonblocking(pair[0], 1, NULL);
            sock_set_nonblocking(pair[1], 1, NULL);
            sc->client[sc->nclients++] = pair[0];
            srv_on_accept(NULL, pair[1], NULL, 0, s);
        }
        break;
    case 1:
        if ((c = pick(sc, &k)) == SOCK_INVALID || (b = next(sc)) < 0)
            break;
        len = (size_t)b * 4 + 1; /* up to 1 KiB, so a whole frame fits in one step */
        if (len > sc->n - sc->pos)
            len = sc->n - sc->pos;
        (void)sock_send(c, sc->p + sc->pos, len);
        sc->pos += len;
        break;
    case 2:
        event_base_loop(s->base, EVLOOP_NONBLOCK);
        break;
    case 3:
        srv_rooms_tick(-1, 0, s);
        break;
    case 4:
        if (pick(sc, &k) != SOCK_INVALID)
            drop_client(sc, k);
        break;
    case 5:
        if ((c = pick(sc, &k)) != SOCK_INVALID)
            while (sock_recv(c, sink, sizeof sink) > 0)
                ;
        break;
    case 6:
        s->t0_us -= 7000000u;
        srv_limits_sweep(s);
        break;
    case 7:
        if ((c = pick(sc, &k)) != SOCK_INVALID)
            sock_shutdown(c, SOCK_SHUT_WR, NULL);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    static struct srv s;
    struct script sc;
    int op;

    if (!once) {
        char err[SOCK_ERR_LEN];
        if (sock_init(err) != 0) /* on POSIX: SIGPIPE ignored, as in the server */
            abort();
        once = 1;
    }
    memset(&sc, 0, sizeof sc);
    sc.p = data;
    sc.n = size;
    setup(&s);
    while ((op = next(&sc)) >= 0)
        step(&s, &sc, op);
    teardown(&s, &sc);
    return 0;
}
