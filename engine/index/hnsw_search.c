/*
 * hnsw_search: the search side of the graph. Candidate heaps, the pool of
 * per-search scratch (visited tags with an epoch counter, so no set is
 * cleared or allocated per search), greedy descent through the upper levels
 * and Algorithm 2 (SEARCH-LAYER) on one level, used by inserts too, then the
 * public k-NN searches (Algorithm 5, K-NN-SEARCH, Malkov & Yashunin), the
 * filtered/iterative variant and exact brute force.
 */
#include "engine/index/hnsw_internal.h"

#include <math.h>
#include <string.h>

#include "util/mem.h"

/* ---- heaps ---- */

static inline bool before(hnsw_cand a, hnsw_cand b, bool max)
{
    return max ? a.d > b.d : a.d < b.d;
}

bool hnsw__heap_push(hnsw_heap *h, hnsw_cand c, bool max)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        hnsw_cand *a = mem_realloc(h->a, cap * sizeof(*a));
        if (!a)
            return false;
        h->a = a;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(c, h->a[p], max))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = c;
    return true;
}

hnsw_cand hnsw__heap_pop(hnsw_heap *h, bool max)
{
    hnsw_cand top = h->a[0], last = h->a[--h->n];
    size_t i = 0, n = h->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(h->a[c + 1], h->a[c], max))
            c++;
        if (!before(h->a[c], last, max))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (n)
        h->a[i] = last;
    return top;
}

/* ---- scratch pool ---- */

static size_t scratch_size(const hnsw_scratch *s, size_t dim)
{
    return sizeof(*s) + s->tags_cap * 2 + (s->cand.cap + s->res.cap + s->sel_cap) * sizeof(hnsw_cand) +
           dim * sizeof(float);
}

hnsw_scratch *hnsw__scratch_take(hnsw_index *x)
{
    pthread_mutex_lock(&x->pool_lock);
    hnsw_scratch *s = x->pool;
    if (s)
        x->pool = s->next;
    pthread_mutex_unlock(&x->pool_lock);
    if (!s) {
        s = mem_calloc(1, sizeof(*s));
        if (!s)
            return NULL;
        s->qbuf = mem_alloc(x->dim * sizeof(float));
        if (!s->qbuf) {
            mem_free(s);
            return NULL;
        }
    } else {
        atomic_fetch_sub(&x->scratch_bytes, scratch_size(s, x->dim));
    }
    if (s->tags_cap < x->capacity) {
        mem_free(s->tags);
        s->tags = mem_calloc(x->capacity, sizeof(uint16_t));
        s->tags_cap = s->tags ? x->capacity : 0;
        s->epoch = 0;
        if (!s->tags) {
            hnsw__scratch_give(x, s);
            return NULL;
        }
    }
    return s;
}

void hnsw__scratch_give(hnsw_index *x, hnsw_scratch *s)
{
    atomic_fetch_add(&x->scratch_bytes, scratch_size(s, x->dim));
    pthread_mutex_lock(&x->pool_lock);
    s->next = x->pool;
    x->pool = s;
    pthread_mutex_unlock(&x->pool_lock);
}

void hnsw__scratch_free_all(hnsw_index *x)
{
    while (x->pool) {
        hnsw_scratch *s = x->pool;
        x->pool = s->next;
        mem_free(s->tags);
        mem_free(s->cand.a);
        mem_free(s->res.a);
        mem_free(s->sel);
        mem_free(s->qbuf);
        mem_free(s);
    }
    atomic_store(&x->scratch_bytes, 0);
}

void hnsw__visit_begin(hnsw_scratch *s)
{
    if (++s->epoch == 0) {
        memset(s->tags, 0, s->tags_cap * sizeof(uint16_t));
        s->epoch = 1;
    }
    s->cand.n = 0;
    s->res.n = 0;
}

/* ---- graph walks ---- */

uint32_t hnsw__descend(hnsw_index *x, const float *q, uint32_t ep, int top, int stop, float *d_out)
{
    uint32_t cur = ep;
    float d = hnsw__dist(x, q, hnsw__vec(x, cur));
    for (int lc = top; lc > stop; lc--) {
        bool changed = true;
        while (changed) {
            changed = false;
            uint32_t cnt;
            const uint32_t *ids = hnsw__links(x, cur, lc, &cnt);
            for (uint32_t i = 0; i < cnt; i++) {
                uint32_t c = hnsw__link_at(ids, i);
                float dc = hnsw__dist(x, q, hnsw__vec(x, c));
                if (dc < d) {
                    d = dc;
                    cur = c;
                    changed = true;
                }
            }
        }
    }
    *d_out = d;
    return cur;
}

static inline bool accepted(const hnsw_index *x, uint32_t id, const hnsw_accept *acc)
{
    if (!acc)
        return true;
    if (acc->skip_deleted && hnsw__deleted(x, id))
        return false;
    return !acc->filter || acc->filter(acc->ctx, x->labels[id]);
}

