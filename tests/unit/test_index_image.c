/*
 * Index images for checkpoints: an access-method index (hnsw, gist) and a key
 * index saved as bytes and loaded back answer exactly as the original, go on
 * taking inserts with fresh labels, and bytes that do not parse (cut short,
 * damaged, for another definition) are refused rather than half loaded.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/index/am.h"
#include "engine/index/keyidx.h"
#include "engine/types/half.h"
#include "util/arena.h"
#include "util/mem.h"

typedef struct membuf {
    uint8_t *p;
    size_t n, cap;
} membuf;

static int put(void *ctx, const void *p, size_t n)
{
    membuf *b = ctx;
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = mem_realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return 0;
}

static eng_val bytes(const void *p, size_t n)
{
    eng_val v = {.null = false};
    v.s.p = p;
    v.s.n = n;
    return v;
}

/* An index of am over n values of `size` bytes each (from vals), labels = rows 10*i. */
static eng_amidx *filled(const eng_am *am, const eng_am_def *def, const uint8_t *vals, size_t size, int n)
{
    pgw_error err;
    eng_amidx *x = eng_amidx_new(am, def, &err);
    cr_assert_not_null(x);
    for (int i = 0; i < n; i++) {
        eng_val v = bytes(vals + (size_t)i * size, size);
        cr_assert_eq(eng_amidx_insert(x, (uint64_t)i * 10, &v, &err), 0, "%s", err.message);
    }
    return x;
}

static void same_answers(eng_amidx *a, eng_amidx *b, const uint8_t *queries, size_t size, int nq)
{
    pgw_error err;
    eng_am_scan_opts o = {ENG_AM_DEFAULT_EF_SEARCH};
    cr_assert_eq(eng_amidx_entries(a), eng_amidx_entries(b));
    for (size_t l = 0; l < eng_amidx_entries(a); l++) {
        uint64_t r1, h1, r2, h2;
        eng_amidx_entry(a, (int64_t)l, &r1, &h1);
        eng_amidx_entry(b, (int64_t)l, &r2, &h2);
        cr_assert(r1 == r2 && h1 == h2);
    }
    for (int i = 0; i < nq; i++) {
        eng_val q = bytes(queries + (size_t)i * size, size);
        eng_am_hit h1[10], h2[10];
        int n1 = eng_amidx_knn(a, &q, 10, &o, NULL, NULL, h1, &err);
        int n2 = eng_amidx_knn(b, &q, 10, &o, NULL, NULL, h2, &err);
        cr_assert_eq(n1, 10);
        cr_assert_eq(n1, n2);
        for (int k = 0; k < n1; k++)
            cr_assert(h1[k].label == h2[k].label && h1[k].distance == h2[k].distance);
    }
}

static void round_trip(const char *amname, const char *opclass, uint32_t type, int32_t typmod, const uint8_t *vals,
                       size_t size, int n)
{
    pgw_error err;
    const eng_am *am = eng_am_find(amname);
    eng_am_def def = {.typmod = typmod};
    def.opclass = eng_am_opclass_for(am, opclass, type, "t", &err);
    cr_assert_eq(am->define(&def, NULL, 0, &err), 0);
    eng_amidx *x = filled(am, &def, vals, size, n - 20);
    membuf b = {0};
    cr_assert_eq(eng_amidx_save(x, put, &b, &err), 0);
    eng_amidx *y = eng_amidx_load(am, &def, b.p, b.n, &err);
    cr_assert_not_null(y, "%s", err.message);
    same_answers(x, y, vals, size, 20);
    /* inserts after loading get the next labels, in both */
    for (int i = n - 20; i < n; i++) {
        eng_val v = bytes(vals + (size_t)i * size, size);
        cr_assert_eq(eng_amidx_insert(x, (uint64_t)i * 10, &v, &err), 0);
        cr_assert_eq(eng_amidx_insert(y, (uint64_t)i * 10, &v, &err), 0);
    }
    uint64_t rowid, hash;
    eng_amidx_entry(y, n - 1, &rowid, &hash);
    cr_assert_eq(rowid, (uint64_t)(n - 1) * 10);
    /* cut short, one byte more, a flipped byte in the structure: refused */
    cr_assert_null(eng_amidx_load(am, &def, b.p, b.n - 1, &err));
    uint8_t *longer = mem_alloc(b.n + 1);
    memcpy(longer, b.p, b.n);
    longer[b.n] = 0;
    cr_assert_null(eng_amidx_load(am, &def, longer, b.n + 1, &err));
    b.p[b.n - 20] ^= 0x40;
    cr_assert_null(eng_amidx_load(am, &def, b.p, b.n, &err));
    mem_free(longer);
    mem_free(b.p);
    eng_amidx_free(x);
    eng_amidx_free(y);
}

