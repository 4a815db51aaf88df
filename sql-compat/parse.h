/*
 * parse: libpg_query in, hcdb AST out. sqlc_parse() checks the text
 * (UTF-8, nesting depth), runs PostgreSQL's grammar and keeps the unpacked
 * protobuf tree; sqlc_translate() turns one RawStmt into an ast_stmt in the
 * caller's arena. Only this module and translate_*.c include protobuf types.
 */
#ifndef HCDB_SQL_COMPAT_PARSE_H
#define HCDB_SQL_COMPAT_PARSE_H

#include "protocol/pgw_error.h"
#include "sql-compat/ast.h"
#include "util/arena.h"

typedef struct sqlc_parsed sqlc_parsed;

int sqlc_parse(const char *text, sqlc_parsed **out, pgw_error *err) __attribute__((warn_unused_result));
/* The AST points into the parse tree: statements keep a reference.
 * Not thread-safe (a session's statements stay on its thread). */
sqlc_parsed *sqlc_parsed_ref(sqlc_parsed *p);
void sqlc_parsed_free(sqlc_parsed *p);
const char *sqlc_text(const sqlc_parsed *p);
int sqlc_nstmts(const sqlc_parsed *p);
/* Byte range of statement i in the text. */
void sqlc_stmt_range(const sqlc_parsed *p, int i, int *loc, int *len);
/* True for COMMIT / ROLLBACK (allowed in a failed transaction block). */
bool sqlc_stmt_is_txn_exit(const sqlc_parsed *p, int i);
int sqlc_translate(const sqlc_parsed *p, int i, arena *a, ast_stmt **out, pgw_error *err)
    __attribute__((warn_unused_result));

/* PostgreSQL's error position for a byte offset: 1-based, in characters. */
int sqlc_char_position(const char *text, int byte_loc);
/* Set err->position from a byte offset (nothing for loc < 0). */
void sqlc_set_position(pgw_error *err, const char *text, int byte_loc);

/* settings.c: whether SET name takes a list (search_path), quoting elements. */
bool sqlc_setting_is_list(const char *name);

#endif
