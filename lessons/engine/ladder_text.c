/* ladder_text.c - `--ladder -`: the ladder diagram in the terminal. Time runs down the page, one row
 * per packet or event; a packet is an arrow between lifelines with its Wireshark label on it (or above
 * it when it does not fit), an event a '*' on its side's lifeline with its text beside it. */
#include "lessons/engine/ladder.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"

#include "common/textwrap.h"

#define TIME_W 11 /* "  12345.678" */
#define MAX_W 400

struct canvas {
    int width, x[1 + LADDER_MAX_CLIENTS];
    unsigned nlines;
};

/* A row of lifelines and nothing else, in line[0..width). */
static void blank(const struct canvas *cv, char *line, char mark)
{
    unsigned i;
    memset(line, ' ', (size_t)cv->width);
    line[cv->width] = '\0';
    for (i = 0; i < cv->nlines; i++)
        line[cv->x[i]] = mark;
}

static void put(char *line, int col, const char *s, size_t n) { memcpy(line + col, s, n); }

/* The bytes of the longest run of whole words of text that fits w columns (a longer word is cut). */
static size_t chunk(const char *text, int w)
{
    size_t best = 0, i;
    for (i = 0;; i++) {
        if (text[i] == ' ' || text[i] == '\0') {
            if (text_width_n(text, i) > w)
                break;
            best = i;
            if (text[i] == '\0')
                break;
        }
    }
    if (best == 0) /* one word wider than w */
        for (best = 0; text[best] != '\0' && text_width_n(text, best + 1) <= w; best++)
            ;
    return best > 0 ? best : 1;
}

static void print_time(FILE *out, double t_ms, int show)
{
    if (show)
        fprintf(out, "%*.3f", TIME_W, t_ms);
    else
        fprintf(out, "%*s", TIME_W, "");
}

/* An event: '*' on its lifeline, the text to its right (to its left on the rightmost lifeline),
 * wrapped over as many rows as it takes. */
static void event_row(FILE *out, const struct canvas *cv, const struct ladder_row *row)
{
    char line[MAX_W + 1];
    const char *text = row->label;
    int x = cv->x[row->from], right = row->from + 1 == cv->nlines && cv->nlines > 1;
    int lo = right ? cv->x[0] + 2 : x + 2, hi = right ? x - 2 : cv->width - 1, first = 1;
    if (hi - lo < 8) /* lifelines too close: the text runs over the next one */
        hi = cv->width - 1, right = 0, lo = x + 2;
    while (*text != '\0' || first) {
        size_t n = chunk(text, hi - lo);
        int w = text_width_n(text, n);
        blank(cv, line, '|');
        if (first)
            line[x] = '*';
        print_time(out, row->t_ms, first);
        /* the text may be UTF-8: print the canvas around it rather than copying it in */
        if (right) {
            fprintf(out, "%.*s%.*s%s\n", hi - w, line, (int)n, text, line + hi);
        } else {
            fprintf(out, "%.*s%.*s", lo, line, (int)n, text);
            fprintf(out, "%s\n", lo + w < cv->width ? line + lo + w : "");
        }
        text += n;
        while (*text == ' ')
            text++;
        first = 0;
    }
}

/* A packet or a band: an arrow from one lifeline to another, its label on it when it fits. */
static void arrow_row(FILE *out, const struct canvas *cv, const struct ladder_row *row)
{
    char line[MAX_W + 1];
    int a = cv->x[row->from], b = cv->x[row->to], lo = a < b ? a : b, hi = a < b ? b : a, i;
    int span = hi - lo - 5; /* room for the label inside the shaft, a space either side */
    size_t len = strlen(row->label);
    char shaft = row->kind == LADDER_BUNDLE ? '=' : '-';
    int first = 1;
    const char *text = row->label;
    if ((int)len > span) { /* the label above the arrow, on as many rows as it takes */
        while (*text != '\0') {
            size_t n = chunk(text, hi - lo - 3);
            blank(cv, line, '|');
            put(line, lo + 2, text, n);
            print_time(out, row->t_ms, first);
            fprintf(out, "%s\n", line);
            first = 0;
            text += n;
            while (*text == ' ')
                text++;
        }
    }
    blank(cv, line, '|');
    for (i = lo + 1; i < hi; i++)
        line[i] = shaft;
    if (a < b)
        line[b - 1] = '>';
    else
        line[b + 1] = '<';
    if (first) {
        int at = lo + 3 + (span - (int)len) / 2;
        line[at - 1] = line[at + (int)len] = ' ';
        put(line, at, row->label, len);
    }
    print_time(out, row->t_ms, first);
    fprintf(out, "%s\n", line);
}

