/* series.c - storing sampled time series and writing them as CSV (see series.h). */
#include "lessons/engine/series.h"

#include <string.h>

static int same(const struct series *s, const char *group, enum side_role role, const char *metric)
{
    return s->role == role && strcmp(s->group, group) == 0 && strcmp(s->metric, metric) == 0;
}

const struct series *series_find(const struct series_set *set, const char *group, enum side_role role,
                                 const char *metric)
{
    size_t i;
    for (i = 0; i < set->n; i++)
        if (same(&set->s[i], group, role, metric))
            return &set->s[i];
    return NULL;
}

struct series *series_get(struct series_set *set, const char *group, enum side_role role, const char *metric,
                          const char *unit)
{
    struct series *s = (struct series *)series_find(set, group, role, metric);
    if (s != NULL)
        return s;
    if (set->n >= SERIES_MAX) {
        set->dropped_series++;
        return NULL;
    }
    s = &set->s[set->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->group, sizeof s->group, "%s", group);
    s->role = role;
    snprintf(s->metric, sizeof s->metric, "%s", metric);
    snprintf(s->unit, sizeof s->unit, "%s", unit);
    return s;
}

void series_add(struct series *s, double t_ms, double v)
{
    if (s->n >= SERIES_POINTS) {
        s->dropped++;
        return;
    }
    s->p[s->n].t_ms = t_ms;
    s->p[s->n].v = v;
    s->n++;
}

void series_merge(struct series_set *dst, const struct series_set *src)
{
    size_t i, k;
    dst->dropped_series += src->dropped_series;
    for (i = 0; i < src->n; i++) {
        const struct series *from = &src->s[i];
        struct series *to = series_get(dst, from->group, from->role, from->metric, from->unit);
        if (to == NULL)
            continue;
        for (k = 0; k < from->n; k++)
            series_add(to, from->p[k].t_ms, from->p[k].v);
        to->dropped += from->dropped;
    }
}

void series_group_name(const char *prefix, char *out, size_t len)
{
    size_t n = strlen(prefix), start;
    while (n > 0 && (prefix[n - 1] == '.' || prefix[n - 1] == '_'))
        n--;
    for (start = n; start > 0 && prefix[start - 1] != '.'; start--)
        ;
    snprintf(out, len, "%.*s", (int)(n - start), prefix + start);
}

void series_csv_header(FILE *out) { fputs("lesson,connection,side,metric,unit,t_ms,value\n", out); }

void series_csv_rows(FILE *out, const char *lesson, const struct series_set *set)
{
    size_t i, k;
    /* Names are lesson identifiers and prefixes ([a-z0-9_.-]): nothing to quote. */
    for (i = 0; i < set->n; i++) {
        const struct series *s = &set->s[i];
        for (k = 0; k < s->n; k++)
            fprintf(out, "%s,%s,%s,%s,%s,%.3f,%.10g\n", lesson, s->group, s->role == SIDE_SERVER ? "server" : "client",
                    s->metric, s->unit, s->p[k].t_ms, s->p[k].v);
    }
}
