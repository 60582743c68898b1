/* series.h - the time series a lesson samples while it runs: one series per (connection, side,
 * metric), each point stamped in ms since the run started. Storage is fixed: a lesson samples for
 * seconds, not minutes. Points past the capacity are counted as dropped and reported, never lost
 * without a word. Used by the engine (internal.h), the charts and the CSV writer. */
#ifndef SOCKLAB_SERIES_H
#define SOCKLAB_SERIES_H

#include <stddef.h>
#include <stdio.h>

#include "lessons/lesson.h"

#define SERIES_MAX 64
#define SERIES_POINTS 128
#define SERIES_NAME_LEN 24

struct series_point {
    double t_ms;
    double v;
};

struct series {
    char group[SERIES_NAME_LEN];  /* the connection, named after its fact prefix (series_group_name) */
    enum side_role role;
    char metric[SERIES_NAME_LEN]; /* "rcvbuf" */
    char unit[12];                /* "bytes", "segments", "ms" */
    size_t n, dropped;
    struct series_point p[SERIES_POINTS];
};

struct series_set {
    struct series s[SERIES_MAX];
    size_t n;
    size_t dropped_series; /* series that found no room */
};

/* The series with this identity, created when new; NULL when the set is full. */
struct series *series_get(struct series_set *set, const char *group, enum side_role role, const char *metric,
                          const char *unit);
const struct series *series_find(const struct series_set *set, const char *group, enum side_role role,
                                 const char *metric);
void series_add(struct series *s, double t_ms, double v);
/* Copies every point of src into dst (same identities join). */
void series_merge(struct series_set *dst, const struct series_set *src);
/* The group name for a fact prefix, its last part: "sizes.small." -> "small", "with_close_" ->
 * "with_close". */
void series_group_name(const char *prefix, char *out, size_t len);

/* CSV in long form, one point per row, so any metric of any lesson fits one file:
 * lesson,connection,side,metric,unit,t_ms,value */
void series_csv_header(FILE *out);
void series_csv_rows(FILE *out, const char *lesson, const struct series_set *set);

#endif
