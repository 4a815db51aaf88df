/*
 * translate: libpg_query's protobuf tree → hcdb AST (ast.h).
 *
 * Every node kind is either translated or refused with 0A000 naming it;
 * nothing here asserts on input. Column names follow PostgreSQL's
 * FigureColname (parse_target.c), computed here because it is defined on
 * the raw tree. Recursion is bounded by ENG_MAX_DEPTH.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pg_query/pg_query.pb-c.h>

#include "engine/value.h"
#include "sql-compat/translate.h"


const char *sqlc__node_name(PgQuery__Node *n)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor,
                                                                                (unsigned)n->node_case);
    if (f && f->descriptor)
        return ((const ProtobufCMessageDescriptor *)f->descriptor)->short_name;
    return "this node";
}

ast_expr *sqlc__unsupported(tctx *t, const char *what, int loc)
{
    pgw_error_set(t->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported yet", what);
    sqlc_set_position(t->err, t->text, loc);
    return NULL;
}

ast_expr *sqlc__oom(tctx *t)
{
    pgw_error_oom(t->err);
    return NULL;
}

ast_expr *sqlc__mk(tctx *t, ast_kind k, int loc, int nargs)
{
    ast_expr *e = arena_calloc(t->a, 1, sizeof(*e));
    if (!e)
        return sqlc__oom(t);
    e->kind = k;
    e->loc = loc;
    e->nargs = nargs;
    if (nargs > 0 && !(e->args = arena_calloc(t->a, (size_t)nargs, sizeof(ast_expr *))))
        return sqlc__oom(t);
    return e;
}

const char *sqlc__str_of(PgQuery__Node *n)
{
    return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

/* Last component of a qualified name list (operator, function, type). */
const char *sqlc__last_name(PgQuery__Node **names, size_t n)
{
    return n ? sqlc__str_of(names[n - 1]) : NULL;
}

static ast_expr *const_expr(tctx *t, PgQuery__AConst *c)
{
    ast_expr *e;
    if (c->isnull)
        return sqlc__mk(t, AST_CONST_NULL, c->location, 0);
    switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL:
        if (!(e = sqlc__mk(t, AST_CONST_INT, c->location, 0)))
            return NULL;
        e->ival = c->ival->ival;
        return e;
    case PG_QUERY__A__CONST__VAL_FVAL:
        if (!(e = sqlc__mk(t, AST_CONST_NUM, c->location, 0)))
            return NULL;
        e->str = arena_strdup(t->a, c->fval->fval);
        return e->str ? e : sqlc__oom(t);
    case PG_QUERY__A__CONST__VAL_SVAL:
        if (!(e = sqlc__mk(t, AST_CONST_STR, c->location, 0)))
            return NULL;
        e->str = arena_strdup(t->a, c->sval->sval);
        return e->str ? e : sqlc__oom(t);
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
        if (!(e = sqlc__mk(t, AST_CONST_BOOL, c->location, 0)))
            return NULL;
        e->ival = c->boolval->boolval;
        return e;
    case PG_QUERY__A__CONST__VAL_BSVAL:
        /* B'101' / X'1F': the parser keeps the b / x prefix, which bit's input takes too */
        if (!(e = sqlc__mk(t, AST_CAST, c->location, 1)) || !(e->args[0] = sqlc__mk(t, AST_CONST_STR, c->location, 0)))
            return NULL;
        e->args[0]->str = arena_strdup(t->a, c->bsval->bsval);
        e->type = (ast_type){.name = "bit", .loc = c->location};
        return e->args[0]->str ? e : sqlc__oom(t);
    default:
        return sqlc__unsupported(t, "this literal", c->location);
    }
}

