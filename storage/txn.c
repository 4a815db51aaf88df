/*
 * txn: transactions. A transaction collects its redo records in a private
 * buffer and an undo list; statements and savepoints are marks into both.
 * Commit hands the buffer to the WAL (wal_writer.c); the commit becomes
 * visible when it is durable (or at once with synchronous_commit off):
 * every version it wrote is stamped with a fresh csn, then the csn is
 * published. Ending a transaction wakes everyone queued on its row locks.
 * Wakers are called with db->tx_lock held, so st_txn_free (which takes it)
 * never races with a wake; a waker must not call back into storage.
 */
#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include "storage/st_internal.h"
#include "storage/wal_format.h"
#include "util/log.h"
#include "util/mem.h"

/* ---- live list, horizon, waits (db->tx_lock held) ----------------- */

static void recompute_horizon(st_db *db)
{
    uint64_t h = atomic_load(&db->last_csn);
    for (st_txn *t = db->live; t; t = t->live_next)
        if (t->snap && t->snap < h)
            h = t->snap;
    if (db->ckpt_pin && db->ckpt_pin < h)
        h = db->ckpt_pin;
    atomic_store(&db->horizon, h);
}

static st_txn *find_live(st_db *db, uint64_t xid)
{
    for (st_txn *t = db->live; t; t = t->live_next)
        if (t->xid == xid)
            return t;
    return NULL;
}

static void unwait_locked(st_txn *t)
{
    if (!t->waiting_for)
        return;
    st_txn *b = find_live(t->db, t->waiting_for);
    if (b) {
        for (st_txn **p = &b->waiters; *p; p = &(*p)->wait_next) {
            if (*p == t) {
                *p = t->wait_next;
                break;
            }
        }
    }
    t->waiting_for = 0;
    t->wait_next = NULL;
}

/* Wake and forget everyone waiting on t. */
static void wake_waiters_locked(st_txn *t)
{
    st_txn *w = t->waiters;
    t->waiters = NULL;
    while (w) {
        st_txn *next = w->wait_next;
        w->waiting_for = 0;
        w->wait_next = NULL;
        if (w->wake)
            w->wake(w->wake_ctx);
        w = next;
    }
}

int st__txn_wait_for(st_txn *t, uint64_t blocker, pgw_error *err)
{
    st_db *db = t->db;
    pthread_mutex_lock(&db->tx_lock);
    st_txn *b = find_live(db, blocker);
    if (!b) {
        pthread_mutex_unlock(&db->tx_lock);
        return ST_RETRY;
    }
    /* Deadlock: does the chain of waits from b lead back to t? */
    for (st_txn *c = b; c; c = c->waiting_for ? find_live(db, c->waiting_for) : NULL) {
        if (c == t) {
            pthread_mutex_unlock(&db->tx_lock);
            pgw_error_set(err, ST_SQLSTATE_DEADLOCK, "deadlock detected");
            pgw_error_detail(err, "Transaction %llu waits for transaction %llu, which waits for it.",
                             (unsigned long long)t->xid, (unsigned long long)blocker);
            return ST_ERROR;
        }
    }
    unwait_locked(t);
    t->waiting_for = blocker;
    t->wait_next = b->waiters;
    b->waiters = t;
    pthread_mutex_unlock(&db->tx_lock);
    return ST_WOULD_BLOCK;
}

/* Remove t from the live list, wake its waiters and (if asked) itself. */
static void release(st_txn *t, int state, bool wake_self)
{
    st_db *db = t->db;
    pthread_mutex_lock(&db->tx_lock);
    unwait_locked(t);
    if (t->live_prev)
        t->live_prev->live_next = t->live_next;
    else if (db->live == t)
        db->live = t->live_next;
    if (t->live_next)
        t->live_next->live_prev = t->live_prev;
    t->live_prev = t->live_next = NULL;
    t->snap = 0;
    recompute_horizon(db);
    wake_waiters_locked(t);
    atomic_store(&t->state, state);
    if (wake_self && t->wake)
        t->wake(t->wake_ctx);
    pthread_mutex_unlock(&db->tx_lock);
}

/* ---- begin / statements / savepoints ------------------------------ */

