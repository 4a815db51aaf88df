/*
 * translate_select: SELECT statements of libpg_query's tree → ast_select —
 * FROM items (tables, functions, subqueries, joins), WITH, set operations,
 * VALUES, DISTINCT [ON], GROUP BY / HAVING, ORDER BY, LIMIT, and sublinks
 * (subqueries inside expressions). Shapes hcdb cannot run yet are refused
 * with 0A000 naming them.
 */
#include <string.h>

#include "engine/value.h"
#include "sql-compat/translate.h"

static int fail_unsupported(tctx *t, const char *what, int loc)
{
    sqlc__unsupported(t, what, loc);
    return -1;
}

static int names_of(tctx *t, PgQuery__Node **items, size_t n, ast_names *out)
{
    out->n = 0;
    out->v = arena_calloc(t->a, n + 1, sizeof(char *));
    if (!out->v)
        return sqlc__oom(t), -1;
    for (size_t i = 0; i < n; i++) {
        const char *s = sqlc__str_of(items[i]);
        if (!s)
            return fail_unsupported(t, "this name list", -1);
        out->v[out->n++] = s;
    }
    return 0;
}

static int alias_of(tctx *t, PgQuery__Alias *al, ast_fromitem *f)
{
    if (!al)
        return 0;
    f->alias = al->aliasname;
    return names_of(t, al->colnames, al->n_colnames, &f->colaliases);
}

static ast_select *subselect(tctx *t, PgQuery__Node *n)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
        sqlc__unsupported(t, n ? sqlc__node_name(n) : "an empty subquery", -1);
        return NULL;
    }
    ast_stmt *st = arena_calloc(t->a, 1, sizeof(*st));
    if (!st) {
        sqlc__oom(t);
        return NULL;
    }
    return sqlc__select_stmt(t, n->select_stmt, st) ? NULL : &st->select;
}

static int from_item(tctx *t, PgQuery__Node *n, ast_fromitem *f);

static int from_range_var(tctx *t, PgQuery__RangeVar *rv, ast_fromitem *f)
{
    f->kind = FROM_TABLE;
    f->relname = rv->relname;
    f->loc = rv->location;
    if (alias_of(t, rv->alias, f))
        return -1;
    if (rv->schemaname && strcmp(rv->schemaname, "public") == 0)
        f->schema = "public"; /* found whatever search_path says; the name stays bare */
    if (rv->schemaname && rv->schemaname[0] && strcmp(rv->schemaname, "public") != 0) {
        f->schema = rv->schemaname;
        if (strcmp(rv->schemaname, "pg_catalog") != 0 && strcmp(rv->schemaname, "information_schema") != 0) {
            /* PostgreSQL names the relation, not the schema, when reading */
            pgw_error_set(t->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s.%s\" does not exist", rv->schemaname,
                          rv->relname);
            sqlc_set_position(t->err, t->text, rv->location);
            return -1;
        }
        f->relname = arena_printf(t->a, "%s.%s", rv->schemaname, rv->relname);
        if (!f->relname)
            return sqlc__oom(t), -1;
    }
    return 0;
}

static int from_function(tctx *t, PgQuery__RangeFunction *r, ast_fromitem *f)
{
    if (r->is_rowsfrom || r->n_functions != 1 || r->n_coldeflist)
        return fail_unsupported(t, "this FROM function form", -1);
    PgQuery__Node *pair = r->functions[0];
    if (pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items < 1)
        return fail_unsupported(t, "this FROM function form", -1);
    f->kind = FROM_FUNCTION;
    f->is_function = true;
    f->ordinality = r->ordinality; /* LATERAL needs no flag: functions see earlier items anyway */
    if (!(f->func = sqlc__expr(t, pair->list->items[0])))
        return -1;
    if (f->func->kind != AST_FUNC)
        return fail_unsupported(t, "this FROM function form", f->func->loc);
    f->loc = f->func->loc;
    if (alias_of(t, r->alias, f))
        return -1;
    return 0;
}

static int from_join(tctx *t, PgQuery__JoinExpr *j, ast_fromitem *f)
{
    f->kind = FROM_JOIN;
    switch (j->jointype) {
    case PG_QUERY__JOIN_TYPE__JOIN_INNER: f->jointype = JOIN_INNER; break;
    case PG_QUERY__JOIN_TYPE__JOIN_LEFT: f->jointype = JOIN_LEFT; break;
    case PG_QUERY__JOIN_TYPE__JOIN_FULL: f->jointype = JOIN_FULL; break;
    case PG_QUERY__JOIN_TYPE__JOIN_RIGHT: f->jointype = JOIN_RIGHT; break;
    default: return fail_unsupported(t, "this join type", -1);
    }
    if (j->alias || j->join_using_alias)
        return fail_unsupported(t, "an alias on a JOIN", -1);
    f->natural = j->is_natural;
    f->cross = !j->is_natural && !j->quals && !j->n_using_clause;
    f->larg = arena_calloc(t->a, 1, sizeof(ast_fromitem));
    f->rarg = arena_calloc(t->a, 1, sizeof(ast_fromitem));
    if (!f->larg || !f->rarg)
        return sqlc__oom(t), -1;
    if (from_item(t, j->larg, f->larg) || from_item(t, j->rarg, f->rarg))
        return -1;
    f->loc = f->larg->loc;
    if (j->quals && !(f->quals = sqlc__expr(t, j->quals)))
        return -1;
    return names_of(t, j->using_clause, j->n_using_clause, &f->using_cols);
}

