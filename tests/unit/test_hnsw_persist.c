/*
 * HNSW persistence: save -> load gives identical search results; every kind
 * of damage (a flipped byte anywhere, truncation, trailing bytes) is refused.
 */
#include <unistd.h>

#include "hnsw_testutil.h"

typedef struct membuf {
    uint8_t *p;
    size_t n, cap, pos;
} membuf;

static int mem_write(void *ctx, const void *buf, size_t n)
{
    membuf *b = ctx;
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2;
        uint8_t *q = mem_realloc(b->p, cap);
        if (!q)
            return -1;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, buf, n);
    b->n += n;
    return 0;
}

static int mem_read(void *ctx, void *buf, size_t n)
{
    membuf *b = ctx;
    if (b->pos + n > b->n)
        return -1;
    memcpy(buf, b->p + b->pos, n);
    b->pos += n;
    return 0;
}

static void same_results(hnsw_index *a, hnsw_index *b, const tset *t)
{
    hnsw_result ra[10], rb[10];
    for (size_t q = 0; q < t->nq; q++) {
        int na = hnsw_search(a, t->query + q * t->dim, 10, 40, ra);
        int nb = hnsw_search(b, t->query + q * t->dim, 10, 40, rb);
        cr_assert_eq(na, nb);
        for (int i = 0; i < na; i++) {
            cr_assert_eq(ra[i].label, rb[i].label);
            cr_assert_eq(ra[i].distance, rb[i].distance);
        }
    }
}

static bool odd(void *ctx, int64_t label)
{
    (void)ctx;
    return label % 7 == 1;
}

Test(hnsw_persist, round_trip_and_damage)
{
    tset t = t_load("siftsmall", DIST_COSINE, 0, 3000, 0, false);
    hnsw_index *x = t_build(&t, DIST_COSINE, 16, 64, 1);
    cr_assert_gt(hnsw_delete_where(x, odd, NULL), 0);
    membuf b = {0};
    cr_assert_eq(hnsw_save(x, mem_write, &b, NULL), HNSW_OK);
    cr_assert_eq(b.n, hnsw_serialized_size(x));
    hnsw_index *y;
    pgw_error err;
    cr_assert_eq(hnsw_load(mem_read, &b, &y, &err), HNSW_OK, "%s", err.message);
    cr_assert_eq(hnsw_count(y), hnsw_count(x));
    cr_assert_eq(hnsw_live_count(y), hnsw_live_count(x));
    same_results(x, y, &t);
    /* The loaded index takes inserts. */
    cr_assert_eq(hnsw_insert(y, 1000000, t.query, &err), HNSW_OK);
    hnsw_free(y);

    /* A flipped byte at many offsets: header, records, labels, upper levels, checksum. */
    size_t step = b.n / 97 + 1;
    for (size_t off = 0; off < b.n; off += (off < 80 ? 1 : step)) {
        b.p[off] ^= 0x20;
        b.pos = 0;
        int rc = hnsw_load(mem_read, &b, &y, &err);
        cr_assert(rc == HNSW_ECORRUPT || rc == HNSW_EIO, "flip at %zu of %zu not detected (rc %d)", off, b.n, rc);
        cr_assert_null(y);
        b.p[off] ^= 0x20;
    }
    b.p[b.n - 1] ^= 1;
    b.pos = 0;
    cr_assert_eq(hnsw_load(mem_read, &b, &y, &err), HNSW_ECORRUPT);
    cr_assert_str_eq(err.sqlstate, "XX001");
    b.p[b.n - 1] ^= 1;
    /* Truncated. */
    size_t full = b.n;
    b.n = full - 9;
    b.pos = 0;
    cr_assert_lt(hnsw_load(mem_read, &b, &y, &err), 0);
    b.n = full;

    /* Files. */
    char path[] = "/tmp/hcdb_hnsw_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(hnsw_save_file(x, path, &err), HNSW_OK, "%s", err.message);
    cr_assert_eq(hnsw_load_file(path, &y, &err), HNSW_OK, "%s", err.message);
    same_results(x, y, &t);
    hnsw_free(y);
    FILE *f = fopen(path, "ab");
    fputc('x', f);
    fclose(f);
    cr_assert_eq(hnsw_load_file(path, &y, &err), HNSW_ECORRUPT);
    unlink(path);
    cr_assert_eq(hnsw_load_file(path, &y, &err), HNSW_EIO);

    mem_free(b.p);
    hnsw_free(x);
    t_free(&t);
}

Test(hnsw_persist, empty_index_round_trip)
{
    hnsw_params p;
    hnsw_params_init(&p, DIST_L1, 3);
    hnsw_index *x, *y;
    cr_assert_eq(hnsw_create(&p, &x, NULL), HNSW_OK);
    membuf b = {0};
    cr_assert_eq(hnsw_save(x, mem_write, &b, NULL), HNSW_OK);
    cr_assert_eq(hnsw_load(mem_read, &b, &y, NULL), HNSW_OK);
    cr_assert_eq(hnsw_count(y), 0);
    cr_assert_eq(hnsw_metric(y), DIST_L1);
    float v[3] = {1, 2, 3};
    cr_assert_eq(hnsw_insert(y, 5, v, NULL), HNSW_OK);
    hnsw_result r[2];
    cr_assert_eq(hnsw_search(y, v, 2, 40, r), 1);
    cr_assert_eq(r[0].label, 5);
    mem_free(b.p);
    hnsw_free(x);
    hnsw_free(y);
}