st_txn *st_txn_begin(st_db *db, pgw_error *err)
{
    st_txn *t = mem_calloc(1, sizeof(*t));
    if (!t) {
        pgw_error_oom(err);
        return NULL;
    }
    t->db = db;
    t->sync = db->opt.synchronous_commit;
    buf_init(&t->wal);
    atomic_init(&t->state, ST_TXN_ACTIVE);
    pthread_mutex_lock(&db->tx_lock);
    t->xid = ++db->next_xid;
    t->live_next = db->live;
    if (db->live)
        db->live->live_prev = t;
    db->live = t;
    pthread_mutex_unlock(&db->tx_lock);
    return t;
}

void st_txn_set_waker(st_txn *t, void (*wake)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&t->db->tx_lock);
    t->wake = wake;
    t->wake_ctx = ctx;
    pthread_mutex_unlock(&t->db->tx_lock);
}

void st_txn_set_synchronous_commit(st_txn *t, bool on)
{
    t->sync = on;
}

uint64_t st_txn_id(const st_txn *t)
{
    return t->xid;
}

static st_mark mark_now(const st_txn *t)
{
    return (st_mark){.nundo = t->nundo, .wal_len = t->wal.len, .nrec = t->nrec};
}

void st_stmt_begin(st_txn *t)
{
    st_db *db = t->db;
    pthread_mutex_lock(&db->tx_lock);
    unwait_locked(t);
    t->snap = atomic_load_explicit(&db->last_csn, memory_order_acquire);
    recompute_horizon(db);
    pthread_mutex_unlock(&db->tx_lock);
    t->cid++;
    t->stmt = mark_now(t);
}

void st_stmt_end(st_txn *t)
{
    t->stmt = mark_now(t);
}

/* Undo back to mark m and wake anyone who waited on a lock we dropped. */
static void rollback_to_mark(st_txn *t, st_mark m)
{
    bool undid = t->nundo > m.nundo;
    while (t->nundo > m.nundo) {
        st_undo *u = &t->undo[--t->nundo];
        if (u->kind == ST_UNDO_ROW)
            st__table_undo(u);
        else if (u->kind == ST_UNDO_CREATE)
            atomic_store(&u->tb->dead, true);
        else
            u->tb->dropper = 0;
    }
    if (m.wal_len <= t->wal.len)
        t->wal.len = m.wal_len;
    t->wal.failed = false;
    t->nrec = m.nrec;
    /* A wait registered by the failed statement stays: the caller rolls
     * the statement back and then waits for the waker. */
    if (undid) {
        pthread_mutex_lock(&t->db->tx_lock);
        wake_waiters_locked(t);
        pthread_mutex_unlock(&t->db->tx_lock);
    }
}

void st_stmt_rollback(st_txn *t)
{
    rollback_to_mark(t, t->stmt);
    /* A new statement id, so that anything this statement still returns
     * is not mistaken for work of the next one. */
    t->cid++;
}

int st_savepoint(st_txn *t, pgw_error *err)
{
    if (t->nlevels == t->caplevels) {
        int n = t->caplevels ? t->caplevels * 2 : 4;
        st_mark *nl = mem_realloc(t->levels, (size_t)n * sizeof(*nl));
        if (!nl) {
            pgw_error_oom(err);
            return -1;
        }
        t->levels = nl;
        t->caplevels = n;
    }
    t->levels[t->nlevels++] = mark_now(t);
    return t->nlevels;
}

void st_rollback_to(st_txn *t, int level)
{
    if (level < 1 || level > t->nlevels)
        return;
    st_mark m = t->levels[level - 1];
    t->nlevels = level;
    rollback_to_mark(t, m);
    if (t->stmt.nundo > m.nundo)
        t->stmt = m;
}

void st_release(st_txn *t, int level)
{
    if (level >= 1 && level <= t->nlevels)
        t->nlevels = level - 1;
}

/* ---- records and undo --------------------------------------------- */

/* Append a record (header filled at commit) made of parts a and b. */
int st__txn_log(st_txn *t, int type, const void *a, size_t alen, const void *b, size_t blen)
{
    uint8_t hdr[ST_WAL_REC_HEADER] = {0};
    st_put_le32(hdr, (uint32_t)(ST_WAL_REC_HEADER + alen + blen));
    hdr[4] = (uint8_t)type;
    st_put_le64(hdr + 16, t->xid);
    buf_append(&t->wal, hdr, sizeof(hdr));
    if (alen)
        buf_append(&t->wal, a, alen);
    if (blen)
        buf_append(&t->wal, b, blen);
    if (t->wal.failed)
        return -ENOMEM;
    t->nrec++;
    return 0;
}

