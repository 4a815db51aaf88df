/*
 * portal: running a bound statement (sql_portal_run), in steps: a SELECT
 * pulls rows from the executor one at a time, encodes each column in the
 * format Bind asked for and hands it to the sink; it stops after max_rows
 * (SUSPENDED) or when the sink asks (PAUSED) and resumes on the next call.
 * Transaction control, SET and SHOW run here too.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/catalog.h"
#include "sql-compat/activity.h"
#include "sql-compat/stmt.h"

static void notice(const sql_sink *sink, const char *sqlstate, const char *msg)
{
    if (!sink || !sink->notice)
        return;
    pgw_error n;
    pgw_error_set(&n, sqlstate, "%s", msg);
    n.severity = "WARNING";
    sink->notice(sink->ctx, &n);
}

int sqlc__encode_row(sql_portal *p, const eng_val *row, sql_cell *cells, pgw_error *err)
{
    eng_ctx c = {.mem = p->row, .err = err, .env = &p->env, .params = p->params, .nparams = p->st->params.n};
    for (int i = 0; i < p->st->ncols; i++) {
        if (row[i].null) {
            cells[i].data = NULL;
            cells[i].len = -1;
            continue;
        }
        const eng_type *t = eng_type_by_oid(p->st->cols[i].type_oid);
        size_t len = 0;
        const uint8_t *d = NULL;
        if (p->formats[i] == 1 && t && t->send)
            d = t->send(&c, &row[i], &len);
        else if (p->formats[i] == 0 && t && t->out)
            d = (const uint8_t *)t->out(&c, &row[i], &len);
        else {
            pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "output of type %s is not supported yet",
                          eng_type_sqlname(p->st->cols[i].type_oid));
            return -1;
        }
        if (!d) {
            if (!pgw_error_is_set(err))
                pgw_error_oom(err);
            return -1;
        }
        cells[i].data = d;
        cells[i].len = (int32_t)len;
    }
    return 0;
}

/* EXPLAIN: the plan text, a row per line. */
static int run_explain(sql_portal *p, const sql_sink *sink, sql_run_status *status, pgw_error *err)
{
    if (!p->explained) {
        eng_ctx c = {.mem = p->row, .err = err, .env = &p->env, .params = p->params, .nparams = p->st->params.n};
        const ast_explain *x = &p->st->ast->explain;
        eng_explain_opts o = {x->analyze, x->verbose, x->costs, x->json};
        buf b;
        buf_init(&b);
        int rc = eng_explain(p->mem, p->st->sel, &c, &o, &b);
        buf_put_u8(&b, 0);
        p->explain = rc || b.failed ? NULL : arena_strdup(p->mem, (const char *)b.data);
        buf_free(&b);
        if (rc)
            return -1;
        if (!p->explain)
            return pgw_error_oom(err), -1;
        p->explained = true;
        if (x->json) {
            /* one row holding the whole document */
            size_t n = strlen(p->explain);
            sql_cell cell = {(const uint8_t *)p->explain, (int32_t)(n && p->explain[n - 1] == '\n' ? n - 1 : n)};
            p->explain += n;
            p->rows++;
            if (sink && sink->row)
                sink->row(sink->ctx, 1, &cell);
        }
    }
    while (*p->explain) {
        const char *nl = strchr(p->explain, '\n');
        size_t n = nl ? (size_t)(nl - p->explain) : strlen(p->explain);
        sql_cell cell = {(const uint8_t *)p->explain, (int32_t)n};
        p->explain += n + (nl ? 1 : 0);
        p->rows++;
        if (sink && sink->row && sink->row(sink->ctx, 1, &cell)) {
            p->paused = true;
            *status = SQL_RUN_PAUSED;
            return 0;
        }
    }
    p->done = true;
    snprintf(p->tag, sizeof(p->tag), "EXPLAIN");
    *status = SQL_RUN_DONE;
    return 0;
}

