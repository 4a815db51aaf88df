/*
 * catalog_cons: CHECK and FOREIGN KEY constraints in the catalog: their
 * records, recovery and transactional changes (see catalog.h).
 *
 * A table's constraint array is replaced whole on every change (copy on
 * write); the array before goes to the undo log, so a rollback puts it
 * back and a commit frees it. The constraints themselves are kept by the
 * catalog until it closes.
 *
 * Record payloads (catalog.c's conventions):
 *   CAT_CONS:      u32 relid, str name, u32 oid, u32 kind, u32 ncols, ncols x u32 col,
 *                  str expr, u32 frelid, ncols x u32 fcol, u32 on_delete, u32 on_update
 *                  (a record for a name the table already has replaces that constraint)
 *   CAT_DROP_CONS: u32 relid, str name
 */
#include <string.h>

#include "engine/catalog_internal.h"
#include "util/mem.h"

eng_constraint *eng_table_constraint(const eng_table *t, const char *name, int *pos)
{
    for (int i = 0; i < t->ncons; i++) {
        if (strcmp(t->cons[i]->name, name) == 0) {
            if (pos)
                *pos = i;
            return t->cons[i];
        }
    }
    return NULL;
}

void eng__cons_free(eng_constraint *k)
{
    if (!k)
        return;
    mem_free(k->name);
    mem_free(k->cols);
    mem_free(k->fcols);
    mem_free(k->expr);
    mem_free(k);
}

/* A copy of def kept by the catalog, or NULL (out of memory). */
static eng_constraint *cons_new(eng_catalog *cat, const eng_constraint *def)
{
    eng_constraint *k = mem_calloc(1, sizeof(*k));
    size_t cb = ((size_t)def->ncols + 1) * sizeof(int);
    if (!k)
        return NULL;
    *k = *def;
    k->name = mem_strdup(def->name);
    k->cols = mem_calloc(1, cb);
    k->fcols = def->fcols ? mem_calloc(1, cb) : NULL;
    k->expr = def->expr ? mem_strdup(def->expr) : NULL;
    if (!k->name || !k->cols || (def->fcols && !k->fcols) || (def->expr && !k->expr) || eng__cat_keep_cons(cat, k)) {
        eng__cons_free(k);
        return NULL;
    }
    memcpy(k->cols, def->cols, (size_t)def->ncols * sizeof(int));
    if (def->fcols)
        memcpy(k->fcols, def->fcols, (size_t)def->ncols * sizeof(int));
    return k;
}

static void rec_cons(buf *b, const eng_table *t, const eng_constraint *k)
{
    eng__put_u32(b, t->relid);
    eng__put_str(b, k->name);
    eng__put_u32(b, k->oid);
    eng__put_u32(b, (uint32_t)k->kind);
    eng__put_u32(b, (uint32_t)k->ncols);
    for (int i = 0; i < k->ncols; i++)
        eng__put_u32(b, (uint32_t)k->cols[i]);
    eng__put_str(b, k->expr);
    eng__put_u32(b, k->frelid);
    for (int i = 0; k->fcols && i < k->ncols; i++)
        eng__put_u32(b, (uint32_t)k->fcols[i]);
    eng__put_u32(b, (uint32_t)k->on_delete);
    eng__put_u32(b, (uint32_t)k->on_update);
}

void eng__cons_records(const eng_table *t, void (*put)(buf *blob, int kind, buf *payload), buf *blob, buf *one)
{
    for (int i = 0; i < t->ncons; i++) {
        rec_cons(one, t, t->cons[i]);
        put(blob, ENG_CAT_CONS, one);
    }
}

int eng__cons_log(st_txn *txn, const eng_table *t, pgw_error *err)
{
    for (int i = 0; i < t->ncons; i++) {
        buf b;
        buf_init(&b);
        rec_cons(&b, t, t->cons[i]);
        if (eng__log_rec(txn, t->relid, ENG_CAT_CONS, &b, err))
            return -1;
    }
    return 0;
}

/* t's constraints become v (n long, mem-allocated); the array before is freed (recovery)
 * or handed to the undo log (log not NULL). */
static int set_cons(eng_table *t, eng_ddl_log *log, eng_constraint **v, int n, pgw_error *err)
{
    eng_constraint **old = t->cons;
    int oldn = t->ncons;
    if (log && eng__ddl_log_cons(log, t, old, oldn, err)) {
        mem_free(v);
        return -1;
    }
    if (!log)
        mem_free(old);
    t->cons = v;
    t->ncons = n;
    return 0;
}

