/*
 * translate_ddl: libpg_query trees of table statements → hcdb AST: INSERT,
 * UPDATE, DELETE, CREATE TABLE, DROP TABLE/INDEX, TRUNCATE, ALTER TABLE
 * ADD PRIMARY KEY/UNIQUE, CREATE INDEX, COPY, and the maintenance commands
 * hcdb accepts as no-ops (VACUUM, ANALYZE, DISCARD ALL) or forwards
 * (CHECKPOINT). Options the storage has no use for (fillfactor, FREEZE)
 * are accepted and ignored, as pgbench needs them to succeed.
 */
#include <string.h>
#include <strings.h>

#include "sql-compat/translate.h"

static int refuse(pgw_error *err, const char *what)
{
    pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported yet", what);
    return -1;
}

static const char *sval(PgQuery__Node *n)
{
    return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

/* public.t and t are the same table; pg_catalog.t names hcdb has no table
 * for (so the lookup fails with 42P01, as PostgreSQL's would for a missing
 * one); any other schema does not exist. */
int sqlc__tr_relname(PgQuery__RangeVar *rv, arena *a, const char **out, pgw_error *err)
{
    if (!rv || !rv->relname)
        return refuse(err, "this relation reference");
    if (!rv->schemaname || !rv->schemaname[0] || strcmp(rv->schemaname, "public") == 0) {
        *out = rv->relname;
        return 0;
    }
    if (strcmp(rv->schemaname, "pg_catalog") == 0) {
        *out = arena_printf(a, "pg_catalog.%s", rv->relname);
        return *out ? 0 : (pgw_error_oom(err), -1);
    }
    pgw_error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", rv->schemaname);
    return -1;
}

int sqlc__tr_names(PgQuery__Node **items, size_t n, arena *a, ast_names *out, pgw_error *err)
{
    out->v = arena_calloc(a, n + 1, sizeof(char *));
    out->locs = arena_calloc(a, n + 1, sizeof(int));
    if (!out->v || !out->locs)
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < n; i++) {
        PgQuery__Node *x = items[i];
        const char *s = NULL;
        out->locs[i] = -1;
        if (x->node_case == PG_QUERY__NODE__NODE_STRING) {
            s = x->string->sval;
        } else if (x->node_case == PG_QUERY__NODE__NODE_RES_TARGET) {
            s = x->res_target->name;
            out->locs[i] = x->res_target->location;
        } else if (x->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM) {
            s = x->index_elem->name;
        }
        if (!s)
            return refuse(err, "an expression in a column list");
        out->v[out->n++] = s;
    }
    return 0;
}

/* ---- DML ------------------------------------------------------------- */

static int values_rows(const char *text, arena *a, PgQuery__SelectStmt *s, ast_insert *ins, pgw_error *err)
{
    ins->nrows = (int)s->n_values_lists;
    ins->rows = arena_calloc(a, s->n_values_lists + 1, sizeof(ast_expr **));
    ins->rowlen = arena_calloc(a, s->n_values_lists + 1, sizeof(int));
    if (!ins->rows || !ins->rowlen)
        return pgw_error_oom(err), -1;
    for (size_t r = 0; r < s->n_values_lists; r++) {
        PgQuery__Node *l = s->values_lists[r];
        if (l->node_case != PG_QUERY__NODE__NODE_LIST)
            return refuse(err, "this VALUES form");
        size_t n = l->list->n_items;
        ins->rows[r] = arena_calloc(a, n + 1, sizeof(ast_expr *));
        if (!ins->rows[r])
            return pgw_error_oom(err), -1;
        ins->rowlen[r] = (int)n;
        for (size_t i = 0; i < n; i++)
            if (!(ins->rows[r][i] = sqlc__tr_expr(text, a, err, l->list->items[i])))
                return -1;
    }
    return 0;
}

static int on_conflict(const char *text, arena *a, PgQuery__OnConflictClause *oc, ast_insert *ins, pgw_error *err);

