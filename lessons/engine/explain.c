/* explain.c - a lesson's own text for people: `socklab explain LESSON` in the terminal, the same as
 * a Markdown page (docs/lessons/LESSON.md), and the README's table of lessons. All of it comes from
 * the lesson's table entry, so the lesson file is the one place its story is written; the claims
 * are the ones the lesson's checks verify when it runs. */
#include "lessons/engine/engine.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "common/textwrap.h"

/* Where a lesson that uses the impairment lab runs, and how to see it: its packets never touch the
 * host's loopback, so the student's own Wireshark would show nothing. */
static const char *lab_where(void)
{
    return T("Its impairment lab is a private network namespace of the run (as root, or as a user where the "
             "system allows user namespaces): the host's Wireshark and ss do not see it. The run prints the "
             "command that watches it live, `nsenter -t PID -n tcpdump -i lo -nn` (root).");
}

/* Explanations wrap at 100 columns, the width of the Markdown pages' code blocks too. */
static void wrap(FILE *out, const char *text, int indent) { text_wrap(out, text, indent, 0, 100); }

/* Each line of a newline-separated list, with a prefix. */
static void items(FILE *out, const char *list, const char *prefix)
{
    const char *w = list;
    while (w != NULL && *w != '\0') {
        const char *nl = strchr(w, '\n');
        int len = nl != NULL ? (int)(nl - w) : (int)strlen(w);
        fprintf(out, "%s%.*s\n", prefix, len, w);
        w = nl != NULL ? nl + 1 : NULL;
    }
}

/* The lesson's quirks under a runtime, one item per explanation (several checks may share one):
 * "- check_a, check_b: why". */
static void quirk_lines(FILE *out, const struct lesson *l, const char *runtime, int markdown)
{
    const struct lesson_quirk *q, *p;
    char line[1024];
    for (q = l->quirks; q != NULL && q->runtime != NULL; q++) {
        size_t used = 0;
        int first = 1, k = 0;
        if (strcmp(q->runtime, runtime) != 0)
            continue;
        for (p = l->quirks; p < q; p++)
            first &= !(strcmp(p->runtime, runtime) == 0 && strcmp(p->why, q->why) == 0);
        if (!first)
            continue;
        used += (size_t)snprintf(line, sizeof line, "-");
        for (p = q; p->runtime != NULL && used < sizeof line; p++)
            if (strcmp(p->runtime, runtime) == 0 && strcmp(p->why, q->why) == 0)
                used += (size_t)snprintf(line + used, sizeof line - used, markdown ? "%s `%s`" : "%s %s",
                                         k++ > 0 ? "," : "", p->check_id);
        if (used < sizeof line)
            snprintf(line + used, sizeof line - used, ": %s", lesson_quirk_why(q));
        if (markdown)
            fprintf(out, "%s\n", line);
        else
            wrap(out, line, 2);
    }
}

static int has_quirks(const struct lesson *l, const char *runtime)
{
    const struct lesson_quirk *q;
    for (q = l->quirks; q != NULL && q->runtime != NULL; q++)
        if (strcmp(q->runtime, runtime) == 0)
            return 1;
    return 0;
}

const char *lesson_needs_one_process(const struct lesson *l)
{
    if (l->sides_handshake)
        return T("each side takes part in the handshake itself - its server reads the connection's SYN_RECV "
                 "entry before accept() - which socklab-server, accepting on its own, cannot: run both sides "
                 "in one process (socklab run)");
    if (l->first_bytes_are_the_lesson)
        return T("its server measures what has arrived when accept() returns, and across two programs the "
                 "first bytes would be the bot's session line (which tells a shared server whose connection "
                 "it is), not the lesson's: run both sides in one process (socklab run)");
    if (l->one_process)
        return T("its server side works across the run's connections - serving connections its client opens "
                 "on its own, or keeping earlier connections' sockets open - which a socklab-server run of one "
                 "connection at a time cannot: run both sides in one process (socklab run)");
    if (l->lab == LAB_NEEDS)
        return T("it drops packets in a private network namespace (the impairment lab), which exists only "
                 "inside one process: run both sides with socklab run");
    return NULL;
}