int sqlc__type_name(tctx *t, PgQuery__TypeName *tn, ast_type *out)
{
    memset(out, 0, sizeof(*out));
    out->loc = tn->location;
    out->name = sqlc__last_name(tn->names, tn->n_names);
    if (!out->name || tn->pct_type || tn->setof) {
        sqlc__unsupported(t, "this type name", tn->location);
        return -1;
    }
    out->is_array = tn->n_array_bounds > 0;
    if (tn->n_typmods) {
        out->mods = arena_calloc(t->a, tn->n_typmods, sizeof(int32_t));
        if (!out->mods)
            return sqlc__oom(t), -1;
        for (size_t i = 0; i < tn->n_typmods; i++) {
            PgQuery__Node *m = tn->typmods[i];
            if (m->node_case != PG_QUERY__NODE__NODE_A_CONST || m->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL) {
                pgw_error_set(t->err, SQLSTATE_SYNTAX_ERROR, "type modifiers must be simple constants or identifiers");
                sqlc_set_position(t->err, t->text, tn->location);
                return -1;
            }
            out->mods[out->nmods++] = m->a_const->ival->ival;
        }
    }
    return 0;
}

static ast_expr *list_expr(tctx *t, ast_kind k, int loc, PgQuery__Node **items, size_t n, int extra)
{
    ast_expr *e = sqlc__mk(t, k, loc, (int)n + extra);
    if (!e)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(e->args[extra + (int)i] = sqlc__expr(t, items[i])))
            return NULL;
    return e;
}

static ast_expr *op2(tctx *t, const char *name, int loc, ast_expr *l, ast_expr *r)
{
    ast_expr *e = sqlc__mk(t, AST_OP, loc, 2);
    if (!e)
        return NULL;
    e->name = name;
    e->args[0] = l;
    e->args[1] = r;
    return e;
}

static ast_expr *bool2(tctx *t, ast_kind k, int loc, ast_expr *l, ast_expr *r)
{
    ast_expr *e = sqlc__mk(t, k, loc, 2);
    if (e) {
        e->args[0] = l;
        e->args[1] = r;
    }
    return e;
}

/* a BETWEEN b AND c → a >= b AND a <= c (PostgreSQL transforms it the same way). */
static ast_expr *between(tctx *t, PgQuery__AExpr *x)
{
    PgQuery__Node *r = x->rexpr;
    if (!r || r->node_case != PG_QUERY__NODE__NODE_LIST || r->list->n_items != 2)
        return sqlc__unsupported(t, "this BETWEEN form", x->location);
    ast_expr *a = sqlc__expr(t, x->lexpr), *lo = a ? sqlc__expr(t, r->list->items[0]) : NULL;
    ast_expr *hi = lo ? sqlc__expr(t, r->list->items[1]) : NULL;
    if (!hi)
        return NULL;
    int loc = x->location;
    switch (x->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
        return bool2(t, AST_AND, loc, op2(t, ">=", loc, a, lo), op2(t, "<=", loc, a, hi));
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
        return bool2(t, AST_OR, loc, op2(t, "<", loc, a, lo), op2(t, ">", loc, a, hi));
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
        return bool2(t, AST_OR, loc, bool2(t, AST_AND, loc, op2(t, ">=", loc, a, lo), op2(t, "<=", loc, a, hi)),
                     bool2(t, AST_AND, loc, op2(t, ">=", loc, a, hi), op2(t, "<=", loc, a, lo)));
    default:
        return bool2(t, AST_AND, loc, bool2(t, AST_OR, loc, op2(t, "<", loc, a, lo), op2(t, ">", loc, a, hi)),
                     bool2(t, AST_OR, loc, op2(t, "<", loc, a, hi), op2(t, ">", loc, a, lo)));
    }
}

