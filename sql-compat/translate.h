/* translate: internal to parse.c / translate*.c (they share protobuf types). */
#ifndef HCDB_SQL_COMPAT_TRANSLATE_H
#define HCDB_SQL_COMPAT_TRANSLATE_H

#include <pg_query/pg_query.pb-c.h>

#include "sql-compat/parse.h"

int sqlc__translate_stmt(const char *text, PgQuery__Node *n, arena *a, ast_stmt **out, pgw_error *err);
int sqlc__translate_utility(const char *text, PgQuery__Node *n, arena *a, ast_stmt *st, pgw_error *err);

#endif
