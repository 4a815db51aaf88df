/*
 * catalog_am: filling an access-method index (HNSW, see index/am.h) from a
 * table's visible rows in one bulk build on several threads — at CREATE
 * INDEX, and after a restart for an index the checkpoint held no usable
 * image of (catalog_persist.c).
 *
 * It reads every row version the statement sees and the newer versions of
 * transactions still open (storage's st_scan_versions): a row inserted or
 * updated by a transaction that commits after the build must be in the
 * index (readers check each hit against the version they see anyway). The
 * values are copied, as an open transaction's version may go away.
 * Each build is logged (rows, threads, seconds, index bytes): the figures
 * an operator sizing a server wants, and what bench/vector reads.
 *
 * CREATE INDEX builds under the catalog's read lock, so statements go on
 * meanwhile, then catches up under the write lock: a second pass over the
 * versions indexes those whose (row, value hash) the build did not see.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/catalog.h"
#include "engine/progress.h"
#include "util/log.h"
#include "util/mem.h"

/* A bulk build beyond this many threads gains nothing and costs stacks. */
#define FILL_MAX_THREADS 256

int eng__cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > FILL_MAX_THREADS ? FILL_MAX_THREADS : (int)n;
}

typedef struct rows {
    const eng_table *t;
    const eng_index *ix;
    eng_ctx *c;                /* decoding: scratch memory, reset per row */
    arena *keep;               /* the copied values */
    uint64_t *ids;
    eng_val *vals;
    size_t n, cap;
} rows;

static int push(rows *r, uint64_t id, eng_val v)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 1024;
        uint64_t *ids = mem_realloc(r->ids, nc * sizeof(*ids));
        if (ids)
            r->ids = ids;
        eng_val *vals = ids ? mem_realloc(r->vals, nc * sizeof(*vals)) : NULL;
        if (!vals)
            return -1;
        r->vals = vals;
        r->cap = nc;
    }
    r->ids[r->n] = id;
    r->vals[r->n++] = v;
    return 0;
}

/* The indexed column of one row version, decoded into c->mem (reset first): 1, 0 for a
 * NULL (not indexed), -1 on error. */
static int indexed_value(eng_ctx *c, const eng_table *t, const eng_index *ix, const void *data, size_t len,
                         eng_val *out)
{
    arena_reset(c->mem);
    eng_val *vals = arena_calloc(c->mem, (size_t)t->ncols + 1, sizeof(eng_val));
    if (!vals || eng_row_decode(c, t, data, len, vals))
        return -1;
    *out = vals[ix->cols[0]];
    return !out->null;
}

/* One row version (under the table's lock): keep a copy of its indexed value. */
static int take_version(void *ctx, uint64_t rowid, const void *data, size_t len)
{
    rows *r = ctx;
    eng_val v;
    int got = indexed_value(r->c, r->t, r->ix, data, len, &v);
    if (got <= 0)
        return got;
    char *copy = arena_alloc(r->keep, v.s.n ? v.s.n : 1);
    if (!copy)
        return -1;
    memcpy(copy, v.s.p, v.s.n);
    v.s.p = copy;
    return push(r, rowid, v);
}

static void report(void *ctx, size_t done, size_t total)
{
    eng_progress_report(ctx, done, total);
}

int eng__fill_am_index(st_txn *txn, eng_table *t, eng_index *ix, int nthreads, eng_progress *progress,
                       pgw_error *err)
{
    arena *scratch = arena_new(), *keep = arena_new();
    eng_ctx c = {.mem = scratch, .err = err};
    rows r = {.t = t, .ix = ix, .c = &c, .keep = keep};
    pgw_error_clear(err);
    /* the versions of transactions still open too: when they commit, their rows are indexed */
    int rc = scratch && keep ? st_scan_versions(txn, t->st, take_version, &r) : -1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    eng_am_progress watch = {report, progress};
    if (!rc && progress) {
        progress->index_relid = ix->relid;
        eng_progress_phase(progress, ENG_PROGRESS_LOADING, (int64_t)r.n);
    }
    if (!rc)
        rc = eng_amidx_build(ix->amx, r.ids, r.vals, r.n, nthreads < 1 ? 1 : nthreads, progress ? &watch : NULL, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc)
        log_info("index \"%s\" on \"%s\" built: %zu rows, %d threads, %.3f s, %zu bytes", ix->name, t->name, r.n,
                 nthreads < 1 ? 1 : nthreads, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9,
                 eng_amidx_memory(ix->amx));
    if (rc && !pgw_error_is_set(err))
        pgw_error_oom(err);
    mem_free(r.ids);
    mem_free(r.vals);
    arena_free(scratch);
    arena_free(keep);
    return rc;
}