int st__txn_push_undo(st_txn *t, const st_undo *u)
{
    if (t->nundo == t->capundo) {
        size_t n = t->capundo ? t->capundo * 2 : 16;
        st_undo *nu = mem_realloc(t->undo, n * sizeof(*nu));
        if (!nu)
            return -ENOMEM;
        t->undo = nu;
        t->capundo = n;
    }
    t->undo[t->nundo++] = *u;
    return 0;
}

/* ---- commit / abort ------------------------------------------------ */

/* Stamp every version t wrote with a new csn, then publish it. */
void st__txn_stamp(st_txn *t)
{
    st_db *db = t->db;
    pthread_mutex_lock(&db->commit_lock);
    uint64_t csn = atomic_load(&db->last_csn) + 1;
    for (size_t i = 0; i < t->nundo; i++) {
        st_undo *u = &t->undo[i];
        if (u->kind == ST_UNDO_ROW) {
            if (u->created)
                atomic_store_explicit(&u->created->xmin_csn, csn, memory_order_relaxed);
            if (u->deleted)
                atomic_store_explicit(&u->deleted->xmax_csn, csn, memory_order_relaxed);
        } else if (u->kind == ST_UNDO_CREATE) {
            atomic_store(&u->tb->created_csn, csn);
            u->tb->creator = 0;
        } else {
            atomic_store(&u->tb->dropped_csn, csn);
        }
    }
    atomic_store_explicit(&db->last_csn, csn, memory_order_release);
    pthread_mutex_unlock(&db->commit_lock);
}

void st__txn_commit_durable(st_txn *t)
{
    if (t->sync) /* asynchronous commits were stamped while appended */
        st__txn_stamp(t);
    atomic_fetch_add(&t->db->n_commits, 1);
    release(t, ST_TXN_COMMITTED, t->sync);
}

void st__txn_commit_failed(st_txn *t, int neg_errno)
{
    rollback_to_mark(t, (st_mark){0});
    t->commit_err = neg_errno ? neg_errno : -EIO;
    release(t, ST_TXN_FAILED, true);
}

void st__error_from_errno(pgw_error *err, int neg_errno, const char *what)
{
    int e = -neg_errno;
    if (e == ENOSPC || e == EDQUOT)
        pgw_error_set(err, SQLSTATE_DISK_FULL, "could not write to %s: No space left on device", what);
    else if (e == ENOMEM)
        pgw_error_oom(err);
    else
        pgw_error_set(err, SQLSTATE_IO_ERROR, "could not write to %s: %s", what, strerror(e));
}

static int commit_result(st_txn *t, pgw_error *err)
{
    int s = atomic_load(&t->state);
    if (s == ST_TXN_COMMITTING)
        return ST_WOULD_BLOCK;
    if (s == ST_TXN_COMMITTED)
        return ST_OK;
    if (s == ST_TXN_FAILED) {
        st__error_from_errno(err, t->commit_err, "write-ahead log");
        pgw_error_detail(err, "The transaction was rolled back.");
        return ST_ERROR;
    }
    pgw_error_set(err, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION, "transaction already ended");
    return ST_ERROR;
}

static uint64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

int st_commit(st_txn *t, pgw_error *err)
{
    if (atomic_load(&t->state) != ST_TXN_ACTIVE)
        return commit_result(t, err);
    if (t->nrec == 0) { /* read-only: nothing to make durable */
        release(t, ST_TXN_COMMITTED, false);
        return ST_OK;
    }
    uint8_t c[ST_WAL_COMMIT_LEN] = {0}; /* the durable LSN is filled in at append */
    st_put_le64(c, now_us());
    st_put_le32(c + 8, t->nrec);
    if (st__txn_log(t, ST_WAL_COMMIT, c, sizeof(c), NULL, 0) != 0) {
        st_rollback(t);
        pgw_error_oom(err);
        return ST_ERROR;
    }
    bool sync = t->sync;
    if (sync)
        atomic_store(&t->state, ST_TXN_COMMITTING);
    int rc = st__wal_append(t->db, t);
    if (rc != 0) {
        atomic_store(&t->state, ST_TXN_ACTIVE);
        st_rollback(t);
        atomic_store(&t->state, ST_TXN_FAILED);
        t->commit_err = rc;
        return commit_result(t, err);
    }
    if (!sync) {
        st__txn_commit_durable(t);
        return ST_OK;
    }
    /* The writer may already have finished it. */
    return commit_result(t, err);
}

