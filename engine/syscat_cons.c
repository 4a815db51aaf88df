/*
 * syscat_cons: CHECK and FOREIGN KEY constraints in information_schema —
 * their table_constraints and key_column_usage rows, and the
 * referential_constraints and check_constraints views — as PostgreSQL 15
 * fills them (MATCH SIMPLE is "NONE"; NOT NULL columns are CHECKs there too).
 */
#include <string.h>

#include "engine/cons.h"
#include "engine/syscat_internal.h"
#include "engine/temp.h"

static eng_catalog *cat_of(eng_vrows *r)
{
    return r->c->env ? r->c->env->catalog : NULL;
}

static void name_cols(eng_vrows *r, const char *name)
{
    eng__vtext(r, eng__is_dbname(r));
    eng__vtext(r, "public");
    eng__vtext(r, name);
}

void eng__is_cons_rows(eng_vrows *r, const eng_table *t)
{
    for (int i = 0; i < t->ncons; i++) {
        eng__vrow(r);
        name_cols(r, t->cons[i]->name);
        eng__vtext(r, eng__is_dbname(r));
        eng__vtext(r, "public");
        eng__vtext(r, eng_temp_bare(t->name));
        eng__vtext(r, t->cons[i]->kind == 'f' ? "FOREIGN KEY" : "CHECK");
        eng__vtext(r, "NO");
        eng__vtext(r, "NO");
        eng__vtext(r, "YES");
        eng__vnull(r);
    }
}

void eng__is_cons_key_rows(eng_vrows *r, const eng_table *t)
{
    eng_catalog *cat = cat_of(r);
    for (int i = 0; cat && i < t->ncons; i++) {
        const eng_constraint *k = t->cons[i];
        const eng_table *ft = k->kind == 'f' ? eng_catalog_find_relid(cat, k->frelid) : NULL;
        const eng_index *ix = ft ? eng_cons_unique_index(ft, k->fcols, k->ncols) : NULL;
        for (int c = 0; ix && c < k->ncols; c++) {
            int upos = 0;
            for (int u = 0; u < ix->ncols && !upos; u++)
                upos = ix->cols[u] == k->fcols[c] ? u + 1 : 0;
            eng__vrow(r);
            name_cols(r, k->name);
            eng__vtext(r, eng__is_dbname(r));
            eng__vtext(r, "public");
            eng__vtext(r, eng_temp_bare(t->name));
            eng__vtext(r, t->cols[k->cols[c]].name);
            eng__vint(r, c + 1);
            eng__vint(r, upos);
        }
    }
}

static const char *rule(char a)
{
    switch (a) {
    case ENG_FK_CASCADE: return "CASCADE";
    case ENG_FK_SET_NULL: return "SET NULL";
    case ENG_FK_SET_DEFAULT: return "SET DEFAULT";
    case ENG_FK_RESTRICT: return "RESTRICT";
    default: return "NO ACTION";
    }
}

int eng__fill_is_referential_constraints(eng_vrows *r)
{
    eng_catalog *cat = cat_of(r);
    size_t cur = 0;
    for (const eng_table *t; cat && (t = eng_catalog_next(cat, &cur));) {
        for (int i = 0; i < t->ncons; i++) {
            const eng_constraint *k = t->cons[i];
            const eng_table *ft = k->kind == 'f' ? eng_catalog_find_relid(cat, k->frelid) : NULL;
            const eng_index *ix = ft ? eng_cons_unique_index(ft, k->fcols, k->ncols) : NULL;
            if (!ix)
                continue;
            eng__vrow(r);
            name_cols(r, k->name);
            name_cols(r, eng_temp_bare(ix->name));
            eng__vtext(r, "NONE");
            eng__vtext(r, rule(k->on_update));
            eng__vtext(r, rule(k->on_delete));
        }
    }
    return 0;
}

int eng__fill_is_check_constraints(eng_vrows *r)
{
    eng_catalog *cat = cat_of(r);
    size_t cur = 0;
    for (const eng_table *t; cat && (t = eng_catalog_next(cat, &cur));) {
        for (int i = 0; i < t->ncons; i++) {
            const eng_constraint *k = t->cons[i];
            char *def = k->kind == 'c' ? eng_constraint_def(r->a, r->c->env, cat, t, k, false) : NULL;
            if (!def)
                continue;
            eng__vrow(r);
            name_cols(r, k->name);
            eng__vtext(r, def + strlen("CHECK ")); /* check_clause: the expression in its parentheses */
        }
        for (int c = 0; c < t->ncols; c++) {
            if (!t->cols[c].notnull)
                continue;
            eng__vrow(r);
            name_cols(r, arena_printf(r->a, "%u_%u_%d_not_null", ENG_NS_PUBLIC, t->relid, c + 1));
            eng__vtext(r, arena_printf(r->a, "%s IS NOT NULL", t->cols[c].name));
        }
    }
    return 0;
}