int sqlc__run_select(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status, pgw_error *err)
{
    if (p->st->ast->kind == STMT_EXPLAIN)
        return run_explain(p, sink, status, err);
    eng_ctx c = {.mem = p->row, .err = err, .env = &p->env, .params = p->params, .nparams = p->st->params.n};
    if (!p->exec && eng_exec_open(p->mem, p->st->sel, &c, &p->exec))
        return -1;
    sql_cell *cells = arena_calloc(p->mem, (size_t)p->st->ncols + 1, sizeof(sql_cell));
    if (!cells)
        return pgw_error_oom(err), -1;
    long sent = 0;
    for (;;) {
        if (max_rows > 0 && sent >= max_rows) {
            *status = SQL_RUN_SUSPENDED;
            return 0;
        }
        arena_reset(p->row);
        if (sqlc__check_interrupts(p->s, err))
            return -1;
        const eng_val *row;
        int rc = eng_exec_next(p->exec, &c, &row);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        if (sqlc__encode_row(p, row, cells, err))
            return -1;
        sent++;
        p->rows++;
        if (sink && sink->row && sink->row(sink->ctx, p->st->ncols, cells)) {
            p->paused = true;
            *status = SQL_RUN_PAUSED;
            return 0;
        }
    }
    p->done = true;
    snprintf(p->tag, sizeof(p->tag), "SELECT %ld", p->rows);
    *status = SQL_RUN_DONE;
    return 0;
}

static int portal_step(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status, pgw_error *err);

int sql_portal_run(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status, pgw_error *err)
{
    sql_session *s = p->s;
    if (p->done && !p->commit_pending) {
        /* an Execute on a finished portal: no rows, same kind of tag */
        if (p->st->ast && p->st->ast->kind == STMT_SELECT)
            snprintf(p->tag, sizeof(p->tag), "SELECT 0");
        *status = SQL_RUN_DONE;
        return 0;
    }
    if (!p->paused)
        p->rows = 0;
    p->paused = false;
    long rows0 = p->rows;
    uint64_t t0 = eng_stat_now_us();
    sqlc__act_running(s, true);
    sqlc_msg_filter filter;
    int rc = portal_step(p, sqlc__msg_filter(s, sink, &filter), max_rows, status, err);
    sqlc__act_running(s, false);
    uint64_t us = eng_stat_now_us() - t0;
    eng_stat_add(ENG_STAT_STATEMENT_US, us);
    p->run_us += us;
    if (rc || *status == SQL_RUN_DONE)
        eng_stat_observe(ENG_HIST_STATEMENT, p->run_us);
    if (p->rows > rows0)
        eng_stat_add(ENG_STAT_ROWS_SENT, (uint64_t)(p->rows - rows0));
    return rc;
}

/* hcdb_stat_statements: how a statement ended (sqlc__fail counts every error). */
static void count_statement(int rc, sql_run_status status, const pgw_error *err)
{
    if (rc == 0) {
        if (status == SQL_RUN_DONE)
            eng_stat_add(ENG_STAT_STATEMENTS, 1);
        return;
    }
    if (strcmp(err->sqlstate, SQLSTATE_QUERY_CANCELED) == 0)
        eng_stat_add(strstr(err->message, "statement timeout") ? ENG_STAT_TIMEOUTS : ENG_STAT_CANCELS, 1);
}

static int portal_step(sql_portal *p, const sql_sink *sink, long max_rows, sql_run_status *status, pgw_error *err)
{
    sql_session *s = p->s;
    int rc;
    if (s->txn == 'E' && !p->st->txn_exit) {
        pgw_error_set(err, SQLSTATE_IN_FAILED_SQL_TRANSACTION,
                      "current transaction is aborted, commands ignored until end of transaction block");
        rc = -1;
    } else if (p->st->empty) {
        p->tag[0] = '\0';
        p->done = true;
        *status = SQL_RUN_DONE;
        rc = 0;
    } else if (!p->paused && !p->copy && sqlc__check_read_only(p, err)) {
        rc = -1;
    } else if (sqlc__is_table_stmt(p->st)) {
        rc = sqlc__run_table(p, sink, max_rows, status, err);
    } else if (p->st->ast->kind == STMT_SELECT || p->st->ast->kind == STMT_EXPLAIN) {
        rc = sqlc__run_select(p, sink, max_rows, status, err);
    } else {
        rc = sqlc__run_utility(p, sink, status, err);
    }
    count_statement(rc, *status, err);
    if (rc) {
        p->done = true;
        sqlc__fail(s);
        return -1;
    }
    if (*status == SQL_RUN_DONE)
        sqlc__stmt_done(s);
    return 0;
}

/* ---- utility statements ------------------------------------------------- */

