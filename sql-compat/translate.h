/* translate: internal to parse.c / translate*.c (they share protobuf types). */
#ifndef HCDB_SQL_COMPAT_TRANSLATE_H
#define HCDB_SQL_COMPAT_TRANSLATE_H

#include <pg_query/pg_query.pb-c.h>

#include "sql-compat/parse.h"

int sqlc__translate_stmt(const char *text, PgQuery__Node *n, arena *a, ast_stmt **out, pgw_error *err);
int sqlc__translate_utility(const char *text, PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);

/* The translation context shared by translate.c and translate_select.c. */
typedef struct tctx {
    const char *text;
    arena *a;
    pgw_error *err;
    int depth;
} tctx;

ast_expr *sqlc__expr(tctx *t, PgQuery__Node *n);
ast_expr *sqlc__mk(tctx *t, ast_kind k, int loc, int nargs);
ast_expr *sqlc__unsupported(tctx *t, const char *what, int loc);
ast_expr *sqlc__oom(tctx *t);
const char *sqlc__node_name(PgQuery__Node *n);
const char *sqlc__str_of(PgQuery__Node *n);
const char *sqlc__last_name(PgQuery__Node **names, size_t n);
int sqlc__type_name(tctx *t, PgQuery__TypeName *tn, ast_type *out);
int sqlc__figure_colname(PgQuery__Node *n, const char **name, int depth);
/* translate_select.c */
int sqlc__select_stmt(tctx *t, PgQuery__SelectStmt *s, ast_stmt *st);
ast_expr *sqlc__sublink(tctx *t, PgQuery__SubLink *s);
int sqlc__explain_stmt(tctx *t, PgQuery__ExplainStmt *x, ast_stmt *st);
int sqlc__sort_list(tctx *t, PgQuery__Node **items, size_t n, ast_sortby **out, int *nout);

/* translate.c's pieces for translate_ddl.c. */
ast_expr *sqlc__tr_expr(const char *text, arena *a, pgw_error *err, PgQuery__Node *n);
int sqlc__tr_type(const char *text, arena *a, pgw_error *err, PgQuery__TypeName *tn, ast_type *out);
int sqlc__tr_select(const char *text, arena *a, pgw_error *err, PgQuery__SelectStmt *s, ast_stmt *out);
int sqlc__tr_targets(const char *text, arena *a, pgw_error *err, PgQuery__Node **items, size_t n, ast_target **out);
/* translate_ddl.c: tables, DML, COPY and maintenance statements; 1 = not one of them. */
int sqlc__tr_relname(PgQuery__RangeVar *rv, arena *a, const char **out, pgw_error *err);
int sqlc__tr_names(PgQuery__Node **items, size_t n, arena *a, ast_names *out, pgw_error *err);
/* translate_cons.c: a table or column (colname) constraint; ALTER TABLE's constraint and
 * DROP COLUMN commands (1: not one of those, for the caller to handle). */
int sqlc__tr_constraint(const char *text, arena *a, PgQuery__Constraint *c, const char *colname, ast_constraint *k,
                        pgw_error *err);
int sqlc__tr_alter_table(const char *text, arena *a, PgQuery__AlterTableStmt *x, PgQuery__AlterTableCmd *c,
                         ast_stmt *st, pgw_error *err);
int sqlc__translate_table_stmt(const char *text, PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);
/* translate_ext.c: CREATE / DROP EXTENSION; 1 = not one of them. */
int sqlc__translate_ext_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);
/* CREATE SEQUENCE's options (also those of an identity column) into q. */
int sqlc__seq_options(PgQuery__Node **opts, size_t n, ast_seq *q, pgw_error *err);
int sqlc__translate_seq_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);
/* translate_role.c: CREATE / ALTER / DROP ROLE and USER; 1 = not one of them. */
int sqlc__translate_role_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);
int sqlc__translate_grant_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);

#endif
