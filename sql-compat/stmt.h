/* stmt: internal layout of statements and portals (stmt.c, portal.c). */
#ifndef HCDB_SQL_COMPAT_STMT_H
#define HCDB_SQL_COMPAT_STMT_H

#include "engine/dml.h"
#include "engine/exec.h"
#include "sql-compat/parse.h"
#include "sql-compat/session.h"

struct sql_stmt {
    int refs;              /* the owner plus every live portal */
    arena *mem;            /* AST, bound plan, columns */
    sqlc_parsed *parsed;   /* the AST points into it; NULL when empty */
    bool empty;
    bool txn_exit;         /* COMMIT/ROLLBACK: allowed in a failed block */
    ast_stmt *ast;
    eng_select *sel;
    eng_dml *dml;          /* INSERT / UPDATE / DELETE */
    eng_params params;
    int ncols;
    sql_column *cols;
};

struct sql_portal {
    sql_session *s;
    sql_stmt *st;
    arena *mem;            /* parameters, plan state */
    arena *row;            /* reset after every row */
    eng_val *params;
    int16_t *formats;      /* per result column */
    eng_env env;
    eng_exec *exec;
    bool started, done, paused;
    long rows;             /* rows sent in the current Execute */
    uint64_t run_us;       /* time the statement ran so far, over its Executes */
    long show_next;        /* SHOW ALL: next row */
    char *explain;         /* EXPLAIN: the plan text not yet sent, lines ending in '\n' */
    bool explained;
    char tag[64];
    /* statements on tables (run_table.c) */
    bool stmt_open;        /* inside st_stmt_begin .. end */
    bool commit_pending;   /* autocommit: waiting for the WAL flush */
    bool step_done;        /* DML ran; RETURNING rows are being sent */
    bool need_restart;     /* blocked on a row lock: roll back and re-run when woken */
    eng_dml_result dres;
    size_t ret_pos;
    struct sqlc_copy *copy; /* COPY state */
};

void sqlc__stmt_release(sql_stmt *st);
/* portal.c */
int sqlc__encode_row(sql_portal *p, const eng_val *row, sql_cell *cells, pgw_error *err);
int sqlc__run_select(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status, pgw_error *err);
/* run_table.c: statements that touch tables, inside a storage statement. */
bool sqlc__is_table_stmt(const sql_stmt *st);
int sqlc__run_table(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status, pgw_error *err);
/* ddl.c: CREATE/DROP/TRUNCATE/ALTER/INDEX; ENG_BLOCKED/ENG_RETRY as DML. */
int sqlc__run_ddl(sql_portal *p, const sql_sink *sink, pgw_error *err);
/* role.c: CREATE / ALTER / DROP ROLE; GRANT / REVOKE (a table statement:
 * grants are catalog records); the ownership checks DDL of non-superusers
 * passes (under the catalog's write lock), and the owner mark a
 * non-superuser's new table gets. */
int sqlc__run_role(sql_portal *p, const sql_sink *sink, pgw_error *err);
/* sysconf.c: ALTER SYSTEM SET / RESET. */
int sqlc__run_alter_system(sql_portal *p, pgw_error *err);
int sqlc__run_grant(sql_portal *p, pgw_error *err);
int sqlc__ddl_allowed(sql_portal *p, pgw_error *err);
int sqlc__ddl_owned(sql_portal *p, pgw_error *err);
/* CREATE TABLE ... AS (ddl_as.c): the columns the query gives, then its rows. */
int sqlc__ctas_columns(sql_portal *p, eng_column **out, int *ncols, pgw_error *err);
int sqlc__ctas_fill(sql_portal *p, eng_table *t, pgw_error *err);
/* extension.c: CREATE / DROP EXTENSION, like DDL. */
int sqlc__run_extension(sql_portal *p, const sql_sink *sink, pgw_error *err);
/* CREATE / DROP SEQUENCE (sequence.c). */
int sqlc__run_sequence(sql_portal *p, const sql_sink *sink, pgw_error *err);
/* ALTER TABLE ... RENAME, under the write lock (sequence.c). */
int sqlc__rename(sql_portal *p, const sql_sink *sink, pgw_error *err);
/* ddl_cons.c: a constraint of CREATE TABLE / ALTER TABLE on t (validate: check the rows
 * there); ALTER TABLE ADD / DROP CONSTRAINT, DROP COLUMN (STMT_ALTER_TABLE); the foreign
 * keys referencing a table DROP TABLE drops (act false: only refuse without CASCADE). */
