/*
 * bind_table: aggregate calls (count, sum, avg, min, max, string_agg,
 * bool_and, bool_or, with DISTINCT) and ORDER BY. Result types and error
 * texts follow PostgreSQL (sum(int4) is int8, avg(int) is numeric).
 */
#include <string.h>

#include "engine/bind.h"
#include "engine/types/array.h"

/* ---- aggregates ------------------------------------------------------- */

bool eng__is_agg_name(const char *name)
{
    static const char *const names[] = {"count", "sum", "avg", "min", "max", "string_agg", "bool_and", "bool_or",
                                        "every", "array_agg"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

static eng_expr *no_agg(bctx *b, const ast_expr *x, const char *msg)
{
    pgw_error_set(b->err, SQLSTATE_GROUPING_ERROR, "%s", msg);
    eng__errpos(b, x->loc);
    return NULL;
}

/* Result and state types of sum/avg over `in`. */
static int agg_types(bctx *b, eng_agg *g, uint32_t in, const ast_expr *x)
{
    switch (in) {
    case OID_INT2: case OID_INT4:
        g->state_type = OID_INT8;
        g->type = g->kind == AGG_SUM ? OID_INT8 : OID_NUMERIC;
        return 0;
    case OID_INT8: case OID_NUMERIC:
        g->state_type = OID_NUMERIC;
        g->type = OID_NUMERIC;
        return 0;
    case OID_FLOAT4: case OID_FLOAT8:
        /* sum(real) is real (float4pl); avg(real) is double precision */
        g->state_type = g->type = in == OID_FLOAT4 && g->kind == AGG_SUM ? OID_FLOAT4 : OID_FLOAT8;
        return 0;
    case OID_VECTOR: case OID_HALFVEC: /* pgvector's sum() and avg() of vector and halfvec */
        g->state_type = g->type = in;
        return 0;
    case OID_INTERVAL:
        if (g->kind == AGG_SUM) {
            g->state_type = g->type = OID_INTERVAL;
            return 0;
        }
        break;
    default:
        break;
    }
    pgw_error_set(b->err, SQLSTATE_UNDEFINED_FUNCTION, "function %s(%s) does not exist", x->name,
                  eng_type_sqlname(in));
    pgw_error_hint(b->err, "No function matches the given name and argument types. You might need to add "
                           "explicit type casts.");
    eng__errpos(b, x->loc);
    return -1;
}

static const eng_proc *op_on(bctx *b, const char *op, uint32_t type, int loc)
{
    eng_expr *l = eng__bx_new(b, BX_CONST, type, loc, 0), *r = eng__bx_new(b, BX_CONST, type, loc, 0);
    if (!l || !r)
        return NULL;
    eng_expr *args[2] = {l, r};
    return eng__resolve(b, op, true, args, 2, loc);
}

static int agg_procs(bctx *b, eng_agg *g, const ast_expr *x)
{
    uint32_t in = g->arg ? g->arg->type : 0;
    switch (g->kind) {
    case AGG_COUNT_STAR: case AGG_COUNT:
        g->type = OID_INT8;
        return 0;
    case AGG_MIN: case AGG_MAX:
        g->type = in;
        return (g->step = op_on(b, g->kind == AGG_MIN ? "<" : ">", in, x->loc)) ? 0 : -1;
    case AGG_STRING_AGG: {
        /* string_agg(text, text) and (bytea, bytea) */
        uint32_t t = in == OID_BYTEA ? OID_BYTEA : OID_TEXT;
        if (in != OID_BYTEA && !eng_can_coerce(in, OID_TEXT)) {
            agg_types(b, g, in, x);
            return -1;
        }
        g->type = t;
        if (!(g->arg = eng__coerce(b, g->arg, t, -1, ENG_CAST_IMPLICIT, x->loc)) ||
            !(g->arg2 = eng__coerce(b, g->arg2, t, -1, ENG_CAST_IMPLICIT, x->loc)))
            return -1;
        return 0;
    }
    case AGG_ARRAY_AGG:
        if (!(g->type = eng_array_of(in))) {
            pgw_error_set(b->err, SQLSTATE_UNDEFINED_OBJECT, "could not find array type for data type %s",
                          eng_type_sqlname(in));
            eng__errpos(b, x->loc);
            return -1;
        }
        return 0;
    case AGG_BOOL_AND: case AGG_BOOL_OR:
        g->type = OID_BOOL;
        if (in != OID_BOOL && !eng_can_coerce(in, OID_BOOL)) {
            agg_types(b, g, in, x);
            return -1;
        }
        return (g->arg = eng__coerce(b, g->arg, OID_BOOL, -1, ENG_CAST_IMPLICIT, x->loc)) ? 0 : -1;
    case AGG_SUM: case AGG_AVG:
        if (agg_types(b, g, in, x))
            return -1;
        if (g->arg->type != g->state_type &&
            !(g->arg = eng__coerce(b, g->arg, g->state_type, -1, ENG_CAST_IMPLICIT, x->loc)))
            return -1;
        if (!(g->step = op_on(b, "+", g->state_type, x->loc)))
            return -1;
        if (g->kind == AGG_AVG && g->state_type != OID_INTERVAL && g->state_type != OID_VECTOR &&
            g->state_type != OID_HALFVEC) {
            uint32_t dt = g->state_type == OID_INT8 ? OID_NUMERIC : g->state_type;
            if (!(g->div = op_on(b, "/", dt, x->loc)))
                return -1;
        }
        return 0;
    }
    return 0;
}

eng_expr *eng__agg_call(bctx *b, const ast_expr *x)
{
    if (!b->agg_sel)
    {
        pgw_error_set(b->err, SQLSTATE_GROUPING_ERROR, "aggregate functions are not allowed in %s",
                      b->clause ? b->clause : "this context");
        eng__errpos(b, x->loc);
        return NULL;
    }
    if (b->in_agg)
        return no_agg(b, x, "aggregate function calls cannot be nested");
    int want = x->star ? 0 : strcmp(x->name, "string_agg") == 0 ? 2 : 1;
    if (x->nargs != want) {
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_FUNCTION, "function %s with %d arguments does not exist", x->name,
                      x->nargs);
        eng__errpos(b, x->loc);
        return NULL;
    }
    eng_select *s = b->agg_sel;
    eng_agg *v = arena_calloc(b->a, (size_t)s->naggs + 1, sizeof(eng_agg));
    if (!v)
        return pgw_error_oom(b->err), NULL;
    if (s->naggs)
        memcpy(v, s->aggs, (size_t)s->naggs * sizeof(eng_agg));
    eng_agg *g = &v[s->naggs];
    static const struct { const char *n; eng_agg_kind k; } kinds[] = {
        {"count", AGG_COUNT}, {"sum", AGG_SUM}, {"avg", AGG_AVG}, {"min", AGG_MIN}, {"max", AGG_MAX},
        {"string_agg", AGG_STRING_AGG}, {"bool_and", AGG_BOOL_AND}, {"bool_or", AGG_BOOL_OR}, {"every", AGG_BOOL_AND},
        {"array_agg", AGG_ARRAY_AGG}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].n, x->name) == 0)
            g->kind = kinds[i].k;
    g->name = x->name;
    g->distinct = x->distinct;
    if (x->agg_filter) {
        b->in_agg = true;
        eng_expr *f = eng__bind_expr(b, x->agg_filter);
        b->in_agg = false;
        if (!f || !(g->filter = eng__coerce_to_bool(b, f, "FILTER")))
            return NULL;
    }
    if (x->nagg_order) {
        pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "ORDER BY inside an aggregate call is not supported yet");
        eng__errpos(b, x->loc);
        return NULL;
    }
    if (x->star) {
        if (g->kind != AGG_COUNT)
            return no_agg(b, x, "* is only allowed in count(*)");
        g->kind = AGG_COUNT_STAR;
    } else {
        bool srf_ok = b->srf_ok;
        b->srf_ok = false;
        b->in_agg = true;
        g->arg = eng__bind_expr(b, x->args[0]);
        if (g->arg && x->nargs > 1)
            g->arg2 = eng__bind_expr(b, x->args[1]);
        b->in_agg = false;
        b->srf_ok = srf_ok;
        if (!g->arg || (x->nargs > 1 && !g->arg2))
            return NULL;
        if (g->arg->type == OID_UNKNOWN && !(g->arg = eng__coerce(b, g->arg, OID_TEXT, -1, ENG_CAST_IMPLICIT, x->loc)))
            return NULL;
    }
    if (agg_procs(b, g, x))
        return NULL;
    eng_expr *e = eng__bx_new(b, BX_AGG, g->type, x->loc, 0);
    if (!e)
        return NULL;
    e->index = s->naggs;
    s->aggs = v;
    s->naggs++;
    return e;
}

