/* explain.c - a lesson's own text for people: `socklab explain LESSON` in the terminal, the same as
 * a Markdown page (docs/lessons/LESSON.md), and the README's table of lessons. All of it comes from
 * the lesson's table entry, so the lesson file is the one place its story is written; the claims
 * are the ones the lesson's checks verify when it runs. */
#include "lessons/engine/engine.h"

#include <stdio.h>
#include <string.h>

#include "common/textwrap.h"

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
            snprintf(line + used, sizeof line - used, ": %s", q->why);
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
        return "each side takes part in the handshake itself - its server reads the connection's SYN_RECV "
               "entry before accept() - which socklab-server, accepting on its own, cannot: run both sides "
               "in one process (socklab run)";
    if (l->one_process)
        return "its server side works across the run's connections - serving connections its client opens "
               "on its own, or keeping earlier connections' sockets open - which a socklab-server run of one "
               "connection at a time cannot: run both sides in one process (socklab run)";
    if (l->lab == LAB_NEEDS)
        return "it drops packets in a private network namespace (the impairment lab), which exists only "
               "inside one process: run both sides with socklab run";
    return NULL;
}

void lesson_print_explain(FILE *out, const struct lesson *l)
{
    fprintf(out, "%s: %s\n\n", l->name, l->title);
    wrap(out, l->explain, 2);
    fprintf(out, "\nWireshark display filter ({port} = the server port the run prints):\n  %s\n", l->wireshark);
    fprintf(out, "\nWhat to watch for:\n");
    items(out, l->watch, "  - ");
    fprintf(out, "\nOn Linux:\n");
    wrap(out, l->on_linux, 2);
    fprintf(out, "\nOn Windows:\n");
    wrap(out, l->on_windows, 2);
    if (l->under_wine != NULL || has_quirks(l, "wine")) {
        fprintf(out, "\nUnder Wine 8 (where CI runs the Windows build):\n");
        if (l->under_wine != NULL)
            wrap(out, l->under_wine, 2);
        if (has_quirks(l, "wine")) {
            fprintf(out, "  Checks reported as DIFF (a known Wine difference) rather than FAIL there:\n");
            quirk_lines(out, l, "wine", 0);
        }
    }
    if (lesson_needs_one_process(l) != NULL) {
        fprintf(out, "\nRun it: socklab run %s\n  Not across two machines (socklab-server and socklab-bot refuse it):\n",
                l->name);
        wrap(out, lesson_needs_one_process(l), 4);
    } else {
        fprintf(out, "\nRun it: socklab run %s   (two machines: socklab-server --lesson %s / socklab-bot --lesson %s)\n",
                l->name, l->name, l->name);
    }
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
    fprintf(out, "# %s\n\n**%s**\n\n%s\n\n", l->name, l->title, l->explain);
    fprintf(out, "## Run it\n\n```sh\nsocklab run %s\n", l->name);
    if (lesson_needs_one_process(l) != NULL)
        fprintf(out, "```\n\nNot across two machines (socklab-server and socklab-bot refuse it): %s.\n\n",
                lesson_needs_one_process(l));
    else
        fprintf(out, "# or across two machines:\nsocklab-server --bind 0.0.0.0 --lesson %s      # on the server\n"
                     "socklab-bot --host SERVER --lesson %s         # on a student's machine\n```\n\n",
                l->name, l->name);
    fprintf(out, "## In Wireshark\n\nDisplay filter (`{port}` is the server port the run prints):\n\n"
                 "```\n%s\n```\n\nWhat to watch for:\n\n", l->wireshark);
    items(out, l->watch, "- ");
    fprintf(out, "\n## On Linux\n\n%s\n\n## On Windows\n\n%s\n", l->on_linux, l->on_windows);
    if (l->under_wine != NULL || has_quirks(l, "wine")) {
        fprintf(out, "\n## Under Wine 8 (where CI runs the Windows build)\n\n");
        if (l->under_wine != NULL)
            fprintf(out, "%s\n\n", l->under_wine);
        if (has_quirks(l, "wine")) {
            fprintf(out, "Checks reported as DIFF (a known Wine difference) rather than FAIL there:\n\n");
            quirk_lines(out, l, "wine", 1);
        }
    }
    fprintf(out, "\n---\nGenerated from [`%s`](../../%s) by `socklab explain %s --markdown` (`./lab docs`): "
                 "edit the lesson, not this page.\n",
            src, src, l->name);
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
    fprintf(out, "| lesson | what it shows | Wireshark display filter (`P` = the server port the run prints) |\n"
                 "|---|---|---|\n");
    for (i = 0; i < n; i++) {
        fprintf(out, "| [`%s`](docs/lessons/%s.md) | ", all[i]->name, all[i]->name);
        cell(out, all[i]->title, NULL);
        fputs(" | `", out);
        cell(out, all[i]->wireshark, "P");
        fputs("` |\n", out);
    }
}
