/*
 * catalog: tables, indexes, transactional DDL and its undo, and the
 * catalog's records (see catalog.h). ALTER TABLE is catalog_alter.c;
 * checkpoints and recovery are catalog_recover.c.
 *
 * Persistence: every DDL writes an engine redo record (st_log_engine) into
 * its transaction, and checkpoints carry the whole catalog as one blob of
 * the same records, so recovery is "apply the blob's records, then the
 * WAL's": each record is idempotent (a create of a known relid replaces
 * it, a drop of an unknown one is skipped). Index contents are files of the
 * checkpoint (catalog_persist.c), loaded at recovery with the WAL's rows
 * replayed into them; an index without a usable image (created after the
 * checkpoint, or its file damaged) is rebuilt by a scan after recovery
 * (access-method indexes such as HNSW on all cores, catalog_am.c).
 *
 * Record payloads (little-endian; str = u32 length + bytes, 0xFFFFFFFF = NULL):
 *   CAT_CREATE: u32 relid, str name, u16 ncols, ncols x (str name, u32 type,
 *               i32 typmod, u8 notnull, str default)
 *   CAT_DROP:   u32 relid
 *   CAT_INDEX:  u32 relid, str name, u8 unique, u8 primary, u16 ncols, ncols x u16 col,
 *               u32 index relid, then for an access-method index only: str am,
 *               str opclass, i32 typmod, 4 x i32 options (their meaning is the access
 *               method's, see am.h)
 *   CAT_DROP_INDEX: u32 relid, str name
 *   CAT_EXT:    u32 oid, str name, str version, str schema
 *   CAT_DROP_EXT: u32 oid
 *   CAT_ACL:    u32 object oid, str role, u32 privilege bits (the new value)
 * (the fixed-size fields are written as u32 whatever their range)
 */
#include "engine/catalog.h"
#include "engine/catalog_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "engine/seq.h"
#include "engine/types/types.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"


/* ---- lookup ---------------------------------------------------------- */

/* The catalog this thread holds the write lock of, and how many read locks it took
 * inside it: DDL evaluates expressions (a DEFAULT filling rows, a regclass cast) that
 * take the read lock, which a rwlock would refuse to its own writer. */
static _Thread_local eng_catalog *tl_writer;
static _Thread_local int tl_nested;

void eng_catalog_rdlock(eng_catalog *cat)
{
    if (tl_writer == cat) {
        tl_nested++;
        return;
    }
    pthread_rwlock_rdlock(&cat->lock);
}

void eng_catalog_wrlock(eng_catalog *cat)
{
    pthread_rwlock_wrlock(&cat->lock);
    tl_writer = cat;
    tl_nested = 0;
}

void eng_catalog_unlock(eng_catalog *cat)
{
    if (tl_writer == cat) {
        if (tl_nested > 0) {
            tl_nested--;
            return;
        }
        tl_writer = NULL;
    }
    pthread_rwlock_unlock(&cat->lock);
}
st_db *eng_catalog_db(eng_catalog *cat) { return cat->db; }

eng_table *eng_catalog_find(eng_catalog *cat, const char *name)
{
    for (size_t i = cat->ntables; i-- > 0;)
        if (!cat->tables[i]->dropped && strcmp(cat->tables[i]->name, name) == 0)
            return cat->tables[i];
    return NULL;
}

eng_table *eng_catalog_next(eng_catalog *cat, size_t *cursor)
{
    while (*cursor < cat->ntables) {
        eng_table *t = cat->tables[(*cursor)++];
        if (!t->dropped)
            return t;
    }
    return NULL;
}

eng_table *eng_catalog_table_at(eng_catalog *cat, size_t i)
{
    for (size_t k = 0; k < cat->ntables; k++)
        if (!cat->tables[k]->dropped && i-- == 0)
            return cat->tables[k];
    return NULL;
}

eng_table *eng_catalog_find_relid(eng_catalog *cat, uint32_t relid)
{
    for (size_t i = cat->ntables; i-- > 0;)
        if (!cat->tables[i]->dropped && cat->tables[i]->relid == relid)
            return cat->tables[i];
    return NULL;
}

eng_table *eng_catalog_find_index(eng_catalog *cat, const char *name, int *pos)
{
    for (size_t i = 0; i < cat->ntables; i++) {
        eng_table *t = cat->tables[i];
        for (int k = 0; !t->dropped && k < t->nindexes; k++) {
            if (strcmp(t->indexes[k]->name, name) == 0) {
                *pos = k;
                return t;
            }
        }
    }
    return NULL;
}

