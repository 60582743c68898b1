/* report.c - facts from both sides joined into one report, the checks that compare them with the
 * platform's expected behaviour, and the report as text, JSON or a side-by-side table. */
#include "lessons/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

/* The facts every close-mode lesson reports, first and in this order (the --json contract). */
static const char *const contract_keys[] = {
    "closer", "close_call_ms", "close_result", "peer_saw", "bytes_written_before_close",
    "bytes_peer_received", "time_wait_on", "server_port", "client_port"};
#define NCONTRACT (sizeof contract_keys / sizeof contract_keys[0])

void factset_put(struct factset *fs, const struct fact *f)
{
    size_t i;
    for (i = 0; i < fs->n; i++) {
        if (strcmp(fs->f[i].key, f->key) == 0) {
            fs->f[i] = *f;
            return;
        }
    }
    if (fs->n < MAX_FACTS)
        fs->f[fs->n++] = *f;
}

const struct fact *factset_get(const struct factset *fs, const char *key)
{
    size_t i;
    for (i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].key, key) == 0)
            return &fs->f[i];
    return NULL;
}

void fact_format(const struct fact *f, char *buf, size_t len)
{
    switch (f->type) {
    case FACT_STR: snprintf(buf, len, "%s", f->s); break;
    case FACT_INT: snprintf(buf, len, "%lld", f->i); break;
    case FACT_MS: snprintf(buf, len, "%.2f", f->ms); break;
    case FACT_BOOL: snprintf(buf, len, "%s", f->i ? "true" : "false"); break;
    case FACT_NUM: snprintf(buf, len, "%.2f", f->ms); break;
    case FACT_INTS: snprintf(buf, len, "[%s]", f->s); break;
    }
}

static double fact_number(const struct fact *f)
{
    return f->type == FACT_MS || f->type == FACT_NUM ? f->ms : (double)f->i;
}

struct lesson_report *report_new(const struct lesson *l)
{
    struct lesson_report *r = calloc(1, sizeof *r);
    if (r == NULL) {
        fprintf(stderr, "socklab: out of memory\n");
        exit(1);
    }
    r->lesson = l;
    r->platform = sock_platform();
    r->runtime = sock_runtime_quirk();
    return r;
}

