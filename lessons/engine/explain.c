/* explain.c - `socklab explain LESSON`: what happens, what to watch for in Wireshark, and what each
 * platform does. The claims here are the ones the lesson's checks verify when it runs. */
#include "lessons/engine/engine.h"

#include <stdio.h>
#include <string.h>

/* Prints text wrapped at 100 columns with the given indent. */
static void wrap(FILE *out, const char *text, int indent)
{
    const char *p = text;
    int col = 0;
    while (*p != '\0') {
        const char *w = p;
        int len;
        while (*w != '\0' && *w != ' ' && *w != '\n')
            w++;
        len = (int)(w - p);
        if (col > 0 && col + 1 + len > 100) {
            fputc('\n', out);
            col = 0;
        }
        if (col == 0) {
            fprintf(out, "%*s", indent, "");
            col = indent;
        } else {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", len, p);
        col += len;
        p = w;
        if (*p == '\n') {
            fputc('\n', out);
            col = 0;
        }
        if (*p != '\0')
            p++;
    }
    if (col > 0)
        fputc('\n', out);
}

void lesson_print_explain(FILE *out, const struct lesson *l)
{
    const char *w = l->watch;
    fprintf(out, "%s: %s\n\n", l->name, l->title);
    wrap(out, l->explain, 2);
    fprintf(out, "\nWireshark display filter ({port} = the server port the run prints):\n  %s\n", l->wireshark);
    fprintf(out, "\nWhat to watch for:\n");
    while (w != NULL && *w != '\0') {
        const char *nl = strchr(w, '\n');
        int len = nl != NULL ? (int)(nl - w) : (int)strlen(w);
        fprintf(out, "  - %.*s\n", len, w);
        w = nl != NULL ? nl + 1 : NULL;
    }
    fprintf(out, "\nOn Linux:\n");
    wrap(out, l->on_linux, 2);
    fprintf(out, "\nOn Windows:\n");
    wrap(out, l->on_windows, 2);
    fprintf(out, "\nRun it: socklab run %s   (two machines: socklab-server --lesson %s / socklab-bot --lesson %s)\n",
            l->name, l->name, l->name);
}