int eng_table_column(const eng_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- building structs ------------------------------------------------ */

eng_table *eng__cat_table_new(uint32_t relid, const char *name, int ncols, const eng_column *cols)
{
    eng_table *t = mem_calloc(1, sizeof(*t));
    if (!t || !(t->name = mem_strdup(name)) || !(t->cols = mem_calloc((size_t)ncols + 1, sizeof(eng_column))))
        goto fail;
    t->relid = relid;
    t->ncols = ncols;
    for (int i = 0; i < ncols; i++) {
        t->cols[i] = cols[i];
        t->cols[i].name = mem_strdup(cols[i].name);
        t->cols[i].def = cols[i].def ? mem_strdup(cols[i].def) : NULL;
        if (!t->cols[i].name || (cols[i].def && !t->cols[i].def))
            goto fail;
    }
    return t;
fail:
    if (t) {
        for (int i = 0; t->cols && i < ncols; i++) {
            mem_free(t->cols[i].name);
            mem_free(t->cols[i].def);
        }
        mem_free(t->cols);
        mem_free(t->name);
        mem_free(t);
    }
    return NULL;
}

static void index_free(eng_index *ix)
{
    if (!ix)
        return;
    if (!ix->borrowed) {
        eng_keyidx_free(ix->keys);
        eng_amidx_free(ix->amx);
    }
    mem_free(ix->cols);
    mem_free(ix->name);
    mem_free(ix);
}

void eng__cat_table_free(eng_table *t)
{
    for (int i = 0; i < t->nindexes; i++)
        index_free(t->indexes[i]);
    mem_free(t->indexes);
    mem_free(t->cons);
    for (int i = 0; i < t->ncols; i++) {
        mem_free(t->cols[i].name);
        mem_free(t->cols[i].def);
    }
    mem_free(t->cols);
    mem_free(t->name);
    mem_free(t);
}

int eng__cat_add_table(eng_catalog *cat, eng_table *t)
{
    if (cat->ntables == cat->cap) {
        size_t nc = cat->cap ? cat->cap * 2 : 16;
        eng_table **v = mem_realloc(cat->tables, nc * sizeof(*v));
        if (!v)
            return -1;
        cat->tables = v;
        cat->cap = nc;
    }
    cat->tables[cat->ntables++] = t;
    if (t->relid >= cat->next_relid)
        cat->next_relid = t->relid + 1;
    return 0;
}

int eng__cat_attach_index(eng_table *t, eng_index *ix)
{
    eng_index **v = mem_realloc(t->indexes, ((size_t)t->nindexes + 1) * sizeof(*v));
    if (!v)
        return -1;
    t->indexes = v;
    /* the primary key first: lookups try it first */
    if (ix->primary) {
        memmove(v + 1, v, (size_t)t->nindexes * sizeof(*v));
        v[0] = ix;
    } else {
        v[t->nindexes] = ix;
    }
    t->nindexes++;
    return 0;
}

void eng__cat_detach_index(eng_table *t, eng_index *ix)
{
    for (int i = 0; i < t->nindexes; i++) {
        if (t->indexes[i] == ix) {
            memmove(&t->indexes[i], &t->indexes[i + 1], (size_t)(t->nindexes - i - 1) * sizeof(eng_index *));
            t->nindexes--;
            return;
        }
    }
}

/* A key index, or with am an access-method index (NULL with err filled). */
eng_index *eng__cat_index_new(const char *name, const int *cols, int ncols, bool unique, bool primary,
                            const eng_am *am, const eng_am_def *def, pgw_error *err)
{
    eng_index *ix = mem_calloc(1, sizeof(*ix));
    if (!ix || !(ix->name = mem_strdup(name)) || !(ix->cols = mem_calloc((size_t)ncols + 1, sizeof(int))) ||
        (am ? !(ix->amx = eng_amidx_new(am, def, err)) : !(ix->keys = eng_keyidx_new()))) {
        if (!pgw_error_is_set(err))
            pgw_error_oom(err);
        index_free(ix);
        return NULL;
    }
    memcpy(ix->cols, cols, (size_t)ncols * sizeof(int));
    ix->ncols = ncols;
    ix->unique = unique;
    ix->primary = primary;
    return ix;
}

/* ---- records --------------------------------------------------------- */

void eng__put_u32(buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_append(b, x, 4);
}

void eng__put_str(buf *b, const char *s)
{
    if (!s) {
        eng__put_u32(b, 0xFFFFFFFFu);
        return;
    }
    eng__put_u32(b, (uint32_t)strlen(s));
    buf_append(b, s, strlen(s));
}

void eng__cat_rec_create(buf *b, const eng_table *t)
{
    eng__put_u32(b, t->relid);
    eng__put_str(b, t->name);
    eng__put_u32(b, (uint32_t)t->ncols);
    for (int i = 0; i < t->ncols; i++) {
        eng__put_str(b, t->cols[i].name);
        eng__put_u32(b, t->cols[i].type);
        eng__put_u32(b, (uint32_t)t->cols[i].typmod);
        eng__put_u32(b, t->cols[i].notnull);
        eng__put_str(b, t->cols[i].def);
    }
}

void eng__cat_rec_index(buf *b, const eng_table *t, const eng_index *ix)
{
    eng__put_u32(b, t->relid);
    eng__put_str(b, ix->name);
    eng__put_u32(b, ix->unique);
    eng__put_u32(b, ix->primary);
    eng__put_u32(b, (uint32_t)ix->ncols);
    for (int i = 0; i < ix->ncols; i++)
        eng__put_u32(b, (uint32_t)ix->cols[i]);
    eng__put_u32(b, ix->relid);
    if (!ix->amx)
        return;
    const eng_am_def *d = eng_amidx_def(ix->amx);
    eng__put_str(b, eng_amidx_am(ix->amx)->name);
    eng__put_str(b, d->opclass->name);
    eng__put_u32(b, (uint32_t)d->typmod);
    for (int i = 0; i < 4; i++)
        eng__put_u32(b, (uint32_t)d->opt[i]);
}


uint32_t eng__get_u32(eng_rd *r)
{
    if (r->end - r->p < 4) {
        r->bad = true;
        return 0;
    }
    uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
    r->p += 4;
    return v;
}

/* A NUL-terminated copy in a (NULL for a NULL string or a bad record). */
char *eng__get_str(eng_rd *r, arena *a)
{
    uint32_t n = eng__get_u32(r);
    if (r->bad || n == 0xFFFFFFFFu)
        return NULL;
    if ((size_t)(r->end - r->p) < n) {
        r->bad = true;
        return NULL;
    }
    char *s = arena_strndup(a, (const char *)r->p, n);
    r->p += n;
    if (!s)
        r->bad = true;
    return s;
}

int eng__log_rec(st_txn *txn, uint32_t relid, int kind, buf *b, pgw_error *err)
{
    if (b->failed) {
        buf_free(b);
        return pgw_error_oom(err), -1;
    }
    int rc = st_log_engine(txn, relid, (uint32_t)kind, b->data, b->len, err);
    buf_free(b);
    return rc;
}

/* An OID read back from a record keeps the counter past it; 0 (a record
 * from before the field existed) takes a fresh one. */
uint32_t eng__note_oid(eng_catalog *cat, uint32_t oid)
{
    if (!oid)
        return cat->next_relid++;
    if (oid >= cat->next_relid)
        cat->next_relid = oid + 1;
    return oid;
}

static eng_extension *ext_by_name(eng_catalog *cat, const char *name)
{
    for (size_t i = 0; i < cat->nexts; i++)
        if (!cat->exts[i]->dropped && strcmp(cat->exts[i]->name, name) == 0)
            return cat->exts[i];
    return NULL;
}

static void ext_free(eng_extension *e)
{
    if (!e)
        return;
    mem_free(e->name);
    mem_free(e->version);
    mem_free(e->schema);
    mem_free(e);
}

static eng_extension *ext_add(eng_catalog *cat, uint32_t oid, const char *name, const char *version,
                              const char *schema)
{
    eng_extension *e = mem_calloc(1, sizeof(*e));
    if (!e || !(e->name = mem_strdup(name)) || !(e->version = mem_strdup(version)) ||
        !(e->schema = mem_strdup(schema)))
        goto fail;
    if (cat->nexts == cat->capexts) {
        size_t nc = cat->capexts ? cat->capexts * 2 : 8;
        eng_extension **v = mem_realloc(cat->exts, nc * sizeof(*v));
        if (!v)
            goto fail;
        cat->exts = v;
        cat->capexts = nc;
    }
    e->oid = eng__note_oid(cat, oid);
    cat->exts[cat->nexts++] = e;
    return e;
fail:
    ext_free(e);
    return NULL;
}

void eng__cat_rec_ext(buf *b, const eng_extension *e)
{
    eng__put_u32(b, e->oid);
    eng__put_str(b, e->name);
    eng__put_str(b, e->version);
    eng__put_str(b, e->schema);
}

int eng__cat_apply_ext(eng_catalog *cat, uint32_t kind, uint32_t oid, eng_rd *r, arena *a, pgw_error *err)
{
    for (size_t i = 0; i < cat->nexts; i++)
        if (cat->exts[i]->oid == oid)
            cat->exts[i]->dropped = true;
    if (kind == CAT_DROP_EXT)
        return 0;
    char *name = eng__get_str(r, a), *version = eng__get_str(r, a), *schema = eng__get_str(r, a);
    if (r->bad || !name || !version || !schema) {
        pgw_error_set(err, ST_SQLSTATE_DATA_CORRUPTED, "malformed catalog record (kind %u)", kind);
        return -1;
    }
    return ext_add(cat, oid, name, version, schema) ? 0 : (pgw_error_oom(err), -1);
}

static acl_entry *acl_find(eng_catalog *cat, uint32_t oid, const char *role)
{
    for (size_t i = 0; i < cat->nacl; i++)
        if (cat->acl[i].oid == oid && strcmp(cat->acl[i].role, role) == 0)
            return &cat->acl[i];
    return NULL;
}

/* Set (adding the entry if new); *old gets the value before. -1 on OOM. */
int eng__cat_acl_put(eng_catalog *cat, uint32_t oid, const char *role, uint32_t privs, uint32_t *old)
{
    acl_entry *e = acl_find(cat, oid, role);
    if (!e) {
        if (cat->nacl == cat->capacl) {
            size_t nc = cat->capacl ? cat->capacl * 2 : 16;
            acl_entry *v = mem_realloc(cat->acl, nc * sizeof(*v));
            if (!v)
                return -1;
            cat->acl = v;
            cat->capacl = nc;
        }
        e = &cat->acl[cat->nacl++];
        memset(e, 0, sizeof(*e));
        e->oid = oid;
        snprintf(e->role, sizeof(e->role), "%s", role);
    }
    if (old)
        *old = e->privs;
    e->privs = privs;
    return 0;
}

void eng__cat_rec_acl(buf *b, const acl_entry *e)
{
    eng__put_u32(b, e->oid);
    eng__put_str(b, e->role);
    eng__put_u32(b, e->privs);
}

/* Apply one record during recovery (idempotent). */
/* ---- open / checkpoint / close -------------------------------------- */

/* After recovery: bind tables to their storage and fill their indexes. */
static int rebuild(eng_catalog *cat, pgw_error *err);

eng_catalog *eng_catalog_open(const char *dir, const st_options *base, pgw_error *err)
{
    eng_catalog *cat = mem_calloc(1, sizeof(*cat));
    if (!cat)
        return pgw_error_oom(err), NULL;
    pthread_rwlock_init(&cat->lock, NULL);
    cat->next_relid = CAT_FIRST_RELID;
    if (!(cat->seqs = eng__seqs_new())) {
        mem_free(cat);
        return pgw_error_oom(err), NULL;
    }
    st_options o;
    if (base)
        o = *base;
    else
        st_options_init(&o);
    o.checkpoint = eng__cat_checkpoint;
    o.checkpoint_ctx = cat;
    st_recovery_ops ops = eng__cat_recovery_ops(cat);
    if (st_open(dir, &o, &ops, &cat->db, err) || rebuild(cat, err)) {
        eng_catalog_close(cat);
        return NULL;
    }
    return cat;
}

void eng_catalog_close(eng_catalog *cat)
{
    if (!cat)
        return;
    if (cat->db)
        st_close(cat->db);
    for (size_t i = 0; i < cat->ntables; i++)
        eng__cat_table_free(cat->tables[i]);
    mem_free(cat->tables);
    for (size_t i = 0; i < cat->nexts; i++)
        ext_free(cat->exts[i]);
    mem_free(cat->exts);
    mem_free(cat->acl);
    for (size_t i = 0; i < cat->ncons; i++)
        eng__cons_free(cat->cons[i]);
    mem_free(cat->cons);
    for (size_t i = 0; i < cat->nretired; i++)
        mem_free(cat->retired[i]);
    mem_free(cat->retired);
    eng__seqs_free(cat->seqs);
    pthread_rwlock_destroy(&cat->lock);
    mem_free(cat);
}

/* Add every visible row of t to ix; 23505 on a duplicate key. */
static int fill_index(st_txn *txn, eng_table *t, eng_index *ix, pgw_error *err);

static int rebuild(eng_catalog *cat, pgw_error *err)
{
    st_txn *txn = st_txn_begin(cat->db, err);
    if (!txn)
        return -1;
    st_stmt_begin(txn);
    int rc = 0;
    for (size_t i = 0; i < cat->ntables && !rc; i++) {
        eng_table *t = cat->tables[i];
        if (t->dropped)
            continue;
        if (!(t->st = st_table_lookup(cat->db, t->relid))) {
            log_warn("catalog table \"%s\" (relid %u) has no storage; dropped", t->name, t->relid);
            t->dropped = true;
            continue;
        }
        for (int k = 0; k < t->nindexes && !rc; k++) {
            eng_index *ix = t->indexes[k];
            if (!ix->restored) /* not loaded from the checkpoint (catalog_persist.c) */
                rc = fill_index(txn, t, ix, err);
            ix->restored = false;
        }
    }
    st_stmt_end(txn);
    st_txn_free(txn);
    return rc;
}

/* ---- DDL ------------------------------------------------------------- */

eng_ddl_log *eng_ddl_log_new(void)
{
    return mem_calloc(1, sizeof(eng_ddl_log));
}

void eng_ddl_log_free(eng_ddl_log *log)
{
    if (log)
        mem_free(log->v);
    mem_free(log);
}

static int log_push_ext(eng_ddl_log *log, int kind, eng_table *t, eng_index *ix, eng_extension *ext, pgw_error *err)
{
    if (log->n == log->cap) {
        size_t nc = log->cap ? log->cap * 2 : 8;
        undo *v = mem_realloc(log->v, nc * sizeof(*v));
        if (!v)
            return pgw_error_oom(err), -1;
        log->v = v;
        log->cap = nc;
    }
    log->v[log->n++] = (undo){kind, t, ix, ext, NULL, NULL, 0, NULL, 0, 0, NULL, 0};
    return 0;
}

int eng__cat_log_push(eng_ddl_log *log, int kind, eng_table *t, eng_index *ix, pgw_error *err)
{
    return log_push_ext(log, kind, t, ix, NULL, err);
}

struct eng_seqs *eng__catalog_seqs(eng_catalog *cat) { return cat->seqs; }
uint32_t eng__catalog_oid(eng_catalog *cat, uint32_t oid) { return eng__note_oid(cat, oid); }

int eng__ddl_log_seq(eng_ddl_log *log, void *seq, bool created, pgw_error *err)
{
    if (eng__cat_log_push(log, created ? CAT_SEQ : CAT_DROP_SEQ, NULL, NULL, err))
        return -1;
    log->v[log->n - 1].seq = seq;
    return 0;
}

int eng__ddl_log_cons(eng_ddl_log *log, eng_table *t, eng_constraint **old, int n, pgw_error *err)
{
    if (eng__cat_log_push(log, CAT_CONS_SET, t, NULL, err))
        return -1;
    log->v[log->n - 1].old_cons = old;
    log->v[log->n - 1].old_ncons = n;
    return 0;
}

int eng__cat_keep_cons(eng_catalog *cat, eng_constraint *k)
{
    if (cat->ncons == cat->capcons) {
        size_t nc = cat->capcons ? cat->capcons * 2 : 16;
        eng_constraint **v = mem_realloc(cat->cons, nc * sizeof(*v));
        if (!v)
            return -1;
        cat->cons = v;
        cat->capcons = nc;
    }
    cat->cons[cat->ncons++] = k;
    return 0;
}

/* The index contents nt borrowed from t become nt's: t (dropped) keeps borrowed shells. */
static void lend(eng_table *nt, eng_table *t)
{
    for (int i = 0; i < nt->nindexes; i++) {
        eng_index *ix = nt->indexes[i];
        for (int k = 0; ix->borrowed && k < t->nindexes; k++) {
            if (t->indexes[k]->keys == ix->keys && t->indexes[k]->amx == ix->amx) {
                t->indexes[k]->borrowed = true;
                ix->borrowed = false;
            }
        }
    }
}

/* Hand the indexes and constraints of `from` to `to` (a table replaced by ADD COLUMN). */
void eng__cat_move_parts(eng_table *to, eng_table *from)
{
    to->indexes = from->indexes;
    to->nindexes = from->nindexes;
    to->cons = from->cons;
    to->ncons = from->ncons;
    from->indexes = NULL;
    from->nindexes = 0;
    from->cons = NULL;
    from->ncons = 0;
}

/* Keep a replaced name until close (when out of memory it leaks instead). */
static void retire(eng_catalog *cat, char *name)
{
    if (cat->nretired == cat->capretired) {
        size_t nc = cat->capretired ? cat->capretired * 2 : 16;
        char **v = mem_realloc(cat->retired, nc * sizeof(*v));
        if (!v)
            return;
        cat->retired = v;
        cat->capretired = nc;
    }
    cat->retired[cat->nretired++] = name;
}

char **eng__cat_rename_slot(eng_table *t, int col)
{
    return col < 0 ? &t->name : &t->cols[col].name;
}

void eng_ddl_log_commit(eng_catalog *cat, eng_ddl_log *log)
{
    bool renamed = false;
    for (size_t i = 0; i < log->n; i++) {
        if (log->v[i].kind == CAT_SEQ)
            eng__seq_committed(log->v[i].seq);
        if (log->v[i].kind == CAT_CONS_SET)
            mem_free(log->v[i].old_cons);
        if (log->v[i].kind == CAT_NARROW)
            lend(log->v[i].nt, log->v[i].t);
        renamed |= log->v[i].kind == CAT_RENAME;
    }
    if (renamed) {
        eng_catalog_wrlock(cat);
        for (size_t i = 0; i < log->n; i++)
            if (log->v[i].kind == CAT_RENAME)
                retire(cat, log->v[i].old_name);
        eng_catalog_unlock(cat);
    }
    log->n = 0; /* dropped indexes stay allocated: a running scan may hold one */
}

void eng_ddl_log_rollback(eng_catalog *cat, eng_ddl_log *log)
{
    if (!log->n)
        return;
    eng_catalog_wrlock(cat);
    while (log->n > 0) {
        undo *u = &log->v[--log->n];
        switch (u->kind) {
        case CAT_CREATE:
            u->t->dropped = true;
            break;
        case CAT_DROP:
            u->t->dropped = false;
            break;
        case CAT_INDEX:
            eng__cat_detach_index(u->t, u->ix);
            break;
        case CAT_DROP_INDEX:
            if (eng__cat_attach_index(u->t, u->ix))
                log_warn("out of memory restoring index \"%s\"", u->ix->name);
            break;
        case CAT_EXT:
            u->ext->dropped = true;
            break;
        case CAT_ACL:
            cat->acl[u->acl].privs = u->old_privs;
            break;
        case CAT_DROP_EXT:
            u->ext->dropped = false;
            break;
        case CAT_REPLACE:
            u->nt->dropped = true;
            u->t->dropped = false;
            eng__cat_move_parts(u->t, u->nt);
            break;
        case CAT_NARROW:
            u->nt->dropped = true;
            u->t->dropped = false;
            break;
        case CAT_CONS_SET:
            mem_free(u->t->cons);
            u->t->cons = u->old_cons;
            u->t->ncons = u->old_ncons;
            break;
        case CAT_RENAME: {
            char **slot = eng__cat_rename_slot(u->t, u->col);
            retire(cat, *slot);
            *slot = u->old_name;
            break;
        }
        case CAT_SEQ:
        case CAT_DROP_SEQ:
            eng__seq_undo(u->seq, u->kind == CAT_SEQ);
            break;
        }
    }
    eng_catalog_unlock(cat);
}

int eng_catalog_create_table(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const eng_table_def *def,
                             eng_table **out, pgw_error *err)
{
    eng_table *t = eng__cat_table_new(cat->next_relid, def->name, def->ncols, def->cols);
    if (!t)
        return pgw_error_oom(err), -1;
    buf b;
    buf_init(&b);
    eng__cat_rec_create(&b, t);
    if (st_table_create(txn, t->relid, &t->st, err) || eng__log_rec(txn, t->relid, CAT_CREATE, &b, err) ||
        eng__cat_add_table(cat, t)) {
        if (!pgw_error_is_set(err))
            pgw_error_oom(err);
        eng__cat_table_free(t);
        return -1;
    }
    if (eng__cat_log_push(log, CAT_CREATE, t, NULL, err)) {
        t->dropped = true;
        return -1;
    }
    *out = t;
    return 0;
}

int eng_catalog_drop_table(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, pgw_error *err)
{
    (void)cat;
    buf b;
    buf_init(&b);
    eng__put_u32(&b, t->relid);
    if (st_table_drop(txn, t->st, err) || eng__log_rec(txn, t->relid, CAT_DROP, &b, err) ||
        eng__cat_log_push(log, CAT_DROP, t, NULL, err))
        return -1;
    t->dropped = true;
    return 0;
}

/* The whole definition of t as records: recovery rebuilds the table from them. */
static int fill_index(st_txn *txn, eng_table *t, eng_index *ix, pgw_error *err)
{
    if (ix->amx)
        return eng__fill_am_index(txn, t, ix, eng__cores(), NULL, err);
    arena *a = arena_new();
    if (!a)
        return pgw_error_oom(err), -1;
    pgw_error_clear(err);
    eng_ctx c = {.mem = a, .err = err};
    eng_val *vals = arena_calloc(a, (size_t)t->ncols + 1, sizeof(eng_val));
    st_scan sc;
    st_row row;
    int rc = vals ? 0 : -1;
    st_scan_init(&sc, txn, t->st);
    while (!rc && st_scan_next(&sc, &row)) {
        uint8_t *key;
        size_t klen;
        if ((rc = eng_row_decode(&c, t, row.data, row.len, vals)))
            break;
        if (!eng_index_key(&c, t, ix, vals, &key, &klen)) {
            if (ix->primary) {
                for (int i = 0; i < ix->ncols; i++)
                    if (vals[ix->cols[i]].null)
                        pgw_error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                                      "column \"%s\" of relation \"%s\" contains null values",
                                      t->cols[ix->cols[i]].name, t->name);
                rc = -1;
            }
            continue;
        }
        uint64_t *ids;
        long n = ix->unique ? eng_keyidx_lookup(ix->keys, key, klen, a, &ids) : 0;
        if (n > 0) {
            pgw_error_set(err, SQLSTATE_UNIQUE_VIOLATION, "could not create unique index \"%s\"", ix->name);
            char *d = eng_index_key_text(&c, t, ix, vals);
            if (d && strlen(d) > 17) {
                strcpy(d + strlen(d) - 16, " is duplicated."); /* in place of " already exists." */
                pgw_error_detail(err, "%s", d);
            }
            rc = -1;
        } else if (n < 0 || eng_keyidx_insert(ix->keys, key, klen, row.rowid)) {
            pgw_error_oom(err);
            rc = -1;
        }
        if ((row.rowid & 1023) == 0)
            arena_reset(a), vals = arena_calloc(a, (size_t)t->ncols + 1, sizeof(eng_val)), rc = vals ? rc : -1;
    }
    if (rc && !pgw_error_is_set(err))
        pgw_error_oom(err);
    arena_free(a);
    return rc;
}

