/*
 * HNSW under threads: a 2-thread build matches the 1-thread recall, searches
 * run while inserts run, progress is reported and a build can be cancelled.
 * Also run under the ASan/UBSan build (-DSANITIZE=address,undefined).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "hnsw_testutil.h"

Test(hnsw_parallel, two_thread_build_recall_matches_one_thread)
{
    tset t = t_load("siftsmall", DIST_L2, 0, 0, 0, true);
    hnsw_index *a = t_build(&t, DIST_L2, 16, 64, 1), *b = t_build(&t, DIST_L2, 16, 64, 2);
    double ra = t_recall(a, &t, 10, 40), rb = t_recall(b, &t, 10, 40);
    cr_log_info("siftsmall recall@10 ef 40: 1 thread %.4f, 2 threads %.4f", ra, rb);
    /* Thread interleaving changes the graph, so the two recalls differ run to run;
     * 100 queries x 10 make 0.02 twenty results: a real loss (lost links, a stale
     * entry point) costs far more. */
    cr_assert_geq(rb, ra - 0.02, "1 thread %.4f, 2 threads %.4f", ra, rb);
    cr_assert_eq(hnsw_count(b), t.n);
    hnsw_free(a);
    hnsw_free(b);
    t_free(&t);
}

typedef struct race {
    hnsw_index *x;
    const tset *t;
    atomic_bool stop;
    size_t searches;
} race;

static void *searcher(void *arg)
{
    race *r = arg;
    hnsw_result res[10];
    size_t q = 0;
    while (!atomic_load(&r->stop)) {
        int n = hnsw_search(r->x, r->t->query + (q % r->t->nq) * r->t->dim, 10, 40, res);
        cr_assert_geq(n, 0);
        for (int i = 0; i < n; i++)
            cr_assert(res[i].label >= 0 && res[i].label < (int64_t)r->t->n);
        q++;
    }
    r->searches = q;
    return NULL;
}

Test(hnsw_parallel, searches_during_inserts)
{
    tset t = t_load("siftsmall", DIST_COSINE, 0, 0, 0, true);
    hnsw_params p;
    hnsw_params_init(&p, DIST_COSINE, (int)t.dim);
    p.capacity = 16; /* tiny: the arrays grow many times while searches run */
    hnsw_index *x;
    cr_assert_eq(hnsw_create(&p, &x, NULL), HNSW_OK);
    race r = {.x = x, .t = &t};
    pthread_t th;
    pthread_create(&th, NULL, searcher, &r);
    /* Two inserting threads (the build's) plus the searcher. */
    cr_assert_eq(hnsw_build(x, t.base, NULL, t.n, 2, NULL, NULL, NULL), HNSW_OK);
    atomic_store(&r.stop, true);
    pthread_join(th, NULL);
    cr_log_info("%zu searches ran during the build", r.searches);
    cr_assert_gt(r.searches, 0);
    double rec = t_recall(x, &t, 10, 40);
    cr_assert_geq(rec, 0.95, "recall %.4f", rec);
    hnsw_free(x);
    t_free(&t);
}

typedef struct prog {
    size_t calls, last, cancel_at;
} prog;

static int on_progress(void *ctx, size_t done, size_t total)
{
    prog *p = ctx;
    cr_assert_leq(done, total);
    cr_assert_geq(done, p->last);
    p->last = done;
    p->calls++;
    return p->cancel_at && done >= p->cancel_at;
}

Test(hnsw_parallel, progress_and_cancel)
{
    tset t = t_load("siftsmall", DIST_L2, 0, 2000, 1, false);
    hnsw_params p;
    hnsw_params_init(&p, DIST_L2, (int)t.dim);
    hnsw_index *x;
    cr_assert_eq(hnsw_create(&p, &x, NULL), HNSW_OK);
    prog pr = {0};
    cr_assert_eq(hnsw_build(x, t.base, NULL, t.n, 2, on_progress, &pr, NULL), HNSW_OK);
    cr_assert_eq(pr.calls, 10);
    cr_assert_eq(pr.last, t.n);
    hnsw_free(x);

    cr_assert_eq(hnsw_create(&p, &x, NULL), HNSW_OK);
    prog cancel = {.cancel_at = 600};
    pgw_error err;
    cr_assert_eq(hnsw_build(x, t.base, NULL, t.n, 2, on_progress, &cancel, &err), HNSW_ECANCELED);
    cr_assert_str_eq(err.sqlstate, "57014");
    cr_assert_lt(hnsw_count(x), t.n);
    hnsw_free(x);
    t_free(&t);
}
