/* report.c - a lesson run's report: both sides' facts, timeline events, errors and samples joined
 * into one, the facts only the two sides together know (which side holds TIME_WAIT), and the
 * lesson's checks run over them. How it is shown is text.c, json.c and table.c. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lesson_report *report_new(const struct lesson *l)
{
    struct lesson_report *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->lesson = l;
    r->platform = sock_platform();
    r->runtime = sock_runtime_quirk();
    return r;
}

void report_free(struct lesson_report *r)
{
    if (r != NULL) {
        report_capture_free(r);
        free(r->series);
    }
    free(r);
}

/* The calendar date of a day count since 1970 (H. Hinnant's days_from_civil, inverted): gmtime is
 * not safe from the several threads of a compare, and gmtime_r is not everywhere. */
static void civil(long long days, int *y, unsigned *m, unsigned *d)
{
    long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void report_set_start(struct lesson_report *r, uint64_t wall_us)
{
    long long secs = (long long)(wall_us / 1000000u);
    unsigned m, d, sod = (unsigned)(secs % 86400);
    int y;
    civil(secs / 86400, &y, &m, &d);
    r->t0_wall_us = wall_us;
    snprintf(r->start_time, sizeof r->start_time, "%04d-%02u-%02uT%02u:%02u:%02u.%06uZ", y, m, d, sod / 3600,
             sod / 60 % 60, sod % 60, (unsigned)(wall_us % 1000000u));
}

void report_add_error(struct lesson_report *r, const char *msg)
{
    if (r->nerrors < sizeof r->errors / sizeof r->errors[0])
        snprintf(r->errors[r->nerrors++], ERROR_LEN, "%s", msg);
}

/* The side's samples join the report's; the side's own copy is freed (sides are reused). */
static void take_samples(struct lesson_report *r, struct lesson_side *s)
{
    if (s->series == NULL)
        return;
    if (r->series == NULL) {
        r->series = s->series;
    } else {
        series_merge(r->series, s->series);
        free(s->series);
    }
    s->series = NULL;
}

void report_add_side(struct lesson_report *r, struct lesson_side *s)
{
    size_t i;
    take_samples(r, s);
    r->sides |= s->role == SIDE_SERVER ? 1 : 2;
    for (i = 0; i < s->facts.n; i++)
        factset_put(&r->facts, &s->facts.f[i]);
    r->facts.dropped += s->facts.dropped;
    for (i = 0; i < s->nevents && r->nevents < sizeof r->events / sizeof r->events[0]; i++)
        r->events[r->nevents++] = s->events[i];
    for (i = 0; i < s->nerrors; i++)
        report_add_error(r, s->errors[i]);
    for (i = 0; i < s->nlab && r->nlab < MAX_LAB_LINES; i++)
        snprintf(r->lab[r->nlab++], LAB_LINE_LEN, "%s", s->lab[i]);
}

static int by_time(const void *a, const void *b)
{
    double d = ((const struct event *)a)->t_ms - ((const struct event *)b)->t_ms;
    return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/* time_wait_on, from each side's own reading of the kernel's table ("" and each variant prefix). */
static void join_time_wait(struct lesson_report *r)
{
    size_t i, n = r->facts.n;
    for (i = 0; i < n; i++) {
        const char *k = r->facts.f[i].key, *suffix = "server_final_state";
        size_t klen = strlen(k), slen = strlen(suffix), plen;
        char prefix[24], key[FACT_KEY_LEN]; /* prefixes are short: see side_fact_prefix */
        const struct fact *sf, *cf;
        struct fact out;
        if (klen < slen || strcmp(k + klen - slen, suffix) != 0)
            continue;
        plen = klen - slen;
        if (plen >= sizeof prefix)
            continue;
        memcpy(prefix, k, plen);
        prefix[plen] = '\0';
        sf = &r->facts.f[i];
        snprintf(key, sizeof key, "%sclient_final_state", prefix);
        cf = factset_get(&r->facts, key);
        memset(&out, 0, sizeof out);
        out.type = FACT_STR;
        snprintf(out.key, sizeof out.key, "%stime_wait_on", prefix);
        if (strcmp(sf->s, "TIME_WAIT") == 0)
            snprintf(out.s, sizeof out.s, "server");
        else if (cf != NULL && strcmp(cf->s, "TIME_WAIT") == 0)
            snprintf(out.s, sizeof out.s, "client");
        else if (cf != NULL)
            snprintf(out.s, sizeof out.s, "none");
        else
            continue; /* the client's kernel is on another machine: unknown here */
        factset_put(&r->facts, &out);
    }
    /* A lone client side knows only its own end. */
    if (factset_get(&r->facts, "time_wait_on") == NULL) {
        const struct fact *cf = factset_get(&r->facts, "client_final_state");
        if (cf != NULL && strcmp(cf->s, "TIME_WAIT") == 0) {
            struct fact out;
            memset(&out, 0, sizeof out);
            out.type = FACT_STR;
            snprintf(out.key, sizeof out.key, "time_wait_on");
            snprintf(out.s, sizeof out.s, "client");
            factset_put(&r->facts, &out);
        }
    }
}

void report_finish(struct lesson_report *r)
{
    join_time_wait(r);
    if (r->facts.dropped > 0) { /* a lesson that measures more than the store holds: never silently */
        char msg[160];
        snprintf(msg, sizeof msg, "%zu facts were not kept (the store holds %d); checks on them read not measured",
                 r->facts.dropped, MAX_FACTS);
        report_add_error(r, msg);
    }
    qsort(r->events, r->nevents, sizeof r->events[0], by_time);
    if (r->lesson->check != NULL)
        r->lesson->check(r);
    checks_mark_known_differences(r);
}

const char *report_setup_error(const struct lesson_report *r)
{
    return r->setup_error[0] != '\0' ? r->setup_error : NULL;
}