/* ---- ORDER BY ---------------------------------------------------------- */

/* ORDER BY n, ORDER BY alias, or an expression (a hidden target). */
static int sort_target(bctx *b, const ast_select *sel, eng_select *out, const ast_expr *x, eng_target **tv, int *nt)
{
    if (x->kind == AST_CONST_INT) {
        if (x->ival < 1 || x->ival > out->nvisible) {
            pgw_error_set(b->err, SQLSTATE_INVALID_COLUMN_REFERENCE, "ORDER BY position %d is not in select list",
                          (int)x->ival);
            eng__errpos(b, x->loc);
            return -1;
        }
        return (int)x->ival - 1;
    }
    /* an output column name wins (PostgreSQL's findTargetlistEntrySQL92) */
    if (x->kind == AST_COLREF && !x->name && strcmp(x->str, "*") != 0) {
        int found = -1;
        for (int i = 0; i < out->nvisible; i++) {
            if (!sel->targets[i].name || strcmp(sel->targets[i].name, x->str) != 0)
                continue;
            if (found >= 0 && !eng__expr_equal((*tv)[found].expr, (*tv)[i].expr)) {
                pgw_error_set(b->err, SQLSTATE_AMBIGUOUS_COLUMN, "ORDER BY \"%s\" is ambiguous", x->str);
                eng__errpos(b, x->loc);
                return -1;
            }
            if (found < 0)
                found = i;
        }
        if (found >= 0)
            return found;
    }
    b->agg_sel = out;
    eng_expr *e = eng__bind_expr(b, x);
    b->agg_sel = NULL;
    if (!e)
        return -1;
    if (e->type == OID_UNKNOWN && !(e = eng__coerce(b, e, OID_TEXT, -1, ENG_CAST_IMPLICIT, e->loc)))
        return -1;
    for (int i = 0; i < *nt; i++)
        if (eng__expr_equal((*tv)[i].expr, e))
            return i;
    (*tv)[*nt].expr = e;
    (*tv)[*nt].name = "?column?";
    return (*nt)++;
}

int eng__bind_sort(bctx *b, const ast_select *sel, eng_select *out)
{
    if (!sel->nsort)
        return 0;
    eng_target *tv = arena_calloc(b->a, (size_t)(out->ntargets + sel->nsort) + 1, sizeof(eng_target));
    out->sort = arena_calloc(b->a, (size_t)sel->nsort + 1, sizeof(eng_sortkey));
    if (!tv || !out->sort)
        return pgw_error_oom(b->err), -1;
    memcpy(tv, out->targets, (size_t)out->ntargets * sizeof(eng_target));
    int nt = out->ntargets;
    for (int i = 0; i < sel->nsort; i++) {
        const ast_sortby *o = &sel->sort[i];
        int k = sort_target(b, sel, out, o->expr, &tv, &nt);
        if (k < 0)
            return -1;
        eng_sortkey *sk = &out->sort[out->nsort++];
        sk->target = k;
        sk->desc = o->desc;
        sk->nulls_first = o->nulls_first < 0 ? o->desc : o->nulls_first == 1;
        if (!(sk->lt = op_on(b, "<", tv[k].expr->type, o->expr->loc)))
            return -1;
    }
    out->targets = tv;
    out->ntargets = nt;
    return 0;
}
