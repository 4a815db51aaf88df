/*
 * catalog_am: filling an access-method index (HNSW, see index/am.h) from a
 * table's visible rows in one bulk build on several threads — at CREATE
 * INDEX and again after every restart (catalog.c rebuilds all indexes
 * from the recovered heap).
 *
 * The values are not copied: they point into the row images, which stay
 * valid until the transaction's next statement begins (storage's rule).
 * Each build is logged (rows, threads, seconds, index bytes): the figures
 * an operator sizing a server wants, and what bench/vector reads.
 */
#include <time.h>
#include <unistd.h>

#include "engine/catalog.h"
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

int eng__fill_am_index(st_txn *txn, eng_table *t, eng_index *ix, int nthreads, pgw_error *err)
{
    arena *a = arena_new();
    rows r = {0};
    if (!a)
        return pgw_error_oom(err), -1;
    pgw_error_clear(err);
    eng_ctx c = {.mem = a, .err = err};
    eng_val *vals = arena_calloc(a, (size_t)t->ncols + 1, sizeof(eng_val));
    int rc = vals ? 0 : -1;
    st_scan sc;
    st_row row;
    st_scan_init(&sc, txn, t->st);
    while (!rc && st_scan_next(&sc, &row)) {
        arena_reset(a);
        if (!(vals = arena_calloc(a, (size_t)t->ncols + 1, sizeof(eng_val))) ||
            (rc = eng_row_decode(&c, t, row.data, row.len, vals)))
            break;
        const eng_val *v = &vals[ix->cols[0]];
        if (!v->null && push(&r, row.rowid, *v))
            rc = -1;
    }
    if (!vals)
        rc = -1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!rc)
        rc = eng_amidx_build(ix->amx, r.ids, r.vals, r.n, nthreads < 1 ? 1 : nthreads, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc)
        log_info("index \"%s\" on \"%s\" built: %zu rows, %d threads, %.3f s, %zu bytes", ix->name, t->name, r.n,
                 nthreads < 1 ? 1 : nthreads, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9,
                 eng_amidx_memory(ix->amx));
    if (rc && !pgw_error_is_set(err))
        pgw_error_oom(err);
    mem_free(r.ids);
    mem_free(r.vals);
    arena_free(a);
    return rc;
}