/* Adds (d, id) to the result max-heap of at most ef accepted elements. */
static inline bool offer_result(hnsw_scratch *s, hnsw_cand c, size_t ef)
{
    if (!hnsw__heap_push(&s->res, c, true))
        return false;
    if (s->res.n > ef)
        (void)hnsw__heap_pop(&s->res, true);
    return true;
}

/*
 * Algorithm 2. Elements the acceptor rejects are expanded like any other but
 * never enter the result set, and the bound used to prune is the worst
 * accepted distance, so with a selective filter the walk goes on until ef
 * accepted elements are found or the reachable graph is exhausted.
 */
bool hnsw__search_layer(hnsw_index *x, hnsw_scratch *s, const float *q, uint32_t ep, float ep_d,
                        size_t ef, int lc, const hnsw_accept *acc)
{
    hnsw__visit_begin(s);
    uint16_t *tags = s->tags, epoch = s->epoch;
    tags[ep] = epoch;
    hnsw_cand e = {ep_d, ep};
    if (!hnsw__heap_push(&s->cand, e, false))
        return false;
    if (accepted(x, ep, acc) && !offer_result(s, e, ef))
        return false;
    while (s->cand.n) {
        hnsw_cand c = s->cand.a[0];
        if (s->res.n == ef && c.d > s->res.a[0].d)
            break;
        (void)hnsw__heap_pop(&s->cand, false);
        uint32_t cnt, batch[HNSW_BATCH_MAX], nb = 0;
        const uint32_t *ids = hnsw__links(x, c.id, lc, &cnt);
        if (cnt > HNSW_BATCH_MAX)
            cnt = HNSW_BATCH_MAX; /* a torn read during a concurrent rewrite; lists never exceed 2*m */
        /* Pass 1: the unvisited neighbours, with all their vectors' cache lines prefetched at
         * once, so that the memory reads overlap instead of stalling one by one. */
        for (uint32_t i = 0; i < cnt; i++)
            __builtin_prefetch(tags + hnsw__link_at(ids, i));
        for (uint32_t i = 0; i < cnt; i++) {
            uint32_t id = hnsw__link_at(ids, i);
            if (tags[id] == epoch)
                continue;
            tags[id] = epoch;
            batch[nb++] = id;
            const char *v = (const char *)hnsw__vec(x, id);
            for (size_t off = 0; off < x->prefetch_bytes; off += 64)
                __builtin_prefetch(v + off);
        }
        /* Pass 2: distances. */
        for (uint32_t i = 0; i < nb; i++) {
            float d = hnsw__dist(x, q, hnsw__vec(x, batch[i]));
            float bound = s->res.n == ef ? s->res.a[0].d : INFINITY;
            if (d >= bound)
                continue;
            hnsw_cand n = {d, batch[i]};
            if (!hnsw__heap_push(&s->cand, n, false))
                return false;
            if (accepted(x, batch[i], acc) && !offer_result(s, n, ef))
                return false;
        }
    }
    return true;
}

/* ---- public searches ---- */

static float sql_distance(const hnsw_index *x, float d)
{
    switch (x->p.metric) {
    case DIST_L2:
        return sqrtf(d);
    case DIST_COSINE:
        return d < 0.0f ? 0.0f : d;
    default:
        return d;
    }
}

/* Copies the query (normalized for cosine) into s->qbuf; false for a zero cosine query. */
static bool prepare_query(const hnsw_index *x, hnsw_scratch *s, const float *query)
{
    memcpy(s->qbuf, query, x->dim * sizeof(float));
    if (x->p.metric != DIST_COSINE)
        return true;
    float norm = dist_normalize(s->qbuf, x->dim);
    return norm > 0.0f && isfinite(norm);
}

/* Pops s->res into out (closest first), at most k. */
static int drain_results(const hnsw_index *x, hnsw_scratch *s, size_t k, hnsw_result *out)
{
    while (s->res.n > k)
        (void)hnsw__heap_pop(&s->res, true);
    int n = (int)s->res.n;
    for (int i = n - 1; i >= 0; i--) {
        hnsw_cand c = hnsw__heap_pop(&s->res, true);
        out[i].label = x->labels[c.id];
        out[i].distance = sql_distance(x, c.d);
    }
    return n;
}

static int knn(hnsw_index *x, const float *query, size_t k, int ef_search, const hnsw_accept *acc,
               hnsw_result *out)
{
    if (!x || !query || !out || ef_search < 1)
        return HNSW_EINVAL;
    if (k == 0)
        return 0;
    size_t ef = (size_t)ef_search > k ? (size_t)ef_search : k;
    pthread_rwlock_rdlock(&x->grow);
    uint64_t ep = atomic_load_explicit(&x->ep, memory_order_acquire);
    int rc = 0;
    if ((uint32_t)ep == HNSW_NONE)
        goto out;
    hnsw_scratch *s = hnsw__scratch_take(x);
    if (!s) {
        rc = HNSW_ENOMEM;
        goto out;
    }
    if (prepare_query(x, s, query)) {
        float d;
        uint32_t cur = hnsw__descend(x, s->qbuf, (uint32_t)ep, (int)(ep >> 32), 0, &d);
        rc = hnsw__search_layer(x, s, s->qbuf, cur, d, ef, 0, acc) ? drain_results(x, s, k, out)
                                                                    : HNSW_ENOMEM;
    }
    hnsw__scratch_give(x, s);
out:
    pthread_rwlock_unlock(&x->grow);
    return rc;
}

