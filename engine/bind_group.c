/*
 * bind_group: GROUP BY, aggregates' output layout, HAVING and DISTINCT.
 *
 * An aggregated query's Agg node produces rows [group keys | aggregates].
 * After the target list, HAVING and ORDER BY are bound against the FROM row,
 * every subexpression equal to a GROUP BY key is replaced by that key's
 * column of the Agg row and every aggregate by its own column; a FROM
 * column left over is PostgreSQL's 42803 ("must appear in the GROUP BY
 * clause or be used in an aggregate function").
 */
#include <string.h>

#include "engine/bind.h"

static bool val_equal(uint32_t type, const eng_val *a, const eng_val *b)
{
    if (a->null || b->null)
        return a->null && b->null;
    const eng_type *t = eng_type_by_oid(type);
    if (t && t->len > 0)
        return memcmp(&a->i, &b->i, sizeof(a->i)) == 0;
    if (type == OID_NUMERIC || type == OID_INTERVAL)
        return false; /* rarely a GROUP BY key; never merged */
    return a->s.n == b->s.n && (a->s.n == 0 || memcmp(a->s.p, b->s.p, a->s.n) == 0);
}

bool eng__expr_equal(const eng_expr *a, const eng_expr *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind || a->type != b->type || a->nargs != b->nargs || a->index != b->index ||
        a->proc != b->proc || a->negate != b->negate || a->ival != b->ival || a->cast != b->cast ||
        a->typmod != b->typmod)
        return false;
    switch (a->kind) {
    case BX_CONST:
        return val_equal(a->type, &a->val, &b->val);
    case BX_SUBLINK:
    case BX_AGG:
        return false; /* each call is its own */
    case BX_FUNC:
        if (a->proc->flags & ENG_F_VOLATILE)
            return false;
        break;
    default:
        break;
    }
    for (int i = 0; i < a->nargs; i++)
        if (!eng__expr_equal(a->args[i], b->args[i]))
            return false;
    return true;
}

/* GROUP BY n, GROUP BY output-name, or an expression over the FROM row. */
static eng_expr *group_key(bctx *b, const ast_select *sel, const eng_select *s, const ast_expr *x)
{
    if (x->kind == AST_CONST_INT) {
        if (x->ival < 1 || x->ival > s->nvisible) {
            pgw_error_set(b->err, SQLSTATE_INVALID_COLUMN_REFERENCE, "GROUP BY position %d is not in select list",
                          (int)x->ival);
            eng__errpos(b, x->loc);
            return NULL;
        }
        return s->targets[x->ival - 1].expr;
    }
    b->clause = "GROUP BY";
    eng_expr *e = eng__bind_expr(b, x);
    b->clause = NULL;
    if (e || x->kind != AST_COLREF || x->name)
        return e;
    /* not an input column: an output column name (PostgreSQL accepts it too) */
    for (int i = 0; i < s->nvisible; i++) {
        if (sel->targets[i].name && strcmp(sel->targets[i].name, x->str) == 0) {
            pgw_error_clear(b->err);
            return s->targets[i].expr;
        }
    }
    return NULL;
}

typedef struct gctx {
    bctx *b;
    const eng_select *s;
    const eng_expr *hole;           /* a target's set-returning call placeholder ... */
    eng_expr *new_hole;             /* ... and its copy in the rewritten tree */
} gctx;

static const char *col_name(bctx *b, int index)
{
    for (int i = 0; b->scope && i < b->scope->nrtes; i++) {
        const eng_rte *r = &b->scope->rtes[i];
        if (index >= r->lo && index < r->lo + r->ncols)
            return arena_printf(b->a, "%s.%s", r->alias ? r->alias : "?", r->names[index - r->lo]);
    }
    return "?";
}

