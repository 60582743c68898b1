/* bot_main.c - socklab-bot: many bots against a socklab server (or any echo server), or one
 * lesson's client side against a socklab-server --lesson on another machine.
 *
 * Exit status: 0 when every bot connected and ended done or eof (or the lesson passed), 1 when not,
 * 2 for a setup error, reported in one line, never as figures or checks: bad arguments, no server
 * (refused, unreachable), a server of the other protocol, a lesson the server would not run (busy,
 * another lesson). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/bot.h"
#include "common/cli.h"
#include "common/i18n.h"
#include "compat/os.h"
#include "compat/sock.h"
#include "lessons/engine/engine.h"

#define PROG "socklab-bot"
#define FD_SPARE 64 /* stdio, the event loop's own descriptors, a margin */

static int run_lesson(const char *name, const struct bot_opts *o)
{
    const struct lesson *l = lesson_find(name);
    struct lesson_opts lo;
    struct lesson_report *r;
    int ok;
    if (l == NULL)
        cli_fail(PROG, "unknown lesson '%s' (try: socklab list)", name);
    if (lesson_needs_one_process(l) != NULL)
        cli_fail(PROG, "--lesson %s: %s", name, lesson_needs_one_process(l));
    memset(&lo, 0, sizeof lo);
    lo.host = o->host;
    lo.port = o->port;
    lo.quiet = o->quiet;
    lo.session = 1;
    lo.busy_wait_ms = o->busy_wait_s * 1000;
    r = lesson_client_only(l, &lo);
    if (r == NULL) {
        fprintf(stderr, T("%s: lesson %s: the client side could not run (out of memory)\n"), PROG, name);
        return 1;
    }
    if (report_refusal(r) != NULL) {
        fprintf(stderr, T("%s: lesson %s at %s:%u: %s\n"), PROG, name, o->host, (unsigned)o->port, report_refusal(r));
        report_free(r);
        return 2;
    }
    if (o->json)
        report_print_json(stdout, r);
    else
        report_print_text(stdout, r);
    ok = report_passed(r);
    report_free(r);
    return ok ? 0 : 1;
}

static void parse_args(int argc, char **argv, struct bot_opts *o, const char **lesson)
{
    const char *proto = "game";
    int npos;
    struct cli_opt opts[] = {
        {"count", CLI_INT, &o->count, 1, 1000000, "--count N          bots to run (default 1)"},
        {"host", CLI_STR, &o->host, 0, 0, "--host H           server address (default 127.0.0.1)"},
        {"port", CLI_PORT, &o->port, 0, 0, "--port P           server port (default 7007)"},
        {"proto", CLI_STR, &proto, 0, 0, "--proto game|echo  what the bots speak (default game)"},
        {"duration", CLI_INT, &o->duration_s, 0, 86400,
         "--duration S       seconds of play per bot (default 5; 0 = until the server ends it)"},
        {"move-hz", CLI_INT, &o->move_hz, 0, 1000, "--move-hz N        MOVE frames per second per bot (default 10)"},
        {"ping-hz", CLI_INT, &o->ping_hz, 0, 1000, "--ping-hz N        PING frames per second per bot (default 2)"},
        {"msg-size", CLI_INT, &o->msg_size, 1, 1048576, "--msg-size B       echo: bytes per message (default 64)"},
        {"connect-timeout-ms", CLI_INT, &o->connect_timeout_ms, 1, 600000,
         "--connect-timeout-ms MS  give up a connect after MS (default 3000)"},
        {"idle-timeout-ms", CLI_INT, &o->idle_timeout_ms, 100, 3600000,
         "--idle-timeout-ms MS     end a connection silent for MS as 'timeout' (default 5000)"},
        {"max-connecting", CLI_INT, &o->max_connecting, 1, 100000,
         "--max-connecting N       connections not yet answered by the server, at once (default 500;\n"
         "                           keep it below the server's listen backlog: socklab-server's is 511)"},
        {"nagle", CLI_FLAG, &o->nagle, 0, 0,
         "--nagle            keep Nagle's algorithm on (default TCP_NODELAY): see delayed ACKs in the RTT"},
        {"same-clock", CLI_FLAG, &o->same_clock, 0, 0,
         "--same-clock       the server runs on this machine (another address, a network namespace):\n"
         "                     measure STATE latency, as for a loopback address"},
        {"lesson", CLI_STR, lesson, 0, 0, "--lesson NAME      run that lesson's client side once and report it"},
        {"busy-wait", CLI_INT, &o->busy_wait_s, 0, 3600,
         "--busy-wait S      --lesson: keep asking a server that is full (busy) for S seconds (default 10)"},
        {"json", CLI_FLAG, &o->json, 0, 0, "--json             the summary as one JSON object on stdout"},
        {"quiet", CLI_FLAG, &o->quiet, 0, 0, "--quiet            no progress lines on stderr"},
        {NULL, CLI_FLAG, NULL, 0, 0, NULL},
    };
    cli_parse(PROG, "[--count N] [--host H] [--port P] [--proto game|echo] [--duration S] ... | --lesson NAME",
              opts, argc, argv, 1, NULL, 0, &npos);
    if (strcmp(proto, "game") == 0)
        o->proto = BOT_PROTO_GAME;
    else if (strcmp(proto, "echo") == 0)
        o->proto = BOT_PROTO_ECHO;
    else
        cli_fail(PROG, "--proto: '%s' is not a protocol (game or echo)", proto);
    if (o->port == 0)
        cli_fail(PROG, "--port: 0 is not a port a server listens on (1-65535)");
    if (o->host[0] == '\0')
        cli_fail(PROG, "--host: empty address");
}

