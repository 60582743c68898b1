/* chart.h - what the text and SVG charts share: the lines of a lesson's chart (one per connection),
 * the time span they cover, human units for their values and round axis steps. */
#ifndef SOCKLAB_CHART_H
#define SOCKLAB_CHART_H

#include <stddef.h>

#include "lessons/engine/internal.h"

#define CHART_MAX_LINES 8

/* The series a chart draws, in the order the connections ran; how many. */
size_t chart_lines(const struct lesson_report *r, const struct lesson_chart *c, const struct series **out,
                   size_t max);
/* The longest time any of the lines covers, from its own first sample (lines start at x = 0). */
double chart_span_ms(const struct series *const *lines, size_t n);
double chart_max_value(const struct series *const *lines, size_t n);
/* Lines whose largest samples (top[0..n)) differ more than this many times are drawn on a logarithmic
 * scale: on a shared linear one the small ones would lie flat on 0. */
#define CHART_LOG_SCALE 20.0
int chart_needs_log_scale(const double *top, size_t n);
/* The smallest sample above 0 of any line (0 if none): the bottom of a logarithmic scale. */
double chart_least_positive(const struct series *const *lines, size_t n);
/* Where v sits on a logarithmic scale from lo (0, as is anything below) to hi (1). */
double chart_log_frac(double v, double lo, double hi);
/* "128.0 KiB", "12 segments", "3.5 ms". */
void chart_format_value(double v, const char *unit, char *buf, size_t len);
/* The unit an axis with values up to max is labelled in ("MiB"), and the divisor that goes with it. */
const char *chart_axis_unit(double max, const char *unit, double *divisor);
/* A round step (1, 2 or 5 times a power of ten) that cuts range into about `target` parts. */
double chart_nice_step(double range, int target);
/* The label of a line: its connection's name, or "-" for a lesson with one connection. */
const char *chart_line_label(const struct series *s);

#endif
