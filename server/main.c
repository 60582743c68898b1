/* main.c - socklab-server: options, start-up, and the orderly shutdown on SIGINT/SIGTERM.
 *
 *   socklab-server [--bind ADDR] [--port P] [--proto echo|game] [--lesson NAME] ...
 *
 * The one line on stdout, "socklab-server: listening on ADDR:PORT (proto P)", is the contract with
 * scripts and tests: they wait for it and read the port from it (the real one when --port 0). */
#include "server/server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/i18n.h"
#include "common/proto.h"
#include "lessons/engine/engine.h"

#define MAX_OUTBUF_MIN 8192L         /* room for at least one whole frame, pending */
#define MAX_OUTBUF_MAX (1L << 30)

/* --proto NAME: chosen once, here; conn.c calls the protocol only through this table entry. */
static const struct srv_proto *const protos[] = {&srv_echo_proto, &srv_game_proto};

/* --allow a,b,c: each a network (sock_cidr_parse); one bad entry ends the program with its reason. */
static void parse_allow(struct srv *s, const char *list)
{
    size_t n = 1, i = 0;
    const char *p = list;
    char item[80], err[SOCK_ERR_LEN];

    for (; *p != '\0'; p++)
        n += *p == ',';
    s->allow = calloc(n, sizeof *s->allow);
    if (s->allow == NULL)
        cli_fail(SRV_PROG, "out of memory");
    for (p = list; i < n; i++) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof item)
            cli_fail(SRV_PROG, "--allow: '%s' is not a list of networks (like 192.168.10.0/24,10.0.0.7)", list);
        memcpy(item, p, len);
        item[len] = '\0';
        if (sock_cidr_parse(item, &s->allow[i], err) != 0)
            cli_fail(SRV_PROG, "--allow: %s", err);
        p += len + 1;
    }
    s->n_allow = n;
}