static int insert_stmt(const char *text, arena *a, PgQuery__InsertStmt *x, ast_stmt *st, pgw_error *err)
{
    ast_insert *ins = &st->insert;
    st->kind = STMT_INSERT;
    st->tag = "INSERT";
    if (x->with_clause)
        return refuse(err, "INSERT with WITH");
    if (sqlc__tr_relname(x->relation, a, &ins->relname, err) || sqlc__tr_names(x->cols, x->n_cols, a, &ins->cols, err) ||
        (x->on_conflict_clause && on_conflict(text, a, x->on_conflict_clause, ins, err)))
        return -1;
    ins->loc = x->relation->location;
    ins->overriding_system = x->override == PG_QUERY__OVERRIDING_KIND__OVERRIDING_SYSTEM_VALUE;
    if (x->n_returning_list &&
        sqlc__tr_targets(text, a, err, x->returning_list, x->n_returning_list, &ins->returning))
        return -1;
    ins->nreturning = (int)x->n_returning_list;
    if (!x->select_stmt)
        return 0; /* DEFAULT VALUES */
    if (x->select_stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return refuse(err, "this INSERT source");
    PgQuery__SelectStmt *s = x->select_stmt->select_stmt;
    if (s->n_values_lists)
        return values_rows(text, a, s, ins, err);
    ast_stmt *sub = arena_calloc(a, 1, sizeof(*sub));
    if (!sub)
        return pgw_error_oom(err), -1;
    if (sqlc__tr_select(text, a, err, s, sub))
        return -1;
    ins->select = &sub->select;
    return 0;
}

/* What UPDATE and DELETE share: the target table and its alias, WHERE, RETURNING. */
static int dml_target(const char *text, arena *a, PgQuery__RangeVar *rel, PgQuery__Node *where,
                      PgQuery__Node **returning, size_t nreturning, ast_update *u, pgw_error *err)
{
    if (sqlc__tr_relname(rel, a, &u->relname, err))
        return -1;
    u->loc = rel->location;
    u->alias = rel->alias ? rel->alias->aliasname : NULL;
    if (where && !(u->where = sqlc__tr_expr(text, a, err, where)))
        return -1;
    if (nreturning && sqlc__tr_targets(text, a, err, returning, nreturning, &u->returning))
        return -1;
    u->nreturning = (int)nreturning;
    return 0;
}

/* UPDATE ... FROM items / DELETE ... USING items, translated as the FROM of a SELECT. */
static int from_list(const char *text, arena *a, PgQuery__Node **items, size_t n, ast_update *u, pgw_error *err)
{
    PgQuery__SelectStmt s = PG_QUERY__SELECT_STMT__INIT;
    s.from_clause = items;
    s.n_from_clause = n;
    s.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
    s.limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
    ast_stmt *sub = arena_calloc(a, 1, sizeof(*sub));
    if (!sub)
        return pgw_error_oom(err), -1;
    if (sqlc__tr_select(text, a, err, &s, sub))
        return -1;
    u->from = &sub->select;
    return 0;
}

/* SET col = expr, ... of UPDATE and ON CONFLICT DO UPDATE. */
static int set_list(const char *text, arena *a, PgQuery__Node **items, size_t n, ast_update *u, pgw_error *err)
{
    u->set_cols = arena_calloc(a, n + 1, sizeof(char *));
    u->set_locs = arena_calloc(a, n + 1, sizeof(int));
    u->set_exprs = arena_calloc(a, n + 1, sizeof(ast_expr *));
    if (!u->set_cols || !u->set_locs || !u->set_exprs)
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < n; i++) {
        PgQuery__Node *x = items[i];
        if (x->node_case != PG_QUERY__NODE__NODE_RES_TARGET || x->res_target->n_indirection)
            return refuse(err, "this SET target");
        u->set_cols[i] = x->res_target->name;
        u->set_locs[i] = x->res_target->location;
        if (!(u->set_exprs[i] = sqlc__tr_expr(text, a, err, x->res_target->val)))
            return -1;
        u->nset++;
    }
    return 0;
}

