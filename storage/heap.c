/*
 * heap: table heaps of opaque rows. Each row id names a chain of versions,
 * newest first. A statement sees the newest version committed at or before
 * its snapshot csn, or written by its own transaction in an earlier
 * statement. The newest version's xmax (or its uncommitted xmin) is the row's
 * write lock: a second writer is queued (ST_WOULD_BLOCK) until the holder
 * ends. Old versions are freed once no snapshot can see them (horizon).
 */
#include <errno.h>
#include <string.h>

#include "storage/st_internal.h"
#include "storage/wal_format.h"
#include "util/mem.h"

st_table *st__table_new(st_db *db, uint32_t relid)
{
    st_table *tb = mem_calloc(1, sizeof(*tb));
    if (!tb)
        return NULL;
    tb->db = db;
    tb->relid = relid;
    pthread_rwlock_init(&tb->lock, NULL);
    return tb;
}

static void free_chain(st_ver *v)
{
    while (v) {
        st_ver *o = v->older;
        mem_free(v);
        v = o;
    }
}

void st__table_clear(st_table *tb)
{
    for (size_t c = 0; c < tb->nchunks; c++) {
        if (!tb->chunks[c])
            continue;
        for (size_t i = 0; i < ST_CHUNK_ROWS; i++)
            free_chain(tb->chunks[c][i]);
        mem_free(tb->chunks[c]);
    }
    mem_free(tb->chunks);
    tb->chunks = NULL;
    tb->nchunks = 0;
    tb->next_rowid = 0;
}

void st__table_free(st_table *tb)
{
    if (!tb)
        return;
    st__table_clear(tb);
    pthread_rwlock_destroy(&tb->lock);
    mem_free(tb);
}

/* The slot of rowid, or NULL when its chunk does not exist. */
st_ver **st__slot(st_table *tb, uint64_t rowid)
{
    uint64_t c = rowid >> ST_CHUNK_SHIFT;
    if (c >= tb->nchunks || !tb->chunks[c])
        return NULL;
    return &tb->chunks[c][rowid & (ST_CHUNK_ROWS - 1)];
}

/* The slot of rowid, creating its chunk. NULL on out-of-memory. */
static st_ver **slot_make(st_table *tb, uint64_t rowid)
{
    uint64_t c = rowid >> ST_CHUNK_SHIFT;
    if (c >= tb->nchunks) {
        size_t n = tb->nchunks ? tb->nchunks : 16;
        while (n <= c)
            n *= 2;
        st_ver ***nc = mem_realloc(tb->chunks, n * sizeof(*nc));
        if (!nc)
            return NULL;
        memset(nc + tb->nchunks, 0, (n - tb->nchunks) * sizeof(*nc));
        tb->chunks = nc;
        tb->nchunks = n;
    }
    if (!tb->chunks[c]) {
        tb->chunks[c] = mem_calloc(ST_CHUNK_ROWS, sizeof(st_ver *));
        if (!tb->chunks[c])
            return NULL;
    }
    return &tb->chunks[c][rowid & (ST_CHUNK_ROWS - 1)];
}

int st__table_register(st_db *db, st_table *tb)
{
    pthread_rwlock_wrlock(&db->tables_lock);
    if (db->ntables == db->captables) {
        size_t n = db->captables ? db->captables * 2 : 16;
        st_table **nt = mem_realloc(db->tables, n * sizeof(*nt));
        if (!nt) {
            pthread_rwlock_unlock(&db->tables_lock);
            return -ENOMEM;
        }
        db->tables = nt;
        db->captables = n;
    }
    db->tables[db->ntables++] = tb;
    pthread_rwlock_unlock(&db->tables_lock);
    return 0;
}

static st_ver *ver_new(st_txn *t, const void *data, size_t len)
{
    st_ver *v = mem_alloc(sizeof(*v) + len);
    if (!v)
        return NULL;
    v->older = NULL;
    v->xmin = t ? t->xid : 0;
    v->xmax = 0;
    atomic_init(&v->xmin_csn, t ? 0 : 1);
    atomic_init(&v->xmax_csn, 0);
    v->cmin = t ? t->cid : 0;
    v->cmax = 0;
    v->len = (uint32_t)len;
    if (len)
        memcpy(v->data, data, len);
    return v;
}

