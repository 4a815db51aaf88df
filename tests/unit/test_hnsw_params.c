/*
 * HNSW parameter checks (pgvector's ranges and messages, SQLSTATE 22023), bad
 * vectors and arguments give errors, zero vectors under cosine, edge dims,
 * and the memory accounting on real data.
 */
#include "hnsw_testutil.h"

static void expect_bad(int m, int efc, int dim, const char *msg, const char *detail)
{
    hnsw_params p;
    hnsw_params_init(&p, DIST_L2, dim);
    p.m = m;
    p.ef_construction = efc;
    hnsw_index *x = (hnsw_index *)1;
    pgw_error err;
    cr_assert_eq(hnsw_create(&p, &x, &err), HNSW_EINVAL);
    cr_assert_null(x);
    cr_assert_str_eq(err.sqlstate, "22023");
    cr_assert_str_eq(err.message, msg);
    if (detail)
        cr_assert_str_eq(err.detail, detail);
}

Test(hnsw_params, pgvector_ranges_and_messages)
{
    expect_bad(1, 64, 3, "value 1 out of bounds for option \"m\"", "Valid values are between \"2\" and \"100\".");
    expect_bad(101, 1000, 3, "value 101 out of bounds for option \"m\"", NULL);
    expect_bad(2, 3, 3, "value 3 out of bounds for option \"ef_construction\"",
               "Valid values are between \"4\" and \"1000\".");
    expect_bad(16, 1001, 3, "value 1001 out of bounds for option \"ef_construction\"", NULL);
    expect_bad(16, 31, 3, "ef_construction must be greater than or equal to 2 * m", NULL);
    expect_bad(16, 64, 0, "vector must have at least 1 dimension", NULL);
    expect_bad(16, 64, 16001, "column cannot have more than 16000 dimensions for hnsw index", NULL);
    pgw_error err;
    cr_assert_eq(hnsw_check_ef_search(0, &err), HNSW_EINVAL);
    cr_assert_str_eq(err.message, "0 is outside the valid range for parameter \"hnsw.ef_search\" (1 .. 1000)");
    cr_assert_eq(hnsw_check_ef_search(1001, &err), HNSW_EINVAL);
    cr_assert_eq(hnsw_check_ef_search(1, &err), HNSW_OK);
    cr_assert_eq(hnsw_check_ef_search(1000, &err), HNSW_OK);
    hnsw_params p;
    hnsw_params_init(&p, (dist_metric)9, 3);
    cr_assert_eq(hnsw_params_check(&p, NULL), HNSW_EINVAL);
    hnsw_params_init(&p, DIST_L2, 3);
    p.m = 2;
    p.ef_construction = 4;
    cr_assert_eq(hnsw_params_check(&p, NULL), HNSW_OK);
    p.m = 100;
    p.ef_construction = 200;
    cr_assert_eq(hnsw_params_check(&p, NULL), HNSW_OK);
}

Test(hnsw_params, bad_vectors_and_arguments)
{
    hnsw_params p;
    hnsw_params_init(&p, DIST_L2, 3);
    hnsw_index *x;
    cr_assert_eq(hnsw_create(&p, &x, NULL), HNSW_OK);
    hnsw_result r[4];
    float v[3] = {1, 2, 3}, nan[3] = {1, NAN, 3}, inf[3] = {INFINITY, 0, 0};
    cr_assert_eq(hnsw_search(x, v, 4, 40, r), 0); /* empty index */
    pgw_error err;
    cr_assert_eq(hnsw_insert(x, 1, nan, &err), HNSW_EINVAL);
    cr_assert_str_eq(err.message, "NaN not allowed in vector");
    cr_assert_eq(hnsw_insert(x, 1, inf, &err), HNSW_EINVAL);
    cr_assert_eq(hnsw_insert(x, 1, NULL, &err), HNSW_EINVAL);
    cr_assert_eq(hnsw_insert(NULL, 1, v, &err), HNSW_EINVAL);
    cr_assert_eq(hnsw_insert(x, 1, v, &err), HNSW_OK);
    cr_assert_eq(hnsw_insert(x, 1, v, &err), HNSW_EEXIST);
    cr_assert_eq(hnsw_search(x, NULL, 4, 40, r), HNSW_EINVAL);
    cr_assert_eq(hnsw_search(x, v, 4, 0, r), HNSW_EINVAL);
    cr_assert_eq(hnsw_search(x, v, 0, 40, r), 0);
    cr_assert_eq(hnsw_search(x, v, 4, 40, r), 1);
    cr_assert_eq(hnsw_delete(x, 99), HNSW_ENOTFOUND);
    cr_assert_eq(hnsw_build(x, NULL, NULL, 5, 1, NULL, NULL, &err), HNSW_EINVAL);
    cr_assert_eq(hnsw_build(x, v, NULL, 1, 0, NULL, NULL, &err), HNSW_EINVAL);
    cr_assert_eq(hnsw_exact_knn(DIST_L2, 0, v, 1, v, 1, r), HNSW_EINVAL);
    hnsw_free(x);
    hnsw_free(NULL);
}

