/*
 * run_table: running statements that touch tables (SELECT FROM a table,
 * INSERT/UPDATE/DELETE, DDL, COPY) inside a storage statement: begin the
 * session's transaction if needed, st_stmt_begin (fresh READ COMMITTED
 * snapshot + statement savepoint), run, then st_stmt_end — or
 * st_stmt_rollback on an error, a row-lock wait (BLOCKED: the whole
 * statement runs again once the waker fires, with a new snapshot, as
 * PostgreSQL's READ COMMITTED re-check does) or a concurrent commit
 * (retried at once). Outside a transaction block the statement commits
 * itself; a commit waiting for its WAL flush answers BLOCKED too.
 */
#include <stdio.h>
#include <string.h>

#include "engine/catalog.h"
#include "sql-compat/stmt.h"

/* A statement hit by that many concurrent commits in a row gives up (40001). */
#define RUN_MAX_RETRIES 1000

bool sqlc__is_table_stmt(const sql_stmt *st)
{
    if (!st->ast)
        return false;
    switch (st->ast->kind) {
    case STMT_SELECT: case STMT_EXPLAIN:
        return st->sel && st->sel->uses_tables;
    case STMT_INSERT: case STMT_UPDATE: case STMT_DELETE: case STMT_CREATE_TABLE: case STMT_DROP:
    case STMT_TRUNCATE: case STMT_ALTER_ADD: case STMT_CREATE_INDEX: case STMT_REINDEX: case STMT_COPY:
    case STMT_CREATE_EXT: case STMT_DROP_EXT: case STMT_GRANT: case STMT_CREATE_SEQ: case STMT_DROP_SEQ:
    case STMT_RENAME: case STMT_ADD_COLUMN: case STMT_ALTER_TABLE:
        return true;
    default:
        return false;
    }
}

static void dml_tag(sql_portal *p)
{
    int64_t n = p->dres.count;
    switch (p->st->dml->kind) {
    case ENG_INSERT:
        snprintf(p->tag, sizeof(p->tag), "INSERT 0 %lld", (long long)n);
        break;
    case ENG_UPDATE:
        snprintf(p->tag, sizeof(p->tag), "UPDATE %lld", (long long)n);
        break;
    case ENG_DELETE:
        snprintf(p->tag, sizeof(p->tag), "DELETE %lld", (long long)n);
        break;
    }
}

static int run_dml(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status, pgw_error *err)
{
    eng_ctx c = {.mem = p->row, .err = err, .env = &p->env, .params = p->params, .nparams = p->st->params.n};
    if (!p->step_done) {
        eng_catalog *cat = p->s->srv->cat;
        arena_reset(p->row);
        eng_catalog_rdlock(cat);
        int rc = eng_dml_run(p->st->dml, &c, p->mem, &p->dres);
        eng_catalog_unlock(cat);
        if (rc)
            return rc;
        p->step_done = true;
    }
    sql_cell *cells = arena_calloc(p->mem, (size_t)p->st->ncols + 1, sizeof(sql_cell));
    if (!cells)
        return pgw_error_oom(err), -1;
    long sent = 0;
    while (p->ret_pos < p->dres.nrows) {
        if (max_rows > 0 && sent >= max_rows) {
            *status = SQL_RUN_SUSPENDED;
            return 0;
        }
        arena_reset(p->row);
        if (sqlc__encode_row(p, p->dres.rows[p->ret_pos++], cells, err))
            return -1;
        sent++;
        p->rows++;
        if (sink && sink->row && sink->row(sink->ctx, p->st->ncols, cells)) {
            p->paused = true;
            *status = SQL_RUN_PAUSED;
            return 0;
        }
    }
    dml_tag(p);
    *status = SQL_RUN_DONE;
    return 0;
}

static int run_select_table(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status,
                            pgw_error *err)
{
    eng_catalog *cat = p->s->srv->cat;
    eng_catalog_rdlock(cat);
    int rc = sqlc__run_select(p, sink, max_rows, status, err);
    eng_catalog_unlock(cat);
    return rc;
}

static int step(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status, pgw_error *err)
{
    *status = SQL_RUN_DONE;
    switch (p->st->ast->kind) {
    case STMT_SELECT: case STMT_EXPLAIN:
        return run_select_table(p, sink, max_rows, status, err);
    case STMT_INSERT: case STMT_UPDATE: case STMT_DELETE:
        return run_dml(p, sink, max_rows, status, err);
    case STMT_COPY:
        return sqlc__copy_step(p, sink, status, err);
    case STMT_CREATE_EXT: case STMT_DROP_EXT:
        snprintf(p->tag, sizeof(p->tag), "%s", p->st->ast->tag);
        return sqlc__run_extension(p, sink, err);
    case STMT_CREATE_SEQ: case STMT_DROP_SEQ:
        snprintf(p->tag, sizeof(p->tag), "%s", p->st->ast->tag);
        return sqlc__run_sequence(p, sink, err);
    case STMT_GRANT:
        snprintf(p->tag, sizeof(p->tag), "%s", p->st->ast->tag);
        return sqlc__run_grant(p, err);
    default:
        snprintf(p->tag, sizeof(p->tag), "%s", p->st->ast->tag);
        return sqlc__run_ddl(p, sink, err);
    }
}

/* Undo the running statement and forget its progress, to run it again. */
static void restart(sql_portal *p)
{
    st_stmt_rollback(p->s->stx);
    p->stmt_open = false;
    p->step_done = false;
    eng_exec_close(p->exec); /* frees the arenas of its own; the rest lives in p->mem, which simply grows */
    p->exec = NULL;
    p->explained = false;
    memset(&p->dres, 0, sizeof(p->dres));
    p->ret_pos = 0;
    p->rows = 0;
}

int sqlc__run_table(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status, pgw_error *err)
{
    sql_session *s = p->s;
    int rc;
    if (p->commit_pending)
        goto commit;
    for (int attempt = 0;; attempt++) {
        if (p->need_restart) {
            /* woken: storage forgot the wait, so the rollback cannot cancel it */
            p->need_restart = false;
            restart(p);
        }
        if (sqlc__check_interrupts(s, err)) {
            if (p->stmt_open)
                restart(p);
            return -1;
        }
        if (!p->stmt_open) {
            if (sqlc__txn_ensure(s, err))
                return -1;
            st_stmt_begin(s->stx);
            p->stmt_open = true;
        }
        p->env.txn = s->stx;
        rc = step(p, sink, max_rows, status, err);
        if (rc == ENG_RETRY && attempt < RUN_MAX_RETRIES) {
            restart(p);
            continue;
        }
        if (rc == ENG_BLOCKED) {
            /* Keep the statement (and the wait storage registered) until
             * the waker fires: a rollback now would cancel the wait. */
            p->need_restart = true;
            *status = SQL_RUN_BLOCKED;
            return 0;
        }
        if (rc == ENG_RETRY) {
            restart(p);
            pgw_error_set(err, "40001", "could not serialize access due to concurrent update");
            return -1;
        }
        if (rc) {
            restart(p);
            return -1;
        }
        if (*status != SQL_RUN_DONE)
            return 0;
        st_stmt_end(s->stx);
        p->stmt_open = false;
        break;
    }
    if (s->txn != 'I')
        return 0;
commit:
    rc = sqlc__txn_commit(s, err);
    if (rc == 1) {
        p->commit_pending = true;
        *status = SQL_RUN_BLOCKED;
        return 0;
    }
    p->commit_pending = false;
    *status = SQL_RUN_DONE;
    return rc;
}