/* ---- visibility ---------------------------------------------------- */

static bool created_visible(const st_ver *v, const st_txn *t)
{
    if (v->xmin == t->xid)
        return v->cmin < t->cid;
    uint64_t c = atomic_load_explicit(&v->xmin_csn, memory_order_acquire);
    return c != 0 && c <= t->snap;
}

static bool deleted_visible(const st_ver *v, const st_txn *t)
{
    if (v->xmax == 0)
        return false;
    if (v->xmax == t->xid)
        return v->cmax < t->cid;
    uint64_t c = atomic_load_explicit(&v->xmax_csn, memory_order_acquire);
    return c != 0 && c <= t->snap;
}

static const st_ver *visible(const st_ver *v, const st_txn *t)
{
    for (; v; v = v->older) {
        if (created_visible(v, t))
            return deleted_visible(v, t) ? NULL : v;
    }
    return NULL;
}

/* Visible to a snapshot at csn that belongs to no transaction (checkpoints). */
bool st__ver_visible_at(const st_ver *v, uint64_t csn)
{
    uint64_t c = atomic_load_explicit(&v->xmin_csn, memory_order_acquire);
    if (c == 0 || c > csn)
        return false;
    uint64_t d = atomic_load_explicit(&v->xmax_csn, memory_order_acquire);
    return d == 0 || d > csn;
}

/* ---- pruning ------------------------------------------------------- */

/* Free the versions below the newest one every snapshot sees. */
static void prune_chain(st_ver *v, uint64_t horizon)
{
    for (; v; v = v->older) {
        uint64_t c = atomic_load_explicit(&v->xmin_csn, memory_order_acquire);
        if (c != 0 && c <= horizon) {
            free_chain(v->older);
            v->older = NULL;
            return;
        }
    }
}

void st__table_vacuum(st_table *tb, uint64_t horizon)
{
    pthread_rwlock_wrlock(&tb->lock);
    uint64_t dropped = atomic_load(&tb->dropped_csn);
    if ((dropped != 0 && dropped <= horizon) || atomic_load(&tb->dead)) {
        st__table_clear(tb); /* nobody can read it any more */
        pthread_rwlock_unlock(&tb->lock);
        return;
    }
    for (uint64_t r = 0; r < tb->next_rowid; r++) {
        st_ver **s = st__slot(tb, r);
        if (!s || !*s)
            continue;
        uint64_t d = atomic_load(&(*s)->xmax_csn);
        if (d != 0 && d <= horizon) {
            free_chain(*s);
            *s = NULL;
        } else {
            prune_chain(*s, horizon);
        }
    }
    pthread_rwlock_unlock(&tb->lock);
}

/* ---- writes -------------------------------------------------------- */

static int log_row(st_txn *t, int type, st_table *tb, uint64_t rowid, const void *data, size_t len)
{
    uint8_t hdr[16];
    st_put_le32(hdr, tb->relid);
    st_put_le32(hdr + 4, 0);
    st_put_le64(hdr + 8, rowid);
    return st__txn_log(t, type, hdr, sizeof(hdr), data, len);
}

static int oom(pgw_error *err)
{
    pgw_error_oom(err);
    return ST_ERROR;
}

static int check_len(size_t len, pgw_error *err)
{
    if (len > ST_WAL_MAX_RECORD - 64) {
        pgw_error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "row is too big: %zu bytes", len);
        return ST_ERROR;
    }
    return ST_OK;
}