static ast_expr *a_expr(tctx *t, PgQuery__AExpr *x)
{
    const char *name = sqlc__last_name(x->name, x->n_name);
    ast_expr *e;
    switch (x->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
        if (!name)
            return sqlc__unsupported(t, "this operator", x->location);
        if (!x->rexpr)
            return sqlc__unsupported(t, "postfix operator", x->location);
        if (!(e = sqlc__mk(t, AST_OP, x->location, x->lexpr ? 2 : 1)))
            return NULL;
        e->name = name;
        if (x->lexpr && !(e->args[0] = sqlc__expr(t, x->lexpr)))
            return NULL;
        if (!(e->args[e->nargs - 1] = sqlc__expr(t, x->rexpr)))
            return NULL;
        return e;
    case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF: {
        ast_kind k = x->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF ? AST_NULLIF : AST_DISTINCT;
        if (!(e = sqlc__mk(t, k, x->location, 2)) || !(e->args[0] = sqlc__expr(t, x->lexpr)) || !(e->args[1] = sqlc__expr(t, x->rexpr)))
            return NULL;
        e->negate = x->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT;
        return e;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN: {
        PgQuery__Node *r = x->rexpr;
        if (!r || r->node_case != PG_QUERY__NODE__NODE_LIST)
            return sqlc__unsupported(t, "this IN form", x->location);
        if (!(e = list_expr(t, AST_IN, x->location, r->list->items, r->list->n_items, 1)))
            return NULL;
        e->negate = name && strcmp(name, "<>") == 0;
        return (e->args[0] = sqlc__expr(t, x->lexpr)) ? e : NULL;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM:
        return between(t, x);
    case PG_QUERY__A__EXPR__KIND__AEXPR_SIMILAR:
        return sqlc__unsupported(t, "SIMILAR TO", x->location);
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL:
        if (!name)
            return sqlc__unsupported(t, "this operator", x->location);
        if (!(e = sqlc__mk(t, AST_SCALARARRAY, x->location, 2)) || !(e->args[0] = sqlc__expr(t, x->lexpr)) ||
            !(e->args[1] = sqlc__expr(t, x->rexpr)))
            return NULL;
        e->name = name;
        e->ival = x->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY ? SUBLINK_ANY : SUBLINK_ALL;
        return e;
    default:
        return sqlc__unsupported(t, "this operator form", x->location);
    }
}

static ast_expr *func_call(tctx *t, PgQuery__FuncCall *f)
{
    if (f->over || f->agg_within_group || f->func_variadic)
        return sqlc__unsupported(t, f->over ? "a window function call" : "WITHIN GROUP or VARIADIC", f->location);
    const char *name = sqlc__last_name(f->funcname, f->n_funcname);
    if (!name)
        return sqlc__unsupported(t, "this function name", f->location);
    ast_expr *e = list_expr(t, AST_FUNC, f->location, f->args, f->n_args, 0);
    if (!e)
        return NULL;
    e->name = name;
    e->star = f->agg_star;
    e->distinct = f->agg_distinct;
    if (f->agg_filter && !(e->agg_filter = sqlc__expr(t, f->agg_filter)))
        return NULL;
    if (f->n_agg_order && sqlc__sort_list(t, f->agg_order, f->n_agg_order, &e->agg_order, &e->nagg_order))
        return NULL;
    return e;
}

static ast_expr *case_expr(tctx *t, PgQuery__CaseExpr *c)
{
    ast_expr *e = sqlc__mk(t, AST_CASE, c->location, 2 + 2 * (int)c->n_args);
    if (!e)
        return NULL;
    if (c->arg && !(e->args[0] = sqlc__expr(t, c->arg)))
        return NULL;
    for (size_t i = 0; i < c->n_args; i++) {
        PgQuery__Node *w = c->args[i];
        if (w->node_case != PG_QUERY__NODE__NODE_CASE_WHEN)
            return sqlc__unsupported(t, sqlc__node_name(w), c->location);
        if (!(e->args[1 + 2 * i] = sqlc__expr(t, w->case_when->expr)) ||
            !(e->args[2 + 2 * i] = sqlc__expr(t, w->case_when->result)))
            return NULL;
    }
    if (c->defresult && !(e->args[e->nargs - 1] = sqlc__expr(t, c->defresult)))
        return NULL;
    return e;
}

static ast_expr *sqlvalue(tctx *t, PgQuery__SQLValueFunction *v)
{
    static const struct { PgQuery__SQLValueFunctionOp op; ast_sqlvalue v; } map[] = {
        {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE, SQLV_CURRENT_DATE},
        {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP, SQLV_CURRENT_TIMESTAMP},
        {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP, SQLV_LOCALTIMESTAMP},
        {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER, SQLV_CURRENT_USER},
        {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER, SQLV_SESSION_USER},
        {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER, SQLV_USER},
        {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE, SQLV_CURRENT_ROLE},
        {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG, SQLV_CURRENT_CATALOG},
        {PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA, SQLV_CURRENT_SCHEMA},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (map[i].op == v->op) {
            ast_expr *e = sqlc__mk(t, AST_SQLVALUE, v->location, 0);
            if (e)
                e->ival = map[i].v;
            return e;
        }
    }
    return sqlc__unsupported(t, "this SQL value function (time with time zone, or a precision)", v->location);
}

static ast_expr *expr_inner(tctx *t, PgQuery__Node *n)
{
    ast_expr *e;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        return const_expr(t, n->a_const);
    case PG_QUERY__NODE__NODE_PARAM_REF:
        if (!(e = sqlc__mk(t, AST_PARAM, n->param_ref->location, 0)))
            return NULL;
        e->ival = n->param_ref->number;
        return e;
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        PgQuery__ColumnRef *c = n->column_ref;
        const char *name = sqlc__last_name(c->fields, c->n_fields);
        if (!name) {
            /* `*` or `t.*`: the binder expands it against FROM (or refuses it) */
            if (!(e = sqlc__mk(t, AST_COLREF, c->location, 0)))
                return NULL;
            e->str = "*";
            e->ival = 1;
            e->name = c->n_fields > 1 ? sqlc__str_of(c->fields[c->n_fields - 2]) : NULL;
            return e;
        }
        if (!(e = sqlc__mk(t, AST_COLREF, c->location, 0)))
            return NULL;
        e->str = name;
        /* table qualifier: t.col, or schema.t.col (the binder finds t by its name) */
        e->name = c->n_fields > 1 ? sqlc__str_of(c->fields[c->n_fields - 2]) : NULL;
        return e;
    }
    case PG_QUERY__NODE__NODE_A_EXPR:
        return a_expr(t, n->a_expr);
    case PG_QUERY__NODE__NODE_SET_TO_DEFAULT:
        return sqlc__mk(t, AST_DEFAULT, n->set_to_default->location, 0);
    case PG_QUERY__NODE__NODE_BOOL_EXPR: {
        PgQuery__BoolExpr *b = n->bool_expr;
        ast_kind k = b->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR  ? AST_AND
                     : b->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR ? AST_OR
                                                                      : AST_NOT;
        return list_expr(t, k, b->location, b->args, b->n_args, 0);
    }
    case PG_QUERY__NODE__NODE_NULL_TEST:
        if (!(e = sqlc__mk(t, AST_IS_NULL, n->null_test->location, 1)) || !(e->args[0] = sqlc__expr(t, n->null_test->arg)))
            return NULL;
        e->negate = n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL;
        return e;
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST: {
        PgQuery__BooleanTest *b = n->boolean_test;
        if (!(e = sqlc__mk(t, AST_BOOLTEST, b->location, 1)) || !(e->args[0] = sqlc__expr(t, b->arg)))
            return NULL;
        int k = (int)b->booltesttype - 1; /* IS_TRUE=1, IS_NOT_TRUE, IS_FALSE, ... */
        e->ival = k / 2;
        e->negate = k % 2;
        return e;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        return func_call(t, n->func_call);
    case PG_QUERY__NODE__NODE_TYPE_CAST:
        if (!(e = sqlc__mk(t, AST_CAST, n->type_cast->location, 1)) || !(e->args[0] = sqlc__expr(t, n->type_cast->arg)))
            return NULL;
        if (!n->type_cast->type_name || sqlc__type_name(t, n->type_cast->type_name, &e->type))
            return NULL;
        return e;
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        return case_expr(t, n->case_expr);
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        return list_expr(t, AST_COALESCE, n->coalesce_expr->location, n->coalesce_expr->args,
                         n->coalesce_expr->n_args, 0);
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
        return list_expr(t, n->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? AST_GREATEST : AST_LEAST,
                         n->min_max_expr->location, n->min_max_expr->args, n->min_max_expr->n_args, 0);
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
        return sqlvalue(t, n->sqlvalue_function);
    case PG_QUERY__NODE__NODE_SUB_LINK:
        return sqlc__sublink(t, n->sub_link);
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
        for (size_t i = 0; i < n->a_array_expr->n_elements; i++)
            if (n->a_array_expr->elements[i]->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR)
                return sqlc__unsupported(t, "multidimensional arrays", n->a_array_expr->location);
        return list_expr(t, AST_ARRAY, n->a_array_expr->location, n->a_array_expr->elements,
                         n->a_array_expr->n_elements, 0);
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
        PgQuery__AIndirection *ind = n->a_indirection;
        if (ind->n_indirection != 1 || ind->indirection[0]->node_case != PG_QUERY__NODE__NODE_A_INDICES ||
            ind->indirection[0]->a_indices->is_slice || !ind->indirection[0]->a_indices->uidx)
            return sqlc__unsupported(t, "this subscript form (slices, field selection)", -1);
        if (!(e = sqlc__mk(t, AST_SUBSCRIPT, -1, 2)) || !(e->args[0] = sqlc__expr(t, ind->arg)) ||
            !(e->args[1] = sqlc__expr(t, ind->indirection[0]->a_indices->uidx)))
            return NULL;
        e->loc = e->args[0]->loc;
        return e;
    }
    case PG_QUERY__NODE__NODE_ROW_EXPR:
        return sqlc__unsupported(t, "ROW constructor", n->row_expr->location);
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE: {
        /* Only the default collations exist here ("default", "C", "POSIX"): they change nothing. */
        PgQuery__CollateClause *cc = n->collate_clause;
        const char *coll = sqlc__last_name(cc->collname, cc->n_collname);
        if (!coll || (strcmp(coll, "default") != 0 && strcmp(coll, "C") != 0 && strcmp(coll, "POSIX") != 0)) {
            pgw_error_set(t->err, SQLSTATE_UNDEFINED_OBJECT, "collation \"%s\" for encoding \"UTF8\" does not exist",
                          coll ? coll : "?");
            sqlc_set_position(t->err, t->text, cc->location);
            return NULL;
        }
        return sqlc__expr(t, cc->arg);
    }
    default:
        return sqlc__unsupported(t, sqlc__node_name(n), -1);
    }
}

