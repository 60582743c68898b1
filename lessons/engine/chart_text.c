/* chart_text.c - a lesson's time series as sparklines in the terminal: one row per connection,
 * time to the right, height on one scale for the chart (linear from 0 to its largest sample, or
 * logarithmic when the rows differ too much), so the rows of one chart compare directly. The first, largest and last samples are printed beside each row. */
#include "lessons/engine/chart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"

#include "common/textwrap.h"

#define SPARK_W 40
#define SPARK_W_COMPACT 24 /* in columns beside another lesson's charts */
#define COLUMN_LINES 160
#define COLUMN_LINE_LEN 400

/* U+2581..U+2588, lower one eighth block .. full block, as UTF-8 */
static const char *const glyph[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
                                     "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};

/* The largest sample in the column [t0, t1) (ms since the line's first sample), or the value held
 * from before it; -1 when the line has ended before the column starts. */
static double column_value(const struct series *s, double t0, double t1)
{
    double held = -1, best = -1, base = s->p[0].t_ms;
    size_t k;
    if (t0 > s->p[s->n - 1].t_ms - base)
        return -1;
    for (k = 0; k < s->n; k++) {
        double t = s->p[k].t_ms - base, v = s->p[k].v;
        if (t < t0)
            held = v;
        else if (t < t1 && v > best)
            best = v;
    }
    return best >= 0 ? best : held;
}

/* lo > 0: a logarithmic scale from lo to ymax; else linear from 0. */
static void sparkline(FILE *out, const struct series *s, double span, double lo, double ymax, int width)
{
    int c;
    for (c = 0; c < width; c++) {
        double t0 = span * c / width, t1 = span * (c + 1) / width;
        /* the last column reaches past the span, so the final sample always shows */
        double v = column_value(s, t0, c == width - 1 ? span + 1 : t1);
        int level;
        if (v < 0) {
            fputc(' ', out);
            continue;
        }
        if (lo > 0)
            level = (int)(chart_log_frac(v, lo, ymax) * 7.0 + 0.5);
        else
            level = ymax > 0 ? (int)(v / ymax * 7.0 + 0.5) : 0;
        fputs(glyph[level < 0 ? 0 : level > 7 ? 7 : level], out);
    }
}

/* compact: a narrower line and only its largest value, to fit beside another lesson. spark_w: the
 * sparkline's width. The rows share the chart's scale: linear, or logarithmic when their largest samples
 * differ more than CHART_LOG_SCALE times (a small line would sit flat on 0), so they still compare. */
static void print_chart(FILE *out, const struct lesson_report *r, const struct lesson_chart *c, int compact,
                        int spark_w, int width)
{
    const struct series *lines[CHART_MAX_LINES];
    size_t n = chart_lines(r, c, lines, CHART_MAX_LINES), i;
    double span, ymax, top[CHART_MAX_LINES];
    char first[32], hi[32], last[32], head[256];
    int log_scale, used;

    if (compact)
        used = snprintf(head, sizeof head, "%s (%s", lesson_chart_title(c), c->role == SIDE_SERVER ? "server" : "client");
    else
        used = snprintf(head, sizeof head, "%s  (%s %s", lesson_chart_title(c), c->role == SIDE_SERVER ? "server" : "client",
                        c->metric);
    used = used < 0 || (size_t)used >= sizeof head ? (int)sizeof head - 1 : used;
    if (n == 0) {
        snprintf(head + used, sizeof head - (size_t)used, "): %s", T("not measured on this platform"));
        fputs("  ", out);
        text_wrap(out, head, 4, 2, width);
        return;
    }
    span = chart_span_ms(lines, n);
    ymax = chart_max_value(lines, n);
    for (i = 0; i < n; i++)
        top[i] = chart_max_value(&lines[i], 1);
    log_scale = chart_needs_log_scale(top, n);
    snprintf(head + used, sizeof head - (size_t)used, ", %s; 0 to %.0f ms%s)", lines[0]->unit, span,
             log_scale ? T("; log scale") : "");
    fputs("  ", out);
    text_wrap(out, head, 4, 2, width);
    for (i = 0; i < n; i++) {
        chart_format_value(lines[i]->p[0].v, lines[i]->unit, first, sizeof first);
        chart_format_value(top[i], lines[i]->unit, hi, sizeof hi);
        chart_format_value(lines[i]->p[lines[i]->n - 1].v, lines[i]->unit, last, sizeof last);
        fprintf(out, "    %-10.10s ", chart_line_label(lines[i]));
        sparkline(out, lines[i], span, log_scale ? chart_least_positive(lines, n) : 0, ymax, spark_w);
        if (compact)
            fprintf(out, " max %s\n", hi);
        else
            fprintf(out, T("  first %-12s max %-12s last %s\n"), first, hi, last);
    }
}

static void print_charts(FILE *out, const struct lesson_report *r, int width)
{
    const struct lesson_chart *c;
    size_t i, dropped = 0;
    /* the row: 15 columns of label, the sparkline, up to 56 of first/max/last ("first 128.0 KiB ...") */
    int spark_w = width > 0 && width - 72 < SPARK_W ? (width - 72 > 10 ? width - 72 : 10) : SPARK_W;
    if (!lesson_has_charts(r->lesson))
        return;
    fprintf(out, T("\ncharts of %s (every point sampled in this run; x: time since each connection's first\n"
                   "sample; y: from 0 to the chart's largest sample, linear, or logarithmic where marked)\n"),
            r->lesson->name);
    if (r->series == NULL) {
        fprintf(out, "  %s\n", T("no samples were taken"));
        return;
    }
    for (c = r->lesson->charts; c->title != NULL; c++)
        print_chart(out, r, c, 0, spark_w, width);
    for (i = 0; i < r->series->n; i++)
        dropped += r->series->s[i].dropped;
    if (dropped > 0 || r->series->dropped_series > 0)
        fprintf(out, T("  (storage full: %zu samples and %zu series were not kept)\n"), dropped,
                r->series->dropped_series);
}

void report_print_charts(FILE *out, const struct lesson_report *r) { print_charts(out, r, 0); }

struct column {
    char (*line)[COLUMN_LINE_LEN];
    size_t n, width;
};

/* Renders one lesson's charts (compact) into a temporary file and reads the lines back. */
static int render_column(const struct lesson_report *r, struct column *col)
{
    const struct lesson_chart *c;
    FILE *tf = tmpfile();
    col->n = col->width = 0;
    col->line = malloc(sizeof *col->line * COLUMN_LINES);
    if (tf == NULL || col->line == NULL) {
        if (tf != NULL)
            fclose(tf);
        free(col->line);
        return -1;
    }
    fprintf(tf, "%s\n", r->lesson->name);
    if (r->series == NULL)
        fprintf(tf, "  %s\n", T("no samples were taken"));
    else
        for (c = r->lesson->charts; c->title != NULL; c++)
            print_chart(tf, r, c, 1, SPARK_W_COMPACT, 0);
    rewind(tf);
    while (col->n < COLUMN_LINES && fgets(col->line[col->n], COLUMN_LINE_LEN, tf) != NULL) {
        size_t w;
        col->line[col->n][strcspn(col->line[col->n], "\n")] = '\0';
        w = (size_t)text_width(col->line[col->n]);
        col->width = w > col->width ? w : col->width;
        col->n++;
    }
    fclose(tf);
    return 0;
}

void report_print_charts_side_by_side(FILE *out, struct lesson_report *const *rs, size_t n, int width)
{
    struct column cols[4];
    size_t i, k, row, rows = 0, total = 0;
    for (i = k = 0; i < n; i++)
        k += lesson_has_charts(rs[i]->lesson) != 0;
    if (k < 2 || k > sizeof cols / sizeof cols[0]) {
        for (i = 0; i < n; i++)
            print_charts(out, rs[i], width); /* one lesson (or too many for columns): one after another */
        return;
    }
    for (i = k = 0; i < n; i++) {
        if (!lesson_has_charts(rs[i]->lesson))
            continue;
        if (render_column(rs[i], &cols[k]) != 0) {
            while (k > 0)
                free(cols[--k].line);
            for (i = 0; i < n; i++)
                print_charts(out, rs[i], width);
            return;
        }
        rows = cols[k].n > rows ? cols[k].n : rows;
        total += cols[k].width + (k > 0 ? 3 : 0);
        k++;
    }
    if (width > 0 && total > (size_t)width) { /* a narrow terminal: one lesson's charts after another */
        while (k > 0)
            free(cols[--k].line);
        for (i = 0; i < n; i++)
            print_charts(out, rs[i], width);
        return;
    }
    fprintf(out, "\n%s\n", T("charts, side by side (every point sampled in this run; each chart's y axis runs from 0 "
                              "to its largest sample, linear or logarithmic where marked)"));
    for (row = 0; row < rows; row++) {
        for (i = 0; i < k; i++) {
            const char *text = row < cols[i].n ? cols[i].line[row] : "";
            size_t pad = cols[i].width + 3 - (size_t)text_width(text);
            fputs(text, out);
            if (i + 1 < k)
                fprintf(out, "%*s", (int)pad, "");
        }
        fputc('\n', out);
    }
    for (i = 0; i < k; i++)
        free(cols[i].line);
}
