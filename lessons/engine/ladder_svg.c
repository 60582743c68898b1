/* ladder_svg.c - `--ladder FILE.svg`: the ladder diagram as SVG, one column per lesson (compare puts
 * them side by side). Every drawn packet is a <g class="pkt ..."> and every band of packets a
 * <g class="bundle" data-packets="N">, every event a <g class="event">, and what was not drawn is
 * counted in <text class="hidden">: the counts add up to the capture, and tests read them. */
#include "lessons/engine/ladder.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"

#include "common/textwrap.h"

#define COL_W 860.0
#define ROW_H 24.0
#define TOP 108.0    /* the document's title and legend */
#define HEAD 54.0    /* a column's lesson name and lifeline names */
#define LEFT 84.0    /* the time column */
#define RIGHT 40.0
#define CHAR_W 6.1   /* 10 px monospace: about 6 px a character */

static const char *colour(enum ladder_class c)
{
    static const char *const colours[] = {"#2ca02c", "#1f77b4", "#d62728", "#ff7f0e", "#222222", "#8c8c8c",
                                          "#555555"};
    return colours[c];
}

static void escaped(FILE *out, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n && s[i] != '\0'; i++) {
        switch (s[i]) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(s[i], out);
        }
    }
}

/* <text> of at most max_chars columns (cut with "..."), the whole text as its tooltip. */
static void label(FILE *out, double x, double y, const char *anchor, const char *fill, const char *s, int max_chars)
{
    size_t n = strlen(s), keep = n;
    int cut = text_width(s) > max_chars && max_chars > 3;
    if (cut)
        for (keep = 0; keep < n && text_width_n(s, keep + 1) <= max_chars - 3; keep++)
            ;
    while (cut && keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--; /* never split a UTF-8 character */
    /* a white outline keeps the text readable where it crosses a lifeline or an arrow */
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\" stroke=\"white\" stroke-width=\"3\" "
                 "paint-order=\"stroke\">",
            x, y, anchor, fill);
    if (cut) {
        fputs("<title>", out);
        escaped(out, s, n);
        fputs("</title>", out);
    }
    escaped(out, s, keep);
    fputs(cut ? "...</text>\n" : "</text>\n", out);
}

/* right_edge: where the column ends; a label longer than its arrow runs on from the arrow's left end. */
static void arrow(FILE *out, const struct ladder_row *row, double xa, double xb, double y, double right_edge)
{
    double y2 = y + ROW_H * 0.55, dir = xb > xa ? -1 : 1, lo = xa < xb ? xa : xb;
    double mid = (xa + xb) / 2, label_y = row->kind == LADDER_BUNDLE ? y - 5 : y - 2; /* above its arrow */
    const char *c = colour(row->cls);
    int room = (int)((xb > xa ? xb - xa : xa - xb) / CHAR_W) - 2, long_label = text_width(row->label) > room;
    if (row->kind == LADDER_BUNDLE) {
        fprintf(out, "<g class=\"bundle\" data-packets=\"%u\">\n", row->packets);
        fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"#999\" fill-opacity=\"0.35\" "
                     "stroke=\"#555\"/>\n",
                xa, y - 3, xb, y2 - 3, xb, y2 + 3, xa, y + 3);
    } else {
        fprintf(out, "<g class=\"pkt %s\">\n", ladder_class_name(row->cls));
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.4\"/>\n", xa, y,
                xb, y2, c);
    }
    fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>\n", xb, y2, xb + dir * 8, y2 - 4,
            xb + dir * 8, y2 + 4, row->kind == LADDER_BUNDLE ? "#555" : c);
    if (long_label)
        label(out, lo + 10, label_y, "start", c, row->label, (int)((right_edge - lo - 14) / CHAR_W));
    else
        label(out, mid, label_y, "middle", c, row->label, room);
    fputs("</g>\n", out);
}

