/* chart_svg.c - --plot: the lessons' time series as one SVG file that any browser shows. One panel
 * per chart, each with its axes, units and a legend naming the connections; one column per lesson
 * (a single lesson's charts fill two columns). Every point drawn is a sample from this run. */
#include "lessons/engine/chart.h"

#include <stdio.h>
#include <string.h>

#define PANEL_W 460
#define PANEL_H 250
#define PAD_L 70  /* room for the y tick labels and the unit */
#define PAD_R 20
#define PAD_T 58  /* the title and up to two rows of legend */
#define PAD_B 44  /* x tick labels and the axis name */
#define HEAD_H 56 /* the figure's title */
#define COLUMN_HEAD_H 24

static const char *const colours[CHART_MAX_LINES] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                     "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

static void text_escaped(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* <text x y [attrs]>escaped</text> */
static void text_at(FILE *out, double x, double y, const char *attrs, const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
    text_escaped(out, s);
    fputs("</text>\n", out);
}

static void tick_label(char *buf, size_t len, double v)
{
    snprintf(buf, len, "%.6g", v);
}

/* One chart in the panel whose top-left corner is (x0, y0). */
static void panel(FILE *out, const struct lesson_report *r, const struct lesson_chart *c, double x0, double y0)
{
    const struct series *lines[CHART_MAX_LINES];
    size_t n = chart_lines(r, c, lines, CHART_MAX_LINES), i, k;
    double px = x0 + PAD_L, py = y0 + PAD_T, pw = PANEL_W - PAD_L - PAD_R, ph = PANEL_H - PAD_T - PAD_B;
    double span, ymax, ytop, ystep, xstep, div, v, lx, ly;
    const char *unit;
    char buf[96];

    text_at(out, x0 + PAD_L, y0 + 18, "font-size=\"13\" font-weight=\"bold\"", c->title);
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fcfcfc\" stroke=\"#999\"/>\n",
            px, py, pw, ph);
    if (n == 0) {
        text_at(out, px + pw / 2, py + ph / 2, "text-anchor=\"middle\" fill=\"#666\"",
                "not measured on this platform");
        return;
    }
    span = chart_span_ms(lines, n);
    ymax = chart_max_value(lines, n);
    unit = chart_axis_unit(ymax, lines[0]->unit, &div);
    ystep = chart_nice_step(ymax / div > 0 ? ymax / div : 1, 4);
    for (ytop = ystep, k = 0; ytop * div < ymax && k < 100; k++)
        ytop += ystep;
    xstep = chart_nice_step(span > 0 ? span : 1, 5);

    /* grid and tick labels */
    for (v = 0, k = 0; v <= ytop + ystep / 1e6 && k < 100; v += ystep, k++) {
        double y = py + ph - v / ytop * ph;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", px, y, px + pw, y);
        tick_label(buf, sizeof buf, v);
        text_at(out, px - 6, y + 4, "text-anchor=\"end\"", buf);
    }
    for (v = 0, k = 0; v <= (span > 0 ? span : 1) + xstep / 1e6 && k < 100; v += xstep, k++) {
        double x = px + v / (span > 0 ? span : 1) * pw;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", x, py, x, py + ph);
        tick_label(buf, sizeof buf, v);
        text_at(out, x, py + ph + 16, "text-anchor=\"middle\"", buf);
    }
    text_at(out, px + pw / 2, py + ph + 34, "text-anchor=\"middle\" fill=\"#444\"",
            "ms since the connection's first sample");
    fprintf(out, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\" fill=\"#444\">",
            x0 + 16, py + ph / 2);
    snprintf(buf, sizeof buf, "%s %s (%s)", c->role == SIDE_SERVER ? "server" : "client", c->metric, unit);
    text_escaped(out, buf);
    fputs("</text>\n", out);

    /* one line per connection, a dot on every sample */
    for (i = 0; i < n; i++) {
        const struct series *s = lines[i];
        fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", colours[i]);
        for (k = 0; k < s->n; k++)
            fprintf(out, "%.1f,%.1f ", px + (span > 0 ? (s->p[k].t_ms - s->p[0].t_ms) / span : 0) * pw,
                    py + ph - s->p[k].v / div / ytop * ph);
        fputs("\"/>\n", out);
        for (k = 0; k < s->n; k++)
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/>\n",
                    px + (span > 0 ? (s->p[k].t_ms - s->p[0].t_ms) / span : 0) * pw,
                    py + ph - s->p[k].v / div / ytop * ph, colours[i]);
    }
    /* legend above the plot, left to right, on a second row when the first is full */
    for (i = 0, lx = px, ly = y0 + 33; i < n; i++) {
        double w = 34 + 6.8 * (double)strlen(chart_line_label(lines[i])); /* 11 px sans: under 6.8 px a letter */
        if (lx + w > px + pw && lx > px) {
            lx = px;
            ly += 14;
        }
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>\n", lx,
                ly - 4, lx + 18, ly - 4, colours[i]);
        text_at(out, lx + 22, ly, "", chart_line_label(lines[i]));
        lx += w;
    }
}

static size_t chart_count(const struct lesson *l)
{
    size_t n = 0;
    while (lesson_has_charts(l) && l->charts[n].title != NULL)
        n++;
    return n;
}

void report_write_svg(FILE *out, struct lesson_report *const *rs, size_t n)
{
    size_t i, k, cols = 0, rows = 0, col;
    const struct lesson_report *only = NULL;
    int single;
    double width, height;
    char buf[160];

    for (i = 0; i < n; i++) {
        if (chart_count(rs[i]->lesson) == 0)
            continue;
        cols++;
        only = rs[i];
        rows = chart_count(rs[i]->lesson) > rows ? chart_count(rs[i]->lesson) : rows;
    }
    single = cols == 1; /* one lesson: its charts in two columns; several: a column per lesson */
    if (single && rows > 1) {
        cols = 2;
        rows = (rows + 1) / 2;
    }
    width = (double)(cols > 0 ? cols : 1) * PANEL_W;
    height = HEAD_H + (single ? 0 : COLUMN_HEAD_H) + (double)(rows > 0 ? rows : 1) * PANEL_H;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
            width, height, width, height);
    fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    if (single)
        snprintf(buf, sizeof buf, "socklab %s (%s)", only->lesson->name, only->platform);
    else
        snprintf(buf, sizeof buf, "socklab compare (%s)", n > 0 ? rs[0]->platform : "?");
    text_at(out, 12, 24, "font-size=\"16\" font-weight=\"bold\"", buf);
    text_at(out, 12, 44, "fill=\"#444\"",
            cols == 0 ? "none of these lessons samples a time series"
                      : "every point was sampled in this run; each line starts at its connection's first sample");
    for (i = 0, col = 0; i < n; i++) {
        const struct lesson *l = rs[i]->lesson;
        double top = HEAD_H;
        if (chart_count(l) == 0)
            continue;
        if (!single) {
            text_at(out, (double)col * PANEL_W + PAD_L, top + 16, "font-size=\"14\" font-weight=\"bold\"", l->name);
            top += COLUMN_HEAD_H;
        }
        for (k = 0; l->charts[k].title != NULL; k++) {
            size_t c = single ? k % 2 : col, row = single ? k / 2 : k;
            panel(out, rs[i], &l->charts[k], (double)c * PANEL_W, top + (double)row * PANEL_H);
        }
        col++;
    }
    fputs("</svg>\n", out);
}