struct ast_constraint;
struct ast_drop;
struct ast_rename;
int sqlc__add_constraint(sql_portal *p, eng_table *t, const struct ast_constraint *k, bool validate, pgw_error *err)
    __attribute__((warn_unused_result));
int sqlc__alter_table(sql_portal *p, const sql_sink *sink, pgw_error *err);
/* ALTER TABLE [IF EXISTS] t's table: *out, or NULL after the NOTICE of IF EXISTS; -1 (42P01). */
int sqlc__alter_target(sql_portal *p, const sql_sink *sink, eng_table **out, pgw_error *err)
    __attribute__((warn_unused_result));
int sqlc__drop_table_refs(sql_portal *p, eng_table *t, const struct ast_drop *d, bool act, const sql_sink *sink,
                          pgw_error *err) __attribute__((warn_unused_result));
/* ALTER TABLE t RENAME COLUMN from TO to: the CHECKs of t that read it follow. */
int sqlc__rename_in_checks(sql_portal *p, eng_table *t, const char *from, const char *to, pgw_error *err)
    __attribute__((warn_unused_result));
/* DROP INDEX ix of t: the foreign keys that need it (2BP01 without cascade; act: drop them). */
int sqlc__drop_index_refs(sql_portal *p, eng_table *t, eng_index *ix, bool cascade, bool act, const sql_sink *sink,
                          pgw_error *err) __attribute__((warn_unused_result));
/* TRUNCATE t with the tables `names`: 0A000 when a table not among them references t. */
int sqlc__truncate_refs(sql_portal *p, eng_table *t, const ast_names *names, pgw_error *err)
    __attribute__((warn_unused_result));
int sqlc__drop_column(sql_portal *p, eng_table *t, const struct ast_rename *r, const sql_sink *sink, pgw_error *err)
    __attribute__((warn_unused_result));
/* ddl.c: a PRIMARY KEY / UNIQUE index (name NULL: chosen). */
int sqlc__add_index(sql_portal *p, eng_table *t, const char *name, const ast_names *cols, bool unique, bool primary,
                    pgw_error *err) __attribute__((warn_unused_result));
/* ALTER TABLE ADD COLUMN: rows already there get column col's DEFAULT (ddl_cons.c). */
int sqlc__fill_column(sql_portal *p, eng_table *t, int col, pgw_error *err) __attribute__((warn_unused_result));
/* NOTICE: relation "name" <tail>. */
void sqlc__notice_rel(const sql_sink *sink, const char *name, const char *tail);
/* index_progress.c: CREATE INDEX USING am (eng_catalog_am_build / _attach; write lock held
 * on entry and on return, not during the build) with a pg_stat_progress_create_index row
 * and a NOTICE per tenth built. */
int sqlc__add_am_index_watched(sql_portal *p, const sql_sink *sink, eng_table *t, const char *name, int col,
                               const eng_am *am, const eng_am_def *def, int nthreads, pgw_error *err);
struct eng_seq_def;
/* Create sequence `name` with q's options, owned by owner's column (owner_rel, owner_col,
 * identity; NULL = none); write lock held. */
int sqlc__create_seq(sql_session *s, const char *name, const struct ast_seq *q, const struct eng_seq_def *owner,
                     const sql_sink *sink, pgw_error *err) __attribute__((warn_unused_result));
/* A serial or identity column of `table`: 1 with c's type, NOT NULL and nextval default set and
 * *seqname the sequence to make (sqlc__serial_sequence, after the table); 0 for
 * other types; -1 on error. */
int sqlc__serial_column(arena *a, eng_catalog *cat, const char *table, const struct ast_coldef *d, eng_column *c,
                        const char **seqname, pgw_error *err) __attribute__((warn_unused_result));
int sqlc__serial_sequence(sql_session *s, const char *seqname, uint32_t type, const struct ast_coldef *d,
                          uint32_t relid, int col, pgw_error *err) __attribute__((warn_unused_result));
/* A table, index or sequence has this name (a lock held). */
bool sqlc__relname_taken(eng_catalog *cat, const char *name);
/* copy.c */
int sqlc__copy_step(sql_portal *p, const sql_sink *sink, sql_run_status *status, pgw_error *err);
void sqlc__copy_free(sql_portal *p);
/* Utility statements (transaction control, SET, SHOW), in portal.c. */
int sqlc__run_utility(sql_portal *p, const sql_sink *sink, sql_run_status *status, pgw_error *err);
/* 25006 when the transaction is read-only and the statement would write (readonly.c). */
int sqlc__check_read_only(sql_portal *p, pgw_error *err);
/* default_transaction_read_only is on. */
bool sqlc__read_only_default(sql_session *s);

#endif