void lesson_print_explain(FILE *out, const struct lesson *l)
{
    fprintf(out, "%s: %s\n\n", l->name, lesson_title(l));
    wrap(out, lesson_explain(l), 2);
    fprintf(out, "\n%s\n  %s\n", T("Wireshark display filter ({port} = the server port the run prints):"),
            l->wireshark);
    fprintf(out, "\n%s\n", T("What to watch for:"));
    items(out, lesson_watch(l), "  - ");
    fprintf(out, "\n%s\n", T("On Linux:"));
    wrap(out, lesson_on_linux(l), 2);
    fprintf(out, "\n%s\n", T("On Windows:"));
    wrap(out, lesson_on_windows(l), 2);
    if (l->under_wine != NULL || has_quirks(l, "wine")) {
        fprintf(out, "\n%s\n", T("Under Wine 8 (where CI runs the Windows build):"));
        if (l->under_wine != NULL)
            wrap(out, lesson_under_wine(l), 2);
        if (has_quirks(l, "wine")) {
            fprintf(out, "  %s\n", T("Checks reported as DIFF (a known Wine difference) rather than FAIL there:"));
            quirk_lines(out, l, "wine", 0);
        }
    }
    if (lesson_needs_one_process(l) != NULL) {
        fprintf(out, T("\nRun it: socklab run %s\n  Not across two machines (socklab-server and socklab-bot refuse it):\n"),
                l->name);
        wrap(out, lesson_needs_one_process(l), 4);
    } else {
        fprintf(out, T("\nRun it: socklab run %s   (two machines: socklab-server --lesson %s / socklab-bot --lesson %s)\n"),
                l->name, l->name, l->name);
    }
    if (l->lab != LAB_NONE)
        wrap(out, lab_where(), 2);
}

/* The lesson's source file, from its name: close-abortive -> lessons/close_abortive.c. */
static void source_name(const struct lesson *l, char *buf, size_t len)
{
    size_t i;
    snprintf(buf, len, "lessons/%s.c", l->name);
    for (i = 8; buf[i] != '\0'; i++)
        if (buf[i] == '-')
            buf[i] = '_';
}

void lesson_print_markdown(FILE *out, const struct lesson *l)
{
    char src[64];
    source_name(l, src, sizeof src);
    fprintf(out, "# %s\n\n**%s**\n\n%s\n\n", l->name, lesson_title(l), lesson_explain(l));
    fprintf(out, "## %s\n\n```sh\nsocklab run %s\n", T("Run it"), l->name);
    if (lesson_needs_one_process(l) == NULL)
        fprintf(out, T("# or across two machines:\nsocklab-server --bind 0.0.0.0 --lesson %s      # on the server\n"
                       "socklab-bot --host SERVER --lesson %s         # on a student's machine\n"),
                l->name, l->name);
    fprintf(out, "```\n\n");
    if (lesson_needs_one_process(l) != NULL)
        fprintf(out, T("Not across two machines (socklab-server and socklab-bot refuse it): %s.\n\n"),
                lesson_needs_one_process(l));
    if (l->lab != LAB_NONE)
        fprintf(out, "%s\n\n", lab_where());
    fprintf(out, "## %s\n\n%s\n\n```\n%s\n```\n\n%s\n\n", T("In Wireshark"),
            T("Display filter (`{port}` is the server port the run prints):"), l->wireshark, T("What to watch for:"));
    items(out, lesson_watch(l), "- ");
    fprintf(out, "\n## %s\n\n%s\n\n## %s\n\n%s\n", T("On Linux"), lesson_on_linux(l), T("On Windows"),
            lesson_on_windows(l));
    if (l->under_wine != NULL || has_quirks(l, "wine")) {
        fprintf(out, "\n## %s\n\n", T("Under Wine 8 (where CI runs the Windows build)"));
        if (l->under_wine != NULL)
            fprintf(out, "%s\n\n", lesson_under_wine(l));
        if (has_quirks(l, "wine")) {
            fprintf(out, "%s\n\n", T("Checks reported as DIFF (a known Wine difference) rather than FAIL there:"));
            quirk_lines(out, l, "wine", 1);
        }
    }
    fprintf(out, T("\n---\nGenerated from [`%s`](%s%s) by `socklab explain %s --markdown` (`./lab docs`): "
                   "edit the lesson, not this page.\n"),
            src, i18n_get() == I18N_KO ? "../../../" : "../../", src, l->name);
}

/* A table cell: '|' would end the cell, so it is escaped. */
static void cell(FILE *out, const char *text, const char *port)
{
    const char *p;
    for (p = text; *p != '\0'; p++) {
        if (strncmp(p, "{port}", 6) == 0 && port != NULL) {
            fputs(port, out);
            p += 5;
        } else if (*p == '|') {
            fputs("\\|", out);
        } else {
            fputc(*p, out);
        }
    }
}

void lesson_print_markdown_table(FILE *out, const struct lesson *const *all, size_t n)
{
    size_t i;
    fprintf(out, "%s\n|---|---|---|\n",
            T("| lesson | what it shows | Wireshark display filter (`P` = the server port the run prints) |"));
    for (i = 0; i < n; i++) {
        fprintf(out, "| [`%s`](docs/lessons/%s%s.md) | ", all[i]->name, i18n_get() == I18N_KO ? "ko/" : "",
                all[i]->name);
        cell(out, lesson_title(all[i]), NULL);
        fputs(" | `", out);
        cell(out, all[i]->wireshark, "P");
        fputs("` |\n", out);
    }
}
