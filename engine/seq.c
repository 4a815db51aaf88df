/*
 * seq: the sequence registry, its catalog records and their durability.
 *
 * Record formats (little-endian; i64 as two u32, low word first):
 *   SEQ_CREATE: u32 oid, str name, i64 incr, min, max, start, cache, u32 cycle,
 *               u32 type oid, u32 owner relid, u32 owner column | identity kind << 16,
 *               then in checkpoints i64 last, u32 called
 *   SEQ_DROP:   u32 oid
 *   SEQ_LOG:    u32 oid, i64 last, u32 called   (non-transactional advance)
 * A SEQ_LOG record says "values up to `last` may have been handed out":
 * recovery restarts the sequence after it, so a crash skips at most
 * ENG_SEQ_LOG_VALS values and never repeats one. The record goes in a
 * transaction of its own that is committed synchronously before nextval
 * returns (one WAL flush per ENG_SEQ_LOG_VALS values), except for a
 * sequence created by the caller's own, uncommitted transaction: its
 * record then rides in that transaction, which replays it after the
 * creation or not at all.
 */
#include "engine/seq.h"
#include "engine/catalog_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "engine/types/types.h"
#include "util/mem.h"

enum { SEQ_CREATE = 20, SEQ_DROP = 21, SEQ_LOG = 22 };

typedef struct eng_seq {
    uint32_t oid;
    char *name;
    eng_seq_def d;
    int64_t last;      /* the last value handed out, or start - incr before the first */
    bool called;
    int log_cnt;       /* values still covered by the newest SEQ_LOG record */
    st_txn *creator;   /* the uncommitted transaction that created it, or NULL */
    bool dropped;
} eng_seq;

struct eng_seqs {
    pthread_mutex_t mu;
    eng_seq **v;       /* every sequence ever made, dropped ones too */
    size_t n, cap;
};

struct eng_seq_session {
    struct { uint32_t oid; int64_t val; } *v;
    size_t n, cap;
    uint32_t last_oid; /* lastval(): the sequence nextval last ran on, 0 = none */
};

/* ---- registry -------------------------------------------------------- */

eng_seqs *eng__seqs_new(void)
{
    eng_seqs *s = mem_calloc(1, sizeof(*s));
    if (s)
        pthread_mutex_init(&s->mu, NULL);
    return s;
}

void eng__seqs_free(eng_seqs *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        mem_free(s->v[i]->name);
        mem_free(s->v[i]);
    }
    mem_free(s->v);
    pthread_mutex_destroy(&s->mu);
    mem_free(s);
}

static eng_seq *by_name(eng_seqs *s, const char *name)
{
    for (size_t i = s->n; i-- > 0;)
        if (!s->v[i]->dropped && strcmp(s->v[i]->name, name) == 0)
            return s->v[i];
    return NULL;
}

static eng_seq *by_oid(eng_seqs *s, uint32_t oid)
{
    for (size_t i = s->n; i-- > 0;)
        if (!s->v[i]->dropped && s->v[i]->oid == oid)
            return s->v[i];
    return NULL;
}

static eng_seq *add(eng_seqs *s, uint32_t oid, const eng_seq_def *d)
{
    eng_seq *q = mem_calloc(1, sizeof(*q));
    if (!q || !(q->name = mem_strdup(d->name)))
        goto fail;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        eng_seq **v = mem_realloc(s->v, nc * sizeof(*v));
        if (!v)
            goto fail;
        s->v = v;
        s->cap = nc;
    }
    q->oid = oid;
    q->d = *d;
    q->d.name = q->name;
    q->last = d->start;
    s->v[s->n++] = q;
    return q;
fail:
    if (q)
        mem_free(q->name);
    mem_free(q);
    return NULL;
}

bool eng_seq_exists(eng_catalog *cat, const char *name)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    bool r = by_name(s, name) != NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

uint32_t eng_seq_oid(eng_catalog *cat, const char *name)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    eng_seq *q = by_name(s, name);
    uint32_t oid = q ? q->oid : 0;
    pthread_mutex_unlock(&s->mu);
    return oid;
}

bool eng_seq_owner(eng_catalog *cat, const char *name, uint32_t *relid, int *col)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    eng_seq *q = by_name(s, name);
    bool owned = q && q->d.owner_rel;
    if (owned) {
        *relid = q->d.owner_rel;
        *col = q->d.owner_col;
    }
    pthread_mutex_unlock(&s->mu);
    return owned;
}

