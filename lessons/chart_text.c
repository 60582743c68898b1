/* chart_text.c - a lesson's time series as sparklines in the terminal: one row per connection,
 * time to the right, height on a linear scale from 0 to the chart's largest sample, so the rows of
 * one chart compare directly. The first, largest and last samples are printed beside each row. */
#include "lessons/chart.h"

#include <stdio.h>
#include <string.h>

#define SPARK_W 40

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

static void sparkline(FILE *out, const struct series *s, double span, double ymax)
{
    int c;
    for (c = 0; c < SPARK_W; c++) {
        double t0 = span * c / SPARK_W, t1 = span * (c + 1) / SPARK_W;
        /* the last column reaches past the span, so the final sample always shows */
        double v = column_value(s, t0, c == SPARK_W - 1 ? span + 1 : t1);
        int level;
        if (v < 0) {
            fputc(' ', out);
            continue;
        }
        level = ymax > 0 ? (int)(v / ymax * 7.0 + 0.5) : 0;
        fputs(glyph[level < 0 ? 0 : level > 7 ? 7 : level], out);
    }
}

static void print_chart(FILE *out, const struct lesson_report *r, const struct lesson_chart *c)
{
    const struct series *lines[CHART_MAX_LINES];
    size_t n = chart_lines(r, c, lines, CHART_MAX_LINES), i, k;
    double span, ymax;
    char first[32], hi[32], last[32];

    fprintf(out, "  %s  (%s %s", c->title, c->role == SIDE_SERVER ? "server" : "client", c->metric);
    if (n == 0) {
        fprintf(out, "): not measured on this platform\n");
        return;
    }
    span = chart_span_ms(lines, n);
    ymax = chart_max_value(lines, n);
    fprintf(out, ", %s; 0 to %.0f ms)\n", lines[0]->unit, span);
    for (i = 0; i < n; i++) {
        double top = lines[i]->p[0].v;
        for (k = 0; k < lines[i]->n; k++)
            top = lines[i]->p[k].v > top ? lines[i]->p[k].v : top;
        chart_format_value(lines[i]->p[0].v, lines[i]->unit, first, sizeof first);
        chart_format_value(top, lines[i]->unit, hi, sizeof hi);
        chart_format_value(lines[i]->p[lines[i]->n - 1].v, lines[i]->unit, last, sizeof last);
        fprintf(out, "    %-10.10s ", chart_line_label(lines[i]));
        sparkline(out, lines[i], span, ymax);
        fprintf(out, "  first %-12s max %-12s last %s\n", first, hi, last);
    }
}

void report_print_charts(FILE *out, const struct lesson_report *r)
{
    const struct lesson_chart *c;
    size_t i, dropped = 0;
    if (!lesson_has_charts(r->lesson))
        return;
    fprintf(out, "\ncharts of %s (every point sampled in this run; x: time since each connection's first\n"
                 "sample; y: linear, from 0 to the chart's largest sample)\n", r->lesson->name);
    if (r->series == NULL) {
        fprintf(out, "  no samples were taken\n");
        return;
    }
    for (c = r->lesson->charts; c->title != NULL; c++)
        print_chart(out, r, c);
    for (i = 0; i < r->series->n; i++)
        dropped += r->series->s[i].dropped;
    if (dropped > 0 || r->series->dropped_series > 0)
        fprintf(out, "  (storage full: %zu samples and %zu series were not kept)\n", dropped,
                r->series->dropped_series);
}
