/*
 * Unit tests for engine/index/spatial4d: every query is checked against an
 * exact scan that uses the same s4d_dist2. The kNN test uses 200,000 points
 * (a 1,000,000-point comparison runs in bench/hypercube/ to keep this binary
 * well under a minute); a tie-heavy grid data set checks the row-id tie-break.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/index/spatial4d.h"
#include "util/mem.h"

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double unif(void)
{
    return (double)(rnd() >> 11) * 0x1.0p-53;
}

typedef struct dataset {
    double (*pt)[4];
    uint64_t *id;
    unsigned char *alive;
    size_t n, cap;
} dataset;

static void ds_init(dataset *d, size_t cap)
{
    d->pt = malloc(sizeof *d->pt * cap);
    d->id = malloc(sizeof *d->id * cap);
    d->alive = calloc(cap, 1);
    d->n = 0, d->cap = cap;
}
static void ds_free(dataset *d)
{
    free(d->pt), free(d->id), free(d->alive);
}
/* grid != 0: coordinates on a 1/8 grid, so many points and distances tie exactly. */
static void ds_add_random(dataset *d, size_t n, int grid)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = d->n++;
        for (int k = 0; k < 4; k++)
            d->pt[j][k] = grid ? (double)(rnd() % 9) / 8.0 : unif();
        d->id[j] = rnd() % 1000000007ull; /* ids in no particular order, occasionally repeated */
        d->alive[j] = 1;
    }
}

typedef struct cand {
    double d2;
    uint64_t id;
} cand;
static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->d2 != y->d2)
        return x->d2 < y->d2 ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Exact k nearest by scan; returns how many. */
static size_t scan_knn(const dataset *d, const double q[4], size_t k, cand *out, cand *tmp)
{
    size_t m = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->alive[i])
            tmp[m++] = (cand){s4d_dist2(d->pt[i], q), d->id[i]};
    qsort(tmp, m, sizeof *tmp, cand_cmp);
    size_t r = m < k ? m : k;
    memcpy(out, tmp, r * sizeof *out);
    return r;
}

static void check_knn(s4d_index *x, const dataset *d, size_t queries, size_t k, int grid)
{
    cand *tmp = malloc(sizeof *tmp * d->n), want[64];
    s4d_result got[64];
    s4d_scratch *s = s4d_scratch_create();
    for (size_t t = 0; t < queries; t++) {
        double q[4];
        for (int j = 0; j < 4; j++)
            q[j] = grid ? (double)(rnd() % 17) / 16.0 : unif() * 1.2 - 0.1;
        size_t nw = scan_knn(d, q, k, want, tmp), ng = 99;
        cr_assert_eq(s4d_knn(x, q, k, s, got, &ng), S4D_OK);
        cr_assert_eq(ng, nw, "query %zu: %zu results, want %zu", t, ng, nw);
        for (size_t i = 0; i < nw; i++) {
            cr_assert_eq(got[i].id, want[i].id, "query %zu rank %zu: id %llu, want %llu", t, i,
                         (unsigned long long)got[i].id, (unsigned long long)want[i].id);
            cr_assert_eq(got[i].dist2, want[i].d2);
        }
    }
    s4d_scratch_destroy(s);
    free(tmp);
}

typedef struct collect {
    cand *v;
    size_t n;
} collect;
static int collect_visit(void *arg, const double p[4], uint64_t id)
{
    collect *c = arg;
    c->v[c->n++] = (cand){p[0] + p[1] * 3 + p[2] * 7 + p[3] * 11, id}; /* a point fingerprint */
    return 0;
}