static int apply_txn_options(sql_session *s, const ast_txn *tx, sqlc_set_scope scope, bool session_chars,
                             pgw_error *err)
{
    const char *iso = session_chars ? "default_transaction_isolation" : "transaction_isolation";
    const char *ro = session_chars ? "default_transaction_read_only" : "transaction_read_only";
    if (tx->isolation && sqlc_settings_set(s->settings, iso, tx->isolation, scope, true, err))
        return -1;
    if (tx->read_only >= 0 && sqlc_settings_set(s->settings, ro, tx->read_only ? "on" : "off", scope, true, err))
        return -1;
    return 0;
}

/* COMMIT: 0 done, 1 waiting for the WAL flush, -1 failed. */
static int commit_block(sql_portal *p, pgw_error *err)
{
    sql_session *s = p->s;
    int rc = s->txn == 'E' ? (sqlc__txn_abort(s), 0) : sqlc__txn_commit(s, err);
    if (rc == 1)
        return 1;
    if (s->txn == 'E')
        snprintf(p->tag, sizeof(p->tag), "ROLLBACK");
    sqlc_settings_txn_end(s->settings, rc == 0 && s->txn == 'T');
    s->txn = 'I';
    return rc;
}

static int savepoint_stmt(sql_portal *p, const ast_txn *tx, pgw_error *err)
{
    sql_session *s = p->s;
    if (s->txn == 'I') {
        pgw_error_set(err, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION, "%s can only be used in transaction blocks",
                      tx->kind == TXN_SAVEPOINT ? "SAVEPOINT" : tx->kind == TXN_RELEASE ? "RELEASE SAVEPOINT"
                                                                                         : "ROLLBACK TO SAVEPOINT");
        return -1;
    }
    if (tx->kind == TXN_SAVEPOINT)
        return sqlc__savepoint(s, tx->savepoint, err);
    if (sqlc__release(s, tx->savepoint, tx->kind == TXN_ROLLBACK_TO, err))
        return -1;
    if (tx->kind == TXN_ROLLBACK_TO)
        s->txn = 'T';
    return 0;
}