ast_expr *sqlc__expr(tctx *t, PgQuery__Node *n)
{
    if (!n)
        return sqlc__unsupported(t, "an empty expression", -1);
    if (++t->depth > ENG_MAX_DEPTH) {
        eng_err_depth(t->err);
        return NULL;
    }
    ast_expr *e = expr_inner(t, n);
    t->depth--;
    return e;
}

/* ---- FigureColname ---------------------------------------------------- */

int sqlc__figure_colname(PgQuery__Node *n, const char **name, int depth)
{
    if (!n || depth > ENG_MAX_DEPTH)
        return 0;
    static const char *const sqlv[] = {"", "current_date", "current_time", "current_time", "current_timestamp",
                                       "current_timestamp", "localtime", "localtime", "localtimestamp",
                                       "localtimestamp", "current_role", "current_user", "user", "session_user",
                                       "current_catalog", "current_schema"};
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        const char *s = sqlc__last_name(n->column_ref->fields, n->column_ref->n_fields);
        if (s) {
            *name = s;
            return 2;
        }
        return 0;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        *name = sqlc__last_name(n->func_call->funcname, n->func_call->n_funcname);
        return *name ? 2 : 0;
    case PG_QUERY__NODE__NODE_A_EXPR:
        if (n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF) {
            *name = "nullif";
            return 2;
        }
        return 0;
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
        int s = sqlc__figure_colname(n->type_cast->arg, name, depth + 1);
        if (s <= 1 && n->type_cast->type_name) {
            const char *tn = sqlc__last_name(n->type_cast->type_name->names, n->type_cast->type_name->n_names);
            if (tn) {
                *name = tn;
                return 1;
            }
        }
        return s;
    }
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
        return sqlc__figure_colname(n->collate_clause->arg, name, depth + 1);
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
        /* the last field name, subscripts ignored; else the subscripted expression's name */
        PgQuery__AIndirection *ind = n->a_indirection;
        const char *field = NULL;
        for (size_t i = 0; i < ind->n_indirection; i++)
            if (sqlc__str_of(ind->indirection[i]))
                field = sqlc__str_of(ind->indirection[i]);
        if (field) {
            *name = field;
            return 2;
        }
        return sqlc__figure_colname(ind->arg, name, depth + 1);
    }
    case PG_QUERY__NODE__NODE_CASE_EXPR: {
        int s = sqlc__figure_colname(n->case_expr->defresult, name, depth + 1);
        if (s <= 1) {
            *name = "case";
            return 1;
        }
        return s;
    }
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
        *name = "array";
        return 2;
    case PG_QUERY__NODE__NODE_SUB_LINK: {
        PgQuery__SubLink *sl = n->sub_link;
        if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK) {
            *name = "exists";
            return 2;
        }
        if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK) {
            *name = "array";
            return 2;
        }
        if (sl->sub_link_type != PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK || !sl->subselect ||
            sl->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            return 0;
        PgQuery__SelectStmt *ss = sl->subselect->select_stmt;
        while (ss->op != PG_QUERY__SET_OPERATION__SETOP_NONE && ss->larg)
            ss = ss->larg;
        if (!ss->n_target_list || ss->target_list[0]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            return 0;
        PgQuery__ResTarget *rt = ss->target_list[0]->res_target;
        if (rt->name && rt->name[0]) {
            *name = rt->name;
            return 2;
        }
        return sqlc__figure_colname(rt->val, name, depth + 1);
    }
    case PG_QUERY__NODE__NODE_ROW_EXPR:
        *name = "row";
        return 2;
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        *name = "coalesce";
        return 2;
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
        *name = n->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "greatest" : "least";
        return 2;
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION: {
        unsigned op = (unsigned)n->sqlvalue_function->op;
        if (op > 0 && op < sizeof(sqlv) / sizeof(sqlv[0])) {
            *name = sqlv[op];
            return 2;
        }
        return 0;
    }
    default:
        return 0;
    }
}

