/*
 * hnsw_inproc: in-process benchmark of the hcdb HNSW index on the shared data
 * sets, the same method as shared/data/bench_hnswlib.py: build with m 16,
 * ef_construction 64 (1 thread, then N threads), then for each ef_search one
 * warm-up pass over all queries and timed passes (at least REPEATS and
 * MIN_SECONDS in all), single-threaded, k = 10; recall@10 against the folder's
 * exact ground truth. Prints one markdown-ish line per (set, metric, ef):
 *
 *   RESULT set metric n dim threads build_wall build_cpu mem_bytes ef recall qps_wall_best qps_cpu_median
 *
 * Usage: hnsw_inproc [-n max_rows] [-q max_queries] [-t threads] [-s seed] SET[:u8dim] [metric...]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/index/hnsw.h"
#include "util/mem.h"
#include "util/vecfile.h"

static const int efs[] = {10, 20, 40, 80, 160, 320};

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct data {
    const char *set;
    float *base, *query;
    int32_t *gt;
    size_t n, nq, dim, gt_k;
} data;

static double one_pass(hnsw_index *x, const data *d, int ef, hnsw_result *res, size_t *hits)
{
    size_t hit = 0;
    for (size_t q = 0; q < d->nq; q++) {
        int got = hnsw_search(x, d->query + q * d->dim, 10, ef, res);
        const int32_t *g = d->gt + q * d->gt_k;
        for (int i = 0; i < got; i++)
            for (int j = 0; j < 10; j++)
                hit += res[i].label == g[j];
    }
    *hits = hit;
    return 0;
}

static void bench_searches(hnsw_index *x, const data *d, const char *metric, int threads, double bw,
                           double bc, double min_seconds, int repeats)
{
    hnsw_result res[10];
    for (size_t e = 0; e < sizeof(efs) / sizeof(efs[0]); e++) {
        size_t hits;
        one_pass(x, d, efs[e], res, &hits); /* warm-up */
        double walls[4096], cpus[4096], total = 0;
        int passes = 0;
        while ((passes < repeats || total < min_seconds) && passes < 4096) {
            double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
            one_pass(x, d, efs[e], res, &hits);
            walls[passes] = now(CLOCK_MONOTONIC) - w0;
            cpus[passes] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
            total += walls[passes++];
        }
        qsort(walls, (size_t)passes, sizeof(double), cmp_double);
        qsort(cpus, (size_t)passes, sizeof(double), cmp_double);
        printf("RESULT %s %s %zu %zu %d %.3f %.3f %zu %d %.4f %.0f %.0f\n", d->set, metric, d->n, d->dim,
               threads, bw, bc, hnsw_memory_bytes(x), efs[e], (double)hits / (double)(d->nq * 10),
               (double)d->nq / walls[0], (double)d->nq / cpus[passes / 2]);
        fflush(stdout);
    }
}

/* Ground truth: the folder's file for full sets, scalar brute force for a subset. */
static int32_t *subset_gt(const data *d, dist_metric metric)
{
    int32_t *gt = mem_alloc(d->nq * 10 * sizeof(int32_t));
    hnsw_result r[10];
    for (size_t q = 0; q < d->nq; q++) {
        int n = hnsw_exact_knn(metric, d->dim, d->base, d->n, d->query + q * d->dim, 10, r);
        for (int i = 0; i < n; i++)
            gt[q * 10 + (size_t)i] = (int32_t)r[i].label;
    }
    return gt;
}

static int run_metric(data *d, const char *dir, const char *metric_name, bool subset, int threads,
                      uint64_t seed, double min_seconds, int repeats)
{
    dist_metric metric = strcmp(metric_name, "cosine") == 0 ? DIST_COSINE : DIST_L2;
    if (subset) {
        d->gt = subset_gt(d, metric);
        d->gt_k = 10;
    } else {
        char p[4096];
        size_t rows;
        snprintf(p, sizeof(p), "%s/%s/%s", dir, d->set,
                 metric == DIST_COSINE ? "gt_cos_top100.ivecs" : "gt_l2_top100.ivecs");
        d->gt = vecfile_read_ivecs(p, d->nq, &rows, &d->gt_k);
        if (!d->gt)
            return 1;
    }
    for (int t = 1; t <= threads; t = t == threads ? t + 1 : threads) {
        hnsw_params p;
        hnsw_params_init(&p, metric, (int)d->dim);
        p.capacity = d->n;
        p.seed = seed;
        hnsw_index *x;
        pgw_error err;
        if (hnsw_create(&p, &x, &err))
            return fprintf(stderr, "%s\n", err.message), 1;
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        if (hnsw_build(x, d->base, NULL, d->n, t, NULL, NULL, &err))
            return fprintf(stderr, "%s\n", err.message), 1;
        double bw = now(CLOCK_MONOTONIC) - w0, bc = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (t == 1)
            bench_searches(x, d, metric_name, t, bw, bc, min_seconds, repeats);
        else
            printf("RESULT %s %s %zu %zu %d %.3f %.3f %zu 0 0 0 0\n", d->set, metric_name, d->n, d->dim, t,
                   bw, bc, hnsw_memory_bytes(x));
        hnsw_free(x);
    }
    mem_free(d->gt);
    d->gt = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    size_t max_n = 0, max_q = 0;
    int threads = 2, i = 1;
    uint64_t seed = 100;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "-n"))
            max_n = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "-q"))
            max_q = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "-t"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-s"))
            seed = strtoull(argv[i + 1], NULL, 10);
    }
    if (i >= argc)
        return fprintf(stderr, "usage: %s [-n rows] [-q queries] [-t threads] [-s seed] SET[:u8dim] [l2|cosine]...\n",
                       argv[0]),
               2;
    char dirbuf[4096], set[256];
    const char *dir = vecfile_data_dir(dirbuf, sizeof(dirbuf));
    if (!dir)
        return fprintf(stderr, "data sets not found (HCDB_DATA_SETS)\n"), 1;
    snprintf(set, sizeof(set), "%s", argv[i]);
    char *colon = strchr(set, ':');
    size_t u8 = colon ? strtoull(colon + 1, NULL, 10) : 0;
    if (colon)
        *colon = '\0';
    data d = {.set = set};
    size_t qd;
    d.base = vecfile_load_set(dir, set, "base", u8, max_n, &d.n, &d.dim);
    d.query = vecfile_load_set(dir, set, "query", u8, max_q, &d.nq, &qd);
    if (!d.base || !d.query)
        return 1;
    double min_seconds = getenv("MIN_SECONDS") ? atof(getenv("MIN_SECONDS")) : 1.0;
    int repeats = getenv("REPEATS") ? atoi(getenv("REPEATS")) : 3;
    for (int m = i + 1; m < argc; m++)
        if (run_metric(&d, dir, argv[m], max_n != 0, threads, seed, min_seconds, repeats))
            return 1;
    mem_free(d.base);
    mem_free(d.query);
    return 0;
}
