/*
 * catalog_am: filling an access-method index (HNSW, see index/am.h) from a
 * table's visible rows in one bulk build on several threads — at CREATE
 * INDEX and again after every restart (catalog.c rebuilds all indexes
 * from the recovered heap).
 *
 * It reads every row version the statement sees and the newer versions of
 * transactions still open (storage's st_scan_versions): a row inserted or
 * updated by a transaction that commits after the build must be in the
 * index (readers check each hit against the version they see anyway). The
 * values are copied, as an open transaction's version may go away.
 * Each build is logged (rows, threads, seconds, index bytes): the figures
 * an operator sizing a server wants, and what bench/vector reads.
 */
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

/* One row version (under the table's lock): decode it and keep a copy of the indexed value. */
static int take_version(void *ctx, uint64_t rowid, const void *data, size_t len)
{
    rows *r = ctx;
    arena_reset(r->c->mem);
    eng_val *vals = arena_calloc(r->c->mem, (size_t)r->t->ncols + 1, sizeof(eng_val));
    if (!vals || eng_row_decode(r->c, r->t, data, len, vals))
        return -1;
    eng_val v = vals[r->ix->cols[0]];
    if (v.null)
        return 0;
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
