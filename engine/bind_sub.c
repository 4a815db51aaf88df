/*
 * bind_sub: queries inside queries — subqueries in expressions (EXISTS,
 * scalar, IN / op ANY / op ALL), UNION / INTERSECT / EXCEPT, and VALUES
 * lists — with PostgreSQL's column-count and type-matching errors.
 */
#include <stdio.h>
#include <string.h>

#include "engine/bind.h"
#include "engine/types/array.h"

static eng_expr *scancol(bctx *b, uint32_t type, int32_t typmod, int index, int loc)
{
    eng_expr *e = eng__bx_new(b, BX_SCANCOL, type, loc, 0);
    if (e) {
        e->index = index;
        e->typmod = typmod;
    }
    return e;
}

/* lhs op ANY/ALL (subquery): the comparison runs over the row [lhs, value]. */
static int sublink_test(bctx *b, const ast_expr *x, eng_expr *e)
{
    eng_expr *lhs = eng__bind_expr(b, x->args[0]);
    if (!lhs)
        return -1;
    const eng_expr *col = e->sub->targets[0].expr;
    /* an unknown literal on the left takes the subquery column's type */
    if (lhs->type == OID_UNKNOWN && !(lhs = eng__coerce(b, lhs, col->type, -1, ENG_CAST_IMPLICIT, lhs->loc)))
        return -1;
    eng_expr *cmp = eng__pair_test(b, x->name, lhs, col->type, col->typmod, x->loc,
                                   x->ival == SUBLINK_ALL ? "ALL" : "ANY");
    if (!cmp)
        return -1;
    e->args[0] = lhs;
    e->subtest = cmp;
    return 0;
}

eng_expr *eng__sublink(bctx *b, const ast_expr *x)
{
    eng_select *sub;
    bool in_agg = b->in_agg;
    eng_select *agg_sel = b->agg_sel;
    if (eng__bind_query(b, x->sub, b->scope, &sub))
        return NULL;
    b->in_agg = in_agg;
    b->agg_sel = agg_sel;
    ast_sublink_kind k = (ast_sublink_kind)x->ival;
    if (k != SUBLINK_EXISTS && sub->nvisible != 1) {
        pgw_error_set(b->err, SQLSTATE_SYNTAX_ERROR, sub->nvisible > 1 && k != SUBLINK_EXPR
                                                         ? "subquery has too many columns"
                                                         : "subquery must return only one column");
        eng__errpos(b, x->loc);
        return NULL;
    }
    uint32_t type = k == SUBLINK_EXPR ? sub->targets[0].expr->type : OID_BOOL;
    if (k == SUBLINK_ARRAY && !(type = eng_array_of(sub->targets[0].expr->type))) {
        pgw_error_set(b->err, SQLSTATE_UNDEFINED_OBJECT, "could not find array type for data type %s",
                      eng_type_sqlname(sub->targets[0].expr->type));
        eng__errpos(b, x->loc);
        return NULL;
    }
    eng_expr *e = eng__bx_new(b, BX_SUBLINK, type, x->loc, k == SUBLINK_ANY || k == SUBLINK_ALL ? 1 : 0);
    if (!e)
        return NULL;
    e->sub = sub;
    e->ival = k;
    if (k == SUBLINK_EXPR)
        e->typmod = sub->targets[0].expr->typmod;
    if ((k == SUBLINK_ANY || k == SUBLINK_ALL) && sublink_test(b, x, e))
        return NULL;
    return e;
}

/* Add the one unnamed FROM entry that a set operation or VALUES reads. */
static eng_rte *result_rte(bctx *b, eng_select *s, const char *alias, int ncols, eng_rel_kind kind)
{
    eng_scope *sc = b->scope;
    sc->rtes = arena_calloc(b->a, 1, sizeof(eng_rte));
    eng_rel *rel = arena_calloc(b->a, 1, sizeof(eng_rel));
    if (!sc->rtes || !rel)
        return pgw_error_oom(b->err), NULL;
    eng_rte *r = &sc->rtes[0];
    sc->nrtes = sc->caprtes = 1;
    r->alias = alias;
    r->ncols = ncols;
    r->names = arena_calloc(b->a, (size_t)ncols + 1, sizeof(char *));
    r->types = arena_calloc(b->a, (size_t)ncols + 1, sizeof(uint32_t));
    r->typmods = arena_calloc(b->a, (size_t)ncols + 1, sizeof(int32_t));
    s->targets = arena_calloc(b->a, (size_t)ncols + 1, sizeof(eng_target));
    if (!r->names || !r->types || !r->typmods || !s->targets)
        return pgw_error_oom(b->err), NULL;
    sc->width = s->width = ncols;
    rel->kind = kind;
    rel->ncols = ncols;
    rel->alias = alias;
    s->from = rel;
    s->ntargets = s->nvisible = ncols;
    return r;
}