/* Log the new (filled, unless fill_rc) index ix and attach it to t; frees it on failure. */
static int attach_new_index(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, eng_index *ix,
                            int fill_rc, pgw_error *err)
{
    ix->relid = cat->next_relid++;
    buf b;
    buf_init(&b);
    eng__cat_rec_index(&b, t, ix);
    if (fill_rc) {
        buf_free(&b);
        index_free(ix);
        return -1;
    }
    if (eng__log_rec(txn, t->relid, CAT_INDEX, &b, err)) {
        index_free(ix);
        return -1;
    }
    if (eng__cat_attach_index(t, ix)) {
        index_free(ix);
        return pgw_error_oom(err), -1;
    }
    if (ix->primary)
        for (int i = 0; i < ix->ncols; i++)
            t->cols[ix->cols[i]].notnull = true;
    if (eng__cat_log_push(log, CAT_INDEX, t, ix, err)) {
        eng__cat_detach_index(t, ix);
        return -1;
    }
    return 0;
}

int eng_catalog_add_index(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, const char *name,
                          const int *cols, int ncols, bool unique, bool primary, pgw_error *err)
{
    eng_index *ix = eng__cat_index_new(name, cols, ncols, unique, primary, NULL, NULL, err);
    if (!ix)
        return -1;
    return attach_new_index(cat, txn, log, t, ix, fill_index(txn, t, ix, err), err);
}

