/*
 * hnsw_testutil: shared helpers of the test_hnsw*.c binaries (header-only,
 * static functions): locating and loading the real data sets, building an
 * index, recall@k against ground truth, scalar brute-force ground truth.
 * The data folder is required: a missing folder fails the test loudly.
 */
#ifndef HCDB_TESTS_HNSW_TESTUTIL_H
#define HCDB_TESTS_HNSW_TESTUTIL_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/index/hnsw.h"
#include "util/mem.h"
#include "util/vecfile.h"

typedef struct tset {
    float *base, *query;
    int32_t *gt; /* nq x gt_k, may be NULL */
    size_t n, nq, dim, gt_k;
} tset;

static inline const char *t_data_dir(void)
{
    static char buf[4096];
    const char *d = vecfile_data_dir(buf, sizeof(buf));
    cr_assert_not_null(d, "data sets not found: set HCDB_DATA_SETS or run from the worktree "
                          "(expects ../shared/data next to the repository root)");
    return d;
}

/* Loads base (first max_n rows, 0 = all), queries (max_q, 0 = all) and the metric's GT file. */
static inline tset t_load(const char *set, dist_metric metric, size_t u8_dim, size_t max_n, size_t max_q,
                          bool with_gt)
{
    tset t = {0};
    const char *dir = t_data_dir();
    size_t qd;
    t.base = vecfile_load_set(dir, set, "base", u8_dim, max_n, &t.n, &t.dim);
    t.query = vecfile_load_set(dir, set, "query", u8_dim, max_q, &t.nq, &qd);
    cr_assert(t.base && t.query && qd == t.dim, "cannot load %s from %s", set, dir);
    if (with_gt) {
        char p[4200];
        snprintf(p, sizeof(p), "%s/%s/%s", dir, set,
                 metric == DIST_COSINE ? "gt_cos_top100.ivecs" : "gt_l2_top100.ivecs");
        size_t rows;
        t.gt = vecfile_read_ivecs(p, t.nq, &rows, &t.gt_k);
        cr_assert(t.gt && rows == t.nq, "cannot load %s", p);
    }
    return t;
}

static inline void t_free(tset *t)
{
    mem_free(t->base);
    mem_free(t->query);
    mem_free(t->gt);
    memset(t, 0, sizeof(*t));
}

/* Exact top-k by the scalar reference kernel (float64 cosine), ties by smaller row: t->gt. */
static inline void t_brute_force_gt(tset *t, dist_metric metric, size_t k)
{
    mem_free(t->gt);
    t->gt = mem_alloc(t->nq * k * sizeof(int32_t));
    t->gt_k = k;
    double *bd = mem_alloc(k * sizeof(double));
    double *bn = mem_alloc(t->n * sizeof(double));
    for (size_t i = 0; i < t->n; i++)
        bn[i] = sqrt((double)dist__dot_scalar(t->base + i * t->dim, t->base + i * t->dim, t->dim));
    for (size_t q = 0; q < t->nq; q++) {
        const float *qv = t->query + q * t->dim;
        double qn = sqrt((double)dist__dot_scalar(qv, qv, t->dim));
        int32_t *row = t->gt + q * k;
        size_t have = 0;
        for (size_t i = 0; i < t->n; i++) {
            const float *b = t->base + i * t->dim;
            double d = metric == DIST_COSINE ? 1.0 - (double)dist__dot_scalar(qv, b, t->dim) / (qn * bn[i])
                                             : (double)dist__l2sq_scalar(qv, b, t->dim);
            if (have == k && d >= bd[k - 1])
                continue;
            size_t j = have < k ? have++ : k - 1;
            while (j > 0 && bd[j - 1] > d) {
                bd[j] = bd[j - 1];
                row[j] = row[j - 1];
                j--;
            }
            bd[j] = d;
            row[j] = (int32_t)i;
        }
    }
    mem_free(bd);
    mem_free(bn);
}

static inline hnsw_index *t_build(const tset *t, dist_metric metric, int m, int efc, int threads)
{
    hnsw_params p;
    hnsw_params_init(&p, metric, (int)t->dim);
    p.m = m;
    p.ef_construction = efc;
    p.capacity = t->n;
    hnsw_index *x;
    pgw_error err;
    cr_assert_eq(hnsw_create(&p, &x, &err), HNSW_OK, "%s", err.message);
    cr_assert_eq(hnsw_build(x, t->base, NULL, t->n, threads, NULL, NULL, &err), HNSW_OK, "%s", err.message);
    return x;
}

/* Fraction of the true top-k (rows of t->gt, labels = row numbers) found by hnsw_search. */
static inline double t_recall(hnsw_index *x, const tset *t, size_t k, int ef)
{
    hnsw_result res[100];
    size_t hit = 0;
    for (size_t q = 0; q < t->nq; q++) {
        int n = hnsw_search(x, t->query + q * t->dim, k, ef, res);
        cr_assert_geq(n, 0);
        const int32_t *g = t->gt + q * t->gt_k;
        for (int i = 0; i < n; i++)
            for (size_t j = 0; j < k; j++)
                if (res[i].label == g[j]) {
                    hit++;
                    break;
                }
    }
    return (double)hit / (double)(t->nq * k);
}

#endif