static void parse_options(struct srv *s, int argc, char **argv)
{
    struct srv_config *c = &s->cfg;
    const struct cli_opt opts[] = {
        {"bind", CLI_STR, &c->bind, 0, 0, "--bind ADDR       address to listen on (default 127.0.0.1)"},
        {"port", CLI_PORT, &c->port, 0, 0, "--port P          port (default 7007; 0 = any free port)"},
        {"proto", CLI_STR, &c->proto_name, 0, 0, "--proto P         echo or game (default echo)"},
        {"lesson", CLI_STR, &c->lesson_name, 0, 0, "--lesson NAME     serve the server side of a lesson"},
        {"tick-hz", CLI_INT, &c->tick_hz, 1, 1000,
         "--tick-hz N       game: STATE frames per second (default 20)"},
        {"room-size", CLI_INT, &c->room_size, 1, 510,
         "--room-size N     game: players per room, up to 510 (one STATE frame; default 16)"},
        {"max-outbuf", CLI_INT, &c->max_outbuf, MAX_OUTBUF_MIN, MAX_OUTBUF_MAX,
         "--max-outbuf B    cut off a client with more pending output (default 1048576)"},
        {"json", CLI_FLAG, &c->json, 0, 0, "--json            lesson reports as JSON"},
        {"quiet", CLI_FLAG, &c->quiet, 0, 0, "--quiet           no per-connection log lines"},
        {"close-after-echo", CLI_FLAG, &c->close_after_echo, 0, 0,
         "--close-after-echo  echo: close each connection, the server first, once its first\n"
         "                    read is echoed (TIME_WAIT lands on the server; churn benchmarks)"},
        {"stats", CLI_INT, &c->stats_s, 1, 3600,
         "--stats S         a figures line every S seconds: connections, bytes/s, CPU, RSS, tick timing"},
        {"expect-conns", CLI_INT, &c->expect_conns, 1, 10000000,
         "--expect-conns N  exit at start (status 1) unless the open-files limit can hold N connections"},
        /* The limits (README: Security); 0 switches one off. */
        {"max-conns", CLI_INT, &c->max_conns, 0, 10000000,
         "--max-conns N     connections at once (default 20000); when full, one that has not greeted\n"
         "                    yet is closed to make room, else the newcomer is refused.\n"
         "                    This and the limits below: 0 switches it off (README: Security)"},
        {"max-per-source", CLI_INT, &c->max_per_source, 0, 10000000,
         "--max-per-source N  connections at once from one address (an IPv6 /64; default 256)"},
        {"allow", CLI_STR, &c->allow, 0, 0,
         "--allow CIDR[,CIDR...]  accept only these sources, e.g. the classroom's 192.168.10.0/24"},
        {"hello-timeout", CLI_INT, &c->hello_timeout_s, 0, 3600,
         "--hello-timeout S game: a client must send HELLO within S seconds (default 5)"},
        {"frame-timeout", CLI_INT, &c->frame_timeout_s, 0, 3600,
         "--frame-timeout S game: a frame begun must be complete within S seconds (default 5)"},
        {"idle-timeout", CLI_INT, &c->idle_timeout_s, 0, 86400,
         "--idle-timeout S  close a connection idle this long: game, no MOVE or PING (default 60);\n"
         "                    echo, no input (default 600)"},
        {"chat-rate", CLI_INT, &c->chat_rate, 0, 100000,
         "--chat-rate N     game: CHAT frames a second per player (default 5; bursts of twice that)"},
        {"chat-max", CLI_INT, &c->chat_max, 0, (double)(PROTO_MAX_LEN - 1),
         "--chat-max B      game: the longest CHAT text, in bytes (default 256)"},
        {"ping-rate", CLI_INT, &c->ping_rate, 0, 100000,
         "--ping-rate N     game: PING frames a second per connection (default 20)"},
        {"move-rate", CLI_INT, &c->move_rate, 0, 100000,
         "--move-rate N     game: MOVE frames a second per player (default 60)"},
        {"max-lesson-runs", CLI_INT, &c->max_lesson_runs, 1, 10000,
         "--max-lesson-runs N  lesson: connections served at once, each on its thread (default 64)"},
        {NULL, CLI_FLAG, NULL, 0, 0, NULL}};
    const char *pos[1];
    int npos;
    size_t i;

    c->bind = "127.0.0.1";
    c->port = 7007;
    c->proto_name = "echo";
    c->tick_hz = 20;
    c->room_size = 16;
    c->max_outbuf = 1048576;
    c->max_conns = 20000;
    c->max_per_source = 256;
    c->hello_timeout_s = 5;
    c->frame_timeout_s = 5;
    c->idle_timeout_s = -1;
    c->chat_rate = 5;
    c->chat_max = 256;
    c->ping_rate = 20;
    c->move_rate = 60;
    c->max_lesson_runs = 64; /* a class of 30, each bot's next connection starting as its last one ends */
    cli_parse(SRV_PROG, "[options]", opts, argc, argv, 1, pos, 0, &npos);
    for (i = 0; i < sizeof protos / sizeof protos[0]; i++)
        if (strcmp(c->proto_name, protos[i]->name) == 0)
            s->proto = protos[i];
    if (s->proto == NULL)
        cli_fail(SRV_PROG, "--proto: '%s' is not echo or game", c->proto_name);
    if (c->close_after_echo && (s->proto != &srv_echo_proto || c->lesson_name != NULL))
        cli_fail(SRV_PROG, "--close-after-echo is for --proto echo without --lesson");
    if (c->idle_timeout_s < 0)
        c->idle_timeout_s = s->proto->idle_default_s;
    if (c->allow != NULL)
        parse_allow(s, c->allow);
    if (c->lesson_name != NULL) {
        s->lesson = lesson_find(c->lesson_name);
        if (s->lesson == NULL)
            cli_fail(SRV_PROG, "unknown lesson '%s' (try: socklab list)", c->lesson_name);
        if (lesson_needs_one_process(s->lesson) != NULL)
            cli_fail(SRV_PROG, "--lesson %s: %s", c->lesson_name, lesson_needs_one_process(s->lesson));
        s->proto = NULL; /* a lesson side runs on its own thread, not on the loop */
    }
}

/* ---- shutdown ----------------------------------------------------------------------------------- */

static void on_drain_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct srv *s = arg;
    (void)fd, (void)what;
    srv_log("shutdown: output still pending after %d ms, closing anyway", SRV_DRAIN_MS);
    event_base_loopbreak(s->base);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct srv *s = arg;
    struct timeval tv;
    (void)what;

    if (s->stopping) { /* a second Ctrl-C: no more waiting */
        event_base_loopbreak(s->base);
        return;
    }
    srv_log("%s: stopping (%lu connections open)", sig == SIGINT ? "SIGINT" : "SIGTERM",
            (unsigned long)s->n_live);
    srv_listener_stop(s);
    if (s->proto != NULL && s->proto->stop != NULL)
        s->proto->stop(s);
    tv.tv_sec = SRV_DRAIN_MS / 1000;
    tv.tv_usec = (SRV_DRAIN_MS % 1000) * 1000;
    s->drain_timer = evtimer_new(s->base, on_drain_timeout, s);
    if (s->drain_timer != NULL)
        evtimer_add(s->drain_timer, &tv);
    srv_conns_stop(s); /* ends the loop at once if nothing is pending */
    if (s->lesson != NULL)
        event_base_loopbreak(s->base);
}