/* ON CONFLICT [(cols) | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE ...]. */
static int on_conflict(const char *text, arena *a, PgQuery__OnConflictClause *oc, ast_insert *ins, pgw_error *err)
{
    ins->on_conflict = oc->action == PG_QUERY__ON_CONFLICT_ACTION__ONCONFLICT_UPDATE ? 2 : 1;
    ins->conflict_loc = oc->location;
    if (oc->infer) {
        if (oc->infer->where_clause)
            return refuse(err, "ON CONFLICT (...) WHERE");
        if (oc->infer->conname && oc->infer->conname[0])
            ins->conflict_constraint = oc->infer->conname;
        else if (sqlc__tr_names(oc->infer->index_elems, oc->infer->n_index_elems, a, &ins->conflict_cols, err))
            return -1;
    }
    if (ins->on_conflict == 1)
        return 0;
    ast_update *u = arena_calloc(a, 1, sizeof(*u));
    if (!u)
        return pgw_error_oom(err), -1;
    ins->conflict_set = u;
    if (set_list(text, a, oc->target_list, oc->n_target_list, u, err))
        return -1;
    return oc->where_clause && !(u->where = sqlc__tr_expr(text, a, err, oc->where_clause)) ? -1 : 0;
}

static int update_stmt(const char *text, arena *a, PgQuery__UpdateStmt *x, ast_stmt *st, pgw_error *err)
{
    ast_update *u = &st->update;
    st->kind = STMT_UPDATE;
    st->tag = "UPDATE";
    if (x->with_clause)
        return refuse(err, "UPDATE with WITH");
    if (x->n_from_clause && from_list(text, a, x->from_clause, x->n_from_clause, u, err))
        return -1;
    if (set_list(text, a, x->target_list, x->n_target_list, u, err))
        return -1;
    return dml_target(text, a, x->relation, x->where_clause, x->returning_list, x->n_returning_list, u, err);
}

static int delete_stmt(const char *text, arena *a, PgQuery__DeleteStmt *x, ast_stmt *st, pgw_error *err)
{
    ast_update *u = &st->update;
    st->kind = STMT_DELETE;
    st->tag = "DELETE";
    if (x->with_clause)
        return refuse(err, "DELETE with WITH");
    if (x->n_using_clause && from_list(text, a, x->using_clause, x->n_using_clause, u, err))
        return -1;
    return dml_target(text, a, x->relation, x->where_clause, x->returning_list, x->n_returning_list, u, err);
}

/* ---- DDL ------------------------------------------------------------- */

static int col_constraint(const char *text, arena *a, PgQuery__Constraint *c, ast_coldef *d, pgw_error *err)
{
    switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
        ast_constraint *k = arena_calloc(a, (size_t)d->ncons + 1, sizeof(*k));
        if (!k)
            return pgw_error_oom(err), -1;
        if (d->ncons)
            memcpy(k, d->cons, sizeof(*k) * (size_t)d->ncons);
        d->cons = k;
        return sqlc__tr_constraint(text, a, c, d->name, &d->cons[d->ncons++], err);
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
        return 0;
    case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
        d->notnull = true;
        return 0;
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
        d->primary = d->notnull = true;
        return 0;
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        d->unique = true;
        return 0;
    case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
        if (!(d->def = sqlc__tr_expr(text, a, err, c->raw_expr)))
            return -1;
        return 0;
    case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
        d->identity = c->generated_when && c->generated_when[0] == 'a' ? 'a' : 'd';
        d->notnull = true;
        if (!(d->idopts = arena_calloc(a, 1, sizeof(ast_seq))))
            return pgw_error_oom(err), -1;
        return sqlc__seq_options(c->options, c->n_options, d->idopts, err);
    default:
        return refuse(err, "this column constraint");
    }
}

static int table_constraint(const char *text, arena *a, PgQuery__Constraint *c, ast_create_table *ct, pgw_error *err)
{
    return sqlc__tr_constraint(text, a, c, NULL, &ct->cons[ct->ncons++], err);
}

static int column_def(const char *text, arena *a, PgQuery__ColumnDef *cd, ast_coldef *d, pgw_error *err);

/* TEMP / TEMPORARY, and the ON COMMIT actions (PRESERVE ROWS, the default, DELETE ROWS and DROP). */
static int persistence(PgQuery__RangeVar *rel, PgQuery__OnCommitAction oc, ast_create_table *ct, pgw_error *err)
{
    ct->temp = rel->relpersistence && rel->relpersistence[0] == 't';
    ct->on_commit_drop = oc == PG_QUERY__ON_COMMIT_ACTION__ONCOMMIT_DROP;
    ct->on_commit_delete = oc == PG_QUERY__ON_COMMIT_ACTION__ONCOMMIT_DELETE_ROWS;
    if (!ct->temp && oc != PG_QUERY__ON_COMMIT_ACTION__ONCOMMIT_NOOP && oc != PG_QUERY__ON_COMMIT_ACTION__ON_COMMIT_ACTION_UNDEFINED) {
        pgw_error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION, "ON COMMIT can only be used on temporary tables");
        return -1;
    }
    if (ct->temp && rel->schemaname && rel->schemaname[0] && strcmp(rel->schemaname, "pg_temp") != 0) {
        pgw_error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION, "cannot create temporary relation in non-temporary schema");
        return -1;
    }
    return 0;
}

