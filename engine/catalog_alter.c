/*
 * catalog_alter: ALTER TABLE's catalog changes (see catalog.h). ADD and DROP
 * COLUMN replace the table by a new one over the same storage (old plans
 * then find the old one dropped, never a row decoded with the wrong
 * columns); RENAME changes a name in place. Each logs the table's whole
 * definition, so that recovery rebuilds it as it now is, and pushes an undo
 * entry that catalog.c's rollback reverses.
 */
#include <string.h>

#include "engine/catalog.h"
#include "engine/catalog_internal.h"
#include "util/buf.h"
#include "util/mem.h"

static int log_definition(st_txn *txn, const eng_table *t, pgw_error *err)
{
    buf b;
    buf_init(&b);
    eng__cat_rec_create(&b, t);
    int rc = eng__log_rec(txn, t->relid, CAT_CREATE, &b, err);
    for (int k = 0; !rc && k < t->nindexes; k++) {
        buf_init(&b);
        eng__cat_rec_index(&b, t, t->indexes[k]);
        rc = eng__log_rec(txn, t->relid, CAT_INDEX, &b, err);
    }
    return rc ? rc : eng__cons_log(txn, t, err);
}

int eng_catalog_add_column(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, const eng_column *col,
                           eng_table **out, pgw_error *err)
{
    eng_column *cols = mem_calloc((size_t)t->ncols + 2, sizeof(eng_column));
    if (!cols)
        return pgw_error_oom(err), -1;
    memcpy(cols, t->cols, (size_t)t->ncols * sizeof(eng_column));
    cols[t->ncols] = *col;
    eng_table *nt = eng__cat_table_new(t->relid, t->name, t->ncols + 1, cols);
    mem_free(cols);
    if (!nt || eng__cat_add_table(cat, nt)) {
        eng__cat_table_free(nt);
        return pgw_error_oom(err), -1;
    }
    /* the indexes move to the replacement; plans bound to t now find it dropped (42P01) */
    nt->st = t->st;
    eng__cat_move_parts(nt, t);
    t->dropped = true;
    if (log_definition(txn, nt, err) || eng__cat_log_push(log, CAT_REPLACE, t, NULL, err)) {
        t->dropped = false;
        eng__cat_move_parts(t, nt);
        nt->dropped = true;
        return -1;
    }
    log->v[log->n - 1].nt = nt;
    *out = nt;
    return 0;
}

/* t's index ix for nt, where column col is gone: its contents borrowed (keys are values, row
 * ids stay), its columns renumbered; NULL with nothing done when ix reads col. */
static int narrow_index(eng_table *nt, const eng_index *ix, int col, pgw_error *err)
{
    int cols[64];
    for (int i = 0; i < ix->ncols; i++) {
        if (ix->cols[i] == col)
            return 0;
        cols[i] = ix->cols[i] - (ix->cols[i] > col);
    }
    eng_index *n = mem_calloc(1, sizeof(*n));
    if (!n || !(n->name = mem_strdup(ix->name)) || !(n->cols = mem_calloc((size_t)ix->ncols + 1, sizeof(int)))) {
        eng__index_free(n);
        return pgw_error_oom(err), -1;
    }
    memcpy(n->cols, cols, sizeof(int) * (size_t)ix->ncols);
    n->ncols = ix->ncols;
    n->relid = ix->relid;
    n->unique = ix->unique;
    n->primary = ix->primary;
    n->keys = ix->keys;
    n->amx = ix->amx;
    n->borrowed = true;
    if (eng__cat_attach_index(nt, n)) {
        eng__index_free(n);
        return pgw_error_oom(err), -1;
    }
    return 0;
}

int eng_catalog_drop_column(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, int col,
                            const eng_constraint *const *cons, int ncons, eng_table **out, pgw_error *err)
{
    eng_column *cols = mem_calloc((size_t)t->ncols + 1, sizeof(eng_column));
    if (!cols)
        return pgw_error_oom(err), -1;
    memcpy(cols, t->cols, (size_t)col * sizeof(eng_column));
    memcpy(cols + col, t->cols + col + 1, (size_t)(t->ncols - col - 1) * sizeof(eng_column));
    eng_table *nt = eng__cat_table_new(t->relid, t->name, t->ncols - 1, cols);
    mem_free(cols);
    if (!nt || eng__cat_add_table(cat, nt)) {
        if (nt)
            eng__cat_table_free(nt);
        return pgw_error_oom(err), -1;
    }
    nt->st = t->st;
    nt->dropped = true; /* until it is complete */
    for (int i = 0; i < t->nindexes; i++)
        if (narrow_index(nt, t->indexes[i], col, err))
            return -1;
    for (int i = 0; i < ncons; i++)
        if (eng__cons_put(cat, nt, cons[i]))
            return pgw_error_oom(err), -1;
    if (log_definition(txn, nt, err) || eng__cat_log_push(log, CAT_NARROW, t, NULL, err))
        return -1;
    log->v[log->n - 1].nt = nt;
    t->dropped = true;
    nt->dropped = false;
    *out = nt;
    return 0;
}

int eng_catalog_rename(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, int col, const char *name,
                       pgw_error *err)
{
    (void)cat;
    char *nn = mem_strdup(name), **slot = eng__cat_rename_slot(t, col), *old = *slot;
    if (!nn)
        return pgw_error_oom(err), -1;
    *slot = nn;
    if (log_definition(txn, t, err) || eng__cat_log_push(log, CAT_RENAME, t, NULL, err)) {
        *slot = old;
        mem_free(nn);
        return -1;
    }
    log->v[log->n - 1].col = col;
    log->v[log->n - 1].old_name = old;
    return 0;
}