int st_insert(st_txn *t, st_table *tb, const void *data, size_t len, uint64_t *rowid,
              pgw_error *err)
{
    if (check_len(len, err) != ST_OK)
        return ST_ERROR;
    st_ver *v = ver_new(t, data, len);
    if (!v)
        return oom(err);
    pthread_rwlock_wrlock(&tb->lock);
    uint64_t id = tb->next_rowid;
    st_ver **s = slot_make(tb, id);
    st_undo u = {.kind = ST_UNDO_ROW, .tb = tb, .rowid = id, .created = v};
    if (!s || st__txn_push_undo(t, &u) != 0) {
        pthread_rwlock_unlock(&tb->lock);
        mem_free(v);
        return oom(err);
    }
    tb->next_rowid++;
    *s = v;
    pthread_rwlock_unlock(&tb->lock);
    if (log_row(t, ST_WAL_INSERT, tb, id, data, len) != 0) {
        st_stmt_rollback(t); /* the statement failed: nothing partial stays */
        return oom(err);
    }
    if (rowid)
        *rowid = id;
    return ST_OK;
}

/* Decide whether t may write the newest version n: ST_OK, ST_NOT_FOUND,
 * ST_RETRY, or ST_WOULD_BLOCK with *blocker set. */
static int write_check(st_txn *t, const st_ver *n, uint64_t *blocker)
{
    if (!n)
        return ST_NOT_FOUND;
    if (n->xmin != t->xid && n->xmin != 0 && atomic_load(&n->xmin_csn) == 0) {
        if (!n->older)
            return ST_NOT_FOUND; /* someone's uncommitted insert */
        *blocker = n->xmin;
        return ST_WOULD_BLOCK;
    }
    if (n->xmax != 0) {
        if (n->xmax == t->xid || atomic_load(&n->xmax_csn) != 0)
            return ST_NOT_FOUND; /* deleted */
        *blocker = n->xmax;
        return ST_WOULD_BLOCK;
    }
    if (n->xmin == t->xid)
        return n->cmin >= t->cid ? ST_NOT_FOUND : ST_OK;
    return atomic_load(&n->xmin_csn) > t->snap ? ST_RETRY : ST_OK;
}

/* Update (data != NULL) or delete the newest version of rowid. */
static int write_row(st_txn *t, st_table *tb, uint64_t rowid, const void *data, size_t len,
                     pgw_error *err)
{
    st_ver *nv = NULL;
    if (data || len) {
        if (check_len(len, err) != ST_OK)
            return ST_ERROR;
        if (!(nv = ver_new(t, data, len)))
            return oom(err);
    }
    for (;;) {
        pthread_rwlock_wrlock(&tb->lock);
        st_ver **s = rowid < tb->next_rowid ? st__slot(tb, rowid) : NULL;
        uint64_t blocker = 0;
        int rc = write_check(t, s ? *s : NULL, &blocker);
        if (rc == ST_WOULD_BLOCK) {
            rc = st__txn_wait_for(t, blocker, err);
            if (rc == ST_RETRY) { /* the blocker just ended: look again */
                pthread_rwlock_unlock(&tb->lock);
                continue;
            }
        }
        if (rc != ST_OK) {
            pthread_rwlock_unlock(&tb->lock);
            mem_free(nv);
            return rc;
        }
        st_ver *old = *s;
        st_undo u = {.kind = ST_UNDO_ROW, .tb = tb, .rowid = rowid, .created = nv, .deleted = old};
        if (st__txn_push_undo(t, &u) != 0) {
            pthread_rwlock_unlock(&tb->lock);
            mem_free(nv);
            return oom(err);
        }
        old->xmax = t->xid;
        old->cmax = t->cid;
        if (nv) {
            nv->older = old;
            *s = nv;
            prune_chain(old, atomic_load(&t->db->horizon));
        }
        pthread_rwlock_unlock(&tb->lock);
        break;
    }
    int rc = nv ? log_row(t, ST_WAL_UPDATE, tb, rowid, data, len)
                : log_row(t, ST_WAL_DELETE, tb, rowid, NULL, 0);
    if (rc != 0) {
        st_stmt_rollback(t);
        return oom(err);
    }
    return ST_OK;
}

int st_update(st_txn *t, st_table *tb, uint64_t rowid, const void *data, size_t len,
              pgw_error *err)
{
    static const uint8_t empty = 0;
    return write_row(t, tb, rowid, data ? data : &empty, len, err);
}