ast_expr *sqlc__tr_expr(const char *text, arena *a, pgw_error *err, PgQuery__Node *n)
{
    tctx t = {.text = text, .a = a, .err = err};
    return sqlc__expr(&t, n);
}

int sqlc__tr_type(const char *text, arena *a, pgw_error *err, PgQuery__TypeName *tn, ast_type *out)
{
    tctx t = {.text = text, .a = a, .err = err};
    return sqlc__type_name(&t, tn, out);
}

int sqlc__tr_select(const char *text, arena *a, pgw_error *err, PgQuery__SelectStmt *s, ast_stmt *out)
{
    tctx t = {.text = text, .a = a, .err = err};
    return sqlc__select_stmt(&t, s, out);
}

int sqlc__tr_targets(const char *text, arena *a, pgw_error *err, PgQuery__Node **items, size_t n, ast_target **out)
{
    tctx t = {.text = text, .a = a, .err = err};
    ast_target *tg = arena_calloc(a, n + 1, sizeof(*tg));
    if (!tg)
        return sqlc__oom(&t), -1;
    for (size_t i = 0; i < n; i++) {
        if (items[i]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            return sqlc__unsupported(&t, sqlc__node_name(items[i]), -1), -1;
        PgQuery__ResTarget *rt = items[i]->res_target;
        if (!(tg[i].expr = sqlc__expr(&t, rt->val)))
            return -1;
        tg[i].name = "?column?";
        if (rt->name && rt->name[0])
            tg[i].name = rt->name;
        else
            sqlc__figure_colname(rt->val, &tg[i].name, 0);
    }
    *out = tg;
    return 0;
}

int sqlc__translate_stmt(const char *text, PgQuery__Node *n, arena *a, ast_stmt **out, pgw_error *err)
{
    tctx t = {.text = text, .a = a, .err = err};
    ast_stmt *st = arena_calloc(a, 1, sizeof(*st));
    if (!st)
        return pgw_error_oom(err), -1;
    if (!n) {
        sqlc__unsupported(&t, "an empty statement", -1);
        return -1;
    }
    int rc = n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT ? sqlc__select_stmt(&t, n->select_stmt, st)
                                                              : sqlc__translate_utility(text, n, a, st, err);
    if (rc)
        return -1;
    *out = st;
    return 0;
}