eng_index *eng__am_index_new(const char *name, int col, const eng_am *am, const eng_am_def *def, pgw_error *err)
{
    return eng__cat_index_new(name, &col, 1, false, false, am, def, err);
}

void eng__index_free(eng_index *ix)
{
    index_free(ix);
}

int eng__attach_index(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, eng_index *ix, pgw_error *err)
{
    return attach_new_index(cat, txn, log, t, ix, 0, err);
}

int eng_catalog_reindex(eng_catalog *cat, st_txn *txn, eng_table *t, eng_index *ix, int nthreads, pgw_error *err)
{
    (void)cat;
    eng_index fresh = *ix;
    pgw_error_clear(err);
    fresh.keys = ix->keys ? eng_keyidx_new() : NULL;
    fresh.amx = ix->amx ? eng_amidx_new(eng_amidx_am(ix->amx), eng_amidx_def(ix->amx), err) : NULL;
    int rc = !fresh.keys && !fresh.amx ? -1 : fresh.amx ? eng__fill_am_index(txn, t, &fresh, nthreads, NULL, err)
                                                        : fill_index(txn, t, &fresh, err);
    if (rc) {
        eng_keyidx_free(fresh.keys);
        eng_amidx_free(fresh.amx);
        if (!pgw_error_is_set(err))
            pgw_error_oom(err);
        return -1;
    }
    /* no statement runs under the write lock, and scans keep copies of what they read */
    eng_keyidx_free(ix->keys);
    eng_amidx_free(ix->amx);
    ix->keys = fresh.keys;
    ix->amx = fresh.amx;
    return 0;
}

