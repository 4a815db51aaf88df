/*
 * temp_tables: the session side of temporary tables (engine/temp.h) —
 * name lookup for the statements of a session, the drop of its temporary
 * tables when it ends, and the drop of leftovers (a crash's) at start-up.
 * The drops run in a transaction of their own, committed without waiting
 * for the WAL flush: should it be lost, the next start-up drops them again.
 */
#include <time.h>

#include "engine/seq.h"
#include "engine/temp.h"
#include "sql-compat/session.h"
#include "util/mem.h"

eng_table *sqlc__find_table(sql_session *s, const char *name)
{
    return eng_temp_find(s->srv->cat, s->backend_pid, name);
}

/* Drop the temporary tables of pid (every one when pid < 0) in one transaction. */
static void drop_temp(eng_catalog *cat, int32_t pid)
{
    pgw_error err;
    eng_catalog_rdlock(cat);
    bool any = eng_temp_any(cat, pid);
    eng_catalog_unlock(cat);
    if (!any)
        return; /* the common case: no transaction at all */
    eng_ddl_log *log = eng_ddl_log_new();
    st_txn *txn = log ? st_txn_begin(eng_catalog_db(cat), &err) : NULL;
    if (!txn) {
        eng_ddl_log_free(log);
        return;
    }
    eng_catalog_wrlock(cat);
    int n = eng_temp_drop_all(cat, txn, log, pid, &err);
    eng_catalog_unlock(cat);
    st_txn_set_synchronous_commit(txn, false);
    int rc = n > 0 ? st_commit(txn, &err) : ST_ERROR;
    while (rc == ST_WOULD_BLOCK) {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
        rc = st_commit(txn, &err);
    }
    if (rc == ST_OK)
        eng_ddl_log_commit(cat, log);
    else
        eng_ddl_log_rollback(cat, log);
    st_txn_free(txn); /* rolls back what an uncommitted one did */
    eng_ddl_log_free(log);
}

void sqlc__temp_session_end(sql_session *s)
{
    if (s->srv->cat)
        drop_temp(s->srv->cat, s->backend_pid);
}

void sqlc__temp_startup(eng_catalog *cat)
{
    drop_temp(cat, -1);
}

int sqlc__temp_on_commit_drop(sql_session *s, const char *name, pgw_error *err)
{
    if (s->noc_drop == s->capoc_drop) {
        int nc = s->capoc_drop ? s->capoc_drop * 2 : 4;
        char **v = mem_realloc(s->oc_drop, (size_t)nc * sizeof(char *));
        if (!v)
            return pgw_error_oom(err), -1;
        s->oc_drop = v;
        s->capoc_drop = nc;
    }
    if (!(s->oc_drop[s->noc_drop] = mem_strdup(name)))
        return pgw_error_oom(err), -1;
    s->noc_drop++;
    return 0;
}

int sqlc__temp_on_commit_delete(sql_session *s, uint32_t relid, pgw_error *err)
{
    if (s->noc_delete == s->capoc_delete) {
        int nc = s->capoc_delete ? s->capoc_delete * 2 : 4;
        uint32_t *v = mem_realloc(s->oc_delete, (size_t)nc * sizeof(uint32_t));
        if (!v)
            return pgw_error_oom(err), -1;
        s->oc_delete = v;
        s->capoc_delete = nc;
    }
    s->oc_delete[s->noc_delete++] = relid;
    return 0;
}

static eng_table *table_by_relid(eng_catalog *cat, uint32_t relid)
{
    eng_table *t;
    for (size_t i = 0; (t = eng_catalog_table_at(cat, i)); i++)
        if (t->relid == relid)
            return t;
    return NULL;
}

/* Empty the session's ON COMMIT DELETE ROWS tables in its transaction; a
 * table gone (dropped, or its CREATE rolled back) leaves the list. Only this
 * session sees them, so no row can be locked by another. */
static int commit_deletes(sql_session *s, pgw_error *err)
{
    eng_catalog *cat = s->srv->cat;
    int kept = 0, rc = 0;
    eng_catalog_rdlock(cat);
    st_stmt_begin(s->stx); /* a snapshot that sees the transaction's last statement */
    for (int i = 0; i < s->noc_delete; i++) {
        eng_table *t = table_by_relid(cat, s->oc_delete[i]);
        if (!t)
            continue;
        s->oc_delete[kept++] = s->oc_delete[i];
        st_scan sc;
        st_row r;
        st_scan_init(&sc, s->stx, t->st);
        while (!rc && st_scan_next(&sc, &r))
            rc = st_delete(s->stx, t->st, r.rowid, err) == ST_OK ? 0 : -1;
    }
    if (rc)
        st_stmt_rollback(s->stx);
    else
        st_stmt_end(s->stx);
    eng_catalog_unlock(cat);
    s->noc_delete = kept;
    return rc;
}

int sqlc__temp_commit_drops(sql_session *s, pgw_error *err)
{
    eng_catalog *cat = s->srv->cat;
    int rc = 0;
    if (s->noc_delete && commit_deletes(s, err))
        return -1;
    if (!s->noc_drop)
        return 0;
    eng_catalog_wrlock(cat);
    for (int i = 0; i < s->noc_drop && !rc; i++) {
        eng_table *t = eng_catalog_find(cat, s->oc_drop[i]); /* NULL: dropped by hand meanwhile */
        rc = t ? eng_seq_drop_table(cat, s->stx, s->ddl, t, err) : 0;
    }
    eng_catalog_unlock(cat);
    sqlc__temp_forget_drops(s);
    return rc;
}

void sqlc__temp_forget_drops(sql_session *s)
{
    for (int i = 0; i < s->noc_drop; i++)
        mem_free(s->oc_drop[i]);
    s->noc_drop = 0;
}