int st_delete(st_txn *t, st_table *tb, uint64_t rowid, pgw_error *err)
{
    return write_row(t, tb, rowid, NULL, 0, err);
}

/* Undo one entry of a rolled-back transaction or savepoint. */
void st__table_undo(st_undo *u)
{
    st_table *tb = u->tb;
    pthread_rwlock_wrlock(&tb->lock);
    st_ver **s = st__slot(tb, u->rowid);
    if (u->created) {
        /* Our version is the newest: the row was locked by us. */
        *s = u->created->older;
        mem_free(u->created);
    }
    if (u->deleted) {
        u->deleted->xmax = 0;
        u->deleted->cmax = 0;
    }
    pthread_rwlock_unlock(&tb->lock);
}

/* ---- reads --------------------------------------------------------- */

int st_get(st_txn *t, st_table *tb, uint64_t rowid, st_row *out)
{
    pthread_rwlock_rdlock(&tb->lock);
    st_ver **s = rowid < tb->next_rowid ? st__slot(tb, rowid) : NULL;
    const st_ver *v = s ? visible(*s, t) : NULL;
    pthread_rwlock_unlock(&tb->lock);
    if (!v)
        return ST_NOT_FOUND;
    out->rowid = rowid;
    out->data = v->data;
    out->len = v->len;
    return ST_OK;
}

void st_scan_init(st_scan *s, st_txn *t, st_table *tb)
{
    s->txn = t;
    s->tb = tb;
    s->next = 0;
}

bool st_scan_next(st_scan *sc, st_row *out)
{
    st_table *tb = sc->tb;
    pthread_rwlock_rdlock(&tb->lock);
    while (sc->next < tb->next_rowid) {
        uint64_t r = sc->next++;
        uint64_t c = r >> ST_CHUNK_SHIFT;
        if (!tb->chunks[c]) { /* skip a missing chunk at once */
            sc->next = (c + 1) << ST_CHUNK_SHIFT;
            continue;
        }
        const st_ver *v = visible(tb->chunks[c][r & (ST_CHUNK_ROWS - 1)], sc->txn);
        if (v) {
            pthread_rwlock_unlock(&tb->lock);
            out->rowid = r;
            out->data = v->data;
            out->len = v->len;
            return true;
        }
    }
    pthread_rwlock_unlock(&tb->lock);
    return false;
}

uint64_t st_table_count_approx(st_table *tb)
{
    uint64_t n = 0;
    pthread_rwlock_rdlock(&tb->lock);
    uint64_t csn = atomic_load(&tb->db->last_csn);
    for (uint64_t r = 0; r < tb->next_rowid; r++) {
        st_ver **s = st__slot(tb, r);
        for (const st_ver *v = s ? *s : NULL; v; v = v->older) {
            if (st__ver_visible_at(v, csn)) {
                n++;
                break;
            }
        }
    }
    pthread_rwlock_unlock(&tb->lock);
    return n;
}

uint64_t st_table_bytes(st_table *tb)
{
    pthread_rwlock_rdlock(&tb->lock);
    uint64_t n = tb->nchunks * ((uint64_t)sizeof(st_ver *) << ST_CHUNK_SHIFT);
    for (uint64_t r = 0; r < tb->next_rowid; r++) {
        st_ver **s = st__slot(tb, r);
        for (const st_ver *v = s ? *s : NULL; v; v = v->older)
            n += sizeof(st_ver) + v->len;
    }
    pthread_rwlock_unlock(&tb->lock);
    return n;
}

/* Recovery: make rowid's only version a committed image, or remove it. */
int st__table_put_frozen(st_table *tb, uint64_t rowid, const void *data, size_t len)
{
    st_ver *v = NULL;
    if (data && !(v = ver_new(NULL, data, len)))
        return -ENOMEM;
    st_ver **s = data ? slot_make(tb, rowid) : st__slot(tb, rowid);
    if (!s) {
        mem_free(v);
        return data ? -ENOMEM : 0;
    }
    free_chain(*s);
    *s = v;
    if (rowid >= tb->next_rowid)
        tb->next_rowid = rowid + 1;
    return 0;
}
