/* i18n.c - see i18n.h. The catalog is searched by binary search over a sorted copy of its English
 * keys, made on first use; the language is set before any thread starts and only read after. */
#include "common/i18n.h"

#include <stdlib.h>
#include <string.h>

#include "compat/os.h"

static enum i18n_lang current = I18N_EN;
static void sort_catalog(void);
static const struct i18n_pair **sorted;
static size_t nsorted;

int i18n_parse(const char *name, enum i18n_lang *out)
{
    size_t n;
    if (name == NULL)
        return -1;
    n = strcspn(name, "_-.@:");
    if (n == 2 && strncmp(name, "ko", 2) == 0)
        *out = I18N_KO;
    else if ((n == 2 && strncmp(name, "en", 2) == 0) || strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0)
        *out = I18N_EN;
    else
        return -1;
    return 0;
}

enum i18n_lang i18n_from_user(void)
{
    /* the locale variables in the order gettext reads them; the first one set decides */
    static const char *const vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    enum i18n_lang lang;
    char ui[16];
    size_t i;
    for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v != NULL && v[0] != '\0')
            return i18n_parse(v, &lang) == 0 ? lang : I18N_EN;
    }
    os_ui_language(ui, sizeof ui);
    return i18n_parse(ui, &lang) == 0 ? lang : I18N_EN;
}

void i18n_set(enum i18n_lang lang)
{
    current = lang;
    if (lang == I18N_KO) {
        os_utf8_console();
        if (sorted == NULL)
            sort_catalog(); /* now, before any thread asks */
    }
}

enum i18n_lang i18n_get(void) { return current; }
const char *i18n_code(void) { return current == I18N_KO ? "ko" : "en"; }

const char *i18n_pick(const char *en, const char *ko) { return current == I18N_KO && ko != NULL ? ko : en; }

static int by_en(const void *a, const void *b)
{
    return strcmp((*(const struct i18n_pair *const *)a)->en, (*(const struct i18n_pair *const *)b)->en);
}

static void sort_catalog(void)
{
    size_t n, i;
    const struct i18n_pair *all = i18n_catalog(&n);
    sorted = malloc(n * sizeof *sorted);
    if (sorted == NULL)
        return; /* English, then: every text still reads */
    for (i = 0; i < n; i++)
        sorted[i] = &all[i];
    qsort(sorted, n, sizeof *sorted, by_en);
    nsorted = n;
}

const char *T(const char *en)
{
    size_t lo = 0, hi;
    if (current == I18N_EN || en == NULL)
        return en;
    hi = nsorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(en, sorted[mid]->en);
        if (c == 0)
            return sorted[mid]->ko;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return en;
}