static int create_stmt(const char *text, arena *a, PgQuery__CreateStmt *x, ast_stmt *st, pgw_error *err)
{
    ast_create_table *ct = &st->create;
    st->kind = STMT_CREATE_TABLE;
    st->tag = "CREATE TABLE";
    if (x->n_inh_relations || x->partbound || x->partspec || x->of_typename)
        return refuse(err, "CREATE TABLE with INHERITS, PARTITION or OF");
    if (persistence(x->relation, x->oncommit, ct, err))
        return -1;
    if (sqlc__tr_relname(x->relation, a, &ct->relname, err))
        return -1;
    ct->if_not_exists = x->if_not_exists;
    ct->cols = arena_calloc(a, x->n_table_elts + 1, sizeof(ast_coldef));
    ct->cons = arena_calloc(a, x->n_table_elts + x->n_constraints + 1, sizeof(ast_constraint));
    if (!ct->cols || !ct->cons)
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < x->n_table_elts; i++) {
        PgQuery__Node *n = x->table_elts[i];
        if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
            if (table_constraint(text, a, n->constraint, ct, err))
                return -1;
            continue;
        }
        if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
            return refuse(err, "this table element");
        if (column_def(text, a, n->column_def, &ct->cols[ct->ncols++], err))
            return -1;
    }
    for (size_t i = 0; i < x->n_constraints; i++)
        if (x->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            table_constraint(text, a, x->constraints[i]->constraint, ct, err))
            return -1;
    return 0;
}

/* One column of CREATE TABLE or ALTER TABLE ADD COLUMN. */
static int column_def(const char *text, arena *a, PgQuery__ColumnDef *cd, ast_coldef *d, pgw_error *err)
{
    d->name = cd->colname;
    if (sqlc__tr_type(text, a, err, cd->type_name, &d->type))
        return -1;
    d->notnull = cd->is_not_null;
    for (size_t k = 0; k < cd->n_constraints; k++) {
        PgQuery__Node *cn = cd->constraints[k];
        if (cn->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            return refuse(err, "this column constraint");
        if (col_constraint(text, a, cn->constraint, d, err))
            return -1;
        if (d->def && !d->def_text && cn->constraint->raw_expr) {
            /* keep the DEFAULT's source text: the catalog re-binds it per INSERT */
            int loc = cn->constraint->location;
            const char *p = text + loc;
            if (strncasecmp(p, "default", 7) == 0)
                p += 7;
            /* it ends where the column's next constraint starts, if there is one */
            int next = k + 1 < cd->n_constraints && cd->constraints[k + 1]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT
                           ? cd->constraints[k + 1]->constraint->location
                           : -1;
            size_t len, lim = next > loc ? (size_t)(next - (int)(p - text)) : (size_t)-1;
            int depth = 0;
            for (len = 0; p[len] && len < lim; len++) {
                if (p[len] == '(')
                    depth++;
                else if (p[len] == ')' && depth-- == 0)
                    break;
                else if ((p[len] == ',' || p[len] == ';') && depth == 0)
                    break;
            }
            while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\n'))
                len--;
            d->def_text = arena_strndup(a, p, len);
        }
    }
    return 0;
}

static int drop_stmt(arena *a, PgQuery__DropStmt *x, ast_stmt *st, pgw_error *err)
{
    ast_drop *d = &st->drop;
    st->kind = STMT_DROP;
    if (x->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
        st->tag = "DROP TABLE";
    } else if (x->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
        st->tag = "DROP INDEX";
        d->is_index = true;
    } else {
        return refuse(err, "this DROP");
    }
    d->missing_ok = x->missing_ok;
    d->cascade = x->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    d->names.v = arena_calloc(a, x->n_objects + 1, sizeof(char *));
    if (!d->names.v)
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < x->n_objects; i++) {
        PgQuery__Node *o = x->objects[i];
        if (o->node_case != PG_QUERY__NODE__NODE_LIST || o->list->n_items == 0)
            return refuse(err, "this DROP name");
        const char *name = sval(o->list->items[o->list->n_items - 1]);
        if (o->list->n_items > 1) {
            const char *schema = sval(o->list->items[o->list->n_items - 2]);
            if (schema && strcmp(schema, "public") != 0 && strcmp(schema, "pg_catalog") != 0) {
                if (d->missing_ok)
                    continue;
                pgw_error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", schema);
                return -1;
            }
        }
        if (!name)
            return refuse(err, "this DROP name");
        d->names.v[d->names.n++] = name;
    }
    return 0;
}