static void check_box_radius(s4d_index *x, const dataset *d, size_t queries)
{
    cand *got = malloc(sizeof *got * d->n), *want = malloc(sizeof *want * d->n);
    for (size_t t = 0; t < queries; t++) {
        double lo[4], hi[4], c[4], r = unif() * 0.3;
        for (int j = 0; j < 4; j++) {
            double a = unif(), b = unif();
            lo[j] = a < b ? a : b, hi[j] = a < b ? b : a;
            c[j] = unif();
        }
        if (t % 5 == 0) /* a query box that only touches points on its faces */
            for (int j = 0; j < 4; j++)
                lo[j] = 0.25, hi[j] = 0.75;
        for (int pass = 0; pass < 2; pass++) {
            collect cg = {got, 0};
            size_t nw = 0;
            for (size_t i = 0; i < d->n; i++) {
                if (!d->alive[i])
                    continue;
                const double *p = d->pt[i];
                int in = 1;
                if (pass == 0) {
                    for (int j = 0; j < 4; j++)
                        in &= p[j] >= lo[j] && p[j] <= hi[j];
                } else {
                    in = s4d_dist2(p, c) <= r * r;
                }
                if (in)
                    want[nw++] = (cand){p[0] + p[1] * 3 + p[2] * 7 + p[3] * 11, d->id[i]};
            }
            s4d_status st = pass == 0 ? s4d_box(x, lo, hi, collect_visit, &cg)
                                      : s4d_radius(x, c, r, collect_visit, &cg);
            cr_assert_eq(st, S4D_OK);
            cr_assert_eq(cg.n, nw, "pass %d query %zu: %zu hits, want %zu", pass, t, cg.n, nw);
            qsort(got, nw, sizeof *got, cand_cmp);
            qsort(want, nw, sizeof *want, cand_cmp);
            for (size_t i = 0; i < nw; i++)
                cr_assert(got[i].id == want[i].id && got[i].d2 == want[i].d2);
        }
    }
    free(got), free(want);
}

static s4d_index *build_from(const dataset *d)
{
    s4d_index *x = NULL;
    cr_assert_eq(s4d_build(&x, (const double(*)[4])d->pt, d->id, d->n), S4D_OK);
    cr_assert_eq(s4d_count(x), d->n);
    return x;
}

Test(spatial4d, knn_equals_scan_200k_bulk)
{
    rng_state = 1;
    dataset d;
    ds_init(&d, 200000);
    ds_add_random(&d, 200000, 0);
    s4d_index *x = build_from(&d);
    check_knn(x, &d, 300, 10, 0);
    s4d_destroy(x);
    ds_free(&d);
}

Test(spatial4d, knn_ties_by_row_id_on_grid)
{
    rng_state = 2;
    dataset d;
    ds_init(&d, 20000);
    ds_add_random(&d, 20000, 1); /* 6561 grid cells: every cell holds several points */
    s4d_index *x = build_from(&d);
    check_knn(x, &d, 300, 25, 1);
    s4d_destroy(x);
    ds_free(&d);
}

Test(spatial4d, incremental_inserts_equal_scan)
{
    rng_state = 3;
    dataset d;
    ds_init(&d, 40000);
    ds_add_random(&d, 30000, 0);
    ds_add_random(&d, 10000, 1);
    s4d_index *x = s4d_create();
    for (size_t i = 0; i < d.n; i++)
        cr_assert_eq(s4d_insert(x, d.pt[i], d.id[i]), S4D_OK);
    cr_assert_eq(s4d_count(x), d.n);
    cr_assert_gt(s4d_height(x), 1);
    check_knn(x, &d, 200, 10, 0);
    check_box_radius(x, &d, 60);
    s4d_destroy(x);
    ds_free(&d);
}

Test(spatial4d, box_and_radius_equal_scan)
{
    rng_state = 4;
    dataset d;
    ds_init(&d, 100000);
    ds_add_random(&d, 90000, 0);
    ds_add_random(&d, 10000, 1);
    s4d_index *x = build_from(&d);
    check_box_radius(x, &d, 60);
    s4d_destroy(x);
    ds_free(&d);
}

Test(spatial4d, deletes_and_inserts_keep_results_exact)
{
    rng_state = 5;
    dataset d;
    ds_init(&d, 80000);
    ds_add_random(&d, 50000, 0);
    ds_add_random(&d, 10000, 1);
    s4d_index *x = build_from(&d);
    size_t live = d.n;
    for (size_t i = 0; i < d.n; i++) { /* delete about 60%, including whole regions */
        if (rnd() % 5 < 3 || d.pt[i][0] < 0.2) {
            cr_assert_eq(s4d_delete(x, d.pt[i], d.id[i]), S4D_OK, "delete %zu", i);
            d.alive[i] = 0;
            live--;
        }
    }
    cr_assert_eq(s4d_count(x), live);
    double nowhere[4] = {0.5, 0.5, 0.5, 2.0};
    cr_assert_eq(s4d_delete(x, nowhere, 1), S4D_ERR_NOT_FOUND);
    size_t first_new = d.n;
    ds_add_random(&d, 20000, 0);
    for (size_t i = first_new; i < d.n; i++)
        cr_assert_eq(s4d_insert(x, d.pt[i], d.id[i]), S4D_OK);
    cr_assert_eq(s4d_count(x), live + 20000);
    check_knn(x, &d, 200, 10, 0);
    check_box_radius(x, &d, 40);
    for (size_t i = 0; i < d.n; i++) /* then delete everything */
        if (d.alive[i])
            cr_assert_eq(s4d_delete(x, d.pt[i], d.id[i]), S4D_OK);
    cr_assert_eq(s4d_count(x), 0);
    size_t n = 5;
    s4d_result r[1];
    cr_assert_eq(s4d_knn(x, nowhere, 1, NULL, r, &n), S4D_OK);
    cr_assert_eq(n, 0);
    s4d_destroy(x);
    ds_free(&d);
}

