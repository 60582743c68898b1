/* json.c - a lesson run's report as JSON (--json): lesson, platform, pass, checks, facts (dotted
 * keys nested), timeline, errors. The contract scripts and tests read; see README. */
#include "lessons/engine/internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/json.h"

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

/* Writes facts in group order (facts_ordered) as members of the open object. A dotted key is a
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
    json_string(j, "verdict", report_verdict(r) == VERDICT_PASS   ? "pass"
                              : report_verdict(r) == VERDICT_FAIL ? "fail"
                                                                  : "not_evaluated");
    if (r->start_time[0] != '\0') {
        json_string(j, "start_time", r->start_time);
        json_number(j, "start_unix_s", (double)r->t0_wall_us / 1e6);
    }
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
    n = facts_ordered(&r->facts, fs, MAX_FACTS);
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
    if (r->capture != NULL || r->capture_note[0] != '\0') {
        json_open_object(j, "capture");
        if (r->capture != NULL) { /* --capture FILE, or only --ladder (no file) */
            if (r->capture_file[0] != '\0') {
                json_string(j, "file", r->capture_file);
                json_int(j, "file_bytes", (long long)r->capture_file_bytes);
            }
            json_int(j, "packets", r->capture_packets);
            json_int(j, "snaplen", r->capture_snaplen);
            json_int(j, "dropped", r->capture_dropped);
            json_int(j, "not_kept", r->capture_not_kept);
        } else {
            json_string(j, "error", r->capture_note);
        }
        json_close_object(j);
    }
    if (r->lab_watch[0] != '\0' || r->nlab > 0) { /* only runs in the impairment lab have it */
        json_open_object(j, "lab");
        json_string(j, "watch", r->lab_watch);
        json_open_array(j, "applied");
        for (i = 0; i < r->nlab; i++)
            json_string(j, NULL, r->lab[i]);
        json_close_array(j);
        json_close_object(j);
    }
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
