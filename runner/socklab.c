/* socklab - the lesson runner: list, explain, run and compare lessons on this machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/i18n.h"
#include "compat/os.h"
#include "compat/sock.h"
#include "lessons/engine/engine.h"

#define PROG "socklab"
#define MAX_COMPARE 16

static const char usage[] =
    "COMMAND [ARGS] [OPTIONS]\n\n"
    "commands:\n"
    "  list                      the lessons, one per line (--markdown: the README's table)\n"
    "  explain LESSON            what happens, what to watch in Wireshark, what each platform does\n"
    "                            (--markdown: the lesson's page in docs/lessons/)\n"
    "  run LESSON                run both sides here over loopback and report what was measured\n"
    "  compare LESSON LESSON...  run lessons at once (each on its own port), one column per lesson\n\n"
    "lessons that sample a time series print sparklines; --csv and --plot save the samples and a chart\n\n"
    "exit status: 0 when every check passed, 1 when a check failed, 2 for bad arguments";

static const struct lesson *need_lesson(const char *name)
{
    const struct lesson *l = lesson_find(name);
    const char *names[64], *closest;
    size_t n, i;
    const struct lesson *const *all = lesson_all(&n);
    if (l != NULL)
        return l;
    for (i = 0; i < n && i < sizeof names / sizeof names[0]; i++)
        names[i] = all[i]->name;
    closest = cli_closest(names, i, name, strlen(name));
    if (closest != NULL)
        cli_fail(PROG, "unknown lesson '%s' (did you mean %s? socklab list shows them all)", name, closest);
    cli_fail(PROG, "unknown lesson '%s' (try: socklab list)", name);
    return NULL; /* not reached: for compilers that do not know cli_fail ends the program */
}

/* --csv / --plot: refused before anything runs when none of the lessons samples a time series. */
static FILE *open_output(const char *opt, const char *path, const struct lesson *const *ls, int n)
{
    char names[256] = "";
    size_t count, i, used = 0;
    const struct lesson *const *all = lesson_all(&count);
    FILE *f;
    int k, any = 0;
    for (k = 0; k < n; k++)
        any |= lesson_has_charts(ls[k]);
    if (!any) {
        for (i = 0; i < count && used + 24 < sizeof names; i++)
            if (lesson_has_charts(all[i]))
                used += (size_t)snprintf(names + used, sizeof names - used, " %s", all[i]->name);
        cli_fail(PROG, "--%s: no time series in %s (lessons that sample one:%s)", opt,
                 n == 1 ? ls[0]->name : "these lessons", names);
    }
    f = fopen(path, "w");
    if (f == NULL)
        cli_fail(PROG, "--%s: cannot write %s: %s", opt, path, strerror(errno));
    return f;
}

/* Writes the pictures asked for; 0, or 1 when a file could not be written in full. */
static int write_outputs(FILE *csv, FILE *svg, struct lesson_report *const *rs, size_t n, const char *csv_path,
                         const char *svg_path)
{
    int rc = 0;
    if (csv != NULL) {
        report_write_csv(csv, rs, n);
        if (fclose(csv) != 0) {
            fprintf(stderr, "%s: --csv: writing %s failed\n", PROG, csv_path);
            rc = 1;
        }
    }
    if (svg != NULL) {
        report_write_svg(svg, rs, n);
        if (fclose(svg) != 0) {
            fprintf(stderr, "%s: --plot: writing %s failed\n", PROG, svg_path);
            rc = 1;
        }
    }
    return rc;
}

/* --capture FILE: opened before anything runs, so a path that cannot be written is refused at once. */
static FILE *open_capture(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        cli_fail(PROG, "--capture: cannot write %s: %s", path, strerror(errno));
    return f;
}

/* Writes the runs' packets; a capture that never started (its reason was printed) leaves no file.
 * 0, or 1 when the file could not be written in full. */
static int write_capture(FILE *f, const char *path, struct lesson_report *const *rs, size_t n)
{
    uint64_t bytes = 0;
    size_t i;
    int any = 0, rc;
    for (i = 0; i < n; i++)
        any |= report_has_capture(rs[i]);
    if (!any) {
        fclose(f);
        remove(path);
        return 0;
    }
    rc = report_write_pcapng(f, rs, n, &bytes);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "%s: --capture: writing %s failed\n", PROG, path);
        return 1;
    }
    for (i = 0; i < n; i++)
        if (report_has_capture(rs[i]))
            report_set_capture_file(rs[i], path, bytes);
    return 0;
}

