/* translate: internal to parse.c / translate*.c (they share protobuf types). */
#ifndef HCDB_SQL_COMPAT_TRANSLATE_H
#define HCDB_SQL_COMPAT_TRANSLATE_H

#include <pg_query/pg_query.pb-c.h>

#include "sql-compat/parse.h"

int sqlc__translate_stmt(const char *text, PgQuery__Node *n, arena *a, ast_stmt **out, pgw_error *err);
int sqlc__translate_utility(const char *text, PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);

/* translate.c's pieces for translate_ddl.c. */
ast_expr *sqlc__tr_expr(const char *text, arena *a, pgw_error *err, PgQuery__Node *n);
int sqlc__tr_type(const char *text, arena *a, pgw_error *err, PgQuery__TypeName *tn, ast_type *out);
int sqlc__tr_select(const char *text, arena *a, pgw_error *err, PgQuery__SelectStmt *s, ast_stmt *out);
int sqlc__tr_targets(const char *text, arena *a, pgw_error *err, PgQuery__Node **items, size_t n, ast_target **out);
/* translate_ddl.c: tables, DML, COPY and maintenance statements; 1 = not one of them. */
int sqlc__translate_table_stmt(const char *text, PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);
/* translate_ext.c: CREATE / DROP EXTENSION; 1 = not one of them. */
int sqlc__translate_ext_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);
/* translate_role.c: CREATE / ALTER / DROP ROLE and USER; 1 = not one of them. */
int sqlc__translate_role_stmt(PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);

#endif
