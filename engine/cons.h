/*
 * cons: CHECK and FOREIGN KEY constraints at work — binding a CHECK's text
 * over its table's row (bind_check.c), printing constraints as
 * pg_get_constraintdef does (condef.c), and enforcing them on every row an
 * INSERT, UPDATE, DELETE or COPY writes (dml_cons.c). Messages, DETAIL
 * lines and SQLSTATEs are PostgreSQL 15's (23514, 23503).
 *
 * Foreign keys and concurrency: hcdb's storage has only exclusive row
 * locks, so a row inserted or updated into a referencing table locks the
 * referenced row as SELECT ... FOR UPDATE would (a no-op update of it).
 * A parent deleted by a transaction still open makes the child's statement
 * wait for it and then see the outcome; a child inserted by a transaction
 * still open makes a delete of its parent wait likewise. The cost: writers
 * of children of one parent row wait for each other until they end.
 */
#ifndef HCDB_ENGINE_CONS_H
#define HCDB_ENGINE_CONS_H

#include "engine/catalog.h"
#include "engine/expr.h"

/* Bind a CHECK expression's text over t's row (BX_SCANCOL i reads column i):
 * boolean, no subqueries, aggregates or parameters, as PostgreSQL refuses them.
 * Error positions count from the start of text. */
int eng_bind_check(arena *a, const eng_env *env, const eng_table *t, const char *text, eng_expr **out,
                   pgw_error *err) __attribute__((warn_unused_result));
/* Column col's DEFAULT of t bound (no columns in reach), of the column's type. */
int eng_bind_default(arena *a, const eng_env *env, const eng_table *t, int col, eng_expr **out, pgw_error *err)
    __attribute__((warn_unused_result));
/* The table columns e reads, ascending, into cols (room for t->ncols); returns how many. */
int eng_expr_columns(const eng_expr *e, int *cols, int ncols);

/* pg_get_constraintdef(oid, pretty) of k (a CHECK is bound through env); NULL on error. */
char *eng_constraint_def(arena *a, const eng_env *env, eng_catalog *cat, const eng_table *t,
                         const eng_constraint *k, bool pretty);
/* A bound expression over t's row as ruleutils prints it (pretty: psql's \d form). */
void eng_expr_sql(const eng_table *t, const eng_expr *e, bool pretty, buf *b);

/* ---- enforcement (dml_cons.c) --------------------------------------------------- */

/* Per statement and table: the CHECKs bound once, the foreign keys found. */
typedef struct eng_rowcons eng_rowcons;
void eng_rowcons_free(eng_rowcons *rc);

/* A row about to be written into t: its CHECKs (23514). *rc is made on first use.
 * existing: a row already there that DDL rewrites ("... is violated by some row"). */
int eng_cons_check_row(eng_ctx *c, eng_table *t, eng_rowcons **rc, const eng_val *vals, bool existing)
    __attribute__((warn_unused_result));
/* A row written into t (old: the version it replaced on UPDATE, else NULL): the foreign keys it
 * holds (23503 when the referenced row is missing; that row is locked). Keys that an UPDATE
 * left alone are not checked. own: the rows the statement inserted (a table referring to
 * itself may refer to them), or NULL. 0, -1 with c->err, ENG_BLOCKED or ENG_RETRY. */
struct eng_ins_state;
int eng_cons_fk_row(eng_ctx *c, eng_table *t, const eng_val *vals, const eng_val *old, const struct eng_ins_state *own)
    __attribute__((warn_unused_result));
/* One foreign key k of t (in the catalog or about to be) for the row vals: as eng_cons_fk_row. */
int eng_cons_fk_check(eng_ctx *c, eng_table *t, const eng_constraint *k, const eng_val *vals,
                      const struct eng_ins_state *own)
    __attribute__((warn_unused_result));
/* t's row old (rowid self) deleted (vals NULL) or updated to vals: the foreign keys referencing
 * t act (NO ACTION / RESTRICT: 23503; CASCADE; SET NULL). Returns as eng_cons_fk_row. */
int eng_cons_old_row(eng_ctx *c, eng_table *t, const eng_val *old, const eng_val *vals, uint64_t self)
    __attribute__((warn_unused_result));
/* Whether anything must be checked for rows of t (CHECKs, foreign keys either way). */
bool eng_cons_any(eng_catalog *cat, const eng_table *t);

/* DETAIL "Failing row contains (1, null, x)." of a row of t that breaks a constraint. */
void eng_cons_failing_row(eng_ctx *c, const eng_table *t, const eng_val *vals);
/* The unique index of t over exactly cols (n of them, any order), or NULL. */
eng_index *eng_cons_unique_index(const eng_table *t, const int *cols, int n);

#endif
