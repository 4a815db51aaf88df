/*
 * Recall tests of the HNSW index on real data (shared/data, see its README):
 * recall@10 at ef_search 40 with m 16, ef_construction 64, for L2 and cosine,
 * and exact brute force equal to the ground truth.
 */
#include "hnsw_testutil.h"

static void recall_case(const char *set, dist_metric metric, size_t u8_dim, double bar)
{
    tset t = t_load(set, metric, u8_dim, 0, 0, true);
    hnsw_index *x = t_build(&t, metric, 16, 64, 1);
    double r = t_recall(x, &t, 10, 40);
    cr_log_info("%s %s recall@10 ef=40: %.4f", set, metric == DIST_L2 ? "l2" : "cosine", r);
    cr_assert_geq(r, bar, "%s recall@10 = %.4f < %.2f", set, r, bar);
    hnsw_free(x);
    t_free(&t);
}

Test(hnsw_recall, siftsmall_l2) { recall_case("siftsmall", DIST_L2, 0, 0.95); }
Test(hnsw_recall, siftsmall_cosine) { recall_case("siftsmall", DIST_COSINE, 0, 0.95); }
Test(hnsw_recall, fiori_l2) { recall_case("fiori-minilm-384", DIST_L2, 0, 0.95); }
Test(hnsw_recall, fiori_cosine) { recall_case("fiori-minilm-384", DIST_COSINE, 0, 0.95); }

/*
 * glove100, first 20,000 base rows, all 1,000 queries, ground truth by scalar brute
 * force over the subset. GloVe is the hard case for graph indexes at low ef: on the full
 * 100k set hnswlib gets 0.837 (L2) and 0.916 (cosine) at ef 40 (shared/data/README.md).
 * On this 20k subset at ef 40 (same m/efc; hnswlib scored against a float64 brute force):
 * hnswlib (python3-hnswlib 0.6.2, seeds 100/1/2) 0.8607-0.8609 (L2), 0.9065-0.9099 (cosine);
 * hcdb 0.8528 (L2), 0.9091 (cosine). Both are below 0.95, so the bar is hnswlib's number
 * minus 0.01 for the randomness of the level draws: 0.85 (L2) and 0.895 (cosine).
 */
static void glove_case(dist_metric metric, double bar)
{
    tset t = t_load("glove100", metric, 0, 20000, 0, false);
    t_brute_force_gt(&t, metric, 10);
    hnsw_index *x = t_build(&t, metric, 16, 64, 1);
    double r = t_recall(x, &t, 10, 40);
    cr_log_info("glove100[20k] %s recall@10 ef=40: %.4f", metric == DIST_L2 ? "l2" : "cosine", r);
    cr_assert_geq(r, bar, "glove100 recall@10 = %.4f < %.4f", r, bar);
    hnsw_free(x);
    t_free(&t);
}

Test(hnsw_recall, glove20k_l2) { glove_case(DIST_L2, 0.85); }
Test(hnsw_recall, glove20k_cosine) { glove_case(DIST_COSINE, 0.895); }

/* fashion-mnist (784-d uint8 pixels), first 10,000 rows, 200 queries: a wide-vector check. */
Test(hnsw_recall, fashion10k_l2)
{
    tset t = t_load("fashion-mnist-784", DIST_L2, 784, 10000, 200, false);
    t_brute_force_gt(&t, DIST_L2, 10);
    hnsw_index *x = t_build(&t, DIST_L2, 16, 64, 2);
    double r = t_recall(x, &t, 10, 40);
    cr_log_info("fashion-mnist[10k] l2 recall@10 ef=40: %.4f", r);
    cr_assert_geq(r, 0.95);
    hnsw_free(x);
    t_free(&t);
}

/* The exact fallback equals the ground truth exactly (SIFT values are small integers, so the
 * float32 squared distances are exact and ties break by the smaller row like make_gt.py). */
static void exact_case(bool through_index)
{
    tset t = t_load("siftsmall", DIST_L2, 0, 0, 0, true);
    hnsw_index *x = through_index ? t_build(&t, DIST_L2, 16, 64, 1) : NULL;
    hnsw_result res[100];
    for (size_t q = 0; q < t.nq; q++) {
        const float *qv = t.query + q * t.dim;
        int n = through_index ? hnsw_search_exact(x, qv, 100, NULL, NULL, res)
                              : hnsw_exact_knn(DIST_L2, t.dim, t.base, t.n, qv, 100, res);
        cr_assert_eq(n, 100);
        for (int i = 0; i < 100; i++)
            cr_assert_eq(res[i].label, t.gt[q * t.gt_k + (size_t)i], "query %zu rank %d: %lld vs %d", q, i,
                         (long long)res[i].label, t.gt[q * t.gt_k + (size_t)i]);
        for (int i = 1; i < 100; i++)
            cr_assert_leq(res[i - 1].distance, res[i].distance);
    }
    hnsw_free(x);
    t_free(&t);
}

Test(hnsw_recall, exact_knn_equals_ground_truth) { exact_case(false); }
Test(hnsw_recall, exact_index_search_equals_ground_truth) { exact_case(true); }