char eng_seq_identity(eng_catalog *cat, uint32_t relid, int col)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    char kind = 0;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->n && !kind; i++)
        if (!s->v[i]->dropped && s->v[i]->d.owner_rel == relid && s->v[i]->d.owner_col == col)
            kind = s->v[i]->d.identity;
    pthread_mutex_unlock(&s->mu);
    return kind;
}

int eng_seq_check_value(eng_catalog *cat, const eng_table *t, int col, bool update, bool overriding, pgw_error *err)
{
    if (!cat || (overriding && !update) || eng_seq_identity(cat, t->relid, col) != 'a')
        return 0;
    const char *name = t->cols[col].name;
    if (update)
        pgw_error_set(err, "428C9", "column \"%s\" can only be updated to DEFAULT", name);
    else
        pgw_error_set(err, "428C9", "cannot insert a non-DEFAULT value into column \"%s\"", name);
    pgw_error_detail(err, "Column \"%s\" is an identity column defined as GENERATED ALWAYS.", name);
    if (!update)
        pgw_error_hint(err, "Use OVERRIDING SYSTEM VALUE to override.");
    return -1;
}

bool eng_seq_name(eng_catalog *cat, uint32_t oid, char *out, size_t n)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    eng_seq *q = by_oid(s, oid);
    if (q)
        snprintf(out, n, "%s", q->name);
    pthread_mutex_unlock(&s->mu);
    return q != NULL;
}

bool eng_seq_at(eng_catalog *cat, size_t i, eng_seq_info *out)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    bool found = false;
    pthread_mutex_lock(&s->mu);
    for (size_t k = 0; k < s->n && !found; k++) {
        eng_seq *q = s->v[k];
        if (q->dropped || i-- != 0)
            continue;
        *out = (eng_seq_info){q->oid, q->name, q->d.incr, q->d.minv, q->d.maxv, q->d.start,
                              q->d.cache, q->last, q->d.cycle, q->called, q->d.type};
        found = true;
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

/* ---- records ---------------------------------------------------------- */

/* Records use catalog.c's little-endian encoding (catalog_internal.h), plus 64-bit values. */
static void put64(buf *b, int64_t v)
{
    eng__put_u32(b, (uint32_t)(uint64_t)v);
    eng__put_u32(b, (uint32_t)((uint64_t)v >> 32));
}

static int64_t get64(eng_rd *r)
{
    uint64_t lo = eng__get_u32(r), hi = eng__get_u32(r);
    return (int64_t)(lo | hi << 32);
}

static void rec_create(buf *b, const eng_seq *q)
{
    eng__put_u32(b, q->oid);
    eng__put_u32(b, (uint32_t)strlen(q->name));
    buf_append(b, q->name, strlen(q->name));
    put64(b, q->d.incr);
    put64(b, q->d.minv);
    put64(b, q->d.maxv);
    put64(b, q->d.start);
    put64(b, q->d.cache);
    eng__put_u32(b, q->d.cycle);
    eng__put_u32(b, q->d.type);
    eng__put_u32(b, q->d.owner_rel);
    eng__put_u32(b, (uint32_t)q->d.owner_col | (uint32_t)(uint8_t)q->d.identity << 16);
}

/* The durable position: what recovery must restart after. */
static void rec_pos(buf *b, int64_t last, bool called)
{
    put64(b, last);
    eng__put_u32(b, called);
}

bool eng__seq_kind(uint32_t kind)
{
    return kind == SEQ_CREATE || kind == SEQ_DROP || kind == SEQ_LOG;
}

int eng__seq_apply(eng_catalog *cat, uint32_t kind, const uint8_t *data, size_t len, pgw_error *err)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    eng_rd r = {data, data + len, false};
    uint32_t oid = eng__get_u32(&r);
    eng_seq *q = by_oid(s, oid);
    if (kind == SEQ_DROP) {
        if (q)
            q->dropped = true;
        return r.bad ? (pgw_error_set(err, ST_SQLSTATE_DATA_CORRUPTED, "malformed sequence record"), -1) : 0;
    }
    if (kind == SEQ_CREATE) {
        uint32_t n = eng__get_u32(&r);
        if (r.bad || (size_t)(r.end - r.p) < n)
            goto bad;
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)n, (const char *)r.p);
        r.p += n;
        eng_seq_def d = {.name = name};
        d.incr = get64(&r), d.minv = get64(&r), d.maxv = get64(&r), d.start = get64(&r), d.cache = get64(&r);
        d.cycle = eng__get_u32(&r) != 0;
        d.type = eng__get_u32(&r);
        d.owner_rel = eng__get_u32(&r);
        uint32_t col = eng__get_u32(&r);
        d.owner_col = (int)(col & 0xFFFF);
        d.identity = (char)(col >> 16);
        if (r.bad)
            goto bad;
        if (q)
            q->dropped = true;
        if (!(q = add(s, eng__catalog_oid(cat, oid), &d)))
            return pgw_error_oom(err), -1;
        if (r.p == r.end)
            return 0; /* a creation record: no value handed out yet */
    }
    int64_t last = get64(&r);
    bool called = eng__get_u32(&r) != 0;
    if (r.bad)
        goto bad;
    if (q) {
        q->last = last;
        q->called = called;
        q->log_cnt = 0;
    }
    return 0;
