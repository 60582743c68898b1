/* checks.c - the checks a lesson's check function makes (expect_*), each comparing a measured fact
 * with what the running platform is expected to do, and the run's verdict. A check whose fact was
 * not measured here (the other side ran on another machine, or this platform cannot tell) is
 * recorded as not evaluated: it neither passes nor fails. */
#include "lessons/engine/internal.h"

#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

static struct check *add_check(struct lesson_report *r, const char *id)
{
    struct check *c;
    if (r->nchecks >= MAX_CHECKS)
        return NULL;
    c = &r->checks[r->nchecks++];
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    return c;
}

static int missing(struct check *c, const char *key, const struct fact *f)
{
    if (f != NULL)
        return 0;
    snprintf(c->observed, sizeof c->observed, "%s not measured here (the other side, or this platform cannot)", key);
    c->status = CHECK_NOT_EVALUATED;
    return 1;
}

const char *report_platform(const struct lesson_report *r) { return r->platform; }

void expect_str(struct lesson_report *r, const char *id, const char *key, const char *want)
{
    struct check *c = add_check(r, id);
    const struct fact *f = factset_get(&r->facts, key);
    if (c == NULL)
        return;
    snprintf(c->expect, sizeof c->expect, "%s = %s", key, want);
    if (missing(c, key, f))
        return;
    fact_format(f, c->observed, sizeof c->observed);
    c->status = strcmp(c->observed, want) == 0 ? CHECK_PASS : CHECK_FAIL;
}

static void expect_bool(struct lesson_report *r, const char *id, const char *key, int want)
{
    struct check *c = add_check(r, id);
    const struct fact *f = factset_get(&r->facts, key);
    if (c == NULL)
        return;
    snprintf(c->expect, sizeof c->expect, "%s = %s", key, want ? "true" : "false");
    if (missing(c, key, f))
        return;
    fact_format(f, c->observed, sizeof c->observed);
    c->status = (f->i != 0) == (want != 0) ? CHECK_PASS : CHECK_FAIL;
}

void expect_true(struct lesson_report *r, const char *id, const char *key) { expect_bool(r, id, key, 1); }
void expect_false(struct lesson_report *r, const char *id, const char *key) { expect_bool(r, id, key, 0); }

void expect_range(struct lesson_report *r, const char *id, const char *key, double lo, double hi)
{
    struct check *c = add_check(r, id);
    const struct fact *f = factset_get(&r->facts, key);
    double v;
    if (c == NULL)
        return;
    if (hi >= 1e300)
        snprintf(c->expect, sizeof c->expect, "%s >= %.15g", key, lo);
    else if (lo <= -1e300)
        snprintf(c->expect, sizeof c->expect, "%s <= %.15g", key, hi);
    else
        snprintf(c->expect, sizeof c->expect, "%.15g <= %s <= %.15g", lo, key, hi);
    if (missing(c, key, f))
        return;
    fact_format(f, c->observed, sizeof c->observed);
    v = fact_number(f);
    c->status = f->type != FACT_STR && v >= lo && v <= hi ? CHECK_PASS : CHECK_FAIL;
}

static void expect_pair(struct lesson_report *r, const char *id, const char *ka, const char *kb, int less)
{
    struct check *c = add_check(r, id);
    const struct fact *a = factset_get(&r->facts, ka), *b = factset_get(&r->facts, kb);
    char va[32], vb[32];
    if (c == NULL)
        return;
    snprintf(c->expect, sizeof c->expect, "%s %s %s", ka, less ? "<" : "=", kb);
    if (missing(c, ka, a) || missing(c, kb, b))
        return;
    fact_format(a, va, sizeof va);
    fact_format(b, vb, sizeof vb);
    snprintf(c->observed, sizeof c->observed, "%s %s %s", va, fact_number(a) < fact_number(b) ? "<"
                                                           : fact_number(a) > fact_number(b) ? ">" : "=", vb);
    c->status = (less ? fact_number(a) < fact_number(b) : fact_number(a) == fact_number(b)) ? CHECK_PASS
                                                                                           : CHECK_FAIL;
}

