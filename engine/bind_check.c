/* bind_check: a CHECK constraint's expression bound over its table's row (see cons.h). */
#include <string.h>

#include "engine/bind.h"
#include "engine/cons.h"
#include "engine/temp.h"

static const eng_expr *sublink_in(const eng_expr *e)
{
    if (!e || e->kind == BX_SUBLINK)
        return e;
    for (int i = 0; i < e->nargs; i++) {
        const eng_expr *s = sublink_in(e->args[i]);
        if (s)
            return s;
    }
    return NULL;
}

/* Where an expression starts in its text, as PostgreSQL's exprLocation reports it. */
static int leftmost(const eng_expr *e)
{
    int loc = e->loc;
    for (int i = 0; i < e->nargs; i++) {
        int l = e->args[i] ? leftmost(e->args[i]) : -1;
        if (l >= 0 && (loc < 0 || l < loc))
            loc = l;
    }
    return loc;
}

int eng_bind_check(arena *a, const eng_env *env, const eng_table *t, const char *text, eng_expr **out,
                   pgw_error *err)
{
    eng_registry_init();
    pgw_error_clear(err);
    if (!env || !env->parse_expr)
        return pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "CHECK expressions cannot be read here"), -1;
    eng_params params = {.fixed = true};
    eng_select *sel = arena_calloc(a, 1, sizeof(*sel));
    eng_rte *r = arena_calloc(a, 1, sizeof(*r));
    const char **names = arena_calloc(a, (size_t)t->ncols + 1, sizeof(char *));
    uint32_t *types = arena_calloc(a, (size_t)t->ncols + 1, sizeof(uint32_t));
    int32_t *typmods = arena_calloc(a, (size_t)t->ncols + 1, sizeof(int32_t));
    if (!sel || !r || !names || !types || !typmods)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < t->ncols; i++) {
        names[i] = t->cols[i].name;
        types[i] = t->cols[i].type;
        typmods[i] = t->cols[i].typmod;
    }
    *r = (eng_rte){.alias = eng_temp_bare(t->name), .lo = 0, .ncols = t->ncols, .names = names, .types = types,
                   .typmods = typmods};
    eng_scope sc = {.sel = sel, .rtes = r, .nrtes = 1, .caprtes = 1, .width = t->ncols};
    bctx b = {.a = a, .text = text, .env = env, .params = &params, .err = err, .scope = &sc,
              .clause = "check constraints"};
    ast_expr *x = env->parse_expr(env->ctx, a, text, err);
    eng_expr *e = x ? eng__bind_expr(&b, x) : NULL;
    const eng_expr *sub = e ? sublink_in(e) : NULL;
    if (sub) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot use subquery in check constraint");
        eng__errpos(&b, sub->loc);
        return -1;
    }
    if (e && e->type != OID_BOOL && e->type != OID_UNKNOWN && !eng_can_coerce(e->type, OID_BOOL)) {
        pgw_error_set(err, SQLSTATE_DATATYPE_MISMATCH, "argument of CHECK must be type boolean, not type %s",
                      eng_type_sqlname(e->type));
        eng__errpos(&b, leftmost(e));
        return -1;
    }
    if (!e || !(e = eng__coerce_to_bool(&b, e, "CHECK")))
        return -1;
    *out = e;
    return 0;
}

static void mark_columns(const eng_expr *e, bool *seen, int ncols)
{
    if (!e)
        return;
    if (e->kind == BX_SCANCOL && e->index >= 0 && e->index < ncols)
        seen[e->index] = true;
    for (int i = 0; i < e->nargs; i++)
        mark_columns(e->args[i], seen, ncols);
}

int eng_expr_columns(const eng_expr *e, int *cols, int ncols)
{
    bool seen[1601] = {0};
    if (ncols > 1600)
        ncols = 1600;
    mark_columns(e, seen, ncols);
    int n = 0;
    for (int i = 0; i < ncols; i++)
        if (seen[i])
            cols[n++] = i;
    return n;
}

int eng_bind_default(arena *a, const eng_env *env, const eng_table *t, int col, eng_expr **out, pgw_error *err)
{
    eng_registry_init();
    pgw_error_clear(err);
    const eng_column *c = &t->cols[col];
    eng_params params = {.fixed = true};
    bctx b = {.a = a, .env = env, .params = &params, .err = err, .clause = "DEFAULT expressions"};
    ast_expr *x = env && env->parse_expr ? env->parse_expr(env->ctx, a, c->def, err) : NULL;
    eng_expr *e = x ? eng__bind_expr(&b, x) : NULL;
    if (!e || !(e = eng__coerce(&b, e, c->type, c->typmod, ENG_CAST_ASSIGN, -1)))
        return pgw_error_is_set(err) ? -1 : (pgw_error_oom(err), -1);
    *out = e;
    return 0;
}
