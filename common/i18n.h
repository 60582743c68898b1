/* i18n.h - socklab speaks English and Korean. The language is chosen once, before anything is
 * printed: --lang ko|en, else the user's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, then Windows' UI
 * language), else English.
 *
 * The programs' own words go through T("English text"), which returns the Korean from the catalog
 * (i18n_ko.c) when Korean is chosen. A translation keeps the English format's conversions in the
 * same order, so T() can wrap a printf format; the catalog's test checks that, and that every T()
 * text of the sources is in the catalog. A lesson's own text sits in its file (struct lesson_text). */
#ifndef SOCKLAB_I18N_H
#define SOCKLAB_I18N_H

#include <stddef.h>

enum i18n_lang { I18N_EN, I18N_KO };

struct i18n_pair {
    const char *en, *ko;
};

/* "ko", "ko_KR.UTF-8", "ko-KR", "en", "en_US", "C": 0 with *out set, -1 for anything else. */
int i18n_parse(const char *name, enum i18n_lang *out);
/* The user's language from the environment and the system, as described above. */
enum i18n_lang i18n_from_user(void);
void i18n_set(enum i18n_lang lang);
enum i18n_lang i18n_get(void);
const char *i18n_code(void); /* "en" or "ko" */

/* The text in the chosen language; en itself when English is chosen or there is no translation. */
const char *T(const char *en);
/* A text that has its Korean beside it (a lesson's own words): ko when Korean is chosen and ko is
 * there, else en. */
const char *i18n_pick(const char *en, const char *ko);

/* The catalog, for its tests: every pair, and how many. */
const struct i18n_pair *i18n_catalog(size_t *n);

#endif