/* --ladder FILE.svg (or - for the terminal): opened before anything runs. */
static FILE *open_ladder(const char *path, int json)
{
    FILE *f;
    if (strcmp(path, "-") == 0) {
        if (json)
            cli_fail(PROG, "--ladder -: stdout is the JSON document; give --ladder a file name (FILE.svg)");
        return stdout;
    }
    f = fopen(path, "w");
    if (f == NULL)
        cli_fail(PROG, "--ladder: cannot write %s: %s", path, strerror(errno));
    return f;
}

/* Draws the ladder: in the terminal after the report, or as SVG (no file when nothing was captured;
 * the capture's own line said why). 0, or 1 when the file could not be written. */
static int write_ladder(FILE *f, const char *path, struct lesson_report *const *rs, size_t n, int width)
{
    if (f == stdout) {
        report_print_ladder(stdout, rs, n, width);
        return 0;
    }
    if (report_write_ladder_svg(f, rs, n) != 0) {
        fclose(f);
        remove(path);
        return 0;
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "%s: --ladder: writing %s failed\n", PROG, path);
        return 1;
    }
    return 0;
}

/* Runs that never started: one line each ("socklab: LESSON: cannot listen: ..."); 1 if any. */
static int setup_errors(struct lesson_report *const *rs, size_t n)
{
    size_t i;
    int any = 0;
    for (i = 0; i < n; i++)
        if (report_setup_error(rs[i]) != NULL) {
            fprintf(stderr, "%s: %s (%s)\n", PROG, report_setup_error(rs[i]),
                    T("--port 0 takes any free port; --host is a loopback address of this machine"));
            any = 1;
        }
    return any;
}

/* The width compare fits its table to: the terminal's, or $COLUMNS when set (0: no limit). */
static int terminal_width(void)
{
    const char *c = getenv("COLUMNS");
    long v;
    if (c != NULL && cli_parse_long(c, 40, 10000, &v) == 0)
        return (int)v;
    return os_terminal_columns();
}

static void cmd_list(void)
{
    size_t n, i;
    const struct lesson *const *all = lesson_all(&n);
    for (i = 0; i < n; i++)
        printf("%-22s %s\n", all[i]->name, lesson_title(all[i]));
}

