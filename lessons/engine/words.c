/* words.c - a lesson's words in the language the user chose (common/i18n.h): its Korean where the
 * lesson file has it, else its English. Everything that prints a lesson's text asks here. */
#include "lessons/engine/internal.h"

#include "common/i18n.h"

#define KO(field) (l->ko != NULL ? l->ko->field : NULL)

const char *lesson_title(const struct lesson *l) { return i18n_pick(l->title, KO(title)); }
const char *lesson_explain(const struct lesson *l) { return i18n_pick(l->explain, KO(explain)); }
const char *lesson_watch(const struct lesson *l) { return i18n_pick(l->watch, KO(watch)); }
const char *lesson_on_linux(const struct lesson *l) { return i18n_pick(l->on_linux, KO(on_linux)); }
const char *lesson_on_windows(const struct lesson *l) { return i18n_pick(l->on_windows, KO(on_windows)); }

const char *lesson_under_wine(const struct lesson *l)
{
    return l->under_wine != NULL ? i18n_pick(l->under_wine, KO(under_wine)) : NULL;
}

const char *lesson_chart_title(const struct lesson_chart *c) { return i18n_pick(c->title, c->title_ko); }
const char *lesson_quirk_why(const struct lesson_quirk *q) { return i18n_pick(q->why, q->why_ko); }

const char *lesson_missing_korean(const struct lesson *l)
{
    const struct lesson_chart *c;
    const struct lesson_quirk *q;
    if (l->ko == NULL)
        return "all of it (no .ko)";
    if (l->ko->title == NULL)
        return "title";
    if (l->ko->explain == NULL)
        return "explain";
    if (l->ko->watch == NULL)
        return "watch";
    if (l->ko->on_linux == NULL)
        return "on_linux";
    if (l->ko->on_windows == NULL)
        return "on_windows";
    if (l->under_wine != NULL && l->ko->under_wine == NULL)
        return "under_wine";
    for (c = l->charts; c != NULL && c->title != NULL; c++)
        if (c->title_ko == NULL)
            return c->title;
    for (q = l->quirks; q != NULL && q->runtime != NULL; q++)
        if (q->why_ko == NULL)
            return q->check_id;
    return NULL;
}