static eng_expr *regroup(gctx *g, const eng_expr *e)
{
    bctx *b = g->b;
    for (int k = 0; k < g->s->ngroup; k++) {
        if (e->kind != BX_CONST && e->kind != BX_PARAM && eng__expr_equal(e, g->s->group[k])) {
            eng_expr *r = eng__bx_new(b, BX_SCANCOL, e->type, e->loc, 0);
            if (r) {
                r->index = k;
                r->typmod = e->typmod;
            }
            return r;
        }
    }
    if (e->kind == BX_SCANCOL) {
        const char *name = col_name(b, e->index);
        pgw_error_set(b->err, SQLSTATE_GROUPING_ERROR,
                      "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function",
                      name ? name : "?");
        eng__errpos(b, e->loc);
        return NULL;
    }
    if (e->kind == BX_SUBLINK && e->sub->correlated) {
        pgw_error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "a correlated subquery over an aggregated query's rows is not supported yet");
        eng__errpos(b, e->loc);
        return NULL;
    }
    eng_expr *c = arena_alloc(b->a, sizeof(*c));
    if (!c)
        return pgw_error_oom(b->err), NULL;
    *c = *e;
    if (e == g->hole)
        g->new_hole = c;
    if (e->kind == BX_AGG) {
        c->index = g->s->ngroup + e->index;
        return c;
    }
    if (e->nargs) {
        if (!(c->args = arena_calloc(b->a, (size_t)e->nargs, sizeof(eng_expr *))))
            return pgw_error_oom(b->err), NULL;
        for (int i = 0; i < e->nargs; i++)
            if (e->args[i] && !(c->args[i] = regroup(g, e->args[i])))
                return NULL;
    }
    return c;
}

int eng__bind_grouping(bctx *b, const ast_select *sel, eng_select *s)
{
    s->group = arena_calloc(b->a, (size_t)sel->ngroup + 1, sizeof(eng_expr *));
    if (!s->group)
        return pgw_error_oom(b->err), -1;
    for (int i = 0; i < sel->ngroup; i++) {
        eng_expr *e = group_key(b, sel, s, sel->group[i]);
        if (!e)
            return -1;
        if (e->type == OID_UNKNOWN && !(e = eng__coerce(b, e, OID_TEXT, -1, ENG_CAST_IMPLICIT, e->loc)))
            return -1;
        bool dup = false;
        for (int k = 0; k < s->ngroup; k++)
            dup |= eng__expr_equal(s->group[k], e);
        if (!dup)
            s->group[s->ngroup++] = e;
    }
    s->grouped = s->naggs > 0 || s->ngroup > 0 || s->having;
    if (!s->grouped)
        return 0;
    gctx g = {b, s, NULL, NULL};
    for (int i = 0; i < s->ntargets; i++) {
        eng_target *t = &s->targets[i];
        bool top = t->srf_call == t->expr;
        g.hole = t->srf_hole;
        g.new_hole = NULL;
        if (!(t->expr = regroup(&g, t->expr)))
            return -1;
        if (top)
            t->srf_call = t->expr;
        else if (t->srf_call && !(t->srf_call = regroup(&g, t->srf_call)))
            return -1;
        if (t->srf_hole)
            t->srf_hole = g.new_hole;
    }
    if (s->having && !(s->having = regroup(&g, s->having)))
        return -1;
    return 0;
}

/* A target index for expression x: an equal visible target, or a new hidden one. */
static int distinct_target(bctx *b, eng_select *s, const ast_expr *x)
{
    if (x->kind == AST_CONST_INT && x->ival >= 1 && x->ival <= s->nvisible)
        return (int)x->ival - 1;
    eng_expr *e = eng__bind_expr(b, x);
    if (!e)
        return -1;
    for (int i = 0; i < s->ntargets; i++)
        if (eng__expr_equal(s->targets[i].expr, e))
            return i;
    eng_target *tv = arena_calloc(b->a, (size_t)s->ntargets + 2, sizeof(eng_target));
    if (!tv)
        return pgw_error_oom(b->err), -1;
    memcpy(tv, s->targets, (size_t)s->ntargets * sizeof(eng_target));
    tv[s->ntargets].expr = e;
    tv[s->ntargets].name = "?column?";
    s->targets = tv;
    return s->ntargets++;
}

int eng__bind_distinct(bctx *b, const ast_select *sel, eng_select *s)
{
    s->distinct = sel->distinct;
    if (s->distinct) {
        for (int i = 0; i < s->nsort; i++) {
            if (s->sort[i].target >= s->nvisible) {
                pgw_error_set(b->err, SQLSTATE_INVALID_COLUMN_REFERENCE,
                              "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
                eng__errpos(b, sel->sort[i].expr->loc);
                return -1;
            }
        }
    }
    if (!sel->ndistinct_on)
        return 0;
    s->distinct_on = arena_calloc(b->a, (size_t)sel->ndistinct_on + 1, sizeof(int));
    if (!s->distinct_on)
        return pgw_error_oom(b->err), -1;
    for (int i = 0; i < sel->ndistinct_on; i++) {
        int k = distinct_target(b, s, sel->distinct_on[i]);
        if (k < 0)
            return -1;
        s->distinct_on[s->ndistinct_on++] = k;
    }
    return 0;
}