bad:
    pgw_error_set(err, ST_SQLSTATE_DATA_CORRUPTED, "malformed sequence record (kind %u)", kind);
    return -1;
}

static void blob(buf *b, uint32_t kind, buf *one)
{
    eng__put_u32(b, kind);
    eng__put_u32(b, (uint32_t)one->len);
    buf_append(b, one->data, one->len);
    buf_reset(one);
}

/* The position a checkpoint may keep: the newest logged one, which is
 * never behind a value handed out (log_cnt values are still ahead). */
static int64_t logged_last(const eng_seq *q)
{
    if (!q->called)
        return q->last;
    __int128 v = (__int128)q->last + (__int128)q->d.incr * q->log_cnt;
    return v > q->d.maxv ? q->d.maxv : v < q->d.minv ? q->d.minv : (int64_t)v;
}

void eng__seq_checkpoint(eng_catalog *cat, buf *b)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    buf one;
    buf_init(&one);
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->n; i++) {
        eng_seq *q = s->v[i];
        if (q->dropped || q->creator)
            continue;
        rec_create(&one, q);
        rec_pos(&one, logged_last(q), q->called);
        blob(b, SEQ_CREATE, &one);
    }
    pthread_mutex_unlock(&s->mu);
    if (one.failed)
        b->failed = true;
    buf_free(&one);
}

void eng__seq_undo(void *seq, bool created)
{
    eng_seq *q = seq;
    q->dropped = created;
    q->creator = NULL;
}

void eng__seq_committed(void *seq)
{
    ((eng_seq *)seq)->creator = NULL;
}

static int log_rec(st_txn *txn, uint32_t kind, buf *b, pgw_error *err)
{
    int rc = b->failed ? (pgw_error_oom(err), -1) : st_log_engine(txn, 0, kind, b->data, b->len, err);
    buf_free(b);
    return rc;
}

/* ---- DDL ------------------------------------------------------------- */

int eng_seq_create(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const eng_seq_def *def, pgw_error *err)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    eng_seq *q = add(s, eng__catalog_oid(cat, 0), def);
    int rc = -1;
    if (!q) {
        pgw_error_oom(err);
        goto out;
    }
    buf b;
    buf_init(&b);
    rec_create(&b, q);
    if (log_rec(txn, SEQ_CREATE, &b, err) || eng__ddl_log_seq(log, q, true, err)) {
        q->dropped = true;
        goto out;
    }
    q->creator = txn;
    rc = 0;
out:
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int drop_one(eng_seq *q, st_txn *txn, eng_ddl_log *log, pgw_error *err)
{
    buf b;
    buf_init(&b);
    eng__put_u32(&b, q->oid);
    if (log_rec(txn, SEQ_DROP, &b, err) || eng__ddl_log_seq(log, q, false, err))
        return -1;
    q->dropped = true;
    return 0;
}

int eng_seq_drop(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, const char *name, pgw_error *err)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    eng_seq *q = by_name(s, name);
    int rc = q ? drop_one(q, txn, log, err) : 0;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int eng_seq_drop_owned(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, uint32_t relid, pgw_error *err)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->n && !rc; i++)
        if (!s->v[i]->dropped && s->v[i]->d.owner_rel == relid)
            rc = drop_one(s->v[i], txn, log, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int eng_seq_drop_table(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_table *t, pgw_error *err)
{
    uint32_t relid = t->relid;
    return eng_catalog_drop_table(cat, txn, log, t, err) || eng_seq_drop_owned(cat, txn, log, relid, err) ? -1 : 0;
}

/* ---- durable advance ------------------------------------------------- */

typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool fired;
} waiter;

