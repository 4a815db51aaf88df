/*
 * hnsw_insert: Algorithm 1 (INSERT, Malkov & Yashunin) for one element, safe
 * to run from many threads at once, and deletion by label.
 *
 * An insert takes `grow` shared for its whole duration; ids are handed out
 * under `alloc`, which also guards the label map. A new element is written
 * completely (header, vector, label, upper blocks) before its id is put into
 * any neighbour list, so a concurrent search never reaches a half-built
 * element. An element whose level tops the current maximum holds `ep_lock`
 * through its insert and then becomes the entry point (hnswlib's rule).
 */
#include "engine/index/hnsw_internal.h"

#include <math.h>
#include <string.h>

#include "util/mem.h"

/* Level draw: floor(-ln(U) * mL) with U a hash of (seed, id), so that a build is reproducible. */
static int random_level(const hnsw_index *x, uint32_t id)
{
    uint64_t z = x->p.seed + 0x9E3779B97F4A7C15ull * ((uint64_t)id + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    double u = ((double)(z >> 11) + 1.0) * (1.0 / 9007199254740992.0); /* (0, 1] */
    int level = (int)(-log(u) * x->ml);
    return level > HNSW_MAX_LEVEL ? HNSW_MAX_LEVEL : level;
}

static int check_vector(const hnsw_index *x, const float *v, pgw_error *err)
{
    if (!v)
        return hnsw__error(err, HNSW_EINVAL, "vector is missing");
    for (size_t i = 0; i < x->dim; i++)
        if (!isfinite(v[i]))
            return hnsw__error(err, HNSW_EINVAL, isnan(v[i]) ? "NaN not allowed in vector"
                                                             : "infinite value not allowed in vector");
    return HNSW_OK;
}

/* Hands out an id for `label` with room in the arrays; returns with `grow` held shared. */
static int take_id(hnsw_index *x, int64_t label, uint32_t *id, pgw_error *err)
{
    for (;;) {
        pthread_rwlock_rdlock(&x->grow);
        pthread_mutex_lock(&x->alloc);
        if (x->n_alloc < x->capacity)
            break;
        pthread_mutex_unlock(&x->alloc);
        pthread_rwlock_unlock(&x->grow);
        pthread_rwlock_wrlock(&x->grow);
        int rc = x->n_alloc < x->capacity ? HNSW_OK : hnsw__reserve(x, x->capacity * 2);
        pthread_rwlock_unlock(&x->grow);
        if (rc)
            return hnsw__error(err, HNSW_ENOMEM, "out of memory");
    }
    uint32_t old = hnsw__map_get(x, label);
    int rc = HNSW_OK;
    if (old != HNSW_NONE && !hnsw__deleted(x, old)) {
        rc = hnsw__error(err, HNSW_EEXIST, "label %lld is already in the hnsw index", (long long)label);
    } else {
        *id = (uint32_t)x->n_alloc;
        x->labels[*id] = label;
        if (hnsw__map_put(x, label, *id) == HNSW_OK) {
            x->n_alloc++;
            atomic_store(&x->n, x->n_alloc);
        } else {
            rc = hnsw__error(err, HNSW_ENOMEM, "out of memory");
        }
    }
    pthread_mutex_unlock(&x->alloc);
    if (rc)
        pthread_rwlock_unlock(&x->grow);
    return rc;
}

/* Fills the record of a new element; false if its upper blocks cannot be allocated. */
static bool write_element(hnsw_index *x, uint32_t id, int level, const float *vec)
{
    char *r = hnsw__rec(x, id);
    memset(r, 0, x->vec_off);
    r[3] = (char)level;
    float *v = hnsw__vec(x, id);
    memcpy(v, vec, x->dim * sizeof(float));
    if (x->p.metric == DIST_COSINE)
        (void)dist_normalize(v, x->dim);
    if (level == 0)
        return true;
    size_t bytes = (size_t)level * (size_t)(x->m + 1) * sizeof(uint32_t);
    x->upper[id] = mem_calloc(1, bytes);
    if (!x->upper[id])
        return false;
    atomic_fetch_add(&x->upper_bytes, bytes);
    return true;
}

static void mark_deleted(hnsw_index *x, uint32_t id)
{
    uint8_t prev = __atomic_fetch_or((uint8_t *)hnsw__rec(x, id) + 2, HNSW_FLAG_DELETED, __ATOMIC_RELAXED);
    if (!(prev & HNSW_FLAG_DELETED))
        atomic_fetch_add(&x->n_deleted, 1);
}

/* Algorithm 1, lines 5-17: descend to the element's level, then search and link each level. */
static bool link_element(hnsw_index *x, hnsw_scratch *s, uint32_t id, int level, uint64_t ep)
{
    const float *v = hnsw__vec(x, id);
    int top = (int)(ep >> 32);
    float d;
    uint32_t cur = hnsw__descend(x, v, (uint32_t)ep, top, level, &d);
    for (int lc = level < top ? level : top; lc >= 0; lc--) {
        if (!hnsw__search_layer(x, s, v, cur, d, (size_t)x->efc, lc, NULL))
            return false;
        size_t kept = hnsw__select_heuristic(x, s->res.a, s->res.n, (size_t)x->m);
        cur = s->res.a[0].id;
        d = s->res.a[0].d;
        if (!hnsw__connect(x, s, id, lc, s->res.a, kept))
            return false;
    }
    return true;
}

int hnsw_insert(hnsw_index *x, int64_t label, const float *vec, pgw_error *err)
{
    if (!x)
        return hnsw__error(err, HNSW_EINVAL, "hnsw index is missing");
    int rc = check_vector(x, vec, err);
    if (rc)
        return rc;
    if (x->p.metric == DIST_COSINE && dist_norm(vec, x->dim) == 0.0f)
        return HNSW_SKIPPED; /* pgvector does not index zero vectors for cosine either */
    uint32_t id = HNSW_NONE;
    if ((rc = take_id(x, label, &id, err)))
        return rc;
    int level = random_level(x, id);
    hnsw_scratch *s = NULL;
    if (!write_element(x, id, level, vec) || !(s = hnsw__scratch_take(x))) {
        mark_deleted(x, id);
        pthread_rwlock_unlock(&x->grow);
        return hnsw__error(err, HNSW_ENOMEM, "out of memory");
    }
    uint64_t ep = atomic_load_explicit(&x->ep, memory_order_acquire);
    bool hold = false;
    if ((uint32_t)ep == HNSW_NONE || level > (int)(ep >> 32)) {
        pthread_mutex_lock(&x->ep_lock);
        hold = true;
        ep = atomic_load(&x->ep);
        if ((uint32_t)ep == HNSW_NONE) {
            atomic_store_explicit(&x->ep, hnsw__ep_pack(id, level), memory_order_release);
            goto done;
        }
        if (level <= (int)(ep >> 32)) {
            pthread_mutex_unlock(&x->ep_lock);
            hold = false;
        }
    }
    if (!link_element(x, s, id, level, ep)) {
        mark_deleted(x, id); /* partly linked: keep it for navigation, never return it */
        rc = hnsw__error(err, HNSW_ENOMEM, "out of memory");
    } else if (hold) {
        atomic_store_explicit(&x->ep, hnsw__ep_pack(id, level), memory_order_release);
    }
done:
    if (hold)
        pthread_mutex_unlock(&x->ep_lock);
    hnsw__scratch_give(x, s);
    pthread_rwlock_unlock(&x->grow);
    return rc;
}

int hnsw_delete(hnsw_index *x, int64_t label)
{
    if (!x)
        return HNSW_EINVAL;
    pthread_rwlock_rdlock(&x->grow);
    pthread_mutex_lock(&x->alloc);
    uint32_t id = hnsw__map_get(x, label);
    int rc = HNSW_ENOTFOUND;
    if (id != HNSW_NONE && !hnsw__deleted(x, id)) {
        mark_deleted(x, id);
        rc = HNSW_OK;
    }
    pthread_mutex_unlock(&x->alloc);
    pthread_rwlock_unlock(&x->grow);
    return rc;
}

size_t hnsw_delete_where(hnsw_index *x, hnsw_filter_fn match, void *ctx)
{
    if (!x || !match)
        return 0;
    size_t count = 0;
    pthread_rwlock_rdlock(&x->grow);
    size_t n = atomic_load(&x->n);
    for (size_t i = 0; i < n; i++) {
        if (!hnsw__deleted(x, (uint32_t)i) && match(ctx, x->labels[i])) {
            mark_deleted(x, (uint32_t)i);
            count++;
        }
    }
    pthread_rwlock_unlock(&x->grow);
    return count;
}