static int run_txn(sql_portal *p, const sql_sink *sink, sql_run_status *status, pgw_error *err)
{
    sql_session *s = p->s;
    const ast_txn *tx = &p->st->ast->txn;
    snprintf(p->tag, sizeof(p->tag), "%s", p->st->ast->tag);
    switch (tx->kind) {
    case TXN_BEGIN:
    case TXN_START:
        if (s->txn != 'I') {
            notice(sink, SQLSTATE_ACTIVE_SQL_TRANSACTION, "there is already a transaction in progress");
            return apply_txn_options(s, tx, SQLC_SET_LOCAL, false, err);
        }
        s->txn = 'T';
        s->txn_ts = s->stmt_ts;
        /* a new block starts with default_transaction_read_only, as in PostgreSQL */
        if (sqlc__read_only_default(s) && sqlc_settings_set(s->settings, "transaction_read_only", "on", SQLC_SET_LOCAL,
                                                            true, err))
            return -1;
        return apply_txn_options(s, tx, SQLC_SET_LOCAL, false, err);
    case TXN_COMMIT:
        if (s->txn == 'I') {
            notice(sink, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress");
            return 0;
        }
        switch (commit_block(p, err)) {
        case 1:
            *status = SQL_RUN_BLOCKED;
            return 0;
        case 0:
            return 0;
        default:
            return -1;
        }
    case TXN_ROLLBACK:
        if (s->txn == 'I') {
            notice(sink, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress");
            return 0;
        }
        sqlc__txn_abort(s);
        sqlc_settings_txn_end(s->settings, false);
        s->txn = 'I';
        return 0;
    case TXN_SAVEPOINT:
    case TXN_RELEASE:
    case TXN_ROLLBACK_TO:
        return savepoint_stmt(p, tx, err);
    }
    return 0;
}

static int run_set(sql_portal *p, const sql_sink *sink, pgw_error *err)
{
    sql_session *s = p->s;
    const ast_set *st = &p->st->ast->set;
    bool in_block = s->txn != 'I';
    snprintf(p->tag, sizeof(p->tag), "%s", p->st->ast->tag);
    if (st->kind == SET_TXN) {
        bool chars = strcmp(st->name, "SESSION CHARACTERISTICS") == 0;
        if (!chars && !in_block) {
            notice(sink, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION, "SET TRANSACTION can only be used in transaction blocks");
            return 0;
        }
        return apply_txn_options(s, &st->txn, chars ? SQLC_SET_SESSION : SQLC_SET_LOCAL, chars, err);
    }
    if (st->kind == SET_RESET_ALL) {
        sqlc_settings_reset_all(s->settings, in_block);
        return 0;
    }
    if (st->is_local && !in_block)
        notice(sink, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION, "SET LOCAL can only be used in transaction blocks");
    const char *value = st->kind == SET_VALUE ? st->value : NULL;
    return sqlc_settings_set(s->settings, st->name, value, st->is_local ? SQLC_SET_LOCAL : SQLC_SET_SESSION,
                             in_block, err);
}

typedef struct show_ctx {
    sql_portal *p;
    const sql_sink *sink;
    long index;
    bool paused;
} show_ctx;

static void show_row(void *vctx, const char *name, const char *value, const char *desc)
{
    show_ctx *sc = vctx;
    long i = sc->index++;
    if (sc->paused || i < sc->p->show_next)
        return;
    sql_cell cells[3] = {{(const uint8_t *)name, (int32_t)strlen(name)},
                         {(const uint8_t *)value, (int32_t)strlen(value)},
                         {(const uint8_t *)desc, (int32_t)strlen(desc)}};
    sc->p->show_next = i + 1;
    sc->p->rows++;
    if (sc->sink && sc->sink->row && sc->sink->row(sc->sink->ctx, 3, cells))
        sc->paused = true;
}

static int run_show(sql_portal *p, const sql_sink *sink, sql_run_status *status, pgw_error *err)
{
    snprintf(p->tag, sizeof(p->tag), "SHOW");
    if (strcasecmp(p->st->ast->show, "all") == 0) {
        show_ctx sc = {p, sink, 0, false};
        sqlc_settings_each(p->s->settings, show_row, &sc);
        if (sc.paused) {
            p->paused = true;
            *status = SQL_RUN_PAUSED;
        }
        return 0;
    }
    const char *v = sqlc_settings_get(p->s->settings, p->st->ast->show, false, err);
    if (!v)
        return -1;
    sql_cell cell = {(const uint8_t *)v, (int32_t)strlen(v)};
    /* text's binary form is its bytes, so both formats send the same */
    if (sink && sink->row)
        sink->row(sink->ctx, 1, &cell);
    return 0;
}

int sqlc__run_utility(sql_portal *p, const sql_sink *sink, sql_run_status *status, pgw_error *err)
{
    *status = SQL_RUN_DONE;
    int rc;
    switch (p->st->ast->kind) {
    case STMT_TXN:
        rc = run_txn(p, sink, status, err);
        break;
    case STMT_NOOP:
        snprintf(p->tag, sizeof(p->tag), "%s", p->st->ast->tag);
        rc = 0;
        break;
    case STMT_CHECKPOINT:
        /* As PostgreSQL's: done when it answers (it runs on a worker). */
        snprintf(p->tag, sizeof(p->tag), "CHECKPOINT");
        rc = 0;
        if (!p->s->is_superuser) {
            pgw_error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                          "must be superuser or have privileges of pg_checkpoint to do CHECKPOINT");
            rc = -1;
        } else if (p->s->srv->cat) {
            rc = st_checkpoint(eng_catalog_db(p->s->srv->cat), err);
        }
        break;
    case STMT_SET:
        rc = run_set(p, sink, err);
        break;
    case STMT_SHOW:
        rc = run_show(p, sink, status, err);
        break;
    case STMT_ROLE:
        snprintf(p->tag, sizeof(p->tag), "%s", p->st->ast->tag);
        rc = sqlc__run_role(p, sink, err);
        break;
    case STMT_ALTER_SYSTEM:
        rc = sqlc__run_alter_system(p, err);
        break;
    default:
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "statement is not supported yet");
        rc = -1;
    }
    if (rc == 0 && *status == SQL_RUN_DONE)
        p->done = true;
    return rc;
}

bool sql_portal_wants_worker(const sql_portal *p)
{
    /* an access-method index build (HNSW) or a REINDEX takes seconds to
     * minutes, a CHECKPOINT writes every table */
    if (p->st->sel && p->st->sel->long_running)
        return true;
    const ast_stmt *a = p->st->ast;
    return a && ((a->kind == STMT_CREATE_INDEX && a->index.method) || a->kind == STMT_REINDEX ||
                 a->kind == STMT_CHECKPOINT);
}