void report_free(struct lesson_report *r)
{
    if (r != NULL)
        free(r->series);
    free(r);
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
    for (i = 0; i < s->nevents && r->nevents < sizeof r->events / sizeof r->events[0]; i++)
        r->events[r->nevents++] = s->events[i];
    for (i = 0; i < s->nerrors; i++)
        report_add_error(r, s->errors[i]);
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

/* Failed checks that the lesson lists as a known difference of the runtime it runs under. */
static void mark_known_differences(struct lesson_report *r)
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

void report_finish(struct lesson_report *r)
{
    join_time_wait(r);
    qsort(r->events, r->nevents, sizeof r->events[0], by_time);
    if (r->lesson->check != NULL)
        r->lesson->check(r);
    mark_known_differences(r);
}

const char *report_platform(const struct lesson_report *r) { return r->platform; }

int report_passed(const struct lesson_report *r)
{
    size_t i, evaluated = 0;
    if (r->nerrors > 0)
        return 0;
    for (i = 0; i < r->nchecks; i++) {
        if (r->checks[i].status == CHECK_FAIL)
            return 0;
        if (r->checks[i].status == CHECK_PASS || r->checks[i].status == CHECK_KNOWN_DIFF)
            evaluated++; /* a known difference was observed and explained: not a failure */
    }
    return evaluated > 0;
}

/* ---- checks ------------------------------------------------------------------------------------ */

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

int report_fact_int(const struct lesson_report *r, const char *key, long long *out)
{
    const struct fact *f = factset_get(&r->facts, key);
    if (f == NULL || f->type != FACT_INT)
        return 0;
    *out = f->i;
    return 1;
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

void expect_less(struct lesson_report *r, const char *id, const char *ka, const char *kb)
{
    expect_pair(r, id, ka, kb, 1);
}

void expect_equal(struct lesson_report *r, const char *id, const char *ka, const char *kb)
{
    expect_pair(r, id, ka, kb, 0);
}

/* ---- rendering ----------------------------------------------------------------------------------- */

/* Appends fs[0..n) to out in group order: the facts of a dotted key's group ("sizes.small.") are
 * listed together at the place of the group's first fact, recursively, so the measured order
 * survives within each group and the text reads like the JSON's nesting. */
static size_t group_order(const struct fact *const *fs, size_t n, size_t skip, const struct fact **out)
{
    unsigned char done[MAX_FACTS];
    const struct fact *group[MAX_FACTS];
    size_t i, k, m, seg, w = 0;
    memset(done, 0, sizeof done);
    for (i = 0; i < n; i++) {
        const char *rest = fs[i]->key + skip, *dot = strchr(rest, '.');
        if (done[i])
            continue;
        if (dot == NULL) {
            out[w++] = fs[i];
            continue;
        }
        seg = (size_t)(dot - rest) + 1; /* with the dot */
        for (k = i, m = 0; k < n; k++) {
            if (!done[k] && strncmp(fs[k]->key + skip, rest, seg) == 0) {
                group[m++] = fs[k];
                done[k] = 1;
            }
        }
        w += group_order(group, m, skip + seg, out + w);
    }
    return w;
}

/* Visits facts: the contract keys first, then the rest in the order they were measured, grouped. */
static size_t ordered_facts(const struct lesson_report *r, const struct fact **out, size_t max)
{
    const struct fact *rest[MAX_FACTS];
    size_t i, j, n = 0, m = 0;
    for (i = 0; i < NCONTRACT; i++) {
        const struct fact *f = factset_get(&r->facts, contract_keys[i]);
        if (f != NULL && n < max)
            out[n++] = f;
    }
    for (i = 0; i < r->facts.n; i++) {
        int seen = 0;
        for (j = 0; j < NCONTRACT; j++)
            seen |= strcmp(r->facts.f[i].key, contract_keys[j]) == 0;
        if (!seen && n + m < max)
            rest[m++] = &r->facts.f[i];
    }
    return n + group_order(rest, m, 0, out + n);
}

static const char *status_word(enum check_status st)
{
    return st == CHECK_PASS ? "PASS" : st == CHECK_FAIL ? "FAIL" : st == CHECK_KNOWN_DIFF ? "DIFF" : "n/a ";
}

void report_print_filter(FILE *out, const struct lesson_report *r)
{
    const struct fact *p = factset_get(&r->facts, "server_port");
    const char *w = r->lesson->wireshark, *at = strstr(w, "{port}");
    if (at != NULL && p != NULL)
        fprintf(out, "%.*s%lld%s", (int)(at - w), w, p->i, at + 6);
    else
        fputs(w, out);
}

void report_print_text(FILE *out, const struct lesson_report *r)
{
    const struct fact *fs[MAX_FACTS];
    size_t i, n, passed = 0, failed = 0, known = 0, width = 34;
    char v[FACT_STR_LEN];

    fprintf(out, "\n%s: %s\n", r->lesson->name, r->lesson->title);
    fprintf(out, "platform: %s%s%s\n\n", r->platform, r->runtime ? " under " : "", r->runtime ? r->runtime : "");
    fprintf(out, "timeline (measured in this run)\n");
    for (i = 0; i < r->nevents; i++)
        fprintf(out, "  %8.1f ms  %-6s  %s\n", r->events[i].t_ms, side_role_name(r->events[i].role),
                r->events[i].text);
    fprintf(out, "\nfacts\n");
    n = ordered_facts(r, fs, MAX_FACTS);
    for (i = 0; i < n; i++)
        width = strlen(fs[i]->key) > width ? strlen(fs[i]->key) : width;
    for (i = 0; i < n; i++) {
        fact_format(fs[i], v, sizeof v);
        fprintf(out, "  %-*s %s\n", (int)width, fs[i]->key, v);
    }
    report_print_charts(out, r);
    fprintf(out, "\nchecks (%s)\n", r->platform);
    for (i = 0; i < r->nchecks; i++) {
        const struct check *c = &r->checks[i];
        fprintf(out, "  %s  %-28s expect %-40s observed %s\n", status_word(c->status), c->id, c->expect,
                c->observed);
        if (c->status == CHECK_KNOWN_DIFF)
            fprintf(out, "        known %s difference: %s\n", r->runtime, c->why);
        passed += c->status == CHECK_PASS;
        failed += c->status == CHECK_FAIL;
        known += c->status == CHECK_KNOWN_DIFF;
    }
    for (i = 0; i < r->nerrors; i++)
        fprintf(out, "  ERROR %s\n", r->errors[i]);
    fprintf(out, "\nWireshark display filter: ");
    report_print_filter(out, r);
    if (known > 0)
        fprintf(out, "\nresult: %s (%zu passed, %zu failed, %zu known %s differences, %zu not evaluated here)\n",
                report_passed(r) ? "PASS" : "FAIL", passed, failed, known, r->runtime,
                r->nchecks - passed - failed - known);
    else
        fprintf(out, "\nresult: %s (%zu passed, %zu failed, %zu not evaluated here)\n",
                report_passed(r) ? "PASS" : "FAIL", passed, failed, r->nchecks - passed - failed);
}

static void json_fact(struct json *j, const char *name, const struct fact *f)
{
    switch (f->type) {
    case FACT_STR: json_string(j, name, f->s); break;
    case FACT_INT: json_int(j, name, f->i); break;
    case FACT_MS:
    case FACT_NUM: json_number(j, name, f->ms); break;
    case FACT_BOOL: json_bool(j, name, (int)f->i); break;
    case FACT_INTS: {
        const char *p = f->s;
        char *end;
        json_open_array(j, name);
        for (;;) {
            long long v = strtoll(p, &end, 10);
            if (end == p)
                break;
            json_int(j, NULL, v);
            p = end;
        }
        json_close_array(j);
        break;
    }
    }
}

static size_t count_dots(const char *s, size_t len)
{
    size_t i, n = 0;
    for (i = 0; i < len; i++)
        n += s[i] == '.';
    return n;
}

/* Writes facts in group order (ordered_facts) as members of the open object. A dotted key is a
 * path: "kernel_limits.rmem_max" -> {"kernel_limits": {"rmem_max": ...}}; objects open and close
 * as the path changes from one fact to the next. */
static void json_facts(struct json *j, const struct fact *const *fs, size_t n)
{
    const char *prev = "";
    size_t prev_len = 0, i, c, start, common;
    char name[FACT_KEY_LEN];
    for (i = 0; i < n; i++) {
        const char *k = fs[i]->key, *leaf = strrchr(k, '.');
        size_t len = leaf != NULL ? (size_t)(leaf - k) + 1 : 0; /* the path, with its last dot */
        for (c = 0, common = 0; c < len && c < prev_len && k[c] == prev[c]; c++)
            if (k[c] == '.')
                common = c + 1;
        for (c = count_dots(prev + common, prev_len - common); c > 0; c--)
            json_close_object(j);
        for (c = start = common; c < len; c++) {
            if (k[c] == '.') {
                snprintf(name, sizeof name, "%.*s", (int)(c - start), k + start);
                json_open_object(j, name);
                start = c + 1;
            }
        }
        json_fact(j, leaf != NULL ? leaf + 1 : k, fs[i]);
        prev = k;
        prev_len = len;
    }
    for (c = count_dots(prev, prev_len); c > 0; c--)
        json_close_object(j);
}

static void json_report(struct json *j, const struct lesson_report *r)
{
    const struct fact *fs[MAX_FACTS];
    size_t i, n;
    json_open_object(j, NULL);
    json_string(j, "lesson", r->lesson->name);
    json_string(j, "platform", r->platform);
    if (r->runtime != NULL)
        json_string(j, "runtime", r->runtime);
    json_bool(j, "pass", report_passed(r));
    json_open_array(j, "checks");
    for (i = 0; i < r->nchecks; i++) {
        json_open_object(j, NULL);
        json_string(j, "id", r->checks[i].id);
        json_string(j, "expect", r->checks[i].expect);
        json_string(j, "observed", r->checks[i].observed);
        if (r->checks[i].status == CHECK_NOT_EVALUATED)
            json_string(j, "pass", NULL);
        else
            json_bool(j, "pass", r->checks[i].status == CHECK_PASS);
        if (r->checks[i].status == CHECK_KNOWN_DIFF)
            json_string(j, "known_difference", r->checks[i].why);
        json_close_object(j);
    }
    json_close_array(j);
    json_open_object(j, "facts");
    n = ordered_facts(r, fs, MAX_FACTS);
    json_facts(j, fs, n);
    json_close_object(j);
    json_open_array(j, "timeline");
    for (i = 0; i < r->nevents; i++) {
        json_open_object(j, NULL);
        json_number(j, "t_ms", r->events[i].t_ms);
        json_string(j, "side", side_role_name(r->events[i].role));
        json_string(j, "event", r->events[i].text);
        json_close_object(j);
    }
    json_close_array(j);
    json_open_array(j, "errors");
    for (i = 0; i < r->nerrors; i++)
        json_string(j, NULL, r->errors[i]);
    json_close_array(j);
    json_close_object(j);
}

void report_print_json(FILE *out, const struct lesson_report *r)
{
    struct json j;
    json_init(&j, out);
    json_report(&j, r);
    json_end(&j);
}

void report_print_json_array(FILE *out, struct lesson_report *const *rs, size_t n)
{
    struct json j;
    size_t i;
    json_init(&j, out);
    json_open_array(&j, NULL);
    for (i = 0; i < n; i++)
        json_report(&j, rs[i]);
    json_close_array(&j);
    json_end(&j);
}

void report_write_csv(FILE *out, struct lesson_report *const *rs, size_t n)
{
    size_t i;
    series_csv_header(out);
    for (i = 0; i < n; i++)
        if (rs[i]->series != NULL)
            series_csv_rows(out, rs[i]->lesson->name, rs[i]->series);
}
