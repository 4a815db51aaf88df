/*
 * dml: INSERT, UPDATE and DELETE on catalog tables — binding (bind_dml.c)
 * and execution (dml.c) inside the caller's storage statement (env->txn,
 * between st_stmt_begin and st_stmt_end). Execution may stop with
 * ENG_BLOCKED (a row lock: roll the statement back, wait for the waker,
 * run it again) or ENG_RETRY (a concurrent commit: roll back, run again).
 * Row-level checks (NOT NULL, unique keys, typmods) use PostgreSQL's
 * SQLSTATEs and messages. Also the row insert that COPY shares.
 */
#ifndef HCDB_ENGINE_DML_H
#define HCDB_ENGINE_DML_H

#include "engine/catalog.h"
#include "engine/expr.h"

#define ENG_BLOCKED 1
#define ENG_RETRY 2

typedef enum eng_dml_kind { ENG_INSERT, ENG_UPDATE, ENG_DELETE } eng_dml_kind;

typedef struct eng_dml {
    eng_dml_kind kind;
    eng_table *table;
    int nrows;              /* INSERT VALUES rows */
    eng_expr ***rows;       /* rows[r][col] for every table column; NULL = NULL */
    eng_select *source;     /* INSERT ... SELECT: its targets feed rows[0] */
    int nset;               /* UPDATE */
    int *set_cols;
    eng_expr **set_exprs;
    eng_select *scan;       /* UPDATE/DELETE: the table scan with the WHERE */
    int nreturning;
    eng_target *returning;
    int conflict;           /* INSERT ... ON CONFLICT: 0 none, 1 DO NOTHING, 2 DO UPDATE, whose
                             * set_exprs read the row [existing row | EXCLUDED row] */
    eng_index *arbiter;     /* the unique index named or inferred; NULL = every unique index */
    eng_expr *conflict_where; /* DO UPDATE ... WHERE, over that row; NULL = none */
    eng_select *from_sub;   /* UPDATE ... FROM / DELETE ... USING: the FROM items and the WHERE,
                             * correlated to the target row; its first row (the SET values) decides,
                             * and set_exprs read the row [target row | that row] */
} eng_dml;

int eng_bind_dml(arena *a, const char *text, const eng_env *env, const ast_stmt *st, eng_params *params,
                 eng_dml **out, pgw_error *err) __attribute__((warn_unused_result));

/* Rows inserted by the running statement, in rowid order (storage gives
 * increasing ids), so a unique check can see the statement's own rows. */
typedef struct eng_ins_state {
    uint64_t *ids;
    size_t n, cap;
    struct eng_rowcons *cons; /* the table's CHECKs, bound on first use (cons.h) */
} eng_ins_state;

void eng_ins_state_free(eng_ins_state *s);
/* Check and insert one row (vals: one per column, already of the column
 * types and typmods). 0, -1 with c->err filled, or ENG_BLOCKED / ENG_RETRY
 * (a foreign key's referenced row is locked by another transaction). */
int eng_insert_row(eng_ctx *c, eng_table *t, const eng_val *vals, eng_ins_state *st)
    __attribute__((warn_unused_result));

typedef struct eng_dml_result {
    int64_t count;
    struct eng_rowcons *cons; /* UPDATE: the table's CHECKs bound (freed when the run ends) */
    eng_val **rows;         /* RETURNING rows, in the portal's arena */
    size_t nrows, cap;
} eng_dml_result;

/* Run the whole statement. 0, -1 (error), ENG_BLOCKED or ENG_RETRY. */
int eng_dml_run(const eng_dml *d, eng_ctx *c, arena *portal_mem, eng_dml_result *res)
    __attribute__((warn_unused_result));

/* dml.c's row steps that foreign key actions share: NOT NULL (23502), and index
 * entries for a new version vals of row rowid (old: the version it replaces). */
int eng__check_not_null(eng_ctx *c, const eng_table *t, const eng_val *vals) __attribute__((warn_unused_result));
/* Whether the running statement inserted row id (s may be NULL). */
bool eng__own_row(const eng_ins_state *s, uint64_t id);
int eng__index_row(eng_ctx *c, const eng_table *t, const eng_val *vals, const eng_val *old, uint64_t rowid)
    __attribute__((warn_unused_result));

#endif