static int from_item(tctx *t, PgQuery__Node *n, ast_fromitem *f)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR:
        return from_range_var(t, n->range_var, f);
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION:
        return from_function(t, n->range_function, f);
    case PG_QUERY__NODE__NODE_JOIN_EXPR:
        return from_join(t, n->join_expr, f);
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        PgQuery__RangeSubselect *r = n->range_subselect;
        f->kind = FROM_SUBQUERY;
        f->lateral = r->lateral;
        if (!(f->sub = subselect(t, r->subquery)))
            return -1;
        /* the grammar already refused a subquery without an alias */
        return alias_of(t, r->alias, f);
    }
    default:
        return fail_unsupported(t, "this FROM item", -1);
    }
}

int sqlc__sort_list(tctx *t, PgQuery__Node **items, size_t n, ast_sortby **out, int *nout)
{
    ast_sortby *v = arena_calloc(t->a, n + 1, sizeof(ast_sortby));
    if (!v)
        return sqlc__oom(t), -1;
    *nout = 0;
    for (size_t i = 0; i < n; i++) {
        PgQuery__Node *node = items[i];
        if (node->node_case != PG_QUERY__NODE__NODE_SORT_BY)
            return fail_unsupported(t, sqlc__node_name(node), -1);
        PgQuery__SortBy *sb = node->sort_by;
        if (sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_USING)
            return fail_unsupported(t, "ORDER BY ... USING", sb->location);
        ast_sortby *o = &v[(*nout)++];
        if (!(o->expr = sqlc__expr(t, sb->node)))
            return -1;
        o->desc = sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
        o->nulls_first = sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST  ? 1
                         : sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST ? 0
                                                                                         : -1;
    }
    *out = v;
    return 0;
}

static int expr_list(tctx *t, PgQuery__Node **items, size_t n, ast_expr ***out, int *nout)
{
    *out = arena_calloc(t->a, n + 1, sizeof(ast_expr *));
    if (!*out)
        return sqlc__oom(t), -1;
    for (size_t i = 0; i < n; i++)
        if (!((*out)[i] = sqlc__expr(t, items[i])))
            return -1;
    *nout = (int)n;
    return 0;
}