void st_rollback(st_txn *t)
{
    if (atomic_load(&t->state) != ST_TXN_ACTIVE)
        return;
    rollback_to_mark(t, (st_mark){0});
    release(t, ST_TXN_ABORTED, false);
}

void st_txn_free(st_txn *t)
{
    if (!t)
        return;
    st_rollback(t);
    /* Wait out a waker call in flight on another thread. */
    pthread_mutex_lock(&t->db->tx_lock);
    pthread_mutex_unlock(&t->db->tx_lock);
    buf_free(&t->wal);
    mem_free(t->undo);
    mem_free(t->levels);
    mem_free(t);
}

/* A snapshot for a checkpoint or backup: everything published so far. */
uint64_t st__pin_snapshot(st_db *db)
{
    pthread_mutex_lock(&db->tx_lock);
    uint64_t c = atomic_load_explicit(&db->last_csn, memory_order_acquire);
    db->ckpt_pin = c;
    recompute_horizon(db);
    pthread_mutex_unlock(&db->tx_lock);
    return c;
}

void st__unpin_snapshot(st_db *db)
{
    pthread_mutex_lock(&db->tx_lock);
    db->ckpt_pin = 0;
    recompute_horizon(db);
    pthread_mutex_unlock(&db->tx_lock);
}

/* ---- tables and engine records ------------------------------------ */

int st_table_create(st_txn *t, uint32_t relid, st_table **out, pgw_error *err)
{
    st_db *db = t->db;
    if (st_table_lookup(db, relid)) {
        pgw_error_set(err, SQLSTATE_INTERNAL_ERROR, "storage table %u already exists", relid);
        return ST_ERROR;
    }
    st_table *tb = st__table_new(db, relid);
    if (!tb) {
        pgw_error_oom(err);
        return ST_ERROR;
    }
    tb->creator = t->xid;
    st_undo u = {.kind = ST_UNDO_CREATE, .tb = tb};
    uint8_t p[4];
    st_put_le32(p, relid);
    if (st__txn_push_undo(t, &u) != 0) {
        st__table_free(tb);
        pgw_error_oom(err);
        return ST_ERROR;
    }
    if (st__table_register(db, tb) != 0) {
        t->nundo--;
        st__table_free(tb);
        pgw_error_oom(err);
        return ST_ERROR;
    }
    if (st__txn_log(t, ST_WAL_TABLE_CREATE, p, sizeof(p), NULL, 0) != 0) {
        st_stmt_rollback(t);
        pgw_error_oom(err);
        return ST_ERROR;
    }
    *out = tb;
    return ST_OK;
}

int st_table_drop(st_txn *t, st_table *tb, pgw_error *err)
{
    st_undo u = {.kind = ST_UNDO_DROP, .tb = tb};
    uint8_t p[4];
    st_put_le32(p, tb->relid);
    if (st__txn_push_undo(t, &u) != 0) {
        pgw_error_oom(err);
        return ST_ERROR;
    }
    tb->dropper = t->xid;
    if (st__txn_log(t, ST_WAL_TABLE_DROP, p, sizeof(p), NULL, 0) != 0) {
        st_stmt_rollback(t);
        pgw_error_oom(err);
        return ST_ERROR;
    }
    return ST_OK;
}

st_table *st_table_lookup(st_db *db, uint32_t relid)
{
    st_table *found = NULL;
    pthread_rwlock_rdlock(&db->tables_lock);
    for (size_t i = db->ntables; i-- > 0;) {
        st_table *tb = db->tables[i];
        if (tb->relid == relid && !atomic_load(&tb->dead) && atomic_load(&tb->dropped_csn) == 0) {
            found = tb;
            break;
        }
    }
    pthread_rwlock_unlock(&db->tables_lock);
    return found;
}

uint32_t st_table_relid(const st_table *tb)
{
    return tb->relid;
}

int st_log_engine(st_txn *t, uint32_t relid, uint32_t kind, const void *data, size_t len,
                  pgw_error *err)
{
    if (len > ST_WAL_MAX_RECORD - 64) {
        pgw_error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "engine record is too big");
        return ST_ERROR;
    }
    uint8_t p[8];
    st_put_le32(p, relid);
    st_put_le32(p + 4, kind);
    if (st__txn_log(t, ST_WAL_ENGINE, p, sizeof(p), data, len) != 0) {
        pgw_error_oom(err);
        return ST_ERROR;
    }
    return ST_OK;
}
