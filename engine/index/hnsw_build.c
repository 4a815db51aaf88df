/*
 * hnsw_build: parameters (pgvector's ranges and messages), creating and
 * freeing an index, growing its arrays, the label map, and the parallel bulk
 * build with progress reporting.
 */
#include "engine/index/hnsw_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "util/mem.h"

/* Pages of 2 MiB: level 0 arrays at least this big are advised to use huge pages. */
#define HUGE_PAGE (2u << 20)

int hnsw__error(pgw_error *err, int status, const char *fmt, ...)
{
    if (!err)
        return status;
    const char *state = SQLSTATE_INVALID_PARAMETER_VALUE;
    switch (status) {
    case HNSW_ENOMEM: state = SQLSTATE_OUT_OF_MEMORY; break;
    case HNSW_ECORRUPT: state = SQLSTATE_DATA_CORRUPTED; break;
    case HNSW_EIO: state = SQLSTATE_IO_ERROR; break;
    case HNSW_EEXIST: state = SQLSTATE_UNIQUE_VIOLATION; break;
    case HNSW_ECANCELED: state = SQLSTATE_QUERY_CANCELED; break;
    default: break;
    }
    char msg[PGW_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pgw_error_set(err, state, "%s", msg);
    return status;
}

void hnsw_params_init(hnsw_params *p, dist_metric metric, int dim)
{
    memset(p, 0, sizeof(*p));
    p->metric = metric;
    p->dim = dim;
    p->m = HNSW_DEFAULT_M;
    p->ef_construction = HNSW_DEFAULT_EF_CONSTRUCTION;
    p->seed = 100;
}

/* PostgreSQL's reloption range error, as pgvector's options report it. */
static int out_of_bounds(pgw_error *err, const char *opt, int v, int lo, int hi)
{
    hnsw__error(err, HNSW_EINVAL, "value %d out of bounds for option \"%s\"", v, opt);
    if (err)
        pgw_error_detail(err, "Valid values are between \"%d\" and \"%d\".", lo, hi);
    return HNSW_EINVAL;
}

int hnsw_params_check(const hnsw_params *p, pgw_error *err)
{
    if (!p)
        return hnsw__error(err, HNSW_EINVAL, "missing hnsw parameters");
    if ((unsigned)p->metric >= DIST_METRIC_COUNT)
        return hnsw__error(err, HNSW_EINVAL, "unknown distance metric %d", (int)p->metric);
    if (p->dim < HNSW_MIN_DIM)
        return hnsw__error(err, HNSW_EINVAL, "vector must have at least 1 dimension");
    if (p->dim > HNSW_MAX_DIM)
        return hnsw__error(err, HNSW_EINVAL,
                           "column cannot have more than %d dimensions for hnsw index", HNSW_MAX_DIM);
    if (p->m < HNSW_MIN_M || p->m > HNSW_MAX_M)
        return out_of_bounds(err, "m", p->m, HNSW_MIN_M, HNSW_MAX_M);
    if (p->ef_construction < HNSW_MIN_EF_CONSTRUCTION || p->ef_construction > HNSW_MAX_EF_CONSTRUCTION)
        return out_of_bounds(err, "ef_construction", p->ef_construction, HNSW_MIN_EF_CONSTRUCTION,
                             HNSW_MAX_EF_CONSTRUCTION);
    if (p->ef_construction < 2 * p->m)
        return hnsw__error(err, HNSW_EINVAL, "ef_construction must be greater than or equal to 2 * m");
    if (p->capacity > HNSW_MAX_ELEMENTS)
        return hnsw__error(err, HNSW_EINVAL, "hnsw capacity %zu is too large", p->capacity);
    return HNSW_OK;
}

int hnsw_check_ef_search(int ef_search, pgw_error *err)
{
    if (ef_search < HNSW_MIN_EF_SEARCH || ef_search > HNSW_MAX_EF_SEARCH)
        return hnsw__error(err, HNSW_EINVAL,
                           "%d is outside the valid range for parameter \"hnsw.ef_search\" (%d .. %d)",
                           ef_search, HNSW_MIN_EF_SEARCH, HNSW_MAX_EF_SEARCH);
    return HNSW_OK;
}

static void advise_huge(void *p, size_t size)
{
    if (size < 2 * (size_t)HUGE_PAGE)
        return;
    uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    uintptr_t hi = ((uintptr_t)p + size) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* a hint; failure is harmless */
}

static int grow_array(void **p, size_t old_bytes, size_t new_bytes)
{
    if (!old_bytes) { /* fresh memory from the system is zero already: no memset pass */
        void *z = mem_calloc(1, new_bytes);
        if (!z)
            return HNSW_ENOMEM;
        mem_free(*p);
        *p = z;
        return HNSW_OK;
    }
    void *q = mem_realloc(*p, new_bytes);
    if (!q)
        return HNSW_ENOMEM;
    memset((char *)q + old_bytes, 0, new_bytes - old_bytes);
    *p = q;
    return HNSW_OK;
}

int hnsw__reserve(hnsw_index *x, size_t cap)
{
    if (cap <= x->capacity)
        return HNSW_OK;
    if (cap > HNSW_MAX_ELEMENTS)
        return HNSW_ENOMEM;
    size_t old = x->capacity;
    if (grow_array((void **)&x->data0, old * x->rec_size, cap * x->rec_size) ||
        grow_array((void **)&x->labels, old * sizeof(int64_t), cap * sizeof(int64_t)) ||
        grow_array((void **)&x->upper, old * sizeof(uint32_t *), cap * sizeof(uint32_t *)) ||
        grow_array((void **)&x->locks, old, cap))
        return HNSW_ENOMEM; /* arrays already grown keep their larger size: harmless */
    advise_huge(x->data0, cap * x->rec_size);
    x->capacity = cap;
    return HNSW_OK;
}

/* The label map: open addressing on a hash of the label, slots hold id + 1. */
static size_t map_slot(int64_t label, size_t cap)
{
    uint64_t h = (uint64_t)label * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

uint32_t hnsw__map_get(const hnsw_index *x, int64_t label)
{
    if (!x->map_cap)
        return HNSW_NONE;
    for (size_t i = map_slot(label, x->map_cap);; i = (i + 1) & (x->map_cap - 1)) {
        uint32_t s = x->map[i];
        if (!s)
            return HNSW_NONE;
        if (x->labels[s - 1] == label)
            return s - 1;
    }
}

static void map_insert_raw(uint32_t *map, size_t cap, const int64_t *labels, uint32_t id)
{
    size_t i = map_slot(labels[id], cap);
    while (map[i] && labels[map[i] - 1] != labels[id])
        i = (i + 1) & (cap - 1);
    map[i] = id + 1;
}

/* Keeps the load factor <= 1/2. labels[id] must already hold the label. */
int hnsw__map_put(hnsw_index *x, int64_t label, uint32_t id)
{
    (void)label;
    if ((id + 1) * 2 > x->map_cap) {
        size_t cap = x->map_cap ? x->map_cap * 2 : 1024;
        while (cap < (size_t)(id + 1) * 2)
            cap *= 2;
        uint32_t *m = mem_calloc(cap, sizeof(uint32_t));
        if (!m)
            return HNSW_ENOMEM;
        for (size_t i = 0; i < x->map_cap; i++)
            if (x->map[i])
                map_insert_raw(m, cap, x->labels, x->map[i] - 1);
        mem_free(x->map);
        x->map = m;
        x->map_cap = cap;
    }
    map_insert_raw(x->map, x->map_cap, x->labels, id);
    return HNSW_OK;
}

int hnsw__create_empty(const hnsw_params *p, hnsw_index **out)
{
    hnsw_index *x = mem_calloc(1, sizeof(*x));
    if (!x)
        return HNSW_ENOMEM;
    x->p = *p;
    x->dim = (size_t)p->dim;
    x->m = p->m;
    x->m0 = 2 * p->m;
    x->efc = p->ef_construction;
    x->ml = 1.0 / log((double)p->m);
    const dist_kernels *k = dist_best();
    x->kern = p->metric == DIST_L2 ? k->l2sq : p->metric == DIST_L1 ? k->l1 : k->dot;
    x->gd = p->metric == DIST_IP ? GD_NEG : p->metric == DIST_COSINE ? GD_ONE_MINUS : GD_PLAIN;
    x->vec_off = 4 + 4 * (size_t)x->m0;
    x->rec_size = x->vec_off + 4 * x->dim;
    x->prefetch_bytes = 4 * x->dim < HNSW_PREFETCH_MAX ? 4 * x->dim : HNSW_PREFETCH_MAX;
    atomic_init(&x->ep, hnsw__ep_pack(HNSW_NONE, 0));
    pthread_rwlock_init(&x->grow, NULL);
    pthread_mutex_init(&x->alloc, NULL);
    pthread_mutex_init(&x->ep_lock, NULL);
    pthread_mutex_init(&x->pool_lock, NULL);
    *out = x;
    return HNSW_OK;
}

int hnsw_create(const hnsw_params *p, hnsw_index **out, pgw_error *err)
{
    *out = NULL;
    int rc = hnsw_params_check(p, err);
    if (rc)
        return rc;
    hnsw_index *x;
    if (hnsw__create_empty(p, &x))
        return hnsw__error(err, HNSW_ENOMEM, "out of memory");
    if (hnsw__reserve(x, p->capacity ? p->capacity : HNSW_DEFAULT_CAPACITY)) {
        hnsw_free(x);
        return hnsw__error(err, HNSW_ENOMEM, "out of memory");
    }
    *out = x;
    return HNSW_OK;
}

void hnsw_free(hnsw_index *x)
{
    if (!x)
        return;
    hnsw__scratch_free_all(x);
    for (size_t i = 0; i < x->capacity && x->upper; i++) /* unused slots are NULL */
        mem_free(x->upper[i]);
    mem_free(x->data0);
    mem_free(x->labels);
    mem_free(x->upper);
    mem_free((void *)x->locks);
    mem_free(x->map);
    pthread_rwlock_destroy(&x->grow);
    pthread_mutex_destroy(&x->alloc);
    pthread_mutex_destroy(&x->ep_lock);
    pthread_mutex_destroy(&x->pool_lock);
    mem_free(x);
}

size_t hnsw_count(const hnsw_index *x)
{
    return atomic_load(&((hnsw_index *)x)->n);
}

size_t hnsw_live_count(const hnsw_index *x)
{
    return hnsw_count(x) - atomic_load(&((hnsw_index *)x)->n_deleted);
}

int hnsw_dim(const hnsw_index *x)
{
    return x->p.dim;
}

dist_metric hnsw_metric(const hnsw_index *x)
{
    return x->p.metric;
}

size_t hnsw_memory_bytes(const hnsw_index *x)
{
    hnsw_index *w = (hnsw_index *)x;
    size_t per = x->rec_size + sizeof(int64_t) + sizeof(uint32_t *) + 1;
    return sizeof(*x) + x->capacity * per + x->map_cap * sizeof(uint32_t) +
           atomic_load(&w->upper_bytes) + atomic_load(&w->scratch_bytes);
}

/* ---- parallel bulk build ---- */

typedef struct build_job {
    hnsw_index *x;
    const float *vecs;
    const int64_t *labels;
    size_t n;
    atomic_size_t next, done;
    atomic_int status; /* first error, or HNSW_ECANCELED */
    hnsw_progress_fn progress;
    void *progress_ctx;
    pthread_mutex_t progress_lock;
    size_t next_report; /* under progress_lock */
    pgw_error *err;     /* filled by the first failing thread, under progress_lock */
} build_job;

static void report_progress(build_job *j, size_t done)
{
    if (!j->progress)
        return;
    pthread_mutex_lock(&j->progress_lock);
    if (done >= j->next_report) {
        while (j->next_report <= done)
            j->next_report += (j->n + 9) / 10;
        if (j->progress(j->progress_ctx, done, j->n)) {
            int zero = 0;
            atomic_compare_exchange_strong(&j->status, &zero, HNSW_ECANCELED);
        }
    }
    pthread_mutex_unlock(&j->progress_lock);
}

static void *build_worker(void *arg)
{
    build_job *j = arg;
    pgw_error local;
    for (;;) {
        if (atomic_load_explicit(&j->status, memory_order_relaxed))
            break;
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n)
            break;
        int64_t label = j->labels ? j->labels[i] : (int64_t)i;
        int rc = hnsw_insert(j->x, label, j->vecs + i * j->x->dim, &local);
        if (rc < 0) {
            int zero = 0;
            if (atomic_compare_exchange_strong(&j->status, &zero, rc) && j->err) {
                pthread_mutex_lock(&j->progress_lock);
                *j->err = local;
                pthread_mutex_unlock(&j->progress_lock);
            }
            break;
        }
        report_progress(j, atomic_fetch_add(&j->done, 1) + 1);
    }
    return NULL;
}

static int reserve_for_build(hnsw_index *x, size_t more)
{
    pthread_rwlock_wrlock(&x->grow);
    int rc = hnsw__reserve(x, x->n_alloc + more);
    pthread_rwlock_unlock(&x->grow);
    return rc;
}

int hnsw_build(hnsw_index *x, const float *vecs, const int64_t *labels, size_t n, int nthreads,
               hnsw_progress_fn progress, void *progress_ctx, pgw_error *err)
{
    if (n == 0)
        return HNSW_OK;
    if (!vecs || nthreads < 1 || nthreads > 1024)
        return hnsw__error(err, HNSW_EINVAL, "invalid hnsw build arguments");
    if (reserve_for_build(x, n))
        return hnsw__error(err, HNSW_ENOMEM, "out of memory");
    build_job j = {.x = x, .vecs = vecs, .labels = labels, .n = n, .progress = progress,
                   .progress_ctx = progress_ctx, .next_report = (n + 9) / 10, .err = err};
    pthread_mutex_init(&j.progress_lock, NULL);
    pthread_t th[1024];
    int started = 0;
    for (int t = 1; t < nthreads; t++, started++)
        if (pthread_create(&th[started], NULL, build_worker, &j) != 0)
            break;
    build_worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    pthread_mutex_destroy(&j.progress_lock);
    int rc = atomic_load(&j.status);
    if (rc == HNSW_ECANCELED)
        return hnsw__error(err, rc, "canceling statement due to user request");
    return rc;
}
