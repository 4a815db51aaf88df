/*
 * hnsw_internal: the index body shared by hnsw_*.c; not for other modules.
 *
 * Memory layout (hnswlib's): level 0 is one flat array `data0` of `rec_size`
 * byte records, record i = internal id i:
 *   u16 count | u8 flags | u8 level | u32 ids[2*m] | float vec[dim]
 * Upper levels live in `upper[i]` (NULL for level 0 only): `level` blocks of
 * (1 + m) u32, block l-1 = [count, ids[m]] for level l. Labels, spinlocks
 * and the label -> id map are separate arrays.
 *
 * Concurrency: a neighbour list is written only under its element's spinlock,
 * ids first and the count last (release); searches read without the lock using
 * acquire loads, so they may see an old or a partly rewritten list, but every
 * id in it is a complete element. `grow` (rwlock) is held shared by every
 * insert and search and exclusively only while the arrays are reallocated.
 * `alloc` (mutex) guards the element counter and the label map. `ep_lock`
 * serializes changes of the entry point, published in one atomic word.
 */
#ifndef HCDB_ENGINE_INDEX_HNSW_INTERNAL_H
#define HCDB_ENGINE_INDEX_HNSW_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "engine/index/hnsw.h"

#define HNSW_NONE 0xFFFFFFFFu
#define HNSW_MAX_LEVEL 31      /* level fits the u8; m >= 2 makes level 31 p < 2^-31 */
#define HNSW_FLAG_DELETED 0x01 /* record flags byte */
#define HNSW_DEFAULT_CAPACITY 1024
/* Longest neighbour list (2 * HNSW_MAX_M): the size of a search step's batch. */
#define HNSW_BATCH_MAX (2 * HNSW_MAX_M)
/* Bytes of each neighbour vector prefetched before its distance is computed (cap: 1 KiB). */
#define HNSW_PREFETCH_MAX 1024

typedef enum { GD_PLAIN, GD_NEG, GD_ONE_MINUS } hnsw_gd_kind;

typedef struct hnsw_cand {
    float d;
    uint32_t id;
} hnsw_cand;

/* A growable binary heap of candidates; min-heap or max-heap by `max`. */
typedef struct hnsw_heap {
    hnsw_cand *a;
    size_t n, cap;
} hnsw_heap;

/* Per-search scratch, pooled and reused: visited tags with an epoch, two heaps, a query copy. */
typedef struct hnsw_scratch {
    struct hnsw_scratch *next; /* pool link */
    uint16_t *tags;            /* tags[i] == epoch: visited in this search */
    size_t tags_cap;
    uint16_t epoch;
    hnsw_heap cand; /* min-heap: frontier */
    hnsw_heap res;  /* max-heap: best so far */
    hnsw_cand *sel; /* selection buffer (neighbour heuristic) */
    size_t sel_cap;
    float *qbuf; /* normalized query / vector copy */
} hnsw_scratch;

struct hnsw_index {
    hnsw_params p;
    size_t dim;
    int m, m0, efc;
    double ml;                       /* level multiplier 1/ln(m) */
    dist_fn kern;                    /* l2sq, dot or l1 of the chosen ISA */
    hnsw_gd_kind gd;                 /* graph distance = kern, -kern or 1-kern */
    size_t rec_size, vec_off;        /* level-0 record size and the vector's offset */
    size_t prefetch_bytes;           /* min(vector bytes, HNSW_PREFETCH_MAX) */
    char *data0;                     /* capacity * rec_size */
    int64_t *labels;                 /* capacity */
    uint32_t **upper;                /* capacity; NULL for level 0 only */
    atomic_uchar *locks;             /* capacity spinlocks */
    size_t capacity;                 /* elements allocated */
    atomic_size_t n;                 /* elements published (ids < n are complete) */
    size_t n_alloc;                  /* ids handed out (under alloc) */
    atomic_size_t n_deleted;         /* elements marked deleted */
    atomic_size_t upper_bytes;       /* bytes in upper[] blocks */
    _Atomic uint64_t ep;             /* (max level << 32) | entry id; HNSW_NONE = empty */
    uint32_t *map;                   /* label map: slot = id + 1, 0 empty; power of two */
    size_t map_cap;                  /* slots */
    pthread_rwlock_t grow;
    pthread_mutex_t alloc;
    pthread_mutex_t ep_lock;
    pthread_mutex_t pool_lock;
    hnsw_scratch *pool;
    atomic_size_t scratch_bytes;
};