int main(int argc, char **argv)
{
    struct bot_opts o;
    struct bot_stats st;
    struct bot_loop L;
    const char *lesson = NULL;
    char err[SOCK_ERR_LEN + 200], addr[64];
    long limit, need;
    uint64_t cpu0;
    int rc;

    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.port = 7007;
    o.count = 1;
    o.duration_s = 5;
    o.move_hz = 10;
    o.ping_hz = 2;
    o.msg_size = 64;
    o.connect_timeout_ms = 3000;
    o.idle_timeout_ms = 5000;
    o.busy_wait_s = 10;
    o.max_connecting = 500; /* below socklab-server's listen backlog (511): no SYN is ever dropped */
    parse_args(argc, argv, &o, &lesson);

    if (sock_init(err) != 0) {
        fprintf(stderr, "%s: %s\n", PROG, err);
        return 1;
    }
    if (lesson != NULL) {
        rc = run_lesson(lesson, &o);
        sock_cleanup();
        return rc;
    }

    if (sock_resolve(o.host, addr, sizeof addr, err) != 0)
        cli_fail(PROG, "--host: %s", err);
    o.addr = addr;
    /* STATE carries the server's monotonic clock: comparable with ours only on the same machine. */
    if (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 || strncmp(addr, "::ffff:127.", 11) == 0)
        o.same_clock = 1;
    need = (long)o.count + FD_SPARE;
    limit = os_raise_fd_limit(need);
    if (limit >= 0 && limit < need) {
        fprintf(stderr, "%s: --count %d needs %ld open files but the limit is %ld (raise it: ulimit -n %ld)\n",
                PROG, o.count, need, limit, need);
        sock_cleanup();
        return 1;
    }

    bot_stats_init(&st, os_now_us() ^ ((uint64_t)os_pid() << 32));
    if (bot_loop_init(&L, &o, &st, err) != 0) {
        fprintf(stderr, "%s: %s\n", PROG, err);
        bot_loop_free(&L);
        sock_cleanup();
        return 1;
    }
    if (!o.quiet)
        fprintf(stderr, "%s: %d %s bot%s -> %s:%u\n", PROG, o.count, o.proto == BOT_PROTO_ECHO ? "echo" : "game",
                o.count == 1 ? "" : "s", o.addr, (unsigned)o.port);
    cpu0 = os_cpu_us();
    bot_loop_run(&L);
    st.cpu_us = os_cpu_us() - cpu0;
    bot_loop_free(&L);
    if (bot_setup_error(&st, &o, err, sizeof err) != NULL) {
        fprintf(stderr, "%s: %s\n", PROG, err);
        bot_stats_free(&st);
        sock_cleanup();
        return 2;
    }
    if (o.json)
        bot_report_json(stdout, &st, &o);
    else
        bot_report_text(stdout, &st, &o);
    fflush(stdout);
    rc = bot_report_passed(&st, &o) ? 0 : 1;
    bot_stats_free(&st);
    sock_cleanup();
    return rc;
}