int eng_catalog_drop_index(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, int pos, pgw_error *err)
{
    (void)cat;
    eng_index *ix = t->indexes[pos];
    buf b;
    buf_init(&b);
    eng__put_u32(&b, t->relid);
    eng__put_str(&b, ix->name);
    if (eng__log_rec(txn, t->relid, CAT_DROP_INDEX, &b, err) || eng__cat_log_push(log, CAT_DROP_INDEX, t, ix, err))
        return -1;
    eng__cat_detach_index(t, ix);
    return 0;
}

/* ---- extensions --------------------------------------------------------- */

const eng_extension *eng_catalog_extension(eng_catalog *cat, const char *name)
{
    return ext_by_name(cat, name);
}

const eng_extension *eng_catalog_extension_at(eng_catalog *cat, size_t i)
{
    for (size_t k = 0; k < cat->nexts; k++)
        if (!cat->exts[k]->dropped && i-- == 0)
            return cat->exts[k];
    return NULL;
}

int eng_catalog_create_extension(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const char *name,
                                 const char *version, const char *schema, pgw_error *err)
{
    eng_extension *e = ext_add(cat, 0, name, version, schema);
    if (!e)
        return pgw_error_oom(err), -1;
    buf b;
    buf_init(&b);
    eng__cat_rec_ext(&b, e);
    if (eng__log_rec(txn, e->oid, CAT_EXT, &b, err) || log_push_ext(log, CAT_EXT, NULL, NULL, e, err)) {
        e->dropped = true;
        return -1;
    }
    return 0;
}