static void wake(void *ctx)
{
    waiter *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->fired = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Commit one record in a transaction of its own and wait until it is
 * durable (the WAL writer thread flushes; this thread only waits). */
static int log_alone(st_db *db, uint32_t kind, buf *b, pgw_error *err)
{
    st_txn *t = st_txn_begin(db, err);
    if (!t) {
        buf_free(b);
        return -1;
    }
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    st_txn_set_waker(t, wake, &w);
    st_txn_set_synchronous_commit(t, true);
    st_stmt_begin(t);
    int rc = log_rec(t, kind, b, err);
    st_stmt_end(t);
    if (!rc) {
        while ((rc = st_commit(t, err)) == ST_WOULD_BLOCK) {
            pthread_mutex_lock(&w.mu);
            while (!w.fired)
                pthread_cond_wait(&w.cv, &w.mu);
            w.fired = false;
            pthread_mutex_unlock(&w.mu);
        }
    }
    st_txn_free(t);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return rc == ST_OK ? 0 : -1;
}

/* Log q's position as (last, called) durably; see the file comment. */
static int log_pos(eng_catalog *cat, st_txn *txn, eng_seq *q, int64_t last, bool called, pgw_error *err)
{
    buf b;
    buf_init(&b);
    eng__put_u32(&b, q->oid);
    rec_pos(&b, last, called);
    if (q->creator && q->creator == txn)
        return log_rec(txn, SEQ_LOG, &b, err);
    return log_alone(eng_catalog_db(cat), SEQ_LOG, &b, err);
}

/* ---- values ---------------------------------------------------------- */

eng_seq_session *eng_seq_session_new(void)
{
    return mem_calloc(1, sizeof(eng_seq_session));
}

void eng_seq_session_free(eng_seq_session *s)
{
    if (s)
        mem_free(s->v);
    mem_free(s);
}

static int remember(eng_seq_session *ss, uint32_t oid, int64_t v, pgw_error *err)
{
    for (size_t i = 0; i < ss->n; i++) {
        if (ss->v[i].oid == oid) {
            ss->v[i].val = v;
            return 0;
        }
    }
    if (ss->n == ss->cap) {
        size_t nc = ss->cap ? ss->cap * 2 : 8;
        void *v2 = mem_realloc(ss->v, nc * sizeof(*ss->v));
        if (!v2)
            return pgw_error_oom(err), -1;
        ss->v = v2;
        ss->cap = nc;
    }
    ss->v[ss->n].oid = oid;
    ss->v[ss->n++].val = v;
    return 0;
}

static const int64_t *recalled(const eng_seq_session *ss, uint32_t oid)
{
    for (size_t i = 0; i < ss->n; i++)
        if (ss->v[i].oid == oid)
            return &ss->v[i].val;
    return NULL;
}

static eng_seq *find_or_fail(eng_seqs *s, const char *name, pgw_error *err)
{
    eng_seq *q = by_name(s, name);
    if (!q)
        pgw_error_set(err, "42P01", "relation \"%s\" does not exist", name);
    return q;
}

/* The value after q->last, or -1 with 2200H at a bound without CYCLE. */
static int next_value(const eng_seq *q, int64_t *out, pgw_error *err)
{
    if (!q->called) {
        *out = q->last;
        return 0;
    }
    __int128 v = (__int128)q->last + q->d.incr;
    if (v > q->d.maxv || v < q->d.minv) {
        bool up = v > q->d.maxv;
        if (!q->d.cycle) {
            pgw_error_set(err, "2200H", "nextval: reached %s value of sequence \"%s\" (%lld)",
                          up ? "maximum" : "minimum", q->name, (long long)(up ? q->d.maxv : q->d.minv));
            return -1;
        }
        v = up ? q->d.minv : q->d.maxv;
    }
    *out = (int64_t)v;
    return 0;
}

int eng_seq_nextval(eng_catalog *cat, st_txn *txn, eng_seq_session *ss, const char *name, int64_t *out,
                    pgw_error *err)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    eng_seq *q = find_or_fail(s, name, err);
    int64_t v;
    int rc = -1;
    if (!q || next_value(q, &v, err))
        goto out;
    if (q->log_cnt == 0) {
        /* log ENG_SEQ_LOG_VALS values ahead (fewer at a bound) */
        eng_seq ahead = *q;
        ahead.last = v;
        ahead.called = true;
        int n = 1;
        for (int64_t w; n < ENG_SEQ_LOG_VALS && !next_value(&ahead, &w, &(pgw_error){0}) && w != v; n++)
            ahead.last = w;
        if (log_pos(cat, txn, q, ahead.last, true, err))
            goto out;
        q->log_cnt = n;
    }
    q->log_cnt--;
    q->last = v;
    q->called = true;
    if (remember(ss, q->oid, v, err))
        goto out;
    ss->last_oid = q->oid;
    *out = v;
    rc = 0;
out:
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int eng_seq_currval(eng_catalog *cat, eng_seq_session *ss, const char *name, int64_t *out, pgw_error *err)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    eng_seq *q = find_or_fail(s, name, err);
    const int64_t *v = q ? recalled(ss, q->oid) : NULL;
    if (q && !v)
        pgw_error_set(err, "55000", "currval of sequence \"%s\" is not yet defined in this session", name);
    if (v)
        *out = *v;
    pthread_mutex_unlock(&s->mu);
    return v ? 0 : -1;
}