int hnsw_search(hnsw_index *x, const float *query, size_t k, int ef_search, hnsw_result *out)
{
    hnsw_accept acc = {NULL, NULL, true};
    bool any_deleted = x && atomic_load_explicit(&x->n_deleted, memory_order_relaxed) > 0;
    return knn(x, query, k, ef_search, any_deleted ? &acc : NULL, out);
}

int hnsw_search_filtered(hnsw_index *x, const float *query, size_t k, int ef_search,
                         hnsw_filter_fn filter, void *ctx, hnsw_result *out)
{
    hnsw_accept acc = {filter, ctx, true};
    return knn(x, query, k, ef_search, &acc, out);
}

/* ---- exact search ---- */

/* Max-heap order for exact top-k: larger distance first, then larger label. */
static inline bool worse(hnsw_result a, hnsw_result b)
{
    return a.distance > b.distance || (a.distance == b.distance && a.label > b.label);
}

static void topk_offer(hnsw_result *h, size_t *n, size_t k, hnsw_result r)
{
    if (*n == k) {
        if (!worse(h[0], r))
            return;
        h[0] = h[--*n]; /* replace the root: sift the last element down, then push r */
        size_t i = 0;
        for (;;) {
            size_t c = 2 * i + 1;
            if (c >= *n)
                break;
            if (c + 1 < *n && worse(h[c + 1], h[c]))
                c++;
            if (!worse(h[c], h[i]))
                break;
            hnsw_result t = h[i];
            h[i] = h[c];
            h[c] = t;
            i = c;
        }
    }
    size_t i = (*n)++;
    h[i] = r;
    while (i > 0 && worse(h[i], h[(i - 1) / 2])) {
        hnsw_result t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

/* Heap -> ascending array in place (heap sort). */
static int topk_finish(hnsw_result *h, size_t n)
{
    for (size_t end = n; end > 1; end--) {
        hnsw_result t = h[0];
        h[0] = h[end - 1];
        h[end - 1] = t;
        size_t i = 0, m = end - 1;
        for (;;) {
            size_t c = 2 * i + 1;
            if (c >= m)
                break;
            if (c + 1 < m && worse(h[c + 1], h[c]))
                c++;
            if (!worse(h[c], h[i]))
                break;
            hnsw_result u = h[i];
            h[i] = h[c];
            h[c] = u;
            i = c;
        }
    }
    return (int)n;
}

/* Ranking key: the squared L2 (exact for small integers) so that ties stay ties. */
static double exact_key(dist_metric metric, const float *q, const float *b, size_t dim)
{
    return metric == DIST_L2 ? (double)dist_l2sq(q, b, dim) : dist_sql(metric, q, b, dim);
}

int hnsw_exact_knn(dist_metric metric, size_t dim, const float *base, size_t n, const float *query,
                   size_t k, hnsw_result *out)
{
    if ((unsigned)metric >= DIST_METRIC_COUNT || dim == 0 || (!base && n) || !query || !out)
        return HNSW_EINVAL;
    size_t have = 0;
    for (size_t i = 0; i < n && k; i++) {
        double d = exact_key(metric, query, base + i * dim, dim);
        if (isnan(d))
            continue; /* cosine with a zero vector: no distance, no row */
        hnsw_result r = {(int64_t)i, (float)d};
        topk_offer(out, &have, k, r);
    }
    int rc = topk_finish(out, have);
    for (int i = 0; metric == DIST_L2 && i < rc; i++)
        out[i].distance = sqrtf(out[i].distance);
    return rc;
}

int hnsw_search_exact(hnsw_index *x, const float *query, size_t k, hnsw_filter_fn filter,
                      void *ctx, hnsw_result *out)
{
    if (!x || !query || !out)
        return HNSW_EINVAL;
    pthread_rwlock_rdlock(&x->grow);
    hnsw_scratch *s = hnsw__scratch_take(x);
    int rc = s ? 0 : HNSW_ENOMEM;
    if (s && prepare_query(x, s, query)) {
        size_t n = atomic_load(&x->n), have = 0;
        for (size_t i = 0; i < n && k; i++) {
            if (hnsw__deleted(x, (uint32_t)i) || (filter && !filter(ctx, x->labels[i])))
                continue;
            float d = hnsw__dist(x, s->qbuf, hnsw__vec(x, (uint32_t)i));
            hnsw_result r = {x->labels[i], d};
            topk_offer(out, &have, k, r);
        }
        rc = topk_finish(out, have);
        for (int i = 0; i < rc; i++)
            out[i].distance = sql_distance(x, out[i].distance);
    }
    if (s)
        hnsw__scratch_give(x, s);
    pthread_rwlock_unlock(&x->grow);
    return rc;
}
