/* cli.c - the long-option parser described in cli.h. */
#include "common/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"

void cli_fail(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, T(fmt), ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v;
    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
    char *end = NULL;
    double v;
    if (s == NULL || *s == '\0')
        return -1;
    errno = 0;
    v = strtod(s, &end);
    /* Written so that a NaN fails too: it compares false with anything. */
    if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
        return -1;
    *out = v;
    return 0;
}

int cli_parse_port(const char *s, uint16_t *out)
{
    long v;
    if (cli_parse_long(s, 0, 65535, &v) != 0)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

static void usage_exit(const char *prog, const char *usage, const struct cli_opt *opts)
{
    const struct cli_opt *o;
    printf(T("usage: %s %s\n\noptions:\n"), prog, T(usage));
    for (o = opts; o != NULL && o->name != NULL; o++)
        printf("  %s\n", T(o->help));
    printf("  %s\n  %s\n  %s\n", T("--lang L      ko or en (default: the user's locale)"), T("--help        this text"),
           T("--version     print the version"));
    exit(0);
}

/* Edit distance between a and b[0..blen), for "did you mean": a typo is a letter or two away. */
static size_t distance(const char *a, const char *b, size_t blen)
{
    size_t row[64], i, j, alen = strlen(a);
    if (alen >= sizeof row / sizeof row[0] || blen >= sizeof row / sizeof row[0])
        return (size_t)-1;
    for (j = 0; j <= blen; j++)
        row[j] = j;
    for (i = 1; i <= alen; i++) {
        size_t diag = row[0], k;
        row[0] = i;
        for (j = 1; j <= blen; j++) {
            size_t up = row[j];
            k = diag + (a[i - 1] != b[j - 1]);
            k = up + 1 < k ? up + 1 : k;
            k = row[j - 1] + 1 < k ? row[j - 1] + 1 : k;
            row[j] = k;
            diag = up;
        }
    }
    return row[blen];
}

const char *cli_closest(const char *const *names, size_t n, const char *word, size_t len)
{
    const char *best = NULL;
    size_t best_d = 3, i; /* more than two edits away is not a typo */
    for (i = 0; i < n; i++) {
        size_t d = distance(names[i], word, len);
        if (d < best_d) {
            best = names[i];
            best_d = d;
        }
    }
    return best;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *name, size_t len)
{
    const struct cli_opt *o;
    for (o = opts; o != NULL && o->name != NULL; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static void set_value(const char *prog, const struct cli_opt *o, const char *val)
{
    long v;
    switch (o->kind) {
    case CLI_STR:
        *(const char **)o->target = val;
        break;
    case CLI_INT:
        if (cli_parse_long(val, (long)o->min, (long)o->max, &v) != 0)
            cli_fail(prog, "--%s: '%s' is not a whole number from %ld to %ld", o->name, val, (long)o->min,
                     (long)o->max);
        *(int *)o->target = (int)v;
        break;
    case CLI_DOUBLE:
        if (cli_parse_double(val, o->min, o->max, (double *)o->target) != 0)
            cli_fail(prog, "--%s: '%s' is not a number from %g to %g", o->name, val, o->min, o->max);
        break;
    case CLI_PORT:
        if (cli_parse_port(val, (uint16_t *)o->target) != 0)
            cli_fail(prog, "--%s: '%s' is not a port number (0-65535)", o->name, val);
        break;
    case CLI_FLAG:
        break;
    }
}

/* --lang, before anything is printed, so --help and every error speak it; else the user's own. */
static void choose_language(const char *prog, int argc, char **argv, int first)
{
    enum i18n_lang lang = i18n_from_user();
    const char *v;
    int i;
    for (i = first; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strncmp(argv[i], "--lang=", 7) == 0)
            v = argv[i] + 7;
        else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
            v = argv[i + 1];
        else if (strcmp(argv[i], "--lang") == 0)
            cli_fail(prog, "--%s needs a value", "lang");
        else
            continue;
        if (i18n_parse(v, &lang) != 0)
            cli_fail(prog, "--lang: '%s' is not a language socklab speaks (ko or en)", v);
    }
    i18n_set(lang);
}

/* "unknown option '--captur' (did you mean --capture? see --help)" */
static void unknown_option(const char *prog, const struct cli_opt *opts, const char *name, size_t len)
{
    const char *names[64];
    const char *const builtin[] = {"help", "version", "lang"};
    const char *closest;
    const struct cli_opt *o;
    size_t n = 0, i;
    for (o = opts; o != NULL && o->name != NULL && n < 60; o++)
        names[n++] = o->name;
    for (i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        names[n++] = builtin[i];
    closest = cli_closest(names, n, name, len);
    if (closest != NULL)
        cli_fail(prog, "unknown option '--%.*s' (did you mean --%s? see --help)", (int)len, name, closest);
    cli_fail(prog, "unknown option '--%.*s' (see --help)", (int)len, name);
}

void cli_parse(const char *prog, const char *usage, const struct cli_opt *opts, int argc, char **argv,
               int first, const char **pos, int max_pos, int *npos)
{
    int i;
    *npos = 0;
    choose_language(prog, argc, argv, first);
    for (i = first; i < argc; i++) {
        const char *a = argv[i];
        const char *name, *eq;
        const struct cli_opt *o;
        size_t len;
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++) {
                if (*npos >= max_pos)
                    cli_fail(prog, "unexpected argument '%s' (see --help)", argv[i]);
                pos[(*npos)++] = argv[i];
            }
            break;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (a[0] == '-' && a[1] != '\0')
                cli_fail(prog, "unknown option '%s' (options are long: see --help)", a);
            if (*npos >= max_pos)
                cli_fail(prog, "unexpected argument '%s' (see --help)", a);
            pos[(*npos)++] = a;
            continue;
        }
        name = a + 2;
        eq = strchr(name, '=');
        len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        if (len == 4 && strncmp(name, "help", 4) == 0)
            usage_exit(prog, usage, opts);
        if (len == 7 && strncmp(name, "version", 7) == 0) {
            printf("%s %s\n", prog, SOCKLAB_VERSION);
            exit(0);
        }
        if (len == 4 && strncmp(name, "lang", 4) == 0) { /* read by choose_language */
            i += eq == NULL;
            continue;
        }
        o = find_opt(opts, name, len);
        if (o == NULL)
            unknown_option(prog, opts, name, len);
        if (o->kind == CLI_FLAG) {
            if (eq != NULL)
                cli_fail(prog, "--%s takes no value", o->name);
            *(int *)o->target = 1;
            continue;
        }
        if (eq != NULL) {
            set_value(prog, o, eq + 1);
        } else {
            if (i + 1 >= argc)
                cli_fail(prog, "--%s needs a value", o->name);
            set_value(prog, o, argv[++i]);
        }
    }
}
