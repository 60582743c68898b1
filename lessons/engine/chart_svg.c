/* chart_svg.c - --plot: the lessons' time series as one SVG file that any browser shows. One panel
 * per chart, each with its axes, units and a legend naming the connections; one column per lesson
 * (a single lesson's charts fill two columns). Every point drawn is a sample from this run. */
#include "lessons/engine/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"

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

/* Every connection name keeps one colour across all the panels of a file, so "slow" is the same red
 * in each lesson's column of a compare. */
struct palette {
    char name[CHART_MAX_LINES * 4][SERIES_NAME_LEN];
    size_t n;
};

static const char *colour_of(struct palette *pal, const struct series *s)
{
    const char *label = chart_line_label(s);
    size_t i;
    for (i = 0; i < pal->n; i++)
        if (strcmp(pal->name[i], label) == 0)
            return colours[i % CHART_MAX_LINES];
    if (pal->n < sizeof pal->name / sizeof pal->name[0])
        snprintf(pal->name[pal->n++], sizeof pal->name[0], "%s", label);
    return colours[(pal->n - 1) % CHART_MAX_LINES];
}

/* The y axis: linear from 0, or logarithmic in whole decades when the lines' largest samples differ
 * more than CHART_LOG_SCALE times (then the small lines would lie flat on 0). */
struct yaxis {
    int log;
    double div, top, step; /* linear: values / div, 0..top in steps */
    double lo, hi;         /* log: decades 10^lo .. 10^hi of the values / div */
};

static void yaxis_init(struct yaxis *ax, const struct series *const *lines, size_t n, double div)
{
    double top[CHART_MAX_LINES], ymax = chart_max_value(lines, n);
    size_t i, k;
    for (i = 0; i < n; i++)
        top[i] = chart_max_value(&lines[i], 1);
    ax->div = div;
    ax->log = chart_needs_log_scale(top, n);
    if (ax->log) {
        ax->lo = floor(log10(chart_least_positive(lines, n) / div));
        ax->hi = ceil(log10(ymax / div));
        ax->hi = ax->hi > ax->lo ? ax->hi : ax->lo + 1;
        return;
    }
    ax->step = chart_nice_step(ymax / div > 0 ? ymax / div : 1, 4);
    for (ax->top = ax->step, k = 0; ax->top * div < ymax && k < 100; k++)
        ax->top += ax->step;
}

/* 0 at the bottom of the plot, 1 at the top; a 0 on a log axis sits on its floor. */
static double yaxis_frac(const struct yaxis *ax, double v)
{
    v /= ax->div;
    return ax->log ? chart_log_frac(v, pow(10, ax->lo), pow(10, ax->hi)) : v / ax->top;
}

static void grid_line(FILE *out, double x1, double y1, double x2, double y2)
{
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", x1, y1, x2, y2);
}

static void y_grid(FILE *out, const struct yaxis *ax, double px, double py, double pw, double ph)
{
    char buf[32];
    double v;
    int k;
    if (ax->log) {
        for (v = ax->lo, k = 0; v <= ax->hi + 1e-9 && k < 40; v += 1, k++) {
            double y = py + ph - (v - ax->lo) / (ax->hi - ax->lo) * ph;
            grid_line(out, px, y, px + pw, y);
            tick_label(buf, sizeof buf, pow(10, v));
            text_at(out, px - 6, y + 4, "text-anchor=\"end\"", buf);
        }
        return;
    }
    for (v = 0, k = 0; v <= ax->top + ax->step / 1e6 && k < 100; v += ax->step, k++) {
        double y = py + ph - v / ax->top * ph;
        grid_line(out, px, y, px + pw, y);
        tick_label(buf, sizeof buf, v);
        text_at(out, px - 6, y + 4, "text-anchor=\"end\"", buf);
    }
}

/* One connection's line, a dot on every sample. */
static void plot_line(FILE *out, const struct series *s, const struct yaxis *ax, const char *colour, double span,
                      double px, double py, double pw, double ph)
{
    size_t k;
    fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", colour);
    for (k = 0; k < s->n; k++)
        fprintf(out, "%.1f,%.1f ", px + (span > 0 ? (s->p[k].t_ms - s->p[0].t_ms) / span : 0) * pw,
                py + ph - yaxis_frac(ax, s->p[k].v) * ph);
    fputs("\"/>\n", out);
    for (k = 0; k < s->n; k++)
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/>\n",
                px + (span > 0 ? (s->p[k].t_ms - s->p[0].t_ms) / span : 0) * pw,
                py + ph - yaxis_frac(ax, s->p[k].v) * ph, colour);
}