static void column(FILE *out, const struct lesson_report *r, const struct ladder *lad, double x0)
{
    double x[1 + LADDER_MAX_CLIENTS], bottom = TOP + HEAD + (double)lad->n * ROW_H + 10;
    char buf[240];
    unsigned k;
    size_t i;
    for (k = 0; k < lad->nlines; k++)
        x[k] = x0 + LEFT + 40 +
               (lad->nlines > 1 ? (double)k * (COL_W - LEFT - RIGHT - 80) / (double)(lad->nlines - 1) : 0);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\" font-family=\"sans-serif\">",
            x0 + 12, TOP + 16);
    escaped(out, r->lesson->name, strlen(r->lesson->name));
    fprintf(out, "</text>\n");
    snprintf(buf, sizeof buf, T("%zu packets captured, %zu timeline events; ms since the run started%s"), lad->packets,
             lad->events,
             r->capture_dropped > 0 || r->capture_not_kept > 0 ? T("; packets dropped by the kernel are missing") : "");
    label(out, x0 + 12, TOP + 32, "start", "#444", buf, 200);
    for (k = 0; k < lad->nlines; k++) {
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb\" stroke-width=\"2\"/>\n",
                x[k], TOP + HEAD - 6, x[k], bottom);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\">%s</text>\n", x[k],
                TOP + HEAD - 12, lad->line_name[k]);
    }
    for (i = 0; i < lad->n; i++) {
        const struct ladder_row *row = &lad->rows[i];
        double y = TOP + HEAD + (double)i * ROW_H + 8;
        if (row->kind != LADDER_GAP) {
            snprintf(buf, sizeof buf, "%.3f", row->t_ms);
            label(out, x0 + LEFT, y + 4, "end", "#666", buf, 20);
        }
        if (row->kind == LADDER_EVENT) {
            int right = row->from + 1 == lad->nlines && lad->nlines > 1;
            double room = right ? x[row->from] - x[0] - 16 : x0 + COL_W - x[row->from] - 16;
            fprintf(out, "<g class=\"event\" data-side=\"%s\">\n", row->from == 0 ? "server" : "client");
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#555\"/>\n", x[row->from], y);
            label(out, x[row->from] + (right ? -9 : 9), y + 4, right ? "end" : "start", "#333", row->label,
                  (int)(room / CHAR_W));
            fputs("</g>\n", out);
        } else if (row->kind == LADDER_GAP) {
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f3f3f3\"/>\n", x0 + 4,
                    y - 8, COL_W - 8, ROW_H - 4);
            snprintf(buf, sizeof buf, T("~ %.60s (not to scale) ~"), row->label);
            label(out, x0 + COL_W / 2, y + 4, "middle", "#777", buf, 80);
        } else {
            arrow(out, row, x[row->from], x[row->to], y, x0 + COL_W);
        }
    }
    ladder_hidden_text(lad, buf, sizeof buf);
    if (buf[0] != '\0') {
        fprintf(out, "<text class=\"hidden\" data-packets=\"%zu\" data-events=\"%zu\" x=\"%.1f\" y=\"%.1f\" "
                     "fill=\"#a00\">",
                lad->hidden_packets, lad->hidden_events, x0 + 12, bottom + 16);
        escaped(out, buf, strlen(buf));
        fputs("</text>\n", out);
    }
}

static void legend(FILE *out)
{
    static const enum ladder_class shown[] = {LADDER_SYN, LADDER_FIN, LADDER_RST, LADDER_ZERO_WINDOW, LADDER_DATA,
                                              LADDER_ACK};
    static const char *const what[] = {"SYN", "FIN", "RST", "zero window", "data", "ACK"};
    size_t i;
    double x = 12;
    for (i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        fprintf(out, "<line x1=\"%.1f\" y1=\"62\" x2=\"%.1f\" y2=\"62\" stroke=\"%s\" stroke-width=\"3\"/>\n", x,
                x + 22, colour(shown[i]));
        fprintf(out, "<text x=\"%.1f\" y=\"66\" font-family=\"sans-serif\">%s</text>\n", x + 27, what[i]);
        x += 40 + 7.0 * (double)strlen(what[i]);
    }
    fprintf(out, "<circle cx=\"%.1f\" cy=\"62\" r=\"4\" fill=\"#555\"/><text x=\"%.1f\" y=\"66\" "
                 "font-family=\"sans-serif\">an event of that side (a call, its result, a state)</text>\n",
            x + 6, x + 15);
    fprintf(out, "<text x=\"12\" y=\"84\" font-family=\"sans-serif\" fill=\"#444\">Each arrow is one captured packet "
                 "with Wireshark's Info on it; a grey band stands for a run of plain data and ACKs.</text>\n"
                 "<text x=\"12\" y=\"98\" font-family=\"sans-serif\" fill=\"#444\">One capture point: an arrow is drawn "
                 "at the time its packet was captured, and its slope is only a drawing.</text>\n");
}

int report_write_ladder_svg(FILE *out, struct lesson_report *const *rs, size_t n)
{
    struct ladder lad;
    size_t i, rows = 0, cols = 0;
    double width, height;
    for (i = 0; i < n; i++)
        if (ladder_build(&lad, rs[i]) == 0) {
            rows = lad.n > rows ? lad.n : rows;
            cols++;
            ladder_free(&lad);
        }
    if (cols == 0)
        return -1;
    width = (double)cols * COL_W;
    height = TOP + HEAD + (double)rows * ROW_H + 40;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                 "font-family=\"monospace\" font-size=\"10\">\n"
                 "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            width, height, width, height);
    fprintf(out, "<text x=\"12\" y=\"26\" font-family=\"sans-serif\" font-size=\"16\" font-weight=\"bold\">socklab "
                 "ladder: %s</text>\n",
            n == 1 ? rs[0]->lesson->name : "compare");
    fprintf(out, "<text x=\"12\" y=\"44\" font-family=\"sans-serif\" fill=\"#444\">%s, started %s; every arrow and "
                 "event is from this run's capture and timeline</text>\n",
            rs[0]->platform, rs[0]->start_time);
    legend(out);
    for (i = 0, cols = 0; i < n; i++) {
        if (ladder_build(&lad, rs[i]) != 0)
            continue;
        column(out, rs[i], &lad, (double)cols++ * COL_W);
        ladder_free(&lad);
    }
    fputs("</svg>\n", out);
    return 0;
}