static uint64_t rng = 88172645463325252ull;

static double uniform(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / (double)(1ull << 53);
}

Test(index_image, hnsw_round_trip)
{
    enum { N = 600, DIM = 16 };
    static float v[N][DIM];
    for (int i = 0; i < N; i++)
        for (int d = 0; d < DIM; d++)
            v[i][d] = (float)uniform();
    round_trip("hnsw", "vector_l2_ops", OID_VECTOR, DIM, (const uint8_t *)v, sizeof(v[0]), N);
}

Test(index_image, halfvec_hnsw_round_trip)
{
    enum { N = 400, DIM = 12 };
    static uint16_t v[N][DIM];
    for (int i = 0; i < N; i++)
        for (int d = 0; d < DIM; d++)
            v[i][d] = eng_float_to_half((float)uniform());
    round_trip("hnsw", "halfvec_l2_ops", OID_HALFVEC, DIM, (const uint8_t *)v, sizeof(v[0]), N);
}

Test(index_image, gist_round_trip)
{
    enum { N = 600 };
    static double p[N][4];
    for (int i = 0; i < N; i++)
        for (int d = 0; d < 4; d++)
            p[i][d] = uniform();
    round_trip("gist", NULL, OID_HYPERCUBE, -1, (const uint8_t *)p, sizeof(p[0]), N);
}

Test(index_image, hnsw_image_for_another_definition_is_refused)
{
    pgw_error err;
    const eng_am *am = eng_am_find("hnsw");
    eng_am_def def = {.typmod = 4}, other;
    def.opclass = eng_am_opclass_for(am, NULL, OID_VECTOR, "vector", &err);
    cr_assert_eq(am->define(&def, NULL, 0, &err), 0);
    float v[3][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
    eng_amidx *x = filled(am, &def, (const uint8_t *)v, sizeof(v[0]), 3);
    membuf b = {0};
    cr_assert_eq(eng_amidx_save(x, put, &b, &err), 0);
    other = def;
    other.opclass = eng_am_opclass_for(am, "vector_cosine_ops", OID_VECTOR, "vector", &err);
    cr_assert_null(eng_amidx_load(am, &other, b.p, b.n, &err));
    cr_assert_str_eq(err.sqlstate, "XX001");
    other = def;
    other.typmod = 5;
    cr_assert_null(eng_amidx_load(am, &other, b.p, b.n, &err));
    mem_free(b.p);
    eng_amidx_free(x);
}

Test(index_image, key_index_round_trip)
{
    eng_keyidx *ix = eng_keyidx_new();
    char key[80000];
    memset(key, 'k', sizeof(key)); /* one key bigger than a save batch */
    cr_assert_eq(eng_keyidx_insert(ix, key, sizeof(key), 7), 0);
    for (uint64_t i = 0; i < 5000; i++) {
        char k[32];
        int n = snprintf(k, sizeof(k), "key%llu", (unsigned long long)(i % 2500));
        cr_assert_eq(eng_keyidx_insert(ix, k, (size_t)n, i), 0);
    }
    membuf b = {0};
    cr_assert_eq(eng_keyidx_save(ix, put, &b), 0);
    eng_keyidx *y = eng_keyidx_load(b.p, b.n);
    cr_assert_not_null(y);
    cr_assert_eq(eng_keyidx_count(y), eng_keyidx_count(ix));
    arena *a = arena_new();
    uint64_t *ids;
    cr_assert_eq(eng_keyidx_lookup(y, key, sizeof(key), a, &ids), 1);
    cr_assert_eq(ids[0], 7);
    for (uint64_t i = 0; i < 2500; i += 13) {
        char k[32];
        int n = snprintf(k, sizeof(k), "key%llu", (unsigned long long)i);
        cr_assert_eq(eng_keyidx_lookup(y, k, (size_t)n, a, &ids), 2);
        cr_assert((ids[0] == i && ids[1] == i + 2500) || (ids[1] == i && ids[0] == i + 2500));
    }
    /* it takes inserts (and grows) after loading */
    for (uint64_t i = 0; i < 5000; i++)
        cr_assert_eq(eng_keyidx_insert(y, &i, sizeof(i), i), 0);
    cr_assert_eq(eng_keyidx_lookup(y, &(uint64_t){4999}, sizeof(uint64_t), a, &ids), 1);
    cr_assert_null(eng_keyidx_load(b.p, b.n - 1));
    cr_assert_null(eng_keyidx_load(b.p, 10));
    b.p[0] ^= 1; /* not a power of two */
    cr_assert_null(eng_keyidx_load(b.p, b.n));
    arena_free(a);
    mem_free(b.p);
    eng_keyidx_free(ix);
    eng_keyidx_free(y);
}