/* One chart in the panel whose top-left corner is (x0, y0). */
static void panel(FILE *out, struct palette *pal, const struct lesson_report *r, const struct lesson_chart *c,
                  double x0, double y0)
{
    const struct series *lines[CHART_MAX_LINES];
    size_t n = chart_lines(r, c, lines, CHART_MAX_LINES), order[CHART_MAX_LINES], i, k;
    double px = x0 + PAD_L, py = y0 + PAD_T, pw = PANEL_W - PAD_L - PAD_R, ph = PANEL_H - PAD_T - PAD_B;
    double span, xstep, div, v, lx, ly;
    struct yaxis ax;
    const char *unit, *colour[CHART_MAX_LINES];
    char buf[96];

    text_at(out, x0 + PAD_L, y0 + 18, "font-size=\"13\" font-weight=\"bold\"", lesson_chart_title(c));
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fcfcfc\" stroke=\"#999\"/>\n",
            px, py, pw, ph);
    if (n == 0) {
        text_at(out, px + pw / 2, py + ph / 2, "text-anchor=\"middle\" fill=\"#666\"",
                T("not measured on this platform"));
        return;
    }
    span = chart_span_ms(lines, n);
    unit = chart_axis_unit(chart_max_value(lines, n), lines[0]->unit, &div);
    yaxis_init(&ax, lines, n, div);
    xstep = chart_nice_step(span > 0 ? span : 1, 5);

    y_grid(out, &ax, px, py, pw, ph);
    for (v = 0, k = 0; v <= (span > 0 ? span : 1) + xstep / 1e6 && k < 100; v += xstep, k++) {
        double x = px + v / (span > 0 ? span : 1) * pw;
        grid_line(out, x, py, x, py + ph);
        tick_label(buf, sizeof buf, v);
        text_at(out, x, py + ph + 16, "text-anchor=\"middle\"", buf);
    }
    text_at(out, px + pw / 2, py + ph + 34, "text-anchor=\"middle\" fill=\"#444\"",
            T("ms since the connection's first sample"));
    fprintf(out, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\" fill=\"#444\">",
            x0 + 16, py + ph / 2);
    snprintf(buf, sizeof buf, "%s %s (%s%s)", c->role == SIDE_SERVER ? "server" : "client", c->metric, unit,
             ax.log ? T(", log scale") : "");
    text_escaped(out, buf);
    fputs("</text>\n", out);

    /* largest line first, so a small line is drawn over a big one rather than hidden under it */
    for (i = 0; i < n; i++)
        order[i] = i;
    for (i = 1; i < n; i++)
        for (k = i; k > 0 && chart_max_value(&lines[order[k]], 1) > chart_max_value(&lines[order[k - 1]], 1); k--) {
            size_t t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    for (i = 0; i < n; i++)
        colour[i] = colour_of(pal, lines[i]); /* first seen in connection order, as the legend lists them */
    for (i = 0; i < n; i++)
        plot_line(out, lines[order[i]], &ax, colour[order[i]], span, px, py, pw, ph);
    /* legend above the plot, left to right, on a second row when the first is full */
    for (i = 0, lx = px, ly = y0 + 33; i < n; i++) {
        double w = 34 + 6.8 * (double)strlen(chart_line_label(lines[i])); /* 11 px sans: under 6.8 px a letter */
        if (lx + w > px + pw && lx > px) {
            lx = px;
            ly += 14;
        }
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>\n", lx,
                ly - 4, lx + 18, ly - 4, colour[i]);
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
    struct palette pal;

    pal.n = 0;

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
            cols == 0 ? T("none of these lessons samples a time series")
                      : T("every point was sampled in this run; each line starts at its connection's first sample"));
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
            panel(out, &pal, rs[i], &l->charts[k], (double)c * PANEL_W, top + (double)row * PANEL_H);
        }
        col++;
    }
    fputs("</svg>\n", out);
}
