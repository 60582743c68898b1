/* socklab - the lesson runner: list, explain, run and compare lessons on this machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "compat/sock.h"
#include "lessons/lesson.h"

#define PROG "socklab"
#define MAX_COMPARE 16

static const char usage[] =
    "COMMAND [ARGS] [OPTIONS]\n\n"
    "commands:\n"
    "  list                      the lessons, one per line\n"
    "  explain LESSON            what happens, what to watch in Wireshark, what each platform does\n"
    "  run LESSON                run both sides here over loopback and report what was measured\n"
    "  compare LESSON LESSON...  run lessons at once (each on its own port), one column per lesson\n\n"
    "exit status: 0 when every check passed, 1 when a check failed, 2 for bad arguments";

static const struct lesson *need_lesson(const char *name)
{
    const struct lesson *l = lesson_find(name);
    if (l == NULL)
        cli_fail(PROG, "unknown lesson '%s' (try: socklab list)", name);
    return l;
}

static void cmd_list(void)
{
    size_t n, i;
    const struct lesson *const *all = lesson_all(&n);
    for (i = 0; i < n; i++)
        printf("%-18s %s\n", all[i]->name, all[i]->title);
}

int main(int argc, char **argv)
{
    const char *pos[MAX_COMPARE + 2];
    int npos = 0, json = 0, quiet = 0, i, rc;
    uint16_t port = 0;
    const char *host = "127.0.0.1";
    char err[SOCK_ERR_LEN];
    struct lesson_opts o;
    const struct cli_opt opts[] = {
        {"port", CLI_PORT, &port, 0, 0, "--port P      server port for run (compare: P, P+1, ...); 0 = ephemeral"},
        {"host", CLI_STR, &host, 0, 0, "--host ADDR   loopback address to run on (default 127.0.0.1)"},
        {"json", CLI_FLAG, &json, 0, 0, "--json        print the report as JSON on stdout (logs go to stderr)"},
        {"quiet", CLI_FLAG, &quiet, 0, 0, "--quiet       no progress lines on stderr"},
        {NULL, CLI_FLAG, NULL, 0, 0, NULL},
    };

    cli_parse(PROG, usage, opts, argc, argv, 1, pos, MAX_COMPARE + 2, &npos);
    if (npos == 0)
        cli_fail(PROG, "missing command: list, explain, run or compare (see --help)");
    if (sock_init(err) != 0) {
        fprintf(stderr, "%s: %s\n", PROG, err);
        return 1;
    }
    memset(&o, 0, sizeof o);
    o.host = host;
    o.port = port;
    o.quiet = quiet;

    if (strcmp(pos[0], "list") == 0) {
        cmd_list();
        return 0;
    }
    if (strcmp(pos[0], "explain") == 0) {
        if (npos != 2)
            cli_fail(PROG, "usage: socklab explain LESSON");
        lesson_print_explain(stdout, need_lesson(pos[1]));
        return 0;
    }
    if (strcmp(pos[0], "run") == 0) {
        struct lesson_report *r;
        const struct lesson *l;
        if (npos != 2)
            cli_fail(PROG, "usage: socklab run LESSON");
        l = need_lesson(pos[1]);
        r = lesson_run(l, &o);
        if (json)
            report_print_json(stdout, r);
        else
            report_print_text(stdout, r);
        rc = report_passed(r) ? 0 : 1;
        report_free(r);
        return rc;
    }
    if (strcmp(pos[0], "compare") == 0) {
        const struct lesson *ls[MAX_COMPARE];
        struct lesson_report *rs[MAX_COMPARE];
        int n = npos - 1;
        if (n < 1)
            cli_fail(PROG, "usage: socklab compare LESSON LESSON...");
        if (n > MAX_COMPARE)
            cli_fail(PROG, "compare takes at most %d lessons", MAX_COMPARE);
        for (i = 0; i < n; i++)
            ls[i] = need_lesson(pos[i + 1]);
        rc = lesson_run_many(ls, (size_t)n, &o, rs);
        if (rc < 0) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            return 1;
        }
        if (json)
            report_print_json_array(stdout, rs, (size_t)n);
        else
            report_print_table(stdout, rs, (size_t)n);
        for (i = 0; i < n; i++)
            report_free(rs[i]);
        return rc;
    }
    cli_fail(PROG, "unknown command '%s' (commands: list, explain, run, compare)", pos[0]);
}