static int watch_signals(struct srv *s)
{
    s->sig_int = evsignal_new(s->base, SIGINT, on_signal, s);
    s->sig_term = evsignal_new(s->base, SIGTERM, on_signal, s);
    if (s->sig_int == NULL || s->sig_term == NULL)
        return -1;
    return evsignal_add(s->sig_int, NULL) == 0 && evsignal_add(s->sig_term, NULL) == 0 ? 0 : -1;
}

static void free_event(struct event **ev)
{
    if (*ev != NULL)
        event_free(*ev);
    *ev = NULL;
}

static void teardown(struct srv *s, int summary)
{
    struct srv_lesson_counts lc;

    srv_log_flush();
    srv_stats_summary(s, summary);
    srv_listener_stop(s);
    srv_conns_free_all(s);
    srv_limits_free(s);
    if (s->proto != NULL && s->proto->free != NULL)
        s->proto->free(s);
    if (s->lessons != NULL)
        srv_log("waiting for lesson runs to finish");
    srv_lessons_join(s, &lc);
    free_event(&s->sig_int);
    free_event(&s->sig_term);
    free_event(&s->drain_timer);
    free(s->allow);
    s->allow = NULL;
    if (s->base != NULL)
        event_base_free(s->base);
    s->base = NULL;
    if (!summary)
        return;
    if (s->lesson != NULL) {
        /* Each run is one connection's server side; its checks mostly compare the bot's facts, so
         * "not evaluated here" is the usual outcome, not a failure: the bots' reports judge. */
        srv_log(T("served %llu connections: lesson %s, %u sessions (bots' runs), %u connection runs: %u passed, %u "
                  "failed, %u not evaluated here (the bots' reports hold their checks); %u refused"),
                (unsigned long long)s->served, s->lesson->name, lc.sessions, lc.runs, lc.passed, lc.failed,
                lc.not_evaluated, lc.refused);
    } else
        srv_log("served %llu connections, %llu bytes in, %llu bytes out", (unsigned long long)s->served,
                (unsigned long long)s->bytes_in, (unsigned long long)s->bytes_out);
}

/* ---- start-up ------------------------------------------------------------------------------------ */

static int start(struct srv *s)
{
    struct event_config *cfg = event_config_new();
    /* Precise timers (timerfd on Linux) cost a syscall per loop pass: only a protocol with timers
     * finer than a millisecond asks for them. */
    if (cfg != NULL && s->proto != NULL && s->proto->precise_timers)
        event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
    s->base = cfg != NULL ? event_base_new_with_config(cfg) : NULL;
    if (cfg != NULL)
        event_config_free(cfg);
    if (s->base == NULL) {
        fprintf(stderr, "%s: cannot create the event loop\n", SRV_PROG);
        return -1;
    }
    if (watch_signals(s) != 0 || (s->proto != NULL && (srv_conns_init(s) != 0 || srv_limits_start(s) != 0))) {
        fprintf(stderr, "%s: cannot set up the event loop\n", SRV_PROG);
        return -1;
    }
    if (s->lesson != NULL ? srv_lessons_init(s) != 0 : s->proto->start != NULL && s->proto->start(s) != 0) {
        fprintf(stderr, "%s: out of memory\n", SRV_PROG);
        return -1;
    }
    if (s->lesson == NULL)
        return srv_listener_start(s, srv_on_accept);
    if (srv_listener_start(s, srv_lesson_accept) != 0)
        return -1;
    /* before the loop accepts anything: a listener option applies to connections still to come */
    lesson_prepare_listener(s->lesson, evconnlistener_get_fd(s->listener), stderr);
    return 0;
}

int main(int argc, char **argv)
{
    static struct srv s;
    char err[SOCK_ERR_LEN];
    int v6;

    parse_options(&s, argc, argv);
    if (srv_stats_init(&s) != 0)
        return 1;
    if (sock_init(err) != 0) {
        fprintf(stderr, "%s: %s\n", SRV_PROG, err);
        return 1;
    }
    if (start(&s) != 0 || srv_stats_start(&s) != 0) {
        teardown(&s, 0);
        sock_cleanup();
        return 1;
    }
    /* An IPv6 address is bracketed so the port stays the text after the last colon. */
    v6 = strchr(s.cfg.bind, ':') != NULL;
    printf("%s: listening on %s%s%s:%u (%s %s)\n", SRV_PROG, v6 ? "[" : "", s.cfg.bind, v6 ? "]" : "",
           (unsigned)s.port, s.lesson != NULL ? "lesson" : "proto",
           s.lesson != NULL ? s.lesson->name : s.cfg.proto_name);
    fflush(stdout);
    event_base_dispatch(s.base);
    teardown(&s, 1);
    sock_cleanup();
    return 0;
}
