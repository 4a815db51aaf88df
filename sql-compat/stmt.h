/* stmt: internal layout of statements and portals (stmt.c, portal.c). */
#ifndef HCDB_SQL_COMPAT_STMT_H
#define HCDB_SQL_COMPAT_STMT_H

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
    long show_next;        /* SHOW ALL: next row */
    char tag[64];
};

void sqlc__stmt_release(sql_stmt *st);
/* Utility statements (transaction control, SET, SHOW), in portal.c. */
int sqlc__run_utility(sql_portal *p, const sql_sink *sink, sql_run_status *status, pgw_error *err);

#endif
