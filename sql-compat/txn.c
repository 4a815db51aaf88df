/*
 * txn: the storage transaction under a session. It begins lazily with the
 * first statement that touches a table, ends at COMMIT/ROLLBACK (or at the
 * end of an autocommit statement), and never blocks the calling thread:
 * a commit waiting for its WAL flush answers 1, and storage calls the
 * session's waker when it is durable. DDL undo (eng_ddl_log) follows the
 * transaction's fate. User savepoints map names to storage levels.
 */
#include <string.h>
#include <time.h>

#include "engine/catalog.h"
#include "sql-compat/parse.h"
#include "sql-compat/session.h"
#include "util/mem.h"

static void stx_wake(void *ctx)
{
    sql_session *s = ctx;
    if (s->waker)
        s->waker(s->waker_ctx);
}

int sqlc__txn_ensure(sql_session *s, pgw_error *err)
{
    if (s->stx)
        return 0;
    if (!s->srv->cat) {
        pgw_error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "tables are not available on this server");
        return -1;
    }
    if (!s->ddl && !(s->ddl = eng_ddl_log_new()))
        return pgw_error_oom(err), -1;
    s->stx = st_txn_begin(eng_catalog_db(s->srv->cat), err);
    if (!s->stx)
        return -1;
    st_txn_set_waker(s->stx, stx_wake, s);
    return 0;
}

static void clear_savepoints(sql_session *s)
{
    for (int i = 0; i < s->nsp; i++)
        mem_free(s->sp_names[i]);
    s->nsp = 0;
}

int sqlc__txn_commit(sql_session *s, pgw_error *err)
{
    if (!s->stx)
        return 0;
    /* The value at commit counts, as in PostgreSQL; every level but off
     * waits for the local flush (there are no standbys). */
    const char *sc = sqlc_settings_get(s->settings, "synchronous_commit", true, NULL);
    st_txn_set_synchronous_commit(s->stx, !sc || strcmp(sc, "off") != 0);
    int rc = !s->committing && sqlc__temp_commit_drops(s, err) ? ST_ERROR : ST_OK;
    if (rc == ST_OK)
        rc = st_commit(s->stx, err);
    else
        st_rollback(s->stx);
    if (rc == ST_WOULD_BLOCK) {
        s->committing = true;
        return 1;
    }
    s->committing = false;
    st_txn_free(s->stx);
    s->stx = NULL;
    clear_savepoints(s);
    if (rc == ST_OK) {
        eng_stat_add(ENG_STAT_XACT_COMMIT, 1);
        eng_ddl_log_commit(s->srv->cat, s->ddl);
        return 0;
    }
    eng_stat_add(ENG_STAT_XACT_ROLLBACK, 1);
    eng_ddl_log_rollback(s->srv->cat, s->ddl);
    return -1;
}

void sqlc__txn_abort(sql_session *s)
{
    if (!s->stx)
        return;
    while (s->committing) {
        /* only at session end: a pending commit must finish before the free */
        pgw_error e;
        if (sqlc__txn_commit(s, &e) != 1)
            return;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    st_rollback(s->stx);
    eng_stat_add(ENG_STAT_XACT_ROLLBACK, 1);
    st_txn_free(s->stx);
    s->stx = NULL;
    clear_savepoints(s);
    sqlc__temp_forget_drops(s);
    eng_ddl_log_rollback(s->srv->cat, s->ddl);
}

int sqlc__savepoint(sql_session *s, const char *name, pgw_error *err)
{
    if (sqlc__txn_ensure(s, err))
        return -1;
    if (s->nsp == s->capsp) {
        int nc = s->capsp ? s->capsp * 2 : 8;
        char **nv = mem_realloc(s->sp_names, (size_t)nc * sizeof(char *));
        if (nv)
            s->sp_names = nv;
        int *lv = nv ? mem_realloc(s->sp_levels, (size_t)nc * sizeof(int)) : NULL;
        if (!lv)
            return pgw_error_oom(err), -1;
        s->sp_levels = lv;
        s->capsp = nc;
    }
    char *copy = mem_strdup(name);
    if (!copy)
        return pgw_error_oom(err), -1;
    int level = st_savepoint(s->stx, err);
    if (level < 0) {
        mem_free(copy);
        return -1;
    }
    s->sp_names[s->nsp] = copy;
    s->sp_levels[s->nsp++] = level;
    return 0;
}

int sqlc__release(sql_session *s, const char *name, bool rollback, pgw_error *err)
{
    int i = s->nsp;
    while (i-- > 0)
        if (strcmp(s->sp_names[i], name) == 0)
            break;
    if (i < 0 || !s->stx) {
        pgw_error_set(err, SQLSTATE_INVALID_SAVEPOINT_SPECIFICATION, "savepoint \"%s\" does not exist", name);
        return -1;
    }
    int keep = rollback ? i + 1 : i;
    if (rollback)
        st_rollback_to(s->stx, s->sp_levels[i]);
    else
        st_release(s->stx, s->sp_levels[i]);
    while (s->nsp > keep)
        mem_free(s->sp_names[--s->nsp]);
    return 0;
}

/* The session's parse tree of "SELECT (text)": parsed once and kept until the session
 * ends, as the ASTs made from it point into it and live as long as prepared statements. */
static sqlc_parsed *default_tree(sql_session *s, const char *q, pgw_error *err)
{
    for (int i = 0; i < s->ndefaults; i++)
        if (strcmp(sqlc_text(s->defaults[i]), q) == 0)
            return s->defaults[i];
    if (s->ndefaults == s->capdefaults) {
        int nc = s->capdefaults ? s->capdefaults * 2 : 8;
        sqlc_parsed **v = mem_realloc(s->defaults, (size_t)nc * sizeof(*v));
        if (!v)
            return pgw_error_oom(err), NULL;
        s->defaults = v;
        s->capdefaults = nc;
    }
    sqlc_parsed *p;
    if (sqlc_parse(q, &p, err))
        return NULL;
    s->defaults[s->ndefaults++] = p;
    return p;
}

ast_expr *sqlc__parse_default(void *ctx, arena *a, const char *text, pgw_error *err)
{
    char *q = arena_printf(a, "SELECT (%s)", text);
    sqlc_parsed *p = q ? default_tree(ctx, q, err) : (pgw_error_oom(err), NULL);
    ast_stmt *st;
    if (!p || sqlc_translate(p, 0, a, &st, err) || st->kind != STMT_SELECT || st->select.ntargets != 1)
        return NULL;
    return st->select.targets[0].expr;
}
