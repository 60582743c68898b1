/* facts.c - the fact store: what each side measured, under a key, in the order it was measured,
 * and the one way a side records a fact (side_fact_*), whatever its type. */
#include "lessons/engine/internal.h"

#include <stdio.h>
#include <string.h>

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
    else
        fs->dropped++;
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

double fact_number(const struct fact *f)
{
    return f->type == FACT_MS || f->type == FACT_NUM ? f->ms : (double)f->i;
}

/* ---- recording, from a side --------------------------------------------------------------------- */

/* Stores f under the side's prefix + key. A key too long for the store is a lesson bug: it is
 * reported rather than stored under a cut name. */
static void put(struct lesson_side *s, const char *key, struct fact *f)
{
    size_t plen = strlen(s->prefix), klen = strlen(key);
    if (plen + klen >= sizeof f->key) {
        side_error(s, "fact key too long", key);
        return;
    }
    memcpy(f->key, s->prefix, plen);
    memcpy(f->key + plen, key, klen + 1);
    factset_put(&s->facts, f);
}

static void put_value(struct lesson_side *s, const char *key, enum fact_type type, long long i, double d,
                      const char *str)
{
    struct fact f;
    memset(&f, 0, sizeof f);
    f.type = type;
    f.i = i;
    f.ms = d;
    if (str != NULL)
        snprintf(f.s, sizeof f.s, "%s", str);
    put(s, key, &f);
}

void side_fact_str(struct lesson_side *s, const char *key, const char *v) { put_value(s, key, FACT_STR, 0, 0, v); }
void side_fact_int(struct lesson_side *s, const char *key, long long v) { put_value(s, key, FACT_INT, v, 0, NULL); }
void side_fact_ms(struct lesson_side *s, const char *key, double ms) { put_value(s, key, FACT_MS, 0, ms, NULL); }
void side_fact_bool(struct lesson_side *s, const char *key, int v) { put_value(s, key, FACT_BOOL, v != 0, 0, NULL); }
void side_fact_num(struct lesson_side *s, const char *key, double v) { put_value(s, key, FACT_NUM, 0, v, NULL); }

void side_fact_ints(struct lesson_side *s, const char *key, const long *v, size_t n)
{
    struct fact f;
    size_t i, used = 0;
    memset(&f, 0, sizeof f);
    f.type = FACT_INTS;
    f.i = (long long)n;
    for (i = 0; i < n; i++) {
        /* room for "[...]" when shown as text, so the text form is never cut either */
        int w = snprintf(f.s + used, sizeof f.s - used, i == 0 ? "%ld" : " %ld", v[i]);
        if (w < 0 || used + (size_t)w + 2 >= sizeof f.s) {
            side_error(s, "list too long for one fact", key);
            return;
        }
        used += (size_t)w;
    }
    put(s, key, &f);
}

/* ---- the order of a report ---------------------------------------------------------------------- */

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

size_t facts_ordered(const struct factset *fs, const struct fact **out, size_t max)
{
    const struct fact *rest[MAX_FACTS];
    size_t i, j, n = 0, m = 0;
    for (i = 0; i < NCONTRACT; i++) {
        const struct fact *f = factset_get(fs, contract_keys[i]);
        if (f != NULL && n < max)
            out[n++] = f;
    }
    for (i = 0; i < fs->n; i++) {
        int seen = 0;
        for (j = 0; j < NCONTRACT; j++)
            seen |= strcmp(fs->f[i].key, contract_keys[j]) == 0;
        if (!seen && n + m < max)
            rest[m++] = &fs->f[i];
    }
    return n + group_order(rest, m, 0, out + n);
}