void expect_less(struct lesson_report *r, const char *id, const char *ka, const char *kb)
{
    expect_pair(r, id, ka, kb, 1);
}

void expect_equal(struct lesson_report *r, const char *id, const char *ka, const char *kb)
{
    expect_pair(r, id, ka, kb, 0);
}

int report_fact_int(const struct lesson_report *r, const char *key, long long *out)
{
    const struct fact *f = factset_get(&r->facts, key);
    if (f == NULL || f->type != FACT_INT)
        return 0;
    *out = f->i;
    return 1;
}

void expect_seq_apart(struct lesson_report *r, const char *id, const char *key_a, const char *key_b,
                      long long min_apart)
{
    struct check *c = add_check(r, id);
    const struct fact *a = factset_get(&r->facts, key_a), *b = factset_get(&r->facts, key_b);
    unsigned long long d;
    if (c == NULL)
        return;
    snprintf(c->expect, sizeof c->expect, "%s and %s at least %lld apart (mod 2^32)", key_a, key_b, min_apart);
    if (missing(c, key_a, a) || missing(c, key_b, b))
        return;
    d = ((unsigned long long)a->i - (unsigned long long)b->i) & 0xffffffffULL;
    if (d > 0x80000000ULL)
        d = 0x100000000ULL - d; /* the shorter way round */
    snprintf(c->observed, sizeof c->observed, "%llu apart", d);
    c->status = a->type == FACT_INT && b->type == FACT_INT && d >= (unsigned long long)min_apart ? CHECK_PASS
                                                                                             : CHECK_FAIL;
}

void expect_int(struct lesson_report *r, const char *id, const char *key, long long want, const char *how)
{
    struct check *c = add_check(r, id);
    const struct fact *f = factset_get(&r->facts, key);
    if (c == NULL)
        return;
    snprintf(c->expect, sizeof c->expect, "%s = %lld (%s)", key, want, how);
    if (missing(c, key, f))
        return;
    fact_format(f, c->observed, sizeof c->observed);
    c->status = f->type == FACT_INT && f->i == want ? CHECK_PASS : CHECK_FAIL;
}

/* ---- the verdict -------------------------------------------------------------------------------- */

void checks_mark_known_differences(struct lesson_report *r)
{
    const struct lesson_quirk *q;
    size_t i;
    if (r->runtime == NULL || r->lesson->quirks == NULL)
        return;
    for (i = 0; i < r->nchecks; i++) {
        if (r->checks[i].status != CHECK_FAIL)
            continue;
        for (q = r->lesson->quirks; q->runtime != NULL; q++) {
            if (strcmp(q->runtime, r->runtime) == 0 && strcmp(q->check_id, r->checks[i].id) == 0) {
                r->checks[i].status = CHECK_KNOWN_DIFF;
                r->checks[i].why = q->why;
                break;
            }
        }
    }
}

enum report_verdict report_verdict(const struct lesson_report *r)
{
    size_t i, evaluated = 0;
    if (r->nerrors > 0)
        return VERDICT_FAIL;
    for (i = 0; i < r->nchecks; i++) {
        if (r->checks[i].status == CHECK_FAIL)
            return VERDICT_FAIL;
        if (r->checks[i].status == CHECK_PASS || r->checks[i].status == CHECK_KNOWN_DIFF)
            evaluated++; /* a known difference was observed and explained: not a failure */
    }
    /* one side of a two-machine run may hold none of the facts its checks compare */
    return evaluated > 0 ? VERDICT_PASS : VERDICT_NOT_EVALUATED;
}

int report_passed(const struct lesson_report *r) { return report_verdict(r) == VERDICT_PASS; }

const char *report_verdict_word(const struct lesson_report *r)
{
    enum report_verdict v = report_verdict(r);
    return v == VERDICT_PASS ? "PASS" : v == VERDICT_FAIL ? "FAIL" : T("NOT EVALUATED HERE");
}

const char *check_status_word(enum check_status st)
{
    return st == CHECK_PASS ? "PASS" : st == CHECK_FAIL ? "FAIL" : st == CHECK_KNOWN_DIFF ? "DIFF" : "n/a ";
}