/* ---- CREATE INDEX in two steps (catalog.h) ------------------------------ */

typedef struct version_key {
    uint64_t rowid, hash;
} version_key;

struct eng_am_build {
    eng_table *t;
    eng_index *ix;
    version_key *built;        /* the versions the bulk build indexed, sorted */
    size_t nbuilt;
    eng_ctx *c;                /* catch-up: decoding, as in rows */
};

static int key_cmp(const void *pa, const void *pb)
{
    const version_key *a = pa, *b = pb;
    if (a->rowid != b->rowid)
        return a->rowid < b->rowid ? -1 : 1;
    return (a->hash > b->hash) - (a->hash < b->hash);
}

void eng_am_build_free(eng_am_build *b)
{
    if (!b)
        return;
    eng__index_free(b->ix);
    mem_free(b->built);
    mem_free(b);
}

/* The (row, value hash) of every entry the bulk build made, sorted for lookups. */
static int remember_built(eng_am_build *b)
{
    size_t n = eng_amidx_entries(b->ix->amx);
    if (!(b->built = mem_alloc((n ? n : 1) * sizeof(*b->built))))
        return -1;
    for (size_t i = 0; i < n; i++)
        eng_amidx_entry(b->ix->amx, (int64_t)i, &b->built[i].rowid, &b->built[i].hash);
    b->nbuilt = n;
    qsort(b->built, n, sizeof(*b->built), key_cmp);
    return 0;
}

int eng_catalog_am_build(st_txn *txn, eng_table *t, const char *name, int col, const eng_am *am,
                         const eng_am_def *def, int nthreads, eng_progress *progress, eng_am_build **out,
                         pgw_error *err)
{
    pgw_error_clear(err);
    eng_am_build *b = mem_calloc(1, sizeof(*b));
    if (!b)
        return pgw_error_oom(err), -1;
    b->t = t;
    if (!(b->ix = eng__am_index_new(name, col, am, def, err)) || eng__fill_am_index(txn, t, b->ix, nthreads, progress, err) ||
        remember_built(b)) {
        if (!pgw_error_is_set(err))
            pgw_error_oom(err);
        eng_am_build_free(b);
        return -1;
    }
    *out = b;
    return 0;
}

/* A version the bulk build did not see (written since): index it now. */
static int catch_up_version(void *ctx, uint64_t rowid, const void *data, size_t len)
{
    eng_am_build *b = ctx;
    eng_val v;
    int got = indexed_value(b->c, b->t, b->ix, data, len, &v);
    if (got <= 0)
        return got;
    version_key k = {rowid, eng_amidx_hash(&v)};
    if (bsearch(&k, b->built, b->nbuilt, sizeof(k), key_cmp))
        return 0;
    return eng_amidx_insert(b->ix->amx, rowid, &v, b->c->err) ? -1 : 0;
}

int eng_catalog_am_attach(eng_catalog *cat, st_txn *txn, eng_ddl_log *log, eng_am_build *b, pgw_error *err)
{
    arena *scratch = arena_new();
    eng_ctx c = {.mem = scratch, .err = err};
    b->c = &c;
    pgw_error_clear(err);
    int rc = scratch ? st_scan_versions(txn, b->t->st, catch_up_version, b) : -1;
    arena_free(scratch);
    if (!rc) {
        eng_index *ix = b->ix;
        b->ix = NULL; /* attach takes it, and frees it if it fails */
        rc = eng__attach_index(cat, txn, log, b->t, ix, err);
    }
    if (rc && !pgw_error_is_set(err))
        pgw_error_oom(err);
    eng_am_build_free(b);
    return rc;
}