int eng_catalog_drop_extension(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const char *name, pgw_error *err)
{
    eng_extension *e = ext_by_name(cat, name);
    if (!e)
        return 0;
    buf b;
    buf_init(&b);
    eng__put_u32(&b, e->oid);
    if (eng__log_rec(txn, e->oid, CAT_DROP_EXT, &b, err) || log_push_ext(log, CAT_DROP_EXT, NULL, NULL, e, err))
        return -1;
    e->dropped = true;
    return 0;
}

/* ---- privileges ------------------------------------------------------------ */

static uint32_t default_privs(uint32_t oid, const char *role)
{
    if (strcmp(role, "public") != 0)
        return 0;
    if (oid == ENG_DATABASE_OID)
        return ENG_PRIV_CONNECT | ENG_PRIV_TEMP;
    return oid == ENG_NS_PUBLIC ? ENG_PRIV_USAGE : 0;
}

uint32_t eng_catalog_privs(eng_catalog *cat, uint32_t oid, const char *role)
{
    const acl_entry *e = acl_find(cat, oid, role);
    return e ? e->privs : default_privs(oid, role);
}

int eng_catalog_set_privs(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, uint32_t oid, const char *role,
                          uint32_t privs, pgw_error *err)
{
    uint32_t old;
    if (strlen(role) >= sizeof(((acl_entry *)0)->role) || eng__cat_acl_put(cat, oid, role, privs, &old))
        return pgw_error_oom(err), -1;
    const acl_entry *e = acl_find(cat, oid, role);
    buf b;
    buf_init(&b);
    eng__cat_rec_acl(&b, e);
    if (eng__log_rec(txn, oid, CAT_ACL, &b, err) || eng__cat_log_push(log, CAT_ACL, NULL, NULL, err)) {
        eng__cat_acl_put(cat, oid, role, old, NULL);
        return -1;
    }
    log->v[log->n - 1].acl = (size_t)(e - cat->acl);
    log->v[log->n - 1].old_privs = old;
    return 0;
}
