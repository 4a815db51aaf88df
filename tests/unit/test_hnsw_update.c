/*
 * HNSW after the build: incremental inserts, deletes (never returned, recall
 * over the rest holds) and the filtered/iterative search, on siftsmall.
 */
#include "hnsw_testutil.h"

/* Recall@10 where the truth is the first 10 rows of the top-100 list that `keep` accepts. */
static double recall_kept(hnsw_index *x, const tset *t, bool (*keep)(void *, int64_t), int ef)
{
    hnsw_result res[10];
    size_t hit = 0, total = 0;
    for (size_t q = 0; q < t->nq; q++) {
        int n = hnsw_search(x, t->query + q * t->dim, 10, ef, res);
        cr_assert_eq(n, 10);
        int32_t truth[10];
        size_t have = 0;
        for (size_t j = 0; j < t->gt_k && have < 10; j++)
            if (keep(NULL, t->gt[q * t->gt_k + j]))
                truth[have++] = t->gt[q * t->gt_k + j];
        cr_assert_eq(have, 10);
        for (int i = 0; i < n; i++) {
            cr_assert(keep(NULL, res[i].label), "deleted label %lld returned", (long long)res[i].label);
            for (size_t j = 0; j < 10; j++)
                hit += res[i].label == truth[j];
        }
        total += 10;
    }
    return (double)hit / (double)total;
}

static bool every_label(void *ctx, int64_t label)
{
    (void)ctx;
    (void)label;
    return true;
}

static bool not_tenth(void *ctx, int64_t label)
{
    (void)ctx;
    return label % 10 != 0;
}

static bool is_tenth(void *ctx, int64_t label)
{
    (void)ctx;
    return label % 10 == 0;
}

Test(hnsw_update, incremental_inserts_then_deletes)
{
    tset t = t_load("siftsmall", DIST_L2, 0, 0, 0, true);
    size_t first = 9000;
    tset part = t;
    part.n = first;
    hnsw_index *x = t_build(&part, DIST_L2, 16, 64, 1);
    /* 11 % more, one at a time (past the initial capacity, so the arrays grow too). */
    pgw_error err;
    for (size_t i = first; i < t.n; i++)
        cr_assert_eq(hnsw_insert(x, (int64_t)i, t.base + i * t.dim, &err), HNSW_OK, "%s", err.message);
    cr_assert_eq(hnsw_count(x), t.n);
    double r = recall_kept(x, &t, every_label, 40);
    cr_log_info("siftsmall after inserts: recall@10 %.4f", r);
    cr_assert_geq(r, 0.95);

    /* Delete 10 %: one by label, the rest in bulk, VACUUM-style. */
    cr_assert_eq(hnsw_delete(x, 0), HNSW_OK);
    cr_assert_eq(hnsw_delete(x, 0), HNSW_ENOTFOUND);
    cr_assert_eq(hnsw_delete_where(x, is_tenth, NULL), t.n / 10 - 1);
    cr_assert_eq(hnsw_live_count(x), t.n - t.n / 10);
    r = recall_kept(x, &t, not_tenth, 40);
    cr_log_info("siftsmall after deletes: recall@10 %.4f", r);
    cr_assert_geq(r, 0.95);

    /* A deleted label can be inserted again (an UPDATE gives the row a new version). */
    cr_assert_eq(hnsw_insert(x, 10, t.base + 10 * t.dim, &err), HNSW_OK);
    hnsw_result res[1];
    cr_assert_eq(hnsw_search(x, t.base + 10 * t.dim, 1, 40, res), 1);
    cr_assert_eq(res[0].label, 10);
    cr_assert_float_eq(res[0].distance, 0.0f, 1e-6);
    cr_assert_eq(hnsw_insert(x, 11, t.base, &err), HNSW_EEXIST);
    cr_assert_str_eq(err.sqlstate, "23505");
    hnsw_free(x);
    t_free(&t);
}

typedef struct mod_filter {
    int64_t mod, rem;
    size_t calls;
} mod_filter;

static bool label_mod(void *ctx, int64_t label)
{
    mod_filter *f = ctx;
    f->calls++;
    return label % f->mod == f->rem;
}

static void filtered_case(hnsw_index *x, const tset *t, int64_t mod, double bar)
{
    hnsw_result res[10], exact[10];
    size_t hit = 0;
    for (size_t q = 0; q < t->nq; q++) {
        const float *qv = t->query + q * t->dim;
        mod_filter f = {mod, 3, 0};
        int n = hnsw_search_filtered(x, qv, 10, 40, label_mod, &f, res);
        cr_assert_eq(n, 10, "query %zu: %d rows for a 1/%lld filter", q, n, (long long)mod);
        int e = hnsw_search_exact(x, qv, 10, label_mod, &f, exact);
        cr_assert_eq(e, 10);
        for (int i = 0; i < n; i++) {
            cr_assert_eq(res[i].label % mod, 3);
            if (i)
                cr_assert_leq(res[i - 1].distance, res[i].distance);
            for (int j = 0; j < 10; j++)
                hit += res[i].label == exact[j].label;
        }
    }
    double r = (double)hit / (double)(t->nq * 10);
    cr_log_info("filtered 1/%lld: recall@10 %.4f", (long long)mod, r);
    cr_assert_geq(r, bar);
}

Test(hnsw_update, filtered_search_returns_k_matches)
{
    tset t = t_load("siftsmall", DIST_L2, 0, 0, 0, true);
    hnsw_index *x = t_build(&t, DIST_L2, 16, 64, 1);
    filtered_case(x, &t, 10, 0.95);   /* 10 % selective */
    filtered_case(x, &t, 1000, 1.0);  /* 0.1 %: exactly 10 rows match; the walk must find all */
    /* Without the filter an ef 40 search returns 40 rows, about 4 of them matching. */
    hnsw_index *y = x;
    hnsw_result res[40];
    cr_assert_eq(hnsw_search(y, t.query, 40, 40, res), 40);
    hnsw_free(x);
    t_free(&t);
}