typedef struct rbuf {
    uint8_t *p;
    size_t len;
} rbuf;

Test(spatial4d, persist_round_trip)
{
    rng_state = 6;
    dataset d;
    ds_init(&d, 60000);
    ds_add_random(&d, 50000, 0);
    s4d_index *x = build_from(&d);
    for (int i = 0; i < 10000; i++) { /* a tree shaped by inserts and deletes too */
        ds_add_random(&d, 1, 0);
        cr_assert_eq(s4d_insert(x, d.pt[d.n - 1], d.id[d.n - 1]), S4D_OK);
        size_t v = rnd() % d.n;
        if (d.alive[v]) {
            cr_assert_eq(s4d_delete(x, d.pt[v], d.id[v]), S4D_OK);
            d.alive[v] = 0;
        }
    }
    uint8_t *buf = NULL, *buf2 = NULL;
    size_t len = 0, len2 = 0;
    cr_assert_eq(s4d_save_mem(x, &buf, &len), S4D_OK);
    s4d_index *y = NULL;
    cr_assert_eq(s4d_load_mem(&y, buf, len), S4D_OK);
    cr_assert_eq(s4d_count(y), s4d_count(x));
    cr_assert_eq(s4d_height(y), s4d_height(x));
    check_knn(y, &d, 100, 10, 0);
    check_box_radius(y, &d, 20);
    cr_assert_eq(s4d_save_mem(y, &buf2, &len2), S4D_OK);
    cr_assert(len2 == len && memcmp(buf, buf2, len) == 0, "save(load(save(x))) == save(x)");
    /* The loaded index keeps working under updates. */
    for (size_t i = 0; i < 2000; i++)
        if (d.alive[i]) {
            cr_assert_eq(s4d_delete(y, d.pt[i], d.id[i]), S4D_OK);
            d.alive[i] = 0;
        }
    check_knn(y, &d, 50, 10, 0);
    mem_free(buf), mem_free(buf2);
    s4d_destroy(x), s4d_destroy(y);
    ds_free(&d);
}

Test(spatial4d, persist_empty_index)
{
    s4d_index *x = s4d_create(), *y = NULL;
    uint8_t *buf;
    size_t len;
    cr_assert_eq(s4d_save_mem(x, &buf, &len), S4D_OK);
    cr_assert_eq(len, 48);
    cr_assert_eq(s4d_load_mem(&y, buf, len), S4D_OK);
    cr_assert_eq(s4d_count(y), 0);
    mem_free(buf);
    s4d_destroy(x), s4d_destroy(y);
}

Test(spatial4d, corrupted_stream_detected)
{
    rng_state = 7;
    dataset d;
    ds_init(&d, 3000);
    ds_add_random(&d, 3000, 0);
    s4d_index *x = build_from(&d), *y = NULL;
    uint8_t *buf;
    size_t len;
    cr_assert_eq(s4d_save_mem(x, &buf, &len), S4D_OK);
    uint8_t *bad = malloc(len + 1);
    for (int t = 0; t < 400; t++) { /* one flipped bit anywhere */
        size_t pos = t < 48 ? (size_t)t : rnd() % len;
        memcpy(bad, buf, len);
        bad[pos] ^= (uint8_t)(1u << (rnd() % 8));
        s4d_status st = s4d_load_mem(&y, bad, len);
        cr_assert(st == S4D_ERR_CORRUPT || (st == S4D_ERR_VERSION && pos >= 8 && pos < 12),
                  "flip at %zu gave %d", pos, st);
    }
    for (size_t cut = 0; cut < len; cut += 1 + len / 97) /* truncated */
        cr_assert_eq(s4d_load_mem(&y, buf, cut), S4D_ERR_CORRUPT, "cut at %zu", cut);
    memcpy(bad, buf, len);
    bad[len] = 0; /* trailing garbage */
    cr_assert_eq(s4d_load_mem(&y, bad, len + 1), S4D_ERR_CORRUPT);
    free(bad);
    mem_free(buf);
    s4d_destroy(x);
    ds_free(&d);
}