/* t's array without position `skip` (-1: none) and with k appended (NULL: none). */
static eng_constraint **cons_array(const eng_table *t, int skip, eng_constraint *k, int *n)
{
    eng_constraint **v = mem_calloc((size_t)t->ncons + 2, sizeof(*v));
    if (!v)
        return NULL;
    *n = 0;
    for (int i = 0; i < t->ncons; i++)
        if (i != skip)
            v[(*n)++] = t->cons[i];
    if (k)
        v[(*n)++] = k;
    return v;
}

int eng__cons_apply(eng_catalog *cat, eng_table *t, uint32_t kind, eng_rd *r, arena *a, pgw_error *err)
{
    char *name = eng__get_str(r, a);
    if (r->bad || !name)
        goto bad;
    if (!t)
        return 0;
    eng_constraint def = {.name = name};
    if (kind == ENG_CAT_CONS) {
        def.oid = eng__get_u32(r);
        def.kind = (char)eng__get_u32(r);
        def.ncols = (int)eng__get_u32(r);
        if (r->bad || def.ncols < 0 || def.ncols > 1600)
            goto bad;
        def.cols = arena_calloc(a, (size_t)def.ncols + 1, sizeof(int));
        def.fcols = def.kind == 'f' ? arena_calloc(a, (size_t)def.ncols + 1, sizeof(int)) : NULL;
        if (!def.cols || (def.kind == 'f' && !def.fcols))
            return pgw_error_oom(err), -1;
        for (int i = 0; i < def.ncols; i++)
            def.cols[i] = (int)eng__get_u32(r);
        def.expr = eng__get_str(r, a);
        def.frelid = eng__get_u32(r);
        for (int i = 0; def.fcols && i < def.ncols; i++)
            def.fcols[i] = (int)eng__get_u32(r);
        def.on_delete = (char)eng__get_u32(r);
        def.on_update = (char)eng__get_u32(r);
        if (r->bad)
            goto bad;
        def.oid = eng__note_oid(cat, def.oid);
    }
    int pos = -1, n;
    eng_table_constraint(t, name, &pos);
    eng_constraint *k = kind == ENG_CAT_CONS ? cons_new(cat, &def) : NULL;
    eng_constraint **v = (kind != ENG_CAT_CONS || k) ? cons_array(t, pos, k, &n) : NULL;
    if (!v)
        return pgw_error_oom(err), -1;
    return set_cons(t, NULL, v, n, err);
bad:
    pgw_error_set(err, ST_SQLSTATE_DATA_CORRUPTED, "malformed catalog record (kind %u)", kind);
    return -1;
}

int eng__cons_put(eng_catalog *cat, eng_table *t, const eng_constraint *def)
{
    eng_constraint *k = cons_new(cat, def);
    int n;
    eng_constraint **v = k ? cons_array(t, -1, k, &n) : NULL;
    if (!v)
        return -1;
    mem_free(t->cons);
    t->cons = v;
    t->ncons = n;
    return 0;
}

/* A logged copy of def into t: appended (pos -1) or in place of the constraint at pos. */
static int put_cons(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, int pos,
                    const eng_constraint *def, pgw_error *err)
{
    eng_constraint *k = cons_new(cat, def);
    int n;
    eng_constraint **v = k ? cons_array(t, -1, pos < 0 ? k : NULL, &n) : NULL;
    if (!v)
        return pgw_error_oom(err), -1;
    if (pos >= 0)
        v[pos] = k;
    buf b;
    buf_init(&b);
    rec_cons(&b, t, k);
    if (eng__log_rec(txn, t->relid, ENG_CAT_CONS, &b, err)) {
        mem_free(v);
        return -1;
    }
    return set_cons(t, log, v, n, err);
}

int eng_catalog_add_constraint(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t,
                               const eng_constraint *def, pgw_error *err)
{
    eng_constraint d = *def;
    d.oid = eng__note_oid(cat, 0);
    return put_cons(cat, txn, log, t, -1, &d, err);
}

int eng_catalog_drop_constraint(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, int pos,
                                pgw_error *err)
{
    (void)cat;
    int n;
    eng_constraint **v = cons_array(t, pos, NULL, &n);
    if (!v)
        return pgw_error_oom(err), -1;
    buf b;
    buf_init(&b);
    eng__put_u32(&b, t->relid);
    eng__put_str(&b, t->cons[pos]->name);
    if (eng__log_rec(txn, t->relid, ENG_CAT_DROP_CONS, &b, err)) {
        mem_free(v);
        return -1;
    }
    return set_cons(t, log, v, n, err);
}

int eng_catalog_replace_constraint(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, int pos,
                                   const eng_constraint *def, pgw_error *err)
{
    return put_cons(cat, txn, log, t, pos, def, err);
}

int eng_catalog_replace_check(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, int pos,
                              const char *expr, pgw_error *err)
{
    eng_constraint d = *t->cons[pos];
    d.expr = (char *)expr;
    return eng_catalog_replace_constraint(cat, txn, log, t, pos, &d, err);
}