int main(int argc, char **argv)
{
    const char *pos[MAX_COMPARE + 2];
    int npos = 0, json = 0, quiet = 0, markdown = 0, pause = 0, i, rc;
    uint16_t port = 0;
    const char *host = "127.0.0.1", *csv_path = NULL, *svg_path = NULL, *cap_path = NULL, *ladder_path = NULL;
    FILE *csv = NULL, *svg = NULL, *cap = NULL, *ladder = NULL;
    int snaplen = 256, step = 0, step_delay = 0;
    char err[SOCK_ERR_LEN];
    struct lesson_opts o;
    const struct cli_opt opts[] = {
        {"port", CLI_PORT, &port, 0, 0, "--port P      server port for run (compare: P, P+1, ...); 0 = ephemeral"},
        {"host", CLI_STR, &host, 0, 0, "--host ADDR   loopback address to run on (default 127.0.0.1)"},
        {"json", CLI_FLAG, &json, 0, 0, "--json        print the report as JSON on stdout (logs go to stderr)"},
        {"quiet", CLI_FLAG, &quiet, 0, 0, "--quiet       no progress lines on stderr"},
        {"csv", CLI_STR, &csv_path, 0, 0, "--csv FILE    run/compare: every sample of the time series, one per row"},
        {"plot", CLI_STR, &svg_path, 0, 0, "--plot FILE   run/compare: the time series as SVG charts (for a browser)"},
        {"markdown", CLI_FLAG, &markdown, 0, 0, "--markdown    list/explain: Markdown, as in README.md and docs/lessons/"},
        {"capture", CLI_STR, &cap_path, 0, 0,
         "--capture FILE  run/compare: the lesson's packets as pcapng, each timeline event a packet comment"},
        {"ladder", CLI_STR, &ladder_path, 0, 0,
         "--ladder FILE  run/compare: the sequence diagram of the captured packets and the timeline, as SVG\n"
         "                (- : in the terminal, after the report); it captures, as --capture does"},
        {"snaplen", CLI_INT, &snaplen, 64, 65535, "--snaplen B    bytes kept of each captured packet (default 256)"},
        {"step", CLI_FLAG, &step, 0, 0,
         "--step        run: stop before each action of each side, say what to watch, wait for Enter"},
        {"step-delay", CLI_INT, &step_delay, 1, 600000, "--step-delay MS  run: step, going on by itself after MS"},
        {"pause", CLI_FLAG, &pause, 0, 0,
         "--pause       run/compare: once set up, wait for Enter before the first connection (start a capture)"},
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
    o.pause = pause;
    o.capture = cap_path != NULL || ladder_path != NULL;
    o.step = step || step_delay > 0;
    o.step_delay_ms = step_delay;
    o.snaplen = snaplen;

    if (strcmp(pos[0], "list") == 0) {
        size_t n;
        if (npos != 1)
            cli_fail(PROG, "usage: socklab list (it takes no arguments)");
        const struct lesson *const *all = lesson_all(&n);
        if (markdown)
            lesson_print_markdown_table(stdout, all, n);
        else
            cmd_list();
        return 0;
    }
    if (strcmp(pos[0], "explain") == 0) {
        if (npos != 2)
            cli_fail(PROG, "usage: socklab explain LESSON");
        if (markdown)
            lesson_print_markdown(stdout, need_lesson(pos[1]));
        else
            lesson_print_explain(stdout, need_lesson(pos[1]));
        return 0;
    }
    if (strcmp(pos[0], "run") == 0) {
        struct lesson_report *r;
        const struct lesson *l;
        if (npos != 2)
            cli_fail(PROG, "usage: socklab run LESSON");
        l = need_lesson(pos[1]);
        if (csv_path != NULL)
            csv = open_output("csv", csv_path, &l, 1);
        if (svg_path != NULL)
            svg = open_output("plot", svg_path, &l, 1);
        if (cap_path != NULL)
            cap = open_capture(cap_path);
        if (ladder_path != NULL)
            ladder = open_ladder(ladder_path, json);
        if (lesson_lab_enter(&l, 1, quiet) != 0)
            return 2;
        r = lesson_run(l, &o);
        if (r == NULL) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            return 1;
        }
        if (setup_errors(&r, 1)) {
            report_free(r);
            return 2;
        }
        rc = cap != NULL ? write_capture(cap, cap_path, &r, 1) : 0;
        if (json)
            report_print_json(stdout, r);
        else
            report_print_text(stdout, r);
        rc |= report_passed(r) ? 0 : 1;
        rc |= write_outputs(csv, svg, &r, 1, csv_path, svg_path);
        if (ladder != NULL)
            rc |= write_ladder(ladder, ladder_path, &r, 1, terminal_width());
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
        if (o.step)
            cli_fail(PROG, "--step: one lesson at a time (socklab run LESSON --step)");
        for (i = 0; i < n; i++)
            ls[i] = need_lesson(pos[i + 1]);
        if (csv_path != NULL)
            csv = open_output("csv", csv_path, ls, n);
        if (svg_path != NULL)
            svg = open_output("plot", svg_path, ls, n);
        if (cap_path != NULL)
            cap = open_capture(cap_path);
        if (ladder_path != NULL)
            ladder = open_ladder(ladder_path, json);
        if (lesson_lab_enter(ls, (size_t)n, quiet) != 0)
            return 2;
        rc = lesson_run_many(ls, (size_t)n, &o, rs);
        if (rc < 0) {
            fprintf(stderr, "%s: out of memory\n", PROG);
            return 1;
        }
        if (setup_errors(rs, (size_t)n)) {
            for (i = 0; i < n; i++)
                report_free(rs[i]);
            return 2;
        }
        if (cap != NULL)
            rc |= write_capture(cap, cap_path, rs, (size_t)n);
        if (json)
            report_print_json_array(stdout, rs, (size_t)n);
        else
            report_print_table(stdout, rs, (size_t)n, terminal_width());
        rc |= write_outputs(csv, svg, rs, (size_t)n, csv_path, svg_path);
        if (ladder != NULL)
            rc |= write_ladder(ladder, ladder_path, rs, (size_t)n, terminal_width());
        for (i = 0; i < n; i++)
            report_free(rs[i]);
        return rc;
    }
    cli_fail(PROG, "unknown command '%s' (commands: list, explain, run, compare)", pos[0]);
}
