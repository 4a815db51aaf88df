/*
 * translate_cons: constraints of CREATE TABLE and ALTER TABLE → ast_constraint
 * (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY), and the ALTER TABLE commands that
 * add or drop them or drop a column. A CHECK keeps its source text (the
 * parenthesised text after the CHECK keyword): the catalog stores it and binds
 * it again where it is enforced, as it does DEFAULT expressions.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "sql-compat/translate.h"

static int refuse(pgw_error *err, const char *what)
{
    pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported yet", what);
    return -1;
}

static bool ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '$' || (unsigned char)ch >= 0x80;
}

/* The text inside the parentheses that follow the keyword CHECK at or after loc; *pos gets
 * the number of characters before it. */
static const char *check_text(const char *text, int loc, arena *a, int *pos)
{
    const char *p = text + (loc > 0 ? loc : 0);
    for (; *p; p++) {
        if (*p == '"') { /* a quoted constraint name */
            for (p++; *p && *p != '"'; p++)
                ;
            if (!*p)
                return NULL;
            continue;
        }
        if (strncasecmp(p, "check", 5) == 0 && (p == text || !ident_char(p[-1])) && !ident_char(p[5]))
            break;
    }
    if (!*p)
        return NULL;
    p += 5;
    while (*p && *p != '(')
        p++;
    if (!*p)
        return NULL;
    const char *start = ++p;
    *pos = 0;
    for (const char *q = text; q < start; q++)
        *pos += ((unsigned char)*q & 0xC0) != 0x80;
    int depth = 0;
    for (; *p; p++) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            for (p++; *p && !(*p == q && p[1] != q); p++)
                if (*p == q)
                    p++; /* a doubled quote */
            if (!*p)
                return NULL;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')' && depth-- == 0) {
            return arena_strndup(a, start, (size_t)(p - start));
        }
    }
    return NULL;
}

static char action(const char *a)
{
    return a && *a && strchr("arcnd", *a) ? *a : 'a';
}

int sqlc__tr_constraint(const char *text, arena *a, PgQuery__Constraint *c, const char *colname, ast_constraint *k,
                        pgw_error *err)
{
    k->name = c->conname && c->conname[0] ? c->conname : NULL;
    if (c->deferrable || c->initdeferred)
        return refuse(err, "DEFERRABLE constraints");
    k->not_valid = c->skip_validation;
    if (colname) {
        k->cols.v = arena_calloc(a, 2, sizeof(char *));
        if (!k->cols.v)
            return pgw_error_oom(err), -1;
        k->cols.v[0] = colname;
        k->cols.n = 1;
    }
    switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY: case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        k->primary = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
        k->kind = k->primary ? 'p' : 'u';
        return colname ? 0 : sqlc__tr_names(c->keys, c->n_keys, a, &k->cols, err);
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
        k->kind = 'c';
        if (c->is_no_inherit)
            return refuse(err, "NO INHERIT");
        if (!(k->check = check_text(text, c->location, a, &k->check_pos)))
            return refuse(err, "this CHECK constraint's text");
        if (colname)
            k->cols.n = 0; /* CHECK names the columns its expression reads */
        return 0;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
        k->kind = 'f';
        if (c->fk_matchtype && c->fk_matchtype[0] == 'f')
            return refuse(err, "MATCH FULL");
        if (c->n_fk_del_set_cols)
            return refuse(err, "ON DELETE SET NULL (columns)");
        k->on_delete = action(c->fk_del_action);
        k->on_update = action(c->fk_upd_action);
        if (sqlc__tr_relname(c->pktable, a, &k->reftable, err) ||
            sqlc__tr_names(c->pk_attrs, c->n_pk_attrs, a, &k->refcols, err))
            return -1;
        return colname ? 0 : sqlc__tr_names(c->fk_attrs, c->n_fk_attrs, a, &k->cols, err);
    default:
        return refuse(err, colname ? "this column constraint" : "this table constraint");
    }
}

int sqlc__tr_alter_table(const char *text, arena *a, PgQuery__AlterTableStmt *x, PgQuery__AlterTableCmd *c,
                         ast_stmt *st, pgw_error *err)
{
    ast_rename r = {.missing_ok = x->missing_ok, .drop_if_exists = c->missing_ok,
                    .cascade = c->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE};
    switch (c->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint: case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
        if (!c->def || c->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
            (c->def->constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK &&
             c->def->constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN))
            return 1; /* PRIMARY KEY / UNIQUE: the index path */
        r.alter = 'a';
        if (!(r.con = arena_calloc(a, 1, sizeof(ast_constraint))))
            return pgw_error_oom(err), -1;
        if (sqlc__tr_constraint(text, a, c->def->constraint, NULL, r.con, err))
            return -1;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint: case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraintRecurse:
        r.alter = 'd';
        r.column = c->name;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn: case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse:
        r.alter = 'c';
        r.column = c->name;
        break;
    default:
        return 1;
    }
    st->kind = STMT_ALTER_TABLE;
    st->tag = "ALTER TABLE";
    st->rename = r;
    return sqlc__tr_relname(x->relation, a, &st->rename.relname, err);
}