static int truncate_stmt(arena *a, PgQuery__TruncateStmt *x, ast_stmt *st, pgw_error *err)
{
    st->kind = STMT_TRUNCATE;
    st->tag = "TRUNCATE TABLE";
    st->truncate.v = arena_calloc(a, x->n_relations + 1, sizeof(char *));
    if (!st->truncate.v)
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < x->n_relations; i++) {
        if (x->relations[i]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
            return refuse(err, "this TRUNCATE target");
        if (sqlc__tr_relname(x->relations[i]->range_var, a, &st->truncate.v[st->truncate.n++], err))
            return -1;
    }
    return 0;
}

/* ALTER TABLE [IF EXISTS] t ADD [COLUMN] [IF NOT EXISTS] coldef. */
static int add_column(const char *text, arena *a, PgQuery__AlterTableStmt *x, PgQuery__AlterTableCmd *c, ast_stmt *st,
                      pgw_error *err)
{
    ast_rename *r = &st->rename;
    st->kind = STMT_ADD_COLUMN;
    r->missing_ok = x->missing_ok;
    r->add_if_not_exists = c->missing_ok;
    if (sqlc__tr_relname(x->relation, a, &r->relname, err) || !(r->add = arena_calloc(a, 1, sizeof(ast_coldef))))
        return pgw_error_is_set(err) ? -1 : (pgw_error_oom(err), -1);
    return column_def(text, a, c->def->column_def, r->add, err);
}