Test(spatial4d, bad_inputs)
{
    s4d_index *x = s4d_create();
    double ok[4] = {0, 0, 0, 0}, nan4[4] = {0, NAN, 0, 0}, inf4[4] = {INFINITY, 0, 0, 0};
    s4d_result r[2];
    size_t n;
    collect c = {NULL, 0};
    cr_assert_eq(s4d_insert(x, nan4, 1), S4D_ERR_INVALID);
    cr_assert_eq(s4d_insert(x, inf4, 1), S4D_ERR_INVALID);
    cr_assert_eq(s4d_insert(x, NULL, 1), S4D_ERR_INVALID);
    cr_assert_eq(s4d_knn(x, nan4, 1, NULL, r, &n), S4D_ERR_INVALID);
    cr_assert_eq(s4d_radius(x, ok, -1.0, collect_visit, &c), S4D_ERR_INVALID);
    cr_assert_eq(s4d_radius(x, ok, NAN, collect_visit, &c), S4D_ERR_INVALID);
    cr_assert_eq(s4d_box(x, ok, nan4, collect_visit, &c), S4D_ERR_INVALID);
    cr_assert_eq(s4d_delete(x, ok, 1), S4D_ERR_NOT_FOUND);
    double pts[1][4] = {{0, NAN, 0, 0}};
    uint64_t ids[1] = {1};
    s4d_index *y = NULL;
    cr_assert_eq(s4d_build(&y, (const double(*)[4])pts, ids, 1), S4D_ERR_INVALID);
    cr_assert_str_neq(s4d_status_message(S4D_ERR_CORRUPT), "");
    s4d_destroy(x);
}

Test(spatial4d, allocation_failure_leaves_index_intact)
{
    rng_state = 8;
    dataset d;
    ds_init(&d, 30000);
    s4d_index *x = s4d_create();
    size_t failures = 0;
    for (size_t i = 0; i < 20000; i++) {
        ds_add_random(&d, 1, 0);
        if (i % 7 == 0)
            mem_fail_after(0);
        s4d_status st = s4d_insert(x, d.pt[d.n - 1], d.id[d.n - 1]);
        mem_fail_after(-1);
        if (st == S4D_ERR_NOMEM) {
            d.alive[d.n - 1] = 0;
            failures++;
        } else {
            cr_assert_eq(st, S4D_OK);
        }
    }
    cr_assert_gt(failures, 0);
    cr_assert_eq(s4d_count(x), d.n - failures);
    check_knn(x, &d, 100, 10, 0);
    s4d_destroy(x);
    ds_free(&d);
}

/* Readers query while one writer inserts: the rwlock keeps every answer consistent. */
typedef struct race {
    s4d_index *x;
    int stop;
} race;
static void *reader(void *arg)
{
    race *r = arg;
    s4d_scratch *s = s4d_scratch_create();
    double q[4] = {0.5, 0.5, 0.5, 0.5};
    s4d_result out[10];
    size_t n;
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        if (s4d_knn(r->x, q, 10, s, out, &n) != S4D_OK)
            break;
        for (size_t i = 1; i < n; i++)
            if (out[i].dist2 < out[i - 1].dist2)
                abort();
    }
    s4d_scratch_destroy(s);
    return NULL;
}

Test(spatial4d, concurrent_readers_one_writer)
{
    rng_state = 9;
    race r = {s4d_create(), 0};
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, reader, &r);
    for (int i = 0; i < 20000; i++) {
        double p[4] = {unif(), unif(), unif(), unif()};
        cr_assert_eq(s4d_insert(r.x, p, (uint64_t)i), S4D_OK);
    }
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(s4d_count(r.x), 20000);
    s4d_destroy(r.x);
}