/* Record accessors. */
static inline char *hnsw__rec(const hnsw_index *x, uint32_t id)
{
    return x->data0 + (size_t)id * x->rec_size;
}
static inline float *hnsw__vec(const hnsw_index *x, uint32_t id)
{
    return (float *)(hnsw__rec(x, id) + x->vec_off);
}
static inline uint8_t hnsw__level(const hnsw_index *x, uint32_t id)
{
    return (uint8_t)hnsw__rec(x, id)[3];
}
static inline bool hnsw__deleted(const hnsw_index *x, uint32_t id)
{
    return __atomic_load_n((uint8_t *)hnsw__rec(x, id) + 2, __ATOMIC_RELAXED) & HNSW_FLAG_DELETED;
}
/* The list of `id` at level lc: *count_out ids at the returned pointer (acquire). */
static inline uint32_t *hnsw__links(const hnsw_index *x, uint32_t id, int lc, uint32_t *count)
{
    if (lc == 0) {
        char *r = hnsw__rec(x, id);
        *count = __atomic_load_n((uint16_t *)r, __ATOMIC_ACQUIRE);
        return (uint32_t *)(r + 4);
    }
    uint32_t *b = x->upper[id] + (size_t)(lc - 1) * (size_t)(x->m + 1);
    *count = __atomic_load_n(b, __ATOMIC_ACQUIRE);
    return b + 1;
}
static inline void hnsw__set_count(const hnsw_index *x, uint32_t id, int lc, uint32_t count)
{
    if (lc == 0)
        __atomic_store_n((uint16_t *)hnsw__rec(x, id), (uint16_t)count, __ATOMIC_RELEASE);
    else
        __atomic_store_n(x->upper[id] + (size_t)(lc - 1) * (size_t)(x->m + 1), count,
                         __ATOMIC_RELEASE);
}
static inline uint32_t hnsw__link_at(const uint32_t *ids, uint32_t i)
{
    return __atomic_load_n(ids + i, __ATOMIC_ACQUIRE);
}
static inline void hnsw__set_link(uint32_t *ids, uint32_t i, uint32_t v)
{
    __atomic_store_n(ids + i, v, __ATOMIC_RELAXED);
}

static inline float hnsw__dist(const hnsw_index *x, const float *a, const float *b)
{
    float d = x->kern(a, b, x->dim);
    return x->gd == GD_PLAIN ? d : x->gd == GD_NEG ? -d : 1.0f - d;
}

static inline void hnsw__lock(hnsw_index *x, uint32_t id)
{
    while (atomic_exchange_explicit(&x->locks[id], 1, memory_order_acquire))
        while (atomic_load_explicit(&x->locks[id], memory_order_relaxed))
            __builtin_ia32_pause();
}
static inline void hnsw__unlock(hnsw_index *x, uint32_t id)
{
    atomic_store_explicit(&x->locks[id], 0, memory_order_release);
}

static inline uint64_t hnsw__ep_pack(uint32_t id, int level)
{
    return ((uint64_t)(uint32_t)level << 32) | id;
}

/* Heaps (hnsw_search.c). Push returns false on allocation failure. */
bool hnsw__heap_push(hnsw_heap *h, hnsw_cand c, bool max);
hnsw_cand hnsw__heap_pop(hnsw_heap *h, bool max);

/* Scratch pool (hnsw_search.c): take sizes tags for the current capacity; NULL on OOM. */
hnsw_scratch *hnsw__scratch_take(hnsw_index *x);
void hnsw__scratch_give(hnsw_index *x, hnsw_scratch *s);
void hnsw__scratch_free_all(hnsw_index *x);
/* Starts a new visit epoch; resets the tags when the counter wraps. */
void hnsw__visit_begin(hnsw_scratch *s);

/* Greedy descent through levels top..stop+1 (Algorithm 5, ef = 1). Returns the closest id. */
uint32_t hnsw__descend(hnsw_index *x, const float *q, uint32_t ep, int top, int stop, float *d_out);
/*
 * Algorithm 2 on level lc from ep: leaves up to ef best accepted elements in s->res
 * (max-heap). accept NULL = every element counts. Returns false on OOM.
 */
typedef struct hnsw_accept {
    hnsw_filter_fn filter; /* may be NULL */
    void *ctx;
    bool skip_deleted;
} hnsw_accept;
bool hnsw__search_layer(hnsw_index *x, hnsw_scratch *s, const float *q, uint32_t ep, float ep_d,
                        size_t ef, int lc, const hnsw_accept *acc);

/* Algorithm 4 (hnsw_select.c): keeps at most m of s->sel[0..n) sorted ascending, in place. */
size_t hnsw__select_heuristic(hnsw_index *x, hnsw_cand *c, size_t n, size_t m);
/* Links new element id at level lc to the selected neighbours and back (Algorithm 1, lines 10-16). */
bool hnsw__connect(hnsw_index *x, hnsw_scratch *s, uint32_t id, int lc, hnsw_cand *nb, size_t nn);

/* hnsw_build.c: arrays and map. */
int hnsw__reserve(hnsw_index *x, size_t capacity); /* caller holds grow exclusively */
int hnsw__map_put(hnsw_index *x, int64_t label, uint32_t id); /* under alloc */
uint32_t hnsw__map_get(const hnsw_index *x, int64_t label);   /* under alloc */
int hnsw__create_empty(const hnsw_params *p, hnsw_index **out);
int hnsw__error(pgw_error *err, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