/* pgvector: cosine distance with a zero vector is NaN, and zero vectors are not indexed. */
Test(hnsw_params, cosine_zero_vectors)
{
    hnsw_params p;
    hnsw_params_init(&p, DIST_COSINE, 2);
    hnsw_index *x;
    cr_assert_eq(hnsw_create(&p, &x, NULL), HNSW_OK);
    float z[2] = {0, 0}, a[2] = {1, 0}, b[2] = {0, 3}, c[2] = {-2, -2};
    cr_assert_eq(hnsw_insert(x, 1, z, NULL), HNSW_SKIPPED);
    cr_assert_eq(hnsw_insert(x, 2, a, NULL), HNSW_OK);
    cr_assert_eq(hnsw_insert(x, 3, b, NULL), HNSW_OK);
    cr_assert_eq(hnsw_insert(x, 4, c, NULL), HNSW_OK);
    cr_assert_eq(hnsw_count(x), 3);
    hnsw_result r[4];
    cr_assert_eq(hnsw_search(x, z, 4, 40, r), 0);
    cr_assert_eq(hnsw_search_exact(x, z, 4, NULL, NULL, r), 0);
    float q[2] = {5, 0.1f};
    cr_assert_eq(hnsw_search(x, q, 4, 40, r), 3);
    cr_assert_eq(r[0].label, 2);
    cr_assert_eq(r[2].label, 4);
    for (int i = 0; i < 3; i++)
        cr_assert(!isnan(r[i].distance) && r[i].distance >= 0.0f && r[i].distance <= 2.0f);
    /* The raw-array brute force drops zero rows (NaN distance) instead of ranking them. */
    float raw[6] = {0, 0, 1, 0, 0, 1};
    cr_assert_eq(hnsw_exact_knn(DIST_COSINE, 2, raw, 3, q, 3, r), 2);
    hnsw_free(x);
}

Test(hnsw_params, inner_product_and_l1_metrics)
{
    float vs[4][2] = {{1, 0}, {0, 1}, {3, 3}, {-1, -1}}, q[2] = {1, 0.5f};
    dist_metric ms[2] = {DIST_IP, DIST_L1};
    for (int k = 0; k < 2; k++) {
        hnsw_params p;
        hnsw_params_init(&p, ms[k], 2);
        hnsw_index *x;
        cr_assert_eq(hnsw_create(&p, &x, NULL), HNSW_OK);
        for (int i = 0; i < 4; i++)
            cr_assert_eq(hnsw_insert(x, 10 + i, vs[i], NULL), HNSW_OK);
        hnsw_result r[4], e[4];
        cr_assert_eq(hnsw_search(x, q, 4, 40, r), 4);
        cr_assert_eq(hnsw_exact_knn(ms[k], 2, &vs[0][0], 4, q, 4, e), 4);
        for (int i = 0; i < 4; i++) {
            cr_assert_eq(r[i].label, e[i].label + 10);
            cr_assert_float_eq(r[i].distance, e[i].distance, 1e-5);
        }
        if (ms[k] == DIST_IP)
            cr_assert_float_eq(r[0].distance, -4.5f, 1e-6); /* pgvector's <#> is -dot */
        hnsw_free(x);
    }
}

Test(hnsw_params, edge_dimensions)
{
    int dims[2] = {1, 16000};
    for (int k = 0; k < 2; k++) {
        hnsw_params p;
        hnsw_params_init(&p, DIST_L2, dims[k]);
        hnsw_index *x;
        cr_assert_eq(hnsw_create(&p, &x, NULL), HNSW_OK);
        float *v = mem_calloc((size_t)dims[k], sizeof(float));
        for (int i = 0; i < 50; i++) {
            v[i % dims[k]] += 1.0f;
            cr_assert_eq(hnsw_insert(x, i, v, NULL), HNSW_OK);
        }
        hnsw_result r[5];
        cr_assert_eq(hnsw_search(x, v, 5, 40, r), 5);
        cr_assert_eq(r[0].label, 49);
        mem_free(v);
        hnsw_free(x);
    }
}

/* Graph + vectors vs raw float32 bytes at m 16 (level 0 alone costs 4 + 128 bytes a row). */
Test(hnsw_params, memory_accounting)
{
    tset t = t_load("siftsmall", DIST_L2, 0, 0, 1, false);
    size_t before = mem_bytes_in_use();
    hnsw_index *x = t_build(&t, DIST_L2, 16, 64, 1);
    size_t acct = hnsw_memory_bytes(x), real = mem_bytes_in_use() - before;
    double raw = (double)(t.n * t.dim * 4);
    cr_log_info("siftsmall: %zu bytes accounted, %zu allocated, %.3fx raw", acct, real, acct / raw);
    cr_assert_leq((double)real, (double)acct * 1.10 + 65536);
    cr_assert_leq(acct / raw, 1.36); /* 128-d: 512 vector bytes + 132 level-0 + 17 other per row */
    hnsw_free(x);
    cr_assert_leq(mem_bytes_in_use(), before);
    t_free(&t);
    tset f = t_load("fashion-mnist-784", DIST_L2, 784, 5000, 1, false);
    x = t_build(&f, DIST_L2, 16, 64, 2);
    raw = (double)(f.n * f.dim * 4);
    cr_log_info("fashion-mnist 5k: %.3fx raw", hnsw_memory_bytes(x) / raw);
    cr_assert_leq(hnsw_memory_bytes(x) / raw, 1.07);
    hnsw_free(x);
    t_free(&f);
}