static int with_clause(tctx *t, PgQuery__WithClause *w, ast_select *sel)
{
    sel->ctes = arena_calloc(t->a, w->n_ctes + 1, sizeof(ast_cte));
    if (!sel->ctes)
        return sqlc__oom(t), -1;
    for (size_t i = 0; i < w->n_ctes; i++) {
        PgQuery__Node *n = w->ctes[i];
        if (n->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR)
            return fail_unsupported(t, sqlc__node_name(n), w->location);
        PgQuery__CommonTableExpr *c = n->common_table_expr;
        ast_cte *cte = &sel->ctes[sel->nctes++];
        cte->name = c->ctename;
        cte->loc = c->location;
        cte->recursive = w->recursive;
        if (c->search_clause || c->cycle_clause)
            return fail_unsupported(t, "SEARCH and CYCLE clauses", c->location);
        if (names_of(t, c->aliascolnames, c->n_aliascolnames, &cte->colnames))
            return -1;
        if (c->ctequery && c->ctequery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            return fail_unsupported(t, "a data-modifying statement in WITH", c->location);
        if (!(cte->query = subselect(t, c->ctequery)))
            return -1;
        for (int k = 0; k + 1 < sel->nctes; k++) {
            if (strcmp(sel->ctes[k].name, cte->name) == 0) {
                pgw_error_set(t->err, SQLSTATE_DUPLICATE_ALIAS, "WITH query name \"%s\" specified more than once",
                              cte->name);
                sqlc_set_position(t->err, t->text, c->location);
                return -1;
            }
        }
    }
    return 0;
}

static int values_lists(tctx *t, PgQuery__SelectStmt *s, ast_select *sel)
{
    sel->values = arena_calloc(t->a, s->n_values_lists + 1, sizeof(ast_expr **));
    if (!sel->values)
        return sqlc__oom(t), -1;
    for (size_t r = 0; r < s->n_values_lists; r++) {
        PgQuery__Node *l = s->values_lists[r];
        if (l->node_case != PG_QUERY__NODE__NODE_LIST)
            return fail_unsupported(t, "this VALUES form", -1);
        int n;
        if (expr_list(t, l->list->items, l->list->n_items, &sel->values[r], &n))
            return -1;
        if (r > 0 && n != sel->nvalcols) {
            pgw_error_set(t->err, SQLSTATE_SYNTAX_ERROR, "VALUES lists must all be the same length");
            sqlc_set_position(t->err, t->text, n ? sel->values[r][0]->loc : -1);
            return -1;
        }
        sel->nvalcols = n;
        sel->nvalues++;
    }
    return 0;
}

static int targets(tctx *t, PgQuery__SelectStmt *s, ast_select *sel)
{
    sel->ntargets = (int)s->n_target_list;
    sel->targets = arena_calloc(t->a, s->n_target_list + 1, sizeof(ast_target));
    if (!sel->targets)
        return sqlc__oom(t), -1;
    for (size_t i = 0; i < s->n_target_list; i++) {
        PgQuery__Node *n = s->target_list[i];
        if (n->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            return fail_unsupported(t, sqlc__node_name(n), -1);
        PgQuery__ResTarget *rt = n->res_target;
        if (rt->n_indirection)
            return fail_unsupported(t, "indirection in a target", rt->location);
        if (!(sel->targets[i].expr = sqlc__expr(t, rt->val)))
            return -1;
        const char *name = "?column?";
        if (rt->name && rt->name[0])
            name = rt->name;
        else
            sqlc__figure_colname(rt->val, &name, 0);
        sel->targets[i].name = name;
    }
    return 0;
}

static int distinct_clause(tctx *t, PgQuery__SelectStmt *s, ast_select *sel)
{
    if (!s->n_distinct_clause)
        return 0;
    /* plain DISTINCT is a list holding one empty node */
    PgQuery__Node *first = s->distinct_clause[0];
    if (s->n_distinct_clause == 1 && (!first || first->node_case == PG_QUERY__NODE__NODE__NOT_SET)) {
        sel->distinct = true;
        return 0;
    }
    return expr_list(t, s->distinct_clause, s->n_distinct_clause, &sel->distinct_on, &sel->ndistinct_on);
}

/* The parts every SELECT form shares: WITH, ORDER BY, LIMIT/OFFSET. */
static int select_tail(tctx *t, PgQuery__SelectStmt *s, ast_select *sel)
{
    if (s->with_clause && with_clause(t, s->with_clause, sel))
        return -1;
    if (s->limit_option == PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_WITH_TIES)
        return fail_unsupported(t, "FETCH ... WITH TIES", -1);
    if (s->limit_count && !(sel->limit = sqlc__expr(t, s->limit_count)))
        return -1;
    if (s->limit_offset && !(sel->offset = sqlc__expr(t, s->limit_offset)))
        return -1;
    return sqlc__sort_list(t, s->sort_clause, s->n_sort_clause, &sel->sort, &sel->nsort);
}

static int set_operation(tctx *t, PgQuery__SelectStmt *s, ast_select *sel)
{
    sel->setop = s->op == PG_QUERY__SET_OPERATION__SETOP_UNION       ? SETOP_UNION
                 : s->op == PG_QUERY__SET_OPERATION__SETOP_INTERSECT ? SETOP_INTERSECT
                                                                     : SETOP_EXCEPT;
    sel->setop_all = s->all;
    ast_stmt *l = arena_calloc(t->a, 1, sizeof(*l)), *r = arena_calloc(t->a, 1, sizeof(*r));
    if (!l || !r)
        return sqlc__oom(t), -1;
    if (!s->larg || !s->rarg || sqlc__select_stmt(t, s->larg, l) || sqlc__select_stmt(t, s->rarg, r))
        return -1;
    sel->larg = &l->select;
    sel->rarg = &r->select;
    return select_tail(t, s, sel);
}

int sqlc__select_stmt(tctx *t, PgQuery__SelectStmt *s, ast_stmt *st)
{
    ast_select *sel = &st->select;
    st->kind = STMT_SELECT;
    if (++t->depth > ENG_MAX_DEPTH) {
        eng_err_depth(t->err);
        return -1;
    }
    int rc = -1;
    if (s->into_clause || s->n_window_clause || s->n_locking_clause || s->group_distinct) {
        fail_unsupported(t, s->into_clause ? "SELECT INTO" : s->n_window_clause ? "WINDOW" :
                            s->n_locking_clause ? "FOR UPDATE/SHARE" : "GROUP BY DISTINCT", -1);
        goto out;
    }
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE) {
        rc = set_operation(t, s, sel);
        goto out;
    }
    if (s->n_values_lists) {
        rc = values_lists(t, s, sel) || select_tail(t, s, sel) ? -1 : 0;
        goto out;
    }
    sel->from = arena_calloc(t->a, s->n_from_clause + 1, sizeof(ast_fromitem));
    if (!sel->from) {
        sqlc__oom(t);
        goto out;
    }
    for (size_t i = 0; i < s->n_from_clause; i++)
        if (from_item(t, s->from_clause[i], &sel->from[sel->nfrom++]))
            goto out;
    if (targets(t, s, sel) || distinct_clause(t, s, sel))
        goto out;
    if (s->where_clause && !(sel->where = sqlc__expr(t, s->where_clause)))
        goto out;
    if (s->having_clause && !(sel->having = sqlc__expr(t, s->having_clause)))
        goto out;
    if (expr_list(t, s->group_clause, s->n_group_clause, &sel->group, &sel->ngroup))
        goto out;
    rc = select_tail(t, s, sel);
out:
    t->depth--;
    return rc;
}

ast_expr *sqlc__sublink(tctx *t, PgQuery__SubLink *s)
{
    ast_sublink_kind k;
    switch (s->sub_link_type) {
    case PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK: k = SUBLINK_EXISTS; break;
    case PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK: k = SUBLINK_ANY; break;
    case PG_QUERY__SUB_LINK_TYPE__ALL_SUBLINK: k = SUBLINK_ALL; break;
    case PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK: k = SUBLINK_EXPR; break;
    case PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK: k = SUBLINK_ARRAY; break;
    default: return sqlc__unsupported(t, "this subquery form", s->location);
    }
    ast_expr *e = sqlc__mk(t, AST_SUBLINK, s->location, s->testexpr ? 1 : 0);
    if (!e)
        return NULL;
    e->ival = k;
    if (s->testexpr) {
        if (s->testexpr->node_case == PG_QUERY__NODE__NODE_ROW_EXPR)
            return sqlc__unsupported(t, "a row on the left of IN/ANY/ALL", s->location);
        if (!(e->args[0] = sqlc__expr(t, s->testexpr)))
            return NULL;
    }
    e->name = s->n_oper_name ? sqlc__last_name(s->oper_name, s->n_oper_name) : "=";
    if (!(e->sub = subselect(t, s->subselect)))
        return NULL;
    return e;
}

/* EXPLAIN [ANALYZE] [VERBOSE] [(option [value], ...)] SELECT ... */
int sqlc__explain_stmt(tctx *t, PgQuery__ExplainStmt *x, ast_stmt *st)
{
    ast_explain *e = &st->explain;
    st->kind = STMT_EXPLAIN;
    st->tag = "EXPLAIN";
    e->costs = true;
    for (size_t i = 0; i < x->n_options; i++) {
        if (x->options[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
            return fail_unsupported(t, "this EXPLAIN option", -1);
        PgQuery__DefElem *d = x->options[i]->def_elem;
        const char *v = d->arg ? sqlc__str_of(d->arg) : NULL;
        if (!v && d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
            v = d->arg->boolean->boolval ? "true" : "false";
        bool on = !v || strcmp(v, "true") == 0 || strcmp(v, "on") == 0 || strcmp(v, "1") == 0;
        if (strcmp(d->defname, "analyze") == 0)
            e->analyze = on;
        else if (strcmp(d->defname, "verbose") == 0)
            e->verbose = on;
        else if (strcmp(d->defname, "costs") == 0)
            e->costs = on;
        else if (strcmp(d->defname, "format") == 0 && v && (strcmp(v, "json") == 0 || strcmp(v, "text") == 0))
            e->json = strcmp(v, "json") == 0;
        else if (strcmp(d->defname, "format") == 0) {
            pgw_error_set(t->err, SQLSTATE_INVALID_PARAMETER_VALUE, "unrecognized value for EXPLAIN option \"format\": \"%s\"",
                          v ? v : "");
            sqlc_set_position(t->err, t->text, d->location);
            return -1;
        } else if (strcmp(d->defname, "buffers") != 0 && strcmp(d->defname, "timing") != 0 &&
                   strcmp(d->defname, "summary") != 0 && strcmp(d->defname, "settings") != 0 &&
                   strcmp(d->defname, "wal") != 0) {
            pgw_error_set(t->err, SQLSTATE_SYNTAX_ERROR, "unrecognized EXPLAIN option \"%s\"", d->defname);
            sqlc_set_position(t->err, t->text, d->location);
            return -1;
        }
    }
    if (!x->query || x->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return fail_unsupported(t, "EXPLAIN of a statement other than SELECT", -1);
    return (e->query = subselect(t, x->query)) ? 0 : -1;
}