static int alter_stmt(const char *text, arena *a, PgQuery__AlterTableStmt *x, ast_stmt *st, pgw_error *err)
{
    st->kind = STMT_ALTER_ADD;
    st->tag = "ALTER TABLE";
    if (x->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || x->n_cmds != 1)
        return refuse(err, "this ALTER TABLE");
    PgQuery__AlterTableCmd *c = x->cmds[0]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD
                                    ? x->cmds[0]->alter_table_cmd
                                    : NULL;
    if (c && c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn && c->def &&
        c->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
        return add_column(text, a, x, c, st, err);
    int alter = c ? sqlc__tr_alter_table(text, a, x, c, st, err) : 1;
    if (alter <= 0)
        return alter;
    if (!c || (c->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint &&
               c->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse) ||
        !c->def || c->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
        return refuse(err, "this ALTER TABLE");
    PgQuery__Constraint *k = c->def->constraint;
    if (k->contype != PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY && k->contype != PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE)
        return refuse(err, "this ALTER TABLE ADD CONSTRAINT");
    ast_index *ix = &st->index;
    ix->unique = true;
    ix->if_not_exists = k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY; /* marks PRIMARY KEY */
    ix->idxname = k->conname && k->conname[0] ? k->conname : NULL;
    if (sqlc__tr_relname(x->relation, a, &ix->relname, err))
        return -1;
    return sqlc__tr_names(k->keys, k->n_keys, a, &ix->cols, err);
}

/* A reloption's value as PostgreSQL keeps it: text (`m = 16` and `m = '16'` are alike). */
static const char *reloption_text(arena *a, PgQuery__Node *v)
{
    if (!v)
        return "true";
    switch (v->node_case) {
    case PG_QUERY__NODE__NODE_INTEGER:
        return arena_printf(a, "%d", (int)v->integer->ival);
    case PG_QUERY__NODE__NODE_FLOAT:
        return v->float_->fval;
    case PG_QUERY__NODE__NODE_BOOLEAN:
        return v->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_TYPE_NAME: /* a bare word: m = abc */
        return v->type_name->n_names ? sval(v->type_name->names[v->type_name->n_names - 1]) : NULL;
    default:
        return sval(v);
    }
}

/* USING method (col opclass, ...) WITH (...) of an access-method index. */
static int index_method(arena *a, PgQuery__IndexStmt *x, ast_index *ix, pgw_error *err)
{
    ix->method = x->access_method;
    ix->opclass = arena_calloc(a, x->n_index_params + 1, sizeof(char *));
    ix->optnames.v = arena_calloc(a, x->n_options + 1, sizeof(char *));
    ix->optvals = arena_calloc(a, x->n_options + 1, sizeof(char *));
    if (!ix->opclass || !ix->optnames.v || !ix->optvals)
        return pgw_error_oom(err), -1;
    for (size_t i = 0; i < x->n_index_params; i++) {
        PgQuery__Node *p = x->index_params[i];
        if (p->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM && p->index_elem->n_opclass)
            ix->opclass[i] = sval(p->index_elem->opclass[p->index_elem->n_opclass - 1]);
    }
    for (size_t i = 0; i < x->n_options; i++) {
        PgQuery__Node *o = x->options[i];
        if (o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
            return refuse(err, "this index option");
        const char *v = reloption_text(a, o->def_elem->arg);
        if (!v)
            return refuse(err, "this index option value");
        ix->optnames.v[ix->optnames.n] = o->def_elem->defname;
        ix->optvals[ix->optnames.n++] = v;
    }
    return 0;
}

static int index_stmt(arena *a, PgQuery__IndexStmt *x, ast_stmt *st, pgw_error *err)
{
    st->kind = STMT_CREATE_INDEX;
    st->tag = "CREATE INDEX";
    if (x->where_clause || x->n_index_including_params)
        return refuse(err, "this CREATE INDEX");
    ast_index *ix = &st->index;
    ix->idxname = x->idxname && x->idxname[0] ? x->idxname : NULL;
    ix->unique = x->unique;
    ix->if_not_exists = x->if_not_exists;
    if (sqlc__tr_relname(x->relation, a, &ix->relname, err))
        return -1;
    if (x->access_method && strcmp(x->access_method, "btree") != 0 && strcmp(x->access_method, "hash") != 0 &&
        index_method(a, x, ix, err))
        return -1;
    return sqlc__tr_names(x->index_params, x->n_index_params, a, &ix->cols, err);
}

/* REINDEX INDEX name | TABLE name (the other forms are not supported). */
static int reindex_stmt(arena *a, PgQuery__ReindexStmt *x, ast_stmt *st, pgw_error *err)
{
    st->kind = STMT_REINDEX;
    st->tag = "REINDEX";
    if (x->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX)
        return sqlc__tr_relname(x->relation, a, &st->index.idxname, err);
    if (x->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE)
        return sqlc__tr_relname(x->relation, a, &st->index.relname, err);
    return refuse(err, "this REINDEX");
}

/* ---- COPY ------------------------------------------------------------ */

static const char *opt_str(PgQuery__DefElem *d)
{
    if (!d->arg)
        return NULL;
    if (d->arg->node_case == PG_QUERY__NODE__NODE_STRING)
        return d->arg->string->sval;
    if (d->arg->node_case == PG_QUERY__NODE__NODE_A_CONST && d->arg->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL)
        return d->arg->a_const->sval->sval;
    return NULL;
}

static bool opt_bool(PgQuery__DefElem *d)
{
    if (!d->arg)
        return true;
    if (d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
        return d->arg->boolean->boolval;
    if (d->arg->node_case == PG_QUERY__NODE__NODE_INTEGER)
        return d->arg->integer->ival != 0;
    const char *s = opt_str(d);
    return !s || strcasecmp(s, "on") == 0 || strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0;
}

static int copy_char(const char *what, const char *s, char *out, pgw_error *err)
{
    if (!s || strlen(s) != 1) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "COPY %s must be a single one-byte character", what);
        return -1;
    }
    *out = s[0];
    return 0;
}

static int copy_option(const char *text, PgQuery__DefElem *d, arena *a, ast_copy *c, pgw_error *err)
{
    const char *n = d->defname;
    if (strcmp(n, "format") == 0) {
        const char *f = opt_str(d);
        if (f && strcasecmp(f, "text") == 0)
            c->format = COPY_TEXT;
        else if (f && strcasecmp(f, "csv") == 0)
            c->format = COPY_CSV;
        else if (f && strcasecmp(f, "binary") == 0)
            c->format = COPY_BINARY;
        else {
            pgw_error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "COPY format \"%s\" not recognized", f ? f : "");
            sqlc_set_position(err, text, d->location);
            return -1;
        }
        return 0;
    }
    if (strcmp(n, "freeze") == 0)
        return 0;
    if (strcmp(n, "header") == 0) {
        c->header = opt_bool(d);
        return 0;
    }
    if (strcmp(n, "delimiter") == 0)
        return copy_char("delimiter", opt_str(d), &c->delim, err);
    if (strcmp(n, "quote") == 0)
        return copy_char("quote", opt_str(d), &c->quote, err);
    if (strcmp(n, "escape") == 0)
        return copy_char("escape", opt_str(d), &c->escape, err);
    if (strcmp(n, "null") == 0) {
        c->null_str = opt_str(d);
        return c->null_str ? 0 : refuse(err, "this COPY NULL option");
    }
    if (strcmp(n, "encoding") == 0)
        return 0;
    if (strcmp(n, "force_quote") == 0 && d->arg) {
        if (d->arg->node_case == PG_QUERY__NODE__NODE_A_STAR) {
            c->force_quote_all = true;
            return 0;
        }
        if (d->arg->node_case == PG_QUERY__NODE__NODE_LIST)
            return sqlc__tr_names(d->arg->list->items, d->arg->list->n_items, a, &c->force_quote, err);
    }
    pgw_error_set(err, SQLSTATE_SYNTAX_ERROR, "option \"%s\" not recognized", n);
    sqlc_set_position(err, text, d->location);
    return -1;
}

/* COPY t [(cols)] TO STDOUT reads as COPY (SELECT cols|* FROM t) TO STDOUT. */
static int copy_table_query(arena *a, PgQuery__RangeVar *rv, ast_copy *c, pgw_error *err)
{
    ast_select *q = arena_calloc(a, 1, sizeof(*q));
    int nt = c->cols.n ? c->cols.n : 1;
    ast_target *tg = arena_calloc(a, (size_t)nt, sizeof(*tg));
    ast_fromitem *from = arena_calloc(a, 1, sizeof(*from));
    if (!q || !tg || !from)
        return pgw_error_oom(err), -1;
    for (int i = 0; i < nt; i++) {
        ast_expr *e = arena_calloc(a, 1, sizeof(*e));
        if (!e)
            return pgw_error_oom(err), -1;
        e->kind = AST_COLREF;
        e->loc = -1;
        e->str = c->cols.n ? c->cols.v[i] : "*";
        e->ival = c->cols.n ? 0 : 1;
        tg[i].expr = e;
        tg[i].name = c->cols.n ? c->cols.v[i] : NULL;
    }
    from->kind = FROM_TABLE;
    from->relname = rv->relname;
    from->schema = rv->schemaname && rv->schemaname[0] ? rv->schemaname : NULL;
    from->loc = rv->location;
    q->ntargets = nt;
    q->targets = tg;
    q->nfrom = 1;
    q->from = from;
    c->query = q;
    return 0;
}

static int copy_stmt(const char *text, arena *a, PgQuery__CopyStmt *x, ast_stmt *st, pgw_error *err)
{
    ast_copy *c = &st->copy;
    st->kind = STMT_COPY;
    st->tag = "COPY";
    if ((x->filename && x->filename[0]) || x->is_program) {
        pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                      "COPY to or from a file is not supported; use COPY ... STDIN/STDOUT");
        return -1;
    }
    if (x->where_clause)
        return refuse(err, "COPY FROM ... WHERE");
    c->is_from = x->is_from;
    c->delim = 0;
    c->quote = '"';
    c->escape = 0;
    if (x->relation) {
        if (sqlc__tr_relname(x->relation, a, &c->relname, err))
            return -1;
        c->loc = x->relation->location;
    } else {
        if (!x->query || x->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            return refuse(err, "COPY of this statement");
        ast_stmt *sub = arena_calloc(a, 1, sizeof(*sub));
        if (!sub)
            return pgw_error_oom(err), -1;
        if (sqlc__tr_select(text, a, err, x->query->select_stmt, sub))
            return -1;
        c->query = &sub->select;
    }
    if (sqlc__tr_names(x->attlist, x->n_attlist, a, &c->cols, err))
        return -1;
    for (size_t i = 0; i < x->n_options; i++)
        if (x->options[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && copy_option(text, x->options[i]->def_elem, a, c, err))
            return -1;
    if (c->format == COPY_BINARY && !c->is_from)
        return refuse(err, "COPY TO in binary format");
    if ((c->force_quote_all || c->force_quote.n) && (c->format != COPY_CSV || c->is_from)) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "COPY force quote available only in CSV mode");
        return -1;
    }
    if (!c->is_from && x->relation && copy_table_query(a, x->relation, c, err))
        return -1;
    if (!c->delim)
        c->delim = c->format == COPY_CSV ? ',' : '\t';
    if (!c->escape)
        c->escape = c->quote;
    if (!c->null_str)
        c->null_str = c->format == COPY_CSV ? "" : "\\N";
    return 0;
}