static void print_one(FILE *out, const struct lesson_report *r, const struct ladder *lad, int width)
{
    struct canvas cv;
    char line[MAX_W + 1], hidden[200];
    size_t i;
    unsigned k;
    cv.width = width - TIME_W;
    cv.nlines = lad->nlines;
    for (k = 0; k < cv.nlines; k++)
        cv.x[k] = cv.nlines > 1 ? 1 + (int)k * (cv.width - 2) / (int)(cv.nlines - 1) : 1;
    snprintf(line, sizeof line, T("ladder of %s: %zu packets captured, %zu timeline events (ms since the run "
                                  "started; one capture point, so each arrow is drawn at the time its packet was "
                                  "captured)"),
             r->lesson->name, lad->packets, lad->events);
    fputc('\n', out);
    text_wrap(out, line, 2, 0, width);
    if (r->capture_dropped > 0 || r->capture_not_kept > 0)
        fprintf(out, T("  missing: %ld packets the kernel dropped and %ld not kept are not in this picture\n"),
                r->capture_dropped, r->capture_not_kept);
    text_wrap(out, T("--> a packet, Wireshark's Info on it;  ==> a band of plain data and ACK packets, its count on "
                     "it;  * an event of that side;  ~ a quiet time, not to scale"), 2, 0, width);
    blank(&cv, line, ' ');
    for (k = 0; k < cv.nlines; k++) {
        const char *name = lad->line_name[k];
        int len = (int)strlen(name), at = k == 0 ? cv.x[0] : cv.x[k] - len + 1;
        if (k > 0 && k + 1 < cv.nlines)
            at = cv.x[k] - len / 2;
        put(line, at < 0 ? 0 : at, name, (size_t)len);
    }
    fprintf(out, "%*s%s\n", TIME_W, "ms", line);
    for (i = 0; i < lad->n; i++) {
        const struct ladder_row *row = &lad->rows[i];
        if (row->kind == LADDER_EVENT) {
            event_row(out, &cv, row);
        } else if (row->kind == LADDER_GAP) {
            blank(&cv, line, ':');
            put(line, 3, row->label, strlen(row->label) < (size_t)cv.width - 4 ? strlen(row->label) : 0);
            fprintf(out, "%*s%s\n", TIME_W, "~", line);
        } else {
            arrow_row(out, &cv, row);
        }
    }
    ladder_hidden_text(lad, hidden, sizeof hidden);
    if (hidden[0] != '\0')
        fprintf(out, "  %s\n", hidden);
}

void report_print_ladder(FILE *out, struct lesson_report *const *rs, size_t n, int width)
{
    size_t i;
    width = width <= 0 ? 120 : width > MAX_W ? MAX_W : width < 60 ? 60 : width;
    for (i = 0; i < n; i++) {
        struct ladder lad;
        if (ladder_build(&lad, rs[i]) != 0) {
            fprintf(out, T("\nladder of %s: none (%s)\n"), rs[i]->lesson->name,
                    rs[i]->capture_note[0] != '\0' ? rs[i]->capture_note : T("there is no capture of it"));
            continue;
        }
        print_one(out, rs[i], &lad, width);
        ladder_free(&lad);
    }
}