int eng_seq_lastval(eng_catalog *cat, eng_seq_session *ss, int64_t *out, pgw_error *err)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    const int64_t *v = ss->last_oid ? recalled(ss, ss->last_oid) : NULL;
    eng_seq *q = ss->last_oid ? by_oid(s, ss->last_oid) : NULL;
    int rc = 0;
    if (!v || !q) { /* never called, or its sequence dropped since */
        pgw_error_set(err, "55000", "lastval is not yet defined in this session");
        rc = -1;
    } else
        *out = *v;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int eng_seq_setval(eng_catalog *cat, st_txn *txn, eng_seq_session *ss, const char *name, int64_t v, bool called,
                   pgw_error *err)
{
    eng_seqs *s = eng__catalog_seqs(cat);
    pthread_mutex_lock(&s->mu);
    eng_seq *q = find_or_fail(s, name, err);
    int rc = -1;
    if (!q)
        goto out;
    if (v < q->d.minv || v > q->d.maxv) {
        pgw_error_set(err, "22003", "setval: value %lld is out of bounds for sequence \"%s\" (%lld..%lld)",
                      (long long)v, name, (long long)q->d.minv, (long long)q->d.maxv);
        goto out;
    }
    if (log_pos(cat, txn, q, v, called, err))
        goto out;
    q->last = v;
    q->called = called;
    q->log_cnt = 0;
    rc = called ? remember(ss, q->oid, v, err) : 0;
out:
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- CREATE SEQUENCE options ----------------------------------------- */

int eng_seq_fill(eng_seq_def *d, const eng_seq_opts *o, pgw_error *err)
{
    d->type = o->type;
    int64_t tmax = o->type == OID_INT2 ? INT16_MAX : o->type == OID_INT4 ? INT32_MAX : INT64_MAX;
    int64_t tmin = o->type == OID_INT2 ? INT16_MIN : o->type == OID_INT4 ? INT32_MIN : INT64_MIN;
    if (!o->has_incr)
        d->incr = 1;
    if (d->incr == 0)
        return pgw_error_set(err, "22023", "INCREMENT must not be zero"), -1;
    if (!o->has_max)
        d->maxv = d->incr > 0 ? tmax : -1;
    if (!o->has_min)
        d->minv = d->incr > 0 ? 1 : tmin;
    if (d->maxv > tmax || d->maxv < tmin)
        return pgw_error_set(err, "22023", "MAXVALUE (%lld) is out of range for sequence data type %s",
                             (long long)d->maxv, eng_type_sqlname(o->type)), -1;
    if (d->minv > tmax || d->minv < tmin)
        return pgw_error_set(err, "22023", "MINVALUE (%lld) is out of range for sequence data type %s",
                             (long long)d->minv, eng_type_sqlname(o->type)), -1;
    if (d->minv >= d->maxv)
        return pgw_error_set(err, "22023", "MINVALUE (%lld) must be less than MAXVALUE (%lld)",
                             (long long)d->minv, (long long)d->maxv), -1;
    if (!o->has_start)
        d->start = d->incr > 0 ? d->minv : d->maxv;
    if (d->start < d->minv)
        return pgw_error_set(err, "22023", "START value (%lld) cannot be less than MINVALUE (%lld)",
                             (long long)d->start, (long long)d->minv), -1;
    if (d->start > d->maxv)
        return pgw_error_set(err, "22023", "START value (%lld) cannot be greater than MAXVALUE (%lld)",
                             (long long)d->start, (long long)d->maxv), -1;
    if (!o->has_cache)
        d->cache = 1;
    if (d->cache <= 0)
        return pgw_error_set(err, "22023", "CACHE (%lld) must be greater than zero", (long long)d->cache), -1;
    return 0;
}