/* CREATE TABLE t [(cols)] AS query [WITH [NO] DATA]: the query must be a
 * SELECT or VALUES (EXECUTE is refused). */
static int create_as_stmt(const char *text, arena *a, PgQuery__CreateTableAsStmt *x, ast_stmt *st, pgw_error *err)
{
    ast_create_table *ct = &st->create;
    st->kind = STMT_CREATE_TABLE;
    st->tag = "CREATE TABLE AS";
    PgQuery__IntoClause *in = x->into;
    if (x->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !in)
        return refuse(err, "CREATE MATERIALIZED VIEW");
    if (!x->query || x->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return refuse(err, "CREATE TABLE ... AS with this query");
    if (persistence(in->rel, in->on_commit, ct, err))
        return -1;
    if (sqlc__tr_relname(in->rel, a, &ct->relname, err) || sqlc__tr_names(in->col_names, in->n_col_names, a, &ct->as_cols, err))
        return -1;
    ct->if_not_exists = x->if_not_exists;
    ct->with_no_data = in->skip_data;
    ast_stmt *sub = arena_calloc(a, 1, sizeof(*sub));
    if (!sub)
        return pgw_error_oom(err), -1;
    if (sqlc__tr_select(text, a, err, x->query->select_stmt, sub))
        return -1;
    ct->as_query = &sub->select;
    return 0;
}

int sqlc__translate_table_stmt(const char *text, PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_INSERT_STMT:
        return insert_stmt(text, a, n->insert_stmt, st, err);
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
        return update_stmt(text, a, n->update_stmt, st, err);
    case PG_QUERY__NODE__NODE_DELETE_STMT:
        return delete_stmt(text, a, n->delete_stmt, st, err);
    case PG_QUERY__NODE__NODE_CREATE_STMT:
        return create_stmt(text, a, n->create_stmt, st, err);
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
        return create_as_stmt(text, a, n->create_table_as_stmt, st, err);
    case PG_QUERY__NODE__NODE_DROP_STMT:
        return drop_stmt(a, n->drop_stmt, st, err);
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
        return truncate_stmt(a, n->truncate_stmt, st, err);
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
        return alter_stmt(text, a, n->alter_table_stmt, st, err);
    case PG_QUERY__NODE__NODE_INDEX_STMT:
        return index_stmt(a, n->index_stmt, st, err);
    case PG_QUERY__NODE__NODE_REINDEX_STMT:
        return reindex_stmt(a, n->reindex_stmt, st, err);
    case PG_QUERY__NODE__NODE_COPY_STMT:
        return copy_stmt(text, a, n->copy_stmt, st, err);
    case PG_QUERY__NODE__NODE_VACUUM_STMT:
        st->kind = STMT_NOOP;
        st->tag = n->vacuum_stmt->is_vacuumcmd ? "VACUUM" : "ANALYZE";
        return 0;
    case PG_QUERY__NODE__NODE_DISCARD_STMT:
        st->kind = STMT_NOOP;
        st->tag = "DISCARD ALL";
        return n->discard_stmt->target == PG_QUERY__DISCARD_MODE__DISCARD_ALL ? 0 : refuse(err, "this DISCARD");
    case PG_QUERY__NODE__NODE_CHECK_POINT_STMT:
        st->kind = STMT_CHECKPOINT;
        st->tag = "CHECKPOINT";
        return 0;
    default:
        return 1;
    }
}
