/* chart.c - the parts of a chart that do not depend on how it is drawn (see chart.h). */
#include "lessons/engine/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int lesson_has_charts(const struct lesson *l) { return l->charts != NULL && l->charts[0].title != NULL; }

size_t chart_lines(const struct lesson_report *r, const struct lesson_chart *c, const struct series **out,
                   size_t max)
{
    size_t i, n = 0;
    if (r->series == NULL)
        return 0;
    for (i = 0; i < r->series->n && n < max; i++) {
        const struct series *s = &r->series->s[i];
        if (s->role == c->role && strcmp(s->metric, c->metric) == 0 && s->n > 0)
            out[n++] = s;
    }
    return n;
}

double chart_span_ms(const struct series *const *lines, size_t n)
{
    double span = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = lines[i]->p[lines[i]->n - 1].t_ms - lines[i]->p[0].t_ms;
        span = d > span ? d : span;
    }
    return span;
}

double chart_max_value(const struct series *const *lines, size_t n)
{
    double hi = 0;
    size_t i, k;
    for (i = 0; i < n; i++)
        for (k = 0; k < lines[i]->n; k++)
            hi = lines[i]->p[k].v > hi ? lines[i]->p[k].v : hi;
    return hi;
}

int chart_needs_log_scale(const double *top, size_t n)
{
    double lo = 0, hi = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        if (top[i] <= 0)
            continue; /* a line of zeros is flat on any scale */
        lo = lo == 0 || top[i] < lo ? top[i] : lo;
        hi = top[i] > hi ? top[i] : hi;
    }
    return lo > 0 && hi / lo > CHART_LOG_SCALE;
}

double chart_least_positive(const struct series *const *lines, size_t n)
{
    double least = 0;
    size_t i, k;
    for (i = 0; i < n; i++)
        for (k = 0; k < lines[i]->n; k++)
            if (lines[i]->p[k].v > 0 && (least == 0 || lines[i]->p[k].v < least))
                least = lines[i]->p[k].v;
    return least;
}

double chart_log_frac(double v, double lo, double hi)
{
    if (v <= lo || lo <= 0)
        return 0;
    if (hi <= lo || v >= hi)
        return 1;
    return (log10(v) - log10(lo)) / (log10(hi) - log10(lo));
}

const char *chart_axis_unit(double max, const char *unit, double *divisor)
{
    *divisor = 1;
    if (strcmp(unit, "bytes") != 0)
        return unit;
    if (max >= 1024.0 * 1024.0 * 1024.0) {
        *divisor = 1024.0 * 1024.0 * 1024.0;
        return "GiB";
    }
    if (max >= 1024.0 * 1024.0) {
        *divisor = 1024.0 * 1024.0;
        return "MiB";
    }
    if (max >= 1024.0) {
        *divisor = 1024.0;
        return "KiB";
    }
    return "bytes";
}

void chart_format_value(double v, const char *unit, char *buf, size_t len)
{
    double div;
    const char *u = chart_axis_unit(v, unit, &div);
    if (div > 1)
        snprintf(buf, len, "%.1f %s", v / div, u);
    else if (strcmp(unit, "ms") == 0)
        snprintf(buf, len, "%.1f ms", v);
    else
        snprintf(buf, len, "%.0f %s", v, u);
}

double chart_nice_step(double range, int target)
{
    double raw = range / (target > 0 ? target : 1), p = 1;
    int guard;
    if (!(raw > 0) || raw > 1e300)
        return 1;
    /* p = the power of ten with p <= raw < 10 p (bounded: doubles span about 600 decades) */
    for (guard = 0; p * 10 <= raw && guard < 400; guard++)
        p *= 10;
    for (guard = 0; p > raw && guard < 400; guard++)
        p /= 10;
    if (raw <= p)
        return p;
    if (raw <= 2 * p)
        return 2 * p;
    if (raw <= 5 * p)
        return 5 * p;
    return 10 * p;
}

const char *chart_line_label(const struct series *s) { return s->group[0] != '\0' ? s->group : "-"; }

/* --csv: every sample the charts are drawn from, one per row (series.c writes the rows). */
void report_write_csv(FILE *out, struct lesson_report *const *rs, size_t n)
{
    size_t i;
    series_csv_header(out);
    for (i = 0; i < n; i++)
        if (rs[i]->series != NULL)
            series_csv_rows(out, rs[i]->lesson->name, rs[i]->series);
}
