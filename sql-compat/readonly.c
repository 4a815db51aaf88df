/*
 * readonly: what a read-only transaction (BEGIN READ ONLY, SET TRANSACTION
 * READ ONLY, default_transaction_read_only) refuses, with PostgreSQL's
 * 25006: every statement that changes the catalog, and INSERT / UPDATE /
 * DELETE / COPY FROM unless their table is a temporary one.
 */
#include <string.h>

#include "engine/temp.h"
#include "sql-compat/session.h"
#include "sql-compat/stmt.h"

/* The table a DML statement writes, NULL for other statements. */
static const char *dml_target(const ast_stmt *a)
{
    switch (a->kind) {
    case STMT_INSERT:
        return a->insert.relname;
    case STMT_UPDATE:
    case STMT_DELETE:
        return a->update.relname;
    case STMT_COPY:
        return a->copy.is_from ? a->copy.relname : NULL;
    default:
        return NULL;
    }
}

/* The command PostgreSQL names in the error, NULL when a read-only transaction may run it. */
static const char *writer_name(sql_session *s, const ast_stmt *a)
{
    static const char *const dml[] = {[STMT_INSERT] = "INSERT", [STMT_UPDATE] = "UPDATE", [STMT_DELETE] = "DELETE",
                                      [STMT_COPY] = "COPY FROM"};
    const char *target = dml_target(a);
    if (target) {
        eng_table *t = sqlc__find_table(s, target);
        return t && eng_table_is_temp(t) ? NULL : dml[a->kind];
    }
    switch (a->kind) {
    case STMT_CREATE_TABLE: case STMT_DROP: case STMT_TRUNCATE: case STMT_ALTER_ADD: case STMT_CREATE_INDEX:
    case STMT_REINDEX: case STMT_CREATE_EXT: case STMT_DROP_EXT: case STMT_GRANT: case STMT_CREATE_SEQ:
    case STMT_DROP_SEQ: case STMT_RENAME: case STMT_ADD_COLUMN:
        return a->tag ? a->tag : "this statement";
    default:
        return NULL;
    }
}

static bool setting_on(sql_session *s, const char *name)
{
    const char *v = sqlc_settings_get(s->settings, name, true, NULL);
    return v && strcmp(v, "on") == 0;
}

bool sqlc__read_only_default(sql_session *s)
{
    return setting_on(s, "default_transaction_read_only");
}

int sqlc__check_read_only(sql_portal *p, pgw_error *err)
{
    const ast_stmt *a = p->st->ast;
    /* outside a block the statement's own transaction takes the default */
    if (!a || !setting_on(p->s, p->s->txn == 'I' ? "default_transaction_read_only" : "transaction_read_only"))
        return 0;
    eng_catalog *cat = p->s->srv->cat;
    eng_catalog_rdlock(cat);
    const char *what = writer_name(p->s, a);
    eng_catalog_unlock(cat);
    if (!what)
        return 0;
    pgw_error_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION, "cannot execute %s in a read-only transaction", what);
    return -1;
}