/* Output columns over the result entry, then ORDER BY by name or position. */
static int finish_result(bctx *b, const ast_select *sel, eng_select *s, eng_rte *r)
{
    ast_select named = *sel;
    named.ntargets = r->ncols;
    named.targets = arena_calloc(b->a, (size_t)r->ncols + 1, sizeof(ast_target));
    if (!named.targets)
        return pgw_error_oom(b->err), -1;
    for (int i = 0; i < r->ncols; i++) {
        if (!(s->targets[i].expr = scancol(b, r->types[i], r->typmods[i], i, -1)))
            return -1;
        s->targets[i].name = r->names[i];
        named.targets[i].name = r->names[i];
    }
    return eng__bind_sort(b, &named, s) || eng__name_columns(b, s) ? -1 : 0;
}

/* Coerce column i of every branch to the common type. */
static int unify_column(bctx *b, eng_expr **es, int n, const char *context, uint32_t *type)
{
    if (eng__common_type(b, es, n, context, type))
        return -1;
    for (int k = 0; k < n; k++)
        if (!(es[k] = eng__coerce(b, es[k], *type, -1, ENG_CAST_IMPLICIT, es[k]->loc)))
            return -1;
    return 0;
}

int eng__bind_setop(bctx *b, const ast_select *sel, eng_select *s)
{
    static const char *const names[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    const char *what = names[sel->setop];
    eng_select *l, *r;
    eng_scope *parent = b->scope->parent;
    b->setop_branch = true;
    if (eng__bind_query(b, sel->larg, parent, &l))
        return -1;
    b->setop_branch = true;
    if (eng__bind_query(b, sel->rarg, parent, &r))
        return -1;
    if (l->nvisible != r->nvisible) {
        pgw_error_set(b->err, SQLSTATE_SYNTAX_ERROR, "each %s query must have the same number of columns", what);
        eng__errpos(b, r->nvisible ? r->targets[0].expr->loc : -1);
        return -1;
    }
    eng_rte *rte = result_rte(b, s, NULL, l->nvisible, REL_SETOP);
    if (!rte)
        return -1;
    for (int i = 0; i < l->nvisible; i++) {
        eng_expr *es[2] = {l->targets[i].expr, r->targets[i].expr};
        uint32_t t;
        if (unify_column(b, es, 2, what, &t))
            return -1;
        l->targets[i].expr = es[0];
        r->targets[i].expr = es[1];
        rte->names[i] = l->targets[i].name;
        rte->types[i] = t;
        rte->typmods[i] = es[0]->typmod == es[1]->typmod ? es[0]->typmod : -1;
    }
    s->from->setop = sel->setop;
    s->from->setop_all = sel->setop_all;
    s->from->larg = l;
    s->from->rarg = r;
    s->uses_tables = l->uses_tables || r->uses_tables;
    return finish_result(b, sel, s, rte);
}

int eng__bind_values(bctx *b, const ast_select *sel, eng_select *s)
{
    int nr = sel->nvalues, nc = sel->nvalcols;
    eng_rte *rte = result_rte(b, s, "*VALUES*", nc, REL_VALUES);
    if (!rte)
        return -1;
    eng_expr ***rows = arena_calloc(b->a, (size_t)nr + 1, sizeof(eng_expr **));
    eng_expr **col = arena_calloc(b->a, (size_t)nr + 1, sizeof(eng_expr *));
    if (!rows || !col)
        return pgw_error_oom(b->err), -1;
    eng_scope *saved = b->scope;
    b->scope = saved->parent; /* VALUES sees only enclosing queries */
    for (int r = 0; r < nr; r++) {
        if (!(rows[r] = arena_calloc(b->a, (size_t)nc + 1, sizeof(eng_expr *))))
            return b->scope = saved, pgw_error_oom(b->err), -1;
        for (int c = 0; c < nc; c++)
            if (!(rows[r][c] = eng__bind_expr(b, sel->values[r][c])))
                return b->scope = saved, -1;
    }
    b->scope = saved;
    for (int c = 0; c < nc; c++) {
        for (int r = 0; r < nr; r++)
            col[r] = rows[r][c];
        uint32_t t;
        if (unify_column(b, col, nr, "VALUES", &t))
            return -1;
        for (int r = 0; r < nr; r++)
            rows[r][c] = col[r];
        rte->names[c] = arena_printf(b->a, "column%d", c + 1);
        rte->types[c] = t;
        rte->typmods[c] = -1;
        if (!rte->names[c])
            return pgw_error_oom(b->err), -1;
    }
    s->from->nvalues = nr;
    s->from->values = rows;
    return finish_result(b, sel, s, rte);
}
